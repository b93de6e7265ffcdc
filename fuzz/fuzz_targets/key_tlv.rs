//! Card RSA key TLVs (`90` exponent, `91` modulus) and the signed card public key (text AP
//! EF 0007): typed errors, and signature checks that fail rather than panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::cv::CardRsaKey;
use mynakit::text::SignedCardKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = CardRsaKey::parse(data, "fuzzed key") {
        let _ = k.verify_sha256(b"m", data);
    }
    if let Ok(s) = SignedCardKey::parse(data) {
        let _ = s.verify(&s.key);
    }
});
