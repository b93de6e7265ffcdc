//! Every command APDU MynaKit sends, by name (card-protocol §2).
//!
//! The engine ([`crate::card`]) and the card applications build their commands here and
//! nowhere else, and the test tooling (the virtual card, the trace annotator) matches on
//! the same constants, so one reading of the card's command set serves both sides of the
//! link. These builders only encode: which addressing form a command uses (a short EF
//! identifier or SELECT EF first, the key named in P2 or selected) is decided in one place
//! of the engine, which passes the result as an [`EfRef`].
//!
//! | Command | Bytes | Builder |
//! |---|---|---|
//! | SELECT DF by name | `00 A4 04 0C Lc AID` | [`select_application`] |
//! | SELECT EF | `00 A4 02 0C 02 FID` | [`select_ef`] |
//! | READ BINARY | `00 B0 P1-P2=offset Le` | [`read_binary`] |
//! | READ BINARY by SFI | `00 B0 80\|SFI offset Le` | [`read_binary_sfi`] |
//! | VERIFY without data (retry query) | `00 20 00 80` or `00 20 00 80\|SFI` | [`retry_query`] |
//! | VERIFY | `00 20 00 80 Lc value` or `00 20 00 80\|SFI Lc value` | [`verify`] |
//! | COMPUTE DIGITAL SIGNATURE | `80 2A 00 80 Lc DigestInfo 00` or P2 `80\|SFI` | [`compute_digital_signature`] |
//! | … with the application's own key | `80 2A 00 00 Lc DigestInfo 00` | [`card_key_signature`] |
//! | GET CHALLENGE | `00 84 00 00 Le` | [`get_challenge`] |
//! | GET RESPONSE | `00 C0 00 00 Le` | [`get_response`] |
//!
//! MynaKit sends no other command: INTERNAL AUTHENTICATE, READ RECORD, GET DATA and the
//! PIN-changing commands have instruction constants in [`ins`] (for the tooling that
//! decodes traces) but no builder.

use crate::apdu::Command;

/// CLA of the ISO 7816-4 inter-industry commands (card-protocol §2).
pub const CLA_ISO: u8 = 0x00;
/// CLA of the card's proprietary commands: COMPUTE DIGITAL SIGNATURE and CHANGE KEY
/// (card-protocol §2).
pub const CLA_PROPRIETARY: u8 = 0x80;

/// Instruction bytes (INS) of the commands the card knows (card-protocol §2).
pub mod ins {
    /// SELECT (`A4`): an application by AID or an EF by identifier (card-protocol §2).
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY (`B0`): bytes of a transparent EF (card-protocol §2, §6).
    pub const READ_BINARY: u8 = 0xB0;
    /// READ RECORD (`B2`): a record of the 共通/住基 APs' record EFs (card-protocol §2);
    /// MynaKit does not send it.
    pub const READ_RECORD: u8 = 0xB2;
    /// VERIFY (`20`): presents a credential, or with no data asks for its retry counter
    /// (card-protocol §2, §5.3).
    pub const VERIFY: u8 = 0x20;
    /// VERIFY with the odd instruction byte (`21`, BER-TLV data, ISO 7816-4); no source
    /// shows this card using it and MynaKit does not send it; listed so tooling treats its
    /// data as secret too.
    pub const VERIFY_ODD: u8 = 0x21;
    /// CHANGE REFERENCE DATA (`24`): a new PIN after VERIFY of the old one
    /// (card-protocol §2, §5.5); MynaKit does not send it.
    pub const CHANGE_REFERENCE_DATA: u8 = 0x24;
    /// RESET RETRY COUNTER (`2C`, ISO 7816-4): unblocks a credential; MynaKit does not
    /// send it.
    pub const RESET_RETRY_COUNTER: u8 = 0x2C;
    /// PERFORM SECURITY OPERATION (`2A`) with CLA `80`: COMPUTE DIGITAL SIGNATURE on this
    /// card (card-protocol §2, §7.1).
    pub const COMPUTE_DIGITAL_SIGNATURE: u8 = 0x2A;
    /// CHANGE KEY (`32`, CLA `80`, JICSAP): the PIN of the 共通/住基 APs (card-protocol §2,
    /// §5.5); MynaKit does not send it.
    pub const CHANGE_KEY: u8 = 0x32;
    /// GET CHALLENGE (`84`): random bytes from the card (card-protocol §2).
    pub const GET_CHALLENGE: u8 = 0x84;
    /// INTERNAL AUTHENTICATE (`88`): only key `0019` of the 共通AP answers it
    /// (card-protocol §2); MynaKit does not send it.
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    /// GET RESPONSE (`C0`): the rest of a response announced by `61xx` (card-protocol §2).
    pub const GET_RESPONSE: u8 = 0xC0;
    /// GET DATA (`CA`): MF-level data objects (card-protocol §2, §3.5); MynaKit does not
    /// send it.
    pub const GET_DATA: u8 = 0xCA;
}

