//! `mynakit-testgen`: reproducible generator of MynaKit's TEST PKI and virtual-card
//! profiles, including the signed records of the 券面事項入力補助AP and the 券面AP.
//!
//! ```text
//! cargo run --release -p mynakit-testgen -- --out test-vectors           # write
//! cargo run --release -p mynakit-testgen -- --out test-vectors --check   # verify
//! ```
//!
//! Output is byte-identical on every run: fixed dates and serials, no clock, and each
//! RSA key comes from its own deterministic RNG (see [`keys`]).

#[cfg(test)]
mod ap_tests;
mod certs;
mod cv;
mod error;
mod face_ap;
mod images;
mod keys;
mod profiles;
mod text_ap;
mod vectors;

use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use error::{Error, Result};
use vectors::FileSet;

/// Parsed command line.
struct Args {
    /// Output folder (`test-vectors` in the workspace).
    out: PathBuf,
    /// Compare instead of writing.
    check: bool,
}

/// Usage text.
const USAGE: &str = "usage: mynakit-testgen --out <DIR> [--check]\n\
    \n\
    Writes MynaKit's TEST PKI and virtual-card profiles into <DIR>.\n\
    With --check, regenerates in memory and exits 1 if any file on disk differs.";

/// Parses `--out DIR` and `--check`.
fn parse_args() -> Result<Option<Args>> {
    let mut out = None;
    let mut check = false;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--out") => {
                let dir = args
                    .next()
                    .ok_or_else(|| Error::Usage("--out needs a folder".into()))?;
                out = Some(PathBuf::from(dir));
            }
            Some("--check") => check = true,
            Some("-h" | "--help") => return Ok(None),
            _ => {
                return Err(Error::Usage(format!(
                    "unexpected argument {}",
                    arg.to_string_lossy()
                )));
            }
        }
    }
    let out = out.ok_or_else(|| Error::Usage("--out <DIR> is required".into()))?;
    Ok(Some(Args { out, check }))
}

/// Reads a file, mapping "not found" to `None`.
fn read_existing(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes every file whose content changed; returns how many were written.
fn write_all(out: &Path, files: &FileSet) -> Result<usize> {
    let mut written = 0;
    for (rel, bytes) in files {
        let path = out.join(rel);
        if read_existing(&path)?.as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        fs::write(&path, bytes).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        written += 1;
    }
    Ok(written)
}

/// Lists generated files that are missing or different on disk.
fn differences(out: &Path, files: &FileSet) -> Result<Vec<String>> {
    let mut diffs = Vec::new();
    for (rel, bytes) in files {
        match read_existing(&out.join(rel))? {
            None => diffs.push(format!("missing:   {rel}")),
            Some(disk) if disk != *bytes => diffs.push(format!("differs:   {rel}")),
            Some(_) => {}
        }
    }
    Ok(diffs)
}

/// Runs the generator; `Ok(false)` means `--check` found differences.
fn run(args: &Args) -> Result<bool> {
    let files = vectors::generate()?;
    if args.check {
        let diffs = differences(&args.out, &files)?;
        if diffs.is_empty() {
            println!(
                "{}: all {} generated files match",
                args.out.display(),
                files.len()
            );
            return Ok(true);
        }
        eprintln!(
            "{}: {} file(s) differ from the generator's output:",
            args.out.display(),
            diffs.len()
        );
        for d in &diffs {
            eprintln!("  {d}");
        }
        eprintln!("regenerate with: cargo run --release -p mynakit-testgen -- --out test-vectors");
        return Ok(false);
    }
    let written = write_all(&args.out, &files)?;
    println!(
        "{}: {} files generated, {} written ({} unchanged)",
        args.out.display(),
        files.len(),
        written,
        files.len() - written
    );
    Ok(true)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("mynakit-testgen: {e}");
            ExitCode::FAILURE
        }
    }
}
