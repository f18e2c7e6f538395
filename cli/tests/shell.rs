//! An ops person at a shell: Ctrl-C in a long pull, time formats and chosen columns,
//! raw lines, `parse` of what the CLI writes, messages, usage lines, completions and
//! the man page. The binary runs against an emulator in this process.

mod common;
use common::*;
use plumlogs::client::{Client, Query};
use plumlogs_emulator::{Emulator, Fault, FaultKind};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .username(emu.username())
        .password(emu.password())
        .build()
        .unwrap()
}

fn session_requests(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.path.starts_with("/ws/calls/sessions"))
        .count()
}

#[test]
fn ctrl_c_finishes_the_record_closes_the_json_and_exits_130() {
    let emu = emulator(2000);
    let child = slow_sessions_pull(&emu, 300, 20, "json");
    let waited = Instant::now();
    while session_requests(&emu) < 4 {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the pull did not get going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = child;
    let waited = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            waited.elapsed() < Duration::from_secs(20),
            "no exit after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.0.wait_with_output_after_exit();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let array: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("the JSON array is closed");
    assert!(array.len() >= 20, "{} records", array.len());
    assert!(array.len() < 2000 * 3, "it stopped early: {}", array.len());
    let err = text(&out.stderr);
    let want = format!(
        "plumlogs: interrupted after {} records (window {} to {})",
        array.len(),
        plumlogs::timearg::iso_utc(emu.now() - 86_400),
        plumlogs::timearg::iso_utc(emu.now())
    );
    assert!(err.contains(&want), "{err:?} lacks {want:?}");
    // What was written is the listing's beginning: nothing lost, nothing doubled.
    emu.clear_faults();
    let q = Query::new(emu.now() - 86_400, emu.now()).limit(array.len() as u64);
    let expected: Vec<serde_json::Value> = client(&emu)
        .sessions(&q)
        .unwrap()
        .map(|r| serde_json::to_value(r.unwrap()).unwrap())
        .collect();
    assert_eq!(array, expected);
}

/// `wait_with_output` for a child already reaped by `try_wait`.
trait AfterExit {
    fn wait_with_output_after_exit(&mut self) -> std::process::Output;
}
impl AfterExit for std::process::Child {
    fn wait_with_output_after_exit(&mut self) -> std::process::Output {
        use std::io::Read;
        let status = self.wait().unwrap();
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        self.stdout
            .take()
            .unwrap()
            .read_to_end(&mut stdout)
            .unwrap();
        self.stderr
            .take()
            .unwrap()
            .read_to_end(&mut stderr)
            .unwrap();
        std::process::Output {
            status,
            stdout,
            stderr,
        }
    }
}

#[test]
fn time_format_and_fields_shape_table_and_csv() {
    let emu = emulator(100);
    let (from, to) = day(&emu);
    let w = ["--from", from.as_str(), "--to", to.as_str()];
    let records: Vec<serde_json::Value> = text(
        &run(
            cli(&emu),
            &[&["sessions"][..], &w, &["-o", "jsonl"]].concat(),
        )
        .stdout,
    )
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    let call = records
        .iter()
        .find(|r| r["call_start"].is_i64())
        .expect("a call line");
    let start = call["call_start"].as_i64().unwrap();
    let sid = call["session_id"].as_str().unwrap();

    // csv: UNIX seconds by default (the canonical values), ISO when asked.
    let fields = ["--fields", "session_id,call_start"];
    for (tf, shown) in [
        (None, start.to_string()),
        (Some("unix"), start.to_string()),
        (Some("iso"), plumlogs::timearg::iso_utc(start)),
    ] {
        let mut args = [&["sessions"][..], &w, &["-o", "csv"], &fields].concat();
        if let Some(tf) = tf {
            args.extend(["--time-format", tf]);
        }
        let out = run(cli(&emu), &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let csv = text(&out.stdout);
        assert_eq!(csv.lines().next(), Some("session_id,call_start"));
        assert_eq!(csv.lines().count(), records.len() + 1);
        assert!(csv.contains(&format!("{sid},{shown}\n")), "{tf:?}: {csv}");
    }
    // table: ISO by default.
    let out = run(
        cli(&emu),
        &[&["sessions"][..], &w, &["-o", "table"], &fields].concat(),
    );
    let table = text(&out.stdout);
    assert!(table.starts_with("session_id"), "{table}");
    assert!(
        table.contains(&plumlogs::timearg::iso_utc(start)),
        "{table}"
    );
    // calls: start/end.
    let out = run(
        cli(&emu),
        &[
            &["calls"][..],
            &w,
            &[
                "-o",
                "csv",
                "--fields",
                "log_id,start,end",
                "--time-format",
                "iso",
            ],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().next(), Some("log_id,start,end"));
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert!(row[1].ends_with('Z') && row[2].ends_with('Z'), "{row:?}");

    // An unknown field names the valid ones, before any request.
    emu.clear_requests();
    let out = run(
        cli(&emu),
        &["sessions", "-o", "csv", "--fields", "session_id,nope"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("unknown field \"nope\""), "{err}");
    assert!(err.contains("kind, ani, channel, timestamp"), "{err}");
    let out = run(cli(&emu), &["errors", "-o", "jsonl", "--fields", "ani"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("table and csv"),
        "{}",
        text(&out.stderr)
    );
    assert!(emu.requests().is_empty(), "no request for bad flags");
}

#[test]
fn raw_lines_are_what_parse_reads_back_and_jsonl_is_refused_clearly() {
    let emu = emulator(100);
    let (from, to) = day(&emu);
    for (cmd, kind) in [("sessions", "sessions"), ("errors", "errors")] {
        let jsonl = run(
            cli(&emu),
            &[cmd, "--from", &from, "--to", &to, "-o", "jsonl"],
        );
        assert_eq!(jsonl.status.code(), Some(0));
        let n = text(&jsonl.stdout).lines().count();
        assert!(n > 0);
        for wire in ["json", "xml"] {
            let raw = run(
                cli(&emu),
                &[
                    cmd,
                    "--from",
                    &from,
                    "--to",
                    &to,
                    "--raw",
                    "--wire",
                    wire,
                    "--page-size",
                    "37",
                ],
            );
            assert_eq!(raw.status.code(), Some(0), "{}", text(&raw.stderr));
            assert_eq!(text(&raw.stdout).lines().count(), n, "{cmd} {wire}");
            assert!(!text(&raw.stdout).starts_with('{'));
            // The lines, parsed by `parse`, are the records `-o jsonl` printed.
            let mut p = bin();
            p.args(["parse", kind, "-o", "jsonl"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = p.spawn().unwrap();
            child.stdin.take().unwrap().write_all(&raw.stdout).unwrap();
            let parsed = child.wait_with_output().unwrap();
            assert_eq!(parsed.status.code(), Some(0), "{}", text(&parsed.stderr));
            assert_eq!(parsed.stdout, jsonl.stdout, "{cmd} {wire}");
        }
        // What `-o jsonl` wrote is JSON: `parse` says so instead of N bad lines.
        let mut p = bin();
        p.args(["parse", kind])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = p.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&jsonl.stdout)
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains("<stdin>:1: this is JSON"), "{err}");
        assert!(err.contains("--raw"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let out = run(cli(&emu), &["calls", "--raw"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("plumlogs log LOG_ID --raw"));
}

#[test]
fn one_attempt_is_one_attempt() {
    let emu = emulator(20);
    emu.inject(Fault::times(FaultKind::Drop, 10));
    let out = run(cli(&emu), &["errors", "--from", "1h", "--max-retries", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("gave up after 1 attempt)"), "{err}");
    emu.clear_faults();
    emu.inject(Fault::times(FaultKind::Drop, 10));
    let out = run(cli(&emu), &["errors", "--from", "1h", "--max-retries", "1"]);
    assert!(
        text(&out.stderr).contains("gave up after 2 attempts)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn usage_lines_show_optional_flags_as_optional() {
    for (args, usage) in [
        (
            &["log", "5", "--raw", "-o", "json"][..],
            "Usage: plumlogs log [OPTIONS] <LOG_ID>",
        ),
        (
            &["sessions", "--raw", "-o", "csv"][..],
            "Usage: plumlogs sessions [--from T] [--to T] [OPTIONS]",
        ),
        (
            &["parse", "sessions", "--nope"][..],
            "Usage: plumlogs parse [OPTIONS] <KIND> [FILE|-]...",
        ),
    ] {
        let out = run(bin(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(usage),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn completions_and_man_pages() {
    for (shell, marker) in [
        ("bash", "_plumlogs()"),
        ("zsh", "#compdef plumlogs"),
        ("fish", "complete -c plumlogs"),
    ] {
        let out = run(bin(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = text(&out.stdout);
        assert!(s.contains(marker), "{shell}: {}", &s[..s.len().min(200)]);
        for word in ["sessions", "time-format", "completions"] {
            assert!(s.contains(word), "{shell} lacks {word}");
        }
    }
    let out = run(bin(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(bin(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(page.contains(".TH plumlogs 1"), "{}", &page[..200]);
    assert!(page.contains("completions"));
    let out = run(bin(), &["man", "sessions"]);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.contains(".TH plumlogs\\-sessions 1") || page.contains(".TH plumlogs-sessions 1"),
        "{}",
        &page[..200]
    );
    assert!(page.contains("time\\-format"), "{page}");
    let out = run(bin(), &["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the subcommands are: sessions"));
}

#[test]
fn parse_takes_fields_and_time_format_too() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/vectors/lines");
    let sessions = dir.join("sessions.txt");
    let s = sessions.to_str().unwrap();
    let out = run(
        bin(),
        &[
            "parse",
            "sessions",
            s,
            "-o",
            "csv",
            "--fields",
            "call_end,kind",
            "--time-format",
            "iso",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("call_end,kind"));
    let bytes = std::fs::read(&sessions).unwrap();
    let records = plumlogs::parse_sessions(&bytes).unwrap();
    assert_eq!(csv.lines().count(), records.len() + 1);
    for (line, rec) in lines.zip(&records) {
        let end = rec
            .call_end()
            .map(plumlogs::timearg::iso_utc)
            .unwrap_or_default();
        assert_eq!(line, format!("{end},{}", rec.kind));
    }
    let out = run(
        bin(),
        &["parse", "calllog", "-", "-o", "table", "--fields", "when"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the fields are: timestamp"),
        "{}",
        text(&out.stderr)
    );
}
