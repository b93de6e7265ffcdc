//! The virtual card in a PC/SC reader, over vsmartcard's vpcd protocol.
//!
//! vsmartcard's reader driver (`libifdvpcd.so`, Debian package `vsmartcard-vpcd`) gives
//! pcscd a reader whose card is a TCP peer: the driver listens on a port, a virtual card
//! connects to it, and from then on every PC/SC application on the machine sees a card in
//! that reader. [`serve`] is that card: it connects to the driver and answers with a
//! [`VirtualCard`].
//!
//! The protocol: every message, both ways, is a 2-byte big-endian length and the payload.
//! The driver sends either a 1-byte control code or a command APDU:
//!
//! | payload | meaning | the card's answer |
//! |---|---|---|
//! | `00` | power off | none; [`VirtualCard::power_cycle`] (the security state is lost) |
//! | `01` | power on | none |
//! | `02` | warm reset | none; [`VirtualCard::warm_reset`] (see below) |
//! | `04` | ATR request (also the driver's presence poll, several times a second) | the ATR |
//! | 2+ bytes | command APDU | the response APDU (data + SW1 SW2) |
//!
//! **Warm reset keeps the security state.** The notes report that a successful VERIFY on
//! the My Number Card survives `SCARD_RESET_CARD` and is cleared only by
//! `SCARD_UNPOWER_CARD` (card-protocol §5.4, §12.1; single source). The virtual card
//! follows them: a reset returns to the power-on selection state (no application
//! selected) but keeps verified credentials, which are valid again once the same
//! application is selected. A client that wants a clean card must power it off.
//!
//! The ATR is the contact ATR OpenSC lists for the card, `3B E0 00 FF 81 31 FE 45 14`
//! (card-protocol §1): T=1, no historical bytes. Clients should identify the card by
//! selecting its applications, not by the ATR.
//!
//! Nothing secret is reported: [`Event::Apdu`] carries the header, the data length and
//! the status word, never the data.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::VirtualCard;

/// The contact ATR of the My Number Card as OpenSC lists it (card-protocol §1).
pub const CONTACT_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// The port of vpcd's first reader in its default configuration.
pub const DEFAULT_PORT: u16 = 35963;

/// Control code: power off.
pub const CTRL_OFF: u8 = 0;
/// Control code: power on.
pub const CTRL_ON: u8 = 1;
/// Control code: warm reset.
pub const CTRL_RESET: u8 = 2;
/// Control code: send the ATR.
pub const CTRL_ATR: u8 = 4;

/// What happened on the link; for logs. Never carries command or response data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Connected to the driver.
    Connected {
        /// The driver's address.
        peer: String,
    },
    /// The reader powered the card off.
    PowerOff,
    /// The reader powered the card on.
    PowerOn,
    /// The reader reset the card (warm reset).
    Reset,
    /// The reader asked for the ATR (also its presence poll).
    Atr,
    /// A command APDU was answered.
    Apdu {
        /// CLA INS P1 P2 (fewer bytes for a malformed command).
        header: Vec<u8>,
        /// Bytes after the header (Lc, data, Le), not the data itself.
        body_len: usize,
        /// The status word of the answer.
        sw: u16,
        /// Bytes in the answer, status word included.
        response_len: usize,
    },
    /// An unknown 1-byte control code was ignored.
    UnknownControl(u8),
    /// The driver closed the connection (pcscd stopped) or the link failed; the card is
    /// powered off, as when it leaves a reader.
    Disconnected {
        /// Why, when the link failed.
        reason: Option<String>,
    },
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Connected { peer } => write!(f, "connected to vpcd at {peer}"),
            Event::PowerOff => write!(f, "power off"),
            Event::PowerOn => write!(f, "power on"),
            Event::Reset => write!(f, "warm reset"),
            Event::Atr => write!(f, "ATR requested"),
            Event::Apdu {
                header,
                body_len,
                sw,
                response_len,
            } => write!(
                f,
                "APDU {} +{body_len} -> {response_len} bytes, SW {sw:04X}",
                hex::encode_upper(header)
            ),
            Event::UnknownControl(c) => write!(f, "unknown control code {c:02X} ignored"),
            Event::Disconnected { reason: None } => write!(f, "vpcd closed the connection"),
            Event::Disconnected { reason: Some(r) } => write!(f, "connection lost: {r}"),
        }
    }
}

