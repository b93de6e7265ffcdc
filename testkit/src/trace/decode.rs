//! Decoding exchanges for people: command names, the application and EF they address,
//! offsets, credentials and status words.
//!
//! [`Tracker`] follows the session's state (selected application, current EF, a read
//! continued by GET RESPONSE) so that `00 B0 8A 00 00` reads "READ BINARY of JPKI EF 000A
//! (user-authentication certificate) by SFI at offset 0" and the data of its response can be
//! attributed to that file (which [`super::scrub`] needs).

use std::ops::Range;

use mynakit::aid;
use mynakit::apdu::StatusWord;
use mynakit::commands::{
    self, CLA_PROPRIETARY, SELECT_BY_NAME, SELECT_EF_IN_DF, SELECT_MF, SFI_FLAG, ins,
};
use mynakit::credential::Credential;
use mynakit::sign::HashAlgorithm;

/// The fields of a command APDU (ISO 7816-4 §5.1 cases 1 to 4, short and extended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandParts {
    /// CLA INS P1 P2.
    pub header: [u8; 4],
    /// Where the data field lies in the encoded command.
    pub data: Range<usize>,
    /// Ne (`None` when there is no Le field; 256 or 65 536 for a zero Le).
    pub le: Option<usize>,
    /// Whether the extended-length encoding is used.
    pub extended: bool,
}

/// Splits an encoded command APDU. `None` when the bytes are not a well-formed APDU.
pub fn parse_command(apdu: &[u8]) -> Option<CommandParts> {
    let header = match apdu.get(..4) {
        Some(&[a, b, c, d]) => [a, b, c, d],
        _ => return None,
    };
    let body = apdu.get(4..).unwrap_or_default();
    let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
    let ext_le = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
        0 => 65_536,
        n => usize::from(n),
    };
    let parts = |data: Range<usize>, le: Option<usize>, extended: bool| {
        Some(CommandParts {
            header,
            data,
            le,
            extended,
        })
    };
    match *body {
        [] => parts(4..4, None, false),
        [le] => parts(5..5, Some(short_le(le)), false),
        [0, hi, lo] => parts(7..7, Some(ext_le(hi, lo)), true),
        [0, hi, lo, ref rest @ ..] if !rest.is_empty() => {
            let lc = usize::from(u16::from_be_bytes([hi, lo]));
            if lc == 0 {
                return None;
            }
            match rest.len().checked_sub(lc)? {
                0 => parts(7..7 + lc, None, true),
                2 => {
                    let le = match rest.get(lc..) {
                        Some(&[a, b]) => ext_le(a, b),
                        _ => return None,
                    };
                    parts(7..7 + lc, Some(le), true)
                }
                _ => None,
            }
        }
        [lc, ref rest @ ..] => {
            let lc = usize::from(lc);
            match rest.len().checked_sub(lc)? {
                0 => parts(5..5 + lc, None, false),
                1 => parts(5..5 + lc, rest.last().map(|&b| short_le(b)), false),
                _ => None,
            }
        }
    }
}

/// Whether a command carries a secret in its data field by its instruction: VERIFY,
/// CHANGE REFERENCE DATA, RESET RETRY COUNTER (ISO 7816-4) and the JICSAP CHANGE KEY.
/// The SDK's own list ([`mynakit::commands::carries_secret`]).
pub fn carries_secret(header: [u8; 4]) -> bool {
    let [cla, ins, _, _] = header;
    commands::carries_secret(cla, ins)
}

