//! `docs/ARCHITECTURE.md` is checked against the tree: its module table names exactly
//! the crate's top-level modules, and no module uses a module of its own or a higher
//! layer (so there are no import cycles between modules).

use std::collections::BTreeMap;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `module -> layer` from the table of docs/ARCHITECTURE.md.
fn layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    doc.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let layer = cells.get(2)?.parse().ok()?;
            Some((name.to_string(), layer))
        })
        .collect()
}

/// The crate's top-level modules: `src/X.rs` and `src/X/` (not `lib.rs`, not `bin`).
fn modules() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (name != "lib" && name != "bin").then_some(name)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn rust_files(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if !p.exists() {
        return;
    }
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            rust_files(&e.unwrap().path(), out);
        }
    } else if p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_path_buf());
    }
}

/// `Name -> module` for the root re-exports (`pub use module::{A, B};` in lib.rs), so
/// that `crate::SslContext` counts as a use of `context`.
fn root_exports() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let mut out = BTreeMap::new();
    let mut rest = lib.as_str();
    while let Some(i) = rest.find("\npub use ") {
        rest = &rest[i + "\npub use ".len()..];
        let stmt = &rest[..rest.find(';').unwrap_or(rest.len())];
        let Some((module, names)) = stmt.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn the_table_names_every_module() {
    let table: Vec<String> = layers().into_keys().collect();
    assert_eq!(table, modules(), "docs/ARCHITECTURE.md's table vs src/");
}

#[test]
fn modules_use_only_lower_layers() {
    let layers = layers();
    let exports = root_exports();
    assert!(exports.contains_key("SslContext"), "{exports:?}");
    let mut problems = Vec::new();
    for m in modules() {
        let mut files = Vec::new();
        rust_files(&root().join("src").join(&m), &mut files);
        rust_files(&root().join("src").join(format!("{m}.rs")), &mut files);
        for f in files {
            let text: String = std::fs::read_to_string(&f)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                // `crate::a::b` or `crate::{a, b::c}`: the first segment of each path.
                let firsts: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").to_string())
                        .collect()
                } else {
                    vec![rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect()]
                };
                for first in firsts {
                    let used = exports.get(&first).cloned().unwrap_or(first);
                    let Some(&used_layer) = layers.get(&used) else {
                        continue; // a root item of lib.rs itself (`__private`, ...)
                    };
                    if used != m && used_layer >= layers[&m] {
                        problems.push(format!(
                            "{} (layer {}) uses {used} (layer {used_layer})",
                            f.display(),
                            layers[&m]
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
