//! The generated tables are current: each generator in `admin/` is run and its output
//! compared with the committed file (see `admin/README.md`).

mod common;

use std::path::Path;
use std::process::Command;

/// Runs `python3 <script>` from the crate root and compares its stdout with `file`.
fn check_current(script: &str, file: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regen = format!("python3 {script} {file}");
    let out = Command::new("python3")
        .arg(script)
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("running `python3 {script}`: {e}"));
    assert!(
        out.status.success(),
        "`python3 {script}` failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("generator output is UTF-8");
    let path = root.join(file);
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{file}: {e}; generate it with `{regen}`"));
    // A checkout with CRLF line ends is still current.
    let committed = committed.replace("\r\n", "\n");
    if generated == committed {
        return;
    }
    let gen_lines: Vec<&str> = generated.lines().collect();
    let file_lines: Vec<&str> = committed.lines().collect();
    let at = (0..gen_lines.len().max(file_lines.len()))
        .find(|&i| gen_lines.get(i) != file_lines.get(i))
        .unwrap_or(gen_lines.len());
    panic!(
        "{file} is not what `python3 {script}` prints ({} lines, {} generated); \
         first difference at line {}:\n  file:      {}\n  generated: {}\n\
         Regenerate it with `{regen}` (from the crate root) and review the diff.",
        file_lines.len(),
        gen_lines.len(),
        at + 1,
        file_lines.get(at).copied().unwrap_or("(no line)"),
        gen_lines.get(at).copied().unwrap_or("(no line)"),
    );
}

#[test]
fn oid_table_is_current() {
    if !common::have_peer("python3") {
        return;
    }
    check_current("admin/gen_oid_table.py", "src/x509/oid_table.rs");
}

#[test]
fn cipher_catalog_rows_are_current() {
    if !common::have_peer("python3") || !common::have_peer("openssl") {
        return;
    }
    check_current("admin/gen_cipher_catalog.py", "src/ciphers/catalog_rows.rs");
}
