//! Assembles the complete set of test-vector files in memory.

use std::collections::BTreeMap;

use der::Encode;

use crate::{
    certs::{self, Ca, JpkiKind},
    error::{Error, Result},
    keys::TestKey,
    profiles::{self, AUTH_CERT_FILE, AUTH_KEY_FILE, PROFILE_FILE, SIGN_CERT_FILE, SIGN_KEY_FILE},
};

/// Generated files: path relative to the output folder (always `/`-separated) → bytes.
pub type FileSet = BTreeMap<String, Vec<u8>>;

/// Folder of the roots, relative to the output folder.
const PKI_DIR: &str = "pki";
/// Folder of the card profiles, relative to the output folder.
const CARDS_DIR: &str = "cards";

/// Path of a root certificate relative to the output folder.
fn root_cert_path(kind: JpkiKind) -> String {
    format!("{PKI_DIR}/{}.der", kind.root_file_stem())
}

/// Path of a root private key relative to the output folder.
fn root_key_path(kind: JpkiKind) -> String {
    format!("{PKI_DIR}/{}.pk8", kind.root_file_stem())
}

/// Builds every file: both roots, every card profile, and the README.
pub fn generate() -> Result<FileSet> {
    let mut files = FileSet::new();

    let auth_ca = Ca::build(JpkiKind::Auth)?;
    let sign_ca = Ca::build(JpkiKind::Sign)?;
    for ca in [&auth_ca, &sign_ca] {
        files.insert(root_cert_path(ca.kind), ca.cert.to_der()?);
        files.insert(root_key_path(ca.kind), ca.key.pkcs8_der()?);
    }

    for profile in profiles::all() {
        profile.validate()?;
        let dir = format!("{CARDS_DIR}/{}", profile.id);

        let auth_key = TestKey::derive(&profile.auth_key_label())?;
        let auth_cert = certs::auth_cert(
            &auth_ca,
            profile.auth_serial,
            &profile.auth_common_name(),
            &auth_key,
        )?;
        files.insert(format!("{dir}/{AUTH_KEY_FILE}"), auth_key.pkcs8_der()?);
        files.insert(format!("{dir}/{AUTH_CERT_FILE}"), auth_cert.to_der()?);

        if let Some(sign) = &profile.sign {
            let sign_key = TestKey::derive(&profile.sign_key_label())?;
            let sign_cert = certs::sign_cert(
                &sign_ca,
                sign.serial,
                sign.localities,
                &profile.sign_common_name(),
                &profile.holder_attributes()?,
                &sign_key,
            )?;
            files.insert(format!("{dir}/{SIGN_KEY_FILE}"), sign_key.pkcs8_der()?);
            files.insert(format!("{dir}/{SIGN_CERT_FILE}"), sign_cert.to_der()?);
        }

        let json = profile.to_json(
            &format!("../../{}", root_cert_path(JpkiKind::Auth)),
            &format!("../../{}", root_cert_path(JpkiKind::Sign)),
        )?;
        files.insert(format!("{dir}/{PROFILE_FILE}"), json);
    }

    let readme = readme(&files)?;
    files.insert("README.md".to_owned(), readme);
    Ok(files)
}

/// One line of the README's file table.
fn describe(path: &str) -> Result<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Ok(match name {
        "jpki-test-auth-root.der" => "self-signed TEST root of the user-authentication hierarchy",
        "jpki-test-sign-root.der" => "self-signed TEST root of the digital-signature hierarchy",
        "jpki-test-auth-root.pk8" | "jpki-test-sign-root.pk8" => {
            "the root's private key (PKCS#8), to issue more test certificates"
        }
        AUTH_CERT_FILE => "user-authentication certificate (EF 000A); subject is an opaque ID",
        AUTH_KEY_FILE => "its private key (PKCS#8)",
        SIGN_CERT_FILE => "digital-signature certificate (EF 0001); holder's 4 attributes in SAN",
        SIGN_KEY_FILE => "its private key (PKCS#8)",
        PROFILE_FILE => "the card's person data, PINs and file references",
        _ => return Err(Error::Data(format!("no README description for {path}"))),
    })
}

