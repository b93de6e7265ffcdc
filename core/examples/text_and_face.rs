//! The 券面事項入力補助AP (My Number and the four attributes as text) and the 券面AP (the card
//! face with its photo) from the built-in virtual card, with every check the SDK makes on
//! them: CV certificate, record signatures and digests.
//!
//! `cargo run -p mynakit --features simulator --example text_and_face`

use mynakit::cert::TrustPolicy;
use mynakit::face::FaceUnlock;
use mynakit::text::TextUnlock;
use mynakit::{Card, Error, Secret};
use mynakit_testkit::sim::VirtualCard;

fn main() -> Result<(), Error> {
    let mut card = Card::new(VirtualCard::builtin("taro")?)?;
    // Production CV CA keys are built in; the virtual card's test CA only under its policy.
    let trust = mynakit_testkit::trust::cv_trust(TrustPolicy::VIRTUAL_CARD)?;

    let text = card
        .text()
        .read(TextUnlock::Pin, &Secret::new("1234"), false, &trust, None)?;
    let my_number = text
        .my_number
        .as_ref()
        .map(|m| m.my_number.clone())
        .unwrap_or_default();
    if let Some(a) = &text.attributes {
        println!(
            "name {} / address {} / born {}",
            a.name, a.address, a.birth_date_raw
        );
    }
    println!(
        "text AP: all checks verified = {}",
        text.verification.all_verified()
    );

    // The My Number read with the PIN is the 照合番号A that opens the card face.
    let face = card.face().read(
        FaceUnlock::CodeA,
        &Secret::new(&my_number),
        false,
        &trust,
        None,
    )?;
    for check in &face.verification.checks {
        println!("face check {:<40} {:?}", check.name, check.outcome);
    }
    if let Some(front) = &face.front {
        println!(
            "photo: {:?}, {} bytes",
            front.photo.format,
            front.photo.data.len()
        );
    }
    println!("{} APDUs in all", card.stats().apdus);
    Ok(())
}
