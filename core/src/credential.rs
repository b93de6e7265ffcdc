//! Credentials (PINs, the signing password, 照合番号) and their local format checks.
//!
//! Every value is checked here before any APDU is sent, so a typo never costs the user a
//! try on the card (card-protocol notes §5.1). Values live in [`Secret`], which wipes its
//! memory on drop and never shows its content in `Debug` or `Display`.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::aid;
use crate::error::{Error, Result};
use crate::mynumber;

/// A PIN, password or 照合番号, wiped from memory when dropped.
///
/// Copies that the app made before handing the value to MynaKit (a Kotlin `String`, a
/// Swift `String`) are outside MynaKit's reach and cannot be wiped by it.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The value. Use only to hand it to the card.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in characters.
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted>)")
    }
}

/// Every credential the card knows, with the application and EF that hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Credential {
    /// 利用者証明用暗証番号: 4 digits, 3 tries; JPKI-AP EF `0018`.
    JpkiAuthPin,
    /// 署名用パスワード: 6–16 of `A–Z0–9` with a letter and a digit, 5 tries; JPKI-AP EF `001B`.
    JpkiSignPassword,
    /// 券面事項入力補助用暗証番号: 4 digits, 3 tries; 入力補助AP EF `0011`.
    TextPin,
    /// 照合番号A (the 12-digit My Number) for 入力補助AP EF `0014`.
    TextCodeA,
    /// 照合番号B (14 digits) for 入力補助AP EF `0015`.
    TextCodeB,
    /// 照合番号A (the 12-digit My Number) for 券面AP EF `0013`.
    FaceCodeA,
    /// 照合番号B (14 digits) for 券面AP EF `0012`.
    FaceCodeB,
    /// 生年月日 key (6 digits `YYMMDD`, Japanese-era year) for 券面AP EF `0011`.
    FaceBirthKey,
}

impl Credential {
    /// All credentials.
    pub const ALL: [Credential; 8] = [
        Credential::JpkiAuthPin,
        Credential::JpkiSignPassword,
        Credential::TextPin,
        Credential::TextCodeA,
        Credential::TextCodeB,
        Credential::FaceCodeA,
        Credential::FaceCodeB,
        Credential::FaceBirthKey,
    ];

    /// The application (AID) that holds the credential.
    pub fn aid(self) -> &'static [u8] {
        match self {
            Credential::JpkiAuthPin | Credential::JpkiSignPassword => aid::JPKI,
            Credential::TextPin | Credential::TextCodeA | Credential::TextCodeB => aid::TEXT,
            Credential::FaceCodeA | Credential::FaceCodeB | Credential::FaceBirthKey => aid::FACE,
        }
    }

    /// The EF identifier of the credential within its application (`00xx`); its low
    /// five bits are the short EF identifier used by VERIFY (P2 = `80 | SFI`).
    pub fn ef(self) -> u16 {
        match self {
            Credential::JpkiAuthPin => 0x0018,
            Credential::JpkiSignPassword => 0x001B,
            Credential::TextPin => 0x0011,
            Credential::TextCodeA => 0x0014,
            Credential::TextCodeB => 0x0015,
            Credential::FaceCodeA => 0x0013,
            Credential::FaceCodeB => 0x0012,
            Credential::FaceBirthKey => 0x0011,
        }
    }

    /// The short EF identifier (`0x01..=0x1E`).
    pub fn sfi(self) -> u8 {
        (self.ef() & 0x1F) as u8
    }

    /// The number of tries a fresh card allows, where the sources agree on it.
    pub fn documented_max_tries(self) -> Option<u8> {
        match self {
            Credential::JpkiAuthPin | Credential::TextPin => Some(3),
            Credential::JpkiSignPassword => Some(5),
            // 照合番号B: 10 (card-protocol §13 #15).
            Credential::TextCodeB | Credential::FaceCodeB => Some(10),
            // 照合番号A and the birth-date key: no source (card-protocol §13 #15).
            _ => None,
        }
    }

    /// A short machine-friendly name.
    pub fn id(self) -> &'static str {
        match self {
            Credential::JpkiAuthPin => "jpki_auth_pin",
            Credential::JpkiSignPassword => "jpki_sign_password",
            Credential::TextPin => "text_pin",
            Credential::TextCodeA => "text_code_a",
            Credential::TextCodeB => "text_code_b",
            Credential::FaceCodeA => "face_code_a",
            Credential::FaceCodeB => "face_code_b",
            Credential::FaceBirthKey => "face_birth_key",
        }
    }

    /// Checks the value's format and returns the exact bytes VERIFY must carry.
    ///
    /// The signing password is upper-cased first (the card compares bytes, and users are
    /// told it is case-insensitive). Nothing about the value appears in the error.
    pub fn encode(self, value: &Secret) -> Result<Zeroizing<Vec<u8>>> {
        let v = value.expose();
        let fail = |reason: &str| Error::InvalidCredentialFormat {
            credential: self,
            reason: reason.to_string(),
        };
        let digits = |n: usize, what: &str| -> Result<()> {
            if v.len() != n || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail(&format!("{what} must be exactly {n} digits 0-9")));
            }
            Ok(())
        };
        match self {
            Credential::JpkiAuthPin | Credential::TextPin => digits(4, "the PIN")?,
            Credential::JpkiSignPassword => {
                let upper: Zeroizing<String> = Zeroizing::new(v.to_ascii_uppercase());
                let n = upper.chars().count();
                if !(6..=16).contains(&n) {
                    return Err(fail("the signing password must have 6 to 16 characters"));
                }
                if !upper
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                {
                    return Err(fail(
                        "the signing password may contain only letters A-Z and digits 0-9",
                    ));
                }
                if !upper.bytes().any(|b| b.is_ascii_uppercase())
                    || !upper.bytes().any(|b| b.is_ascii_digit())
                {
                    return Err(fail(
                        "the signing password must contain at least one letter and one digit",
                    ));
                }
                return Ok(Zeroizing::new(upper.as_bytes().to_vec()));
            }
            Credential::TextCodeA | Credential::FaceCodeA => {
                digits(12, "照合番号A (the My Number)")?;
                if !mynumber::is_valid(v) {
                    return Err(fail(
                        "照合番号A is not a valid My Number (check digit mismatch)",
                    ));
                }
            }
            Credential::TextCodeB | Credential::FaceCodeB => {
                digits(14, "照合番号B")?;
                check_birth_key(v.get(..6).unwrap_or_default()).map_err(|r| fail(&r))?;
                let year: u32 = v.get(6..10).and_then(|s| s.parse().ok()).unwrap_or(0);
                if !(2015..=2100).contains(&year) {
                    return Err(fail(
                        "照合番号B digits 7-10 must be the card's expiry year (2015-2100)",
                    ));
                }
            }
            Credential::FaceBirthKey => {
                digits(6, "the birth-date key")?;
                check_birth_key(v).map_err(|r| fail(&r))?;
            }
        }
        Ok(Zeroizing::new(v.as_bytes().to_vec()))
    }
}

