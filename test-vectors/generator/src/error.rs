//! The generator's error type.

use std::path::PathBuf;

/// Everything that can go wrong while generating or checking the test vectors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line.
    #[error("usage error: {0}")]
    Usage(String),

    /// RSA key generation or key handling failed.
    #[error("RSA error: {0}")]
    Rsa(#[from] rsa::Error),

    /// PKCS#8 encoding of a private key failed.
    #[error("PKCS#8 error: {0}")]
    Pkcs8(#[from] rsa::pkcs8::Error),

    /// SubjectPublicKeyInfo encoding failed.
    #[error("SPKI error: {0}")]
    Spki(#[from] spki::Error),

    /// DER encoding or decoding failed.
    #[error("DER error: {0}")]
    Der(#[from] der::Error),

    /// The X.509 certificate builder failed.
    #[error("certificate builder error: {0}")]
    Builder(#[from] x509_cert::builder::Error),

    /// Reading back a generated BER-TLV record failed (a bug in the generator).
    #[error("BER-TLV error: {0}")]
    Ber(#[from] mynakit::error::Error),

    /// PNG encoding of a card-face image failed.
    #[error("PNG error: {0}")]
    Png(#[from] png::EncodingError),

    /// JPEG 2000 encoding of the face photo failed (or, in tests, decoding it).
    #[error("JPEG 2000 error: {0}")]
    Jpeg2000(String),

    /// JSON serialisation failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),

    /// The built-in profile data is inconsistent (a bug in the generator's tables).
    #[error("invalid profile data: {0}")]
    Data(String),

    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

/// Result alias used throughout the generator.
pub type Result<T> = std::result::Result<T, Error>;
