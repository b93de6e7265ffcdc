//! Card profiles: the person, credentials, keys and certificates a virtual card holds.
//!
//! A profile is a `profile.json` plus the DER files it names (paths relative to the JSON),
//! as written by the reproducible generator in `test-vectors/generator`. The built-in
//! profiles are those files compiled in.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use mynakit::error::{Error, Result};

/// The profile format this version reads.
pub const PROFILE_FORMAT: &str = "mynakit-card-profile/1";

/// The person on the card (fictional: test material).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Name, surname and given name separated by U+3000.
    pub name: String,
    /// Address.
    pub address: String,
    /// Birth date `YYYY-MM-DD`.
    pub birth_date: String,
    /// Sex code (`1`, `2`, `9`).
    pub sex: String,
    /// 12-digit My Number.
    pub my_number: String,
    /// Card expiry `YYYY-MM-DD`.
    pub card_expiry: String,
    /// 4-digit security code printed on the card face.
    pub security_code: String,
}

/// Credential values of a virtual card. `Debug` does not show them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileCredentials {
    /// 利用者証明用暗証番号.
    pub jpki_auth_pin: String,
    /// 署名用パスワード, absent when the card has no signing certificate.
    pub jpki_sign_password: Option<String>,
    /// 券面事項入力補助用暗証番号.
    pub text_pin: String,
}

impl fmt::Debug for ProfileCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProfileCredentials(<redacted>)")
    }
}

/// Files of the JPKI application, relative to the profile's folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JpkiFiles {
    /// User-authentication certificate (DER).
    pub auth_cert: String,
    /// User-authentication private key (PKCS#8 DER); absent in a profile built from real
    /// card bytes (the card never gives its keys out), whose virtual card then refuses to sign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_key: Option<String>,
    /// CA certificate of the authentication certificate.
    pub auth_ca_cert: String,
    /// Signing certificate, if the card has one.
    pub sign_cert: Option<String>,
    /// Signing private key, if the card has one and the profile knows it.
    pub sign_key: Option<String>,
    /// CA certificate of the signing certificate.
    pub sign_ca_cert: String,
}

/// Files of 券面事項入力補助AP (raw EF contents as written by the generator).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFiles {
    /// EF `0001` (My Number, 17 bytes physical).
    pub ef0001: String,
    /// EF `0002` (four attributes).
    pub ef0002: String,
    /// EF `0003` (integrity record).
    pub ef0003: String,
    /// EF `0004` (CV certificate).
    pub ef0004: String,
    /// EF `0005` (AP basic information).
    pub ef0005: String,
    /// EF `0007` (signed public key).
    pub ef0007: String,
    /// The AP's own private key (PKCS#8), which signs challenges; absent when unknown (real
    /// card bytes): the virtual card then refuses the challenge and liveness fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_auth_key: Option<String>,
}

/// Files of 券面AP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceFiles {
    /// EF `0001` (age record).
    pub ef0001: String,
    /// EF `0002` (card face).
    pub ef0002: String,
    /// EF `0003` (AP basic information).
    pub ef0003: String,
    /// EF `0004` (CV certificate).
    pub ef0004: String,
    /// EF `0005` (My Number image).
    pub ef0005: String,
    /// The card's private key (PKCS#8), which signs challenges; absent when unknown (real
    /// card bytes): the virtual card then refuses the challenge and liveness fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_key: Option<String>,
    /// The photo's pixels before encoding (binary PGM), for tests; absent for real card bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_pgm: Option<String>,
}

/// A card profile as stored in `profile.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSpec {
    /// Must be [`PROFILE_FORMAT`].
    pub format: String,
    /// Short identifier.
    pub id: String,
    /// Always true for the shipped profiles.
    pub test_material: bool,
    /// Human description.
    pub description: String,
    /// JPKI token label (EF `0006`).
    pub token_label: String,
    /// The person.
    pub person: Person,
    /// Credential values.
    pub credentials: ProfileCredentials,
    /// JPKI files.
    pub jpki: JpkiFiles,
    /// 券面事項入力補助AP files, when the card has the AP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextFiles>,
    /// 券面AP files, when the card has the AP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<FaceFiles>,
}

/// A profile with its files loaded.
#[derive(Clone)]
pub struct CardProfile {
    /// The JSON part.
    pub spec: ProfileSpec,
    files: BTreeMap<String, Vec<u8>>,
}

