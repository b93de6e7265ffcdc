//! JPKI login against the built-in virtual card: read the user-authentication certificate,
//! check its chain, have the card sign the server's nonce with the authentication key, and
//! verify that signature — what a bank's server does with what the phone sends.
//!
//! `cargo run -p mynakit --features simulator --example jpki_login`
//!
//! A real app passes its own transport (Android IsoDep, iOS CoreNFC, PC/SC) instead of the
//! virtual card, uses `TrustPolicy::PRODUCTION`, and gets the nonce from its server.

use mynakit::cert::{TrustPolicy, unix_now};
use mynakit::jpki::{JpkiKey, SignOptions};
use mynakit::sign::{HashAlgorithm, SignInput, verify_signature};
use mynakit::{Card, Credential, Error, RetryStatus, Secret};
use mynakit_testkit::sim::VirtualCard;

fn main() -> Result<(), Error> {
    let mut card = Card::new(VirtualCard::builtin("taro")?)?;

    // Free read: no PIN needed for the authentication certificate on a plastic card.
    let cert = card.jpki().auth_certificate()?;
    let chain = mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)?
        .verify(&cert, unix_now())?;
    println!(
        "certificate {} chains to {}",
        cert.info.serial, chain.anchor
    );

    // Show the user how many tries are left before asking for the PIN; no try is spent.
    match card.jpki().retry_status(Credential::JpkiAuthPin)? {
        RetryStatus::Remaining(n) => println!("PIN tries left: {n}"),
        other => println!("PIN counter: {other:?}"),
    }

    // The server's nonce; the PIN as the user typed it (checked locally, wiped on drop).
    let input = SignInput::Message {
        hash: HashAlgorithm::Sha256,
        data: b"nonce from the bank's server".to_vec(),
    };
    let pin = Secret::new("1234");
    let sig = card
        .jpki()
        .sign(JpkiKey::Auth, &pin, &input, SignOptions::default())?;

    // On the server: verify with the certificate's key.
    verify_signature(&cert.spki_der()?, &input, &sig.signature, false)?;
    println!(
        "signature verified; {} APDUs for the whole login",
        card.stats().apdus
    );
    Ok(())
}
