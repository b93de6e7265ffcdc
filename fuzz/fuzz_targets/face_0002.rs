//! The card face (face AP EF 0002) record parser: typed errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::face::CardFront::parse(data);
});
