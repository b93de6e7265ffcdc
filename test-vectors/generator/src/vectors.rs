//! Assembles the complete set of test-vector files in memory.

use std::collections::BTreeMap;

use der::Encode;

use crate::{
    certs::{self, Ca, JpkiKind},
    cv::{self, CV_TEST_CA_ID, FACE_AP_SIGNER_ID, TEXT_AP_SIGNER_ID},
    error::{Error, Result},
    face_ap::{self, FaceApInputs},
    keys::TestKey,
    profiles::{
        self, AUTH_CERT_FILE, AUTH_KEY_FILE, CardProfile, PROFILE_FILE, SIGN_CERT_FILE,
        SIGN_KEY_FILE,
    },
    text_ap,
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

/// File names under `pki/` of the 券面 APs' shared TEST keys and CV certificates.
mod ap_pki_files {
    /// The TEST CV CA's private key.
    pub const CA_KEY: &str = "cv-test-ca.pk8";
    /// The TEST CV CA's public key (SPKI DER).
    pub const CA_PUBLIC: &str = "cv-test-ca-public.der";
    /// The TEST CV CA's 16-byte key ID.
    pub const CA_KEY_ID: &str = "cv-test-ca.keyid";
    /// The text-AP signer's private key.
    pub const TEXT_SIGNER_KEY: &str = "text-ap-signer.pk8";
    /// The face-AP signer's private key.
    pub const FACE_SIGNER_KEY: &str = "face-ap-signer.pk8";
    /// The text-AP signer's CV certificate.
    pub const TEXT_CV: &str = "text-ap-cv.der";
    /// The face-AP signer's CV certificate.
    pub const FACE_CV: &str = "face-ap-cv.der";
}

/// The 券面 APs' shared TEST PKI: one CV CA and one signer per application (shared by
/// every card, like an issuing system's keys).
struct ApPki {
    /// The TEST CV CA.
    ca: TestKey,
    /// The 券面事項入力補助AP signer.
    text_signer: TestKey,
    /// Its CV certificate (text AP EF `0004`).
    text_cert: Vec<u8>,
    /// The 券面AP signer.
    face_signer: TestKey,
    /// Its CV certificate (face AP EF `0004`).
    face_cert: Vec<u8>,
}

impl ApPki {
    /// Derives the three keys and issues both CV certificates.
    fn build() -> Result<Self> {
        let ca = TestKey::derive("pki/cv-test-ca")?;
        let text_signer = TestKey::derive("pki/text-ap-signer")?;
        let face_signer = TestKey::derive("pki/face-ap-signer")?;
        let text_cert = cv::cv_certificate(CV_TEST_CA_ID, &ca, TEXT_AP_SIGNER_ID, &text_signer)?;
        let face_cert = cv::cv_certificate(CV_TEST_CA_ID, &ca, FACE_AP_SIGNER_ID, &face_signer)?;
        Ok(Self {
            ca,
            text_signer,
            text_cert,
            face_signer,
            face_cert,
        })
    }

    /// Adds the `pki/` files.
    fn insert(&self, files: &mut FileSet) -> Result<()> {
        use ap_pki_files::*;
        let mut put = |name: &str, bytes: Vec<u8>| files.insert(format!("{PKI_DIR}/{name}"), bytes);
        put(CA_KEY, self.ca.pkcs8_der()?);
        put(CA_PUBLIC, self.ca.spki_der()?);
        put(CA_KEY_ID, CV_TEST_CA_ID.to_bytes()?.to_vec());
        put(TEXT_SIGNER_KEY, self.text_signer.pkcs8_der()?);
        put(FACE_SIGNER_KEY, self.face_signer.pkcs8_der()?);
        put(TEXT_CV, self.text_cert.clone());
        put(FACE_CV, self.face_cert.clone());
        Ok(())
    }

    /// Adds one card's `text/` and `face/` files below `dir`.
    fn insert_card(&self, files: &mut FileSet, dir: &str, profile: &CardProfile) -> Result<()> {
        let internal_auth = TestKey::derive(&profile.text_internal_auth_key_label())?;
        for (name, bytes) in text_ap::files(
            &profile.person,
            TEXT_AP_SIGNER_ID,
            &self.text_signer,
            &self.text_cert,
            &internal_auth,
        )? {
            files.insert(format!("{dir}/{}/{name}", text_ap::DIR), bytes);
        }
        let card_key = TestKey::derive(&profile.face_card_key_label())?;
        let inputs = FaceApInputs {
            signer_id: FACE_AP_SIGNER_ID,
            signer: &self.face_signer,
            signer_cert: &self.face_cert,
            card_key: &card_key,
            municipality_code: profile.municipality_code,
            photo_variant: profile.photo_variant,
        };
        for (name, bytes) in face_ap::files(&profile.person, &inputs)? {
            files.insert(format!("{dir}/{}/{name}", face_ap::DIR), bytes);
        }
        Ok(())
    }
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
    let ap_pki = ApPki::build()?;
    ap_pki.insert(&mut files)?;

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
        ap_pki.insert_card(&mut files, &dir, &profile)?;
    }

    let readme = readme(&files)?;
    files.insert("README.md".to_owned(), readme);
    Ok(files)
}

