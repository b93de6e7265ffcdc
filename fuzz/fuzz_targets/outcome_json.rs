//! Expected-result files (`*.expected.json`): a typed error or an outcome that writes back.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::ops::Outcome;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(o) = Outcome::from_json(text) {
        let _ = o.to_json_pretty();
    }
});