/// Errors of [`serve`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VpcdError {
    /// The driver could not be reached within the connect timeout.
    #[error("cannot connect to vpcd at {addr} ({attempts} attempts in {waited:?}): {source}")]
    Connect {
        /// The address tried.
        addr: String,
        /// How many connection attempts were made.
        attempts: u32,
        /// How long it tried.
        waited: Duration,
        /// The last failure.
        source: io::Error,
    },
    /// The address is not `HOST:PORT`.
    #[error("invalid vpcd address {0:?}: expected HOST:PORT")]
    Address(String),
}

impl From<VpcdError> for mynakit::Error {
    fn from(e: VpcdError) -> Self {
        mynakit::Error::Transport(mynakit::TransportError::other(e.to_string()))
    }
}

/// The virtual card as vpcd sees it: a [`VirtualCard`] with an ATR and a power state.
pub struct VpcdCard {
    card: VirtualCard,
    atr: Vec<u8>,
    powered: bool,
    apdus: u64,
}

impl VpcdCard {
    /// Wraps a virtual card, with the contact ATR [`CONTACT_ATR`].
    pub fn new(card: VirtualCard) -> Self {
        VpcdCard {
            card,
            atr: CONTACT_ATR.to_vec(),
            powered: false,
            apdus: 0,
        }
    }

    /// Uses another ATR.
    #[must_use]
    pub fn with_atr(mut self, atr: Vec<u8>) -> Self {
        self.atr = atr;
        self
    }

    /// The virtual card.
    pub fn card(&self) -> &VirtualCard {
        &self.card
    }

    /// The virtual card, mutably.
    pub fn card_mut(&mut self) -> &mut VirtualCard {
        &mut self.card
    }

    /// Whether the reader has powered the card.
    pub fn powered(&self) -> bool {
        self.powered
    }

    /// Command APDUs answered since this value was made.
    pub fn apdus(&self) -> u64 {
        self.apdus
    }

    /// The card leaves the reader: power is lost.
    pub fn power_off(&mut self) {
        self.powered = false;
        self.card.power_cycle();
    }

    /// Handles one message from the driver: the reply to send (if any) and what happened.
    pub fn handle(&mut self, msg: &[u8]) -> (Option<Vec<u8>>, Event) {
        match msg {
            [CTRL_OFF] => {
                self.power_off();
                (None, Event::PowerOff)
            }
            [CTRL_ON] => {
                self.powered = true;
                (None, Event::PowerOn)
            }
            [CTRL_RESET] => {
                self.powered = true;
                self.card.warm_reset();
                (None, Event::Reset)
            }
            [CTRL_ATR] => (Some(self.atr.clone()), Event::Atr),
            [other] => (None, Event::UnknownControl(*other)),
            apdu => {
                self.apdus += 1;
                let mut resp = self.card.process(apdu);
                if resp.len() > usize::from(u16::MAX) {
                    // Cannot be framed; the virtual card's files are far smaller, so this
                    // only happens for a crafted extended Le. Wrong length.
                    resp = vec![0x67, 0x00];
                }
                let sw = match resp.get(resp.len().saturating_sub(2)..) {
                    Some(&[a, b]) => u16::from_be_bytes([a, b]),
                    _ => 0,
                };
                let event = Event::Apdu {
                    header: apdu.get(..4).unwrap_or(apdu).to_vec(),
                    body_len: apdu.len().saturating_sub(4),
                    sw,
                    response_len: resp.len(),
                };
                (Some(resp), event)
            }
        }
    }
}

/// Asks [`serve`] to stop; clones share the flag (for a signal handler).
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// A handle that has not been told to stop.
    pub fn new() -> Self {
        StopHandle::default()
    }

    /// Tells [`serve`] to stop; it returns within one poll interval.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether stopping was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The shared flag, for APIs that set an `AtomicBool` (signal handlers).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }
}