/// README file-table line of a 券面 AP file (`pki/`, `cards/*/text/`, `cards/*/face/`).
fn describe_ap_file(dir: &str, name: &str) -> Option<&'static str> {
    use ap_pki_files::*;
    Some(match (dir, name) {
        (PKI_DIR, CA_KEY) => {
            "private key (PKCS#8) of the TEST CV CA that signs both AP certificates"
        }
        (PKI_DIR, CA_PUBLIC) => {
            "the TEST CV CA's public key (SPKI DER): the trust anchor for the CV certificates"
        }
        (PKI_DIR, CA_KEY_ID) => "the TEST CV CA's 16-byte key ID (`MKTSTCA` 08 05 `001` 00000000)",
        (PKI_DIR, TEXT_SIGNER_KEY) => {
            "private key (PKCS#8) of the 券面事項入力補助AP signer (all cards)"
        }
        (PKI_DIR, FACE_SIGNER_KEY) => "private key (PKCS#8) of the 券面AP signer (all cards)",
        (PKI_DIR, TEXT_CV) => "CV certificate of the 券面事項入力補助AP signer (= text EF 0004)",
        (PKI_DIR, FACE_CV) => "CV certificate of the 券面AP signer (= face EF 0004)",
        (text_ap::DIR, text_ap::EF0001) => {
            "入力補助AP EF 0001: My Number, 17 bytes with FF FF filler"
        }
        (text_ap::DIR, text_ap::EF0002) => {
            "入力補助AP EF 0002: name, address, birth date, sex (FF20)"
        }
        (text_ap::DIR, text_ap::EF0003) => {
            "入力補助AP EF 0003: digests of EF 0001/0002 and their signature (FF30)"
        }
        (text_ap::DIR, text_ap::EF0004) => "入力補助AP EF 0004: the AP's CV certificate",
        (text_ap::DIR, text_ap::EF0005) => "入力補助AP EF 0005: AP basic information (FF40)",
        (text_ap::DIR, text_ap::EF0007) => {
            "入力補助AP EF 0007: signed internal-authentication public key (FF50)"
        }
        (text_ap::DIR, text_ap::INTERNAL_AUTH_KEY) => {
            "入力補助AP internal-authentication private key (PKCS#8)"
        }
        (face_ap::DIR, face_ap::EF0001) => "券面AP EF 0001: age record (FF10)",
        (face_ap::DIR, face_ap::EF0002) => {
            "券面AP EF 0002: card face with images and signature (FF20)"
        }
        (face_ap::DIR, face_ap::EF0003) => "券面AP EF 0003: AP basic information (FF30)",
        (face_ap::DIR, face_ap::EF0004) => "券面AP EF 0004: the AP's CV certificate",
        (face_ap::DIR, face_ap::EF0005) => "券面AP EF 0005: 個人番号 image (FF40)",
        (face_ap::DIR, face_ap::CARD_KEY) => {
            "券面AP card private key (PKCS#8); its public half is in DF12/DF24/DF42"
        }
        (face_ap::DIR, face_ap::NAME_PNG) => "synthetic name image (= EF 0002 DF25)",
        (face_ap::DIR, face_ap::ADDRESS_PNG) => "synthetic address image (= EF 0002 DF26)",
        (face_ap::DIR, face_ap::SECURITY_CODE_PNG) => {
            "synthetic security-code image (= EF 0002 DF2A)"
        }
        (face_ap::DIR, face_ap::MY_NUMBER_PNG) => "synthetic 個人番号 image (= EF 0005 DF41)",
        (face_ap::DIR, face_ap::PHOTO_PGM) => {
            "synthetic face photo, 8-bit greyscale PGM: the exact pixels of photo.jp2"
        }
        (face_ap::DIR, face_ap::PHOTO_JP2) => "the photo as lossless JPEG 2000 (= EF 0002 DF27)",
        _ => return None,
    })
}

