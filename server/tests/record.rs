//! 確認記録 from verified reports; renewal keeps the previous certificate serial.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use mynakit_server::Verdict;
use mynakit_server::record::{ConfirmationRecord, RecordError};

#[test]
fn records_come_from_accepted_reports_only() {
    let v = common::verifier();
    let n = common::nonce();
    let report = v.verify(&common::sign(&n), &n, common::AT);
    let rec = ConfirmationRecord::from_report(&report).unwrap();
    assert_eq!(rec.method, "jpki_sign");
    assert_eq!(rec.name.as_deref(), Some("見本\u{3000}太郎"));
    assert_eq!(rec.birth_date.as_deref(), Some("1990-01-02"));
    assert_eq!(rec.verified_at, "2026-12-01T00:00:00Z");
    assert_eq!(rec.nonce, hex::encode_upper(&n));
    // Serial and validity as openssl reads them from test-vectors/cards/taro/sign-cert.der.
    let out = std::process::Command::new("openssl")
        .args(["x509", "-inform", "der", "-noout", "-serial", "-in"])
        .arg(common::golden_dir().join("../cards/taro/sign-cert.der"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout);
    let serial = line.trim().trim_start_matches("serial=");
    assert_eq!(rec.certificate_serial.as_deref(), Some(serial));
    assert_eq!(
        rec.certificate_not_after.as_deref(),
        Some("2035-03-31T14:59:59Z")
    );
    // A rejected report gives no record.
    let bad = v.verify(&common::sign(&n), &[7; 32], common::AT);
    assert_eq!(
        ConfirmationRecord::from_report(&bad),
        Err(RecordError::NotAccepted(Verdict::Rejected))
    );
    // ヘ: name, address and the photo hash from the chip.
    let report = v.verify(&common::chip_read(&n), &n, common::AT);
    let rec = ConfirmationRecord::from_report(&report).unwrap();
    assert_eq!(
        rec.address.as_deref(),
        Some("東京都千代田区見本町一丁目２番３号")
    );
    assert_eq!(rec.card_expiry.as_deref(), Some("2035-01-02"));
    assert_eq!(rec.photo_sha256.as_ref().map(String::len), Some(64));
}

#[test]
fn renewal_links_to_the_previous_serial() {
    let v = common::verifier();
    let n = common::nonce();
    let report = v.verify(&common::sign(&n), &n, common::AT);
    let current = ConfirmationRecord::from_report(&report).unwrap();
    let mut old = current.clone();
    old.certificate_serial = Some("0A0B".into());
    old.previous_certificate_serials = vec!["0909".into()];
    let renewed = ConfirmationRecord::renewal(&report, &old).unwrap();
    assert_eq!(renewed.previous_certificate_serials, vec!["0909", "0A0B"]);
    assert_eq!(renewed.certificate_serial, current.certificate_serial);
    // Another person (another birth date) is refused.
    old.birth_date = Some("1991-01-02".into());
    assert!(matches!(
        ConfirmationRecord::renewal(&report, &old),
        Err(RecordError::NotSamePerson(_))
    ));
}
