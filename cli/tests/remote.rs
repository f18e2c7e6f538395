//! The built binary against an emulator started in this process: every remote
//! subcommand, every output format, each exit status. What the CLI prints is
//! compared with what the library client returns for the same query.

use plumlogs::client::{Client, Query};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CALLS_PER_DAY: u32 = 300;

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One emulator for the read-only tests; its clock is frozen so every query of a
/// window sees the same data.
fn shared() -> &'static Emulator {
    static EMU: OnceLock<Emulator> = OnceLock::new();
    EMU.get_or_init(|| {
        Emulator::start(EmulatorConfig {
            calls_per_day: CALLS_PER_DAY,
            clock: Some(system_now()),
            ..EmulatorConfig::default()
        })
        .expect("start the emulator")
    })
}

/// A fresh emulator for tests that inject faults (they must not disturb others).
fn private() -> Emulator {
    Emulator::start(EmulatorConfig {
        calls_per_day: 50,
        clock: Some(system_now()),
        ..EmulatorConfig::default()
    })
    .expect("start the emulator")
}

fn window(emu: &Emulator) -> (String, String) {
    let now = emu.now();
    ((now - 86_400).to_string(), now.to_string())
}

fn cli(emu: &Emulator) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumlogs"));
    c.env("PLUM_BASE_URL", emu.base_url())
        .env("PLUM_USERNAME", emu.username())
        .env("PLUM_PASSWORD", emu.password())
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().expect("run plumlogs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8 output")
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .base_url(emu.base_url())
        .username(emu.username())
        .password(emu.password())
        .build()
        .unwrap()
}

fn jsonl<T: serde::Serialize>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|r| serde_json::to_string(&r).unwrap() + "\n")
        .collect()
}

fn query(emu: &Emulator) -> Query {
    let now = emu.now();
    Query::new(now - 86_400, now)
}

#[test]
fn sessions_errors_calls_jsonl_equal_the_clients_records() {
    let emu = shared();
    let (from, to) = window(emu);
    let c = client(emu);
    let q = query(emu);
    let cases = [
        (
            "sessions",
            jsonl(c.sessions(&q).unwrap().map(Result::unwrap)),
        ),
        ("errors", jsonl(c.errors(&q).unwrap().map(Result::unwrap))),
        ("calls", jsonl(c.call_logs(&q).unwrap().map(Result::unwrap))),
    ];
    for (cmd, expected) in cases {
        assert!(
            expected.lines().count() > 0,
            "{cmd}: the emulator has data for the window"
        );
        // Piped stdout: jsonl is the default.
        let out = run(cli(emu), &[cmd, "--from", &from, "--to", &to]);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected, "{cmd}");
        assert!(
            out.stderr.is_empty(),
            "no progress bar off a terminal: {}",
            text(&out.stderr)
        );
        // XML on the wire gives the same records; a small page size pages more.
        let out = run(
            cli(emu),
            &[
                cmd,
                "--from",
                &from,
                "--to",
                &to,
                "--wire",
                "xml",
                "--page-size",
                "97",
                "-o",
                "jsonl",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{cmd} xml: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), expected, "{cmd} over xml");
    }
}

#[test]
fn every_output_format_carries_the_same_records() {
    let emu = shared();
    let (from, to) = window(emu);
    let base = ["sessions", "--from", from.as_str(), "--to", to.as_str()];
    let lines = text(&run(cli(emu), &[&base[..], &["-o", "jsonl"]].concat()).stdout);
    let records: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!records.is_empty());

    let out = run(cli(emu), &[&base[..], &["-o", "json"]].concat());
    assert_eq!(out.status.code(), Some(0));
    let array: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(array, records);

    let out = run(cli(emu), &[&base[..], &["-o", "csv"]].concat());
    assert_eq!(out.status.code(), Some(0));
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let header = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), records.len());
    let sid = header.iter().position(|h| h == "session_id").unwrap();
    for (row, rec) in rows.iter().zip(&records) {
        assert_eq!(&row[sid], rec["session_id"].as_str().unwrap());
    }

    let out = run(cli(emu), &[&base[..], &["-o", "table"]].concat());
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    assert_eq!(
        t.lines().count(),
        records.len() + 1,
        "a header and one row per record"
    );
    assert!(t.lines().next().unwrap().starts_with("kind "));
    for (line, rec) in t.lines().skip(1).zip(&records) {
        assert!(line.contains(rec["session_id"].as_str().unwrap()));
    }
}