/// README section on the 券面 APs' files and record layouts (static part; the per-card
/// values are added by [`ap_readme_section`]).
const AP_README_SECTION: &str = "\
## 券面 APs: 券面事項入力補助AP (`text/`) and 券面AP (`face/`)

Layouts follow `docs/card-protocol.md` §3.2, §3.3, §8, §9. The TEST CV CA and both AP
signers are MynaKit TEST keys whose private halves are published here: never trust them
outside tests. Conventions:

- BER-TLV with minimal definite lengths and 2-byte tags. Only `text/ef0001.bin`
  carries filler (`FF FF`, covered by its digest); every other `.bin` is exactly one
  TLV, and the virtual card adds physical filler itself.
- *key* = the 265-byte RSA key TLV value `90 03 01 00 01 91 82 01 00 <256-byte modulus>`
  (RSA-2048, exponent 65537).
- *sig(K, M)* = RSASSA-PKCS1-v1_5 with SHA-256 by key K over M (256 bytes).
- Key IDs are 16 bytes: 7 ASCII ‖ `08 05` ‖ 3 ASCII ‖ `00 00 00 00`: TEST CV CA
  `MKTSTCA`/`001`, text-AP signer `MKTXTAP`/`001`, face-AP signer `MKFCEAP`/`001`
  (invented; real issuers are `5000033` and `5000023`).
- CV certificate (568 bytes): `7F21 { 5F4E <issuer ID ‖ subject ID ‖ subject key>
  (297 bytes), 5F37 <sig(issuer, the 297-byte 5F4E value)> }`. Both AP certificates
  are issued by the TEST CV CA; verify them with `pki/cv-test-ca-public.der`.

入力補助AP (`text/`):

- `ef0001.bin`: `FF10 0C` ‖ 12 ASCII digits ‖ `FF FF` (17 bytes).
- `ef0002.bin`: `FF20 { DF21 <4 × u16 big-endian: offset from the start of the file
  to the tag of DF22, DF23, DF24, DF25>, DF22 name (UTF-8, U+3000 between surname and
  given name), DF23 address (UTF-8), DF24 birth YYYYMMDD, DF25 sex digit }`.
- `ef0003.bin` (336 bytes): `FF30 { DF31 SHA-256(ef0001.bin, all 17 bytes),
  DF32 SHA-256(ef0002.bin from the DF22 tag to the end), DF33 sig(text signer,
  DF31 TLV ‖ DF32 TLV) }`.
- `ef0004.bin`: the text-AP CV certificate (= `pki/text-ap-cv.der`).
- `ef0005.bin`: `FF40 { DF41 00 00 00 01, DF42 <text-AP signer key ID>, DF43 <128 × 00> }`.
- `ef0007.bin` (536 bytes): `FF50 { DF51 <internal-auth key>, DF52 sig(text signer,
  DF51 TLV) }`; `internal-auth-key.pk8` is its private half.

券面AP (`face/`), all records carrying the card's own key (`card-key.pk8`), signed by
the face-AP signer:

- `ef0001.bin`: `FF10 { DF11 birth YYYYMMDD, DF12 <card key>, DF13 sig(face signer,
  DF11 TLV ‖ DF12 TLV) }`.
