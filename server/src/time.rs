//! RFC 3339 times for `--at` and reports (UTC seconds since the Unix epoch).

use mynakit::era::Date;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days-from-civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (a `t`/space separator and `z` are
/// accepted too) to Unix seconds. Years 1970 to 9999; leap seconds are refused.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let sep = rest.get(..1)?;
    if !matches!(sep, "T" | "t" | " ") {
        return None;
    }
    let rest = rest.get(1..)?;
    let (time, zone) = (rest.get(..8)?, rest.get(8..)?);
    let mut d = date.split('-');
    let (y, mo, da) = (digits(d.next()?)?, digits(d.next()?)?, digits(d.next()?)?);
    if d.next().is_some() || date.len() != 10 {
        return None;
    }
    let mut t = time.split(':');
    let (h, mi, se) = (digits(t.next()?)?, digits(t.next()?)?, digits(t.next()?)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let month_days = match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=month_days).contains(&da) {
        return None;
    }
    let zone = match zone.strip_prefix('.') {
        Some(f) => f.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => zone,
    };
    let offset = match zone {
        "Z" | "z" => 0,
        z if z.len() == 6 => {
            let sign = match z.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if z.get(3..4)? != ":" {
                return None;
            }
            let (oh, om) = (digits(z.get(1..3)?)?, digits(z.get(4..6)?)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se - offset;
    u64::try_from(secs).ok()
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(i64::MAX / 2);
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// The date in Japan (UTC+9) at a Unix time: card expiry dates are Japanese dates.
pub fn japan_date(unix: u64) -> Option<Date> {
    let days = i64::try_from((unix + 9 * 3600) / 86_400).ok()?;
    let (y, m, d) = civil_from_days(days);
    Date::parse_yyyymmdd(&format!("{y:04}{m:02}{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_times() {
        // date -u -d 2026-04-01T00:00:00Z +%s → 1775001600
        assert_eq!(parse_rfc3339("2026-04-01T00:00:00Z"), Some(1_775_001_600));
        assert_eq!(
            parse_rfc3339("2026-04-01T09:00:00+09:00"),
            Some(1_775_001_600)
        );
        assert_eq!(
            parse_rfc3339("2026-04-01T00:00:00.250Z"),
            Some(1_775_001_600)
        );
        // date -u -d 2035-03-31T14:59:59Z +%s → 2058965999
        assert_eq!(parse_rfc3339("2035-03-31T14:59:59Z"), Some(2_058_965_999));
        assert_eq!(format_rfc3339(2_058_965_999), "2035-03-31T14:59:59Z");
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        for bad in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-01 00:00:00",
            "2026-04-01T24:00:00Z",
            "2026-04-01T00:00:60Z",
            "2026-4-01T00:00:00Z",
            "+2026-04-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(
            japan_date(1_775_001_600 - 1).map(|d| d.to_string()),
            Some("2026-04-01".into())
        );
    }
}
