//! 確認記録: the fields of the verification record that come from the chip, exported from
//! an **accepted** report only.
//!
//! 犯収法 requires the record to be kept for 7 years; the bank adds its own fields (who
//! checked, the transaction, the customer's file number). A renewed card (or a renewed
//! signing certificate) has a new certificate serial: [`ConfirmationRecord::renewal`] takes
//! the previous record and keeps its serials, so the new card links to the same customer.

use serde::{Deserialize, Serialize};

use crate::matching::parse_date;
use crate::verify::{Report, Verdict};

/// Record format version.
pub const RECORD_VERSION: u32 = 1;

/// Why no record was made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    /// The report is not `accepted`.
    #[error("no record from a report whose verdict is {0:?}")]
    NotAccepted(Verdict),
    /// The previous record belongs to someone else.
    #[error("the previous record does not match: {0}")]
    NotSamePerson(String),
}

/// The chip-derived fields of a 確認記録.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationRecord {
    /// [`RECORD_VERSION`].
    pub record_version: u32,
    /// `jpki_login`, `jpki_sign` (ワ), `chip_read` (ヘ), `face_to_face` (対面).
    pub method: String,
    /// When the server verified (RFC 3339).
    pub verified_at: String,
    /// The nonce the bundle was bound to (hex).
    pub nonce: String,
    /// Name as on the chip.
    pub name: Option<String>,
    /// Address as on the chip.
    pub address: Option<String>,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Sex code.
    pub sex_code: Option<String>,
    /// JPKI certificate serial (ワ / login).
    pub certificate_serial: Option<String>,
    /// JPKI certificate issuer.
    pub certificate_issuer: Option<String>,
    /// JPKI certificate validity start.
    pub certificate_not_before: Option<String>,
    /// JPKI certificate validity end.
    pub certificate_not_after: Option<String>,
    /// The user-authentication certificate's subject (opaque per-card identifier).
    pub auth_subject: Option<String>,
    /// Card expiry (`YYYY-MM-DD`, or the year for a minimal face-to-face record).
    pub card_expiry: Option<String>,
    /// SHA-256 of the card photo used for face matching.
    pub photo_sha256: Option<String>,
    /// Certificate serials of the same customer's earlier cards, oldest first.
    pub previous_certificate_serials: Vec<String>,
    /// Per check: id and result, as the report had them (audit trail).
    pub checks: Vec<(String, String)>,
}

impl ConfirmationRecord {
    /// The record of an accepted report.
    pub fn from_report(report: &Report) -> Result<Self, RecordError> {
        if report.verdict != Verdict::Accepted {
            return Err(RecordError::NotAccepted(report.verdict));
        }
        let f = &report.facts;
        Ok(ConfirmationRecord {
            record_version: RECORD_VERSION,
            method: report.method.clone().unwrap_or_default(),
            verified_at: report.checked_at.clone(),
            nonce: report.nonce.clone(),
            name: f.name.clone(),
            address: f.address.clone(),
            birth_date: f.birth_date.clone(),
            sex_code: f.sex_code.clone(),
            certificate_serial: f.certificate_serial.clone(),
            certificate_issuer: f.certificate_issuer.clone(),
            certificate_not_before: f.certificate_not_before.clone(),
            certificate_not_after: f.certificate_not_after.clone(),
            auth_subject: f.auth_subject.clone(),
            card_expiry: f.card_expiry.clone(),
            photo_sha256: f.photo_sha256.clone(),
            previous_certificate_serials: Vec::new(),
            checks: report
                .checks
                .iter()
                .map(|c| {
                    let r = match &c.outcome {
                        mynakit::cv::CheckOutcome::Verified => "verified",
                        mynakit::cv::CheckOutcome::Failed { .. } => "failed",
                        mynakit::cv::CheckOutcome::NotChecked { .. } => "not_checked",
                    };
                    (c.id.clone(), r.to_string())
                })
                .collect(),
        })
    }

    /// The record of an accepted report for a customer already on file with `previous`:
    /// the birth date must be the same (name and address may change between cards), and
    /// the previous record's serials are kept (oldest first) so that the renewed card links
    /// to the same customer.
    pub fn renewal(report: &Report, previous: &ConfirmationRecord) -> Result<Self, RecordError> {
        let mut r = Self::from_report(report)?;
        let same_birth = match (&r.birth_date, &previous.birth_date) {
            (Some(a), Some(b)) => match (parse_date(a), parse_date(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            },
            _ => false,
        };
        if !same_birth {
            return Err(RecordError::NotSamePerson(
                "the birth dates differ or are missing".into(),
            ));
        }
        let mut serials = previous.previous_certificate_serials.clone();
        if let Some(s) = &previous.certificate_serial
            && !serials.contains(s)
        {
            serials.push(s.clone());
        }
        if let Some(cur) = &r.certificate_serial {
            serials.retain(|s| s != cur);
        }
        r.previous_certificate_serials = serials;
        Ok(r)
    }
}
