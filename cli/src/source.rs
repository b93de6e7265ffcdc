//! Where the card comes from: `--card sim[:PROFILE]` (the virtual card),
//! `--card pcsc[:READER]` (a PC/SC reader) or `--card replay:FILE` (a recorded trace).

use std::path::{Path, PathBuf};

use mynakit::cert::TrustPolicy;
use mynakit::{Capabilities, Card, Error, Result, Transport};
use mynakit_testkit::fault::{FaultyTransport, parse_scenario};
use mynakit_testkit::sim::{CardProfile, VirtualCard};
use mynakit_testkit::trace::{ReplayMode, ReplayTransport, Trace, TraceHeader};

/// A parsed `--card` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardSource {
    /// The virtual card with a built-in profile name or a profile path.
    Sim(String),
    /// A PC/SC reader: `pcsc` (the only reader holding a card) or `pcsc:NAME` (a reader's
    /// full name or a part of it that matches one reader).
    Pcsc(Option<String>),
    /// A recorded trace answering in place of the card: `replay:FILE` (strict) or
    /// `replay-relaxed:FILE` (a redacted secret may have another length).
    Replay(PathBuf, ReplayMode),
}

impl CardSource {
    pub fn parse(s: &str) -> Result<Self> {
        match s.split_once(':') {
            None if s == "sim" => Ok(CardSource::Sim("taro".into())),
            Some(("sim", p)) if !p.is_empty() => Ok(CardSource::Sim(p.into())),
            None if s == "pcsc" => Ok(CardSource::Pcsc(None)),
            Some(("pcsc", r)) if !r.is_empty() => Ok(CardSource::Pcsc(Some(r.into()))),
            Some(("replay", f)) if !f.is_empty() => {
                Ok(CardSource::Replay(f.into(), ReplayMode::Strict))
            }
            Some(("replay-relaxed", f)) if !f.is_empty() => {
                Ok(CardSource::Replay(f.into(), ReplayMode::Relaxed))
            }
            _ => Err(Error::InvalidArgument(format!(
                "unknown card source {s:?}: use sim, sim:PROFILE (built-in: {}), pcsc, pcsc:READER, replay:FILE or replay-relaxed:FILE",
                mynakit_testkit::sim::BUILTIN_PROFILES.join(", ")
            ))),
        }
    }

    /// The virtual card's profile, when the source is the virtual card.
    pub fn sim_profile(&self) -> Result<CardProfile> {
        match self {
            CardSource::Sim(p) => {
                if mynakit_testkit::sim::BUILTIN_PROFILES.contains(&p.as_str()) {
                    CardProfile::builtin(p)
                } else {
                    CardProfile::load(Path::new(p))
                }
            }
            CardSource::Pcsc(_) => Err(Error::InvalidArgument(
                "a PC/SC card has no virtual-card profile".into(),
            )),
            CardSource::Replay(..) => Err(Error::InvalidArgument(
                "a replayed trace has no virtual-card profile".into(),
            )),
        }
    }
}

/// Reads a trace file line by line, within the trace format's bounds (a huge or hostile file
/// is refused before it is read whole).
pub fn read_trace(path: &Path) -> Result<Trace> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))?;
    Trace::read_from(file).map_err(|e| Error::Trace(format!("{}: {e}", path.display())))
}

/// The header of a replayed trace (`None` for other sources).
pub fn replay_header(source: &CardSource) -> Result<Option<TraceHeader>> {
    match source {
        CardSource::Replay(path, _) => Ok(Some(read_trace(path)?.header)),
        _ => Ok(None),
    }
}

/// The trust policy a replayed trace was recorded with.
pub fn replay_trust(source: &CardSource) -> Result<TrustPolicy> {
    Ok(replay_header(source)?.map_or(TrustPolicy::PRODUCTION, |h| h.trust))
}

/// Options that shape the transport.
#[derive(Clone, Debug, Default)]
pub struct TransportOptions {
    /// Report extended-length capability (virtual card; for PC/SC the explicit opt-in).
    pub extended: bool,
    /// A fault scenario (see `mynakit_testkit::fault`).
    pub faults: Option<String>,
    /// Print the session's APDU and byte counts to standard error when it ends.
    pub stats: bool,
}

/// Opens a card session.
pub fn open(source: &CardSource, opts: &TransportOptions) -> Result<Card<Box<dyn Transport>>> {
    let mut replay_options = None;
    let transport: Box<dyn Transport> = match source {
        CardSource::Replay(path, mode) => {
            let trace = read_trace(path)?;
            replay_options = Some((trace.header.protocol, trace.header.pin_policy));
            Box::new(ReplayTransport::new(trace, *mode))
        }
        CardSource::Sim(_) => {
            let caps = if opts.extended {
                Capabilities::EXTENDED_FULL
            } else {
                Capabilities::SHORT
            };
            Box::new(VirtualCard::new(source.sim_profile()?)?.with_capabilities(caps))
        }
        #[cfg(feature = "pcsc")]
        CardSource::Pcsc(reader) => Box::new(mynakit_testkit::pcsc::PcscTransport::open(
            &mynakit_testkit::pcsc::PcscOptions {
                reader: reader.clone(),
                extended_length: opts.extended,
            },
        )?),
        #[cfg(not(feature = "pcsc"))]
        CardSource::Pcsc(_) => return Err(crate::pcsc_cmd::not_built()),
    };
    let transport: Box<dyn Transport> = match &opts.faults {
        Some(spec) => Box::new(FaultyTransport::new(transport, parse_scenario(spec)?)),
        None => transport,
    };
    let transport: Box<dyn Transport> = if opts.stats {
        Box::new(crate::pcsc_cmd::StatsReport::new(transport))
    } else {
        transport
    };
    let mut card = Card::new(transport)?;
    if let Some((protocol, policy)) = replay_options {
        // Replay only matches when the engine sends what it sent while recording.
        card.options = protocol;
        card.policy = policy;
    }
    Ok(card)
}