/// `README.md`, generated so that its file list always matches the output.
fn readme(files: &FileSet) -> Result<Vec<u8>> {
    let mut text = String::from(
        "# MynaKit test vectors — TEST MATERIAL ONLY\n\
         \n\
         Everything in this folder is **test material** for MynaKit's virtual My Number Card:\n\
         \n\
         - the people are **fictional** (names, addresses, My Numbers, PINs are invented);\n\
         - the two roots are MynaKit **TEST roots**, not J-LIS roots. Their private keys are\n\
         \x20 published right here, so **never trust them in production** (never add them to a\n\
         \x20 trust store, never accept a chain that ends in them outside tests).\n\
         \n\
         The files are generated reproducibly (fixed dates and serials; every RSA-2048 key is\n\
         derived from its own seeded RNG) by `test-vectors/generator`. Do not edit them by\n\
         hand. From the workspace root:\n\
         \n\
         ```sh\n\
         # regenerate\n\
         cargo run --release -p mynakit-testgen -- --out test-vectors\n\
         # verify the committed files are exactly what the generator produces\n\
         cargo run --release -p mynakit-testgen -- --out test-vectors --check\n\
         ```\n\
         \n\
         Certificates are DER, keys are unencrypted PKCS#8 DER. Validity: roots\n\
         2024-01-01 to 2044-01-01, card certificates 2025-04-01 to 2035-03-31 (UTC).\n\
         \n\
         ## Cards\n\
         \n\
         - `taro`: full card, both JPKI certificates (name, address, birth date and sex\n\
         \x20 in the signing certificate's subjectAltName).\n\
         - `hanako`: holder under 15, so no signing certificate, key or password\n\
         \x20 (`null` in `profile.json`); the card still holds the signing CA certificate.\n\
         \n\
         Each `profile.json` lists the person data, the PINs/password and the file\n\
         paths (relative to the profile's folder).\n\
         \n\
         ## Files\n\
         \n\
         | File | Contents |\n\
         |---|---|\n",
    );
    for path in files.keys() {
        text.push_str(&format!("| `{path}` | {} |\n", describe(path)?));
    }
    text.push_str("| `README.md` | this file (generated) |\n");
    Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
    use rsa::{
        RsaPublicKey,
        pkcs1v15::{Signature, VerifyingKey},
        pkcs8::DecodePrivateKey,
        signature::Verifier,
    };
    use sha2::Sha256;
    use x509_cert::{Certificate, ext::pkix::SubjectAltName};

    fn cert(files: &FileSet, path: &str) -> Result<Certificate> {
        let der = files
            .get(path)
            .ok_or_else(|| Error::Data(format!("missing {path}")))?;
        Ok(Certificate::from_der(der)?)
    }

    /// Verifies `child`'s signature with `issuer`'s public key.
    fn verify(child: &Certificate, issuer: &Certificate) -> Result<()> {
        let key = RsaPublicKey::try_from(
            issuer
                .tbs_certificate()
                .subject_public_key_info()
                .owned_to_ref(),
        )?;
        let verifier = VerifyingKey::<Sha256>::new(key);
        let signature = Signature::try_from(child.signature().raw_bytes())
            .map_err(|e| Error::Data(e.to_string()))?;
        verifier
            .verify(&child.tbs_certificate().to_der()?, &signature)
            .map_err(|e| Error::Data(format!("signature does not verify: {e}")))
    }

    use der::referenced::OwnedToRef;

    #[test]
    fn chains_keys_and_san() -> Result<()> {
        let files = generate()?;
        let auth_root = cert(&files, "pki/jpki-test-auth-root.der")?;
        let sign_root = cert(&files, "pki/jpki-test-sign-root.der")?;
        verify(&auth_root, &auth_root)?;
        verify(&sign_root, &sign_root)?;

        let taro_auth = cert(&files, "cards/taro/auth-cert.der")?;
        let taro_sign = cert(&files, "cards/taro/sign-cert.der")?;
        let hanako_auth = cert(&files, "cards/hanako/auth-cert.der")?;
        verify(&taro_auth, &auth_root)?;
        verify(&hanako_auth, &auth_root)?;
        verify(&taro_sign, &sign_root)?;
        // Cross-hierarchy must fail.
        assert!(verify(&taro_sign, &auth_root).is_err());
        assert!(!files.contains_key("cards/hanako/sign-cert.der"));
        assert!(!files.contains_key("cards/hanako/sign-key.pk8"));

        // The stored private key matches the certificate's public key.
        let key = rsa::RsaPrivateKey::from_pkcs8_der(
            files
                .get("cards/taro/auth-key.pk8")
                .ok_or_else(|| Error::Data("missing key".into()))?,
        )?;
        let cert_key = RsaPublicKey::try_from(
            taro_auth
                .tbs_certificate()
                .subject_public_key_info()
                .owned_to_ref(),
        )?;
        assert_eq!(key.to_public_key(), cert_key);

        // The SAN decodes back to taro's four attributes.
        let (critical, san) = taro_sign
            .tbs_certificate()
            .get_extension::<SubjectAltName>()?
            .ok_or_else(|| Error::Data("no SAN".into()))?;
        assert!(!critical);
        let values: Vec<String> = certs::decode_holder_san(&san)?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            values,
            [
                "見本\u{3000}太郎",
                "00000",
                "1",
                "419900102",
                "東京都千代田区見本町一丁目２番３号",
                "00000000000000000",
            ]
        );
        Ok(())
    }
}
