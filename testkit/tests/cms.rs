//! Document signatures (issue 12 item 6): a detached CMS SignedData made on the virtual
//! card (profile `taro`) is accepted by `openssl cms -verify` against the virtual card's
//! TEST signing root, and refused once a document byte changes. openssl is an independent
//! implementation: it re-encodes the signed attributes, checks the message digest, the
//! RSA signature and the chain. Skipped only when `openssl` is missing and `CI` is not
//! `true` (in CI it must be there).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use mynakit::cms::{DocumentSignOptions, sign_document, sign_document_digest};
use mynakit::sign::HashAlgorithm;
use mynakit::{Capabilities, Card, Error, ExchangeHint, Secret, Transport, TransportError};
use mynakit_testkit::sim::VirtualCard;

/// taro's signing password (test-vectors/cards/taro/profile.json,
/// `credentials.jpki_sign_password`).
const SIGN_PASSWORD: &str = "ABC123";
/// 2026-12-01T09:00:00Z.
const SIGNING_TIME: u64 = 1_796_115_600;

/// Counts VERIFY commands (INS `20`) sent to the virtual card.
struct Counting {
    inner: VirtualCard,
    verifies: u32,
    signatures: u32,
}

impl Transport for Counting {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        match apdu.get(1) {
            Some(0x20) if apdu.len() > 5 => self.verifies += 1,
            Some(0x2A) => self.signatures += 1,
            _ => {}
        }
        self.inner.transmit(apdu, hint)
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

fn card() -> Card<Counting> {
    Card::new(Counting {
        inner: VirtualCard::builtin("taro").unwrap(),
        verifies: 0,
        signatures: 0,
    })
    .unwrap()
}

fn have_openssl() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "openssl is required in CI"
        );
        eprintln!("openssl not found: skipping");
    }
    ok
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mynakit-cms-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The virtual card's TEST signing root as PEM, for `-CAfile`.
fn root_pem(dir: &Path) -> PathBuf {
    let der = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../test-vectors/pki/jpki-test-sign-root.der"),
    )
    .unwrap();
    let der_path = dir.join("root.der");
    std::fs::write(&der_path, der).unwrap();
    let pem = dir.join("root.pem");
    run(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        der_path.to_str().unwrap(),
        "-out",
        pem.to_str().unwrap(),
    ])
    .unwrap();
    pem
}

fn run(args: &[&str]) -> Result<String, String> {
    let out = Command::new("openssl").args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

fn verify(dir: &Path, p7s: &Path, doc: &Path, ca: &Path, noverify: bool) -> Result<String, String> {
    let out = dir.join("out.bin");
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        p7s.to_str().unwrap(),
        "-content",
        doc.to_str().unwrap(),
        "-out",
        out.to_str().unwrap(),
    ];
    if noverify {
        args.push("-noverify");
    } else {
        args.extend(["-CAfile", ca.to_str().unwrap(), "-purpose", "any"]);
    }
    run(&args)
}

/// A document with every byte value, CR LF and LF (`-binary` keeps them as they are).
fn document() -> Vec<u8> {
    let mut doc = "契約書 / contract\r\nline two\n".as_bytes().to_vec();
    doc.extend(0u8..=255);
    doc
}

