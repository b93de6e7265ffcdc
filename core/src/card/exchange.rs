//! The exchange loop: one command in, one complete response out. `61xx` is followed by
//! GET RESPONSE, `6Cxx` re-issues a command that is safe to repeat, and a link failure
//! makes the session forget what it believed about the card (card-protocol §2, §12.1).

use zeroize::Zeroizing;

use super::{Card, unexpected};
use crate::apdu::{Command, EXTENDED_MAX_NE, Response, Status};
use crate::commands;
use crate::error::{Error, Result, TransportError};
use crate::transport::{ExchangeHint, Transport};

/// How many GET RESPONSE commands one response may take before the card is treated as
/// misbehaving (64 KiB in 256-byte pieces, with room to spare).
const MAX_GET_RESPONSE: u32 = 300;

impl<T: Transport> Card<T> {
    /// Encodes and sends one command APDU, counting it; a link failure or a response
    /// without a status word makes the session forget the card's state.
    fn transmit_once(&mut self, cmd: &Command, hint: ExchangeHint) -> Result<Response> {
        let bytes = Zeroizing::new(cmd.encode(self.caps.extended_length)?);
        if bytes.len() > self.caps.max_command_len {
            return Err(Error::InvalidCommand(format!(
                "{}-byte command exceeds the transport's {} bytes",
                bytes.len(),
                self.caps.max_command_len
            )));
        }
        self.stats.apdus += 1;
        self.stats.bytes_sent += bytes.len() as u64;
        let raw = match self.transport.transmit(&bytes, hint) {
            Ok(raw) => raw,
            Err(e) => {
                self.forget_state();
                return Err(e.into());
            }
        };
        self.stats.bytes_received += raw.len() as u64;
        Response::parse(&raw).map_err(|_| {
            self.forget_state();
            Error::Transport(TransportError::InvalidResponse {
                message: format!("{}-byte response has no status word", raw.len()),
            })
        })
    }

    /// Sends a command and returns the complete response: `61xx` is followed by
    /// GET RESPONSE until the card has nothing more; `6Cxx` re-issues the command once
    /// with the right Le, but only for commands that are safe to repeat (SELECT,
    /// READ BINARY, READ RECORD, GET DATA, GET CHALLENGE), never VERIFY or a signature.
    ///
    /// Internal to the crate: every command the SDK sends goes through the session's
    /// operations, so nothing public can send a VERIFY or a signature around the PIN
    /// policy.
    pub(crate) fn exchange(&mut self, cmd: &Command) -> Result<Response> {
        let hint = ExchangeHint {
            sensitive: cmd.sensitive,
            slow: commands::uses_private_key(cmd.ins),
        };
        let mut resp = self.transmit_once(cmd, hint)?;
        if let Status::WrongLe(n) = resp.status()
            && commands::is_repeatable(cmd.ins)
            && cmd.le.is_some()
            && !cmd.sensitive
        {
            let mut again = cmd.clone();
            again.le = Some(if n == 0 { 256 } else { usize::from(n) });
            resp = self.transmit_once(&again, hint)?;
        }
        let mut data = std::mem::take(&mut resp.data);
        let mut sw = resp.sw;
        let mut rounds = 0u32;
        while let Status::BytesAvailable(n) = sw.status() {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE || data.len() > EXTENDED_MAX_NE {
                return Err(Error::MalformedResponse(
                    "the card keeps announcing more response bytes (61xx) beyond 64 KiB".into(),
                ));
            }
            let get = commands::get_response(if n == 0 { 256 } else { usize::from(n) });
            let more = self.transmit_once(&get, ExchangeHint::default())?;
            data.extend_from_slice(&more.data);
            sw = more.sw;
        }
        Ok(Response { data, sw })
    }

    /// GET CHALLENGE: `n` random bytes from the card (1 to 256; card-protocol §2, the card
    /// refuses the extended form, §6).
    pub fn get_challenge(&mut self, n: usize) -> Result<Vec<u8>> {
        if !(1..=256).contains(&n) {
            return Err(Error::InvalidArgument(format!(
                "challenge length {n} is outside 1..=256"
            )));
        }
        let resp = self.exchange(&commands::get_challenge(n))?;
        match resp.status() {
            Status::Ok if resp.data.len() == n => Ok(resp.data),
            Status::Ok => Err(Error::MalformedResponse(format!(
                "GET CHALLENGE returned {} bytes instead of {n}",
                resp.data.len()
            ))),
            _ => Err(unexpected("GET CHALLENGE", &resp)),
        }
    }
}

/// A link failure that means the card is gone (no retry in another form makes sense).
pub(super) fn is_lost(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::CardRemoved { .. }
            | TransportError::NoCard { .. }
            | TransportError::Cancelled { .. }
            | TransportError::CardReset { .. }
    )
}
