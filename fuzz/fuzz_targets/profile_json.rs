//! Virtual-card profile JSON (`profile.json`, read by `mynakit sim --profile`): a typed
//! error or a card, never a panic. The JSON is written next to copies of the taro
//! profile's files, so file references that name them resolve and the card gets built.
#![no_main]
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynakit_testkit::sim::{CardProfile, VirtualCard};

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/cards/taro");
        let dst = std::env::temp_dir().join(format!("mynakit-fuzz-profile-{}", std::process::id()));
        copy_dir(&src, &dst);
        dst
    })
}

fn copy_dir(src: &std::path::Path, dst: &std::path::Path) {
    let _ = std::fs::create_dir_all(dst);
    for e in std::fs::read_dir(src).into_iter().flatten().flatten() {
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &to);
        } else if e.file_name() != "profile.json" {
            let _ = std::fs::copy(e.path(), to);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let path = dir().join("profile.json");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(p) = CardProfile::load(&path) {
        if let Ok(mut card) = VirtualCard::new(p) {
            let _ = card.process(&[
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
                0x01,
            ]);
        }
    }
});
