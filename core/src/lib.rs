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
//!
//! ## The public surface, module by module
//!
//! An app needs the first group; the rest is there for servers, tools and tests.
//!
//! | module | what an app uses | what it is for |
//! |---|---|---|
//! | [`flows`] | [`flows::JpkiLogin`], [`flows::JpkiSigning`], [`flows::ApRead`], [`flows::Ekyc`] and their requests, [`flows::FlowStep`] | one implementation of each job: JPKI login over a server nonce, ワ-method signing, text and card-face reads, the eKYC read |
//! | [`card`] | [`Card`], [`PinPolicy`], [`RetryStatus`], [`Progress`], [`Stage`], [`Stats`], [`ProtocolOptions`] | the session with one card: reads, PIN policy (floor, exclusive PINs, no repeated VERIFY), tag-loss resume, counts |
//! | [`jpki`] | [`jpki::Jpki`], [`jpki::JpkiKey`], [`jpki::SignOptions`], [`jpki::JpkiSignature`], [`jpki::TokenInfo`] | the 公的個人認証 application: certificates, counters, signatures |
//! | [`text`] | [`text::TextAp`], [`text::TextUnlock`], [`text::TextReport`], [`text::TextAttributes`] | 券面事項入力補助AP: My Number and the four attributes with the card's signature |
//! | [`face`] | [`face::FaceAp`], [`face::FaceUnlock`], [`face::FaceReport`], [`face::CardFront`], [`face::Photo`] | 券面AP: the card face, the photo, the My Number image, with signatures |
//! | [`credential`] | [`Secret`], [`Credential`] | PINs and the card's 12-digit number, zeroized and redacted |
//! | [`error`] | [`Error`], [`error::ErrorCode`], [`error::ErrorLayer`], [`error::Lang`] | errors in layers with stable codes and Japanese/English messages |
//! | [`transport`] | [`Transport`], [`Capabilities`], [`ExchangeHint`], [`TransportError`] | the byte pipe the platform provides (IsoDep, CoreNFC, PC/SC) |
//! | [`cert`] | [`cert::TrustStore`], [`cert::TrustPolicy`], [`cert::JpkiCertificate`], [`cert::CertAttributes`] | X.509 chains to the J-LIS roots, certificate attributes |
//! | [`sign`] | [`sign::SignInput`], [`sign::HashAlgorithm`], [`sign::PublicKey`] | what is signed and how a signature is checked |
//! | [`cv`] | [`cv::CvTrust`], [`cv::Verification`], [`cv::CvCertificate`] | the card's own signatures on text and face data (CV certificates) |
//! | [`evidence`] | [`evidence::Evidence`] and its parts | what a phone sends to the bank's server to verify again |
//! | [`cms`] | [`cms::DocumentSignature`], [`cms::DocumentSignOptions`] | CMS SignedData over a document with the signing key |
//! | [`era`] | [`era::Era`], [`era::Date`] | Japanese era dates as the card writes them |
//! | [`apdu`], [`commands`], [`ber`], [`aid`], [`mynumber`] | [`Command`], [`Response`], [`StatusWord`], [`commands::EfRef`] | the wire: APDU encoding, the card's instructions, BER-TLV, AIDs, the check digit |
//!
//! There is no public way to send an arbitrary APDU: every command goes through the
//! applications above, so nothing reaches VERIFY or a signing instruction around the PIN policy.

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
#[cfg(feature = "photo")]
pub(crate) mod jp2;
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
