//! Table tests for Japanese attribute matching.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mynakit_server::matching::{Attributes, MatchOutcome, Source, compare, normalize, parse_date};

#[test]
fn normalisation_table() {
    let table = [
        // (input, expected) — expected written by hand from the Unicode charts.
        ("見本\u{3000}太郎", "見本 太郎"),
        ("  見本 \u{3000} 太郎  ", "見本 太郎"),
        ("ＡＢＣ１２３", "ABC123"),
        (
            "東京都千代田区見本町一丁目２番３号",
            "東京都千代田区見本町一丁目2番3号",
        ),
        ("ﾐﾎﾝ ﾀﾛｳ", "ミホン タロウ"),
        ("ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ ｳﾞ", "ガギグ パピ ヴ"),
        ("ﾎﾞﾝﾊﾟﾝ", "ボンパン"),
        ("１－２－３", "1-2-3"),
        ("ラーメン", "ラーメン"), // the prolonged sound mark is not a hyphen
    ];
    for (input, want) in table {
        assert_eq!(normalize(input), want, "{input:?}");
    }
}

#[test]
fn date_table() {
    let ok = [
        ("19900102", "1990-01-02"),
        ("419900102", "1990-01-02"), // era 4 (平成) + 1990-01-02
        ("1990-01-02", "1990-01-02"),
        ("1990/1/2", "1990-01-02"),
        ("１９９０年１月２日", "1990-01-02"),
        ("平成2年1月2日", "1990-01-02"), // 平成元年 = 1989
        ("H2.1.2", "1990-01-02"),
        ("h2.1.2", "1990-01-02"),
        ("昭和64年1月7日", "1989-01-07"), // the last day of 昭和
        ("平成元年1月8日", "1989-01-08"), // the first day of 平成
        ("令和元年5月1日", "2019-05-01"),
        ("R1.5.1", "2019-05-01"),
        ("118991201", "1899-12-01"), // era 1 (明治) + 1899-12-01, card-protocol §10.2
    ];
    for (input, want) in ok {
        assert_eq!(
            parse_date(input).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{input}"
        );
    }
    let bad = [
        "昭和64年1月8日", // 平成 had begun
        "平成31年5月1日", // 令和 had begun
        "平成0年1月1日",
        "519900102", // era 5 (令和) with a 1990 date
        "318991201", // era 3 (昭和) with an 1899 date
        "19900230",
        "1990-13-01",
        "yesterday",
        "",
    ];
    for input in bad {
        assert!(parse_date(input).is_err(), "{input}");
    }
}

fn cert(name: &str, name_subst: &str, address: &str, address_subst: &str) -> Attributes {
    Attributes {
        source: Source::SigningCertificate,
        name: Some(name.into()),
        address: Some(address.into()),
        birth_date: Some("419900102".into()),
        sex: Some("1".into()),
        name_substitute: Some(name_subst.into()),
        address_substitute: Some(address_subst.into()),
    }
}

fn text(name: &str, address: &str) -> Attributes {
    Attributes {
        source: Source::TextAp,
        name: Some(name.into()),
        address: Some(address.into()),
        birth_date: Some("19900102".into()),
        sex: Some("1".into()),
        name_substitute: None,
        address_substitute: None,
    }
}

fn kind(o: Option<&MatchOutcome>) -> &'static str {
    match o {
        Some(MatchOutcome::Match { .. }) => "match",
        Some(MatchOutcome::Mismatch { .. }) => "mismatch",
        Some(MatchOutcome::CannotCompare { .. }) => "cannot_compare",
        None => "absent",
    }
}

#[test]
fn attribute_table() {
    const ADDR: &str = "東京都千代田区見本町一丁目２番３号";
    // (text AP name, cert name, name substitute info, expected name outcome)
    let names = [
        ("見本\u{3000}太郎", "見本\u{3000}太郎", "00000", "match"),
        ("見本\u{3000}太郎", "見本 太郎", "00000", "match"),
        ("見本\u{3000}太郎", "見本太郎", "00000", "match"),
        ("見本\u{3000}太郎", "見本\u{3000}次郎", "00000", "mismatch"),
        // 髙 (U+9AD9, outside JIS X 0208) replaced by 高 in the certificate, marked.
        (
            "髙橋\u{3000}太郎",
            "高橋\u{3000}太郎",
            "10000",
            "cannot_compare",
        ),
        // The same difference without a marker is a mismatch.
        ("髙橋\u{3000}太郎", "高橋\u{3000}太郎", "00000", "mismatch"),
        // Marked, but equal anyway: a match.
        ("見本\u{3000}太郎", "見本\u{3000}太郎", "10000", "match"),
    ];
    for (t, c, subst, want) in names {
        let r = compare(&text(t, ADDR), &cert(c, subst, ADDR, "0000"));
        assert_eq!(kind(r.outcome("name")), want, "{t} / {c} / {subst}");
        assert_eq!(kind(r.outcome("birth_date")), "match");
        assert_eq!(kind(r.outcome("sex")), "match");
    }
    // Address: substitute marker on the address field only affects the address.
    let r = compare(
        &text("見本\u{3000}太郎", "東京都葛飾区"),
        &cert("見本\u{3000}太郎", "0", "東京都葛飾区", "000000"),
    );
    assert!(r.all_match());
    let r = compare(
        &text("見本\u{3000}太郎", "東京都葛󠄀飾区"),
        &cert("見本\u{3000}太郎", "0", "東京都葛飾区", "000100"),
    );
    assert_eq!(kind(r.outcome("address")), "cannot_compare");
    assert_eq!(kind(r.outcome("name")), "match");
    assert!(!r.any_mismatch() && !r.all_match());
    // What the user typed: half-width digits, era date, 男.
    let typed = Attributes::typed(
        "見本 太郎",
        "東京都千代田区見本町一丁目2番3号",
        "平成2年1月2日",
        "男",
    );
    let r = compare(&text("見本\u{3000}太郎", ADDR), &typed);
    assert!(r.all_match(), "{r:#?}");
    let typed = Attributes::typed("見本 太郎", "", "1990-01-03", "女");
    let r = compare(&text("見本\u{3000}太郎", ADDR), &typed);
    assert_eq!(kind(r.outcome("address")), "cannot_compare");
    assert_eq!(kind(r.outcome("birth_date")), "mismatch");
    assert_eq!(kind(r.outcome("sex")), "mismatch");
    assert!(r.any_mismatch());
}
