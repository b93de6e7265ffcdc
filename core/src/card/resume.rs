//! Surviving a lost card: what a session keeps when the link drops mid-flow, so that the
//! flow continues when the user presents the card again (a new transport, [`Card::resume`]).
//!
//! - Files read completely are kept (resumable sessions only) and returned again without
//!   APDUs; a read cut by the lost link continues at the offset it reached.
//! - The card's security state is gone (card-protocol §12.1): a credential is presented
//!   again by the flow, under the usual policy (format, counter query, floor, one VERIFY).
//! - A VERIFY whose outcome is unknown (the link dropped after sending it) is never sent
//!   again blindly: the next presentation of that credential reads the counter first, and
//!   sends the value only if the counter shows that no try was spent; if one was, the value
//!   was wrong and the caller decides ([`crate::Error::WrongPin`], no APDU beyond the query).
//!
//! Kept data is zeroized when dropped, when the session forgets it, or when the card ends.

use zeroize::Zeroizing;

use super::files::Ef;
use crate::credential::Credential;

/// Bytes of completed files a resumable session keeps at most (a whole card's readable
/// files are well under this; above it, files are not kept and are read again).
pub const MAX_KEPT_BYTES: usize = 1024 * 1024;

type Key = (&'static [u8], u16);

/// What a session keeps across a lost link.
#[derive(Default)]
pub(crate) struct Resume {
    /// Whether completed files and partial reads are kept.
    pub(crate) enabled: bool,
    completed: Vec<(Key, Zeroizing<Vec<u8>>)>,
    /// Starts of files read for fixed-size records, with whether the file ended there.
    prefixes: Vec<(Key, Zeroizing<Vec<u8>>, bool)>,
    partial: Option<(Key, Zeroizing<Vec<u8>>)>,
    /// Credentials whose last VERIFY had an unknown outcome, with the tries the card
    /// reported remaining before it (`None`: not known).
    unknown: Vec<(Credential, Option<u8>)>,
}

fn key(ef: &Ef) -> Key {
    (ef.aid, ef.fid)
}

impl Resume {
    /// A completed file kept earlier.
    pub(crate) fn completed(&self, ef: &Ef) -> Option<Vec<u8>> {
        if !self.enabled {
            return None;
        }
        self.completed
            .iter()
            .find(|(k, _)| *k == key(ef))
            .map(|(_, d)| d.to_vec())
    }

    /// The first `len` bytes of `ef`, from a completed file or a prefix kept earlier
    /// (fewer when the file is known to end sooner).
    pub(crate) fn prefix(&self, ef: &Ef, len: usize) -> Option<Vec<u8>> {
        if !self.enabled {
            return None;
        }
        if let Some((_, d)) = self.completed.iter().find(|(k, _)| *k == key(ef)) {
            return Some(d.iter().take(len).copied().collect());
        }
        self.prefixes
            .iter()
            .find(|(k, d, whole)| *k == key(ef) && (d.len() >= len || *whole))
            .map(|(_, d, _)| d.iter().take(len).copied().collect())
    }

    /// Keeps the start of `ef` read for a fixed-size record (`whole`: the file ended there).
    pub(crate) fn keep_prefix(&mut self, ef: &Ef, data: &[u8], whole: bool) {
        if !self.enabled || self.held().saturating_add(data.len()) > MAX_KEPT_BYTES {
            return;
        }
        self.prefixes.retain(|(k, _, _)| *k != key(ef));
        self.prefixes
            .push((key(ef), Zeroizing::new(data.to_vec()), whole));
    }

    /// Bytes kept in completed files and prefixes.
    fn held(&self) -> usize {
        let files: usize = self.completed.iter().map(|(_, d)| d.len()).sum();
        let prefixes: usize = self.prefixes.iter().map(|(_, d, _)| d.len()).sum();
        files.saturating_add(prefixes)
    }

    /// Keeps a completed file (resumable sessions, within [`MAX_KEPT_BYTES`]).
    pub(crate) fn complete(&mut self, ef: &Ef, data: &[u8]) {
        if !self.enabled {
            return;
        }
        if self.held().saturating_add(data.len()) <= MAX_KEPT_BYTES {
            self.completed.retain(|(k, _)| *k != key(ef));
            self.completed
                .push((key(ef), Zeroizing::new(data.to_vec())));
        }
    }

    /// Keeps the start of a file whose read the lost link cut.
    pub(crate) fn keep_partial(&mut self, ef: &Ef, data: Vec<u8>) {
        let data = Zeroizing::new(data);
        if self.enabled && !data.is_empty() && data.len() <= MAX_KEPT_BYTES {
            self.partial = Some((key(ef), data));
        }
    }

    /// The start of `ef` kept from a cut read, if any (taken: it is used once).
    pub(crate) fn take_partial(&mut self, ef: &Ef) -> Option<Vec<u8>> {
        match self.partial.take() {
            Some((k, d)) if k == key(ef) => Some(d.to_vec()),
            Some(other) => {
                self.partial = Some(other);
                None
            }
            None => None,
        }
    }

    /// Notes a VERIFY whose outcome is unknown, with the tries remaining before it.
    pub(crate) fn verify_unknown(&mut self, credential: Credential, before: Option<u8>) {
        self.unknown.retain(|(c, _)| *c != credential);
        self.unknown.push((credential, before));
    }

    /// The tries remaining before the last VERIFY of `credential` whose outcome is unknown,
    /// and forgets it (the next presentation decides it). `Some(None)`: unknown outcome,
    /// count before it not known.
    pub(crate) fn take_unknown(&mut self, credential: Credential) -> Option<Option<u8>> {
        let i = self.unknown.iter().position(|(c, _)| *c == credential)?;
        Some(self.unknown.remove(i).1)
    }

    /// Drops everything kept (zeroized).
    pub(crate) fn clear(&mut self) {
        self.completed.clear();
        self.prefixes.clear();
        self.partial = None;
    }
}