/// How [`serve`] connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    /// The driver's address, `HOST:PORT` (vpcd listens on 35963 for its first reader by
    /// default; the port is `CHANNELID` in the reader configuration).
    pub addr: String,
    /// How long to keep trying to connect, each time a connection is needed (vpcd may
    /// not be up yet: pcscd loads the driver a moment after it starts).
    pub connect_timeout: Duration,
    /// Pause between connection attempts.
    pub retry_interval: Duration,
    /// How often a blocked read wakes up to check the stop flag.
    pub poll_interval: Duration,
    /// Connect again after the driver closed the connection (pcscd restarted). Off: return
    /// after the first connection ends.
    pub reconnect: bool,
}

impl ServeOptions {
    /// Defaults for an address: 30 s to connect, retries every 200 ms, stop checked every
    /// 200 ms, reconnect on.
    pub fn new(addr: impl Into<String>) -> Self {
        ServeOptions {
            addr: addr.into(),
            connect_timeout: Duration::from_secs(30),
            retry_interval: Duration::from_millis(200),
            poll_interval: Duration::from_millis(200),
            reconnect: true,
        }
    }
}

/// Writes one message: length and payload in a single write.
pub fn write_frame<W: Write>(w: &mut W, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}-byte payload does not fit a vpcd message", payload.len()),
        )
    })?;
    let mut buf = Vec::with_capacity(payload.len() + 2);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(payload);
    w.write_all(&buf)?;
    w.flush()
}

/// Fills `buf` completely. Read timeouts only wake the loop up to check `stop`. Returns
/// `false` when stopped or at a clean end of stream before the first byte.
fn fill<R: Read>(r: &mut R, buf: &mut [u8], stop: &StopHandle) -> io::Result<bool> {
    let mut done = 0;
    while done < buf.len() {
        if stop.is_stopped() {
            return Ok(false);
        }
        let Some(rest) = buf.get_mut(done..) else {
            break;
        };
        match r.read(rest) {
            Ok(0) if done == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed inside a message",
                ));
            }
            Ok(n) => done += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Reads one message. `None`: the peer closed the connection between messages, or
/// `stop` was set.
pub fn read_frame<R: Read>(r: &mut R, stop: &StopHandle) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    if !fill(r, &mut len, stop)? {
        return Ok(None);
    }
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    if payload.is_empty() {
        return Ok(Some(payload));
    }
    if !fill(r, &mut payload, stop)? {
        if stop.is_stopped() {
            return Ok(None);
        }
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed after a message length",
        ));
    }
    Ok(Some(payload))
}

fn connect(opts: &ServeOptions, stop: &StopHandle) -> Result<Option<TcpStream>, VpcdError> {
    let started = Instant::now();
    let mut attempts = 0u32;
    loop {
        if stop.is_stopped() {
            return Ok(None);
        }
        attempts += 1;
        let addr = opts
            .addr
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| VpcdError::Address(opts.addr.clone()))?;
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(stream) => return Ok(Some(stream)),
            Err(source) => {
                let waited = started.elapsed();
                if waited >= opts.connect_timeout {
                    return Err(VpcdError::Connect {
                        addr: opts.addr.clone(),
                        attempts,
                        waited,
                        source,
                    });
                }
                std::thread::sleep(opts.retry_interval);
            }
        }
    }
}

/// Answers one connection until the driver closes it, the link fails, or `stop` is set.
fn session(
    card: &mut VpcdCard,
    stream: &mut TcpStream,
    stop: &StopHandle,
    on_event: &mut dyn FnMut(&Event),
) -> io::Result<()> {
    while let Some(msg) = read_frame(stream, stop)? {
        if msg.is_empty() {
            continue;
        }
        let (reply, event) = card.handle(&msg);
        // Report before answering: whoever waits for the answer then finds the event
        // already logged.
        on_event(&event);
        if let Some(reply) = reply {
            write_frame(stream, &reply)?;
        }
    }
    Ok(())
}

