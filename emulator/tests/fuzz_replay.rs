//! Replays the `emulator_request` fuzz corpus and every saved crash input through
//! the same reader the fuzz target drives, so a fixed crash stays fixed without
//! cargo-fuzz or a nightly toolchain. Inputs live in `fuzz/corpus/emulator_request/`
//! and `fuzz/regressions/emulator_request/`.

use plumlogs_emulator::fuzzing::read_requests;
use std::path::Path;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join("emulator_request")) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_request_corpus_replays_without_panics() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 5,
        "the emulator_request seed corpus is part of the repository"
    );
    for (name, data) in &inputs {
        let results = read_requests(data);
        if let Some(i) = results.iter().position(|r| r.is_err()) {
            assert_eq!(i, results.len() - 1, "{name}: {results:?}");
        }
        // What the seeds are known to hold.
        let want: Option<Vec<Result<usize, u16>>> = match name.as_str() {
            "get-sessions" | "bare-lf-head" => Some(vec![Ok(0)]),
            "post-content-length" => Some(vec![Ok(46)]),
            "chunked-then-pipelined" => Some(vec![Ok(25), Ok(0)]),
            "chunk-size-overflow" => Some(vec![Err(400)]),
            _ => None,
        };
        if let Some(want) = want {
            assert_eq!(results, want, "{name}");
        }
    }
}