fn check_birth_key(yymmdd: &str) -> std::result::Result<(), String> {
    let month: u32 = yymmdd.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let day: u32 = yymmdd.get(4..6).and_then(|s| s.parse().ok()).unwrap_or(0);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(
            "the birth date (YYMMDD, Japanese-era year) has an impossible month or day".into(),
        );
    }
    Ok(())
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Credential::JpkiAuthPin => "JPKI user-authentication PIN (利用者証明用暗証番号)",
            Credential::JpkiSignPassword => "JPKI signing password (署名用パスワード)",
            Credential::TextPin => "card-info input-assist PIN (券面事項入力補助用暗証番号)",
            Credential::TextCodeA => "照合番号A for the input-assist AP",
            Credential::TextCodeB => "照合番号B for the input-assist AP",
            Credential::FaceCodeA => "照合番号A for the card-face AP",
            Credential::FaceCodeB => "照合番号B for the card-face AP",
            Credential::FaceBirthKey => "birth-date key for the card-face AP",
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn documented_retry_limits_follow_the_notes() {
        // card-protocol §5.1 (3 / 5) and §13 #15 (照合番号B 10; A and the birth key unknown).
        assert_eq!(Credential::JpkiAuthPin.documented_max_tries(), Some(3));
        assert_eq!(Credential::JpkiSignPassword.documented_max_tries(), Some(5));
        assert_eq!(Credential::TextPin.documented_max_tries(), Some(3));
        assert_eq!(Credential::TextCodeB.documented_max_tries(), Some(10));
        assert_eq!(Credential::FaceCodeB.documented_max_tries(), Some(10));
        assert_eq!(Credential::TextCodeA.documented_max_tries(), None);
        assert_eq!(Credential::FaceBirthKey.documented_max_tries(), None);
    }

    use super::*;

    fn ok(c: Credential, v: &str) -> Option<Vec<u8>> {
        c.encode(&Secret::new(v)).ok().map(|z| z.to_vec())
    }

    #[test]
    fn four_digit_pins() {
        for c in [Credential::JpkiAuthPin, Credential::TextPin] {
            assert_eq!(ok(c, "0123"), Some(b"0123".to_vec()));
            for bad in ["", "123", "12345", "12a4", "１２３４", " 123"] {
                assert!(ok(c, bad).is_none(), "{bad:?} accepted for {c:?}");
            }
        }
    }

    #[test]
    fn sign_password_rules() {
        let c = Credential::JpkiSignPassword;
        assert_eq!(ok(c, "abc123"), Some(b"ABC123".to_vec()));
        assert_eq!(
            ok(c, "A1B2C3D4E5F6G7H8"),
            Some(b"A1B2C3D4E5F6G7H8".to_vec())
        );
        for bad in [
            "ABC12",
            "A1B2C3D4E5F6G7H8I",
            "ABCDEF",
            "123456",
            "ABC-123",
            "ÀBC123",
        ] {
            assert!(ok(c, bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn code_a_checks_the_check_digit() {
        assert!(ok(Credential::TextCodeA, "123456789018").is_some());
        assert!(ok(Credential::TextCodeA, "123456789017").is_none());
        assert!(ok(Credential::FaceCodeA, "12345678901").is_none());
    }

    #[test]
    fn code_b_and_birth_key() {
        // soltia's published example: 昭和55-02-17, expiry 2035, code 2285.
        assert!(ok(Credential::TextCodeB, "55021720352285").is_some());
        assert!(ok(Credential::FaceCodeB, "55131720352285").is_none()); // month 13
        assert!(ok(Credential::FaceCodeB, "55021719992285").is_none()); // expiry 1999
        assert!(ok(Credential::FaceCodeB, "5502172035228").is_none());
        assert!(ok(Credential::FaceBirthKey, "550217").is_some());
        assert!(ok(Credential::FaceBirthKey, "550200").is_none());
    }

    #[test]
    fn errors_never_contain_the_value() {
        let e = Credential::JpkiSignPassword.encode(&Secret::new("zzzzzzzzz9-"));
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!msg.to_lowercase().contains("zzzz"));
        assert!(msg.contains("no APDU was sent"));
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(format!("{:?}", Secret::new("1234")), "Secret(<redacted>)");
    }
}
