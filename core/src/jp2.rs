//! What a JPEG 2000 photo asks of the decoder, read from its headers before decoding.
//!
//! The decoder's work and memory grow with the number of components, the samples per
//! component and the number of tiles, and a codestream of a few dozen bytes can claim
//! millions of each: 82 bytes declaring 2000 × 2000 pixels in 1 × 1 tiles took 2.4 s and
//! 1 GB in the decoder, 2.4 KB declaring 255 components of 1000 × 1000 took 4.3 s and
//! 1.3 GB (measured on the 2-core development machine, release build, before these bounds). A card's photo
//! (the J-LIS test card's: 378 × 472, one component, one tile, 1854 bytes) is far inside
//! the bounds below, which are checked on the headers alone:
//!
//! - the container: a raw codestream (`FF4F FF51`) or a JP2 file whose top-level boxes are
//!   well formed (ISO/IEC 15444-1 I.4: `LBox` 0 = to the end, 1 = a 64-bit `XLBox`, 2–7
//!   reserved, otherwise the length); every `jp2c` box at top level is checked, because a
//!   decoder may use any of them;
//! - each codestream's SIZ segment (15444-1 A.5.1): 1 to [`MAX_COMPONENTS`] components,
//!   at most [`MAX_SAMPLES`] samples over all components (sub-sampling counted), at most
//!   [`MAX_TILES`] tiles.
//!
//! The checks only refuse; a photo that passes is still decoded by `hayro-jpeg2000`,
//! which does its own validation.

use crate::error::{Error, Result};

/// Largest input taken: twice what a record with 15-bit offsets can hold.
pub const MAX_LEN: usize = 65_536;
/// Components per image: grey, grey + alpha, colour, colour + alpha.
pub const MAX_COMPONENTS: u16 = 4;
/// Samples over all components (a 2000 × 2000 grey image, or about 1150 × 1150 in colour).
pub const MAX_SAMPLES: u64 = 4_000_000;
/// Tiles per image.
pub const MAX_TILES: u64 = 1024;

const JP2_SIGNATURE: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";
const CODESTREAM_START: &[u8] = b"\xff\x4f\xff\x51";
const JP2C: &[u8; 4] = b"jp2c";

fn bad(reason: impl Into<String>) -> Error {
    Error::malformed("JPEG 2000 photo", reason.into())
}

/// Refuses a photo whose headers ask for more than the bounds allow, or whose container
/// cannot be read unambiguously.
pub fn check_budget(data: &[u8]) -> Result<()> {
    if data.len() > MAX_LEN {
        return Err(bad(format!(
            "{} bytes; a card photo is at most {MAX_LEN}",
            data.len()
        )));
    }
    if data.starts_with(CODESTREAM_START) {
        return check_codestream(data);
    }
    if !data.starts_with(JP2_SIGNATURE) {
        return Err(bad("neither a JP2 file nor a JPEG 2000 codestream"));
    }
    let mut rest = data;
    let mut codestreams = 0usize;
    while !rest.is_empty() {
        let (kind, body, next) = next_box(rest)?;
        if kind == JP2C {
            check_codestream(body)?;
            codestreams = codestreams.saturating_add(1);
        }
        rest = next;
    }
    if codestreams == 0 {
        return Err(bad("the JP2 file has no codestream box"));
    }
    Ok(())
}

/// One top-level box: its type, its contents and what follows it.
fn next_box(data: &[u8]) -> Result<(&[u8; 4], &[u8], &[u8])> {
    let truncated = || bad("a JP2 box header is cut short");
    let lbox = data
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(truncated)?;
    let kind: &[u8; 4] = data
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(truncated)?;
    let (header, total) = match lbox {
        0 => (8, data.len()),
        1 => {
            let xl = data
                .get(8..16)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(truncated)?;
            (16, usize::try_from(xl).unwrap_or(usize::MAX))
        }
        2..=7 => return Err(bad(format!("a JP2 box has the reserved length {lbox}"))),
        n => (8, usize::try_from(n).unwrap_or(usize::MAX)),
    };
    if total < header || total > data.len() {
        return Err(bad(format!(
            "a JP2 box claims {total} bytes where {} remain",
            data.len()
        )));
    }
    let body = data.get(header..total).ok_or_else(truncated)?;
    let next = data.get(total..).ok_or_else(truncated)?;
    Ok((kind, body, next))
}

fn be32(b: &[u8], at: usize) -> Result<u64> {
    b.get(at..at.saturating_add(4))
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(|s| u64::from(u32::from_be_bytes(s)))
        .ok_or_else(|| bad("the SIZ segment is cut short"))
}

