//! `mynakit text` and `mynakit face`: 券面事項入力補助AP and 券面AP.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use mynakit::cv::{CheckOutcome, CvTrust, Verification};
use mynakit::face::FaceUnlock;
use mynakit::text::{ChallengeSource, TextUnlock};
use mynakit::{Card, Error, Result, Transport};

use crate::secrets::SecretArgs;

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

/// Text lines for a verification.
pub fn render_checks(v: &Verification, indent: &str) -> String {
    let mut o = String::new();
    for c in &v.checks {
        let r = match &c.outcome {
            CheckOutcome::Verified => "verified".to_string(),
            CheckOutcome::Failed { reason } => format!("FAILED: {reason}"),
            CheckOutcome::NotChecked { reason } => format!("not checked: {reason}"),
        };
        o += &format!("{indent}{:<40} {r}\n", c.name);
    }
    o
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
    let ok = !r.verification.any_failed()
        && r.liveness
            .as_ref()
            .is_none_or(|l| !l.verification.any_failed());
    crate::print(json, &r, || {
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
        o += &render_checks(&r.verification, "  ");
        if let Some(l) = &r.liveness {
            o += "liveness\n";
            o += &render_checks(&l.verification, "  ");
        }
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
    let ok = !r.verification.any_failed()
        && r.liveness
            .as_ref()
            .is_none_or(|l| !l.verification.any_failed());
    crate::print(json, &r, || {
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
        o += &render_checks(&r.verification, "  ");
        if let Some(l) = &r.liveness {
            o += "liveness\n";
            o += &render_checks(&l.verification, "  ");
        }
        if let Some(dir) = out {
            o += &format!("wrote {} to {}\n", written.join(", "), dir.display());
        }
        o
    })?;
    Ok(ok)
}
