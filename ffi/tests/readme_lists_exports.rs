//! The FFI README must list every exported item: each type, function and method that uniffi
//! exports from `src/` is looked up in `README.md`.
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

#[test]
fn readme_lists_every_exported_item() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let mut all = Vec::new();
    for entry in fs::read_dir(dir.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            all.extend(exported_names(&fs::read_to_string(&path).unwrap()));
        }
    }
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
    let missing: Vec<&String> = all
        .iter()
        .filter(|n| !readme.contains(&format!("`{n}")) && !readme.contains(&format!(" {n}(")))
        .filter(|n| !readme.contains(&format!("{n}(")) && !readme.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "ffi/README.md does not list: {missing:?}"
    );
}
