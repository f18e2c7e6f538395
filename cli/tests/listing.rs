//! The CLI against a loopback server playing answers the emulator does not give: a
//! `success` carrying an `error` text (one stderr warning line, control characters
//! escaped, exit 0) and a listing the server leaves short (exit 1, no silent
//! success).

use std::process::{Command, Output, Stdio};

const LINE: &str = r"inbound 7185551234 3 [03\/Nov\/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";

#[path = "../../core/tests/loopback/mod.rs"]
mod loopback;

/// Serves `body(offset)` with 200 to at most `max` requests; returns the base URL.
fn serve(max: usize, body: impl Fn(usize) -> String + Send + 'static) -> String {
    loopback::serve(max, move |a| (200, body(a.offset).into_bytes())).0
}

fn run(base: &str) -> Output {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (from, to) = ((now - 7200).to_string(), (now - 3600).to_string());
    Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .env("PLUM_BASE_URL", base)
        .env("PLUM_USERNAME", "u")
        .env("PLUM_PASSWORD", "p")
        .stdin(Stdio::null())
        .args([
            "sessions",
            "--from",
            &from,
            "--to",
            &to,
            "--max-retries",
            "1",
            "-o",
            "jsonl",
        ])
        .output()
        .expect("run plumlogs")
}

#[test]
fn a_success_with_an_error_text_is_one_escaped_warning_line() {
    let base = serve(4, |_| {
        format!(
            r#"{{"status":"success","error":"partial results: database timeout\u001b[2J","result":{{"total_sessions":1,"sessions":["{LINE}"]}}}}"#
        )
    });
    let out = run(&base);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [r"warning: server said: partial results: database timeout\u{1b}[2J"],
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'));
}

#[test]
fn a_listing_left_short_exits_1_saying_what_is_missing() {
    let base = serve(8, |offset| {
        let items = if offset == 0 {
            format!(r#""{LINE}""#)
        } else {
            String::new()
        };
        format!(
            r#"{{"status":"success","error":"","result":{{"total_sessions":100,"sessions":[{items}]}}}}"#
        )
    });
    let out = run(&base);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("server reported 100, sent 1; offset 1 came back empty"),
        "{stderr}"
    );
    // What arrived is still written out.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
