//! The fictional card holders of MynaKit's virtual card and their `profile.json`.
//!
//! Everything here is TEST MATERIAL: invented people, invented numbers.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{
    certs::{
        HolderAttributes, OID_HOLDER_ADDRESS, OID_HOLDER_ADDRESS_SUBST, OID_HOLDER_BIRTH,
        OID_HOLDER_NAME, OID_HOLDER_NAME_SUBST, OID_HOLDER_SEX,
    },
    error::{Error, Result},
};

/// Schema identifier written into every `profile.json`.
pub const PROFILE_FORMAT: &str = "mynakit-card-profile/1";

/// Description written into every `profile.json`.
pub const PROFILE_DESCRIPTION: &str = "TEST MATERIAL: fictional person on MynaKit's virtual card; \
     not a real person, not J-LIS issued.";

/// A calendar date (proleptic Gregorian, no time zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 1990.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
}

impl Date {
    /// Builds a date (validated by [`Date::check`] at generation time).
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        Self { year, month, day }
    }

    /// Rejects impossible dates.
    fn check(self) -> Result<()> {
        let y = self.year;
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if self.day == 0 || self.day > days {
            return Err(Error::Data(format!("invalid date {}", self.iso())));
        }
        Ok(())
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The Japanese era digit used in the certificate: 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
    pub fn era_digit(self) -> Result<u8> {
        // First day of each era.
        const ERAS: [(Date, u8); 5] = [
            (Date::new(2019, 5, 1), 5),
            (Date::new(1989, 1, 8), 4),
            (Date::new(1926, 12, 25), 3),
            (Date::new(1912, 7, 30), 2),
            (Date::new(1868, 10, 23), 1),
        ];
        ERAS.iter()
            .find(|(start, _)| self >= *start)
            .map(|&(_, digit)| digit)
            .ok_or_else(|| Error::Data(format!("date {} is before 明治", self.iso())))
    }

    /// `EYYYYMMDD`: era digit followed by the Gregorian date (SAN `.4` value).
    pub fn jpki_birth_date(self) -> Result<String> {
        Ok(format!(
            "{}{:04}{:02}{:02}",
            self.era_digit()?,
            self.year,
            self.month,
            self.day
        ))
    }
}

/// The fictional card holder (券面事項).
#[derive(Clone, Debug)]
pub struct Person {
    /// Name, surname and given name separated by U+3000.
    pub name: &'static str,
    /// Address as printed on the card.
    pub address: &'static str,
    /// Date of birth.
    pub birth_date: Date,
    /// `"1"` male, `"2"` female.
    pub sex: &'static str,
    /// 12-digit individual number with a valid check digit.
    pub my_number: &'static str,
    /// Card expiry date.
    pub card_expiry: Date,
    /// 4-digit security code (券面事項確認AP).
    pub security_code: &'static str,
}

/// The card's PINs and passwords.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// JPKI user-authentication PIN (4 digits).
    pub jpki_auth_pin: &'static str,
    /// JPKI signing password (6–16 characters); `None` when there is no signing cert.
    pub jpki_sign_password: Option<&'static str>,
    /// 券面事項入力補助 PIN (4 digits).
    pub text_pin: &'static str,
}

/// What the card's digital-signature certificate looks like, when it has one.
#[derive(Clone, Debug)]
pub struct SignSpec {
    /// Fixed certificate serial number.
    pub serial: u32,
    /// `L=` attributes of the subject, outermost first.
    pub localities: &'static [&'static str],
}

/// One virtual card.
#[derive(Clone, Debug)]
pub struct CardProfile {
    /// Folder name under `cards/`, also the key-derivation namespace.
    pub id: &'static str,
    /// PKCS#11 token label of the JPKI application.
    pub token_label: &'static str,
    /// The holder.
    pub person: Person,
    /// PINs and passwords.
    pub credentials: Credentials,
    /// Fixed serial number of the user-authentication certificate.
    pub auth_serial: u32,
    /// The digital-signature certificate, if issued (not for under-15s).
    pub sign: Option<SignSpec>,
}

