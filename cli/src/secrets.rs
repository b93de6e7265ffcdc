//! Reading PINs and passwords without putting them on the command line (where `ps` and
//! shell history would show them).

use std::io::BufRead;

use mynakit::{Error, Result, Secret};

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
            let mut line = zeroize::Zeroizing::new(String::new());
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::InvalidArgument(format!("cannot read standard input: {e}")))?;
            return Ok(Secret::new(line.trim_end_matches(['\r', '\n']).to_string()));
        }
        Err(Error::InvalidArgument(format!(
            "{what} needed: pass --pin-env VAR or --pin-stdin"
        )))
    }
}