/// Human names of the EFs MynaKit knows (card-protocol §3).
const EF_NAMES: &[(&[u8], u16, &str)] = &[
    (aid::JPKI, 0x0001, "signing certificate"),
    (aid::JPKI, 0x0002, "signing CA certificate"),
    (aid::JPKI, 0x0006, "token information"),
    (aid::JPKI, 0x0008, "certificate availability"),
    (aid::JPKI, 0x000A, "user-authentication certificate"),
    (aid::JPKI, 0x000B, "user-authentication CA certificate"),
    (aid::JPKI, 0x0017, "user-authentication key"),
    (aid::JPKI, 0x0018, "user-authentication PIN"),
    (aid::JPKI, 0x001A, "signing key"),
    (aid::JPKI, 0x001B, "signing password"),
    (aid::TEXT, 0x0001, "My Number"),
    (aid::TEXT, 0x0002, "basic four attributes"),
    (aid::TEXT, 0x0003, "integrity record"),
    (aid::TEXT, 0x0004, "CV certificate"),
    (aid::TEXT, 0x0005, "AP basic information"),
    (aid::TEXT, 0x0006, "session-key public key"),
    (aid::TEXT, 0x0007, "signed card public key"),
    (aid::TEXT, 0x0011, "input-assist PIN"),
    (aid::TEXT, 0x0014, "照合番号A"),
    (aid::TEXT, 0x0015, "照合番号B"),
    (aid::FACE, 0x0001, "age record"),
    (aid::FACE, 0x0002, "card face"),
    (aid::FACE, 0x0003, "AP basic information"),
    (aid::FACE, 0x0004, "CV certificate"),
    (aid::FACE, 0x0005, "My Number image"),
    (aid::FACE, 0x0011, "birth-date key"),
    (aid::FACE, 0x0012, "照合番号B"),
    (aid::FACE, 0x0013, "照合番号A"),
    (aid::FACE, 0x001A, "card key"),
];

/// The name of an EF of an application, when known.
pub fn ef_name(app: Option<&[u8]>, fid: u16) -> Option<&'static str> {
    let app = app?;
    EF_NAMES
        .iter()
        .find(|(a, f, _)| *a == app && *f == fid)
        .map(|(_, _, n)| *n)
}

/// The credential held in an EF of an application.
pub fn credential_at(app: Option<&[u8]>, fid: u16) -> Option<Credential> {
    let app = app?;
    Credential::ALL
        .into_iter()
        .find(|c| c.aid() == app && c.ef() == fid)
}

fn app_name(app: Option<&[u8]>) -> String {
    match app {
        Some(a) => aid::name(a)
            .map(str::to_string)
            .unwrap_or_else(|| format!("AID {}", hex::encode_upper(a))),
        None => "no application".into(),
    }
}

fn ef_label(app: Option<&[u8]>, fid: u16) -> String {
    match ef_name(app, fid) {
        Some(n) => format!("EF {fid:04X} ({n})"),
        None => format!("EF {fid:04X}"),
    }
}

/// Which file the data of a response belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSource {
    /// Bytes of a transparent EF at an offset.
    Binary {
        /// The application (`None` when unknown).
        app: Option<Vec<u8>>,
        /// The EF (`None` when the current EF is unknown).
        fid: Option<u16>,
        /// Offset of the first data byte in the EF.
        offset: usize,
    },
    /// A record (READ RECORD).
    Record {
        /// The application.
        app: Option<Vec<u8>>,
        /// Record number.
        record: u8,
    },
    /// A GET DATA object.
    DataObject {
        /// The tag (P1 P2).
        tag: u16,
    },
    /// Other response data (signatures, challenges, …): not read from a file.
    Other,
}

/// A decoded exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The application selected when the command was sent.
    pub app: String,
    /// What the command does.
    pub command: String,
    /// Where the response data came from.
    pub source: DataSource,
}

/// Follows the card's state through a session.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    app: Option<Vec<u8>>,
    ef: Option<u16>,
    /// A response split with `61xx`: where the next GET RESPONSE data continues.
    pending: Option<DataSource>,
}

/// The data part and status word of a response, when it has one.
fn split_response(rsp: &[u8]) -> Option<(&[u8], StatusWord)> {
    match rsp {
        [data @ .., a, b] => Some((data, StatusWord(u16::from_be_bytes([*a, *b])))),
        _ => None,
    }
}

impl Tracker {
    /// A tracker at power-on (no application selected).
    pub fn new() -> Self {
        Self::default()
    }

    /// The selected application's AID.
    pub fn app(&self) -> Option<&[u8]> {
        self.app.as_deref()
    }

