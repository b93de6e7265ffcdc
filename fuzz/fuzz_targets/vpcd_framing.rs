//! The vpcd link: a byte stream from the driver (length-prefixed frames, control bytes,
//! APDUs) into the virtual card. Frames are read until the stream ends; every APDU gets a
//! framable answer; never a panic. The card is built once and powered off per input.
#![no_main]
use std::cell::RefCell;
use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use mynakit_testkit::sim::VirtualCard;
use mynakit_testkit::sim::vpcd::{StopHandle, VpcdCard, read_frame, write_frame};

thread_local! {
    static CARD: RefCell<Option<(VpcdCard, usize)>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    CARD.with(|cell| {
        let mut slot = cell.borrow_mut();
        // Rebuilt every 4096 inputs: the virtual card keeps a log of every command header.
        if slot.as_ref().is_none_or(|(_, n)| *n >= 4096) {
            let Ok(card) = VirtualCard::builtin("taro") else {
                return;
            };
            *slot = Some((VpcdCard::new(card), 0));
        }
        let Some((vpcd, n)) = slot.as_mut() else {
            return;
        };
        *n += 1;
        vpcd.power_off();
        let stop = StopHandle::new();
        let mut r = Cursor::new(data);
        let mut out = Vec::new();
        for _ in 0..64 {
            let Ok(Some(msg)) = read_frame(&mut r, &stop) else {
                break;
            };
            let (reply, _) = vpcd.handle(&msg);
            if let Some(reply) = reply {
                write_frame(&mut out, &reply).expect("every reply is framable");
                out.clear();
            }
        }
    });
});
