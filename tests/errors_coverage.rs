//! Every case of errors.json is run by some test (its id appears in that test's
//! source as a string literal) or is listed, with its reason, as not applicable or as a
//! documented divergence.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

fn listed(path: &Path) -> BTreeSet<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    let sections: Vec<&serde_json::Value> = if doc.get("not_applicable").is_some() {
        ["not_applicable", "divergences"]
            .iter()
            .filter_map(|s| doc.get(*s))
            .collect()
    } else {
        vec![&doc]
    };
    for section in sections {
        if let Some(map) = section.as_object() {
            for (id, reason) in map {
                assert!(
                    reason.as_str().is_some_and(|r| !r.is_empty()),
                    "{id} has no reason"
                );
                out.insert(id.clone());
            }
        }
    }
    out
}

#[test]
fn every_errors_json_case_is_run_or_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = String::new();
    for entry in std::fs::read_dir(root.join("tests")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.extension().is_some_and(|e| e == "rs") && name != "errors_coverage.rs" {
            sources.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut listed_ids = BTreeSet::new();
    for file in [
        "tests/data/errors/not_applicable.json",
        "tests/data/pki/not_applicable.json",
        "tests/data/conn/errors_not_applicable.json",
    ] {
        let path = root.join(file);
        if path.exists() {
            listed_ids.extend(listed(&path));
        }
    }
    let doc = common::conformance("errors.json");
    let ids: Vec<String> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut uncovered = Vec::new();
    let mut run = 0;
    for id in &ids {
        let in_test = sources.contains(&format!("\"{id}\""));
        if in_test {
            run += 1;
        } else if !listed_ids.contains(id) {
            uncovered.push(id.clone());
        }
    }
    for id in &listed_ids {
        assert!(ids.contains(id), "{id} is listed but not in errors.json");
    }
    eprintln!(
        "errors.json: {run} run by tests, {} listed, {} total",
        ids.len() - run,
        ids.len()
    );
    assert!(
        uncovered.is_empty(),
        "neither run nor listed: {uncovered:?}"
    );
}