    /// Describes a command in the current state, without changing it. `secret_len` is
    /// the number of redacted bytes when the trace removed the data field.
    pub fn describe(&self, cmd: &[u8], secret_len: Option<usize>) -> String {
        let app = self.app.as_deref();
        let Some(&[cla, ins, p1, p2]) = cmd.get(..4) else {
            return format!("{}-byte fragment (not a command APDU)", cmd.len());
        };
        let parts = if secret_len.is_some() {
            None
        } else {
            parse_command(cmd)
        };
        let data = parts
            .as_ref()
            .and_then(|p| cmd.get(p.data.clone()))
            .unwrap_or_default();
        let le = parts.as_ref().and_then(|p| p.le);
        let le_text = le.map(|n| format!(", Le {n}")).unwrap_or_default();
        if parts.is_none() && secret_len.is_none() {
            return format!(
                "malformed command {cla:02X} {ins:02X} {p1:02X} {p2:02X} ({} bytes)",
                cmd.len()
            );
        }
        // The names the SDK builds its commands from (card-protocol §2).
        match (cla & 0xF0 == CLA_PROPRIETARY, ins) {
            (false, ins::SELECT) => match p1 {
                SELECT_BY_NAME => format!(
                    "SELECT application {} ({})",
                    aid::name(data).unwrap_or("unknown"),
                    hex::encode_upper(data)
                ),
                SELECT_EF_IN_DF => match data {
                    [a, b] => format!("SELECT {}", ef_label(app, u16::from_be_bytes([*a, *b]))),
                    _ => format!("SELECT EF with {}-byte identifier", data.len()),
                },
                SELECT_MF if data.is_empty() => "SELECT MF".into(),
                _ => format!("SELECT P1={p1:02X} P2={p2:02X} {}", hex::encode_upper(data)),
            },
            (false, ins::READ_BINARY) => {
                if p1 & SFI_FLAG != 0 {
                    let fid = u16::from(p1 & 0x1F);
                    format!(
                        "READ BINARY {} by SFI, offset {p2}{le_text}",
                        ef_label(app, fid)
                    )
                } else {
                    let offset = (usize::from(p1 & 0x7F) << 8) | usize::from(p2);
                    let ef = match self.ef {
                        Some(f) => ef_label(app, f),
                        None => "current EF (unknown)".into(),
                    };
                    format!("READ BINARY {ef}, offset {offset}{le_text}")
                }
            }
            (false, ins::READ_RECORD) => format!("READ RECORD {p1} (P2 {p2:02X}){le_text}"),
            (false, ins::VERIFY) => {
                let cred = self.credential_of(p2);
                match secret_len {
                    Some(n) => format!("VERIFY {cred}: {n} secret bytes redacted"),
                    None if data.is_empty() => {
                        format!("VERIFY without data (retry counter query): {cred}")
                    }
                    None => format!(
                        "VERIFY {cred} with {} bytes NOT REDACTED (this trace leaks a secret)",
                        data.len()
                    ),
                }
            }
            (false, ins::CHANGE_REFERENCE_DATA) => format!(
                "CHANGE REFERENCE DATA {}: {} secret bytes redacted",
                self.credential_of(p2),
                secret_len.unwrap_or(data.len())
            ),
            (false, ins::RESET_RETRY_COUNTER) => format!(
                "RESET RETRY COUNTER: {} secret bytes redacted",
                secret_len.unwrap_or(data.len())
            ),
            (true, ins::CHANGE_KEY) => format!(
                "CHANGE KEY {}: {} secret bytes redacted",
                self.credential_of(p2),
                secret_len.unwrap_or(data.len())
            ),
            (true, ins::COMPUTE_DIGITAL_SIGNATURE) => {
                let key = if p2 & 0x1F != 0 {
                    ef_label(app, u16::from(p2 & 0x1F))
                } else {
                    match self.ef {
                        Some(f) => ef_label(app, f),
                        None => "the current key EF".into(),
                    }
                };
                let what = [
                    HashAlgorithm::Sha1,
                    HashAlgorithm::Sha256,
                    HashAlgorithm::Sha384,
                    HashAlgorithm::Sha512,
                ]
                .into_iter()
                .find(|h| {
                    data.starts_with(h.digest_info_prefix())
                        && Some(data.len())
                            == h.digest_info_prefix().len().checked_add(h.output_len())
                })
                .map(|h| format!("{} DigestInfo", h.name().to_uppercase()))
                .unwrap_or_else(|| format!("{} bytes", data.len()));
                format!("COMPUTE DIGITAL SIGNATURE with {key} over a {what}{le_text}")
            }
            (false, ins::GET_CHALLENGE) => format!("GET CHALLENGE{le_text}"),
            (false, ins::INTERNAL_AUTHENTICATE) => {
                format!("INTERNAL AUTHENTICATE ({} bytes){le_text}", data.len())
            }
            (false, ins::GET_RESPONSE) => format!("GET RESPONSE{le_text}"),
            (false, ins::GET_DATA) => format!("GET DATA tag {p1:02X}{p2:02X}{le_text}"),
            _ => format!(
                "CLA {cla:02X} INS {ins:02X} P1 {p1:02X} P2 {p2:02X} ({} data bytes){le_text}",
                data.len()
            ),
        }
    }

