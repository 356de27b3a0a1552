//! `docs/COMPATIBILITY.md` and `sslcontext::compat::features()` agree.

#[test]
fn markdown_matches_features() {
    let doc = std::fs::read_to_string("docs/COMPATIBILITY.md").unwrap();
    let table = sslcontext::compat::markdown();
    assert!(
        doc.contains(&table),
        "regenerate the table in docs/COMPATIBILITY.md:\n{table}"
    );
    let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, sslcontext::compat::features().len());
}
