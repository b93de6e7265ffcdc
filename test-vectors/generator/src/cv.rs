//! Building blocks shared by the two 券面 applications' signed records: key IDs, the
//! `90`/`91` RSA public-key TLV and card-verifiable (CV) certificates
//! (card-protocol.md §9.3).
//!
//! Every TLV is BER with a minimal definite length, encoded by [`mynakit::ber::encode`].

use mynakit::ber;
use rsa::{RsaPublicKey, traits::PublicKeyParts};

use crate::{
    error::{Error, Result},
    keys::{RSA_BYTES, TestKey},
};

/// Tag of the public exponent inside an RSA key TLV.
pub const TAG_EXPONENT: u32 = 0x90;
/// Tag of the modulus inside an RSA key TLV.
pub const TAG_MODULUS: u32 = 0x91;
/// CV certificate.
pub const TAG_CV_CERT: u32 = 0x7F21;
/// CV certificate body: issuer key ID ‖ subject key ID ‖ RSA key TLV.
pub const TAG_CV_BODY: u32 = 0x5F4E;
/// CV certificate signature.
pub const TAG_CV_SIGNATURE: u32 = 0x5F37;

/// The only public exponent used (65537).
pub const PUBLIC_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];

/// Length of an RSA key TLV value: `90 03 <e>` (5) + `91 82 01 00 <n>` (260).
pub const RSA_KEY_TLV_LEN: usize = 265;

/// Length of a CV certificate body (`5F4E` value): 16 + 16 + 265.
pub const CV_BODY_LEN: usize = 2 * KEY_ID_LEN + RSA_KEY_TLV_LEN;

/// Length of a whole CV certificate: `7F21 82 0233 { 5F4E 82 0129 …, 5F37 82 0100 … }`.
pub const CV_CERT_LEN: usize = 568;

/// Length of a key ID.
pub const KEY_ID_LEN: usize = 16;

/// A 16-byte key ID: 7 ASCII characters ‖ `08 05` ‖ 3 ASCII characters ‖ `00 00 00 00`,
/// shaped like the real `"5000023" 08 05 "001"` IDs (card-protocol.md §9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyId {
    /// The 7-character name, e.g. `MKTSTCA`.
    pub name: &'static str,
    /// The 3-character generation, e.g. `001`.
    pub generation: &'static str,
}

/// The TEST CV certification authority that signs both AP certificates.
pub const CV_TEST_CA_ID: KeyId = KeyId {
    name: "MKTSTCA",
    generation: "001",
};

/// The 券面事項入力補助AP (text AP) signer.
pub const TEXT_AP_SIGNER_ID: KeyId = KeyId {
    name: "MKTXTAP",
    generation: "001",
};

/// The 券面AP (face AP) signer.
pub const FACE_AP_SIGNER_ID: KeyId = KeyId {
    name: "MKFCEAP",
    generation: "001",
};

impl KeyId {
    /// The 16 raw bytes.
    pub fn to_bytes(self) -> Result<[u8; KEY_ID_LEN]> {
        let ascii = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_graphic());
        if !ascii(self.name, 7) || !ascii(self.generation, 3) {
            return Err(Error::Data(format!(
                "key ID {}/{} must be 7 + 3 printable ASCII characters",
                self.name, self.generation
            )));
        }
        let bytes: Vec<u8> = [
            self.name.as_bytes(),
            &[0x08, 0x05],
            self.generation.as_bytes(),
            &[0; 4],
        ]
        .concat();
        <[u8; KEY_ID_LEN]>::try_from(bytes).map_err(|_| Error::Data("key ID length".into()))
    }
}

/// The 265-byte RSA key TLV value `90 03 01 00 01 91 82 01 00 <modulus>`: exponent 65537
/// and the 256-byte big-endian modulus, left-padded.
pub fn rsa_key_tlv_value(key: &RsaPublicKey) -> Result<Vec<u8>> {
    if key.e().to_be_bytes_trimmed_vartime().as_ref() != PUBLIC_EXPONENT {
        return Err(Error::Data("public exponent must be 65537".into()));
    }
    let n = key.n().to_be_bytes_trimmed_vartime();
    let pad = RSA_BYTES
        .checked_sub(n.len())
        .ok_or_else(|| Error::Data(format!("modulus of {} bytes", n.len())))?;
    let mut modulus = vec![0u8; pad];
    modulus.extend_from_slice(&n);
    let value = [
        ber::encode(TAG_EXPONENT, &PUBLIC_EXPONENT),
        ber::encode(TAG_MODULUS, &modulus),
    ]
    .concat();
    expect_len(value, RSA_KEY_TLV_LEN, "RSA key TLV")
}

/// A card-verifiable certificate (568 bytes):
/// `7F21 { 5F4E <issuer ID ‖ subject ID ‖ subject key TLV>, 5F37 <sig(issuer, 5F4E value)> }`.
pub fn cv_certificate(
    issuer_id: KeyId,
    issuer_key: &TestKey,
    subject_id: KeyId,
    subject_key: &TestKey,
) -> Result<Vec<u8>> {
    let body = [
        issuer_id.to_bytes()?.as_slice(),
        subject_id.to_bytes()?.as_slice(),
        &rsa_key_tlv_value(&subject_key.public_key())?,
    ]
    .concat();
    let body = expect_len(body, CV_BODY_LEN, "CV certificate body")?;
    let signature = issuer_key.sign_sha256(&body)?;
    let value = [
        ber::encode(TAG_CV_BODY, &body),
        ber::encode(TAG_CV_SIGNATURE, &signature),
    ]
    .concat();
    expect_len(
        ber::encode(TAG_CV_CERT, &value),
        CV_CERT_LEN,
        "CV certificate",
    )
}