/// P1 of SELECT naming a DF by its name, the AID (card-protocol §2).
pub const SELECT_BY_NAME: u8 = 0x04;
/// P1 of SELECT naming an EF of the current DF by its identifier (card-protocol §2).
pub const SELECT_EF_IN_DF: u8 = 0x02;
/// P1 of SELECT naming the MF (no data), which is not usable on this card
/// (card-protocol §1); MynaKit does not send it.
pub const SELECT_MF: u8 = 0x00;
/// P2 of SELECT asking for no file control information back, as every client does
/// (card-protocol §2).
pub const SELECT_NO_FCI: u8 = 0x0C;
/// The bit that marks a short EF identifier: P1 of READ BINARY, P2 of VERIFY and of
/// COMPUTE DIGITAL SIGNATURE (card-protocol §2).
pub const SFI_FLAG: u8 = 0x80;
/// P2 of VERIFY and of COMPUTE DIGITAL SIGNATURE naming the current EF: the credential or
/// key EF selected last (card-protocol §2, §7.1).
pub const P2_CURRENT_EF: u8 = SFI_FLAG;
/// P2 of COMPUTE DIGITAL SIGNATURE for the selected application's own card key, which
/// signs challenges without a credential (card-protocol §3.3, §8, §9.2).
pub const P2_CARD_KEY: u8 = 0x00;
/// P1 of COMPUTE DIGITAL SIGNATURE: the data is a DigestInfo the card pads with PKCS#1
/// v1.5 and signs; the only value MynaKit sends (card-protocol §7.1).
pub const SIGN_DIGEST_INFO: u8 = 0x00;
/// Largest offset READ BINARY can address in P1-P2 (15 bits, card-protocol §6).
pub const MAX_OFFSET: usize = 0x7FFF;
/// Ne of COMPUTE DIGITAL SIGNATURE: Le `00`, the 256-byte signature of an RSA-2048 key
/// (card-protocol §7.1).
pub const SIGNATURE_NE: usize = 256;

/// A short EF identifier: 1 to 30 (ISO 7816-4), the low five bits of the EF identifiers
/// `0001`–`001E` the card's applications use (card-protocol §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sfi(u8);

impl Sfi {
    /// The short EF identifier `value`, if it is one (1 to 30).
    pub fn new(value: u8) -> Option<Sfi> {
        (1..=30).contains(&value).then_some(Sfi(value))
    }

    /// The short EF identifier of the EF `fid`, when the identifier is one of `0001`–`001E`
    /// (other EFs have none and are addressed by SELECT EF).
    pub fn of_fid(fid: u16) -> Option<Sfi> {
        u8::try_from(fid).ok().and_then(Sfi::new)
    }

    /// The value, 1 to 30.
    pub fn value(self) -> u8 {
        self.0
    }

    /// The byte that names the EF in P1 or P2: `80 | SFI`.
    fn flagged(self) -> u8 {
        SFI_FLAG | self.0
    }
}

/// How a VERIFY or a COMPUTE DIGITAL SIGNATURE names its credential or key EF
/// (card-protocol §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EfRef {
    /// The current EF, made current by a SELECT EF before: P2 `80`.
    Current,
    /// The EF named by its short identifier in P2 (`80 | SFI`), no SELECT EF needed.
    Sfi(Sfi),
}

impl EfRef {
    fn p2(self) -> u8 {
        match self {
            EfRef::Current => P2_CURRENT_EF,
            EfRef::Sfi(sfi) => sfi.flagged(),
        }
    }
}

