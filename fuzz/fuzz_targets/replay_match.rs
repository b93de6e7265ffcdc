//! Replay matching: arbitrary commands against a golden trace (strict and relaxed), and a
//! golden trace whose response at one exchange is replaced by fuzz bytes replayed through
//! the whole operation. Never a panic, never a second VERIFY for one credential.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit_testkit::trace::{ReplayMode, ReplayTransport, Trace, ops};
use mynakit::{ExchangeHint, Transport};
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(mut t) = Trace::parse(common::GOLDEN[usize::from(sel & 3)]) else {
        return;
    };
    let mode = if sel & 4 != 0 {
        ReplayMode::Relaxed
    } else {
        ReplayMode::Strict
    };
    if sel & 8 != 0 {
        // Commands from the fuzzer, split at 0xFE.
        let mut replay = ReplayTransport::new(t, mode);
        for cmd in rest.split(|&b| b == 0xFE) {
            let hint = ExchangeHint {
                sensitive: cmd.get(1) == Some(&0x20),
                ..ExchangeHint::default()
            };
            let _ = replay.transmit(cmd, hint);
        }
        let _ = replay.finish();
        return;
    }
    let Some((&at, rsp)) = rest.split_first() else {
        return;
    };
    let n = t.exchanges.len();
    if n == 0 {
        return;
    }
    if let Some(x) = t.exchanges.get_mut(usize::from(at) % n) {
        x.response = Ok(rsp.to_vec());
    }
    if let Ok(r) = ops::replay(&t, mode, Vec::new()) {
        assert!(r.max_verify_per_credential <= 1);
    }
});