    fn credential_of(&self, p2: u8) -> String {
        let app = self.app.as_deref();
        let fid = if p2 & 0x1F != 0 {
            Some(u16::from(p2 & 0x1F))
        } else {
            self.ef
        };
        match fid {
            Some(f) => match credential_at(app, f) {
                Some(c) => format!("{c} (EF {f:04X})"),
                None => format!("of {}", ef_label(app, f)),
            },
            None => "of the current EF".into(),
        }
    }

    /// Decodes one exchange and advances the state. `response` is `None` when the link
    /// failed.
    pub fn step(
        &mut self,
        cmd: &[u8],
        secret_len: Option<usize>,
        response: Option<&[u8]>,
    ) -> Annotation {
        let app_before = app_name(self.app.as_deref());
        let command = self.describe(cmd, secret_len);
        let parts = if secret_len.is_some() {
            None
        } else {
            parse_command(cmd)
        };
        let sw = response.and_then(split_response).map(|(_, sw)| sw);
        let ok = sw.is_some_and(StatusWord::is_ok);
        let more = sw.filter(|s| s.sw1() == 0x61);
        let header = cmd.get(..4);
        let data = parts
            .as_ref()
            .and_then(|p| cmd.get(p.data.clone()))
            .unwrap_or_default();
        let mut source = DataSource::Other;
        match header {
            Some(&[cla, ins::SELECT, p1, _]) if cla & CLA_PROPRIETARY == 0 => match p1 {
                SELECT_BY_NAME => {
                    self.ef = None;
                    self.app = if ok { Some(data.to_vec()) } else { None };
                }
                SELECT_EF_IN_DF => {
                    if let [a, b] = data
                        && ok
                    {
                        self.ef = Some(u16::from_be_bytes([*a, *b]));
                    }
                }
                _ => {}
            },
            Some(&[cla, ins::READ_BINARY, p1, p2]) if cla & CLA_PROPRIETARY == 0 => {
                let (fid, offset) = if p1 & SFI_FLAG != 0 {
                    let fid = u16::from(p1 & 0x1F);
                    if sw.is_some_and(|s| s.is_ok() || s.0 == 0x6282 || s.sw1() == 0x61) {
                        self.ef = Some(fid);
                    }
                    (Some(fid), usize::from(p2))
                } else {
                    (self.ef, (usize::from(p1 & 0x7F) << 8) | usize::from(p2))
                };
                source = DataSource::Binary {
                    app: self.app.clone(),
                    fid,
                    offset,
                };
            }
            Some(&[cla, ins::READ_RECORD, p1, _]) if cla & CLA_PROPRIETARY == 0 => {
                source = DataSource::Record {
                    app: self.app.clone(),
                    record: p1,
                };
            }
            Some(&[cla, ins::GET_DATA, p1, p2]) if cla & CLA_PROPRIETARY == 0 => {
                source = DataSource::DataObject {
                    tag: u16::from_be_bytes([p1, p2]),
                };
            }
            Some(&[cla, ins::GET_RESPONSE, _, _]) if cla & CLA_PROPRIETARY == 0 => {
                source = self.pending.take().unwrap_or(DataSource::Other);
            }
            _ => {}
        }
        if !matches!(header, Some(&[_, ins::GET_RESPONSE, _, _])) {
            self.pending = None;
        }
        // Data announced with 61xx continues where this response's data ends.
        if more.is_some() {
            let len = response
                .and_then(split_response)
                .map(|(d, _)| d.len())
                .unwrap_or(0);
            self.pending = Some(match &source {
                DataSource::Binary { app, fid, offset } => DataSource::Binary {
                    app: app.clone(),
                    fid: *fid,
                    offset: offset.saturating_add(len),
                },
                other => other.clone(),
            });
        }
        if response.is_none() {
            // The engine forgets its state after a link failure; so does the tracker.
            self.pending = None;
        }
        Annotation {
            app: app_before,
            command,
            source,
        }
    }
}