- `ef0002.bin`: `FF20 { DF21 <9 × u16 offsets to the tags of DF22…DF2A>, DF22 birth
  YYYYMMDD, DF23 sex, DF24 <card key>, DF25 name PNG, DF26 address PNG, DF27 photo JP2,
  DF28 signature, DF29 expiry YYYYMMDD, DF2A security-code PNG }`. DF28 is
  RSASSA-PKCS1-v1_5 *without* adding a prefix over the 115-byte DigestInfo `30 71 30 0D
  06 09 60 86 48 01 65 03 04 02 01 05 00 04 60` ‖ H1 ‖ H2 ‖ H3 (DER for a 96-byte OCTET
  STRING, as genuine cards sign it; card-protocol §9.2) with H1 = SHA-256(DF22 ‖ DF23 ‖
  DF24 TLVs), H2 = SHA-256(DF25 ‖ DF26 TLVs), H3 = SHA-256(DF27 TLV). DF29 and DF2A are
  not signed. (Until issue 9 the generator used the 32-byte SHA-256 header `3031…0420`
  here, which no genuine card uses.)
- `ef0003.bin`: `FF30 { DF31 00 00 00 01, DF32 <face-AP signer key ID>, DF34 <5-digit
  municipality code> }`.
- `ef0004.bin`: the face-AP CV certificate (= `pki/face-ap-cv.der`).
- `ef0005.bin`: `FF40 { DF41 個人番号 PNG, DF42 <card key>, DF43 sig(face signer,
  DF41 TLV ‖ DF42 TLV) }`.

Credentials: 照合番号A = the My Number; 照合番号B = birth date `YYMMDD` with the
two-digit Japanese-era year (明治 from 1868-01-25, 大正 1912-07-30, 昭和 1926-12-25,
平成 1989-01-08, 令和 2019-05-01) ‖ card-expiry year `YYYY` ‖ security code. The
生年月日 key is its first 6 digits.

{CARD_TABLE}
**The images are synthetic placeholders**, not rendered text and not a real face: no
font is used. `name.png` (256×32), `address.png` (512×64), `security-code.png` (24×12)
and `my-number.png` (72×12) are 1-bit greyscale PNGs with a 1-pixel black frame and
vertical bars whose pattern is the bit string SHA-256(`mynakit-testgen/v1/image-bars/`
‖ text ‖ u32 block counter) of the text they stand for. The photo is a drawn oval
\"face\" over a gradient, 90×112, 8-bit greyscale; `photo.pgm` holds its pixels and
`photo.jp2` the same pixels as lossless JPEG 2000 (reversible 5/3 wavelet, one layer).

";

/// README section on the real test-card data (not generated; described here so the README
/// stays one generated file).
const REAL_CARDS_README_SECTION: &str = "\
## Real test-card data (`real-cards/jlis-test/`)

Not generated and not MynaKit's: EF contents read from J-LIS **test** cards (`O=JPKI-TEST`,
synthetic holder data), from the fixtures of the crate `myna-card` 3.3.4 (MIT, © 2026
KIRISHIKI Yudai; `LICENSE-myna-card` travels with them). `PROVENANCE.md` lists every file with
its SHA-256 and the EF it came from. This is MynaKit's ground truth:

- `testkit/tests/real_cards.rs` checks every field, offset table, digest, record signature and CV
  certificate on these bytes against values from an independent reading
  (`independent-reading.py`: Python, hashlib, Pillow/OpenJPEG), tampering, the MF `00F8` →
  `7F21` CV chain, the JPKI certificates' chains (J-LIS test roots only under a policy that
  accepts test cards), and layouts with bytes before the record.
- `cv-ca-test.txt`: the J-LIS TEST CV CA public keys in `CvTrust::add_key_list` format. Test
  material; never compiled into the SDK.
- `cards/jlis-test/profile.json` makes them a virtual card (`mynakit_testkit::sim::VirtualCard::builtin(\"jlis-test\")`):
  照合番号A `537686677188`, 照合番号B `55021720352285` (birth 昭和55-02-17, expiry year 2035,
  security code 2285 read off the DF2A image), birth-date key `550217`; PINs `1234` and signing
  password `ABC123` chosen. It has no private keys: JPKI signing and liveness are refused
  (docs/card-apps.md).
