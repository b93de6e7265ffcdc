//! The foreign-implementable transport and progress listener, and the adapter that makes a
//! foreign transport a core `mynakit::Transport`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::TransportError;
use crate::records::{ExchangeHint, ReadProgress, TransportCapabilities};

/// The byte pipe to a card, implemented by the app: Kotlin over `IsoDep.transceive`, Swift
/// over `NFCISO7816Tag.sendCommand`, tests over a simulator or a recorded trace.
///
/// The transport only moves bytes. GET RESPONSE, Le correction, chunking and extended
/// length are MynaKit's job, decided from `CardTransport.capabilities`.
#[uniffi::export(with_foreign)]
pub trait CardTransport: Send + Sync {
    /// Sends one command APDU and returns the complete response APDU (data, SW1, SW2).
    ///
    /// Must not retry on its own. When `hint.sensitive` is set the APDU carries a PIN or
    /// password: never log, record or keep it. When `hint.slow` is set (signing), use a
    /// longer timeout. Throw `TransportError.CardRemoved` when the tag is lost.
    /// Called on the thread that called the `CardSession` method.
    fn transmit(&self, apdu: Vec<u8>, hint: ExchangeHint) -> Result<Vec<u8>, TransportError>;

    /// What the transport can carry. Read once, when the session opens.
    fn capabilities(&self) -> TransportCapabilities;
}

/// Receives progress of file reads, for the NFC sheet ("keep holding the card").
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// Called after each chunk of a file read, on the thread doing the read. Keep it short;
    /// hand UI updates to the main thread.
    fn on_progress(&self, progress: ReadProgress);
}

/// A foreign `CardTransport` as a core transport. Remembers whether a failure was an
/// undeclared foreign exception, which the core cannot express.
pub struct ForeignTransport {
    inner: Arc<dyn CardTransport>,
    caps: mynakit::Capabilities,
    foreign_failure: Arc<AtomicBool>,
}

impl ForeignTransport {
    /// Wraps `inner`, reading its capabilities once. `foreign_failure` is set when a
    /// `transmit` fails with an undeclared exception.
    pub fn new(inner: Arc<dyn CardTransport>, foreign_failure: Arc<AtomicBool>) -> Self {
        let caps = inner.capabilities().to_core();
        ForeignTransport {
            inner,
            caps,
            foreign_failure,
        }
    }
}

impl mynakit::Transport for ForeignTransport {
    fn transmit(
        &mut self,
        apdu: &[u8],
        hint: mynakit::ExchangeHint,
    ) -> Result<Vec<u8>, mynakit::TransportError> {
        // The copy handed to the foreign side is consumed by uniffi's lowering; see the
        // README (security notes) for what happens to it.
        match self.inner.transmit(apdu.to_vec(), hint) {
            Ok(response) => Ok(response),
            Err(e) => {
                if matches!(e, TransportError::ForeignException { .. }) {
                    self.foreign_failure.store(true, Ordering::SeqCst);
                }
                Err(e.into_core())
            }
        }
    }

    fn capabilities(&self) -> mynakit::Capabilities {
        self.caps
    }
}
