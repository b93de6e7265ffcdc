//! # MynaKit core
//!
//! Reads the Japanese My Number Card (マイナンバーカード) over any ISO 7816 transport: the
//! JPKI application (certificates, retry counters, signatures), with the APDU engine,
//! PIN-safety policy, certificate checks and a virtual card for tests.
//!
//! ```
//! # #[cfg(feature = "simulator")] {
//! use mynakit::{Card, Secret, sim::VirtualCard, jpki::JpkiKey, sign::{SignInput, HashAlgorithm}};
//! use mynakit::jpki::SignOptions;
//! use mynakit::cert::{TrustStore, TrustPolicy, unix_now};
//!
//! // Any Transport works; here the built-in virtual card.
//! let mut card = Card::new(VirtualCard::builtin("taro")?)?;
//! let cert = card.jpki().auth_certificate()?;
//! let chain = TrustStore::new(TrustPolicy::VIRTUAL_CARD)?.verify(&cert, unix_now())?;
//!
//! let input = SignInput::Message { hash: HashAlgorithm::Sha256, data: b"challenge".to_vec() };
//! let options = SignOptions { include_certificate: true, ..Default::default() };
//! let sig = card.jpki().sign(JpkiKey::Auth, &Secret::new("1234"), &input, options)?;
//! sig.verify_with_certificate()?;
//! println!("{} APDUs", card.stats().apdus);
//! # let _ = chain;
//! # }
//! # Ok::<(), mynakit::Error>(())
//! ```
//!
//! Layers, bottom up: [`apdu`] (encoding, status words) → [`transport`] (the byte pipe
//! the platform provides) → [`card`] (the engine: GET RESPONSE, chunked reads, selection,
//! PIN policy) → [`jpki`] (the application) → [`cert`] and [`sign`] (host-side checks).
//! Protocol facts cite the sections of the project's card-protocol notes.

pub mod aid;
pub mod apdu;
pub mod ber;
pub mod card;
pub mod cert;
pub mod credential;
pub mod cv;
pub mod era;
pub mod error;
pub mod evidence;
pub mod face;
pub mod fault;
pub mod jpki;
pub mod mynumber;
pub mod sign;
pub mod text;
pub mod trace;
pub mod transport;

#[cfg(feature = "simulator")]
pub mod sim;

#[cfg(all(feature = "pcsc", not(any(target_os = "android", target_os = "ios"))))]
pub mod pcsc;

pub use apdu::{Command, Response, Status, StatusWord};
pub use card::{Card, PinPolicy, Progress, ProtocolOptions, RetryStatus, Stats};
pub use credential::{Credential, Secret};
pub use error::{Error, Result, TransportError};
pub use transport::{Capabilities, ExchangeHint, Transport};