/// SELECT an application by AID, without FCI: `00 A4 04 0C Lc AID` (card-protocol §2, §3).
pub fn select_application(aid: &[u8]) -> Command {
    Command::new(CLA_ISO, ins::SELECT, SELECT_BY_NAME, SELECT_NO_FCI).with_data(aid.to_vec())
}

/// SELECT an EF of the selected application by identifier: `00 A4 02 0C 02 FID`
/// (card-protocol §2).
pub fn select_ef(fid: u16) -> Command {
    Command::new(CLA_ISO, ins::SELECT, SELECT_EF_IN_DF, SELECT_NO_FCI)
        .with_data(fid.to_be_bytes().to_vec())
}

/// READ BINARY of the current EF at `offset`, expecting `ne` bytes:
/// `00 B0 P1-P2 Le` with the 15-bit offset in P1-P2 (card-protocol §2, §6). The encoding
/// is short for `ne` up to 256 and extended above. `None` when `offset` exceeds
/// [`MAX_OFFSET`].
pub fn read_binary(offset: usize, ne: usize) -> Option<Command> {
    if offset > MAX_OFFSET {
        return None;
    }
    let [p1, p2] = u16::try_from(offset).ok()?.to_be_bytes();
    Some(Command::new(CLA_ISO, ins::READ_BINARY, p1, p2).with_le(ne))
}

/// READ BINARY of the EF named by its short identifier at an 8-bit `offset`:
/// `00 B0 80|SFI offset Le` (card-protocol §2, §6; the card's acceptance of this form is
/// not shown, §12, so the engine probes it).
pub fn read_binary_sfi(sfi: Sfi, offset: u8, ne: usize) -> Command {
    Command::new(CLA_ISO, ins::READ_BINARY, sfi.flagged(), offset).with_le(ne)
}

/// VERIFY without data: asks for the credential's retry counter without spending a try,
/// `00 20 00 80` (current EF) or `00 20 00 80|SFI` (card-protocol §2, §5.3).
pub fn retry_query(credential: EfRef) -> Command {
    Command::new(CLA_ISO, ins::VERIFY, 0x00, credential.p2())
}

/// VERIFY presenting an encoded credential value: `00 20 00 80 Lc value` (current EF) or
/// `00 20 00 80|SFI Lc value` (card-protocol §2, §5.3). The command is marked sensitive:
/// its data is zeroized on drop and never shown in logs or traces.
pub fn verify(credential: EfRef, value: &[u8]) -> Command {
    Command::new(CLA_ISO, ins::VERIFY, 0x00, credential.p2())
        .with_data(value.to_vec())
        .sensitive()
}

/// COMPUTE DIGITAL SIGNATURE over a DigestInfo with a JPKI key:
/// `80 2A 00 80 Lc DigestInfo 00` with the key EF selected, or `80 2A 00 80|SFI …` naming
/// the key in P2 (`97` auth key, `9A` sign key) (card-protocol §2, §7.1).
pub fn compute_digital_signature(key: EfRef, digest_info: Vec<u8>) -> Command {
    Command::new(
        CLA_PROPRIETARY,
        ins::COMPUTE_DIGITAL_SIGNATURE,
        SIGN_DIGEST_INFO,
        key.p2(),
    )
    .with_data(digest_info)
    .with_le(SIGNATURE_NE)
}

/// COMPUTE DIGITAL SIGNATURE with the selected application's own card key, which needs no
/// credential and proves the card is present: `80 2A 00 00 Lc DigestInfo 00`
/// (card-protocol §8, §9.2).
pub fn card_key_signature(digest_info: Vec<u8>) -> Command {
    Command::new(
        CLA_PROPRIETARY,
        ins::COMPUTE_DIGITAL_SIGNATURE,
        SIGN_DIGEST_INFO,
        P2_CARD_KEY,
    )
    .with_data(digest_info)
    .with_le(SIGNATURE_NE)
}

/// GET CHALLENGE for `ne` random bytes: `00 84 00 00 Le` (card-protocol §2; the card
/// refuses the extended form, §6).
pub fn get_challenge(ne: usize) -> Command {
    Command::new(CLA_ISO, ins::GET_CHALLENGE, 0x00, 0x00).with_le(ne)
}

