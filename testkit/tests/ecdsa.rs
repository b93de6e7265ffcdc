//! ECDSA verification for next-generation cards (issue 12 item 7): known-answer vectors
//! from RFC 6979 appendix A.2.5 (P-256) and A.2.6 (P-384), and an EC test PKI made with
//! openssl (test-vectors/pki/ec, see its README.md) verified through `TrustStore`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use mynakit::Error;
use mynakit::cert::{JpkiCertificate, TrustStore};
use mynakit::sign::{HashAlgorithm, PublicKey, SignInput, verify_signature};

/// RFC 6979 A.2.5, NIST P-256. The private key is
/// x = C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721; the RFC gives
/// Ux = 60FED4BA…60F29FB6, Uy = 7903FE10…D4462299. The SPKI below is
/// `30 59 30 13 06 07 2A8648CE3D0201 (id-ecPublicKey) 06 08 2A8648CE3D030107 (prime256v1)
/// 03 42 00 04 Ux Uy`, written out by hand and cross-checked with Python `cryptography`
/// (derive_private_key(x).public_key() gives the same Ux, Uy and DER).
const P256_SPKI: &str = "3059301306072A8648CE3D020106082A8648CE3D03010703420004\
    60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6\
    7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

/// RFC 6979 A.2.6, NIST P-384 (x = 6B9D3DAD…60D2EDF5): `30 76 30 10 06 07 2A8648CE3D0201
/// 06 05 2B81040022 (secp384r1) 03 62 00 04 Ux Uy`, cross-checked the same way.
const P384_SPKI: &str = "3076301006072A8648CE3D020106052B8104002203620004\
    EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13\
    8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720";

/// (hash, message, r, s) from the RFC's "Signatures" lists. Each was also verified with
/// Python `cryptography` (OpenSSL) before being pasted here.
const P256_VECTORS: &[(HashAlgorithm, &str, &str, &str)] = &[
    (
        HashAlgorithm::Sha256,
        "sample",
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
    ),
    (
        HashAlgorithm::Sha256,
        "test",
        "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
    ),
    // SHA-384 on P-256: the digest is longer than the order and is truncated.
    (
        HashAlgorithm::Sha384,
        "sample",
        "0EAFEA039B20E9B42309FB1D89E213057CBF973DC0CFC8F129EDDDC800EF7719",
        "4861F0491E6998B9455193E34E7B0D284DDD7149A74B95B9261F13ABDE940954",
    ),
];

const P384_VECTORS: &[(HashAlgorithm, &str, &str, &str)] = &[
    (
        HashAlgorithm::Sha384,
        "sample",
        "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
        "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
    ),
    (
        HashAlgorithm::Sha384,
        "test",
        "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
        "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5",
    ),
    // SHA-256 on P-384: a digest shorter than the order, used as it is.
    (
        HashAlgorithm::Sha256,
        "sample",
        "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
        "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0",
    ),
];

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(char::is_whitespace, "")).unwrap()
}

/// DER `Ecdsa-Sig-Value` by hand: `30 L 02 Lr r 02 Ls s`, each INTEGER minimal (leading
/// zero bytes dropped, one 00 added when the top bit is set). All lengths here are < 128.
fn der_sig(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn int(v: &[u8]) -> Vec<u8> {
        let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_none_or(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(v.len()).unwrap()];
        out.extend(v);
        out
    }
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

fn msg(hash: HashAlgorithm, m: &str) -> SignInput {
    SignInput::Message {
        hash,
        data: m.as_bytes().to_vec(),
    }
}

fn check_vectors(spki: &[u8], vectors: &[(HashAlgorithm, &str, &str, &str)], bits: usize) {
    let key = PublicKey::from_spki(spki).unwrap();
    assert_eq!(key.algorithm(), "ec");
    assert_eq!(key.bits(), bits);
    for &(hash, m, r, s) in vectors {
        let (r, s) = (hex(r), hex(s));
        let raw = [r.clone(), s.clone()].concat();
        let der = der_sig(&r, &s);
        // Both encodings verify.
        verify_signature(spki, &msg(hash, m), &raw, false).unwrap();
        verify_signature(spki, &msg(hash, m), &der, false).unwrap();
        key.verify_digest_der(hash, &hash.digest(m.as_bytes()), &der)
            .unwrap();
        // The raw form is refused where DER is required.
        assert!(
            key.verify_digest_der(hash, &hash.digest(m.as_bytes()), &raw)
                .is_err()
        );
        // Another message, another hash, or any flipped signature byte: refused.
        assert!(verify_signature(spki, &msg(hash, "other"), &raw, false).is_err());
        let other_hash = if hash == HashAlgorithm::Sha256 {
            HashAlgorithm::Sha384
        } else {
            HashAlgorithm::Sha256
        };
        assert!(verify_signature(spki, &msg(other_hash, m), &raw, false).is_err());
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            assert!(
                verify_signature(spki, &msg(hash, m), &bad, false).is_err(),
                "{m}: raw byte {i} flipped still verifies"
            );
        }
        for i in 0..der.len() {
            let mut bad = der.clone();
            bad[i] ^= 0x01;
            assert!(
                verify_signature(spki, &msg(hash, m), &bad, false).is_err(),
                "{m}: DER byte {i} flipped still verifies"
            );
        }
        // A DER signature with a trailing byte, and a truncated raw one.
        let mut long = der.clone();
        long.push(0);
        assert!(verify_signature(spki, &msg(hash, m), &long, false).is_err());
        assert!(verify_signature(spki, &msg(hash, m), &raw[..raw.len() - 1], false).is_err());
        // r = 0 is refused (out of range), not verified.
        let zero_r = [vec![0u8; r.len()], s.clone()].concat();
        assert!(matches!(
            verify_signature(spki, &msg(hash, m), &zero_r, false),
            Err(Error::Verification(_))
        ));
    }
}

