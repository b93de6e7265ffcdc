//! The transport trait: the platform side only moves bytes and reports what it can carry.
//!
//! Android implements it over `IsoDep.transceive`, iOS over `NFCISO7816Tag.sendCommand`,
//! desktops over PC/SC, tests over the virtual card or a recorded trace. Chaining,
//! GET RESPONSE, Le correction and chunk sizes are decided by the core from
//! [`Capabilities`], never by the transport.

use crate::apdu::{EXTENDED_MAX_NC, EXTENDED_MAX_NE, SHORT_MAX_NC, SHORT_MAX_NE};
use crate::error::TransportError;

/// What a transport can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capabilities {
    /// Largest command APDU in bytes, header included (Android `getMaxTransceiveLength()`).
    pub max_command_len: usize,
    /// Largest response APDU in bytes, status word included.
    pub max_response_len: usize,
    /// Whether extended Lc/Le APDUs pass through (Android
    /// `isExtendedLengthApduSupported()`; CoreNFC; a PC/SC reader that handles them).
    pub extended_length: bool,
}

impl Capabilities {
    /// Short APDUs only: 261-byte commands, 258-byte responses (256 data + SW). This is
    /// what every NFC phone and reader supports and MynaKit's default.
    pub const SHORT: Capabilities = Capabilities {
        max_command_len: 261,
        max_response_len: SHORT_MAX_NE + 2,
        extended_length: false,
    };

    /// Extended-length APDUs with the given maximum transceive length (both directions).
    pub fn extended(max_transceive_len: usize) -> Capabilities {
        Capabilities {
            max_command_len: max_transceive_len,
            max_response_len: max_transceive_len,
            extended_length: true,
        }
    }

    /// Full extended length: 65 544-byte commands, 65 538-byte responses.
    pub const EXTENDED_FULL: Capabilities = Capabilities {
        max_command_len: 4 + 3 + EXTENDED_MAX_NC + 2,
        max_response_len: EXTENDED_MAX_NE + 2,
        extended_length: true,
    };

    /// The largest number of data bytes one READ BINARY can return over this transport.
    pub fn max_read_chunk(&self) -> usize {
        let data = self.max_response_len.saturating_sub(2);
        let ne_limit = if self.extended_length {
            EXTENDED_MAX_NE
        } else {
            SHORT_MAX_NE
        };
        data.min(ne_limit).max(1)
    }

    /// The largest command data field this transport carries in one APDU.
    pub fn max_command_data(&self) -> usize {
        if self.extended_length {
            self.max_command_len.saturating_sub(9).min(EXTENDED_MAX_NC)
        } else {
            self.max_command_len.saturating_sub(6).min(SHORT_MAX_NC)
        }
    }

    /// Checks the values make sense; returns a reason when they do not.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_command_len < 5 {
            return Err(format!(
                "max_command_len {} is below the 5 bytes of a header with Le",
                self.max_command_len
            ));
        }
        if self.max_response_len < 3 {
            return Err(format!(
                "max_response_len {} cannot carry one data byte and a status word",
                self.max_response_len
            ));
        }
        Ok(())
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::SHORT
    }
}

/// What the core tells the transport about one exchange.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExchangeHint {
    /// The command carries a secret (a VERIFY): recorders must redact its data field.
    pub sensitive: bool,
    /// The card may take long to answer (signing): mobile transports should use a longer
    /// timeout for this exchange (Android's default of about 300 ms is too short).
    pub slow: bool,
}

/// A channel to a card: send one command APDU, get one response APDU (data + SW1 SW2).
pub trait Transport {
    /// Sends one command APDU and returns the complete response APDU, status word
    /// included. Must not retry on its own: a command that may have reached the card is
    /// never sent twice.
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError>;

    /// What this transport can carry.
    fn capabilities(&self) -> Capabilities;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu, hint)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, apdu: &[u8], hint: ExchangeHint) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(apdu, hint)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes_follow_capabilities() {
        assert_eq!(Capabilities::SHORT.max_read_chunk(), 256);
        assert_eq!(Capabilities::extended(65_279).max_read_chunk(), 65_277);
        assert_eq!(Capabilities::EXTENDED_FULL.max_read_chunk(), 65_536);
        // A transport that claims extended length but carries only 261 bytes.
        assert_eq!(Capabilities::extended(261).max_read_chunk(), 259);
        let tiny = Capabilities {
            max_command_len: 261,
            max_response_len: 130,
            extended_length: false,
        };
        assert_eq!(tiny.max_read_chunk(), 128);
        assert_eq!(Capabilities::SHORT.max_command_data(), 255);
    }

    #[test]
    fn validate_rejects_nonsense() {
        assert!(Capabilities::SHORT.validate().is_ok());
        let bad = Capabilities {
            max_command_len: 4,
            max_response_len: 258,
            extended_length: false,
        };
        assert!(bad.validate().is_err());
    }
}
