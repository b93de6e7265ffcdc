//! A small, forgiving BER-TLV reader for the card's transparent EFs.
//!
//! It reads tags of up to three bytes (`FF20`, `7F21`, `5F4E`, `DF21`), definite lengths in
//! short or long form including non-minimal ones (`82 00 A9`, seen on real test cards,
//! card-protocol §12.1), and never recurses on its own: the card's `FFxx` tags have the
//! constructed bit set even where the value is raw text (§6), so the caller decides by tag
//! which values to descend into. Filler after the top-level object is ignored.

use crate::error::{Error, Result};

/// A parsed TLV header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The tag bytes as a big-endian number (`0xFF20`, `0x7F21`, `0x30`).
    pub tag: u32,
    /// Number of tag bytes (1 to 3).
    pub tag_len: usize,
    /// Number of length bytes (1 to 5).
    pub len_len: usize,
    /// Length of the value.
    pub value_len: usize,
}

impl Header {
    /// Bytes taken by tag and length.
    pub fn header_len(&self) -> usize {
        self.tag_len + self.len_len
    }

    /// Bytes taken by the whole TLV.
    pub fn total_len(&self) -> Option<usize> {
        self.header_len().checked_add(self.value_len)
    }
}

/// Result of reading a header from a prefix of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderParse {
    /// The header is complete.
    Complete(Header),
    /// The prefix ends inside the header: at least this many bytes are needed in all.
    NeedMore(usize),
}

fn err(reason: impl Into<String>) -> Error {
    Error::malformed("BER-TLV", reason)
}

/// Reads the TLV header at the start of `buf`.
pub fn parse_header(buf: &[u8]) -> Result<HeaderParse> {
    let Some(&first) = buf.first() else {
        return Ok(HeaderParse::NeedMore(2));
    };
    let mut tag = u32::from(first);
    let mut pos = 1usize;
    if first & 0x1F == 0x1F {
        loop {
            let Some(&b) = buf.get(pos) else {
                return Ok(HeaderParse::NeedMore(pos + 2));
            };
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos >= 3 {
                return Err(err(format!("tag longer than 3 bytes at {:06X}…", tag)));
            }
        }
    }
    let tag_len = pos;
    let Some(&l0) = buf.get(pos) else {
        return Ok(HeaderParse::NeedMore(pos + 1));
    };
    pos += 1;
    let value_len = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0x80 {
        return Err(err("indefinite length is not allowed"));
    } else {
        let n = usize::from(l0 & 0x7F);
        if n > 4 {
            return Err(err(format!("length field of {n} bytes")));
        }
        let Some(bytes) = buf.get(pos..pos + n) else {
            return Ok(HeaderParse::NeedMore(pos + n));
        };
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    Ok(HeaderParse::Complete(Header {
        tag,
        tag_len,
        len_len: pos - tag_len,
        value_len,
    }))
}

/// One TLV borrowed from a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag as a big-endian number.
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
    /// The whole encoding: tag, length and value, exactly as stored.
    pub raw: &'a [u8],
}

/// Reads the first TLV of `buf`; anything after it (filler) is ignored.
pub fn first(buf: &[u8]) -> Result<Tlv<'_>> {
    let h = match parse_header(buf)? {
        HeaderParse::Complete(h) => h,
        HeaderParse::NeedMore(n) => {
            return Err(err(format!(
                "header needs {n} bytes but only {} are present",
                buf.len()
            )));
        }
    };
    let total = h.total_len().ok_or_else(|| err("length overflows"))?;
    let raw = buf.get(..total).ok_or_else(|| {
        err(format!(
            "tag {:X} declares {} value bytes but only {} follow",
            h.tag,
            h.value_len,
            buf.len().saturating_sub(h.header_len())
        ))
    })?;
    let value = raw.get(h.header_len()..).unwrap_or_default();
    Ok(Tlv {
        tag: h.tag,
        value,
        raw,
    })
}

/// Reads the first TLV of `buf` and checks its tag.
pub fn expect<'a>(buf: &'a [u8], tag: u32, what: &str) -> Result<Tlv<'a>> {
    let t = first(buf).map_err(|e| match e {
        Error::MalformedData { reason, .. } => Error::malformed(what, reason),
        other => other,
    })?;
    if t.tag != tag {
        return Err(Error::malformed(
            what,
            format!("expected tag {tag:X}, found {:X}", t.tag),
        ));
    }
    Ok(t)
}

/// Splits a value into the TLVs it is made of. Every byte must belong to a TLV.
pub fn children(value: &[u8]) -> Result<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let t = first(rest)?;
        rest = rest.get(t.raw.len()..).unwrap_or_default();
        out.push(t);
    }
    Ok(out)
}