/// Checks a length the format fixes (a bug guard: the encoder is minimal by construction).
pub fn expect_len(bytes: Vec<u8>, len: usize, what: &str) -> Result<Vec<u8>> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(Error::Data(format!(
            "{what} is {} bytes, expected {len}",
            bytes.len()
        )))
    }
}

/// The size of `tag`'s header (tag and minimal length) for a value of `value_len` bytes.
pub fn header_len(tag: u32, value_len: usize) -> usize {
    ber::encode(tag, &vec![0; value_len]).len() - value_len
}

/// Builds `outer { table_tag <u16 offsets>, children… }`, where offset *i* is the
/// position of child *i*'s tag counted from the start of the encoded `outer` TLV (the
/// start of the file). `children` are complete TLVs.
pub fn with_offset_table(outer: u32, table_tag: u32, children: &[Vec<u8>]) -> Result<Vec<u8>> {
    let table_len = header_len(table_tag, 2 * children.len()) + 2 * children.len();
    let value_len = table_len + children.iter().map(Vec::len).sum::<usize>();
    let mut position = header_len(outer, value_len) + table_len;
    let mut table = Vec::with_capacity(2 * children.len());
    for child in children {
        let offset = u16::try_from(position)
            .map_err(|_| Error::Data(format!("offset {position} does not fit in 16 bits")))?;
        table.extend_from_slice(&offset.to_be_bytes());
        position += child.len();
    }
    let mut value = ber::encode(table_tag, &table);
    for child in children {
        value.extend_from_slice(child);
    }
    Ok(ber::encode(outer, &value))
}

/// Verifies an RSASSA-PKCS1-v1_5 signature (test helper).
#[cfg(test)]
pub fn verify(
    key: &RsaPublicKey,
    scheme: impl rsa::traits::SignatureScheme,
    hashed: &[u8],
    signature: &[u8],
) -> Result<()> {
    scheme
        .verify(key, hashed, signature)
        .map_err(|e| Error::Data(format!("signature does not verify: {e}")))
}

/// Parses an RSA key TLV value back into a public key (test helper).
#[cfg(test)]
pub fn parse_rsa_key_tlv(value: &[u8]) -> Result<RsaPublicKey> {
    use rsa::BoxedUint;
    let items = ber::children(value).map_err(|e| Error::Data(e.to_string()))?;
    let field = |tag| {
        ber::find(&items, tag)
            .map(|t| t.value)
            .ok_or_else(|| Error::Data(format!("no tag {tag:X} in key")))
    };
    let n = BoxedUint::from_be_slice_vartime(field(TAG_MODULUS)?);
    let e = BoxedUint::from_be_slice_vartime(field(TAG_EXPONENT)?);
    Ok(RsaPublicKey::new(n, e)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::Pkcs1v15Sign;
    use sha2::{Digest, Sha256};

    #[test]
    fn key_id_bytes() -> Result<()> {
        assert_eq!(
            CV_TEST_CA_ID.to_bytes()?,
            *b"MKTSTCA\x08\x05001\x00\x00\x00\x00"
        );
        let bad = KeyId {
            name: "SHORT",
            generation: "001",
        };
        assert!(bad.to_bytes().is_err());
        Ok(())
    }

    #[test]
    fn offset_table_points_at_tags() -> Result<()> {
        // A value long enough to need the 82 LL LL form for the outer length.
        let children = vec![
            ber::encode(0xDF22, &[1; 10]),
            ber::encode(0xDF23, &[2; 300]),
            ber::encode(0xDF24, &[3; 1]),
        ];
        let file = with_offset_table(0xFF20, 0xDF21, &children)?;
        assert_eq!(file.get(..3), Some(&[0xFF, 0x20, 0x82][..]));
        let outer = ber::first(&file).map_err(|e| Error::Data(e.to_string()))?;
        let items = ber::children(outer.value).map_err(|e| Error::Data(e.to_string()))?;
        let table = ber::find(&items, 0xDF21).ok_or_else(|| Error::Data("no DF21".into()))?;
        let offsets: Vec<usize> = table
            .value
            .chunks(2)
            .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
            .collect();
        // FF20 82 01 4B (5) | DF21 06 <6> (9) | DF22 (13) | DF23 82 01 2C (305) | DF24 (4)
        assert_eq!(offsets, [14, 27, 332]);
        for (offset, child) in offsets.iter().zip(&children) {
            assert_eq!(file.get(*offset..offset + child.len()), Some(&child[..]));
        }
        Ok(())
    }

    #[test]
    fn cv_certificate_shape_and_signature() -> Result<()> {
        let issuer = TestKey::derive("test/cv-issuer")?;
        let subject = TestKey::derive("test/cv-subject")?;
        let cert = cv_certificate(CV_TEST_CA_ID, &issuer, TEXT_AP_SIGNER_ID, &subject)?;
        assert_eq!(
            cert.get(..10),
            Some(&[0x7F, 0x21, 0x82, 0x02, 0x33, 0x5F, 0x4E, 0x82, 0x01, 0x29][..])
        );
        // 7F21 82 0233 (5) | 5F4E 82 0129 (5) <297> | 5F37 82 0100 (5) <256>
        assert_eq!(cert.len(), CV_CERT_LEN);
        assert_eq!(
            cert.get(307..312),
            Some(&[0x5F, 0x37, 0x82, 0x01, 0x00][..])
        );
        let body = &cert[10..307];
        assert_eq!(parse_rsa_key_tlv(&body[32..])?, subject.public_key());
        verify(
            &issuer.public_key(),
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(body),
            &cert[312..],
        )?;
        assert!(
            verify(
                &subject.public_key(),
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(body),
                &cert[312..],
            )
            .is_err()
        );
        Ok(())
    }
}
