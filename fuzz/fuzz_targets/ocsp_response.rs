//! The server's OCSP response check (a responder's answer is untrusted network input):
//! any bytes give a status — never a panic, and never *good* unless a response signed by
//! the issuing CA or its delegated responder says so (these bytes cannot be).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::cert::JpkiCertificate;
use mynakit_server::RevocationStatus;
use mynakit_server::ocsp::{OcspClient, PreparedRequest};
use std::sync::OnceLock;

const ISSUER: &[u8] = include_bytes!("../../test-vectors/pki/jpki-test-sign-root.der");
const CERT: &[u8] = include_bytes!("../../test-vectors/cards/taro/sign-cert.der");

/// Built once: the iterations fuzz the response, not the set-up.
fn setup() -> Option<&'static (OcspClient, PreparedRequest)> {
    static SETUP: OnceLock<Option<(OcspClient, PreparedRequest)>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let client = OcspClient::new("http://127.0.0.1:9/", ISSUER).ok()?;
            let cert = JpkiCertificate::parse(CERT).ok()?;
            let request = client.prepare(&cert).ok()?;
            Some((client, request))
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some((client, request)) = setup() else {
        return;
    };
    // 2026-12-01T00:00:00Z, inside the test certificates' validity.
    let status = client.evaluate(request, data, 1_796_083_200);
    assert!(
        !matches!(status, RevocationStatus::Good { .. }),
        "unsigned fuzz input accepted as good: {status:?}"
    );
});
