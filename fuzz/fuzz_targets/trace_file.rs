//! A whole trace file, as bytes and as a stream: a typed error or a trace that writes back
//! to text that parses again to the same trace.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::Trace;

fuzz_target!(|data: &[u8]| {
    let parsed = Trace::parse_bytes(data);
    let streamed = Trace::read_from(data);
    assert_eq!(
        parsed.is_ok(),
        streamed.is_ok(),
        "{:?} / {:?}",
        parsed.as_ref().err(),
        streamed.as_ref().err()
    );
    if let Ok(t) = parsed {
        let text = t.to_jsonl().expect("a parsed trace writes back");
        let again = Trace::parse(&text).expect("a written trace parses");
        assert_eq!(again, t);
    }
});
