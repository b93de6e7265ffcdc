//! `mynakit verify EVIDENCE --nonce HEX [--at RFC3339] [options]`: the server verifier
//! (`mynakit-server`, docs/server.md §2) from the main CLI. The options are
//! [`mynakit_server::cli`]'s, passed through unchanged, so they are the `mynakit-verify`
//! binary's; the report prints as text by default and as JSON with `--json`. Exit status:
//! 0 accepted, 1 rejected, 2 incomplete (a required check could not be made), 64 usage.

use std::process::ExitCode;

use mynakit_server::cli::{Format, run as run_verifier};

/// The arguments, handed to the verifier's own parser (so `--help` is its usage text).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct VerifyArgs {
    /// EVIDENCE|- --nonce HEX [--at RFC3339] [--trust production|jlis-test|virtual-card]
    /// [--anchor DER] [--cv-keys FILE] [--crl DER --crl-issuer DER] [--ocsp URL
    /// --ocsp-issuer DER] [--revocation-optional] [--json | --summary] (`--help` lists all).
    #[arg(
        num_args = 0..,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

/// Runs the verifier and returns its exit status.
pub fn run(a: VerifyArgs) -> ExitCode {
    ExitCode::from(run_verifier(
        "mynakit verify",
        a.args,
        Format::Summary,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    ))
}