impl fmt::Debug for CardProfile {
    /// Shows what the profile is without its person data, credentials or key bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardProfile")
            .field("id", &self.spec.id)
            .field("token_label", &self.spec.token_label)
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

macro_rules! tv {
    ($p:literal) => {
        (
            $p,
            include_bytes!(concat!("../../../test-vectors/", $p)) as &'static [u8],
        )
    };
}

/// Files of the built-in profiles, by path below `test-vectors/`.
const BUILTIN_FILES: &[(&str, &[u8])] = &[
    tv!("pki/jpki-test-auth-root.der"),
    tv!("pki/jpki-test-sign-root.der"),
    tv!("cards/taro/profile.json"),
    tv!("cards/taro/auth-cert.der"),
    tv!("cards/taro/auth-key.pk8"),
    tv!("cards/taro/sign-cert.der"),
    tv!("cards/taro/sign-key.pk8"),
    tv!("cards/hanako/profile.json"),
    tv!("cards/hanako/auth-cert.der"),
    tv!("cards/hanako/auth-key.pk8"),
    tv!("cards/taro/text/ef0001.bin"),
    tv!("cards/taro/text/ef0002.bin"),
    tv!("cards/taro/text/ef0003.bin"),
    tv!("cards/taro/text/ef0004.bin"),
    tv!("cards/taro/text/ef0005.bin"),
    tv!("cards/taro/text/ef0007.bin"),
    tv!("cards/taro/text/internal-auth-key.pk8"),
    tv!("cards/taro/face/ef0001.bin"),
    tv!("cards/taro/face/ef0002.bin"),
    tv!("cards/taro/face/ef0003.bin"),
    tv!("cards/taro/face/ef0004.bin"),
    tv!("cards/taro/face/ef0005.bin"),
    tv!("cards/taro/face/card-key.pk8"),
    tv!("cards/taro/face/photo.pgm"),
    tv!("cards/hanako/text/ef0001.bin"),
    tv!("cards/hanako/text/ef0002.bin"),
    tv!("cards/hanako/text/ef0003.bin"),
    tv!("cards/hanako/text/ef0004.bin"),
    tv!("cards/hanako/text/ef0005.bin"),
    tv!("cards/hanako/text/ef0007.bin"),
    tv!("cards/hanako/text/internal-auth-key.pk8"),
    tv!("cards/hanako/face/ef0001.bin"),
    tv!("cards/hanako/face/ef0002.bin"),
    tv!("cards/hanako/face/ef0003.bin"),
    tv!("cards/hanako/face/ef0004.bin"),
    tv!("cards/hanako/face/ef0005.bin"),
    tv!("cards/hanako/face/card-key.pk8"),
    tv!("cards/hanako/face/photo.pgm"),
    tv!("cards/jlis-test/profile.json"),
    tv!("real-cards/jlis-test/jpki-auth-cert.der"),
    tv!("real-cards/jlis-test/jpki-auth-ca-cert.der"),
    tv!("real-cards/jlis-test/jpki-sign-cert.der"),
    tv!("real-cards/jlis-test/jpki-sign-ca-cert.der"),
    tv!("real-cards/jlis-test/text-0001-physical.bin"),
    tv!("real-cards/jlis-test/text-0002.bin"),
    tv!("real-cards/jlis-test/text-0003.bin"),
    tv!("real-cards/jlis-test/text-0004.bin"),
    tv!("real-cards/jlis-test/text-0005.bin"),
    tv!("real-cards/jlis-test/text-0007.bin"),
    tv!("real-cards/jlis-test/surface-0001.bin"),
    tv!("real-cards/jlis-test/surface-0002.bin"),
    tv!("real-cards/jlis-test/surface-0003.bin"),
    tv!("real-cards/jlis-test/surface-0004.bin"),
    tv!("real-cards/jlis-test/surface-0005.bin"),
];

/// Names of the built-in profiles generated by `test-vectors/generator` (complete cards:
/// every key is known, so the virtual card signs).
pub const BUILTIN_PROFILES: &[&str] = &["taro", "hanako"];

fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

impl CardProfile {
    /// Built-in profiles made of bytes read from real cards rather than generated:
    /// `jlis-test`, the J-LIS test card of `test-vectors/real-cards/jlis-test` (files as the
    /// card returned them, credentials derived from its data; no private keys, so its virtual
    /// card reads, verifies and replays but never signs). Kept apart from
    /// [`BUILTIN_PROFILES`], whose cards can do everything.
    pub const REAL_CARD_PROFILES: &'static [&'static str] = &["jlis-test"];

