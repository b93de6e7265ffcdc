//! Test trust anchors, added to the SDK's stores through its public trust API.
//!
//! The SDK (`mynakit`) embeds only the production J-LIS X.509 roots and CV CA keys. Tests,
//! the CLI and the virtual card need more, and they get it here:
//!
//! - the JPKI-TEST roots of J-LIS test cards (`testkit/trust-anchors/jpki-test/`), group
//!   [`AnchorSet::JlisTest`], accepted under `TrustPolicy::accept_jlis_test_cards`;
//! - the virtual card's test roots and CV test CA (`test-vectors/pki/`), group
//!   [`AnchorSet::VirtualCard`], accepted under `TrustPolicy::accept_virtual_card`;
//! - the J-LIS TEST CV CA keys (`test-vectors/real-cards/jlis-test/cv-ca-test.txt`), which
//!   verify the 券面 applications of real J-LIS test cards (card-protocol §9.3).
//!
//! Every group is added as a *test* group: a store whose policy does not accept it still
//! refuses a chain to it, naming the root.

use mynakit::Result;
use mynakit::cert::{AnchorSet, TrustPolicy, TrustStore};
use mynakit::cv::CvTrust;

/// The test roots, with their group and label.
pub const TEST_ANCHORS: &[(&str, AnchorSet, &[u8])] = &[
    (
        "JPKI-TEST user-authentication root (2019)",
        AnchorSet::JlisTest,
        include_bytes!("../trust-anchors/jpki-test/authca-test-2019.cer"),
    ),
    (
        "JPKI-TEST user-authentication root (2023)",
        AnchorSet::JlisTest,
        include_bytes!("../trust-anchors/jpki-test/authca-test-2023.cer"),
    ),
    (
        "JPKI-TEST digital-signature root (2019)",
        AnchorSet::JlisTest,
        include_bytes!("../trust-anchors/jpki-test/signca-test-2019.cer"),
    ),
    (
        "JPKI-TEST digital-signature root (2024)",
        AnchorSet::JlisTest,
        include_bytes!("../trust-anchors/jpki-test/signca-test-2024.cer"),
    ),
    (
        "MynaKit virtual card user-authentication TEST root",
        AnchorSet::VirtualCard,
        include_bytes!("../../test-vectors/pki/jpki-test-auth-root.der"),
    ),
    (
        "MynaKit virtual card digital-signature TEST root",
        AnchorSet::VirtualCard,
        include_bytes!("../../test-vectors/pki/jpki-test-sign-root.der"),
    ),
];

/// The virtual card's CV test CA: key ID and public key (DER SubjectPublicKeyInfo).
pub const VIRTUAL_CARD_CV_CA_KEYID: &[u8] =
    include_bytes!("../../test-vectors/pki/cv-test-ca.keyid");
/// See [`VIRTUAL_CARD_CV_CA_KEYID`].
pub const VIRTUAL_CARD_CV_CA_SPKI: &[u8] =
    include_bytes!("../../test-vectors/pki/cv-test-ca-public.der");

/// The J-LIS TEST CV CA public keys (issuers `6000020`, `6000023`, `6000033`) in the key-list
/// format of `CvTrust::add_key_list`; provenance in the file's header.
pub const JLIS_TEST_CV_KEY_LIST: &str =
    include_str!("../../test-vectors/real-cards/jlis-test/cv-ca-test.txt");

/// Adds every test root to `store` in its test group (accepted only as its policy says).
pub fn add_test_anchors(store: &mut TrustStore) -> Result<()> {
    for (label, set, der) in TEST_ANCHORS {
        store.add_anchor_in_set(*set, label, der)?;
    }
    Ok(())
}

/// The production roots plus every test root, under `policy`.
pub fn trust_store(policy: TrustPolicy) -> Result<TrustStore> {
    let mut store = TrustStore::new(policy)?;
    add_test_anchors(&mut store)?;
    Ok(store)
}

/// The production CV CA keys, plus the virtual card's CV test CA when `policy` accepts the
/// virtual card (the J-LIS TEST CV CA keys are added only on request:
/// [`add_jlis_test_cv_keys`]).
pub fn cv_trust(policy: TrustPolicy) -> Result<CvTrust> {
    let mut t = CvTrust::production()?;
    if policy.accept_virtual_card {
        t.add(
            VIRTUAL_CARD_CV_CA_KEYID,
            VIRTUAL_CARD_CV_CA_SPKI,
            "MynaKit virtual card CV TEST CA",
        )?;
    }
    Ok(t)
}

/// Adds the J-LIS TEST CV CA keys (real J-LIS test cards' 券面 applications).
pub fn add_jlis_test_cv_keys(t: &mut CvTrust) -> Result<usize> {
    t.add_key_list(JLIS_TEST_CV_KEY_LIST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_roots_join_their_groups_and_stay_refused_in_production() {
        let Ok(store) = trust_store(TrustPolicy::PRODUCTION) else {
            panic!("store")
        };
        assert_eq!(store.anchors().len(), 12);
        assert_eq!(
            store
                .anchors()
                .iter()
                .filter(|a| a.set == AnchorSet::VirtualCard)
                .count(),
            2
        );
        let Ok(cv) = cv_trust(TrustPolicy::PRODUCTION) else {
            panic!("cv")
        };
        assert_eq!(cv.keys().count(), 3);
        let Ok(mut cv) = cv_trust(TrustPolicy::VIRTUAL_CARD) else {
            panic!("cv")
        };
        assert_eq!(cv.keys().count(), 4);
        assert_eq!(add_jlis_test_cv_keys(&mut cv).ok(), Some(3));
    }
}
