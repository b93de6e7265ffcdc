//! Desktop PC/SC readers (feature `pcsc`): pcsc-lite on Linux, WinSCard on Windows, the
//! PC/SC framework on macOS. Not built for Android or iOS.
//!
//! [`PcscTransport`] is a [`Transport`] over one card in one reader:
//!
//! * **Exclusive access.** The card is opened with `SCARD_SHARE_EXCLUSIVE`, so no other
//!   application can send a command while the session lasts. The core relies on that: it
//!   reuses a retry counter it read earlier in the session, which is only safe when nobody
//!   else can send a VERIFY in between.
//! * **Power off at the end.** The card is disconnected with `SCARD_UNPOWER_CARD`
//!   ([`PcscTransport::close`] or on drop). A verified PIN survives a warm reset on the
//!   My Number Card (card-protocol §5.4, §12.1); powering the card off is the only way to
//!   make sure the next process does not inherit it.
//! * **No second send.** The receive buffer is sized for the largest response PC/SC can
//!   carry (`MAX_BUFFER_SIZE_EXTENDED`), so "buffer too small" cannot happen and no command
//!   is ever sent twice (card-protocol §12.1: a client that re-sends after that error spends
//!   two PIN tries per wrong PIN and signs twice).
//! * **Short APDUs unless asked.** [`Capabilities::SHORT`] is reported unless the caller
//!   opts in with [`PcscOptions::extended_length`]. Whether extended APDUs work depends on
//!   the reader and its driver as well as on the card: some readers and drivers lack them
//!   (card-protocol §12, OpenSC issue #802), the card's own support is only partly known
//!   (§6, §13 #12), and PC/SC offers no reliable way to ask the reader. Short APDUs cost a
//!   few more exchanges and always work.
//! * **Typed errors.** No card, card removed, card reset and timeouts become the matching
//!   [`TransportError`] variants; anything else is [`TransportError::Other`] with the PC/SC
//!   message. After [`TransportError::CardRemoved`] or [`TransportError::CardReset`] the
//!   connection is unusable: open a new transport (the core forgets its session state on
//!   any transport error).
//!
//! ```no_run
//! use mynakit::Card;
//! use mynakit_testkit::pcsc::{PcscOptions, PcscTransport, list_readers};
//!
//! for r in list_readers()? {
//!     println!("{} card={}", r.name, r.card_present);
//! }
//! let transport = PcscTransport::open(&PcscOptions::default())?; // the one reader with a card
//! let mut card = Card::new(transport)?;
//! let cert = card.jpki().auth_certificate()?;
//! # let _ = cert;
//! # Ok::<(), mynakit::Error>(())
//! ```

use std::ffi::CString;

use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use serde::Serialize;

use mynakit::error::TransportError;
use mynakit::transport::{Capabilities, ExchangeHint, Transport};

/// A reader as PC/SC reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReaderInfo {
    /// The reader's name, as `pcsc:NAME` takes it.
    pub name: String,
    /// A card is in the reader.
    pub card_present: bool,
    /// Another application holds the card exclusively.
    pub exclusive: bool,
    /// The card's answer to reset, hex, when a card is present.
    pub atr: Option<String>,
}

/// How to open a reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PcscOptions {
    /// The reader: its full name, or a part of it that matches exactly one reader. `None`:
    /// the only reader that holds a card (an error when several do, so a PIN is never
    /// sent to a card the user did not mean).
    pub reader: Option<String>,
    /// Report extended-length capability to the core. Off by default: see the module
    /// documentation.
    pub extended_length: bool,
}

/// Maps a PC/SC error to a transport error.
pub fn map_error(e: pcsc::Error) -> TransportError {
    let message = format!("PC/SC: {e}");
    match e {
        pcsc::Error::NoSmartcard => TransportError::NoCard { message },
        pcsc::Error::RemovedCard | pcsc::Error::ReaderUnavailable => {
            TransportError::CardRemoved { message }
        }
        pcsc::Error::ResetCard => TransportError::CardReset { message },
        pcsc::Error::Timeout => TransportError::Timeout { message },
        pcsc::Error::Cancelled | pcsc::Error::CancelledByUser => {
            TransportError::Cancelled { message }
        }
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => TransportError::Other {
            message: format!("{message} (is the PC/SC daemon pcscd running?)"),
        },
        pcsc::Error::SharingViolation => TransportError::Other {
            message: format!("{message} (another application is using the card)"),
        },
        _ => TransportError::Other { message },
    }
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(map_error)
}

fn reader_names(ctx: &Context) -> Result<Vec<CString>, TransportError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_error(e)),
    }
}

