//! Revocation: the trait a revocation source plugs into.
//!
//! Production JPKI revocation information (CRLs and OCSP of the J-LIS CAs) is available
//! only to licensed 署名検証者 / platform operators (公的個人認証法). A bank reaches it
//! through such an operator: implement [`RevocationChecker`] as an adapter to that
//! operator's service. The outcome has an explicit *not checked* case, which a verifier
//! reports as such and never reads as valid.

use mynakit::cert::JpkiCertificate;

/// The answer of a revocation source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationStatus {
    /// The source vouches that the certificate is not revoked at the time asked.
    Good {
        /// Which source answered (for the report and the record).
        source: String,
    },
    /// The certificate is revoked.
    Revoked {
        /// Why / since when, as the source said.
        reason: String,
    },
    /// The source could not answer (unknown issuer, stale or unverifiable data, no
    /// connection, …). Never a pass.
    NotChecked {
        /// Why.
        reason: String,
    },
}

/// A revocation source.
pub trait RevocationChecker: Send + Sync {
    /// The status of `cert` at `at_unix`. Implementations must answer `NotChecked`
    /// whenever they cannot vouch for `Good`.
    fn status(&self, cert: &JpkiCertificate, at_unix: u64) -> RevocationStatus;
}
