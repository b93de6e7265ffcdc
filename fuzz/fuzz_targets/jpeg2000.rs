//! The JPEG 2000 decoder for the card-face photo: typed errors with bounded memory and
//! time, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::face::decode_photo(data);
});
