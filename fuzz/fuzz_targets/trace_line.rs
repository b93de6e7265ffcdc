//! One exchange line of a trace, after a valid header: a typed, line-numbered error or an
//! exchange, never a panic, with bounded work.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::Trace;
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let header = common::GOLDEN[1].lines().next().unwrap_or_default();
    let text = format!("{header}\n{line}\n{{\"end\":{{\"exchanges\":1}}}}\n");
    if let Err(e) = Trace::parse(&text) {
        assert!(e.line.is_some(), "{e}");
    }
});
