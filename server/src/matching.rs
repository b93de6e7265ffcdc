//! Japanese text matching of the four attributes (基本4情報) across sources: the text AP,
//! the signing certificate's subjectAltName, and what the user typed.
//!
//! - Width and spaces: full-width ASCII → ASCII, half-width katakana → full-width (with
//!   voiced marks joined), U+3000 and other spaces → one ASCII space; names and addresses
//!   are then compared without spaces, and the report says when that was needed.
//! - Dates: `YYYYMMDD` (text AP), `EYYYYMMDD` (certificate, era digit + Gregorian,
//!   card-protocol §10.2), `YYYY-MM-DD`, `YYYY/M/D`, `YYYY年M月D日`, and Japanese-era forms
//!   (`平成2年1月2日`, `H2.1.2`, `令和元年5月1日`); an era date must fall inside its era.
//! - 代替文字: a certificate's name/address may hold substitute characters where the 住民票
//!   character is outside JIS X 0208/0212 (§10.2). When its substitute-information field
//!   (`.2` / `.6`) is present and not all `0`, a difference is reported as *cannot
//!   compare*, never as a mismatch. (The field's exact semantics are unverified, §10.2 \[U\]:
//!   all-`0` is read as "no substitution".)

use mynakit::cert::CertAttributes;
use mynakit::era::{Date, Era, era_year};
use mynakit::text::TextAttributes;
use serde::Serialize;

/// Where a set of attributes comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 券面事項入力補助AP.
    TextAp,
    /// The JPKI signing certificate's subjectAltName.
    SigningCertificate,
    /// Typed by the user.
    UserInput,
}

/// The four attributes from one source (any may be missing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attributes {
    /// Where they come from.
    pub source: Source,
    /// Name.
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Birth date in any accepted form.
    pub birth_date: Option<String>,
    /// Sex (`1`/`2`/`9`/`0`, 男/女, male/female).
    pub sex: Option<String>,
    /// The certificate's name substitute-character information.
    pub name_substitute: Option<String>,
    /// The certificate's address substitute-character information.
    pub address_substitute: Option<String>,
}

impl Attributes {
    /// From the text AP.
    pub fn from_text(a: &TextAttributes) -> Self {
        Attributes {
            source: Source::TextAp,
            name: Some(a.name.clone()),
            address: Some(a.address.clone()),
            birth_date: Some(a.birth_date_raw.clone()),
            sex: Some(a.sex_code.clone()),
            name_substitute: None,
            address_substitute: None,
        }
    }

    /// From a signing certificate.
    pub fn from_certificate(a: &CertAttributes) -> Self {
        Attributes {
            source: Source::SigningCertificate,
            name: a.name.clone(),
            address: a.address.clone(),
            birth_date: a.birth_date.as_ref().map(|b| b.raw.clone()),
            sex: a.sex_code.clone(),
            name_substitute: a.name_substitute.clone(),
            address_substitute: a.address_substitute.clone(),
        }
    }

    /// What the user typed.
    pub fn typed(name: &str, address: &str, birth_date: &str, sex: &str) -> Self {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        Attributes {
            source: Source::UserInput,
            name: opt(name),
            address: opt(address),
            birth_date: opt(birth_date),
            sex: opt(sex),
            name_substitute: None,
            address_substitute: None,
        }
    }
}

/// The result for one attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum MatchOutcome {
    /// Equal (`how` says after which normalisation).
    Match {
        /// `exact`, `width/space normalised`, `same date`, ….
        how: String,
    },
    /// Different.
    Mismatch {
        /// Why.
        reason: String,
    },
    /// Cannot be decided from these values (missing, 代替文字, unreadable date).
    CannotCompare {
        /// Why.
        reason: String,
    },
}

/// One attribute compared between two sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttributeMatch {
    /// `name`, `address`, `birth_date`, `sex`.
    pub attribute: &'static str,
    /// The two sources.
    pub sources: (Source, Source),
    /// The outcome.
    pub outcome: MatchOutcome,
}

/// All four attributes compared between two sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchReport {
    /// One entry per attribute.
    pub attributes: Vec<AttributeMatch>,
}

impl MatchReport {
    /// True when every attribute matched.
    pub fn all_match(&self) -> bool {
        self.attributes
            .iter()
            .all(|a| matches!(a.outcome, MatchOutcome::Match { .. }))
    }

