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
    face_ap, text_ap,
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

    /// `YYYYMMDD` (Gregorian), as stored in the 券面 APs.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// The Japanese era of this date as (era digit, first year of the era): era digit 1
    /// 明治 (from 1868-01-25), 2 大正 (1912-07-30), 3 昭和 (1926-12-25), 4 平成
    /// (1989-01-08), 5 令和 (2019-05-01).
    fn era(self) -> Result<(u8, u16)> {
        // First day of each era, newest first.
        const ERAS: [(Date, u8); 5] = [
            (Date::new(2019, 5, 1), 5),
            (Date::new(1989, 1, 8), 4),
            (Date::new(1926, 12, 25), 3),
            (Date::new(1912, 7, 30), 2),
            (Date::new(1868, 1, 25), 1),
        ];
        ERAS.iter()
            .find(|(start, _)| self >= *start)
            .map(|&(start, digit)| (digit, start.year))
            .ok_or_else(|| Error::Data(format!("date {} is before 明治", self.iso())))
    }

    /// The Japanese era digit used in the certificate: 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
    pub fn era_digit(self) -> Result<u8> {
        Ok(self.era()?.0)
    }

    /// The year within its era (元年 = 1): Gregorian year − era's first year + 1.
    pub fn era_year(self) -> Result<u16> {
        let (_, first_year) = self.era()?;
        Ok(self.year - first_year + 1)
    }

    /// `YYMMDD` with the two-digit Japanese-era year: the 券面AP 生年月日 key and the first
    /// six digits of 照合番号B (card-protocol.md §5.2).
    pub fn era_yymmdd(self) -> Result<String> {
        Ok(format!(
            "{:02}{:02}{:02}",
            self.era_year()?,
            self.month,
            self.day
        ))
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
    /// 5-digit municipality code of the issuing 市区町村 (券面AP EF `0003` `DF34`).
    pub municipality_code: &'static str,
    /// Which synthetic face photo the card carries (shading variant).
    pub photo_variant: u8,
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
            // 東京都千代田区.
            municipality_code: "13101",
            photo_variant: 0,
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
            // 大阪府大阪市北区.
            municipality_code: "27127",
            photo_variant: 1,
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
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(p.security_code, 4) {
            return Err(Error::Data(format!(
                "{}: security code must be 4 digits",
                self.id
            )));
        }
        if !digits(self.municipality_code, 5) {
            return Err(Error::Data(format!(
                "{}: municipality code must be 5 digits",
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

    /// Key-derivation label of the text AP's internal-authentication key.
    pub fn text_internal_auth_key_label(&self) -> String {
        format!("cards/{}/text-internal-auth", self.id)
    }

    /// Key-derivation label of the face AP's card key.
    pub fn face_card_key_label(&self) -> String {
        format!("cards/{}/face-card-key", self.id)
    }

    /// 照合番号B (14 digits): birth date `YYMMDD` with the Japanese-era year ‖ card-expiry
    /// year `YYYY` ‖ 4-digit security code (card-protocol.md §5.2).
    pub fn collation_number_b(&self) -> Result<String> {
        let p = &self.person;
        Ok(format!(
            "{}{:04}{}",
            p.birth_date.era_yymmdd()?,
            p.card_expiry.year,
            p.security_code
        ))
    }

    /// The 券面AP 生年月日 key: the first 6 digits of 照合番号B.
    pub fn birth_date_key(&self) -> Result<String> {
        self.person.birth_date.era_yymmdd()
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
            text: TextJson {
                ef0001: format!("{}/{}", text_ap::DIR, text_ap::EF0001),
                ef0002: format!("{}/{}", text_ap::DIR, text_ap::EF0002),
                ef0003: format!("{}/{}", text_ap::DIR, text_ap::EF0003),
                ef0004: format!("{}/{}", text_ap::DIR, text_ap::EF0004),
                ef0005: format!("{}/{}", text_ap::DIR, text_ap::EF0005),
                ef0007: format!("{}/{}", text_ap::DIR, text_ap::EF0007),
                internal_auth_key: format!("{}/{}", text_ap::DIR, text_ap::INTERNAL_AUTH_KEY),
            },
            face: FaceJson {
                ef0001: format!("{}/{}", face_ap::DIR, face_ap::EF0001),
                ef0002: format!("{}/{}", face_ap::DIR, face_ap::EF0002),
                ef0003: format!("{}/{}", face_ap::DIR, face_ap::EF0003),
                ef0004: format!("{}/{}", face_ap::DIR, face_ap::EF0004),
                ef0005: format!("{}/{}", face_ap::DIR, face_ap::EF0005),
                card_key: format!("{}/{}", face_ap::DIR, face_ap::CARD_KEY),
                photo_pgm: format!("{}/{}", face_ap::DIR, face_ap::PHOTO_PGM),
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
    text: TextJson,
    face: FaceJson,
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

/// `profile.json` → `text` (券面事項入力補助AP files, relative to the profile's folder).
#[derive(Serialize)]
struct TextJson {
    ef0001: String,
    ef0002: String,
    ef0003: String,
    ef0004: String,
    ef0005: String,
    ef0007: String,
    internal_auth_key: String,
}

/// `profile.json` → `face` (券面AP files, relative to the profile's folder).
#[derive(Serialize)]
struct FaceJson {
    ef0001: String,
    ef0002: String,
    ef0003: String,
    ef0004: String,
    ef0005: String,
    card_key: String,
    photo_pgm: String,
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
        // 明治 starts 1868-01-25 (same table as 照合番号B).
        assert_eq!(d(1868, 1, 25).as_deref(), Some("118680125"));
        assert!(d(1868, 1, 24).is_none());
    }

    #[test]
    fn era_years() {
        let y = |y, m, day| Date::new(y, m, day).era_yymmdd().ok();
        assert_eq!(y(1868, 1, 25).as_deref(), Some("010125"));
        assert_eq!(y(1912, 7, 29).as_deref(), Some("450729"));
        assert_eq!(y(1912, 7, 30).as_deref(), Some("010730"));
        assert_eq!(y(1926, 12, 24).as_deref(), Some("151224"));
        assert_eq!(y(1926, 12, 25).as_deref(), Some("011225"));
        assert_eq!(y(1980, 2, 17).as_deref(), Some("550217"));
        assert_eq!(y(1989, 1, 7).as_deref(), Some("640107"));
        assert_eq!(y(1989, 1, 8).as_deref(), Some("010108"));
        assert_eq!(y(2019, 4, 30).as_deref(), Some("310430"));
        assert_eq!(y(2019, 5, 1).as_deref(), Some("010501"));
        assert_eq!(y(2026, 1, 1).as_deref(), Some("080101"));
        assert!(y(1868, 1, 24).is_none());
    }

    #[test]
    fn collation_number_b_values() -> Result<()> {
        let by_id = |id: &str| {
            all()
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| Error::Data(format!("no {id}")))
        };
        let taro = by_id("taro")?;
        let hanako = by_id("hanako")?;
        assert_eq!(taro.collation_number_b()?, "02010220355678");
        assert_eq!(hanako.collation_number_b()?, "27040120309012");
        assert_eq!(taro.birth_date_key()?, "020102");
        assert_eq!(hanako.birth_date_key()?, "270401");
        Ok(())
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
        // The two optional sections come last, in this order.
        let jpki = json.find("\"jpki\": {").unwrap_or(usize::MAX);
        let text = json.find("\"text\": {").unwrap_or(0);
        let face = json.find("\"face\": {").unwrap_or(0);
        assert!(jpki < text && text < face);
        assert!(json.contains("\"internal_auth_key\": \"text/internal-auth-key.pk8\""));
        assert!(json.contains("\"photo_pgm\": \"face/photo.pgm\"\n  }\n}\n"));
        Ok(())
    }
}
