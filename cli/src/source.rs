//! Where the card comes from: `--card sim[:PROFILE]` today; PC/SC readers and trace
//! replay plug in here.

use std::path::Path;

use mynakit::fault::{FaultyTransport, parse_scenario};
use mynakit::sim::{CardProfile, VirtualCard};
use mynakit::{Capabilities, Card, Error, Result, Transport};

/// A parsed `--card` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardSource {
    /// The virtual card with a built-in profile name or a profile path.
    Sim(String),
}

impl CardSource {
    pub fn parse(s: &str) -> Result<Self> {
        match s.split_once(':') {
            None if s == "sim" => Ok(CardSource::Sim("taro".into())),
            Some(("sim", p)) if !p.is_empty() => Ok(CardSource::Sim(p.into())),
            _ => Err(Error::InvalidArgument(format!(
                "unknown card source {s:?}: use sim or sim:PROFILE (built-in: {})",
                mynakit::sim::BUILTIN_PROFILES.join(", ")
            ))),
        }
    }

    /// The virtual card's profile, when the source is the virtual card.
    pub fn sim_profile(&self) -> Result<CardProfile> {
        match self {
            CardSource::Sim(p) => {
                if mynakit::sim::BUILTIN_PROFILES.contains(&p.as_str()) {
                    CardProfile::builtin(p)
                } else {
                    CardProfile::load(Path::new(p))
                }
            }
        }
    }
}

/// Options that shape the transport.
#[derive(Clone, Debug, Default)]
pub struct TransportOptions {
    /// Report extended-length capability (virtual card).
    pub extended: bool,
    /// A fault scenario (see `mynakit::fault`).
    pub faults: Option<String>,
}

/// Opens a card session.
pub fn open(source: &CardSource, opts: &TransportOptions) -> Result<Card<Box<dyn Transport>>> {
    let transport: Box<dyn Transport> = match source {
        CardSource::Sim(_) => {
            let caps = if opts.extended {
                Capabilities::EXTENDED_FULL
            } else {
                Capabilities::SHORT
            };
            Box::new(VirtualCard::new(source.sim_profile()?)?.with_capabilities(caps))
        }
    };
    let transport: Box<dyn Transport> = match &opts.faults {
        Some(spec) => Box::new(FaultyTransport::new(transport, parse_scenario(spec)?)),
        None => transport,
    };
    Card::new(transport)
}
