//! Synthetic card-face images: 1-bit placeholder PNGs standing in for rendered text,
//! and a greyscale face photo encoded losslessly as JPEG 2000 (card-protocol.md §3.3).
//!
//! None of these images shows real text or a real face: no font is involved. A text
//! image is a 1-pixel black frame around vertical bars whose pattern comes from
//! SHA-256 of the text, so different text gives a different image and the same text
//! always gives the same bytes.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use openjp2::{
    CODEC_FORMAT::OPJ_CODEC_JP2, COLOR_SPACE::OPJ_CLRSPC_GRAY, Codec, Stream, opj_cparameters_t,
    opj_image, opj_image_comptparm,
};
use png::{BitDepth, ColorType, DeflateCompression, Filter};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Size in pixels (width, height) of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The name image (`DF25` of 券面AP EF `0002`).
pub const NAME_SIZE: Size = Size {
    width: 256,
    height: 32,
};
/// The address image (`DF26`).
pub const ADDRESS_SIZE: Size = Size {
    width: 512,
    height: 64,
};
/// The security-code image (`DF2A`), as on a surveyed real card (§3.3).
pub const SECURITY_CODE_SIZE: Size = Size {
    width: 24,
    height: 12,
};
/// The 個人番号 image (EF `0005` `DF41`), as on a surveyed real card (§3.3).
pub const MY_NUMBER_SIZE: Size = Size {
    width: 72,
    height: 12,
};
/// The face photo (`DF27`).
pub const PHOTO_SIZE: Size = Size {
    width: 90,
    height: 112,
};

/// Domain-separation prefix of the bar pattern's hash input.
const BARS_PREFIX: &str = "mynakit-testgen/v1/image-bars/";

/// Comment written into the JPEG 2000 codestream (`COM` marker) instead of the
/// encoder's default, which names the encoder version.
const JP2_COMMENT: &str = "MynaKit synthetic TEST photo";

/// Bit `index` of the bar pattern of `text`: the bits (most significant first) of
/// SHA-256(prefix ‖ text ‖ u32be(block)) for block = 0, 1, 2, …
fn bar_bit(text: &str, index: usize) -> Result<bool> {
    let block = u32::try_from(index / 256)
        .map_err(|_| Error::Data(format!("bar index {index} too large")))?;
    let mut hasher = Sha256::new();
    hasher.update(BARS_PREFIX.as_bytes());
    hasher.update(text.as_bytes());
    hasher.update(block.to_be_bytes());
    let digest = hasher.finalize();
    let bit = index % 256;
    let byte = digest
        .get(bit / 8)
        .ok_or_else(|| Error::Data("digest index".into()))?;
    Ok(byte & (0x80 >> (bit % 8)) != 0)
}

/// The pixels (`true` = black) of a placeholder text image: a 1-pixel black frame, a
/// 1-pixel white margin inside it, and in the remaining area column `x` is black when
/// bar bit `x - 2` of `text` is set.
pub fn text_pixels(text: &str, size: Size) -> Result<Vec<Vec<bool>>> {
    let (w, h) = (size.width, size.height);
    if w < 5 || h < 5 {
        return Err(Error::Data(format!("image {w}×{h} too small for a frame")));
    }
    let mut columns = Vec::new();
    for x in 0..w {
        let inner = x >= 2 && x < w - 2;
        columns.push(inner && bar_bit(text, usize::try_from(x - 2).unwrap_or_default())?);
    }
    let rows = (0..h)
        .map(|y| {
            (0..w)
                .map(|x| {
                    let frame = x == 0 || y == 0 || x == w - 1 || y == h - 1;
                    let bar_row = y >= 2 && y < h - 2;
                    frame
                        || (bar_row
                            && columns
                                .get(usize::try_from(x).unwrap_or(usize::MAX))
                                .copied()
                                .unwrap_or(false))
                })
                .collect()
        })
        .collect();
    Ok(rows)
}

/// A placeholder text image as a 1-bit greyscale PNG (0 = black, 1 = white).
///
/// Settings fixed for reproducibility: no ancillary chunks, no filter, zlib level 9.
pub fn text_png(text: &str, size: Size) -> Result<Vec<u8>> {
    let pixels = text_pixels(text, size)?;
    let mut packed = Vec::new();
    for row in &pixels {
        for chunk in row.chunks(8) {
            let mut byte = 0u8;
            for (i, &black) in chunk.iter().enumerate() {
                if !black {
                    byte |= 0x80 >> i;
                }
            }
            packed.push(byte);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size.width, size.height);
    encoder.set_color(ColorType::Grayscale);
    encoder.set_depth(BitDepth::One);
    encoder.set_deflate_compression(DeflateCompression::Level(9));
    encoder.set_filter(Filter::NoFilter);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&packed)?;
    writer.finish()?;
    Ok(out)
}