/// The first child with the given tag.
pub fn find<'a>(items: &[Tlv<'a>], tag: u32) -> Option<Tlv<'a>> {
    items.iter().copied().find(|t| t.tag == tag)
}

/// Encodes a TLV with a minimal definite length (used by the virtual card and tests).
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    let tag_bytes = tag.to_be_bytes();
    let skip = tag_bytes.iter().take_while(|&&b| b == 0).count().min(3);
    out.extend_from_slice(tag_bytes.get(skip..).unwrap_or(&tag_bytes));
    let n = value.len();
    let be = n.to_be_bytes();
    let significant = be.iter().skip_while(|&&b| b == 0).count();
    if n < 0x80 {
        out.push(crate::apdu::low_byte(n));
    } else {
        out.push(0x80 | crate::apdu::low_byte(significant));
        out.extend_from_slice(be.get(be.len() - significant..).unwrap_or_default());
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_byte_tags_and_filler() {
        // 入力補助AP EF 0001 (card-protocol §3.2): FF10 0C + 12 digits + FF FF filler.
        let mut ef = vec![0xFF, 0x10, 0x0C];
        ef.extend_from_slice(b"123456789018");
        ef.extend_from_slice(&[0xFF, 0xFF]);
        let t = first(&ef).ok();
        assert_eq!(
            t.map(|t| (t.tag, t.value)),
            Some((0xFF10, &b"123456789018"[..]))
        );
    }

    #[test]
    fn non_minimal_lengths() {
        let mut buf = vec![0x7F, 0x21, 0x82, 0x00, 0x03, 1, 2, 3];
        let t = first(&buf).ok();
        assert_eq!(
            t.map(|t| (t.tag, t.value.len(), t.raw.len())),
            Some((0x7F21, 3, 8))
        );
        buf.truncate(7);
        assert!(first(&buf).is_err());
    }

    #[test]
    fn header_needs_more() {
        assert_eq!(parse_header(&[0x30]).ok(), Some(HeaderParse::NeedMore(2)));
        assert_eq!(
            parse_header(&[0x30, 0x82, 0x06]).ok(),
            Some(HeaderParse::NeedMore(4))
        );
        assert_eq!(parse_header(&[0xFF]).ok(), Some(HeaderParse::NeedMore(3)));
        let h = parse_header(&[0x30, 0x82, 0x06, 0x21]).ok();
        assert_eq!(
            h,
            Some(HeaderParse::Complete(Header {
                tag: 0x30,
                tag_len: 1,
                len_len: 3,
                value_len: 0x621
            }))
        );
    }

    #[test]
    fn rejects_bad_headers() {
        assert!(parse_header(&[0x30, 0x80]).is_err());
        assert!(parse_header(&[0x30, 0x85, 0, 0, 0, 0, 1]).is_err());
        assert!(parse_header(&[0x1F, 0x81, 0x82, 0x03, 0x00]).is_err());
    }

    #[test]
    fn children_and_find() {
        let inner = [encode(0xDF21, &[0, 8]), encode(0xDF22, "見本".as_bytes())].concat();
        let outer = encode(0xFF20, &inner);
        let t = expect(&outer, 0xFF20, "attributes").ok();
        let kids = t.and_then(|t| children(t.value).ok()).unwrap_or_default();
        assert_eq!(kids.len(), 2);
        assert_eq!(
            find(&kids, 0xDF22).map(|t| t.value),
            Some("見本".as_bytes())
        );
        assert!(expect(&outer, 0xFF10, "x").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_header(&data);
            if let Ok(t) = first(&data) {
                let _ = children(t.value);
            }
            let _ = children(&data);
        }

        #[test]
        fn encode_then_parse_round_trips(
            tag in prop_oneof![0x01u32..0x1F, 0x5F01u32..0x5F7F, 0xDF01u32..0xDF7F, 0xFF01u32..0xFF7F, Just(0x7F21u32)],
            value in proptest::collection::vec(any::<u8>(), 0..70_000),
            filler in proptest::collection::vec(Just(0xFFu8), 0..4),
        ) {
            let mut enc = encode(tag, &value);
            let total = enc.len();
            enc.extend_from_slice(&filler);
            let t = first(&enc);
            prop_assert!(t.is_ok());
            if let Ok(t) = t {
                prop_assert_eq!(t.tag, tag);
                prop_assert_eq!(t.value, &value[..]);
                prop_assert_eq!(t.raw.len(), total);
            }
            match parse_header(&enc) {
                Ok(HeaderParse::Complete(h)) => prop_assert_eq!(h.total_len(), Some(total)),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