/// The SIZ segment that must follow SOC (15444-1 A.5.1).
fn check_codestream(cs: &[u8]) -> Result<()> {
    if !cs.starts_with(CODESTREAM_START) {
        return Err(bad("a codestream does not start with SOC and SIZ"));
    }
    // After FF4F FF51: Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4
    // each) Csiz(2), then Ssiz XRsiz YRsiz per component.
    let siz = cs.get(4..).unwrap_or_default();
    let short = || bad("the SIZ segment is cut short");
    let lsiz = usize::from(u16::from_be_bytes([
        *siz.first().ok_or_else(short)?,
        *siz.get(1).ok_or_else(short)?,
    ]));
    let siz = siz.get(..lsiz).ok_or_else(short)?;
    let [x, y, xo, yo, xt, yt, xto, yto] = [4, 8, 12, 16, 20, 24, 28, 32].map(|at| be32(siz, at));
    let (x, y, xo, yo, xt, yt, xto, yto) = (x?, y?, xo?, yo?, xt?, yt?, xto?, yto?);
    let csiz = u16::from_be_bytes([
        *siz.get(36).ok_or_else(short)?,
        *siz.get(37).ok_or_else(short)?,
    ]);
    if csiz == 0 || csiz > MAX_COMPONENTS {
        return Err(bad(format!(
            "{csiz} components; a card photo has 1 to {MAX_COMPONENTS}"
        )));
    }
    if xo >= x || yo >= y {
        return Err(bad(format!(
            "an empty image area ({x} × {y} from {xo}, {yo})"
        )));
    }
    if xt == 0 || yt == 0 || xto > xo || yto > yo {
        return Err(bad("the tile grid does not cover the image"));
    }
    // 15444-1 B.3: tiles across and down.
    let tiles = (x - xto)
        .div_ceil(xt)
        .saturating_mul((y - yto).div_ceil(yt));
    if tiles > MAX_TILES {
        return Err(bad(format!(
            "{tiles} tiles; at most {MAX_TILES} are decoded"
        )));
    }
    let mut samples = 0u64;
    for c in 0..usize::from(csiz) {
        let at = 38usize.saturating_add(c.saturating_mul(3));
        let (xr, yr) = (
            u64::from(*siz.get(at.saturating_add(1)).ok_or_else(short)?),
            u64::from(*siz.get(at.saturating_add(2)).ok_or_else(short)?),
        );
        if xr == 0 || yr == 0 {
            return Err(bad("a component has a sub-sampling factor of 0"));
        }
        // 15444-1 B.2: a component's extent on the reference grid, divided by its factors.
        let w = x.div_ceil(xr) - xo.div_ceil(xr);
        let h = y.div_ceil(yr) - yo.div_ceil(yr);
        samples = samples.saturating_add(w.saturating_mul(h));
    }
    if samples > MAX_SAMPLES {
        return Err(bad(format!(
            "{samples} samples; at most {MAX_SAMPLES} are decoded"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A codestream written field by field from 15444-1 A.5.1 (SIZ), with no tile data:
    /// enough for the header checks, which must not need more.
    fn codestream(
        size: (u32, u32),
        offset: (u32, u32),
        tile: (u32, u32),
        comps: &[(u8, u8)],
    ) -> Vec<u8> {
        let mut siz = Vec::new();
        siz.extend_from_slice(&0u16.to_be_bytes()); // Rsiz
        for v in [size.0, size.1, offset.0, offset.1, tile.0, tile.1, 0, 0] {
            siz.extend_from_slice(&v.to_be_bytes());
        }
        siz.extend_from_slice(&u16::try_from(comps.len()).unwrap().to_be_bytes());
        for &(xr, yr) in comps {
            siz.extend_from_slice(&[7, xr, yr]);
        }
        let mut out = vec![0xFF, 0x4F, 0xFF, 0x51];
        out.extend_from_slice(&u16::try_from(siz.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(&siz);
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    fn jp2(boxes: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut out = JP2_SIGNATURE.to_vec();
        for (kind, body) in boxes {
            out.extend_from_slice(&u32::try_from(body.len() + 8).unwrap().to_be_bytes());
            out.extend_from_slice(*kind);
            out.extend_from_slice(body);
        }
        out
    }

    fn refused(data: &[u8], words: &str) {
        match check_budget(data) {
            Err(Error::MalformedData { reason, .. }) => {
                assert!(reason.contains(words), "{reason:?} lacks {words:?}")
            }
            other => panic!("expected a refusal with {words:?}, got {other:?}"),
        }
    }

    #[test]
    fn the_test_card_photo_shape_passes() {
        // 378 × 472, one grey component, one tile: the J-LIS test card's photo.
        let cs = codestream((378, 472), (0, 0), (378, 472), &[(1, 1)]);
        check_budget(&cs).unwrap();
        check_budget(&jp2(&[(b"ftyp", b"jp2 \0\0\0\0jp2 "), (b"jp2c", &cs)])).unwrap();
        // At the bounds exactly.
        // 32 × 32 tiles of 63 pixels is 1024; 33 × 32 tiles is one row too many.
        check_budget(&codestream((2000, 2000), (0, 0), (63, 63), &[(1, 1)])).unwrap();
        refused(
            &codestream((2000, 2000), (0, 0), (62, 63), &[(1, 1)]),
            "1056 tiles",
        );
        check_budget(&codestream(
            (1000, 1000),
            (0, 0),
            (1000, 1000),
            &[(1, 1); 4],
        ))
        .unwrap();
        // Sub-sampled chroma counts its own samples: 4,000,000 + 2 × 1,000,000.
        refused(
            &codestream(
                (2000, 2000),
                (0, 0),
                (2000, 2000),
                &[(1, 1), (2, 2), (2, 2)],
            ),
            "6000000 samples",
        );
        check_budget(&codestream(
            (2000, 1000),
            (0, 0),
            (2000, 1000),
            &[(1, 1), (2, 2), (2, 2)],
        ))
        .unwrap();
    }

    #[test]
    fn hostile_headers_are_refused() {
        refused(
            &codestream((1000, 1000), (0, 0), (1000, 1000), &[(1, 1); 255]),
            "255 components",
        );
        refused(
            &codestream((1000, 1000), (0, 0), (1000, 1000), &[(1, 1); 5]),
            "5 components",
        );
        refused(
            &codestream((1000, 1000), (0, 0), (1000, 1000), &[]),
            "0 components",
        );
        refused(
            &codestream((2000, 2000), (0, 0), (1, 1), &[(1, 1)]),
            "4000000 tiles",
        );
        refused(
            &codestream((2001, 2000), (0, 0), (2001, 2000), &[(1, 1)]),
            "4002000 samples",
        );
        refused(
            &codestream((65535, 65535), (0, 0), (65535, 65535), &[(1, 1); 4]),
            "samples",
        );
        refused(
            &codestream((u32::MAX, u32::MAX), (0, 0), (1, 1), &[(1, 1)]),
            "tiles",
        );
        refused(
            &codestream((100, 100), (100, 0), (100, 100), &[(1, 1)]),
            "empty image area",
        );
        refused(
            &codestream((100, 100), (0, 0), (0, 100), &[(1, 1)]),
            "tile grid",
        );
        refused(
            &codestream((100, 100), (0, 0), (100, 100), &[(0, 1)]),
            "sub-sampling",
        );
        // Offsets shrink the area: 3000 × 3000 from (1000, 1000) is 2000 × 2000.
        check_budget(&codestream(
            (3000, 3000),
            (1000, 1000),
            (3000, 3000),
            &[(1, 1)],
        ))
        .unwrap();
        // Cut short anywhere in SIZ.
        let cs = codestream((100, 100), (0, 0), (100, 100), &[(1, 1)]);
        for n in 4..cs.len() - 2 {
            refused(&cs[..n], "cut short");
        }
        refused(&vec![0u8; MAX_LEN + 1], "bytes");
        refused(b"GIF89a", "neither");
    }

    #[test]
    fn every_codestream_box_is_checked() {
        let good = codestream((378, 472), (0, 0), (378, 472), &[(1, 1)]);
        let evil = codestream((1000, 1000), (0, 0), (1000, 1000), &[(1, 1); 200]);
        refused(
            &jp2(&[(b"jp2c", &good), (b"jp2c", &evil)]),
            "200 components",
        );
        refused(&jp2(&[(b"ftyp", b"jp2 ")]), "no codestream");
        // A box length past the end, a reserved length, a header cut short.
        let mut long = jp2(&[(b"jp2c", &good)]);
        let at = JP2_SIGNATURE.len();
        long[at..at + 4].copy_from_slice(&1000u32.to_be_bytes());
        refused(&long, "claims 1000 bytes");
        let mut reserved = jp2(&[(b"jp2c", &good)]);
        reserved[at..at + 4].copy_from_slice(&3u32.to_be_bytes());
        refused(&reserved, "reserved length 3");
        let mut cut = jp2(&[(b"jp2c", &good)]);
        cut.extend_from_slice(&[0, 0, 0]);
        refused(&cut, "cut short");
        // LBox 0 (to the end) and LBox 1 (64-bit length) both reach the codestream.
        let mut to_end = JP2_SIGNATURE.to_vec();
        to_end.extend_from_slice(&[0, 0, 0, 0]);
        to_end.extend_from_slice(b"jp2c");
        to_end.extend_from_slice(&evil);
        refused(&to_end, "200 components");
        let mut xl = JP2_SIGNATURE.to_vec();
        xl.extend_from_slice(&1u32.to_be_bytes());
        xl.extend_from_slice(b"jp2c");
        xl.extend_from_slice(&u64::try_from(evil.len() + 16).unwrap().to_be_bytes());
        xl.extend_from_slice(&evil);
        refused(&xl, "200 components");
        // A box whose contents are not a codestream.
        refused(&jp2(&[(b"jp2c", b"\xff\x4f\x00\x00")]), "SOC and SIZ");
    }
}
