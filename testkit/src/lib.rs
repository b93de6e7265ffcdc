//! # MynaKit testkit
//!
//! The QA tooling around the MynaKit SDK, kept out of the library a bank ships:
//!
//! - [`sim`]: the virtual My Number Card (a stateful APDU-level simulator) and its
//!   profiles: the test cards `taro`/`hanako` built from the test PKI, and `jlis-test`,
//!   which serves bytes captured from real J-LIS test cards.
//! - [`trace`]: APDU traces in the `mynakit-trace/1` format: record, replay, diff, scrub,
//!   annotate, the golden corpus.
//! - [`fault`]: a transport wrapper that injects link and card faults at chosen APDUs.
//! - [`trust`]: the test trust anchors (the virtual card's roots and CV CA, the JPKI-TEST
//!   roots and the J-LIS TEST CV CA keys), added to the SDK's stores through its public
//!   trust API; the SDK itself embeds only the production J-LIS anchors.
//! - `pcsc` (feature `pcsc`): desktop PC/SC readers as a [`mynakit::Transport`].
//!
//! Nothing here is needed to read a real card; everything here is needed to test that
//! reading one works.

pub mod fault;
pub mod sim;
pub mod trace;
pub mod trust;

#[cfg(all(feature = "pcsc", not(any(target_os = "android", target_os = "ios"))))]
pub mod pcsc;
