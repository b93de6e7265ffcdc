//! Parsers of data that comes from the card or the caller: certificates, token labels,
//! certificate availability, credential values, fault scenarios.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::{Credential, Secret};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = mynakit::cert::JpkiCertificate::parse(data) {
        let _ = c.is_signed_by(&c);
        let _ = c.spki_der();
    }
    let _ = mynakit::jpki::TokenInfo::parse(data);
    let _ = mynakit::text::MyNumberRecord::parse(data);
    let _ = mynakit::text::TextAttributes::parse(data);
    let _ = mynakit::text::IntegrityRecord::parse(data);
    let _ = mynakit::text::SignedCardKey::parse(data);
    let _ = mynakit::face::CardFront::parse(data);
    let _ = mynakit::face::AgeRecord::parse(data);
    let _ = mynakit::face::MyNumberImage::parse(data);
    let _ = mynakit::face::decode_photo(data);
    if let Ok(cv) = mynakit::cv::CvCertificate::parse(data) {
        let _ = cv.verify(&mynakit::cv::CvTrust::default());
    }
    let _ = mynakit::jpki::CertificateAvailability::parse(data);
    if let Ok(s) = std::str::from_utf8(data) {
        for c in Credential::ALL {
            let _ = c.encode(&Secret::new(s));
        }
        let _ = mynakit_testkit::fault::parse_scenario(s);
        let _ = mynakit::mynumber::is_valid(s);
        let _ = mynakit::cert::CertBirthDate::parse(s);
    }
});