#[test]
fn limit_number_and_time_forms() {
    let emu = shared();
    let (from, to) = window(emu);
    let out = run(
        cli(emu),
        &["calls", "--from", &from, "--to", &to, "--limit", "7"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 7);

    // --number: the same records as the client's filtered query.
    let c = client(emu);
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    let number = first["dest"].as_str().unwrap().to_owned();
    let expected = jsonl(
        c.call_logs(&query(emu).number(number.clone()))
            .unwrap()
            .map(Result::unwrap),
    );
    let out = run(
        cli(emu),
        &["calls", "--from", &from, "--to", &to, "--number", &number],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), expected);
    assert!(!expected.is_empty());

    // ISO 8601 with an offset and Z name the same instants as UNIX seconds.
    let iso = |unix: i64, off: i16| plumlogs::Timestamp::from_unix(unix, off).to_string();
    let now = emu.now();
    let by_unix = run(cli(emu), &["errors", "--from", &from, "--to", &to]);
    let by_iso = run(
        cli(emu),
        &[
            "errors",
            "--from",
            &iso(now - 86_400, -300),
            "--to",
            &iso(now, 0).replace("+00:00", "Z"),
        ],
    );
    assert_eq!(by_iso.status.code(), Some(0), "{}", text(&by_iso.stderr));
    assert_eq!(by_iso.stdout, by_unix.stdout);

    // Spans back from now, and the defaults (--from 24h --to now), run against the
    // system clock: they succeed and print canonical records.
    for args in [
        &["sessions", "--from", "90m", "--to", "now"][..],
        &["errors"][..],
    ] {
        let out = run(cli(emu), args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        for line in text(&out.stdout).lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }
}

#[test]
fn log_prints_entries_or_the_raw_text() {
    let emu = shared();
    let c = client(emu);
    let summary = c.call_logs(&query(emu)).unwrap().next().unwrap().unwrap();
    let log = c.call_log(summary.log_id).unwrap();
    assert!(!log.entries().is_empty());
    let id = summary.log_id.to_string();

    let out = run(cli(emu), &["log", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), jsonl(log.entries()));

    let out = run(cli(emu), &["log", &id, "--wire", "xml", "-o", "json"]);
    let array: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(array.len(), log.entries().len());

    let out = run(cli(emu), &["log", &id, "-o", "csv"]);
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    assert_eq!(rd.records().count(), log.entries().len());

    let out = run(cli(emu), &["log", &id, "-o", "table"]);
    assert_eq!(text(&out.stdout).lines().count(), log.entries().len() + 1);

    let out = run(cli(emu), &["log", &id, "--raw"]);
    assert_eq!(out.status.code(), Some(0));
    let raw = text(&out.stdout);
    assert_eq!(
        raw.trim_end_matches('\n'),
        log.text().trim_end_matches('\n')
    );
}

#[test]
fn password_from_stdin() {
    let emu = shared();
    let (from, to) = window(emu);
    let mut c = cli(emu);
    c.env_remove("PLUM_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c
        .args(["errors", "--from", &from, "--to", &to, "--password-stdin"])
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", emu.password()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
}

#[test]
fn base_url_flag_overrides_the_environment() {
    let emu = shared();
    let (from, to) = window(emu);
    let dead = private();
    let dead_url = dead.base_url().to_owned();
    dead.stop();
    let mut c = cli(emu);
    c.env("PLUM_BASE_URL", &dead_url);
    let out = run(
        c,
        &[
            "errors",
            "--from",
            &from,
            "--to",
            &to,
            "--base-url",
            emu.base_url(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty());
}

#[test]
fn missing_credentials_and_bad_arguments_exit_2() {
    let emu = shared();
    let (from, to) = window(emu);
    let mut c = cli(emu);
    c.env_remove("PLUM_USERNAME").env_remove("PLUM_PASSWORD");
    let out = run(c, &["sessions", "--from", &from, "--to", &to]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("missing credentials")
            && err.contains("PLUM_USERNAME")
            && err.contains("PLUM_PASSWORD"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    for (args, says) in [
        (
            vec!["sessions", "--from", "yesterday"],
            "cannot read \"yesterday\"",
        ),
        (
            vec!["sessions", "--from", "2026-11-26T10:00:00"],
            "no UTC offset",
        ),
        (vec!["errors", "--from", "5y"], "unknown unit"),
        (
            vec!["calls", "--wire", "yaml"],
            "possible values: json, xml",
        ),
        (vec!["log", "not-a-number"], "invalid digit"),
        (
            vec!["sessions", "--timeout", "0"],
            "invalid argument --timeout: must be more than 0 and at most 86400 seconds, got 0",
        ),
        (
            vec!["sessions", "--deadline", "0"],
            "invalid argument --deadline: must be more than 0",
        ),
        // Out of range: the core's InvalidArgument, never a panic (issue 12).
        (
            vec!["sessions", "--timeout", "1e300"],
            "invalid argument --timeout: must be more than 0 and at most 86400 seconds, got 1e300",
        ),
        (
            vec!["sessions", "--deadline", "1e20"],
            "invalid argument --deadline: must be more than 0 and at most 604800 seconds, got 1e20",
        ),
        (
            vec!["sessions", "--timeout", "soon"],
            "--timeout must be a number of seconds",
        ),
    ] {
        let out = run(cli(emu), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }

    // A window that ends before it starts is bad usage too, before any request.
    emu.clear_requests();
    let out = run(cli(emu), &["sessions", "--from", &to, "--to", &from]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--to: the window ends"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn api_and_transport_failures_exit_1() {
    let emu = private();
    let (from, to) = window(&emu);

    let mut c = cli(&emu);
    c.env("PLUM_PASSWORD", "wrong");
    let out = run(c, &["sessions", "--from", &from, "--to", &to]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("authentication failed"),
        "{}",
        text(&out.stderr)
    );

    emu.inject(Fault {
        kind: FaultKind::Status {
            status: 500,
            retry_after: None,
        },
        count: 10,
        path_prefix: None,
    });
    let out = run(
        cli(&emu),
        &["errors", "--from", &from, "--to", &to, "--max-retries", "0"],
    );
    emu.clear_faults();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("plumlogs: "),
        "{}",
        text(&out.stderr)
    );

    emu.inject(Fault {
        kind: FaultKind::Malformed,
        count: 10,
        path_prefix: None,
    });
    let out = run(
        cli(&emu),
        &["calls", "--from", &from, "--to", &to, "--max-retries", "0"],
    );
    emu.clear_faults();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    // Nothing listens there any more.
    let dead = private();
    let url = dead.base_url().to_owned();
    dead.stop();
    let mut c = cli(&emu);
    c.env("PLUM_BASE_URL", &url);
    let out = run(
        c,
        &[
            "sessions",
            "--from",
            &from,
            "--to",
            &to,
            "--max-retries",
            "0",
            "--timeout",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).is_empty());

    // A failing pull still leaves well-formed output (whatever arrived, in a closed
    // JSON array, or nothing when the first request failed), then the error, exit 1.
    emu.inject(Fault {
        kind: FaultKind::Status {
            status: 503,
            retry_after: None,
        },
        count: 10,
        path_prefix: Some("/ws/calls/sessions".into()),
    });
    let out = run(
        cli(&emu),
        &[
            "sessions",
            "--from",
            &from,
            "--to",
            &to,
            "--max-retries",
            "0",
            "-o",
            "json",
        ],
    );
    emu.clear_faults();
    assert_eq!(out.status.code(), Some(1));
    if !out.stdout.is_empty() {
        let array: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("valid JSON even on failure");
        assert!(array.is_empty(), "every sessions request failed: {array:?}");
    }
    assert!(text(&out.stderr).contains("503"), "{}", text(&out.stderr));
}

/// Kill a child we started if a test assertion fails before it is reaped.
struct Reap(std::process::Child);
impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn emulator_subcommand_prints_its_url_serves_and_stops_on_sigterm() {
    emulator_subcommand_until("-TERM");
}

#[test]
fn emulator_subcommand_stops_on_ctrl_c() {
    emulator_subcommand_until("-INT");
}

fn emulator_subcommand_until(signal: &str) {
    let child = Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .args([
            "emulator",
            "--port",
            "0",
            "--seed",
            "11",
            "--calls-per-day",
            "100",
            "--username",
            "u@example.test",
            "--password",
            "p w",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Reap(child);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut banner = String::new();
    let mut base_url = None;
    let deadline = Instant::now() + Duration::from_secs(20);
    while base_url.is_none() && Instant::now() < deadline {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        banner.push_str(&line);
        base_url = line
            .trim()
            .strip_prefix("export PLUM_BASE_URL=")
            .map(str::to_owned);
    }
    let base_url = base_url.unwrap_or_else(|| panic!("no PLUM_BASE_URL line in {banner:?}"));
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let mut rest = String::new();
    for _ in 0..2 {
        stdout.read_line(&mut rest).unwrap();
    }
    assert!(
        rest.contains("export PLUM_USERNAME=u@example.test"),
        "{rest}"
    );
    assert!(rest.contains("export PLUM_PASSWORD='p w'"), "{rest}");

    let now = system_now();
    let out = Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .args([
            "sessions",
            "--from",
            &(now - 3600).to_string(),
            "--to",
            &now.to_string(),
            "-o",
            "jsonl",
        ])
        .env("PLUM_BASE_URL", &base_url)
        .env("PLUM_USERNAME", "u@example.test")
        .env("PLUM_PASSWORD", "p w")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let status = Command::new("kill")
        .args([signal, &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the emulator did not stop on {signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code.code(), Some(0));
    let mut err = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("stopped"), "{err}");
    // The port is free again: nothing is left serving.
    let addr = base_url.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
}

#[test]
fn emulator_on_a_busy_port_exits_1() {
    let emu = shared();
    let port = emu.base_url().rsplit(':').next().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .args(["emulator", "--port", port])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot start the emulator"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn demo_prints_its_report() {
    let out = Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .args(["demo", "--calls-per-day", "400"])
        .env_remove("PLUM_BASE_URL")
        .env_remove("PLUM_USERNAME")
        .env_remove("PLUM_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = text(&out.stdout);
    for section in [
        "Calls by kind",
        "Total talk time",
        "Calls per hour of day",
        "Most frequent errors",
        "log_id",
    ] {
        assert!(r.contains(section), "{section} missing from:\n{r}");
    }
    assert!(r.contains("inbound"), "{r}");
    assert!(r.contains('█'), "a bar chart: {r}");
    // The sample log is the emulator's text: its lines are call-log entries.
    let entry_lines = r
        .lines()
        .filter(|l| plumlogs::parse_call_log_line(l.trim_start()).is_ok())
        .count();
    assert!(entry_lines > 0, "{r}");
}

#[test]
fn emulator_with_a_bad_setting_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_plumlogs"))
        .args(["emulator", "--username", "a:b"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("must not contain ':'"),
        "{}",
        text(&out.stderr)
    );
}
