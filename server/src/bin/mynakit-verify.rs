//! `mynakit-verify EVIDENCE --nonce HEX --at RFC3339 [--trust POLICY] ...`: verifies an
//! evidence bundle from its bytes and prints the report (JSON, or a summary with
//! `--summary`). Exit status: 0 accepted, 1 rejected, 2 incomplete, 64 usage error.
//! The options are [`mynakit_server::cli`]'s, shared with `mynakit verify`.

use std::process::ExitCode;

use mynakit_server::cli::{Format, run};

fn main() -> ExitCode {
    let code = run(
        "mynakit-verify",
        std::env::args().skip(1).collect(),
        Format::Json,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
