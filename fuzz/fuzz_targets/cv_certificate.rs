//! CV certificates (text and face APs, EF 0004): typed errors, and a verification that
//! names its result, never a panic.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynakit::cert::TrustPolicy;
use mynakit::cv::{CvCertificate, CvTrust};

fn trust() -> &'static [CvTrust] {
    static T: OnceLock<Vec<CvTrust>> = OnceLock::new();
    T.get_or_init(|| {
        [TrustPolicy::PRODUCTION, TrustPolicy::VIRTUAL_CARD]
            .into_iter()
            .filter_map(|p| mynakit_testkit::trust::cv_trust(p).ok())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cv) = CvCertificate::parse(data) {
        for t in trust() {
            let _ = cv.verify(t);
        }
    }
});
