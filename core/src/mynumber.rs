//! The My Number (個人番号) check digit.
//!
//! The rule is the one set by the ministerial ordinance on the My Number (行政手続における特定の
//! 個人を識別するための番号の利用等に関する法律施行令 第八条): with the eleven leading digits
//! numbered P1..P11 from the right, Q = n + 1 for n ≤ 6 and n − 5 for n ≥ 7; the check digit
//! is 0 when Σ Pn·Qn mod 11 ≤ 1, else 11 minus that remainder.

/// The check digit for the eleven leading digits, or `None` when `first11` is not
/// exactly eleven ASCII digits.
pub fn check_digit(first11: &str) -> Option<u8> {
    if first11.len() != 11 || !first11.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first11
        .bytes()
        .rev()
        .enumerate()
        .zip(1u32..)
        .map(|((_, b), n)| {
            let q = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(b - b'0') * q
        })
        .sum();
    let r = sum % 11;
    u8::try_from(if r <= 1 { 0 } else { 11 - r }).ok()
}

/// Whether `number` is twelve ASCII digits whose last digit is the right check digit.
pub fn is_valid(number: &str) -> bool {
    if number.len() != 12 {
        return false;
    }
    match (
        number.get(..11).and_then(check_digit),
        number.as_bytes().get(11),
    ) {
        (Some(cd), Some(last)) if last.is_ascii_digit() => cd == last - b'0',
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers() {
        // Computed by hand from the ordinance's formula.
        assert_eq!(check_digit("12345678901"), Some(8));
        assert_eq!(check_digit("98765432109"), Some(3));
        assert!(is_valid("123456789018"));
        assert!(!is_valid("123456789019"));
        assert!(!is_valid("12345678901"));
        assert!(!is_valid("12345678901a"));
        assert!(!is_valid("１23456789018"));
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_is_valid(body in "[0-9]{11}") {
            let valid: Vec<u8> = (0..10u8)
                .filter(|d| is_valid(&format!("{body}{d}")))
                .collect();
            prop_assert_eq!(valid.len(), 1);
            prop_assert_eq!(Some(valid[0]), check_digit(&body));
        }

        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = is_valid(&s);
            let _ = check_digit(&s);
        }
    }
}
