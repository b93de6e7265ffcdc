//! Reading PINs and passwords without putting them on the command line (where `ps` and
//! shell history would show them).

use std::io::Read;

use mynakit::{Error, Result, Secret};
use zeroize::Zeroizing;

/// The longest line `--pin-stdin` accepts (bytes): every credential is far shorter.
const MAX_SECRET_LINE: usize = 256;

/// Where a secret comes from.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct SecretArgs {
    /// Read the PIN or password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
    /// Read the PIN or password from the first line of standard input.
    #[arg(long)]
    pub pin_stdin: bool,
    /// Present the credential even when only the last try remains.
    #[arg(long)]
    pub allow_last_try: bool,
}

impl SecretArgs {
    pub fn read(&self, what: &str) -> Result<Secret> {
        if let Some(var) = &self.pin_env {
            return std::env::var(var).map(Secret::new).map_err(|_| {
                Error::InvalidArgument(format!("environment variable {var} is not set"))
            });
        }
        if self.pin_stdin {
            return read_stdin_line();
        }
        Err(Error::InvalidArgument(format!(
            "{what} needed: pass --pin-env VAR or --pin-stdin"
        )))
    }
}

/// Reads the first line of standard input from file descriptor 0 itself, one byte per
/// read: std's `Stdin` keeps a buffer of its own that would hold the raw line (and what
/// follows it) until the process ends. The bytes go into a buffer wiped on drop.
#[cfg(unix)]
fn read_stdin_line() -> Result<Secret> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| Error::InvalidArgument(format!("cannot read standard input: {e}")))?;
    read_secret_line(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn read_stdin_line() -> Result<Secret> {
    read_secret_line(std::io::stdin().lock())
}

/// One line from `input`, read a byte at a time (nothing past the newline is consumed),
/// without its line end, in a buffer wiped on drop.
fn read_secret_line<R: Read>(mut input: R) -> Result<Secret> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_SECRET_LINE));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match input.read(&mut byte[..]) {
            Ok(0) => break,
            Ok(_) => {
                let [b] = *byte;
                if b == b'\n' {
                    break;
                }
                if line.len() >= MAX_SECRET_LINE {
                    return Err(Error::InvalidArgument(format!(
                        "the line on standard input is longer than {MAX_SECRET_LINE} bytes"
                    )));
                }
                line.push(b);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::InvalidArgument(format!(
                    "cannot read standard input: {e}"
                )));
            }
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let text = std::str::from_utf8(&line)
        .map_err(|_| Error::InvalidArgument("standard input is not UTF-8 text".into()))?;
    Ok(Secret::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that records how much each read asked for and how much was consumed.
    struct Probe<'a> {
        data: &'a [u8],
        consumed: usize,
        largest_request: usize,
    }

    impl Read for Probe<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.largest_request = self.largest_request.max(buf.len());
            let n = buf.len().min(self.data.len() - self.consumed);
            buf[..n].copy_from_slice(&self.data[self.consumed..self.consumed + n]);
            self.consumed += n;
            Ok(n)
        }
    }

    #[test]
    fn reads_one_byte_at_a_time_and_stops_at_the_newline() {
        let mut probe = Probe {
            data: b"1234\r\nrest of the input",
            consumed: 0,
            largest_request: 0,
        };
        let s = read_secret_line(&mut probe).unwrap();
        assert_eq!(s.expose(), "1234");
        // Nothing after the newline was taken from the descriptor, and no read asked for
        // more than one byte (so no buffer ever held more than the line).
        assert_eq!(probe.consumed, 6);
        assert_eq!(probe.largest_request, 1);
    }

    #[test]
    fn end_of_input_without_newline_and_overlong_lines() {
        let s = read_secret_line(&b"abcd"[..]).unwrap();
        assert_eq!(s.expose(), "abcd");
        let long = vec![b'1'; MAX_SECRET_LINE + 1];
        assert!(read_secret_line(&long[..]).is_err());
        assert!(read_secret_line(&[0xFF, b'\n'][..]).is_err());
    }
}