/// GET RESPONSE for the `ne` bytes a `61xx` announced: `00 C0 00 00 Le` (card-protocol
/// §2).
pub fn get_response(ne: usize) -> Command {
    Command::new(CLA_ISO, ins::GET_RESPONSE, 0x00, 0x00).with_le(ne)
}

/// Whether a command with this CLA and INS carries a credential value in its data (VERIFY,
/// CHANGE REFERENCE DATA, RESET RETRY COUNTER, and CHANGE KEY of CLA `8x`), so logs and
/// traces must drop its data whatever the sender said (card-protocol §2, §5.5).
pub fn carries_secret(cla: u8, ins: u8) -> bool {
    matches!(
        ins,
        ins::VERIFY | ins::VERIFY_ODD | ins::CHANGE_REFERENCE_DATA | ins::RESET_RETRY_COUNTER
    ) || (cla & CLA_PROPRIETARY != 0 && ins == ins::CHANGE_KEY)
}

/// Whether a command may be sent again after `6Cxx` (wrong Le) without effect on the card:
/// SELECT, READ BINARY, READ RECORD, GET DATA and GET CHALLENGE; never VERIFY or a
/// signature (card-protocol §12.1: a command the card may have carried out is never sent
/// twice).
pub(crate) fn is_repeatable(ins: u8) -> bool {
    matches!(
        ins,
        ins::SELECT | ins::READ_BINARY | ins::READ_RECORD | ins::GET_DATA | ins::GET_CHALLENGE
    )
}

/// Whether the card works with a private key for this instruction, which is slow over NFC
/// (card-protocol §7.1: clients raise the timeout around a signature).
pub(crate) fn uses_private_key(ins: u8) -> bool {
    matches!(
        ins,
        ins::COMPUTE_DIGITAL_SIGNATURE | ins::INTERNAL_AUTHENTICATE
    )
}

#[cfg(test)]
mod tests {
    //! Expected bytes are written by hand from the command table of docs/card-protocol.md
    //! §2 (and §7.1, §8) and from exchanges of the traces in test-vectors/ (the trace and
    //! line are named), never produced by the builders.
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn short(c: &Command) -> Vec<u8> {
        c.encode(false).unwrap()
    }

    fn sfi(v: u8) -> Sfi {
        Sfi::new(v).unwrap()
    }

    /// A SHA-256 DigestInfo: the §7.1 prefix `3031300D060960864801650304020105000420`
    /// and 32 bytes of hash (here 32 × `AB`).
    fn digest_info() -> Vec<u8> {
        let mut di = hex("3031300D060960864801650304020105000420");
        di.extend_from_slice(&[0xAB; 32]);
        di
    }

    #[test]
    fn select_application_by_aid() {
        // §2 "SELECT DF by name: 00 A4 04 0C Lc AID"; §3.3 券面AP AID; the first exchange of
        // test-vectors/real-cards/jlis-test/traces/jlis-face-birth-key.trace.jsonl.
        let aid = hex("D3921000310001010402");
        assert_eq!(
            short(&select_application(&aid)),
            hex("00 A4 04 0C 0A D3921000310001010402")
        );
        // JPKI-AP, test-vectors/traces/auth-cert.trace.jsonl exchange 0.
        assert_eq!(
            short(&select_application(&hex("D392F000260100000001"))),
            hex("00A4040C0AD392F000260100000001")
        );
    }

    #[test]
    fn select_ef_by_identifier() {
        // §2 "SELECT EF: 00 A4 02 0C 02 FID"; the auth key EF 0017 as selected in
        // test-vectors/traces/compat/v1-demo.trace.jsonl ("00A4020C020017").
        assert_eq!(short(&select_ef(0x0017)), hex("00 A4 02 0C 02 00 17"));
        assert_eq!(short(&select_ef(0x001B)), hex("00A4020C02001B"));
    }

