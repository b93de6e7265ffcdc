//! The virtual card must answer any byte string with a status word and never panic, and
//! must never count a try for a command that is not a VERIFY carrying a value.
//!
//! The card is built once and reset for each input (power cycle, retry counters restored),
//! rather than rebuilt (building parses the profile and its keys: ~41 000 inputs in 180 s).
//! It is rebuilt every 4096 inputs because it keeps a log of every command header.
#![no_main]
use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use mynakit::Credential;
use mynakit_testkit::sim::VirtualCard;

struct Reusable {
    card: VirtualCard,
    tries: Vec<(&'static [u8], u16, u8)>,
    uses: usize,
}

fn build() -> Option<Reusable> {
    let card = VirtualCard::builtin("taro").ok()?;
    let tries = Credential::ALL
        .into_iter()
        .filter_map(|c| Some((c.aid(), c.ef(), card.remaining_tries(c.aid(), c.ef())?)))
        .collect();
    Some(Reusable {
        card,
        tries,
        uses: 0,
    })
}

thread_local! {
    static CARD: RefCell<Option<Reusable>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    CARD.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_none_or(|r| r.uses >= 4096) {
            *slot = build();
        }
        let Some(r) = slot.as_mut() else { return };
        r.uses += 1;
        r.card.power_cycle();
        for &(aid, fid, n) in &r.tries {
            let _ = r.card.set_remaining_tries(aid, fid, n);
        }
        let card = &mut r.card;
        let jpki = mynakit::aid::JPKI;
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
        select.extend_from_slice(jpki);
        let _ = card.process(&select);
        // Commands split at 0xFE.
        for cmd in data.split(|&b| b == 0xFE) {
            let before = card.remaining_tries(jpki, 0x18);
            let resp = card.process(cmd);
            assert!(resp.len() >= 2, "no status word");
            let is_verify_with_data = cmd.get(1) == Some(&0x20) && cmd.len() > 5;
            if !is_verify_with_data {
                assert_eq!(
                    before,
                    card.remaining_tries(jpki, 0x18),
                    "a try was spent by {cmd:02X?}"
                );
            }
        }
    });
});
