//! The My Number image (face AP EF 0005) record parser: typed errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::face::MyNumberImage::parse(data);
});
