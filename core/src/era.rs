//! Japanese eras and dates, and the credentials built from them: 照合番号B and the
//! birth-date key (card-protocol §5.2).

use serde::Serialize;

use crate::credential::Secret;
use crate::error::{Error, Result};

/// A Japanese era, as the first digit of the certificate's birth date encodes it.
/// The digit mapping is inferred from public examples (card-protocol §10.2 \[U\]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// 明治 (1).
    Meiji,
    /// 大正 (2).
    Taisho,
    /// 昭和 (3).
    Showa,
    /// 平成 (4).
    Heisei,
    /// 令和 (5).
    Reiwa,
}

impl Era {
    /// The era for a certificate's era digit (`1` 明治 … `5` 令和).
    pub fn from_digit(d: u8) -> Option<Era> {
        match d {
            b'1' => Some(Era::Meiji),
            b'2' => Some(Era::Taisho),
            b'3' => Some(Era::Showa),
            b'4' => Some(Era::Heisei),
            b'5' => Some(Era::Reiwa),
            _ => None,
        }
    }

    /// The era's name in Japanese.
    pub fn japanese(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }
}

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Date {
    /// Gregorian year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// Parses `YYYYMMDD`, checking the day exists.
    pub fn parse_yyyymmdd(s: &str) -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: u16 = s.get(0..4)?.parse().ok()?;
        let month: u8 = s.get(4..6)?.parse().ok()?;
        let day: u8 = s.get(6..8)?.parse().ok()?;
        let d = Date { year, month, day };
        d.is_valid().then_some(d)
    }

    fn is_valid(&self) -> bool {
        let leap = (self.year.is_multiple_of(4) && !self.year.is_multiple_of(100))
            || self.year.is_multiple_of(400);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// First days of the eras (Gregorian), newest last.
const ERA_STARTS: [(Era, Date); 5] = [
    (
        Era::Meiji,
        Date {
            year: 1868,
            month: 1,
            day: 25,
        },
    ),
    (
        Era::Taisho,
        Date {
            year: 1912,
            month: 7,
            day: 30,
        },
    ),
    (
        Era::Showa,
        Date {
            year: 1926,
            month: 12,
            day: 25,
        },
    ),
    (
        Era::Heisei,
        Date {
            year: 1989,
            month: 1,
            day: 8,
        },
    ),
    (
        Era::Reiwa,
        Date {
            year: 2019,
            month: 5,
            day: 1,
        },
    ),
];

/// The era and the year within it (元年 = 1) of a Gregorian date, or `None` before 明治.
pub fn era_year(date: Date) -> Option<(Era, u16)> {
    ERA_STARTS
        .iter()
        .rev()
        .find(|(_, start)| date >= *start)
        .map(|(era, start)| (*era, date.year - start.year + 1))
}

/// The six-digit birth-date key: Japanese-era year, month, day (`YYMMDD`).
pub fn birth_date_key(birth: Date) -> Result<Secret> {
    if !birth.is_valid() {
        return Err(Error::InvalidArgument(format!(
            "{birth} is not a calendar date"
        )));
    }
    let (_, y) = era_year(birth).ok_or_else(|| {
        Error::InvalidArgument(format!("{birth} is before the first supported era (明治)"))
    })?;
    if y > 99 {
        return Err(Error::InvalidArgument(format!(
            "era year {y} has more than two digits"
        )));
    }
    Ok(Secret::new(format!(
        "{y:02}{:02}{:02}",
        birth.month, birth.day
    )))
}

/// 照合番号B: the birth-date key, the card's expiry year (Gregorian, 4 digits) and the
/// 4-digit security code printed on the card face (card-protocol §5.2, 14 digits).
pub fn code_b(birth: Date, expiry_year: u16, security_code: &Secret) -> Result<Secret> {
    let code = security_code.expose();
    if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidArgument(
            "the security code must be 4 digits".into(),
        ));
    }
    if !(2015..=2100).contains(&expiry_year) {
        return Err(Error::InvalidArgument(format!(
            "expiry year {expiry_year} is not plausible"
        )));
    }
    let key = birth_date_key(birth)?;
    Ok(Secret::new(format!(
        "{}{expiry_year:04}{code}",
        key.expose()
    )))
}

/// Age in whole years on `today` (Japanese law counts the day before the birthday; for an
/// age threshold on a given date this is the usual calendar count).
pub fn age_on(birth: Date, today: Date) -> Option<u16> {
    let mut age = today.year.checked_sub(birth.year)?;
    if (today.month, today.day) < (birth.month, birth.day) {
        age = age.checked_sub(1)?;
    }
    Some(age)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    #[test]
    fn era_boundaries() {
        assert_eq!(era_year(d(1989, 1, 7)), Some((Era::Showa, 64)));
        assert_eq!(era_year(d(1989, 1, 8)), Some((Era::Heisei, 1)));
        assert_eq!(era_year(d(2019, 4, 30)), Some((Era::Heisei, 31)));
        assert_eq!(era_year(d(2019, 5, 1)), Some((Era::Reiwa, 1)));
        assert_eq!(era_year(d(1926, 12, 24)), Some((Era::Taisho, 15)));
        assert_eq!(era_year(d(1868, 1, 24)), None);
    }

    #[test]
    fn code_b_matches_the_published_example() {
        // soltia's card: born 1980-02-17 (昭和55), expiry 2035, code 2285.
        let b = code_b(d(1980, 2, 17), 2035, &Secret::new("2285")).ok();
        assert_eq!(b.as_ref().map(Secret::expose), Some("55021720352285"));
        let k = birth_date_key(d(1980, 2, 17)).ok();
        assert_eq!(k.as_ref().map(Secret::expose), Some("550217"));
        // The virtual card's people (computed by hand).
        let taro = code_b(d(1990, 1, 2), 2035, &Secret::new("5678")).ok();
        assert_eq!(taro.as_ref().map(Secret::expose), Some("02010220355678"));
        let hanako = code_b(d(2015, 4, 1), 2030, &Secret::new("9012")).ok();
        assert_eq!(hanako.as_ref().map(Secret::expose), Some("27040120309012"));
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(d(2008, 4, 2), d(2026, 4, 1)), Some(17));
        assert_eq!(age_on(d(2008, 4, 2), d(2026, 4, 2)), Some(18));
        assert_eq!(age_on(d(2008, 4, 2), d(2007, 1, 1)), None);
    }

    #[test]
    fn code_b_refuses_bad_parts() {
        assert!(birth_date_key(d(1990, 13, 2)).is_err());
        assert!(birth_date_key(d(1990, 2, 30)).is_err());
        assert!(code_b(d(1980, 2, 17), 2035, &Secret::new("228")).is_err());
        assert!(code_b(d(1980, 2, 17), 1999, &Secret::new("2285")).is_err());
        assert!(code_b(d(1800, 1, 1), 2035, &Secret::new("2285")).is_err());
    }
}
