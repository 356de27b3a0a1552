//! Replays every saved fuzz input (`tests/data/fuzz/<target>/*`) through the same code
//! the cargo-fuzz targets run (`fuzz/src/lib.rs`, included here), without libFuzzer.
//! `.ci/fuzz.sh` copies each crash it finds into that folder.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

#[test]
fn every_saved_fuzz_input_replays_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut replayed = 0usize;
    let mut per_target = Vec::new();
    for target in targets::TARGETS {
        let dir = root.join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{dir:?} holds no input");
        for file in &files {
            let data = std::fs::read(file).unwrap();
            let outcome = std::panic::catch_unwind(|| targets::run_target(target, &data));
            match outcome {
                Ok(known) => assert!(known, "unknown target {target}"),
                Err(_) => panic!("{target}: {file:?} panics"),
            }
            replayed += 1;
        }
        per_target.push((target, files.len()));
    }
    // Every cargo-fuzz target is replayed here (a target missing from TARGETS would
    // have its saved crashes silently skipped).
    let fuzz_targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for entry in std::fs::read_dir(&fuzz_targets).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            targets::TARGETS.contains(&stem.as_str()),
            "fuzz target {stem} is not in fuzz/src/lib.rs TARGETS"
        );
    }
    // Every folder belongs to a target (a typo would silently skip its inputs).
    for entry in std::fs::read_dir(&root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            targets::TARGETS.contains(&name.as_str()),
            "unknown folder {name}"
        );
    }
    println!("replayed {replayed} inputs: {per_target:?}");
}

#[test]
fn unknown_target_is_refused() {
    assert!(!targets::run_target("no_such_target", b""));
}