    #[test]
    fn read_binary_by_offset() {
        // §6: the offset is 15 bits in P1-P2, Le 00 = 256. jlis-face-birth-key exchanges 4
        // and 5: "00B0010000" (offset 256, Le 256) and "00B0020023" (offset 512, Le 35).
        assert_eq!(
            short(&read_binary(256, 256).unwrap()),
            hex("00 B0 01 00 00")
        );
        assert_eq!(short(&read_binary(512, 35).unwrap()), hex("00 B0 02 00 23"));
        assert_eq!(short(&read_binary(0, 4).unwrap()), hex("00 B0 00 00 04"));
        // The largest offset, 7FFF; one more cannot be addressed.
        assert_eq!(
            short(&read_binary(0x7FFF, 1).unwrap()),
            hex("00 B0 7F FF 01")
        );
        assert!(read_binary(0x8000, 1).is_none());
        // Extended Le (§6): 00 then two length bytes, 0000 = 65536.
        assert_eq!(
            read_binary(0, 1000).unwrap().encode(true).unwrap(),
            hex("00 B0 00 00 00 03 E8")
        );
    }

    #[test]
    fn read_binary_by_short_ef_identifier() {
        // §2 "READ BINARY, SFI form: 00 B0 (80|SFI) off Le". jlis-face-birth-key exchange 3:
        // "00B0810000" (EF 0001 by SFI, offset 0, Le 256); auth-cert.trace.jsonl:
        // "00B08A0000" (JPKI EF 000A).
        assert_eq!(
            short(&read_binary_sfi(sfi(1), 0, 256)),
            hex("00 B0 81 00 00")
        );
        assert_eq!(
            short(&read_binary_sfi(sfi(0x0A), 0, 256)),
            hex("00B08A0000")
        );
        // Le 17: the My Number EF 0001 of the text AP, "00B0810011" in
        // jlis-text.trace.jsonl; and an offset in P2 (0x10, Le 4).
        assert_eq!(short(&read_binary_sfi(sfi(1), 0, 17)), hex("00B0810011"));
        assert_eq!(
            short(&read_binary_sfi(sfi(1), 0x10, 4)),
            hex("00 B0 81 10 04")
        );
        // Extended Le 65536 (§6, jsapdu's whole-EF read; auth-cert-extended.trace.jsonl
        // "00B08A00000000").
        assert_eq!(
            read_binary_sfi(sfi(0x0A), 0, 65_536).encode(true).unwrap(),
            hex("00 B0 8A 00 00 00 00")
        );
    }

    #[test]
    fn retry_query_without_data() {
        // §2 / §5.3 "VERIFY with no data: 00 20 00 80".
        assert_eq!(short(&retry_query(EfRef::Current)), hex("00 20 00 80"));
        // §2 "VERIFY, SFI form: 00 20 00 (80|SFI), e.g. 98 = auth PIN EF 0018";
        // jlis-face-birth-key exchange 1: "00200091" (birth-date key EF 0011).
        assert_eq!(
            short(&retry_query(EfRef::Sfi(sfi(0x18)))),
            hex("00 20 00 98")
        );
        assert_eq!(short(&retry_query(EfRef::Sfi(sfi(0x11)))), hex("00200091"));
    }

    #[test]
    fn verify_with_a_value() {
        // §2 "VERIFY: 00 20 00 80 Lc PIN (ASCII)": PIN 1234 = 31 32 33 34.
        let v = verify(EfRef::Current, b"1234");
        assert!(v.sensitive);
        assert_eq!(short(&v), hex("00 20 00 80 04 31 32 33 34"));
        // By SFI, the auth PIN EF 0018: test-vectors/traces/sign-auth.trace.jsonl records
        // "0020009804" before the redacted value.
        assert_eq!(
            short(&verify(EfRef::Sfi(sfi(0x18)), b"1234")),
            hex("00 20 00 98 04 31 32 33 34")
        );
        // jlis-face-birth-key exchange 2: "0020009106" + 6 redacted bytes (550217).
        assert_eq!(
            short(&verify(EfRef::Sfi(sfi(0x11)), b"550217")),
            hex("00 20 00 91 06 35 35 30 32 31 37")
        );
        // The value never shows in a description.
        assert!(!v.describe().contains("31323334"));
    }