#[test]
fn rfc6979_p256_vectors_verify() {
    check_vectors(&hex(P256_SPKI), P256_VECTORS, 256);
}

#[test]
fn rfc6979_p384_vectors_verify() {
    check_vectors(&hex(P384_SPKI), P384_VECTORS, 384);
}

#[test]
fn a_p384_signature_does_not_verify_under_the_p256_key_or_vice_versa() {
    let (h, m, r, s) = P384_VECTORS[0];
    let raw = [hex(r), hex(s)].concat();
    assert!(verify_signature(&hex(P256_SPKI), &msg(h, m), &raw, false).is_err());
    let (h, m, r, s) = P256_VECTORS[0];
    let raw = [hex(r), hex(s)].concat();
    assert!(verify_signature(&hex(P384_SPKI), &msg(h, m), &raw, false).is_err());
}

#[test]
fn unsupported_or_malformed_ec_keys_are_refused() {
    let p256 = hex(P256_SPKI);
    // namedCurve secp256k1 (1.3.132.0.10 = 06 05 2B 8104 000A) is not supported: replace
    // the 10-byte prime256v1 OID TLV (offset 13..23) with it, fixing the lengths.
    let mut k1 = p256.clone();
    k1.splice(13..23, hex("06052B8104000A"));
    k1[1] -= 3; // outer SEQUENCE
    k1[3] -= 3; // AlgorithmIdentifier
    let err = PublicKey::from_spki(&k1).unwrap_err();
    assert!(
        err.to_string().contains("unsupported curve 1.3.132.0.10"),
        "{err}"
    );
    // Parameters that are not an OID (NULL instead of the curve: explicit or implicit
    // curves are refused, RFC 5480 §2.1.1).
    let mut null = p256.clone();
    null.splice(13..23, hex("0500"));
    null[1] -= 8;
    null[3] -= 8;
    let err = PublicKey::from_spki(&null).unwrap_err();
    assert!(err.to_string().contains("namedCurve"), "{err}");
    // A point not on the curve (last coordinate byte changed).
    let mut off = p256.clone();
    *off.last_mut().unwrap() ^= 0x01;
    assert!(PublicKey::from_spki(&off).is_err());
    // A P-384 point under the P-256 OID.
    let mut swapped = hex(P384_SPKI);
    swapped.splice(13..20, hex("06082A8648CE3D030107"));
    swapped[1] += 3;
    swapped[3] += 3;
    assert!(PublicKey::from_spki(&swapped).is_err());
}

fn ec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/pki/ec")
}

fn load(name: &str) -> JpkiCertificate {
    JpkiCertificate::parse(&std::fs::read(ec_dir().join(name)).unwrap()).unwrap()
}

/// 2027-01-15T08:00:00Z: inside every EC test certificate's validity (made 2026-12-01, 30
/// years).
const AT: u64 = 1_800_000_000;

fn store() -> TrustStore {
    let mut store = TrustStore::production().unwrap();
    for name in ["root-p384.der", "root-p256.der"] {
        let der = std::fs::read(ec_dir().join(name)).unwrap();
        store.add_anchor(name, &der).unwrap();
    }
    store
}

#[test]
fn ec_certificates_parse_with_curve_and_size() {
    for (name, bits, curve, alg) in [
        ("root-p384.der", 384, "P-384", "1.2.840.10045.4.3.3"),
        ("inter-p384.der", 384, "P-384", "1.2.840.10045.4.3.3"),
        ("leaf-p384.der", 384, "P-384", "1.2.840.10045.4.3.3"),
        ("leaf-p256.der", 256, "P-256", "1.2.840.10045.4.3.3"),
        ("root-p256.der", 256, "P-256", "1.2.840.10045.4.3.2"),
        ("leaf-p256-by-p256.der", 256, "P-256", "1.2.840.10045.4.3.2"),
    ] {
        let c = load(name);
        assert_eq!(c.info.public_key.algorithm, "ec", "{name}");
        assert_eq!(c.info.public_key.bits, Some(bits), "{name}");
        assert_eq!(c.info.public_key.curve.as_deref(), Some(curve), "{name}");
        assert_eq!(c.info.signature_algorithm, alg, "{name}");
    }
}

