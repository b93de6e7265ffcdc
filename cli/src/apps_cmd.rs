//! `mynakit text` and `mynakit face`: 券面事項入力補助AP and 券面AP.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use mynakit::cv::{CvTrust, Verification};
use mynakit::face::FaceUnlock;
use mynakit::text::{ChallengeSource, TextUnlock};
use mynakit::{Card, Error, Result, Transport};

use serde_json::Value;

use crate::secrets::SecretArgs;
use crate::verdict::VerificationOut;

#[derive(Clone, Copy, ValueEnum)]
pub enum TextHow {
    /// The 4-digit PIN: My Number and the four attributes.
    Pin,
    /// 照合番号A (the My Number): My Number only.
    A,
    /// 照合番号B (14 digits): the four attributes only.
    B,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FaceHow {
    /// 照合番号A: the front and the My Number image.
    A,
    /// 照合番号B: the front.
    B,
    /// The 6-digit birth-date key: the age record only.
    Birth,
}

/// Options shared by both commands.
#[derive(Clone, Debug, clap::Args)]
pub struct AppArgs {
    /// Ask the card to sign a challenge: `card` (GET CHALLENGE) or a hex nonce from your server.
    #[arg(long, value_name = "card|HEX")]
    pub liveness: Option<String>,
    #[command(flatten)]
    pub secret: SecretArgs,
}

pub fn challenge_source(s: &Option<String>) -> Result<Option<ChallengeSource>> {
    match s.as_deref() {
        None => Ok(None),
        Some("card") => Ok(Some(ChallengeSource::Card)),
        Some(h) => hex::decode(h)
            .map(|n| Some(ChallengeSource::Host(n)))
            .map_err(|_| Error::InvalidArgument("--liveness takes `card` or a hex nonce".into())),
    }
}

/// One application's checks and its liveness checks in the CLI's one verification shape
/// (liveness checks named `liveness: …`).
pub fn app_verification(v: &Verification, liveness: Option<&Verification>) -> VerificationOut {
    let mut out = VerificationOut::default();
    out.extend("", v);
    if let Some(l) = liveness {
        out.extend("liveness: ", l);
    }
    out
}

/// A report as JSON with its core-shaped `verification` (and `liveness.verification`)
/// replaced by the CLI's one shape.
fn with_verification<R: serde::Serialize>(report: &R, v: &VerificationOut) -> Result<Value> {
    let enc = |e: serde_json::Error| Error::InvalidArgument(format!("cannot encode JSON: {e}"));
    let mut value = serde_json::to_value(report).map_err(enc)?;
    if let Some(obj) = value.as_object_mut() {
        if let Some(Value::Object(l)) = obj.get_mut("liveness") {
            l.remove("verification");
        }
        obj.insert("verification".into(), serde_json::to_value(v).map_err(enc)?);
    }
    Ok(value)
}

pub fn text<T: Transport>(
    card: &mut Card<T>,
    how: TextHow,
    args: &AppArgs,
    trust: &CvTrust,
    json: bool,
) -> Result<bool> {
    let how = match how {
        TextHow::Pin => TextUnlock::Pin,
        TextHow::A => TextUnlock::CodeA,
        TextHow::B => TextUnlock::CodeB,
    };
    let value = args.secret.read(&how.credential().to_string())?;
    let live = challenge_source(&args.liveness)?;
    let r = card.text().read(
        how,
        &value,
        args.secret.allow_last_try,
        trust,
        live.as_ref(),
    )?;
    let v = app_verification(
        &r.verification,
        r.liveness.as_ref().map(|l| &l.verification),
    );
    let ok = !v.any_failed();
    crate::print(json, &with_verification(&r, &v)?, || {
        let mut o = String::new();
        if let Some(n) = &r.my_number {
            o += &format!(
                "My Number      {} (check digit {})\n",
                n.my_number,
                if n.check_digit_valid { "ok" } else { "WRONG" }
            );
        }
        if let Some(a) = &r.attributes {
            o += &format!(
                "name           {}\naddress        {}\nbirth date     {}\nsex            {:?}\n",
                a.name, a.address, a.birth_date_raw, a.sex
            );
        }
        o += &format!(
            "CV certificate issuer {} subject {}\n",
            r.cv_certificate.issuer_key_label, r.cv_certificate.subject_key_label
        );
        o += &v.render("  ");
        o
    })?;
    Ok(ok)
}

fn write(dir: &Path, name: &str, data: &[u8]) -> Result<()> {
    let p = dir.join(name);
    std::fs::write(&p, data)
        .map_err(|e| Error::InvalidArgument(format!("cannot write {}: {e}", p.display())))
}

pub fn face<T: Transport>(
    card: &mut Card<T>,
    how: FaceHow,
    args: &AppArgs,
    out: Option<&PathBuf>,
    trust: &CvTrust,
    json: bool,
) -> Result<bool> {
    let how = match how {
        FaceHow::A => FaceUnlock::CodeA,
        FaceHow::B => FaceUnlock::CodeB,
        FaceHow::Birth => FaceUnlock::BirthKey,
    };
    let value = args.secret.read(&how.credential().to_string())?;
    let live = challenge_source(&args.liveness)?;
    let r = card.face().read(
        how,
        &value,
        args.secret.allow_last_try,
        trust,
        live.as_ref(),
    )?;
    let mut written = Vec::new();
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::InvalidArgument(format!("cannot create {}: {e}", dir.display())))?;
        if let Some(f) = &r.front {
            write(dir, "photo.jp2", &f.photo.data)?;
            let photo = mynakit::face::decode_photo(&f.photo.data)?;
            write(dir, "photo.png", &photo.png)?;
            write(dir, "name.png", &f.name_image.data)?;
            write(dir, "address.png", &f.address_image.data)?;
            write(dir, "security-code.png", &f.security_code_image.data)?;
            written.extend([
                "photo.jp2",
                "photo.png",
                "name.png",
                "address.png",
                "security-code.png",
            ]);
        }
        if let Some(m) = &r.my_number_image {
            write(dir, "my-number.png", &m.image.data)?;
            written.push("my-number.png");
        }
    }
    let v = app_verification(
        &r.verification,
        r.liveness.as_ref().map(|l| &l.verification),
    );
    let ok = !v.any_failed();
    crate::print(json, &with_verification(&r, &v)?, || {
        let mut o = String::new();
        if let Some(f) = &r.front {
            o += &format!(
                "birth date     {}\nsex            {:?}\nexpiry         {}\nphoto          {} bytes JPEG 2000\n",
                f.birth_date_raw,
                f.sex,
                f.expiry_raw,
                f.photo.data.len()
            );
        }
        if let Some(a) = &r.age {
            o += &format!("birth date     {} (age record)\n", a.birth_date_raw);
        }
        o += &v.render("  ");
        if let Some(dir) = out {
            o += &format!("wrote {} to {}\n", written.join(", "), dir.display());
        }
        o
    })?;
    Ok(ok)
}
