//! ISO 7816-4 command and response APDUs: encoding, parsing and typed status words.
//!
//! Host-side encoding lives here because the card-side parsers available on crates.io
//! (`iso7816`) assert on lengths; every function in this module returns a typed error
//! instead. The property tests encode with this module and parse with `iso7816`'s
//! independent decoder, so the two implementations check each other.

use std::fmt;

use crate::error::{Error, Result};

/// Largest value of Ne in a short APDU (Le byte `00` means 256).
pub const SHORT_MAX_NE: usize = 256;
/// Largest value of Nc in a short APDU.
pub const SHORT_MAX_NC: usize = 255;
/// Largest value of Ne in an extended APDU (Le bytes `00 00` mean 65536).
pub const EXTENDED_MAX_NE: usize = 65_536;
/// Largest value of Nc in an extended APDU.
pub const EXTENDED_MAX_NC: usize = 65_535;

/// A command APDU before encoding.
///
/// `le` is Ne, the number of response bytes expected: `None` means no Le field,
/// `Some(256)` is encoded as `00` in a short APDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (Nc = `data.len()`).
    pub data: Vec<u8>,
    /// Ne: expected response length, or `None` for no Le field.
    pub le: Option<usize>,
    /// Whether `data` is a secret (a PIN, password or 照合番号) that logs and traces must
    /// never show.
    pub sensitive: bool,
}