/// Connects to vpcd and answers as the card until told to stop. When the driver closes the
/// connection (pcscd stopped), the card is powered off and, with
/// [`ServeOptions::reconnect`], serve connects again (bounded by the connect timeout each
/// time). Returns `Ok` when stopped or, without reconnect, when the connection ends;
/// [`VpcdError::Connect`] when the driver cannot be reached in time.
pub fn serve(
    card: &mut VpcdCard,
    opts: &ServeOptions,
    stop: &StopHandle,
    on_event: &mut dyn FnMut(&Event),
) -> Result<(), VpcdError> {
    loop {
        let Some(mut stream) = connect(opts, stop)? else {
            return Ok(());
        };
        // One APDU per round trip: never wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let poll = opts.poll_interval.max(Duration::from_millis(1));
        let reason = match stream.set_read_timeout(Some(poll)) {
            Ok(()) => {
                let peer = stream
                    .peer_addr()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|_| opts.addr.clone());
                on_event(&Event::Connected { peer });
                session(card, &mut stream, stop, on_event)
                    .err()
                    .map(|e| e.to_string())
            }
            Err(e) => Some(e.to_string()),
        };
        let _ = stream.shutdown(std::net::Shutdown::Both);
        card.power_off();
        if stop.is_stopped() {
            return Ok(());
        }
        on_event(&Event::Disconnected { reason });
        if !opts.reconnect {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> VpcdCard {
        VpcdCard::new(VirtualCard::builtin("taro").expect("profile"))
    }

    #[test]
    fn control_codes() {
        let mut c = card();
        assert_eq!(
            c.handle(&[CTRL_ATR]),
            (Some(CONTACT_ATR.to_vec()), Event::Atr)
        );
        assert_eq!(c.handle(&[CTRL_ON]), (None, Event::PowerOn));
        assert!(c.powered());
        assert_eq!(c.handle(&[CTRL_RESET]), (None, Event::Reset));
        assert_eq!(c.handle(&[CTRL_OFF]), (None, Event::PowerOff));
        assert!(!c.powered());
        assert_eq!(c.handle(&[3]), (None, Event::UnknownControl(3)));
        assert_eq!(c.apdus(), 0);
    }

    #[test]
    fn apdus_are_answered_by_the_virtual_card() {
        let mut c = card();
        let select = [
            0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
            0x01,
        ];
        let (reply, event) = c.handle(&select);
        assert_eq!(reply, Some(vec![0x90, 0x00]));
        assert_eq!(
            event,
            Event::Apdu {
                header: vec![0x00, 0xA4, 0x04, 0x0C],
                body_len: 11,
                sw: 0x9000,
                response_len: 2
            }
        );
        // Malformed: two bytes.
        let (reply, _) = c.handle(&[0x00, 0xA4]);
        assert_eq!(reply, Some(vec![0x67, 0x00]));
        assert_eq!(c.apdus(), 2);
    }

    #[test]
    fn frames_round_trip_and_reject_oversize() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &[CTRL_ATR]).expect("write");
        write_frame(&mut buf, &[0xAA; 300]).expect("write");
        assert_eq!(buf.get(..3), Some(&[0x00, 0x01, 0x04][..]));
        assert_eq!(buf.get(3..5), Some(&[0x01, 0x2C][..]));
        let stop = StopHandle::new();
        let mut r = io::Cursor::new(buf);
        assert_eq!(
            read_frame(&mut r, &stop).expect("read"),
            Some(vec![CTRL_ATR])
        );
        assert_eq!(
            read_frame(&mut r, &stop).expect("read"),
            Some(vec![0xAA; 300])
        );
        assert_eq!(read_frame(&mut r, &stop).expect("read"), None);
        assert!(write_frame(&mut Vec::new(), &vec![0; 65_536]).is_err());
        // Truncated payload.
        let mut r = io::Cursor::new(vec![0x00, 0x05, 0x01, 0x02]);
        assert!(read_frame(&mut r, &stop).is_err());
        // A stop request ends reading.
        stop.stop();
        let mut r = io::Cursor::new(vec![0x00, 0x01, 0x04]);
        assert_eq!(read_frame(&mut r, &stop).expect("read"), None);
    }
}
