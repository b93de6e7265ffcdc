//! The FFI READMEs must list every exported item: each type, function and method that uniffi
//! exports from `src/` is looked up in `README.md`, and the same for the testkit component
//! (`ffi-testkit/src/` in `ffi-testkit/README.md`), which the SDK's README must not claim.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::fs;
use std::path::Path;

/// Names of everything exported from one source file: types deriving a uniffi trait or
/// exported as foreign traits, `#[uniffi::export]` functions, and the `pub fn`s of
/// `#[uniffi::export]` impl blocks.
fn exported_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut uniffi_attr = false;
    let mut export_attr = false;
    let mut impl_depth: Option<i32> = None;
    let mut impl_type = String::new();
    for line in source.lines() {
        let t = line.trim();
        if let Some(depth) = impl_depth.as_mut() {
            if let Some(rest) = t.strip_prefix("pub fn ") {
                let name = rest.split(['(', '<']).next().unwrap();
                // A constructor appears as `Type(` in Kotlin and Swift.
                names.push(if name == "new" {
                    format!("{impl_type}(")
                } else {
                    name.to_string()
                });
            }
            *depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
            if *depth <= 0 {
                impl_depth = None;
            }
            continue;
        }
        if t.starts_with("#[derive(") && t.contains("uniffi::") {
            uniffi_attr = true;
            continue;
        }
        if t.starts_with("#[uniffi::export(with_foreign)]") {
            uniffi_attr = true;
            continue;
        }
        if t == "#[uniffi::export]" {
            export_attr = true;
            continue;
        }
        if t.starts_with("#[") || t.starts_with("///") {
            continue;
        }
        if uniffi_attr {
            for kw in ["pub struct ", "pub enum ", "pub trait "] {
                if let Some(rest) = t.strip_prefix(kw) {
                    names.push(rest.split([' ', ':', '{', '<']).next().unwrap().to_string());
                }
            }
        }
        if export_attr {
            if let Some(rest) = t.strip_prefix("pub fn ") {
                names.push(rest.split(['(', '<']).next().unwrap().to_string());
            } else if let Some(rest) = t.strip_prefix("impl ") {
                impl_type = rest.split([' ', '{']).next().unwrap().to_string();
                impl_depth = Some(t.matches('{').count() as i32);
            }
        }
        uniffi_attr = false;
        export_attr = false;
    }
    names
}

/// Everything exported from the `.rs` files of `crate_dir/src`.
fn exported_in(crate_dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    for entry in fs::read_dir(crate_dir.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            all.extend(exported_names(&fs::read_to_string(&path).unwrap()));
        }
    }
    all
}

/// The names the README does not mention.
fn unlisted<'a>(readme: &str, names: &'a [String]) -> Vec<&'a String> {
    names
        .iter()
        .filter(|n| !readme.contains(&format!("`{n}")) && !readme.contains(&format!(" {n}(")))
        .filter(|n| !readme.contains(&format!("{n}(")) && !readme.contains(&format!("`{n}`")))
        .collect()
}

/// The testkit component, next to this crate.
fn testkit_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ffi-testkit")
}

#[test]
fn readme_lists_every_exported_item() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let all = exported_in(dir);
    assert!(all.len() > 40, "the scan found only {all:?}");
    for must in [
        "CardSession",
        "CardTransport",
        "jpki_sign",
        "verify_signature",
        "MynaError",
    ] {
        assert!(all.iter().any(|n| n == must), "scan missed {must}: {all:?}");
    }
    let missing = unlisted(&readme, &all);
    assert!(
        missing.is_empty(),
        "ffi/README.md does not list: {missing:?}"
    );
}

#[test]
fn testkit_readme_lists_every_testkit_export() {
    let dir = testkit_dir();
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let all = exported_in(&dir);
    for must in [
        "VirtualCardDevice",
        "virtual_card_session",
        "TraceReplay",
        "test_trust_store",
        "virtual_card_cv_ca_key",
    ] {
        assert!(all.iter().any(|n| n == must), "scan missed {must}: {all:?}");
    }
    let missing = unlisted(&readme, &all);
    assert!(
        missing.is_empty(),
        "ffi-testkit/README.md does not list: {missing:?}"
    );
}

/// The SDK's README must not present a testkit item as the SDK's: no table row of
/// `ffi/README.md` starts with one (the testkit's objects, functions and records are in
/// `ffi-testkit/README.md`), and the SDK exports none of them.
#[test]
fn sdk_readme_and_sdk_exports_have_no_testkit_item() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let sdk = exported_in(dir);
    let testkit = exported_in(&testkit_dir());
    // Method names the two share (an object's `session()`, `capabilities()`) say nothing.
    let items: Vec<&String> = testkit
        .iter()
        .filter(|n| !sdk.contains(n))
        .filter(|n| {
            n.len() > 8 && (n.contains('_') || n.chars().next().is_some_and(char::is_uppercase))
        })
        .collect();
    assert!(items.len() >= 8, "too few testkit items: {items:?}");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    for n in &items {
        for row in &rows {
            let first_cell = row.split(" | ").next().unwrap_or("");
            assert!(
                !first_cell.contains(&format!("`{n}")),
                "ffi/README.md lists the testkit's {n} as an SDK item: {row}"
            );
        }
    }
    for n in [
        "VirtualCardDevice",
        "TraceReplay",
        "virtual_card_session",
        "test_trust_store",
    ] {
        assert!(!sdk.iter().any(|s| s == n), "the SDK exports {n}");
    }
}
