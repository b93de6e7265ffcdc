//! Fault injection: a transport wrapper that breaks chosen exchanges, so QA can script
//! "card removed during VERIFY" and tests can prove every failure gives a typed error.
//!
//! A scenario is a list of faults, each at an exchange index (0-based, counting every
//! APDU the wrapper sees). In text form, comma-separated `INDEX:KIND`:
//!
//! | kind | effect |
//! |---|---|
//! | `tag-lost` | the command never reaches the card; the transport reports the card removed |
//! | `lost-after` | the card processes the command, then the link drops before the answer |
//! | `timeout` | the command never reaches the card; the transport reports a timeout |
//! | `garbage=HEX` | the card processes the command; the app receives `HEX` instead |
//! | `sw=XXXX` | the command never reaches the card; the app receives status `XXXX` |
//! | `truncate=N` | the card processes the command; the app receives only its first N bytes |
//!
//! Example: `3:lost-after,7:sw=6A82`.

use std::fmt;

use mynakit::error::{Error, Result, TransportError};
use mynakit::transport::{Capabilities, ExchangeHint, Transport};

/// What goes wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The command is lost before the card sees it (card removed).
    TagLost,
    /// The card processes the command, then the link drops.
    LostAfterDelivery,
    /// The command times out before the card sees it.
    Timeout,
    /// The card processes the command; these bytes arrive instead of its answer.
    Garbage(Vec<u8>),
    /// The command is not delivered; this status word arrives instead.
    StatusWord(u16),
    /// The card processes the command; only the first N bytes of its answer arrive.
    Truncate(usize),
}

/// One fault at one exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Exchange index, 0-based.
    pub at: usize,
    /// What happens.
    pub kind: FaultKind,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FaultKind::TagLost => write!(f, "{}:tag-lost", self.at),
            FaultKind::LostAfterDelivery => write!(f, "{}:lost-after", self.at),
            FaultKind::Timeout => write!(f, "{}:timeout", self.at),
            FaultKind::Garbage(b) => write!(f, "{}:garbage={}", self.at, hex::encode_upper(b)),
            FaultKind::StatusWord(sw) => write!(f, "{}:sw={sw:04X}", self.at),
            FaultKind::Truncate(n) => write!(f, "{}:truncate={n}", self.at),
        }
    }
}

/// Parses a scenario such as `3:lost-after,7:sw=6A82`.
pub fn parse_scenario(spec: &str) -> Result<Vec<Fault>> {
    let mut out = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let bad = |why: &str| Error::InvalidArgument(format!("fault {item:?}: {why}"));
        let (at, kind) = item
            .split_once(':')
            .ok_or_else(|| bad("expected INDEX:KIND"))?;
        let at: usize = at
            .trim()
            .parse()
            .map_err(|_| bad("the index is not a number"))?;
        let (name, arg) = match kind.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (kind.trim(), None),
        };
        let kind = match (name, arg) {
            ("tag-lost", None) => FaultKind::TagLost,
            ("lost-after", None) => FaultKind::LostAfterDelivery,
            ("timeout", None) => FaultKind::Timeout,
            ("garbage", Some(h)) => {
                FaultKind::Garbage(hex::decode(h).map_err(|_| bad("garbage needs hex bytes"))?)
            }
            ("sw", Some(h)) if h.len() == 4 => FaultKind::StatusWord(
                u16::from_str_radix(h, 16).map_err(|_| bad("sw needs 4 hex digits"))?,
            ),
            ("truncate", Some(n)) => {
                FaultKind::Truncate(n.parse().map_err(|_| bad("truncate needs a byte count"))?)
            }
            _ => {
                return Err(bad(
                    "unknown kind (tag-lost, lost-after, timeout, garbage=HEX, sw=XXXX, truncate=N)",
                ));
            }
        };
        out.push(Fault { at, kind });
    }
    Ok(out)
}

/// A transport that injects faults into another.
pub struct FaultyTransport<T: Transport> {
    inner: T,
    faults: Vec<Fault>,
    index: usize,
    fired: Vec<Fault>,
}

impl<T: Transport> FaultyTransport<T> {
    /// Wraps `inner` with a scenario.
    pub fn new(inner: T, faults: Vec<Fault>) -> Self {
        FaultyTransport {
            inner,
            faults,
            index: 0,
            fired: Vec::new(),
        }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Exchanges seen so far.
    pub fn exchanges(&self) -> usize {
        self.index
    }

    /// Faults that fired so far.
    pub fn fired(&self) -> &[Fault] {
        &self.fired
    }
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn transmit(
        &mut self,
        apdu: &[u8],
        hint: ExchangeHint,
    ) -> std::result::Result<Vec<u8>, TransportError> {
        let i = self.index;
        self.index += 1;
        let Some(fault) = self.faults.iter().find(|f| f.at == i).cloned() else {
            return self.inner.transmit(apdu, hint);
        };
        self.fired.push(fault.clone());
        match fault.kind {
            FaultKind::TagLost => Err(TransportError::card_removed(format!(
                "injected fault: tag lost at exchange {i}"
            ))),
            FaultKind::Timeout => Err(TransportError::Timeout {
                message: format!("injected fault: timeout at exchange {i}"),
            }),
            FaultKind::StatusWord(sw) => Ok(sw.to_be_bytes().to_vec()),
            FaultKind::LostAfterDelivery => {
                let _ = self.inner.transmit(apdu, hint)?;
                Err(TransportError::card_removed(format!(
                    "injected fault: link lost after exchange {i} was delivered"
                )))
            }
            FaultKind::Garbage(bytes) => {
                let _ = self.inner.transmit(apdu, hint)?;
                Ok(bytes)
            }
            FaultKind::Truncate(n) => {
                let mut r = self.inner.transmit(apdu, hint)?;
                r.truncate(n);
                Ok(r)
            }
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_round_trips() {
        let spec = "0:tag-lost,3:lost-after,4:timeout,5:garbage=6A,6:sw=6A82,7:truncate=1";
        let faults = parse_scenario(spec).unwrap_or_default();
        assert_eq!(faults.len(), 6);
        let back: Vec<String> = faults.iter().map(ToString::to_string).collect();
        assert_eq!(back.join(","), spec);
    }

    #[test]
    fn bad_scenarios_are_errors() {
        for bad in [
            "x",
            "1",
            "a:tag-lost",
            "1:explode",
            "1:sw=69",
            "1:garbage=zz",
            "1:truncate=-1",
        ] {
            assert!(parse_scenario(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_scenario("").ok(), Some(vec![]));
    }
}
