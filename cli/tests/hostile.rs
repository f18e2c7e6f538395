//! What reaches the terminal from the network is escaped and bounded, stderr is
//! written in whole lines, and `-o table` does not hold a whole pull.

mod common;
use common::*;
use plumlogs::encode::encode_failure;
use plumlogs::{Service, Wire};

fn against(url: &str) -> std::process::Command {
    let mut c = bin();
    c.env("PLUM_BASE_URL", url)
        .env("PLUM_USERNAME", "u@example.test")
        .env("PLUM_PASSWORD", "pw");
    c
}

#[test]
fn control_characters_from_the_server_are_escaped_on_stderr() {
    let evil = "boom \u{1b}[2J\u{1b}]0;pwned\u{7} \r overwritten";
    let url = fake_server(400, encode_failure(Wire::Json, Service::Errors, evil), 10);
    let out = run(
        against(&url),
        &["errors", "--from", "1h", "--max-retries", "0"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for raw in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!err.contains(raw), "{raw:?} reached stderr raw: {err:?}");
    }
    assert!(
        err.contains(r"boom \u{1b}[2J\u{1b}]0;pwned\u{7} \r overwritten"),
        "{err}"
    );
    assert_eq!(err.lines().count(), err.trim_end().lines().count());
}

#[test]
fn a_huge_server_message_is_bounded_on_stderr() {
    let huge = "x".repeat(2_000_000);
    let url = fake_server(400, encode_failure(Wire::Json, Service::Errors, &huge), 10);
    let out = run(
        against(&url),
        &["errors", "--from", "1h", "--max-retries", "0"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.len() < 10_000, "{} bytes of stderr", err.len());
    assert!(
        err.contains("bytes)"),
        "says it was cut: {}",
        &err[err.len() - 100..]
    );
}

#[test]
fn a_huge_bad_line_gives_a_bounded_report() {
    // 8 MB of NULs (the 300 MB case took minutes and wrote 465 MB to stderr).
    let nuls = vec![0u8; 8 << 20];
    let mut c = bin();
    c.args(["parse", "sessions", "-o", "jsonl"])
        .stdin(std::process::Stdio::piped());
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&nuls);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.len() < 2_000, "{} bytes of stderr", err.len());
    assert!(err.contains("<stdin>:1:"), "{err}");
    assert!(err.contains("(8388608 bytes)"), "{err}");
}

#[test]
fn table_rows_reach_the_reader_before_the_pull_ends() {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};
    let emu = emulator(3000);
    let mut child = slow_sessions_pull(&emu, 400, 100, "table");
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let started = Instant::now();
    let mut header = String::new();
    stdout.read_line(&mut header).unwrap();
    assert!(header.starts_with("kind "), "{header:?}");
    let mut rows = 0;
    let mut line = String::new();
    while rows < 600 && started.elapsed() < Duration::from_secs(60) {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        rows += 1;
    }
    assert_eq!(rows, 600, "rows printed as they arrive");
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the pull is still going"
    );
    let fetched = emu
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/ws/calls/sessions"))
        .count();
    assert!(fetched < 20, "{fetched} pages fetched of the day's ~60");
}