    /// A built-in profile: `taro` (full card), `hanako` (under 15, no signing certificate)
    /// or `jlis-test` (real J-LIS test-card bytes, see [`CardProfile::REAL_CARD_PROFILES`]).
    pub fn builtin(id: &str) -> Result<Self> {
        let dir = format!("cards/{id}");
        let json = BUILTIN_FILES
            .iter()
            .find(|(p, _)| *p == format!("{dir}/profile.json"))
            .map(|(_, b)| *b)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown built-in profile {id:?}; known: {}, {}",
                    BUILTIN_PROFILES.join(", "),
                    Self::REAL_CARD_PROFILES.join(", ")
                ))
            })?;
        Self::from_parts(json, |rel| {
            let key = normalize(&Path::new(&dir).join(rel));
            BUILTIN_FILES
                .iter()
                .find(|(p, _)| *p == key)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| Error::InvalidArgument(format!("built-in file {key} missing")))
        })
    }

    /// Loads a profile from a `profile.json` path (or the folder holding one).
    pub fn load(path: &Path) -> Result<Self> {
        let json_path: PathBuf = if path.is_dir() {
            path.join("profile.json")
        } else {
            path.to_path_buf()
        };
        let dir = json_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let json = std::fs::read(&json_path).map_err(|e| {
            Error::InvalidArgument(format!("cannot read {}: {e}", json_path.display()))
        })?;
        Self::from_parts(&json, |rel| {
            let p = dir.join(rel);
            std::fs::read(&p)
                .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", p.display())))
        })
    }

    fn from_parts(json: &[u8], mut read: impl FnMut(&str) -> Result<Vec<u8>>) -> Result<Self> {
        let spec: ProfileSpec = serde_json::from_slice(json)
            .map_err(|e| Error::InvalidArgument(format!("invalid profile JSON: {e}")))?;
        if spec.format != PROFILE_FORMAT {
            return Err(Error::InvalidArgument(format!(
                "profile format {:?} is not {PROFILE_FORMAT:?}",
                spec.format
            )));
        }
        let mut files = BTreeMap::new();
        let j = &spec.jpki;
        let names = [
            Some(&j.auth_cert),
            j.auth_key.as_ref(),
            Some(&j.auth_ca_cert),
            j.sign_cert.as_ref(),
            j.sign_key.as_ref(),
            Some(&j.sign_ca_cert),
        ];
        let mut all: Vec<&String> = names.into_iter().flatten().collect();
        if let Some(t) = &spec.text {
            all.extend([
                &t.ef0001, &t.ef0002, &t.ef0003, &t.ef0004, &t.ef0005, &t.ef0007,
            ]);
            all.extend(t.internal_auth_key.as_ref());
        }
        if let Some(f) = &spec.face {
            all.extend([&f.ef0001, &f.ef0002, &f.ef0003, &f.ef0004, &f.ef0005]);
            all.extend(f.card_key.as_ref());
            all.extend(f.photo_pgm.as_ref());
        }
        for name in all {
            files.insert(name.clone(), read(name)?);
        }
        if (j.sign_key.is_some() && j.sign_cert.is_none())
            || j.sign_cert.is_some() != spec.credentials.jpki_sign_password.is_some()
        {
            return Err(Error::InvalidArgument(
                "a profile has a signing certificate and password together or neither, and a \
                 signing key only with them"
                    .into(),
            ));
        }
        Ok(CardProfile { spec, files })
    }

    /// The bytes of a file the profile names.
    pub fn file(&self, name: &str) -> Result<&[u8]> {
        self.files
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| Error::InvalidArgument(format!("profile file {name} not loaded")))
    }

    /// Replaces the token label (to emulate the smartphone tokens with the same keys).
    #[must_use]
    pub fn with_token_label(mut self, label: &str) -> Self {
        self.spec.token_label = label.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load() {
        for id in BUILTIN_PROFILES
            .iter()
            .chain(CardProfile::REAL_CARD_PROFILES)
        {
            let p = CardProfile::builtin(id);
            assert!(p.is_ok(), "{id}: {:?}", p.err());
        }
        assert!(CardProfile::builtin("nobody").is_err());
    }

    #[test]
    fn credentials_are_redacted_in_debug() {
        let Ok(p) = CardProfile::builtin("taro") else {
            panic!("taro")
        };
        let shown = format!("{p:?}");
        assert!(!shown.contains(&p.spec.credentials.jpki_auth_pin));
    }

    #[test]
    fn normalize_paths() {
        assert_eq!(
            normalize(Path::new("cards/taro/../../pki/a.der")),
            "pki/a.der"
        );
    }
}