/// Describes a response: `1573 bytes, 9000 (success)` or the link failure.
pub fn describe_response(response: &Result<Vec<u8>, super::RecordedError>) -> String {
    match response {
        Ok(r) => match split_response(r) {
            Some(([], sw)) => sw.to_string(),
            Some((data, sw)) => format!("{} bytes, {sw}", data.len()),
            None => format!(
                "{} bytes without a status word: {}",
                r.len(),
                hex::encode_upper(r)
            ),
        },
        Err(e) => format!(
            "link failure ({}): {}",
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.message
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apdu_cases() {
        let p = parse_command(&[0, 0xA4, 4, 0x0C, 2, 0xAA, 0xBB]).unwrap();
        assert_eq!((p.data, p.le, p.extended), (5..7, None, false));
        let p = parse_command(&[0, 0xB0, 0x8A, 0, 0]).unwrap();
        assert_eq!((p.data, p.le), (5..5, Some(256)));
        let p = parse_command(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap();
        assert_eq!((p.data, p.le), (5..6, Some(256)));
        let p = parse_command(&[0, 0xB0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!((p.le, p.extended), (Some(65_536), true));
        let p = parse_command(&[0, 0xAE, 0, 0, 0, 0, 2, 1, 2, 1, 0]).unwrap();
        assert_eq!((p.data, p.le, p.extended), (7..9, Some(256), true));
        assert!(parse_command(&[0, 0xA4, 4]).is_none());
        assert!(parse_command(&[0, 0xA4, 4, 0x0C, 3, 1]).is_none());
        assert!(parse_command(&[0, 0xA4, 4, 0x0C, 0, 0, 0, 1]).is_none());
    }

    #[test]
    fn tracks_files_and_names_commands() {
        let mut t = Tracker::new();
        let mut select = vec![0, 0xA4, 4, 0x0C, 10];
        select.extend_from_slice(aid::JPKI);
        let a = t.step(&select, None, Some(&[0x90, 0]));
        assert!(a.command.contains("JPKI-AP"), "{}", a.command);
        let a = t.step(&[0, 0xB0, 0x8A, 0, 0], None, Some(&[0x30, 0x90, 0]));
        assert!(a.command.contains("user-authentication certificate"));
        assert!(a.command.contains("by SFI"));
        assert_eq!(
            a.source,
            DataSource::Binary {
                app: Some(aid::JPKI.to_vec()),
                fid: Some(0x0A),
                offset: 0
            }
        );
        // Continues on the current EF.
        let a = t.step(&[0, 0xB0, 1, 0, 0], None, Some(&[1, 0x61, 0x10]));
        assert_eq!(
            a.source,
            DataSource::Binary {
                app: Some(aid::JPKI.to_vec()),
                fid: Some(0x0A),
                offset: 256
            }
        );
        let a = t.step(&[0, 0xC0, 0, 0, 0x10], None, Some(&[2, 0x90, 0]));
        assert_eq!(
            a.source,
            DataSource::Binary {
                app: Some(aid::JPKI.to_vec()),
                fid: Some(0x0A),
                offset: 257
            }
        );
        let a = t.step(&[0, 0x20, 0, 0x98, 4], Some(4), Some(&[0x90, 0]));
        assert!(a.command.contains("利用者証明用暗証番号"), "{}", a.command);
        assert!(a.command.contains("4 secret bytes redacted"));
        let a = t.step(&[0, 0x20, 0, 0x9B], None, Some(&[0x63, 0xC5]));
        assert!(a.command.contains("retry counter query"));
        assert_eq!(
            describe_response(&Ok(vec![0x63, 0xC2])),
            "63C2 (2 tries remaining)"
        );
    }
}
