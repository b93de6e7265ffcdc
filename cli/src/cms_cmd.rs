//! `mynakit sign-document`: a detached CMS SignedData (CAdES-BES, `.p7s`) over a file,
//! signed with the JPKI signing key (`mynakit::cms`, docs/server.md §8).

use std::path::PathBuf;

use mynakit::cert::unix_now;
use mynakit::cms::{DocumentSignOptions, sign_document};
use mynakit::sign::HashAlgorithm;
use mynakit::{Card, Error, Result, Secret, Transport};
use serde::Serialize;

use crate::secrets::SecretArgs;
use crate::source::CardSource;

/// The largest document read into memory (bytes).
const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;

/// Options of `mynakit sign-document`.
#[derive(clap::Args, Clone, Debug)]
pub struct SignDocumentArgs {
    /// The document to sign (any bytes; at most 256 MiB).
    pub document: PathBuf,
    /// Where to write the signature (DER CMS SignedData, detached).
    #[arg(long)]
    pub out: PathBuf,
    /// sha256 (default), sha384 or sha512.
    #[arg(long, default_value = "sha256")]
    pub hash: String,
    /// Also include the CA certificate read from the card.
    #[arg(long)]
    pub include_ca: bool,
    /// The signing-time attribute (seconds since the Unix epoch) instead of now.
    #[arg(long, value_name = "UNIX")]
    pub signing_time: Option<u64>,
    /// The signing password (the virtual card's profile supplies it when neither is given).
    #[command(flatten)]
    pub secret: SecretArgs,
}

#[derive(Serialize)]
struct Out {
    out: String,
    bytes: usize,
    document_bytes: usize,
    hash: HashAlgorithm,
    signing_time_unix: u64,
    signer_subject: String,
    signer_serial: String,
}

/// The signing password: from `--pin-env` / `--pin-stdin`, else (virtual card only) from
/// the profile.
fn password(card_spec: &str, secret: &SecretArgs) -> Result<Secret> {
    if secret.pin_env.is_some() || secret.pin_stdin {
        return secret.read("the signing password");
    }
    let source = CardSource::parse(card_spec)?;
    if matches!(source, CardSource::Sim(_))
        && let Some(pw) = source.sim_profile()?.spec.credentials.jpki_sign_password
    {
        return Ok(Secret::new(pw));
    }
    secret.read("the signing password")
}

/// Signs the document and writes the `.p7s`. Everything that can be checked without the
/// card (the hash name, the document's size) is checked before the card is opened.
pub fn run<T: Transport>(
    open: impl FnOnce() -> Result<Card<T>>,
    card_spec: &str,
    args: &SignDocumentArgs,
    json: bool,
) -> Result<bool> {
    let hash = HashAlgorithm::from_name(&args.hash)
        .ok_or_else(|| Error::InvalidArgument(format!("unknown hash {}", args.hash)))?;
    let size = std::fs::metadata(&args.document)
        .map_err(|e| Error::InvalidArgument(format!("{}: {e}", args.document.display())))?
        .len();
    if size > MAX_DOCUMENT {
        return Err(Error::InvalidArgument(format!(
            "{}: {size} bytes, more than {MAX_DOCUMENT}",
            args.document.display()
        )));
    }
    let document = std::fs::read(&args.document)
        .map_err(|e| Error::InvalidArgument(format!("{}: {e}", args.document.display())))?;
    let pw = password(card_spec, &args.secret)?;
    let options = DocumentSignOptions {
        hash,
        include_ca_certificate: args.include_ca,
        allow_below_floor: args.secret.allow_last_try,
        ..DocumentSignOptions::new(args.signing_time.unwrap_or_else(unix_now))
    };
    let mut card = open()?;
    let sig = sign_document(&mut card, &pw, &document, options)?;
    std::fs::write(&args.out, &sig.der)
        .map_err(|e| Error::InvalidArgument(format!("{}: {e}", args.out.display())))?;
    let out = Out {
        out: args.out.display().to_string(),
        bytes: sig.der.len(),
        document_bytes: document.len(),
        hash,
        signing_time_unix: options.signing_time_unix,
        signer_subject: sig.certificate.info.subject.clone(),
        signer_serial: sig.certificate.info.serial.clone(),
    };
    crate::print(json, &out, || {
        format!(
            "{}: {} bytes of CMS SignedData (detached, {}) over {} document bytes\nsigner   {} (serial {})\ncheck    openssl cms -verify -binary -inform DER -in {} -content {} -CAfile ROOT.pem -purpose any\n",
            out.out,
            out.bytes,
            hash.name(),
            out.document_bytes,
            out.signer_subject,
            out.signer_serial,
            out.out,
            args.document.display()
        )
    })?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_a_file_on_the_virtual_card() {
        let dir =
            std::env::temp_dir().join(format!("mynakit-sign-document-{}", std::process::id()));
        let made = std::fs::create_dir_all(&dir);
        assert!(made.is_ok());
        let doc = dir.join("doc.txt");
        assert!(std::fs::write(&doc, b"contract").is_ok());
        let args = SignDocumentArgs {
            document: doc,
            out: dir.join("doc.p7s"),
            hash: "sha256".into(),
            include_ca: true,
            signing_time: Some(1_796_115_600),
            secret: SecretArgs::default(),
        };
        let open = || Card::new(mynakit_testkit::sim::VirtualCard::builtin("taro")?);
        let r = run(open, "sim", &args, true);
        assert!(matches!(r, Ok(true)), "{r:?}");
        let p7s = std::fs::read(dir.join("doc.p7s")).unwrap_or_default();
        // ContentInfo SEQUENCE with a long-form length, then id-signedData.
        assert_eq!(p7s.first(), Some(&0x30));
        assert!(p7s.windows(11).any(|w| w
            == [
                0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02
            ]));
        // An unknown hash is refused before the card is opened.
        let bad = SignDocumentArgs {
            hash: "md5".into(),
            ..args
        };
        let never = || -> Result<Card<mynakit_testkit::sim::VirtualCard>> {
            Err(Error::InvalidArgument("the card must not be opened".into()))
        };
        assert!(matches!(
            run(never, "sim", &bad, true),
            Err(Error::InvalidArgument(m)) if m.contains("unknown hash")
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