impl Command {
    /// A command without data and without Le.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            sensitive: false,
        }
    }

    /// Sets the command data.
    #[must_use]
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// Sets Ne.
    #[must_use]
    pub fn with_le(mut self, ne: usize) -> Self {
        self.le = Some(ne);
        self
    }

    /// Marks the data as secret.
    #[must_use]
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Whether this command needs the extended-length encoding.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > SHORT_MAX_NC || self.le.is_some_and(|ne| ne > SHORT_MAX_NE)
    }

    /// Encodes the command, choosing the short form unless a length needs the extended
    /// one. Fails with [`Error::InvalidCommand`] when a length cannot be encoded at all, or
    /// when it needs the extended form and `extended_allowed` is false.
    pub fn encode(&self, extended_allowed: bool) -> Result<Vec<u8>> {
        let nc = self.data.len();
        if nc > EXTENDED_MAX_NC {
            return Err(Error::InvalidCommand(format!(
                "command data of {nc} bytes exceeds {EXTENDED_MAX_NC}"
            )));
        }
        if let Some(ne) = self.le
            && (ne == 0 || ne > EXTENDED_MAX_NE)
        {
            return Err(Error::InvalidCommand(format!(
                "expected length {ne} is outside 1..={EXTENDED_MAX_NE}"
            )));
        }
        let extended = self.needs_extended();
        if extended && !extended_allowed {
            return Err(Error::InvalidCommand(format!(
                "command needs extended length (Nc={nc}, Ne={:?}) but the transport does not support it",
                self.le
            )));
        }
        let mut out = Vec::with_capacity(4 + 3 + nc + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if extended {
            // ISO 7816-4 5.1: a single 00 byte opens the extended length fields.
            out.push(0);
            if nc > 0 {
                out.extend_from_slice(&u16_be(nc));
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.le {
                out.extend_from_slice(&u16_be(if ne == EXTENDED_MAX_NE { 0 } else { ne }));
            }
        } else {
            if nc > 0 {
                out.push(low_byte(nc));
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.le {
                out.push(if ne == SHORT_MAX_NE { 0 } else { low_byte(ne) });
            }
        }
        Ok(out)
    }

    /// A one-line description that never shows secret data.
    pub fn describe(&self) -> String {
        let data = if self.sensitive {
            format!("<{} secret bytes>", self.data.len())
        } else {
            hex::encode_upper(&self.data)
        };
        format!(
            "{:02X} {:02X} {:02X} {:02X} data={} le={:?}",
            self.cla, self.ins, self.p1, self.p2, data, self.le
        )
    }
}

impl Drop for Command {
    fn drop(&mut self) {
        if self.sensitive {
            zeroize::Zeroize::zeroize(&mut self.data);
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Command({})", self.describe())
    }
}

fn u16_be(v: usize) -> [u8; 2] {
    let v = u16::try_from(v).unwrap_or(u16::MAX);
    v.to_be_bytes()
}

/// The low byte of a length (masked first, so the cast cannot truncate).
#[allow(clippy::cast_possible_truncation)]
#[doc(hidden)]
pub fn low_byte(v: usize) -> u8 {
    (v & 0xFF) as u8
}

/// A two-byte status word (SW1 SW2) as the card sent it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `90 00`.
    pub const OK: StatusWord = StatusWord(0x9000);

    /// SW1.
    pub fn sw1(self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// The ISO 7816-4 meaning of the status word, independent of the command.
    pub fn status(self) -> Status {
        Status::from(self)
    }

    /// Whether this is `90 00`.
    pub fn is_ok(self) -> bool {
        self.0 == 0x9000
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.status())
    }
}

/// Status words the card is known to use (card-protocol notes §2, §5.3), with their
/// payloads. Interpretation that depends on the command (a `63Cx` after a VERIFY is a
/// wrong PIN) happens where the command is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// `9000`: success.
    Ok,
    /// `61xx`: more response bytes are waiting for GET RESPONSE (`00` = 256 or more).
    BytesAvailable(u8),
    /// `6282`: end of file reached before Ne bytes were read.
    EndOfFile,
    /// `6300`: verification failed, or a counter query on a key without retry limit.
    VerificationFailedNoCounter,
    /// `63Cx`: x tries remain (after a failed VERIFY: after this failure).
    RetriesRemaining(u8),
    /// `6581`: memory failure.
    MemoryFailure,
    /// `6700`: wrong length (Lc or Le).
    WrongLength,
    /// `6881`: logical channel not supported.
    ChannelNotSupported,
    /// `6882`: secure messaging not supported.
    SecureMessagingNotSupported,
    /// `6982`: security status not satisfied (a PIN or password is needed first).
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked.
    AuthenticationBlocked,
    /// `6984`: referenced data (the key or PIN) blocked or invalidated.
    ReferenceDataBlocked,
    /// `6985`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `6986`: command not allowed (no current EF).
    CommandNotAllowed,
    /// `6987`/`6988`: secure-messaging data objects missing or incorrect.
    SecureMessagingError,
    /// `6A80`: incorrect parameters in the data field.
    IncorrectData,
    /// `6A81`: function not supported.
    FunctionNotSupported,
    /// `6A82`: file or application not found.
    FileNotFound,
    /// `6A83`: record not found.
    RecordNotFound,
    /// `6A86`: incorrect P1-P2.
    IncorrectP1P2,
    /// `6A88`: referenced data object not found.
    DataNotFound,
    /// `6B00`: wrong parameters, for READ BINARY an offset beyond the end of the EF.
    WrongOffset,
    /// `6Cxx`: wrong Le; xx is the exact length available (`00` = 256).
    WrongLe(u8),
    /// `6D00`: instruction not supported.
    InsNotSupported,
    /// `6E00`: class not supported.
    ClaNotSupported,
    /// `6F00`: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Anything else, kept as its value.
    Other(u16),
}

impl From<StatusWord> for Status {
    fn from(sw: StatusWord) -> Self {
        match sw.0 {
            0x9000 => Status::Ok,
            0x6282 => Status::EndOfFile,
            0x6300 => Status::VerificationFailedNoCounter,
            0x6581 => Status::MemoryFailure,
            0x6700 => Status::WrongLength,
            0x6881 => Status::ChannelNotSupported,
            0x6882 => Status::SecureMessagingNotSupported,
            0x6982 => Status::SecurityStatusNotSatisfied,
            0x6983 => Status::AuthenticationBlocked,
            0x6984 => Status::ReferenceDataBlocked,
            0x6985 => Status::ConditionsNotSatisfied,
            0x6986 => Status::CommandNotAllowed,
            0x6987 | 0x6988 => Status::SecureMessagingError,
            0x6A80 => Status::IncorrectData,
            0x6A81 => Status::FunctionNotSupported,
            0x6A82 => Status::FileNotFound,
            0x6A83 => Status::RecordNotFound,
            0x6A86 => Status::IncorrectP1P2,
            0x6A88 => Status::DataNotFound,
            0x6B00 => Status::WrongOffset,
            0x6D00 => Status::InsNotSupported,
            0x6E00 => Status::ClaNotSupported,
            0x6F00 => Status::NoPreciseDiagnosis,
            v if v & 0xFF00 == 0x6100 => Status::BytesAvailable(sw.sw2()),
            v if v & 0xFFF0 == 0x63C0 => Status::RetriesRemaining(sw.sw2() & 0x0F),
            v if v & 0xFF00 == 0x6C00 => Status::WrongLe(sw.sw2()),
            v => Status::Other(v),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Ok => write!(f, "success"),
            Status::BytesAvailable(n) => write!(f, "{n} more bytes available"),
            Status::EndOfFile => write!(f, "end of file reached before Le bytes"),
            Status::VerificationFailedNoCounter => write!(f, "verification failed (no counter)"),
            Status::RetriesRemaining(n) => write!(f, "{n} tries remaining"),
            Status::MemoryFailure => write!(f, "memory failure"),
            Status::WrongLength => write!(f, "wrong length"),
            Status::ChannelNotSupported => write!(f, "logical channel not supported"),
            Status::SecureMessagingNotSupported => write!(f, "secure messaging not supported"),
            Status::SecurityStatusNotSatisfied => write!(f, "security status not satisfied"),
            Status::AuthenticationBlocked => write!(f, "authentication method blocked"),
            Status::ReferenceDataBlocked => write!(f, "reference data blocked"),
            Status::ConditionsNotSatisfied => write!(f, "conditions of use not satisfied"),
            Status::CommandNotAllowed => write!(f, "command not allowed"),
            Status::SecureMessagingError => write!(f, "secure messaging error"),
            Status::IncorrectData => write!(f, "incorrect data"),
            Status::FunctionNotSupported => write!(f, "function not supported"),
            Status::FileNotFound => write!(f, "file or application not found"),
            Status::RecordNotFound => write!(f, "record not found"),
            Status::IncorrectP1P2 => write!(f, "incorrect P1-P2"),
            Status::DataNotFound => write!(f, "data object not found"),
            Status::WrongOffset => write!(f, "offset outside the file"),
            Status::WrongLe(n) => write!(f, "wrong Le, {n} bytes available"),
            Status::InsNotSupported => write!(f, "instruction not supported"),
            Status::ClaNotSupported => write!(f, "class not supported"),
            Status::NoPreciseDiagnosis => write!(f, "no precise diagnosis"),
            Status::Other(v) => write!(f, "unknown status {v:04X}"),
        }
    }
}

/// A response APDU split into data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// The trailing status word.
    pub sw: StatusWord,
}

