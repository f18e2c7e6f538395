//! Replays the fuzz corpora and every saved crash input as an ordinary test, so a
//! fixed crash stays fixed without cargo-fuzz or a nightly toolchain.
//! Inputs live in `fuzz/corpus/<target>/` (seeds and minimised corpus) and
//! `fuzz/regressions/<target>/` (inputs that once crashed).

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

#[test]
fn line_corpora_replay_without_panics_and_round_trip() {
    let sessions = inputs("session_line");
    assert!(
        !sessions.is_empty(),
        "the session_line seed corpus is part of the repository"
    );
    for (path, data) in &sessions {
        if let Ok(record) = plumlogs::parse_session_line(data)
            && !record.message().is_some_and(|m| m.contains(['\r', '\n']))
        {
            let line = record.to_string();
            let again = plumlogs::parse_session_line(&line);
            assert_eq!(again.as_ref(), Ok(&record), "{}", path.display());
        }
    }
    for (path, data) in inputs("error_line") {
        if let Ok(record) = plumlogs::parse_error_line(&data)
            && !record.message.contains(['\r', '\n'])
        {
            let line = record.to_string();
            let again = plumlogs::parse_error_line(&line);
            assert_eq!(again.as_ref(), Ok(&record), "{}", path.display());
        }
    }
}

#[test]
fn text_corpora_replay_and_account_for_every_line() {
    for target in ["bulk", "call_log", "session_line", "error_line"] {
        for (path, data) in inputs(target) {
            let lines = plumlogs::bulk::count_non_blank_lines(&data);
            let s = plumlogs::parse_sessions_lenient(&data);
            assert_eq!(
                s.records.len() + s.problems.len(),
                lines,
                "{}",
                path.display()
            );
            let e = plumlogs::parse_errors_lenient(&data);
            assert_eq!(
                e.records.len() + e.problems.len(),
                lines,
                "{}",
                path.display()
            );
            let log = plumlogs::parse_call_log_lenient(&data);
            match plumlogs::parse_call_log(&data) {
                Ok(entries) => assert_eq!(entries, log.records, "{}", path.display()),
                Err(first) => assert_eq!(Some(&first), log.problems.first(), "{}", path.display()),
            }
        }
    }
}
#[test]
fn decode_corpora_replay_without_panics() {
    for target in ["decode_json", "decode_xml"] {
        let inputs = inputs(target);
        assert!(
            !inputs.is_empty(),
            "the {target} seed corpus is part of the repository"
        );
        for (path, data) in inputs {
            for service in [
                plumlogs::Service::Logs,
                plumlogs::Service::Log,
                plumlogs::Service::Sessions,
                plumlogs::Service::Errors,
            ] {
                let _ = plumlogs::decode::decode_response(&data, service);
            }
            // The log unescaped in the body's own buffer: the same page or error.
            assert_eq!(
                plumlogs::decode_log_page_owned(data.clone()),
                plumlogs::decode_log_page(&data),
                "{}",
                path.display()
            );
        }
    }
}
