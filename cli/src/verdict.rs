//! The one JSON shape of every verification result the CLI prints (`--json`):
//!
//! ```json
//! "verification": {
//!   "result": "verified",
//!   "checks": [
//!     { "name": "auth certificate chain", "result": "verified", "detail": "JPKI-TEST … root (2023), SHA-256 4D…" },
//!     { "name": "text: CV certificate signed by the CV CA", "result": "not_checked", "reason": "no CV CA key …" },
//!     { "name": "signature", "result": "failed", "reason": "the RSA PKCS#1 v1.5 signature does not match" }
//!   ]
//! }
//! ```
//!
//! Each check's `result` is `verified`, `failed` (with `reason`) or `not_checked` (with
//! `reason`: data not read, no key or root configured, …); `detail` says what a verified check
//! rested on (a chain's anchor). The overall `result` is `failed` when any check failed,
//! `verified` when there is at least one check and all were verified, `not_checked` otherwise.

use mynakit::Result;
use mynakit::cert::ChainVerification;
use mynakit::cv::{CheckOutcome, Verification};
use serde::Serialize;

/// The outcome of one check, or of all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Ran and passed.
    Verified,
    /// Ran and failed.
    Failed,
    /// Could not run.
    #[default]
    NotChecked,
}

impl Outcome {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::Failed => "failed",
            Outcome::NotChecked => "not_checked",
        }
    }
}

/// One named check.
#[derive(Clone, Debug, Serialize)]
pub struct CheckOut {
    /// What was checked.
    pub name: String,
    /// Its outcome.
    pub result: Outcome,
    /// Why it failed or was not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a verified check rested on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Every check of one command.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerificationOut {
    /// The overall outcome (see the module docs).
    pub result: Outcome,
    /// The checks, in the order they were made.
    pub checks: Vec<CheckOut>,
}

impl VerificationOut {
    /// Adds a check.
    pub fn push(
        &mut self,
        name: impl Into<String>,
        result: Outcome,
        reason: Option<String>,
        detail: Option<String>,
    ) {
        self.checks.push(CheckOut {
            name: name.into(),
            result,
            reason,
            detail,
        });
        self.result = self.overall();
    }

    /// Adds a chain check.
    pub fn chain(&mut self, name: impl Into<String>, r: &Result<ChainVerification>) {
        match r {
            Ok(v) => self.push(
                name,
                Outcome::Verified,
                None,
                Some(format!("{}, SHA-256 {}", v.anchor, v.anchor_sha256)),
            ),
            Err(e) => self.push(name, Outcome::Failed, Some(e.to_string()), None),
        }
    }

    /// Adds a pass/fail check.
    pub fn result<T>(&mut self, name: impl Into<String>, r: &Result<T>) {
        match r {
            Ok(_) => self.push(name, Outcome::Verified, None, None),
            Err(e) => self.push(name, Outcome::Failed, Some(e.to_string()), None),
        }
    }

    /// Adds the checks of a 券面 application, each name prefixed (`text: `, …).
    pub fn extend(&mut self, prefix: &str, v: &Verification) {
        for c in &v.checks {
            let (result, reason) = match &c.outcome {
                CheckOutcome::Verified => (Outcome::Verified, None),
                CheckOutcome::Failed { reason } => (Outcome::Failed, Some(reason.clone())),
                CheckOutcome::NotChecked { reason } => (Outcome::NotChecked, Some(reason.clone())),
            };
            self.push(format!("{prefix}{}", c.name), result, reason, None);
        }
    }

    fn overall(&self) -> Outcome {
        if self.checks.iter().any(|c| c.result == Outcome::Failed) {
            Outcome::Failed
        } else if !self.checks.is_empty()
            && self.checks.iter().all(|c| c.result == Outcome::Verified)
        {
            Outcome::Verified
        } else {
            Outcome::NotChecked
        }
    }

    /// Whether any check failed.
    pub fn any_failed(&self) -> bool {
        self.overall() == Outcome::Failed
    }

    /// Whether there was at least one check and every one passed.
    pub fn all_verified(&self) -> bool {
        self.overall() == Outcome::Verified
    }

    /// Text lines, one per check.
    pub fn render(&self, indent: &str) -> String {
        let mut o = String::new();
        for c in &self.checks {
            let r = match (c.result, &c.reason, &c.detail) {
                (Outcome::Verified, _, Some(d)) => format!("verified ({d})"),
                (Outcome::Verified, _, None) => "verified".to_string(),
                (Outcome::Failed, r, _) => format!("FAILED: {}", r.as_deref().unwrap_or("-")),
                (Outcome::NotChecked, r, _) => {
                    format!("not checked: {}", r.as_deref().unwrap_or("-"))
                }
            };
            o += &format!("{indent}{:<54} {r}\n", c.name);
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_result_never_passes_silently() {
        let mut v = VerificationOut::default();
        assert!(!v.all_verified());
        assert_eq!(serde_json::to_value(&v).unwrap()["result"], "not_checked");
        v.push("a", Outcome::Verified, None, None);
        assert_eq!(v.result, Outcome::Verified);
        v.push("b", Outcome::NotChecked, Some("no key".into()), None);
        assert_eq!(v.result, Outcome::NotChecked);
        v.push("c", Outcome::Failed, Some("bad".into()), None);
        assert_eq!(v.result, Outcome::Failed);
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j["result"], "failed");
        assert_eq!(j["checks"][1]["result"], "not_checked");
        assert_eq!(j["checks"][1]["reason"], "no key");
        assert!(j["checks"][0].get("reason").is_none());
    }
}