/// Integer point-in-ellipse test: `(dx/rx)² + (dy/ry)² ≤ 1`.
fn in_ellipse(x: i64, y: i64, cx: i64, cy: i64, rx: i64, ry: i64) -> bool {
    let (dx, dy) = (x - cx, y - cy);
    dx * dx * ry * ry + dy * dy * rx * rx <= rx * rx * ry * ry
}

/// Clamps an intensity into `u8`.
fn grey(value: i64) -> u8 {
    u8::try_from(value.clamp(0, 255)).unwrap_or(u8::MAX)
}

/// The synthetic face photo, 8-bit greyscale, row by row (integer arithmetic only):
/// a diagonal gradient background, shoulders, neck, an oval face shaded from its
/// centre, hair, two eyes and a mouth. `variant` shifts the shades so that each card
/// gets its own photo.
pub fn photo_pixels(variant: u8) -> Vec<u8> {
    let (w, h) = (i64::from(PHOTO_SIZE.width), i64::from(PHOTO_SIZE.height));
    let shift = i64::from(variant % 8) * 6;
    let mut pixels = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let background = 215 - (y * 50) / (h - 1) + (x * 20) / (w - 1);
            let face = in_ellipse(x, y, 45, 48, 25, 32);
            let hair = (face && y < 30) || (!face && y < 44 && in_ellipse(x, y, 45, 34, 28, 20));
            let value = if in_ellipse(x, y, 35, 44, 4, 2) || in_ellipse(x, y, 55, 44, 4, 2) {
                40
            } else if face && (62..=63).contains(&y) && (38..=52).contains(&x) {
                70
            } else if hair {
                55 + shift
            } else if face {
                let (dx, dy) = (x - 45, y - 48);
                175 + shift - (dx * dx + dy * dy) / 40
            } else if (38..=52).contains(&x) && (76..=92).contains(&y) {
                160 + shift
            } else if in_ellipse(x, y, 45, 128, 46, 36) {
                95 - shift + (x % 16) / 8 * 4
            } else {
                background
            };
            pixels.push(grey(value));
        }
    }
    pixels
}

/// The photo as a binary PGM (`P5`, maxval 255).
pub fn photo_pgm(pixels: &[u8]) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", PHOTO_SIZE.width, PHOTO_SIZE.height).into_bytes();
    out.extend_from_slice(pixels);
    out
}

/// Counter that makes temporary file names unique within the process (tests run the
/// generator from several threads at once).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary file that is removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    /// A fresh path in the system's temporary folder.
    fn new(extension: &str) -> Self {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        Self(std::env::temp_dir().join(format!(
            "mynakit-testgen-{}-{n}.{extension}",
            std::process::id()
        )))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Best effort: a leftover file in the temporary folder is harmless.
        let _ = fs::remove_file(&self.0);
    }
}

/// Maps an OpenJPEG-style boolean result to an error.
fn opj_ok(result: i32, step: &str) -> Result<()> {
    if result == 0 {
        Err(Error::Jpeg2000(format!("{step} failed")))
    } else {
        Ok(())
    }
}