- `traces/`: text and face reads on that virtual card (`mynakit-trace/1`), checked and replayed
  by `real_cards.rs`; `MYNAKIT_REGEN_REAL_TRACES=1 cargo test -p mynakit-testkit
  --test real_cards` rewrites them. The generator and `mynakit trace regen` do not touch this
  folder.

";

/// The 券面 AP section of the README, with a table of each card's derived values.
fn ap_readme_section() -> Result<String> {
    let mut table = String::from(
        "| Card | 照合番号B | 生年月日 key | municipality code (face EF 0003) |\n|---|---|---|---|\n",
    );
    for profile in profiles::all() {
        table.push_str(&format!(
            "| `{}` | `{}` | `{}` | `{}` |\n",
            profile.id,
            profile.collation_number_b()?,
            profile.birth_date_key()?,
            profile.municipality_code
        ));
    }
    Ok(AP_README_SECTION.replace("{CARD_TABLE}", &table))
}

/// One line of the README's file table.
fn describe(path: &str) -> Result<&'static str> {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path);
    if let Some(text) = parts.next().and_then(|dir| describe_ap_file(dir, name)) {
        return Ok(text);
    }
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
         - `jlis-test`: **not generated** — bytes read from a J-LIS test card (below); its\n\
         \x20 `profile.json` points into `real-cards/jlis-test/`.\n\
         \n\
         Each `profile.json` lists the person data, the PINs/password and the file\n\
         paths (relative to the profile's folder). Private-key paths (`auth_key`, `sign_key`,\n\
         `internal_auth_key`, `card_key`) may be absent or `null`: the virtual card then has no\n\
         key in that EF and refuses to sign (`6A82`).\n\
         \n",
    );
    text.push_str(REAL_CARDS_README_SECTION);
    text.push_str(&ap_readme_section()?);
    text.push_str(
        "## Files\n\
         \n\
         | File | Contents |\n\
         |---|---|\n",
    );
    for path in files.keys() {
        text.push_str(&format!("| `{path}` | {} |\n", describe(path)?));
    }
    text.push_str("| `README.md` | this file (generated) |\n");
    text.push_str(TRACES_SECTION);
    Ok(text.into_bytes())
}

/// The README's trace section: the normative specification of the trace format
/// (`mynakit-trace/1`) and of expected results, shared by the Rust, Kotlin and Swift suites.
const TRACES_SECTION: &str = r##"
## Traces (`traces/`)

Golden APDU traces of the virtual card, one per operation and failure path, each with
its expected result: `traces/NAME.trace.jsonl` and `traces/NAME.expected.json`, listed
with a description in `traces/index.json`. They are made by the MynaKit CLI, not by this
generator, from the same virtual card (fixed clock, fixed challenges, fixed verification
time), and CI checks they are byte-identical to a fresh run:

```sh
cargo run -p mynakit-cli -- trace regen --out test-vectors/traces          # regenerate
cargo run -p mynakit-cli -- trace regen --out test-vectors/traces --check  # verify
cargo run -p mynakit-cli -- trace replay test-vectors/traces/sign-auth.trace.jsonl \
    --expect test-vectors/traces/sign-auth.expected.json                   # exit 0 = pass
```

The Rust tests (`testkit/tests/traces.rs`) replay every vector; the Kotlin and Swift suites
replay the same files through the bindings. `docs/traces.md` is the QA guide.

### Trace format `mynakit-trace/1` (normative)

A trace is UTF-8 text in JSON Lines: one JSON object per line, each line ended by `\n`
(a `\r` before it is accepted). There are no blank lines.

| line | content |
|---|---|
| 1 | the header |
| 2 … N+1 | exchanges 0 … N−1, one per line, in the order they happened |
| N+2 | the end line `{"end":{"exchanges":N}}`; nothing may follow it |

A file without its end line is truncated and is rejected. Readers reject a header whose
`format` is not `mynakit-trace/1`, report every error with its line number, and ignore
object members they do not know. Hex strings are written in upper case and read in
either case.

