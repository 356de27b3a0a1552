//! `docs/INTEROP.md` names the test of each cell of the GnuTLS / tlslite-ng matrix:
//! every test it names exists, and every test of those matrices is in the table.

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The `#[test]` functions of a test file.
fn tests_in(rel: &str) -> BTreeSet<String> {
    let text = read(rel);
    let mut out = BTreeSet::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[test]" {
            let next = lines.next().unwrap_or_default().trim();
            let name = next
                .strip_prefix("fn ")
                .and_then(|r| r.split('(').next())
                .unwrap_or_else(|| panic!("{rel}: #[test] before {next:?}"));
            out.insert(name.to_string());
        }
    }
    out
}

#[test]
fn table_names_every_matrix_test() {
    let doc = read("docs/INTEROP.md");
    let rows: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Feature"))
        .collect();
    assert_eq!(rows.len(), 10, "feature rows");
    let mut named = BTreeSet::new();
    for row in &rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | feature | 4 cells |
        assert_eq!(cells.len(), 7, "{row}");
        for cell in &cells[2..6] {
            assert!(
                ["pass", "divergence", "n/a"]
                    .iter()
                    .any(|k| cell.starts_with(k)),
                "a cell is `pass ...`, `divergence ...` or `n/a, reason`: {cell}"
            );
            let names: Vec<&str> = cell
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|n| n.starts_with("gnutls_") || n.starts_with("tlslite_"))
                .collect();
            assert!(
                cell.starts_with("n/a") || names.len() == 1,
                "a cell that is not n/a names its test: {cell}"
            );
            named.extend(names.into_iter().map(str::to_string));
        }
    }
    let mut tests = tests_in("tests/interop_gnutls.rs");
    tests.extend(tests_in("tests/interop_tlslite.rs"));
    assert_eq!(named, tests, "docs/INTEROP.md vs the tests");
    assert_eq!(tests.len(), 36);
}
