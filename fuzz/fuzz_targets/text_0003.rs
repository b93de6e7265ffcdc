//! The integrity record (text AP EF 0003) record parser: typed errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::text::IntegrityRecord::parse(data);
});
