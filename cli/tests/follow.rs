//! `--follow` and `--concurrency` end to end: the binary against the emulator.

mod common;

use common::*;
use plumlogs::client::{Client, Query};
use plumlogs_emulator::{Fault, FaultKind};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn client(emu: &plumlogs_emulator::Emulator) -> Client {
    let now = emu.now();
    Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .clock(move || now)
        .build()
        .unwrap()
}

#[test]
fn errors_follow_prints_each_line_once_notes_a_failed_poll_and_ends_on_ctrl_c() {
    let emu = emulator(2000);
    // Most of a day back, so the window holds errors at any hour (a night's few
    // hours may have none).
    let since = emu.now() - 20 * 3600;
    let expect: Vec<String> = client(&emu)
        .errors(&Query::new(since, emu.now() + 1))
        .unwrap()
        .map(|r| serde_json::to_string(&r.unwrap()).unwrap())
        .collect();
    assert!(!expect.is_empty());
    // The first poll fails (no retries), the next one after the backoff succeeds.
    emu.inject(Fault::once(FaultKind::Status {
        status: 503,
        retry_after: None,
    }));
    let mut c = cli(&emu);
    c.args(["errors", "--follow", "--from", &since.to_string()])
        .args([
            "--interval",
            "0.05",
            "--lookback",
            "21h",
            "--max-retries",
            "0",
        ])
        .args(["-o", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Reap(c.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.len() < expect.len() && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            got.push(line);
        }
    }
    // Several more polls: nothing is printed twice.
    std::thread::sleep(Duration::from_millis(600));
    while let Ok(line) = rx.try_recv() {
        got.push(line);
    }
    let polls = emu
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/ws/calls/errors/"))
        .count();
    assert!(polls >= 4, "{polls} polls");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.0.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    let code = child.0.wait().unwrap().code();
    assert_eq!(got, expect, "each line once, in order");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("poll failed (1 in a row)"), "{stderr}");
    assert!(stderr.contains("503"), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted after {} records", expect.len())),
        "{stderr}"
    );
}

#[test]
fn a_long_window_is_split_by_default_and_prints_what_one_serial_walk_prints() {
    let emu = emulator(300);
    let (from, to) = ((emu.now() - 4 * 86_400).to_string(), emu.now().to_string());
    let args = [
        "sessions",
        "--from",
        &from,
        "--to",
        &to,
        "-o",
        "jsonl",
        "--page-size",
        "200",
    ];
    emu.clear_requests();
    let serial = run(cli(&emu), &[&args[..], &["--concurrency", "1"]].concat());
    assert!(serial.status.success(), "{}", text(&serial.stderr));
    let serial_paths: std::collections::BTreeSet<String> =
        emu.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(serial_paths.len(), 1);
    emu.clear_requests();
    let split = run(cli(&emu), &args);
    assert!(split.status.success(), "{}", text(&split.stderr));
    let split_paths: std::collections::BTreeSet<String> =
        emu.requests().into_iter().map(|r| r.path).collect();
    assert!(split_paths.len() >= 4, "{split_paths:?}");
    assert!(serial.stdout.len() > 10_000);
    assert!(split.stdout == serial.stdout, "the same bytes");

    let bad = run(cli(&emu), &[&args[..], &["--concurrency", "0"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("concurrency"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn follow_refuses_what_it_cannot_do() {
    let emu = emulator(10);
    for (args, word) in [
        (&["calls", "--follow"][..], "only `sessions` and `errors`"),
        (&["errors", "--follow", "--to", "now"][..], "--to"),
        (&["errors", "--follow", "--limit", "5"][..], "--limit"),
        (&["errors", "--interval", "5"][..], "--follow"),
        (&["errors", "--follow", "--interval", "0"][..], "interval"),
        (
            &["sessions", "--follow", "--lookback", "now"][..],
            "--lookback",
        ),
    ] {
        let out = run(cli(&emu), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(word),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
