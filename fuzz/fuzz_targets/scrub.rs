//! Scrubbing a trace whose exchanges come from the fuzzer: never a panic, and every
//! response keeps its length (scrubbing replaces bytes, it never adds or removes any).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::{Exchange, Trace, scrub};
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(mut t) = Trace::parse(common::GOLDEN[2]) else {
        return;
    };
    t.header.redacted.clear();
    // Records: command length, command, response length, response.
    let mut rest = data;
    let mut exchanges = Vec::new();
    let take = |rest: &mut &[u8]| -> Option<Vec<u8>> {
        let (&n, tail) = rest.split_first()?;
        let n = usize::from(n).min(tail.len());
        let (a, b) = tail.split_at(n);
        *rest = b;
        Some(a.to_vec())
    };
    while let (Some(cmd), Some(rsp)) = (take(&mut rest), take(&mut rest)) {
        let cmd = if cmd.len() < 4 {
            vec![0x00, 0xB0, 0x00, 0x00]
        } else {
            cmd
        };
        exchanges.push(Exchange {
            command: cmd,
            redacted: None,
            response: Ok(rsp),
            scrubbed: vec![],
            elapsed_ms: 0,
            note: None,
        });
    }
    t.exchanges = exchanges;
    let s = scrub(&t);
    assert_eq!(s.exchanges.len(), t.exchanges.len());
    for (a, b) in s.exchanges.iter().zip(&t.exchanges) {
        let (Ok(a), Ok(b)) = (&a.response, &b.response) else {
            continue;
        };
        assert_eq!(a.len(), b.len());
    }
    let _ = s.to_jsonl();
});