#[test]
fn ec_chains_verify_through_the_trust_store() {
    let store = store();
    // P-384 root → P-256 leaf (ecdsa-with-SHA384 under a P-384 key).
    let leaf256 = load("leaf-p256.der");
    let chain = store.verify(&leaf256, AT).unwrap();
    assert_eq!(chain.anchor, "root-p384.der");
    // P-384 root → P-384 intermediate → P-384 leaf: the store checks the intermediate, the
    // leaf is checked against it.
    let inter = load("inter-p384.der");
    assert!(inter.info.is_ca);
    assert_eq!(store.verify(&inter, AT).unwrap().anchor, "root-p384.der");
    let leaf384 = load("leaf-p384.der");
    leaf384.is_signed_by(&inter).unwrap();
    // The leaf is not signed by the root itself, so the store (roots only) refuses it.
    assert!(store.verify(&leaf384, AT).is_err());
    // P-256 root → P-256 leaf (ecdsa-with-SHA256).
    let leaf = load("leaf-p256-by-p256.der");
    assert_eq!(store.verify(&leaf, AT).unwrap().anchor, "root-p256.der");
    // Wrong issuer keys: same-named subjects differ here, but the signature decides.
    assert!(leaf256.is_signed_by(&load("root-p256.der")).is_err());
    assert!(leaf384.is_signed_by(&load("root-p384.der")).is_err());
    // An RSA issuer for an ECDSA-signed certificate: refused, naming the key type.
    let rsa_root = JpkiCertificate::parse(
        &std::fs::read(ec_dir().join("../jpki-test-sign-root.der")).unwrap(),
    )
    .unwrap();
    let err = leaf256.is_signed_by(&rsa_root).unwrap_err();
    assert!(err.to_string().contains("EC issuer key"), "{err}");
    // Outside the validity period.
    assert!(store.verify(&leaf256, 1_700_000_000).is_err());
    // Without the anchor, nothing verifies.
    let bare = TrustStore::production().unwrap();
    assert!(bare.verify(&leaf256, AT).is_err());
}

#[test]
fn every_flipped_byte_of_an_ec_certificate_is_rejected() {
    let store = store();
    for (name, issuer) in [
        ("leaf-p256.der", None),
        ("leaf-p384.der", Some("inter-p384.der")),
    ] {
        let der = std::fs::read(ec_dir().join(name)).unwrap();
        let issuer = issuer.map(load);
        let accept = |d: &[u8]| -> bool {
            let Ok(c) = JpkiCertificate::parse(d) else {
                return false;
            };
            match &issuer {
                None => store.verify(&c, AT).is_ok(),
                Some(i) => c.is_signed_by(i).is_ok(),
            }
        };
        assert!(accept(&der), "{name} unmutated");
        let mut accepted = Vec::new();
        for i in 0..der.len() {
            let mut bad = der.clone();
            bad[i] ^= 0x01;
            if accept(&bad) {
                accepted.push(i);
            }
        }
        assert!(
            accepted.is_empty(),
            "{name}: flipped bytes still accepted at {accepted:?}"
        );
    }
}

#[test]
fn openssl_message_signatures_verify() {
    let message = std::fs::read(ec_dir().join("message.txt")).unwrap();
    for (cert, sig, hash) in [
        (
            "leaf-p384.der",
            "message.leaf-p384.sha384.sig",
            HashAlgorithm::Sha384,
        ),
        (
            "leaf-p256.der",
            "message.leaf-p256.sha256.sig",
            HashAlgorithm::Sha256,
        ),
    ] {
        let spki = load(cert).spki_der().unwrap();
        let sig = std::fs::read(ec_dir().join(sig)).unwrap();
        let input = SignInput::Message {
            hash,
            data: message.clone(),
        };
        verify_signature(&spki, &input, &sig, false).unwrap();
        let mut changed = message.clone();
        changed[0] ^= 0x01;
        let input = SignInput::Message {
            hash,
            data: changed,
        };
        assert!(verify_signature(&spki, &input, &sig, false).is_err());
    }
}

#[test]
fn rsa_behaviour_is_unchanged() {
    // The virtual card's RSA signing root still parses as before: rsa, 2048 bits, no curve.
    let root = JpkiCertificate::parse(
        &std::fs::read(ec_dir().join("../jpki-test-sign-root.der")).unwrap(),
    )
    .unwrap();
    assert_eq!(root.info.public_key.algorithm, "rsa");
    assert_eq!(root.info.public_key.bits, Some(2048));
    assert_eq!(root.info.public_key.curve, None);
    root.is_signed_by(&root).unwrap();
    let json = serde_json::to_value(&root.info.public_key).unwrap();
    assert!(json.get("curve").is_none(), "RSA keys serialise as before");
    // An RSA key with an EC-signed certificate: ECDSA against RSA is refused.
    assert!(load("leaf-p256.der").is_signed_by(&root).is_err());
}
