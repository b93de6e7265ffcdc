//! The card-face AP's operations against a card whose answers come from the fuzzer: typed
//! errors only, bounded work, never a second VERIFY carrying a value.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynakit::cert::TrustPolicy;
use mynakit::cv::CvTrust;
use mynakit::face::FaceUnlock;
use mynakit::text::ChallengeSource;
use mynakit::{Card, Secret};
mod common;

fn trust() -> Option<&'static CvTrust> {
    static T: OnceLock<Option<CvTrust>> = OnceLock::new();
    T.get_or_init(|| mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD).ok())
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Some(trust) = trust() else { return };
    let Ok(mut card) = Card::new(common::Fuzzed::new(rest, sel & 0x80 != 0)) else {
        return;
    };
    let (how, value) = match sel % 3 {
        0 => (FaceUnlock::CodeA, Secret::new("123456789018")),
        1 => (FaceUnlock::CodeB, Secret::new("01010120300000")),
        _ => (FaceUnlock::BirthKey, Secret::new("010101")),
    };
    let liveness = match (sel >> 2) & 3 {
        0 => Some(ChallengeSource::Card),
        1 => Some(ChallengeSource::Host(vec![7; 16])),
        _ => None,
    };
    match (sel >> 4) & 3 {
        0 => {
            let _ = card
                .face()
                .read(how, &value, sel & 0x40 != 0, trust, liveness.as_ref());
        }
        1 => {
            let _ = card.face().cv_certificate();
        }
        _ => {
            let _ = card.face().unlock(how, &value, false);
            let _ = card.face().front();
            let _ = card.face().my_number_image();
            let _ = card.face().age_record();
        }
    }
    assert!(card.transport().verifies <= 1, "a second VERIFY was sent");
});