Header members:

| member | type | meaning |
|---|---|---|
| `format` | string | `mynakit-trace/1` (required) |
| `operation` | object | `name`: an operation name (table below), or `session` for an app's own flow that replay cannot drive by itself; `params`: the operation's parameters, never a secret (required) |
| `card` | string | where the card came from (`sim:taro`, a reader name) |
| `transport` | object | `max_command_len`, `max_response_len` (bytes), `extended_length` (bool): the capabilities during the session, reported again by replay (required) |
| `protocol` | object | `read_by_sfi`, `verify_by_sfi`, `sign_key_by_sfi` (bools): the engine's options, which replay must use to send the same commands |
| `pin_policy` | object | `floor`: tries at or below which a credential is not presented |
| `trust` | object | `accept_jlis_test_cards`, `accept_virtual_card` (bools): the roots the result's chain checks accept |
| `token_kind` | string or null | kind read from JPKI EF 0006 in the session (`my_number_card`, `android_phone`, `i_phone`, `juki_card`, `unknown`), null when not read |
| `secrets` | array | `{credential, len}` for each credential value the operation was given (`jpki_auth_pin`, `jpki_sign_password`, …) and its length in bytes; never the value |
| `redacted` | array | `{exchange, len}`: exactly the exchanges that carry a `redacted` member, with its length |
| `scrubbed` | bool | true when personal data in responses was replaced; such a trace cannot pass authenticity checks |
| `scrubbed_items` | array of strings | what was replaced, per file |
| `fixed` | object | values random in a live session, fixed for replay: `challenge_hex` (the `demo` challenge), `verification_time_unix` (the moment certificate chains are checked) |
| `faults` | string or null | the fault scenario injected while recording (`INDEX:KIND,…`, see `testkit/src/fault.rs`); the exchanges show what the app saw |
| `clock` | string | `fixed` (every `ms` is 0, as in golden traces) or `wall` |
| `recorded_by` | string or null | the program that wrote the trace |

Exchange members:

| member | type | meaning |
|---|---|---|
| `i` | integer | the exchange index: 0 on line 2, then consecutive |
| `cmd` | hex | the command APDU as sent, except the secret bytes when `redacted` is present |
| `redacted` | object | `{offset, len}`: the command sent was `cmd[..offset]` + `len` secret bytes + `cmd[offset..]`; `offset` ≥ 4, `len` ≥ 1 |
| `rsp` | hex | the response APDU (data, SW1, SW2) as the app received it; shorter than 2 bytes when a fault cut it |
| `err` | object | `{kind, message}`: the link failed and no response arrived; `kind` is one of `card_removed`, `timeout`, `no_card`, `card_reset`, `cancelled`, `invalid_response`, `other` |
| `scrubbed` | array | `{offset, len, what}`: bytes of `rsp` replaced by filler, and what they held |
| `ms` | integer | milliseconds between sending the command and receiving the answer |
| `note` | string | optional annotation (the recorder writes the decoded command); informative only |

An exchange has exactly one of `rsp` and `err`.

**Secrets are never written.** A recorder removes the data field of every command the
engine marks as carrying a secret, and of every command whose INS is `20` (VERIFY), `21`,
`24` (CHANGE REFERENCE DATA) or `2C` (RESET RETRY COUNTER), or a proprietary-class `32`
(CHANGE KEY), whatever the marking: it writes `redacted` with the length instead. A
VERIFY without data (the retry-counter query) has nothing to remove. A secret-carrying
command that cannot be parsed loses everything after its 4-byte header.

**Scrubbing** (optional, `"scrubbed": true`) replaces personal data in response data with
filler of the same length and keeps every status word, tag and length:

