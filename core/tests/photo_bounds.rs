//! The photo decoder's work is bounded by what the headers claim, checked before decoding.
//!
//! The codestreams here are complete images the decoder accepts (the control decodes):
//! SOC, SIZ, COD, QCD and one tile whose packets are all empty (15444-1: a packet header
//! whose first bit is 0 carries no code-block), so every sample is zero. Tiny inputs, large
//! claims: before the bounds, 2.4 KB claiming 255 components of 1000 × 1000 took 4.3 s and
//! 1.3 GB in the decoder, and 82 bytes claiming 1 × 1 tiles over 2000 × 2000 took 2.4 s
//! and 1 GB (release build, on the development machine).
#![cfg(feature = "photo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mynakit::Error;
use mynakit::face::decode_photo;

/// A raw codestream of `comps` 8-bit components, `levels` wavelet levels (5/3 reversible),
/// one quality layer, tiles of `tile` pixels; only tile 0 is written.
fn codestream(size: (u32, u32), tile: (u32, u32), comps: u16, levels: u8) -> Vec<u8> {
    let mut out = vec![0xFF, 0x4F]; // SOC
    let mut siz = vec![0, 0]; // Rsiz
    for v in [size.0, size.1, 0, 0, tile.0, tile.1, 0, 0] {
        siz.extend_from_slice(&v.to_be_bytes());
    }
    siz.extend_from_slice(&comps.to_be_bytes());
    for _ in 0..comps {
        siz.extend_from_slice(&[7, 1, 1]); // 8 bits unsigned, no sub-sampling
    }
    let segment = |out: &mut Vec<u8>, marker: u8, body: &[u8]| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(body);
    };
    segment(&mut out, 0x51, &siz);
    // COD: Scod 0, LRCP, 1 layer, no MCT, `levels`, 64 × 64 code-blocks, style 0, 5/3.
    segment(&mut out, 0x52, &[0, 0, 0, 1, 0, levels, 4, 4, 0, 1]);
    // QCD: no quantisation, 2 guard bits, an exponent per sub-band (3 per level + LL).
    let mut qcd = vec![0x40];
    qcd.extend(std::iter::repeat_n(0x48, 3 * usize::from(levels) + 1));
    segment(&mut out, 0x5C, &qcd);
    // One empty packet per resolution and component (one precinct each).
    let packets = vec![0u8; (usize::from(levels) + 1) * usize::from(comps)];
    let psot = u32::try_from(12 + 2 + packets.len()).unwrap();
    out.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0]); // SOT, Lsot, Isot 0
    out.extend_from_slice(&psot.to_be_bytes());
    out.extend_from_slice(&[0, 1]); // TPsot 0, TNsot 1
    out.extend_from_slice(&[0xFF, 0x93]); // SOD
    out.extend_from_slice(&packets);
    out.extend_from_slice(&[0xFF, 0xD9]); // EOC
    out
}

fn refused(data: &[u8], words: &str) {
    match decode_photo(data) {
        Err(Error::MalformedData { reason, .. }) => {
            assert!(reason.contains(words), "{reason:?} lacks {words:?}")
        }
        other => panic!("expected a refusal with {words:?}, got {other:?}"),
    }
}

#[test]
fn the_control_is_an_image_the_decoder_accepts() {
    let p = decode_photo(&codestream((2000, 2000), (2000, 2000), 1, 5)).unwrap();
    assert_eq!((p.width, p.height, p.channels), (2000, 2000, 1));
    // No code-block in any packet: every coefficient is 0, every sample mid-grey after
    // the DC level shift (2^(8-1) = 128).
    assert!(p.pixels.iter().all(|&v| v == 128));
    let p = decode_photo(&codestream((1000, 1000), (1000, 1000), 3, 5)).unwrap();
    assert_eq!((p.width, p.height, p.channels), (1000, 1000, 3));
}

#[test]
fn many_components_are_refused_before_decoding() {
    let data = codestream((1000, 1000), (1000, 1000), 255, 5);
    assert!(data.len() < 2500, "{}", data.len());
    refused(&data, "255 components");
    refused(&codestream((100, 100), (100, 100), 5, 1), "5 components");
}

#[test]
fn tiny_tiles_are_refused_before_decoding() {
    let data = codestream((2000, 2000), (1, 1), 1, 0);
    assert!(data.len() < 100, "{}", data.len());
    refused(&data, "4000000 tiles");
}

#[test]
fn too_many_samples_are_refused_before_decoding() {
    refused(
        &codestream((2001, 2000), (2001, 2000), 1, 5),
        "4002000 samples",
    );
    refused(
        &codestream((1155, 1155), (1155, 1155), 3, 5),
        "4002075 samples",
    );
}

#[test]
fn oversized_input_is_refused() {
    let mut data = codestream((100, 100), (100, 100), 1, 1);
    data.resize(65_537, 0);
    refused(&data, "65537 bytes");
}
