//! # MynaKit core
//!
//! Reads the Japanese My Number Card (マイナンバーカード) over any ISO 7816 transport: the
//! JPKI application (certificates, retry counters, signatures), with the APDU engine,
//! PIN-safety policy and certificate checks. The virtual card, traces and fault injection
//! live in the separate `mynakit-testkit` crate, so an app links none of them.
//!
//! ```
//! use mynakit::{Card, Secret, jpki::JpkiKey, sign::{SignInput, HashAlgorithm}};
//! use mynakit::jpki::SignOptions;
//! use mynakit::cert::{TrustPolicy, unix_now};
//!
//! // Any Transport works; here the virtual card of the test tooling crate, whose test
//! // roots the SDK does not embed (they are added to the store by the testkit).
//! let mut card = Card::new(mynakit_testkit::sim::VirtualCard::builtin("taro")?)?;
//! let cert = card.jpki().auth_certificate()?;
//! let store = mynakit_testkit::trust::trust_store(TrustPolicy::VIRTUAL_CARD)?;
//! let chain = store.verify(&cert, unix_now())?;
//!
//! let input = SignInput::Message { hash: HashAlgorithm::Sha256, data: b"challenge".to_vec() };
//! let options = SignOptions { include_certificate: true, ..Default::default() };
//! let sig = card.jpki().sign(JpkiKey::Auth, &Secret::new("1234"), &input, options)?;
//! sig.verify_with_certificate()?;
//! println!("{} APDUs", card.stats().apdus);
//! # let _ = chain;
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
pub mod cms;
pub mod commands;
pub mod credential;
pub mod cv;
pub mod era;
pub mod error;
pub mod evidence;
pub mod face;
pub mod flows;
pub mod jpki;
pub mod mynumber;
pub mod sign;
pub mod text;
pub mod transport;

pub use apdu::{Command, Response, Status, StatusWord};
pub use card::{Card, PinPolicy, Progress, ProtocolOptions, RetryStatus, Stage, Stats};
pub use credential::{Credential, Secret};
pub use error::{Error, Result, TransportError};
pub use transport::{Capabilities, ExchangeHint, Transport};
