//! What the CLI's checks accept: X.509 roots for certificate chains and CV CA public keys
//! for the 券面 applications, chosen per command with `--trust-root FILE`, `--cv-ca FILE` and
//! `--trust NAME` on top of the policy the card source implies (the virtual card's roots for
//! `--card sim`, the recorded policy for `--card replay:FILE`, production otherwise).
//!
//! The CLI is QA tooling, never part of an app, so it may carry test material: the named set
//! `jlis-test` is the J-LIS test-card X.509 roots (from mynakit-testkit, accepted only under
//! `TrustPolicy::accept_jlis_test_cards`) and the J-LIS TEST CV CA keys, compiled into the testkit from
//! `test-vectors/real-cards/jlis-test/cv-ca-test.txt` (card-protocol §9.3).

use std::io::Read;
use std::path::{Path, PathBuf};

use mynakit::cert::{TrustPolicy, TrustStore};
use mynakit::cv::{CvTrust, MAX_KEY_LIST_LEN};
use mynakit::{Error, Result};

/// The J-LIS TEST CV CA public keys (issuers `6000020`, `6000023`, `6000033`), test material.
const JLIS_TEST_CV_KEYS: &str = mynakit_testkit::trust::JLIS_TEST_CV_KEY_LIST;

/// The named trust sets `--trust` knows.
pub const TRUST_NAMES: [&str; 3] = ["jlis-test", "virtual-card", "production"];

/// Largest root certificate file read (DER or PEM).
const MAX_ROOT_FILE: u64 = 256 * 1024;

/// Trust options shared by every command that verifies.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct TrustArgs {
    /// Also accept this X.509 root (DER or PEM; a CA certificate signed by its own key) in
    /// certificate chain checks. Repeatable.
    #[arg(long = "trust-root", value_name = "FILE", global = true)]
    pub roots: Vec<PathBuf>,
    /// Add the CV CA public keys of this key list (one key a line: `<key ID hex> <modulus
    /// hex> <exponent hex> <label>`) to the 券面 applications' checks. Repeatable.
    #[arg(long = "cv-ca", value_name = "FILE", global = true)]
    pub cv_ca: Vec<PathBuf>,
    /// A named trust set: `jlis-test` (J-LIS test-card roots and TEST CV CA keys),
    /// `virtual-card` (MynaKit's virtual card), `production` (nothing more). Repeatable.
    #[arg(long = "trust", value_name = "NAME", global = true)]
    pub named: Vec<String>,
}

/// What the checks of one command accept.
pub struct Trust {
    /// The policy (which built-in root groups are accepted).
    pub policy: TrustPolicy,
    /// X.509 roots for chain checks.
    pub store: TrustStore,
    /// CV CA keys for the 券面 applications.
    pub cv: CvTrust,
}

impl TrustArgs {
    /// The trust for a command: `base` (implied by the card source) widened by the options.
    /// Every file is read and checked before any card contact matters: a bad file is an
    /// error, never a silently narrower trust.
    pub fn build(&self, base: TrustPolicy) -> Result<Trust> {
        let mut policy = base;
        let mut jlis_test = false;
        for name in &self.named {
            match name.as_str() {
                "jlis-test" => {
                    policy.accept_jlis_test_cards = true;
                    jlis_test = true;
                }
                "virtual-card" => policy.accept_virtual_card = true,
                "production" => {}
                other => {
                    return Err(Error::InvalidArgument(format!(
                        "unknown trust set {other:?}: use {}",
                        TRUST_NAMES.join(", ")
                    )));
                }
            }
        }
        let mut store = mynakit_testkit::trust::trust_store(policy)?;
        for path in &self.roots {
            for (i, der) in read_certificates(path)?.iter().enumerate() {
                let label = if i == 0 {
                    format!("--trust-root {}", path.display())
                } else {
                    format!("--trust-root {} (certificate {})", path.display(), i + 1)
                };
                store
                    .add_anchor(&label, der)
                    .map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
            }
        }
        let mut cv = mynakit_testkit::trust::cv_trust(policy)?;
        if jlis_test {
            cv.add_key_list(JLIS_TEST_CV_KEYS)?;
        }
        for path in &self.cv_ca {
            let text = read_bounded(path, MAX_KEY_LIST_LEN as u64, "CV CA key list")?;
            let text = String::from_utf8(text).map_err(|_| {
                Error::InvalidArgument(format!(
                    "{}: the key list is not UTF-8 text",
                    path.display()
                ))
            })?;
            let n = cv
                .add_key_list(&text)
                .map_err(|e| Error::InvalidArgument(format!("{}: {e}", path.display())))?;
            if n == 0 {
                return Err(Error::InvalidArgument(format!(
                    "{}: the key list holds no key",
                    path.display()
                )));
            }
        }
        Ok(Trust { policy, store, cv })
    }
}

/// Reads at most `max` bytes of a file; a longer file is an error.
fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))?;
    if data.len() as u64 > max {
        return Err(Error::InvalidArgument(format!(
            "{}: a {what} file is at most {max} bytes",
            path.display()
        )));
    }
    Ok(data)
}

/// The certificates of a file: one DER certificate, or one or more PEM `CERTIFICATE` blocks.
pub fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>> {
    let data = read_bounded(path, MAX_ROOT_FILE, "certificate")?;
    let bad = |why: String| Error::InvalidArgument(format!("{}: {why}", path.display()));
    // DER: a SEQUENCE. Anything else must be PEM text.
    if data.first() == Some(&0x30) {
        return Ok(vec![data]);
    }
    let text = std::str::from_utf8(&data)
        .map_err(|_| bad("neither a DER certificate nor PEM text".into()))?;
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END CERTIFICATE-----";
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block = rest.get(start..).unwrap_or_default();
        let end = block
            .find(END)
            .map(|e| e + END.len())
            .ok_or_else(|| bad("a PEM block has no `-----END CERTIFICATE-----` line".into()))?;
        let pem = block.get(..end).unwrap_or_default();
        let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes())
            .map_err(|e| bad(format!("malformed PEM: {e}")))?;
        if label != "CERTIFICATE" {
            return Err(bad(format!("a PEM {label} block, not a CERTIFICATE")));
        }
        certs.push(der);
        rest = block.get(end..).unwrap_or_default();
    }
    if certs.is_empty() {
        return Err(bad(
            "neither a DER certificate nor a PEM CERTIFICATE block".into()
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_jlis_test_keys_are_the_three_test_issuers() {
        let mut cv = CvTrust::empty();
        assert_eq!(cv.add_key_list(JLIS_TEST_CV_KEYS).unwrap(), 3);
        // Key IDs as written in the file: ASCII "600002x" (36 30 30 30 30 32 3x) first.
        let ids: Vec<String> = cv.keys().map(|(id, _)| id.to_string()).collect();
        for prefix in ["36303030303230", "36303030303233", "36303030303333"] {
            assert!(
                ids.iter().any(|id| id.starts_with(prefix)),
                "{prefix} in {ids:?}"
            );
        }
    }

    #[test]
    fn unknown_names_are_refused() {
        let args = TrustArgs {
            named: vec!["jlis".into()],
            ..Default::default()
        };
        let e = args.build(TrustPolicy::PRODUCTION).err().unwrap();
        assert!(e.to_string().contains("unknown trust set \"jlis\""), "{e}");
    }
}