| file | replaced |
|---|---|
| JPKI EF 0001 and 000A (the holder's certificates) | serial number, every subject value, the RSA modulus, signature, unique identifiers, and every extension value except keyUsage, basicConstraints, extKeyUsage, authorityKeyIdentifier, certificatePolicies, authorityInfoAccess (so subjectAltName's name, address, birth date, sex); OIDs, issuer and validity stay and the certificate still parses |
| JPKI EF 0002, 0006, 0008, 000B | nothing (CA certificates, token label, availability) |
| text (入力補助) and card-face (券面) AP EF 0004 | nothing (the application's CV certificate, the same on every card) |
| other text and card-face AP EFs | every value (My Number, name, address, birth date, sex, images, photo, keys, signatures, digests); digits become `0` so numbers and dates still parse, an RSA modulus (`91`) becomes all ones while its exponent (`90`) stays; the tags and lengths of known containers and the offset tables (`DF21`) stay |
| READ RECORD, GET DATA, reads of an unknown file, other JPKI EFs | all data |
| a file that does not parse (a session cut mid-read) | all of its bytes |

**Replay.** A replay answers command `i` with `rsp` (or fails with `err`) after checking
the command: in `strict` mode it must equal `cmd` byte for byte, and a redacted command
must have the same bytes around a secret of exactly `len` bytes; in `relaxed` mode a
redacted command matches any command with the same CLA INS P1 P2 and Le whatever its
secret's length. The first command that differs stops the replay with an error naming the
exchange index, its line, and the expected and actual commands decoded (secrets shown as
`<N secret bytes>`). A replay passes when every command matched and every exchange was
used (injected faults end a session early, and so may scrubbed data that no longer
parses: then only the matching counts).

### Operations

| name | what it does | `params` |
|---|---|---|
| `token` | token label and kind (JPKI EF 0006) | — |
| `availability` | which certificates the card holds (EF 0008) | — |
| `counters` | retry counters of the auth PIN and the signing password | — |
| `auth-cert` | user-authentication certificate, chain checked | — |
| `auth-ca` | its CA certificate | — |
| `sign-ca` | the signing CA certificate | — |
| `sign-cert` | signing certificate after the signing password | `allow_last_try` |
| `sign-auth` | signature with the auth key; certificate read and checked | `hash` (`sha256`, `sha384`, `sha512`, `sha1`), `message_hex`, `allow_last_try` |
| `sign-sign` | signature with the signing key | as `sign-auth` |
| `demo` | the eKYC flow of `mynakit demo` | — (`fixed.challenge_hex`) |
| `text` | 券面事項入力補助AP: My Number and the four attributes, integrity checked | `unlock` (`pin`, `code_a`, `code_b`), `liveness` (`none`, `card`, `host` with `fixed.challenge_hex`), `allow_last_try` |
| `face` | 券面AP: card face and photo, My Number image or age record, signatures checked | `unlock` (`code_a`, `code_b`, `birth_key`), `liveness`, `allow_last_try` |

Replay presents, for each entry of `secrets`, a placeholder value of the credential's
format and the recorded length: the card's answers are in the trace.

### Expected result `mynakit-trace-result/1`

`NAME.expected.json` is one JSON object; a replay passes `--expect` when its result is
equal to it as JSON (member order does not matter):

| member | meaning |
|---|---|
| `format` | `mynakit-trace-result/1` |
| `operation` | the operation's name |
| `outcome` | `ok` or `error` |
| `value` | with `ok`: a summary of the value (certificates: size, SHA-256, serial, subject, issuer, validity, key size, holder attributes, `chain` checked at `fixed.verification_time_unix`; signatures: DigestInfo, signature, whether it verifies with the returned certificate; `text` and `face`: the application's report with its checks, where a hex string longer than 256 characters is replaced by `<N bytes, SHA-256 …>`) |
| `error` | with `error`: `kind` (`wrong_pin`, `blocked`, `retry_floor`, `not_available`, `credential_required`, `verify_outcome_unknown`, `transport`, `unexpected_status`, `malformed_response`, `malformed_data`, `invalid_credential_format`, `invalid_argument`, `verification`, `trace`), `credential`, `remaining` (tries), `sw`, `transport` (the link failure's kind) when they apply, `code` (the stable error code, e.g. `MK-CRED-WRONG`, see docs/errors.md; optional: when absent it is derived from `kind` and `transport`), and `message` |
| `apdus` | the number of APDUs the session sent |
"##;

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
