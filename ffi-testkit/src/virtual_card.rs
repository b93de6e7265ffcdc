//! The virtual My Number Card as an object the app's tests drive: a Kotlin or Swift test
//! implements `CardTransport` by calling `VirtualCardDevice.process`, so every
//! APDU crosses the foreign boundary twice, as it would with a real card.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mynakit_testkit::sim::{Behaviour, CardProfile, ShortRead, VirtualCard};

use mynakit_ffi::CardTransport;
use mynakit_ffi::{Credential, ExchangeHint, TransportCapabilities};
use mynakit_ffi::{MynaError, TransportError};

/// How the virtual card answers a READ BINARY asking for more bytes than remain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, uniffi::Enum)]
pub enum ShortReadBehaviour {
    /// The bytes that remain with `6282`.
    #[default]
    EndOfFileWarning,
    /// `6Cxx` with the number of bytes that remain.
    WrongLe,
    /// The bytes that remain with `9000`.
    Plain,
}

/// Options of a virtual card.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct VirtualCardOptions {
    /// Replace the JPKI token label (`JPKIAPGPSETOKEN` emulates the Android smartphone
    /// token, `JPKIAPIOSTOKEN` the iPhone one).
    #[uniffi(default = None)]
    pub token_label: Option<String>,
    /// The capabilities the card reports as a transport (default: short APDUs).
    #[uniffi(default = None)]
    pub capabilities: Option<TransportCapabilities>,
    /// Split responses longer than this into `61xx` + GET RESPONSE.
    #[uniffi(default = None)]
    pub response_chunk: Option<u32>,
    /// How short reads are answered (default: `EndOfFileWarning`).
    #[uniffi(default = None)]
    pub short_read: Option<ShortReadBehaviour>,
    /// A retry query after a successful VERIFY answers `9000`.
    #[uniffi(default = false)]
    pub verified_query_answers_9000: bool,
}

/// The names of the built-in virtual card profiles (`taro`: full card; `hanako`: under
/// 15, no signing certificate). Their credentials are test material, listed in
/// `test-vectors/cards/<name>/profile.json`.
#[uniffi::export]
pub fn virtual_card_profiles() -> Vec<String> {
    mynakit_testkit::sim::BUILTIN_PROFILES
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}

/// Builds a core virtual card.
pub(crate) fn build(profile: &str, options: &VirtualCardOptions) -> Result<VirtualCard, MynaError> {
    let mut p = CardProfile::builtin(profile)?;
    if let Some(label) = &options.token_label {
        p = p.with_token_label(label);
    }
    let mut card = VirtualCard::new(p)?;
    if let Some(caps) = options.capabilities {
        let caps = caps.to_core();
        caps.validate()
            .map_err(|reason| MynaError::InvalidArgument { detail: reason })?;
        card = card.with_capabilities(caps);
    }
    card.behaviour = Behaviour {
        short_read: match options.short_read.unwrap_or_default() {
            ShortReadBehaviour::EndOfFileWarning => ShortRead::EndOfFileWarning,
            ShortReadBehaviour::WrongLe => ShortRead::WrongLe,
            ShortReadBehaviour::Plain => ShortRead::Plain,
        },
        verified_query_answers_9000: options.verified_query_answers_9000,
        response_chunk: options
            .response_chunk
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        ..Behaviour::default()
    };
    Ok(card)
}

/// A virtual My Number Card (test material only: its keys and certificates chain to
/// MynaKit's public test roots, never to J-LIS).
#[derive(uniffi::Object)]
pub struct VirtualCardDevice {
    card: Mutex<VirtualCard>,
}

impl VirtualCardDevice {
    fn card(&self) -> MutexGuard<'_, VirtualCard> {
        // The simulator never panics while holding the lock; if it did, its state is
        // still a valid card.
        self.card.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl VirtualCardDevice {
    /// A built-in profile (`taro`, `hanako`) with default options.
    #[uniffi::constructor]
    pub fn new(profile: String) -> Result<Arc<Self>, MynaError> {
        Self::with_options(profile, VirtualCardOptions::default())
    }

    /// A built-in profile with options.
    #[uniffi::constructor]
    pub fn with_options(
        profile: String,
        options: VirtualCardOptions,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Arc::new(VirtualCardDevice {
            card: Mutex::new(build(&profile, &options)?),
        }))
    }

    /// Processes one command APDU and returns the response APDU. Never fails: a
    /// malformed command gets an error status word.
    pub fn process(&self, apdu: Vec<u8>) -> Vec<u8> {
        self.card().process(&apdu)
    }

    /// The capabilities the card reports as a transport.
    pub fn capabilities(&self) -> TransportCapabilities {
        TransportCapabilities::from_core(mynakit::Transport::capabilities(&*self.card()))
    }

    /// Sets the remaining tries of a credential (to test the floor and blocking).
    pub fn set_remaining_tries(
        &self,
        credential: Credential,
        remaining: u8,
    ) -> Result<(), MynaError> {
        let c = credential.to_core();
        self.card()
            .set_remaining_tries(c.aid(), c.ef(), remaining)?;
        Ok(())
    }

    /// The remaining tries of a credential, `None` when the card does not have it.
    pub fn remaining_tries(&self, credential: Credential) -> Option<u8> {
        let c = credential.to_core();
        self.card().remaining_tries(c.aid(), c.ef())
    }

    /// How many VERIFY commands carrying a value the card received.
    pub fn verify_attempts(&self) -> u32 {
        u32::try_from(self.card().verify_attempts()).unwrap_or(u32::MAX)
    }

    /// How many command APDUs the card received.
    pub fn commands_received(&self) -> u32 {
        u32::try_from(self.card().received().len()).unwrap_or(u32::MAX)
    }

    /// Cuts the power: security state and selection are lost, retry counters stay.
    pub fn power_cycle(&self) {
        self.card().power_cycle();
    }

    /// This card as a ready-made `CardTransport` implemented in Rust (for apps that do
    /// not need a transport of their own in tests).
    pub fn as_transport(self: Arc<Self>) -> Arc<dyn CardTransport> {
        self
    }
}

impl CardTransport for VirtualCardDevice {
    fn transmit(&self, apdu: Vec<u8>, _hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        Ok(self.process(apdu))
    }

    fn capabilities(&self) -> TransportCapabilities {
        VirtualCardDevice::capabilities(self)
    }
}
