//! The CLI's PC/SC side: `mynakit readers`, `mynakit sim serve` (the virtual card in a
//! vsmartcard vpcd reader) and the `--stats` report of a card session.

use std::sync::atomic::Ordering;
use std::time::Duration;

use mynakit::{Capabilities, Error, ExchangeHint, Result, Stats, Transport, TransportError};
use mynakit_testkit::sim::VirtualCard;
use mynakit_testkit::sim::vpcd::{self, Event, ServeOptions, StopHandle, VpcdCard};

use crate::source::CardSource;

/// `mynakit sim ...`
#[derive(clap::Subcommand)]
pub enum SimOp {
    /// Put the virtual card into a vsmartcard vpcd reader, so every PC/SC application on
    /// this machine (OpenSC, `mynakit --card pcsc`, ...) sees it. Runs until SIGINT or
    /// SIGTERM.
    Serve(ServeArgs),
}

/// Arguments of `mynakit sim serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The vpcd reader's address. vpcd listens on port 35963 for its first reader by
    /// default (the port is CHANNELID in the reader's configuration).
    #[arg(long, value_name = "HOST:PORT")]
    vpcd: String,
    /// Built-in profile (`taro`, `hanako`) or a profile.json path.
    #[arg(long, default_value = "taro")]
    profile: String,
    /// Seconds to wait for vpcd each time a connection is needed.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    connect_timeout: u64,
    /// Exit when vpcd closes the connection instead of waiting for it to come back.
    #[arg(long)]
    once: bool,
    /// Log power events and every APDU (header, length and status word; never data) to
    /// standard error.
    #[arg(long)]
    verbose: bool,
}

/// Runs `mynakit sim ...`.
pub fn sim(op: SimOp) -> Result<bool> {
    match op {
        SimOp::Serve(args) => serve(&args),
    }
}

fn serve(args: &ServeArgs) -> Result<bool> {
    let profile = CardSource::Sim(args.profile.clone()).sim_profile()?;
    let id = profile.spec.id.clone();
    let mut card = VpcdCard::new(VirtualCard::new(profile)?);
    let stop = StopHandle::new();
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.flag())
            .map_err(|e| Error::InvalidArgument(format!("cannot install a signal handler: {e}")))?;
    }
    let opts = ServeOptions {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        reconnect: !args.once,
        ..ServeOptions::new(args.vpcd.clone())
    };
    eprintln!(
        "mynakit sim serve: virtual card {id} for vpcd at {} (ATR {})",
        args.vpcd,
        hex::encode_upper(vpcd::CONTACT_ATR)
    );
    let verbose = args.verbose;
    let result = vpcd::serve(&mut card, &opts, &stop, &mut |e| match e {
        Event::Atr => {}
        Event::Connected { .. } | Event::Disconnected { .. } | Event::UnknownControl(_) => {
            eprintln!("mynakit sim serve: {e}");
        }
        _ if verbose => eprintln!("mynakit sim serve: {e}"),
        _ => {}
    });
    let why = if stop.flag().load(Ordering::SeqCst) {
        "stopped"
    } else {
        "vpcd closed the connection"
    };
    eprintln!("mynakit sim serve: {why}; {} APDUs answered", card.apdus());
    result?;
    Ok(true)
}

/// Runs `mynakit readers`.
pub fn readers(json: bool) -> Result<bool> {
    #[cfg(feature = "pcsc")]
    {
        let list = mynakit_testkit::pcsc::list_readers()?;
        crate::print(json, &list, || {
            if list.is_empty() {
                return "no PC/SC reader\n".to_string();
            }
            list.iter()
                .map(|r| match &r.atr {
                    Some(atr) => format!(
                        "{}\tcard{}\tATR {atr}\n",
                        r.name,
                        if r.exclusive {
                            " (in exclusive use)"
                        } else {
                            ""
                        }
                    ),
                    None => format!("{}\tno card\n", r.name),
                })
                .collect()
        })?;
        Ok(true)
    }
    #[cfg(not(feature = "pcsc"))]
    {
        let _ = json;
        Err(not_built())
    }
}

/// The message when the CLI was built without the `pcsc` feature (the default).
#[cfg(not(feature = "pcsc"))]
const NOT_BUILT: &str = "this mynakit was built without PC/SC support: rebuild with \
`--features pcsc` (e.g. `cargo run -p mynakit-cli --features pcsc -- readers`; on Linux it \
needs libpcsclite-dev and pkg-config)";

/// The error when the CLI was built without the `pcsc` feature.
#[cfg(not(feature = "pcsc"))]
pub fn not_built() -> Error {
    Error::InvalidArgument(NOT_BUILT.into())
}

/// Counts what crosses the transport and prints it to standard error when the session
/// ends (`--stats`): `stats: apdus=N bytes_sent=N bytes_received=N`. It sits above every
/// other wrapper, so it counts what the core sent, GET RESPONSE and repeated commands
/// included (the same figures as `Card::stats`).
pub struct StatsReport<T: Transport> {
    inner: T,
    stats: Stats,
}

impl<T: Transport> StatsReport<T> {
    /// Wraps a transport.
    pub fn new(inner: T) -> Self {
        StatsReport {
            inner,
            stats: Stats::default(),
        }
    }
}

impl<T: Transport> Transport for StatsReport<T> {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        self.stats.apdus += 1;
        self.stats.bytes_sent += apdu.len() as u64;
        let r = self.inner.transmit(apdu, hint)?;
        self.stats.bytes_received += r.len() as u64;
        Ok(r)
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

impl<T: Transport> Drop for StatsReport<T> {
    fn drop(&mut self) {
        let s = self.stats;
        eprintln!(
            "stats: apdus={} bytes_sent={} bytes_received={}",
            s.apdus, s.bytes_sent, s.bytes_received
        );
    }
}