    /// True when some attribute is a definite mismatch.
    pub fn any_mismatch(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a.outcome, MatchOutcome::Mismatch { .. }))
    }

    /// The outcome for one attribute.
    pub fn outcome(&self, attribute: &str) -> Option<&MatchOutcome> {
        self.attributes
            .iter()
            .find(|a| a.attribute == attribute)
            .map(|a| &a.outcome)
    }
}

/// Compares the four attributes of two sources.
pub fn compare(a: &Attributes, b: &Attributes) -> MatchReport {
    let subst = |x: &Attributes, name: bool| {
        let f = if name {
            &x.name_substitute
        } else {
            &x.address_substitute
        };
        f.as_deref().is_some_and(has_substitutes)
    };
    let attributes = vec![
        AttributeMatch {
            attribute: "name",
            sources: (a.source, b.source),
            outcome: text_match(
                a.name.as_deref(),
                b.name.as_deref(),
                subst(a, true) || subst(b, true),
            ),
        },
        AttributeMatch {
            attribute: "address",
            sources: (a.source, b.source),
            outcome: text_match(
                a.address.as_deref(),
                b.address.as_deref(),
                subst(a, false) || subst(b, false),
            ),
        },
        AttributeMatch {
            attribute: "birth_date",
            sources: (a.source, b.source),
            outcome: date_match(a.birth_date.as_deref(), b.birth_date.as_deref()),
        },
        AttributeMatch {
            attribute: "sex",
            sources: (a.source, b.source),
            outcome: sex_match(a.sex.as_deref(), b.sex.as_deref()),
        },
    ];
    MatchReport { attributes }
}

/// Whether a substitute-information field says that characters were replaced.
fn has_substitutes(field: &str) -> bool {
    field.chars().any(|c| c != '0' && !c.is_whitespace())
}

/// Half-width katakana U+FF66..=U+FF9D → full-width (voiced marks handled separately).
const HALF_KANA: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Width and space normalisation (see the module documentation).
pub fn normalize(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let u = u32::from(c);
        let mapped = match u {
            0x3000 | 0x00A0 | 0x2002..=0x200B => ' ',
            0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c),
            0x2010..=0x2015 | 0x2212 => '-',
            0xFF61 => '。',
            0xFF62 => '「',
            0xFF63 => '」',
            0xFF64 => '、',
            0xFF65 => '・',
            0xFF66..=0xFF9D => HALF_KANA
                .chars()
                .nth(usize::try_from(u - 0xFF66).unwrap_or(usize::MAX))
                .unwrap_or(c),
            0xFF9E | 0xFF9F => {
                // Join a half-width (semi-)voiced mark with the kana before it.
                let voiced = u == 0xFF9E;
                if let Some(prev) = out.pop() {
                    out.push(join_mark(prev, voiced));
                }
                continue;
            }
            _ if c.is_whitespace() => ' ',
            _ => c,
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out.into_iter().collect()
}

/// カ + ゛ → ガ, ハ + ゜ → パ, ウ + ゛ → ヴ (the voiced form is the next code point).
fn join_mark(prev: char, voiced: bool) -> char {
    let u = u32::from(prev);
    let next = |d: u32| char::from_u32(u + d).unwrap_or(prev);
    match (u, voiced) {
        (0x30A6, true) => 'ヴ',
        (0x30AB..=0x30C2, true) if (u - 0x30AB) % 2 == 0 => next(1),
        (0x30C4..=0x30C8, true) if (u - 0x30C4) % 2 == 0 => next(1),
        (0x30CF..=0x30DB, true) if (u - 0x30CF) % 3 == 0 => next(1),
        (0x30CF..=0x30DB, false) if (u - 0x30CF) % 3 == 0 => next(2),
        _ => prev,
    }
}

fn text_match(a: Option<&str>, b: Option<&str>, substitutes: bool) -> MatchOutcome {
    let (Some(a), Some(b)) = (a, b) else {
        return MatchOutcome::CannotCompare {
            reason: "missing in one source".into(),
        };
    };
    if a == b {
        return MatchOutcome::Match {
            how: "exact".into(),
        };
    }
    let (na, nb) = (normalize(a), normalize(b));
    if na == nb {
        return MatchOutcome::Match {
            how: "after width and space normalisation".into(),
        };
    }
    let strip = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
    if strip(&na) == strip(&nb) {
        return MatchOutcome::Match {
            how: "after width normalisation, ignoring spaces".into(),
        };
    }
    if substitutes {
        return MatchOutcome::CannotCompare {
            reason: "the certificate marks 代替文字 (substitute characters) in this field".into(),
        };
    }
    MatchOutcome::Mismatch {
        reason: format!("{na:?} ≠ {nb:?} after normalisation"),
    }
}