/// All card profiles, in generation order.
pub fn all() -> Vec<CardProfile> {
    vec![
        CardProfile {
            id: "taro",
            token_label: "JPKIAPICCTOKEN2",
            person: Person {
                name: "見本\u{3000}太郎",
                address: "東京都千代田区見本町一丁目２番３号",
                birth_date: Date::new(1990, 1, 2),
                sex: "1",
                my_number: "123456789018",
                card_expiry: Date::new(2035, 1, 2),
                security_code: "5678",
            },
            credentials: Credentials {
                jpki_auth_pin: "1234",
                jpki_sign_password: Some("ABC123"),
                text_pin: "1234",
            },
            auth_serial: 0x0A01_0001,
            sign: Some(SignSpec {
                serial: 0x0101_0001,
                localities: &["Tokyo-to", "Chiyoda-ku"],
            }),
        },
        CardProfile {
            id: "hanako",
            token_label: "JPKIAPICCTOKEN2",
            person: Person {
                name: "見本\u{3000}花子",
                address: "大阪府大阪市北区見本町四丁目５番６号",
                birth_date: Date::new(2015, 4, 1),
                sex: "2",
                my_number: "987654321093",
                card_expiry: Date::new(2030, 4, 1),
                security_code: "9012",
            },
            credentials: Credentials {
                jpki_auth_pin: "4321",
                jpki_sign_password: None,
                text_pin: "4321",
            },
            auth_serial: 0x0A01_0002,
            sign: None,
        },
    ]
}

/// The My Number check digit of the first 11 digits (行政手続番号法施行規則 第5条).
pub fn my_number_check_digit(first_eleven: &str) -> Option<u32> {
    if first_eleven.len() != 11 {
        return None;
    }
    let mut sum = 0;
    // n counts from 1 at the rightmost digit; weight n+1 for n <= 6, n-5 above.
    for (n, c) in (1u32..).zip(first_eleven.chars().rev()) {
        let p = c.to_digit(10)?;
        let q = if n <= 6 { n + 1 } else { n - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    Some(if r <= 1 { 0 } else { 11 - r })
}

/// True when `number` is 12 digits with a correct check digit.
pub fn my_number_is_valid(number: &str) -> bool {
    match (
        number.get(..11),
        number.get(11..).and_then(|s| s.parse::<u32>().ok()),
    ) {
        (Some(head), Some(check)) if number.len() == 12 => {
            my_number_check_digit(head) == Some(check)
        }
        _ => false,
    }
}

/// `n` decimal digits derived from SHA-256 of a domain-separated label.
fn derived_digits(label: &str, n: usize) -> String {
    let digest = Sha256::digest(format!("mynakit-testgen/v1/{label}").as_bytes());
    digest
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .cycle()
        .take(n)
        .collect()
}

impl CardProfile {
    /// Checks the invented data for internal consistency.
    pub fn validate(&self) -> Result<()> {
        let p = &self.person;
        p.birth_date.check()?;
        p.card_expiry.check()?;
        if !my_number_is_valid(p.my_number) {
            return Err(Error::Data(format!(
                "{}: bad My Number check digit",
                self.id
            )));
        }
        if p.sex != "1" && p.sex != "2" {
            return Err(Error::Data(format!("{}: sex must be 1 or 2", self.id)));
        }
        if self.sign.is_some() != self.credentials.jpki_sign_password.is_some() {
            return Err(Error::Data(format!(
                "{}: signing password and signing certificate go together",
                self.id
            )));
        }
        Ok(())
    }

    /// Key-derivation label of the card's user-authentication key.
    pub fn auth_key_label(&self) -> String {
        format!("cards/{}/auth", self.id)
    }

    /// Key-derivation label of the card's digital-signature key.
    pub fn sign_key_label(&self) -> String {
        format!("cards/{}/sign", self.id)
    }

    /// 23-character opaque subject CN of the authentication certificate: `MKTEST` + 17 digits.
    pub fn auth_common_name(&self) -> String {
        format!(
            "MKTEST{}",
            derived_digits(&format!("auth-cn/{}", self.id), 17)
        )
    }

    /// 20-character serial-like subject CN of the signing certificate: `MKSIGN` + 14 digits.
    pub fn sign_common_name(&self) -> String {
        format!(
            "MKSIGN{}",
            derived_digits(&format!("sign-cn/{}", self.id), 14)
        )
    }

    /// The holder's attributes for the signing certificate's subjectAltName (.1–.6).
    pub fn holder_attributes(&self) -> Result<HolderAttributes> {
        let p = &self.person;
        Ok(vec![
            (OID_HOLDER_NAME, p.name.to_owned()),
            (OID_HOLDER_NAME_SUBST, "0".repeat(p.name.chars().count())),
            (OID_HOLDER_SEX, p.sex.to_owned()),
            (OID_HOLDER_BIRTH, p.birth_date.jpki_birth_date()?),
            (OID_HOLDER_ADDRESS, p.address.to_owned()),
            (
                OID_HOLDER_ADDRESS_SUBST,
                "0".repeat(p.address.chars().count()),
            ),
        ])
    }

    /// The pretty-printed `profile.json` (2-space indent, trailing newline).
    pub fn to_json(&self, auth_ca_path: &str, sign_ca_path: &str) -> Result<Vec<u8>> {
        let p = &self.person;
        let has_sign = self.sign.is_some();
        let doc = ProfileJson {
            format: PROFILE_FORMAT,
            id: self.id,
            test_material: true,
            description: PROFILE_DESCRIPTION,
            token_label: self.token_label,
            person: PersonJson {
                name: p.name,
                address: p.address,
                birth_date: p.birth_date.iso(),
                sex: p.sex,
                my_number: p.my_number,
                card_expiry: p.card_expiry.iso(),
                security_code: p.security_code,
            },
            credentials: CredentialsJson {
                jpki_auth_pin: self.credentials.jpki_auth_pin,
                jpki_sign_password: self.credentials.jpki_sign_password,
                text_pin: self.credentials.text_pin,
            },
            jpki: JpkiJson {
                auth_cert: AUTH_CERT_FILE,
                auth_key: AUTH_KEY_FILE,
                auth_ca_cert: auth_ca_path,
                sign_cert: has_sign.then_some(SIGN_CERT_FILE),
                sign_key: has_sign.then_some(SIGN_KEY_FILE),
                sign_ca_cert: sign_ca_path,
            },
        };
        let mut out = serde_json::to_vec_pretty(&doc)?;
        out.push(b'\n');
        Ok(out)
    }
}

/// File name of the authentication certificate inside a card folder.
pub const AUTH_CERT_FILE: &str = "auth-cert.der";
/// File name of the authentication private key inside a card folder.
pub const AUTH_KEY_FILE: &str = "auth-key.pk8";
/// File name of the signing certificate inside a card folder.
pub const SIGN_CERT_FILE: &str = "sign-cert.der";
/// File name of the signing private key inside a card folder.
pub const SIGN_KEY_FILE: &str = "sign-key.pk8";
/// File name of the profile description inside a card folder.
pub const PROFILE_FILE: &str = "profile.json";

/// `profile.json`, field order = serialisation order.
#[derive(Serialize)]
struct ProfileJson<'a> {
    format: &'a str,
    id: &'a str,
    test_material: bool,
    description: &'a str,
    token_label: &'a str,
    person: PersonJson<'a>,
    credentials: CredentialsJson<'a>,
    jpki: JpkiJson<'a>,
}

/// `profile.json` → `person`.
#[derive(Serialize)]
struct PersonJson<'a> {
    name: &'a str,
    address: &'a str,
    birth_date: String,
    sex: &'a str,
    my_number: &'a str,
    card_expiry: String,
    security_code: &'a str,
}