fn reader_infos(ctx: &Context) -> Result<Vec<ReaderInfo>, TransportError> {
    let names = reader_names(ctx)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|n| ReaderState::new(n, State::UNAWARE))
        .collect();
    ctx.get_status_change(std::time::Duration::ZERO, &mut states)
        .map_err(map_error)?;
    Ok(states
        .iter()
        .map(|s| {
            let present = s.event_state().contains(State::PRESENT);
            ReaderInfo {
                name: s.name().to_string_lossy().into_owned(),
                card_present: present,
                exclusive: s.event_state().contains(State::EXCLUSIVE),
                atr: (present && !s.atr().is_empty()).then(|| hex::encode_upper(s.atr())),
            }
        })
        .collect())
}

/// Lists the PC/SC readers and whether each holds a card. No reader: an empty list. No
/// PC/SC service: [`TransportError::Other`].
pub fn list_readers() -> Result<Vec<ReaderInfo>, TransportError> {
    reader_infos(&establish()?)
}

/// Chooses a reader: by exact name, else by a part of the name that matches one reader;
/// without a name, the only reader holding a card.
pub fn choose_reader<'a>(
    readers: &'a [ReaderInfo],
    wanted: Option<&str>,
) -> Result<&'a ReaderInfo, TransportError> {
    let names = || {
        if readers.is_empty() {
            "none".to_string()
        } else {
            readers
                .iter()
                .map(|r| format!("{:?}", r.name))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let chosen = match wanted {
        Some(w) => {
            if let Some(r) = readers.iter().find(|r| r.name == w) {
                r
            } else {
                let lower = w.to_lowercase();
                let matching: Vec<&ReaderInfo> = readers
                    .iter()
                    .filter(|r| r.name.to_lowercase().contains(&lower))
                    .collect();
                match matching.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(TransportError::other(format!(
                            "no PC/SC reader matches {w:?} (readers: {})",
                            names()
                        )));
                    }
                    _ => {
                        return Err(TransportError::other(format!(
                            "{w:?} matches several PC/SC readers: {}; give more of the name",
                            matching
                                .iter()
                                .map(|r| format!("{:?}", r.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                }
            }
        }
        None => {
            if readers.is_empty() {
                return Err(TransportError::other("no PC/SC reader is connected"));
            }
            let with_card: Vec<&ReaderInfo> = readers.iter().filter(|r| r.card_present).collect();
            match with_card.as_slice() {
                [one] => *one,
                [] => {
                    return Err(TransportError::NoCard {
                        message: format!("no card in any PC/SC reader (readers: {})", names()),
                    });
                }
                _ => {
                    return Err(TransportError::other(format!(
                        "several PC/SC readers hold a card ({}); choose one with pcsc:NAME",
                        with_card
                            .iter()
                            .map(|r| format!("{:?}", r.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
    };
    if chosen.card_present {
        Ok(chosen)
    } else {
        Err(TransportError::NoCard {
            message: format!("no card in the PC/SC reader {:?}", chosen.name),
        })
    }
}

/// A card session over PC/SC. See the module documentation.
pub struct PcscTransport {
    card: Option<pcsc::Card>,
    reader: String,
    atr: Vec<u8>,
    protocol: Option<pcsc::Protocol>,
    caps: Capabilities,
    buf: Vec<u8>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("atr", &hex::encode_upper(&self.atr))
            .field("protocol", &self.protocol)
            .field("caps", &self.caps)
            .field("open", &self.card.is_some())
            .finish()
    }
}

impl PcscTransport {
    /// Connects to the card in the chosen reader, exclusively, with T=1 or T=0.
    pub fn open(options: &PcscOptions) -> Result<Self, TransportError> {
        let ctx = establish()?;
        let readers = reader_infos(&ctx)?;
        let reader = choose_reader(&readers, options.reader.as_deref())?
            .name
            .clone();
        let cname = CString::new(reader.clone())
            .map_err(|_| TransportError::other("the reader name contains a NUL byte"))?;
        let card = ctx
            .connect(&cname, ShareMode::Exclusive, Protocols::T1 | Protocols::T0)
            .map_err(map_error)?;
        let (atr, protocol) = match card.status2_owned() {
            Ok(s) => (s.atr().to_vec(), s.protocol2()),
            Err(e) => {
                // Power the card off anyway: nothing was sent yet, but leave no state.
                let _ = card.disconnect(Disposition::UnpowerCard);
                return Err(map_error(e));
            }
        };
        let caps = if options.extended_length {
            Capabilities::EXTENDED_FULL
        } else {
            Capabilities::SHORT
        };
        Ok(PcscTransport {
            card: Some(card),
            reader,
            atr,
            protocol,
            caps,
            buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader's name.
    pub fn reader_name(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset. Identify the card by its applications, not by this
    /// (card-protocol §1): card generations and contactless readers differ.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// The protocol in use: `T=1` or `T=0`.
    pub fn protocol(&self) -> Option<&'static str> {
        match self.protocol {
            Some(pcsc::Protocol::T0) => Some("T=0"),
            Some(pcsc::Protocol::T1) => Some("T=1"),
            Some(pcsc::Protocol::RAW) => Some("RAW"),
            None => None,
        }
    }

    /// Ends the session and powers the card off, reporting a failure (dropping the
    /// transport does the same and ignores failures).
    pub fn close(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => card
                .disconnect(Disposition::UnpowerCard)
                .map_err(|(_card, e)| map_error(e)),
            None => Ok(()),
        }
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            // On failure pcsc's own drop disconnects with a reset; nothing more to do.
            let _ = card.disconnect(Disposition::UnpowerCard);
        }
    }
}

impl Transport for PcscTransport {
    /// Sends the command once. PC/SC has no per-command timeout, so `hint.slow` changes
    /// nothing here; `hint.sensitive` is respected by logging nothing at all.
    fn transmit(&mut self, apdu: &[u8], _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        let card = self
            .card
            .as_ref()
            .ok_or_else(|| TransportError::other("the PC/SC connection is closed"))?;
        match card.transmit(apdu, &mut self.buf) {
            Ok(resp) => Ok(resp.to_vec()),
            Err(pcsc::Error::InsufficientBuffer) => Err(TransportError::other(
                "PC/SC: the response does not fit the largest PC/SC buffer; the command reached \
                 the card and is not sent again",
            )),
            Err(e) => Err(map_error(e)),
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(name: &str, card: bool) -> ReaderInfo {
        ReaderInfo {
            name: name.into(),
            card_present: card,
            exclusive: false,
            atr: card.then(|| "3BE000FF8131FE4514".into()),
        }
    }

    #[test]
    fn errors_map_to_typed_variants() {
        assert!(matches!(
            map_error(pcsc::Error::NoSmartcard),
            TransportError::NoCard { .. }
        ));
        assert!(matches!(
            map_error(pcsc::Error::RemovedCard),
            TransportError::CardRemoved { .. }
        ));
        assert!(matches!(
            map_error(pcsc::Error::ReaderUnavailable),
            TransportError::CardRemoved { .. }
        ));
        assert!(matches!(
            map_error(pcsc::Error::ResetCard),
            TransportError::CardReset { .. }
        ));
        assert!(matches!(
            map_error(pcsc::Error::Timeout),
            TransportError::Timeout { .. }
        ));
        assert!(matches!(
            map_error(pcsc::Error::Cancelled),
            TransportError::Cancelled { .. }
        ));
        match map_error(pcsc::Error::NoService) {
            TransportError::Other { message } => assert!(message.contains("pcscd"), "{message}"),
            other => panic!("{other:?}"),
        }
        match map_error(pcsc::Error::CommError) {
            TransportError::Other { message } => assert!(message.starts_with("PC/SC: ")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reader_by_exact_name_or_unique_part() {
        let rs = [
            reader("Test VPCD 00 00", true),
            reader("Test VPCD 00 01", false),
            reader("ACS ACR39U 01 00", true),
        ];
        assert_eq!(
            choose_reader(&rs, Some("Test VPCD 00 00")).map(|r| r.name.as_str()),
            Ok("Test VPCD 00 00")
        );
        assert_eq!(
            choose_reader(&rs, Some("acr39")).map(|r| r.name.as_str()),
            Ok("ACS ACR39U 01 00")
        );
        // Ambiguous part of a name.
        assert!(matches!(
            choose_reader(&rs, Some("VPCD")),
            Err(TransportError::Other { .. })
        ));
        // Named reader without a card.
        assert!(matches!(
            choose_reader(&rs, Some("00 01")),
            Err(TransportError::NoCard { .. })
        ));
        assert!(matches!(
            choose_reader(&rs, Some("nothing")),
            Err(TransportError::Other { .. })
        ));
    }

    #[test]
    fn no_name_needs_exactly_one_card() {
        let one = [reader("A", false), reader("B", true)];
        assert_eq!(choose_reader(&one, None).map(|r| r.name.as_str()), Ok("B"));
        let two = [reader("A", true), reader("B", true)];
        assert!(matches!(
            choose_reader(&two, None),
            Err(TransportError::Other { .. })
        ));
        let none = [reader("A", false)];
        assert!(matches!(
            choose_reader(&none, None),
            Err(TransportError::NoCard { .. })
        ));
        assert!(matches!(
            choose_reader(&[], None),
            Err(TransportError::Other { .. })
        ));
    }
}