fn era_from_name(s: &str) -> Option<(Era, &str)> {
    const NAMES: [(&str, Era); 10] = [
        ("明治", Era::Meiji),
        ("大正", Era::Taisho),
        ("昭和", Era::Showa),
        ("平成", Era::Heisei),
        ("令和", Era::Reiwa),
        ("M", Era::Meiji),
        ("T", Era::Taisho),
        ("S", Era::Showa),
        ("H", Era::Heisei),
        ("R", Era::Reiwa),
    ];
    NAMES
        .iter()
        .find_map(|(n, e)| s.strip_prefix(n).map(|rest| (*e, rest)))
}

fn era_first_year(e: Era) -> u16 {
    match e {
        Era::Meiji => 1868,
        Era::Taisho => 1912,
        Era::Showa => 1926,
        Era::Heisei => 1989,
        Era::Reiwa => 2019,
    }
}

/// Parses a birth date in the forms the module documentation lists.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let n = normalize(s).replace(' ', "").to_uppercase();
    let digits_only = n.bytes().all(|b| b.is_ascii_digit());
    if digits_only && n.len() == 8 {
        return Date::parse_yyyymmdd(&n).ok_or_else(|| format!("{s:?} is not a date"));
    }
    if digits_only && n.len() == 9 {
        // EYYYYMMDD: era digit + Gregorian date; the era must agree with the date.
        let era = n.bytes().next().and_then(Era::from_digit);
        let date = n
            .get(1..)
            .and_then(Date::parse_yyyymmdd)
            .ok_or_else(|| format!("{s:?} is not a date"))?;
        return match (era, era_year(date)) {
            (Some(e), Some((de, _))) if e == de => Ok(date),
            _ => Err(format!("{s:?}: the era digit does not agree with the date")),
        };
    }
    let (era, rest) = match era_from_name(&n) {
        Some((e, r)) => (Some(e), r),
        None => (None, n.as_str()),
    };
    let rest = rest.replacen("元", "1", 1);
    let parts: Vec<&str> = rest
        .split(['年', '月', '日', '-', '/', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(format!("{s:?} is not a date"));
    };
    let num = |p: &str| p.parse::<u16>().map_err(|_| format!("{s:?} is not a date"));
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    let year = match era {
        Some(e) => era_first_year(e) + y.saturating_sub(1),
        None => y,
    };
    let date = Date::parse_yyyymmdd(&format!("{year:04}{m:02}{d:02}"))
        .ok_or_else(|| format!("{s:?} is not a date"))?;
    if let Some(e) = era
        && (y == 0 || era_year(date) != Some((e, y)))
    {
        return Err(format!("{s:?}: not a date of {}", e.japanese()));
    }
    Ok(date)
}

fn date_match(a: Option<&str>, b: Option<&str>) -> MatchOutcome {
    let (Some(a), Some(b)) = (a, b) else {
        return MatchOutcome::CannotCompare {
            reason: "missing in one source".into(),
        };
    };
    match (parse_date(a), parse_date(b)) {
        (Ok(x), Ok(y)) if x == y => MatchOutcome::Match {
            how: format!("same date {x}"),
        },
        (Ok(x), Ok(y)) => MatchOutcome::Mismatch {
            reason: format!("{x} ≠ {y}"),
        },
        (Err(e), _) | (_, Err(e)) => MatchOutcome::CannotCompare { reason: e },
    }
}

fn sex_code(s: &str) -> Option<&'static str> {
    match normalize(s).to_lowercase().as_str() {
        "1" | "男" | "男性" | "male" | "m" => Some("1"),
        "2" | "女" | "女性" | "female" | "f" => Some("2"),
        "9" => Some("9"),
        "0" => Some("0"),
        _ => None,
    }
}

fn sex_match(a: Option<&str>, b: Option<&str>) -> MatchOutcome {
    let (Some(a), Some(b)) = (a, b) else {
        return MatchOutcome::CannotCompare {
            reason: "missing in one source".into(),
        };
    };
    match (sex_code(a), sex_code(b)) {
        (Some(x), Some(y)) if x == y => MatchOutcome::Match {
            how: format!("code {x}"),
        },
        (Some(x), Some(y)) => MatchOutcome::Mismatch {
            reason: format!("code {x} ≠ {y}"),
        },
        _ => MatchOutcome::CannotCompare {
            reason: format!("unknown sex value ({a:?}, {b:?})"),
        },
    }
}