impl Response {
    /// Splits raw response bytes. Fails when fewer than two bytes arrived.
    pub fn parse(raw: &[u8]) -> Result<Self> {
        match raw {
            [data @ .., sw1, sw2] => Ok(Response {
                data: data.to_vec(),
                sw: StatusWord(u16::from_be_bytes([*sw1, *sw2])),
            }),
            _ => Err(Error::MalformedResponse(format!(
                "response of {} bytes has no status word",
                raw.len()
            ))),
        }
    }

    /// The typed status.
    pub fn status(&self) -> Status {
        self.sw.status()
    }

    /// Raw bytes: data followed by the status word.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.sw.0.to_be_bytes());
        v
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, {:?})", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        // Case 1: header only.
        assert_eq!(
            Command::new(0, 0x20, 0, 0x98).encode(false).ok(),
            Some(vec![0x00, 0x20, 0x00, 0x98])
        );
        // Case 2 with Le = 256 -> 00.
        assert_eq!(
            Command::new(0, 0xB0, 0x8A, 0)
                .with_le(256)
                .encode(false)
                .ok(),
            Some(vec![0x00, 0xB0, 0x8A, 0x00, 0x00])
        );
        // Case 3: SELECT by AID, P2=0C (card-protocol §2).
        let aid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
        let enc = Command::new(0, 0xA4, 4, 0x0C)
            .with_data(aid)
            .encode(false)
            .ok();
        let mut expect = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
        expect.extend_from_slice(&aid);
        assert_eq!(enc, Some(expect));
        // Case 4: COMPUTE DIGITAL SIGNATURE with Le 00.
        let enc = Command::new(0x80, 0x2A, 0, 0x80)
            .with_data([1, 2, 3])
            .with_le(256)
            .encode(false)
            .ok();
        assert_eq!(enc, Some(vec![0x80, 0x2A, 0x00, 0x80, 0x03, 1, 2, 3, 0x00]));
    }

    #[test]
    fn extended_forms() {
        // READ BINARY by SFI with Le = 65536 (card-protocol §6).
        let enc = Command::new(0, 0xB0, 0x8A, 0)
            .with_le(65_536)
            .encode(true)
            .ok();
        assert_eq!(enc, Some(vec![0x00, 0xB0, 0x8A, 0x00, 0x00, 0x00, 0x00]));
        let enc = Command::new(0, 0xB0, 0, 0).with_le(1000).encode(true).ok();
        assert_eq!(enc, Some(vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x03, 0xE8]));
        let data = vec![0xAB; 300];
        let enc = Command::new(0x80, 0xAE, 0, 0)
            .with_data(data.clone())
            .with_le(256)
            .encode(true);
        let enc = enc.ok().unwrap_or_default();
        assert_eq!(&enc[..7], &[0x80, 0xAE, 0x00, 0x00, 0x00, 0x01, 0x2C]);
        assert_eq!(&enc[enc.len() - 2..], &[0x01, 0x00]);
    }

    #[test]
    fn refuses_unencodable() {
        assert!(matches!(
            Command::new(0, 0xB0, 0, 0).with_le(257).encode(false),
            Err(Error::InvalidCommand(_))
        ));
        assert!(Command::new(0, 0xB0, 0, 0).with_le(0).encode(true).is_err());
        assert!(
            Command::new(0, 0xB0, 0, 0)
                .with_le(65_537)
                .encode(true)
                .is_err()
        );
        assert!(
            Command::new(0, 0xD6, 0, 0)
                .with_data(vec![0; 65_536])
                .encode(true)
                .is_err()
        );
    }

    #[test]
    fn status_words() {
        assert_eq!(StatusWord(0x63C2).status(), Status::RetriesRemaining(2));
        assert_eq!(StatusWord(0x63C0).status(), Status::RetriesRemaining(0));
        assert_eq!(StatusWord(0x6984).status(), Status::ReferenceDataBlocked);
        assert_eq!(StatusWord(0x6983).status(), Status::AuthenticationBlocked);
        assert_eq!(StatusWord(0x6110).status(), Status::BytesAvailable(0x10));
        assert_eq!(StatusWord(0x6C11).status(), Status::WrongLe(0x11));
        assert_eq!(StatusWord(0x6B00).status(), Status::WrongOffset);
        assert_eq!(StatusWord(0x1234).status(), Status::Other(0x1234));
        assert_eq!(
            StatusWord(0x6A82).to_string(),
            "6A82 (file or application not found)"
        );
    }

    #[test]
    fn response_parse() {
        assert!(Response::parse(&[]).is_err());
        assert!(Response::parse(&[0x90]).is_err());
        let r = Response::parse(&[1, 2, 0x90, 0x00]).ok();
        assert_eq!(
            r.map(|r| (r.data, r.sw)),
            Some((vec![1, 2], StatusWord::OK))
        );
    }

    #[test]
    fn sensitive_data_never_described() {
        let c = Command::new(0, 0x20, 0, 0x98)
            .with_data(b"1234".to_vec())
            .sensitive();
        let shown = format!("{c:?} {}", c.describe());
        assert!(!shown.contains("31323334"));
        assert!(shown.contains("<4 secret bytes>"));
    }
}