/// Encodes 8-bit greyscale pixels as a JP2 file, losslessly: reversible 5/3 wavelet,
/// no quantisation, one quality layer at rate 0 (= lossless), single component.
///
/// The encoder's only output stream that needs no `unsafe` on our side writes to a file,
/// so the codestream goes through a temporary file that is read back and removed.
#[expect(
    clippy::field_reassign_with_default,
    reason = "opj_cparameters implements Drop, so struct-update syntax cannot build it"
)]
pub fn encode_jp2_lossless(pixels: &[u8], size: Size) -> Result<Vec<u8>> {
    let expected = usize::try_from(u64::from(size.width) * u64::from(size.height))
        .map_err(|_| Error::Jpeg2000("image too large".into()))?;
    if pixels.len() != expected {
        return Err(Error::Jpeg2000(format!(
            "{} pixels for a {}×{} image",
            pixels.len(),
            size.width,
            size.height
        )));
    }

    // opj_set_default_encoder_parameters, then lossless settings.
    let mut params = opj_cparameters_t::default();
    params.irreversible = 0;
    params.tcp_numlayers = 1;
    params.tcp_rates[0] = 0.0;
    params.cp_disto_alloc = 1;
    params.tcp_mct = 0;
    params.set_comment(JP2_COMMENT);

    let component = opj_image_comptparm {
        dx: 1,
        dy: 1,
        w: size.width,
        h: size.height,
        x0: 0,
        y0: 0,
        prec: 8,
        bpp: 8,
        sgnd: 0,
    };
    let mut image = opj_image::create(&[component], OPJ_CLRSPC_GRAY)
        .ok_or_else(|| Error::Jpeg2000("image allocation failed".into()))?;
    image.x0 = 0;
    image.y0 = 0;
    image.x1 = size.width;
    image.y1 = size.height;
    let data = image
        .comps_data_mut_iter()
        .and_then(|mut comps| comps.next())
        .ok_or_else(|| Error::Jpeg2000("image has no component data".into()))?;
    if data.len() != pixels.len() {
        return Err(Error::Jpeg2000("component buffer size".into()));
    }
    for (sample, &pixel) in data.iter_mut().zip(pixels) {
        *sample = i32::from(pixel);
    }

    let mut codec = Codec::new_encoder(OPJ_CODEC_JP2)
        .ok_or_else(|| Error::Jpeg2000("no JP2 encoder".into()))?;
    opj_ok(
        codec.setup_encoder(&mut params, &mut image),
        "setup_encoder",
    )?;

    let temp = TempFile::new("jp2");
    let io_error = |source| Error::Io {
        path: temp.path().to_owned(),
        source,
    };
    {
        let mut stream = Stream::new_file(temp.path(), 64 * 1024, false).map_err(io_error)?;
        opj_ok(
            codec.start_compress(&mut image, &mut stream),
            "start_compress",
        )?;
        opj_ok(codec.encode(&mut stream), "encode")?;
        opj_ok(codec.end_compress(&mut stream), "end_compress")?;
        stream.flush().map_err(io_error)?;
    }
    fs::read(temp.path()).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a JP2 file with the independent `hayro-jpeg2000` decoder.
    pub fn decode_jp2(jp2: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
        use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
        let image = Image::new(jp2, &DecodeSettings::default())
            .map_err(|e| Error::Jpeg2000(format!("decode: {e:?}")))?;
        let (w, h) = (image.width(), image.height());
        assert_eq!(image.original_bit_depth(), 8);
        let mut ctx = DecoderContext::default();
        let decoded = image
            .decode(&mut ctx)
            .map_err(|e| Error::Jpeg2000(format!("decode: {e:?}")))?;
        assert_eq!(decoded.components().len(), 1);
        Ok((w, h, decoded.data_u8()))
    }

    #[test]
    fn jp2_round_trips_losslessly() -> Result<()> {
        for variant in [0, 1] {
            let pixels = photo_pixels(variant);
            let jp2 = encode_jp2_lossless(&pixels, PHOTO_SIZE)?;
            // JP2 signature box, then the file-type box with brand "jp2 ".
            assert_eq!(jp2.get(..12), Some(openjp2::JP2_RFC3745_MAGIC));
            assert_eq!(jp2.get(20..24), Some(&b"jp2 "[..]));
            let (w, h, decoded) = decode_jp2(&jp2)?;
            assert_eq!((w, h), (PHOTO_SIZE.width, PHOTO_SIZE.height));
            assert!(decoded == pixels, "JP2 is not lossless");
            // Deterministic byte for byte.
            assert_eq!(encode_jp2_lossless(&pixels, PHOTO_SIZE)?, jp2);
        }
        assert_ne!(photo_pixels(0), photo_pixels(1));
        Ok(())
    }

    #[test]
    fn png_is_one_bit_grey_and_decodes_to_the_pattern() -> Result<()> {
        let png_bytes = text_png("見本\u{3000}太郎", NAME_SIZE)?;
        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder
            .read_info()
            .map_err(|e| Error::Data(e.to_string()))?;
        let info = reader.info();
        assert_eq!((info.width, info.height), (256, 32));
        assert_eq!(info.color_type, ColorType::Grayscale);
        assert_eq!(info.bit_depth, BitDepth::One);
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        reader
            .next_frame(&mut buf)
            .map_err(|e| Error::Data(e.to_string()))?;
        let pixels = text_pixels("見本\u{3000}太郎", NAME_SIZE)?;
        for (y, row) in pixels.iter().enumerate() {
            for (x, &black) in row.iter().enumerate() {
                let bit = buf[y * 32 + x / 8] & (0x80 >> (x % 8)) != 0;
                assert_eq!(bit, !black, "pixel {x},{y}");
            }
        }
        // Frame on all four sides, white margin inside it.
        assert!(pixels[0].iter().all(|&b| b) && pixels[31].iter().all(|&b| b));
        assert!(pixels.iter().all(|r| r[0] && r[255]));
        assert!(pixels[1..31].iter().all(|r| !r[1] && !r[254]));
        assert!(pixels[1].iter().skip(1).take(254).all(|&b| !b));
        // Different text, different bars.
        assert_ne!(text_png("見本\u{3000}花子", NAME_SIZE)?, png_bytes);
        Ok(())
    }

    #[test]
    fn pgm_header() {
        let pgm = photo_pgm(&photo_pixels(0));
        assert!(pgm.starts_with(b"P5\n90 112\n255\n"));
        assert_eq!(pgm.len(), 14 + 90 * 112);
    }
}
