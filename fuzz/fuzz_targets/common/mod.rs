//! Shared pieces of the fuzz targets: a card whose answers come from the fuzzer, and the
//! golden traces the trace targets start from.
#![allow(dead_code)]

use mynakit::{Capabilities, ExchangeHint, Transport, TransportError};

/// A transport answering from the fuzz input: each answer is one length byte, then that
/// many bytes; the input running out is a card removal. Counts VERIFY commands that carry
/// a value (the SDK sends at most one per user action).
pub struct Fuzzed<'a> {
    pub rest: &'a [u8],
    pub extended: bool,
    pub verifies: usize,
    pub apdus: usize,
}

impl<'a> Fuzzed<'a> {
    pub fn new(rest: &'a [u8], extended: bool) -> Self {
        Fuzzed {
            rest,
            extended,
            verifies: 0,
            apdus: 0,
        }
    }
}

impl Transport for Fuzzed<'_> {
    fn transmit(&mut self, apdu: &[u8], _: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        self.apdus += 1;
        if apdu.get(1) == Some(&0x20) && apdu.len() > 5 {
            self.verifies += 1;
        }
        let Some((&n, rest)) = self.rest.split_first() else {
            return Err(TransportError::card_removed("fuzz input exhausted"));
        };
        let n = usize::from(n).min(rest.len());
        let (answer, rest) = rest.split_at(n);
        self.rest = rest;
        Ok(answer.to_vec())
    }
    fn capabilities(&self) -> Capabilities {
        if self.extended {
            Capabilities::EXTENDED_FULL
        } else {
            Capabilities::SHORT
        }
    }
}

/// Golden traces (test-vectors/traces), embedded.
pub const GOLDEN: &[&str] = &[
    include_str!("../../../test-vectors/traces/sign-auth.trace.jsonl"),
    include_str!("../../../test-vectors/traces/auth-cert.trace.jsonl"),
    include_str!("../../../test-vectors/traces/face.trace.jsonl"),
    include_str!("../../../test-vectors/traces/text.trace.jsonl"),
];
