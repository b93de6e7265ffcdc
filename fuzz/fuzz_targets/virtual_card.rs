//! The virtual card must answer any byte string with a status word and never panic, and
//! must never count a try for a command that is not a VERIFY carrying a value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mynakit::sim::VirtualCard;

fuzz_target!(|data: &[u8]| {
    let Ok(mut card) = VirtualCard::builtin("taro") else { return };
    let jpki = mynakit::aid::JPKI;
    // Split the input into commands at 0xFF 0xFE markers.
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(jpki);
    let _ = card.process(&select);
    for cmd in data.split(|&b| b == 0xFE) {
        let before = card.remaining_tries(jpki, 0x18);
        let r = card.process(cmd);
        assert!(r.len() >= 2, "no status word");
        let is_verify_with_data = cmd.get(1) == Some(&0x20) && cmd.len() > 5;
        if !is_verify_with_data {
            assert_eq!(before, card.remaining_tries(jpki, 0x18), "a try was spent by {cmd:02X?}");
        }
    }
});