    #[test]
    fn compute_digital_signature_forms() {
        let di = digest_info();
        // §7.1 "80 2A 00 80 Lc <DigestInfo> 00" (key EF selected): Lc 0x33 = 51 bytes.
        let mut expect = hex("80 2A 00 80 33");
        expect.extend_from_slice(&di);
        expect.push(0x00);
        assert_eq!(
            short(&compute_digital_signature(EfRef::Current, di.clone())),
            expect
        );
        // §2 "…key named in P2: 80 2A P1 (80|SFI), 97 auth key, 9A sign key";
        // test-vectors/traces/sign-auth and sign-sign record "802A009733…", "802A009A33…".
        let mut expect = hex("80 2A 00 97 33");
        expect.extend_from_slice(&di);
        expect.push(0x00);
        assert_eq!(
            short(&compute_digital_signature(
                EfRef::Sfi(sfi(0x17)),
                di.clone()
            )),
            expect
        );
        let sign_key = short(&compute_digital_signature(EfRef::Sfi(sfi(0x1A)), di));
        assert_eq!(sign_key.get(..5), Some(&hex("80 2A 00 9A 33")[..]));
    }

    #[test]
    fn card_key_signature_bytes() {
        // §8 "80 2A 00 00 Lc DigestInfo(SHA-256(nonce)) 00"; the text-liveness trace of the
        // J-LIS test card (jlis-text-liveness.trace.jsonl, exchange 14) sends
        // "802A000033 3031300D…0420 <32 bytes> 00".
        let mut di = hex("3031300D060960864801650304020105000420");
        di.extend_from_slice(&hex(
            "7139AA1D6BB11B4318C870F01A3305073C84D5A4F91564E81EC5609DFE0E80CD",
        ));
        assert_eq!(
            short(&card_key_signature(di)),
            hex(
                "802A0000333031300D0609608648016503040201050004207139AA1D6BB11B4318C870F01A3305073C84D5A4F91564E81EC5609DFE0E80CD00"
            )
        );
    }

    #[test]
    fn get_challenge_and_get_response() {
        // §2 "GET CHALLENGE: 00 84 00 00 Le"; jlis-text-liveness exchange 13: "0084000010".
        assert_eq!(short(&get_challenge(16)), hex("00 84 00 00 10"));
        // §2 "GET RESPONSE: 00 C0 00 00 Le", Le 00 = 256.
        assert_eq!(short(&get_response(0x10)), hex("00 C0 00 00 10"));
        assert_eq!(short(&get_response(256)), hex("00 C0 00 00 00"));
    }

    #[test]
    fn short_ef_identifiers() {
        assert!(Sfi::new(0).is_none());
        assert!(Sfi::new(31).is_none());
        assert_eq!(Sfi::new(30).map(Sfi::value), Some(30));
        assert_eq!(Sfi::of_fid(0x000A).map(Sfi::value), Some(0x0A));
        assert_eq!(Sfi::of_fid(0x001E).map(Sfi::value), Some(0x1E));
        // EFs outside 0001–001E have no short identifier: 001F, 0100 (whose low five bits
        // would be 0), 2F01.
        assert!(Sfi::of_fid(0x001F).is_none());
        assert!(Sfi::of_fid(0x0100).is_none());
        assert!(Sfi::of_fid(0x2F01).is_none());
        assert!(Sfi::of_fid(0).is_none());
    }

    #[test]
    fn instruction_classes() {
        // Secret-carrying: VERIFY 20, CHANGE REFERENCE DATA 24, RESET RETRY COUNTER 2C,
        // CHANGE KEY 80 32 (§2, §5.5); not a signature, a read or a proprietary 32 of CLA 00.
        for (cla, ins) in [
            (0x00, 0x20),
            (0x00, 0x21),
            (0x00, 0x24),
            (0x00, 0x2C),
            (0x80, 0x32),
        ] {
            assert!(carries_secret(cla, ins), "{cla:02X} {ins:02X}");
        }
        for (cla, ins) in [(0x80, 0x2A), (0x00, 0xB0), (0x00, 0x32), (0x00, 0x84)] {
            assert!(!carries_secret(cla, ins), "{cla:02X} {ins:02X}");
        }
        // Re-issued after 6Cxx: A4 B0 B2 CA 84 only.
        for i in [0xA4, 0xB0, 0xB2, 0xCA, 0x84] {
            assert!(is_repeatable(i), "{i:02X}");
        }
        for i in [0x20, 0x2A, 0x88, 0xC0, 0x24] {
            assert!(!is_repeatable(i), "{i:02X}");
        }
        assert!(uses_private_key(0x2A) && uses_private_key(0x88));
        assert!(!uses_private_key(0x20) && !uses_private_key(0x84));
    }
}
