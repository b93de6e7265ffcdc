//! The My Number (text AP EF 0001) record parser: typed errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::text::MyNumberRecord::parse(data);
});
