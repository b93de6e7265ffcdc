//! X.509 signatures made with SHA-1 are accepted only when the trust policy says so
//! (issue 13, item 4), as for message signatures (`allow_sha1`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mynakit::Error;
use mynakit::cert::{JpkiCertificate, TrustPolicy, TrustStore};

// Fixtures: core/tests/data/sha1-policy/README.md (made with OpenSSL; the algorithms were
// read back with `openssl x509 -noout -text`).
const CA: &[u8] = include_bytes!("data/sha1-policy/ca.der");
const LEAF_SHA1: &[u8] = include_bytes!("data/sha1-policy/leaf-sha1.der");
const LEAF_SHA256: &[u8] = include_bytes!("data/sha1-policy/leaf-sha256.der");
/// 2027-01-15, inside both certificates' validity.
const AT: u64 = 1_800_000_000;

fn store(policy: TrustPolicy) -> TrustStore {
    let mut s = TrustStore::new(policy).unwrap();
    s.add_anchor("SHA1 policy test CA", CA).unwrap();
    s
}

#[test]
fn a_sha1_signed_certificate_is_refused_by_default() {
    let leaf = JpkiCertificate::parse(LEAF_SHA1).unwrap();
    // The signature itself is good: only the policy refuses it.
    let ca = JpkiCertificate::parse(CA).unwrap();
    assert!(leaf.is_signed_by(&ca).is_ok());
    for policy in [TrustPolicy::PRODUCTION, TrustPolicy::VIRTUAL_CARD] {
        match store(policy).verify(&leaf, AT) {
            Err(Error::Verification(msg)) => {
                assert!(msg.contains("SHA-1"), "{msg}");
                assert!(msg.contains("accept_sha1_certificates"), "{msg}");
            }
            other => panic!("SHA-1 chain accepted without the opt-in: {other:?}"),
        }
    }
}

#[test]
fn a_sha1_signed_certificate_is_accepted_with_the_explicit_opt_in() {
    let leaf = JpkiCertificate::parse(LEAF_SHA1).unwrap();
    let policy = TrustPolicy {
        accept_sha1_certificates: true,
        ..TrustPolicy::PRODUCTION
    };
    let ok = store(policy).verify(&leaf, AT).unwrap();
    assert_eq!(ok.anchor, "SHA1 policy test CA");
}

#[test]
fn a_sha256_signed_certificate_needs_no_opt_in() {
    let leaf = JpkiCertificate::parse(LEAF_SHA256).unwrap();
    assert!(store(TrustPolicy::PRODUCTION).verify(&leaf, AT).is_ok());
}

#[test]
fn the_opt_in_is_off_in_a_policy_read_without_it() {
    // Trace headers written before the field existed read as "not accepted".
    let p: TrustPolicy =
        serde_json::from_str(r#"{"accept_jlis_test_cards":false,"accept_virtual_card":true}"#)
            .unwrap();
    assert!(!p.accept_sha1_certificates);
    assert!(!TrustPolicy::default().accept_sha1_certificates);
}