#[test]
fn openssl_cms_verify_accepts_the_signature_and_refuses_a_changed_document() {
    if !have_openssl() {
        return;
    }
    let dir = tmp("verify");
    let ca = root_pem(&dir);
    let doc = document();
    let mut card = card();
    let sig = sign_document(
        &mut card,
        &Secret::new(SIGN_PASSWORD),
        &doc,
        DocumentSignOptions::new(SIGNING_TIME),
    )
    .unwrap();
    // One VERIFY of the signing password and one signature.
    assert_eq!(card.transport().verifies, 1);
    assert_eq!(card.transport().signatures, 1);

    let p7s = dir.join("sig.p7s");
    let doc_path = dir.join("doc");
    std::fs::write(&p7s, &sig.der).unwrap();
    std::fs::write(&doc_path, &doc).unwrap();

    let ok = verify(&dir, &p7s, &doc_path, &ca, false).unwrap();
    assert!(ok.contains("Verification successful"), "{ok}");
    verify(&dir, &p7s, &doc_path, &ca, true).unwrap();
    // openssl hands back the content it checked.
    assert_eq!(std::fs::read(dir.join("out.bin")).unwrap(), doc);

    // Any changed document byte: first, middle, last.
    for i in [0, doc.len() / 2, doc.len() - 1] {
        let mut changed = doc.clone();
        changed[i] ^= 0x01;
        std::fs::write(&doc_path, &changed).unwrap();
        let err = verify(&dir, &p7s, &doc_path, &ca, false).unwrap_err();
        assert!(err.contains("content verify error"), "byte {i}: {err}");
        assert!(verify(&dir, &p7s, &doc_path, &ca, true).is_err());
    }
    // A longer or shorter document.
    std::fs::write(&doc_path, [doc.as_slice(), b"\n"].concat()).unwrap();
    assert!(verify(&dir, &p7s, &doc_path, &ca, true).is_err());
    std::fs::write(&doc_path, &doc[..doc.len() - 1]).unwrap();
    assert!(verify(&dir, &p7s, &doc_path, &ca, true).is_err());
    std::fs::write(&doc_path, &doc).unwrap();

    // A changed signature byte (the last byte of the file is the signature's last byte).
    let mut bad = sig.der.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    std::fs::write(&p7s, &bad).unwrap();
    assert!(verify(&dir, &p7s, &doc_path, &ca, true).is_err());

    // Against another root (the EC test root), the chain is refused: -CAfile matters.
    std::fs::write(&p7s, &sig.der).unwrap();
    let other_der = dir.join("other.der");
    std::fs::write(
        &other_der,
        std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/pki/ec/root-p384.der"),
        )
        .unwrap(),
    )
    .unwrap();
    let other = dir.join("other.pem");
    run(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        other_der.to_str().unwrap(),
        "-out",
        other.to_str().unwrap(),
    ])
    .unwrap();
    let err = verify(&dir, &p7s, &doc_path, &other, false).unwrap_err();
    assert!(err.contains("certificate verify error"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn openssl_sees_the_cades_bes_attributes() {
    if !have_openssl() {
        return;
    }
    let dir = tmp("print");
    let doc = document();
    let mut card = card();
    let options = DocumentSignOptions {
        include_ca_certificate: true,
        ..DocumentSignOptions::new(SIGNING_TIME)
    };
    let sig = sign_document(&mut card, &Secret::new(SIGN_PASSWORD), &doc, options).unwrap();
    let p7s = dir.join("sig.p7s");
    std::fs::write(&p7s, &sig.der).unwrap();
    let printed = run(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        p7s.to_str().unwrap(),
    ])
    .unwrap();
    for needle in [
        "contentType: pkcs7-signedData",
        "eContentType: pkcs7-data",
        "eContent: <ABSENT>",
        "object: contentType",
        "object: signingTime",
        "UTCTIME:Dec  1 09:00:00 2026 GMT",
        "object: messageDigest",
        "object: id-smime-aa-signingCertificateV2",
        "algorithm: sha256WithRSAEncryption",
    ] {
        assert!(printed.contains(needle), "missing {needle:?} in\n{printed}");
    }
    // The message digest is SHA-256 of the document. openssl dumps the OCTET STRING as
    // `0000 - 4b 5d e9 … 2c-70 b7 …   K].p…`: 13 bytes a line, the hex in the 38 columns
    // after " - ", the ASCII column after that.
    let after = printed.split("object: messageDigest").nth(1).unwrap();
    let mut dumped = String::new();
    let dump = after
        .lines()
        .skip_while(|l| !l.contains(" - "))
        .take_while(|l| l.contains(" - "));
    for line in dump {
        let Some((_, rest)) = line.split_once(" - ") else {
            break;
        };
        let hexpart: String = rest.chars().take(38).collect();
        dumped.extend(hexpart.chars().filter(char::is_ascii_hexdigit));
    }
    assert_eq!(
        dumped,
        hex::encode(HashAlgorithm::Sha256.digest(&doc)),
        "{printed}"
    );
    // Two certificates (signing certificate and CA), the chain verifies with the root.
    let certs = run(&[
        "pkcs7",
        "-inform",
        "DER",
        "-in",
        p7s.to_str().unwrap(),
        "-print_certs",
    ])
    .unwrap();
    assert_eq!(certs.matches("-----BEGIN CERTIFICATE-----").count(), 2);
    let ca = root_pem(&dir);
    let doc_path = dir.join("doc");
    std::fs::write(&doc_path, &doc).unwrap();
    verify(&dir, &p7s, &doc_path, &ca, false).unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sha384_and_precomputed_digests_verify() {
    if !have_openssl() {
        return;
    }
    let dir = tmp("sha384");
    let ca = root_pem(&dir);
    let doc = document();
    let mut card = card();
    let options = DocumentSignOptions {
        hash: HashAlgorithm::Sha384,
        ..DocumentSignOptions::new(SIGNING_TIME)
    };
    let digest = HashAlgorithm::Sha384.digest(&doc);
    let pw = Secret::new(SIGN_PASSWORD);
    let sig = sign_document_digest(&mut card, &pw, &digest, options).unwrap();
    // A second document in the same session: no second VERIFY.
    let sig2 = sign_document(&mut card, &pw, b"second", options).unwrap();
    assert_eq!(card.transport().verifies, 1);
    let p7s = dir.join("sig.p7s");
    let doc_path = dir.join("doc");
    std::fs::write(&p7s, &sig.der).unwrap();
    std::fs::write(&doc_path, &doc).unwrap();
    verify(&dir, &p7s, &doc_path, &ca, false).unwrap();
    std::fs::write(&p7s, &sig2.der).unwrap();
    std::fs::write(&doc_path, b"second").unwrap();
    verify(&dir, &p7s, &doc_path, &ca, false).unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_arguments_are_refused_before_any_verify() {
    let mut card = card();
    let pw = Secret::new(SIGN_PASSWORD);
    let sha1 = DocumentSignOptions {
        hash: HashAlgorithm::Sha1,
        ..DocumentSignOptions::new(SIGNING_TIME)
    };
    assert!(matches!(
        sign_document(&mut card, &pw, b"x", sha1),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        sign_document_digest(
            &mut card,
            &pw,
            &[0; 31],
            DocumentSignOptions::new(SIGNING_TIME)
        ),
        Err(Error::InvalidArgument(_))
    ));
    // A password of the wrong form (the signing password is 6 to 16 letters and digits).
    assert!(
        sign_document(
            &mut card,
            &Secret::new("abc"),
            b"x",
            DocumentSignOptions::new(SIGNING_TIME)
        )
        .is_err()
    );
    assert_eq!(card.transport().verifies, 0);
    assert_eq!(card.transport().signatures, 0);
}