/// `profile.json` → `credentials`.
#[derive(Serialize)]
struct CredentialsJson<'a> {
    jpki_auth_pin: &'a str,
    jpki_sign_password: Option<&'a str>,
    text_pin: &'a str,
}

/// `profile.json` → `jpki` (paths relative to the profile's folder).
#[derive(Serialize)]
struct JpkiJson<'a> {
    auth_cert: &'a str,
    auth_key: &'a str,
    auth_ca_cert: &'a str,
    sign_cert: Option<&'a str>,
    sign_key: Option<&'a str>,
    sign_ca_cert: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_consistent() {
        for profile in all() {
            assert!(profile.validate().is_ok(), "{}", profile.id);
            assert_eq!(profile.auth_common_name().len(), 23);
            assert_eq!(profile.sign_common_name().len(), 20);
        }
    }

    #[test]
    fn my_number_check_digits() {
        assert!(my_number_is_valid("123456789018"));
        assert!(my_number_is_valid("987654321093"));
        assert!(!my_number_is_valid("123456789010"));
        assert!(!my_number_is_valid("12345678901"));
    }

    #[test]
    fn era_encoding() {
        let d = |y, m, day| Date::new(y, m, day).jpki_birth_date().ok();
        assert_eq!(d(1990, 1, 2).as_deref(), Some("419900102"));
        assert_eq!(d(1899, 12, 1).as_deref(), Some("118991201"));
        assert_eq!(d(1989, 1, 7).as_deref(), Some("319890107"));
        assert_eq!(d(1989, 1, 8).as_deref(), Some("419890108"));
        assert_eq!(d(2019, 5, 1).as_deref(), Some("520190501"));
        assert_eq!(d(2015, 4, 1).as_deref(), Some("420150401"));
    }

    #[test]
    fn taro_json_shape() -> Result<()> {
        let taro = all()
            .into_iter()
            .find(|p| p.id == "taro")
            .ok_or_else(|| Error::Data("no taro".into()))?;
        let json = String::from_utf8(taro.to_json("../a.der", "../b.der")?)
            .map_err(|e| Error::Data(e.to_string()))?;
        assert!(
            json.starts_with("{\n  \"format\": \"mynakit-card-profile/1\",\n  \"id\": \"taro\",")
        );
        assert!(json.contains("\"name\": \"見本\u{3000}太郎\""));
        assert!(json.ends_with("}\n"));
        Ok(())
    }
}
