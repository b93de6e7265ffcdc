//! The BER-TLV reader and the response splitter must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mynakit::ber::parse_header(data);
    if let Ok(t) = mynakit::ber::first(data) {
        if let Ok(kids) = mynakit::ber::children(t.value) {
            for k in kids {
                let _ = mynakit::ber::children(k.value);
            }
        }
    }
    let _ = mynakit::Response::parse(data);
});
