//! The RetryFloor message says what was sent (issue 13, item 4): the refusal comes after
//! the application was selected and the retry counter queried (a VERIFY without data,
//! which spends no try), so "no APDU was sent" was false.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mynakit::{Credential, Error};

#[test]
fn retry_floor_text_names_what_was_sent_and_what_was_not() {
    let e = Error::RetryFloor {
        credential: Credential::JpkiAuthPin,
        remaining: Some(1),
        floor: 1,
    };
    let msg = e.to_string();
    assert!(!msg.contains("no APDU was sent"), "{msg}");
    assert!(msg.contains("no VERIFY with the value was sent"), "{msg}");
    assert!(msg.contains("retry-counter query"), "{msg}");
    assert!(msg.contains("no try was spent"), "{msg}");
    assert!(msg.contains("only 1 tries remain (floor 1)"), "{msg}");
}

#[test]
fn retry_floor_text_says_when_the_card_did_not_report_the_count() {
    let msg = Error::RetryFloor {
        credential: Credential::JpkiAuthPin,
        remaining: None,
        floor: 1,
    }
    .to_string();
    assert!(
        msg.contains("does not report how many tries remain"),
        "{msg}"
    );
    assert!(msg.contains("no try was spent"), "{msg}");
}
