//! The engine and every JPKI operation against a card whose answers come from the fuzzer:
//! typed errors only, bounded work, never a second VERIFY carrying a value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput};
use mynakit::{Card, Credential, Secret};

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(mut card) = Card::new(common::Fuzzed::new(rest, sel & 0x80 != 0)) else {
        return;
    };
    let pin = Secret::new("1234");
    let pw = Secret::new("ABC123");
    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"m".to_vec(),
    };
    let _ = match sel & 0x07 {
        0 => card.jpki().token_info().map(drop),
        1 => card.jpki().auth_certificate().map(drop),
        2 => card.jpki().sign_certificate(&pw, false).map(drop),
        3 => card.verify(Credential::JpkiAuthPin, &pin, false),
        4 => card
            .jpki()
            .sign(
                JpkiKey::Auth,
                &pin,
                &input,
                SignOptions {
                    include_certificate: true,
                    ..Default::default()
                },
            )
            .map(drop),
        5 => card
            .jpki()
            .retry_status(Credential::JpkiSignPassword)
            .map(drop),
        6 => card.get_challenge(8).map(drop),
        _ => card.jpki().certificate_availability().map(drop),
    };
    assert!(card.transport().verifies <= 1, "a second VERIFY was sent");
});
