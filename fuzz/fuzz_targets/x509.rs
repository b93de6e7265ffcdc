//! X.509 certificates and their subjectAltName attributes, and the chain check under
//! every trust policy: typed errors, never a panic.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynakit::cert::{JpkiCertificate, TrustPolicy, TrustStore};

fn stores() -> &'static [TrustStore] {
    static S: OnceLock<Vec<TrustStore>> = OnceLock::new();
    S.get_or_init(|| {
        [
            TrustPolicy::PRODUCTION,
            TrustPolicy {
                accept_jlis_test_cards: true,
                accept_virtual_card: true,
                accept_sha1_certificates: true,
            },
        ]
        .into_iter()
        .filter_map(|p| mynakit_testkit::trust::trust_store(p).ok())
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(c) = JpkiCertificate::parse(data) else {
        return;
    };
    let _ = c.spki_der();
    let _ = c.is_signed_by(&c);
    for s in stores() {
        let _ = s.verify(&c, 1_767_225_600);
    }
    let mut custom = mynakit_testkit::trust::trust_store(TrustPolicy::PRODUCTION).expect("store");
    let _ = custom.add_anchor("fuzz", data);
});
