//! The server's CRL intake (a CRL is fetched from the network: untrusted bytes): any bytes
//! are refused or added with a typed result, never a panic; a CRL that is not signed by
//! the issuer is never added, so the certificate's status stays *not checked*.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::cert::JpkiCertificate;
use mynakit_server::crl::CrlChecker;
use mynakit_server::{RevocationChecker, RevocationStatus};

const ISSUER: &[u8] = include_bytes!("../../test-vectors/pki/jpki-test-sign-root.der");
const CERT: &[u8] = include_bytes!("../../test-vectors/cards/taro/sign-cert.der");

fuzz_target!(|data: &[u8]| {
    let (Ok(mut checker), Ok(cert)) = (
        CrlChecker::new(ISSUER, 86_400),
        JpkiCertificate::parse(CERT),
    ) else {
        return;
    };
    let added = checker.add_crl(data).is_ok();
    let status = checker.status(&cert, 1_796_083_200);
    assert!(
        added || matches!(status, RevocationStatus::NotChecked { .. }),
        "a refused CRL still decided the status: {status:?}"
    );
});
