//! `plumlogs sync`: the built binary against an emulator on the system clock.

use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        calls_per_day: 20,
        ..Default::default()
    })
    .unwrap()
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

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("plumlogs-cli-sync-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn sync_then_resync_then_status() {
    let emu = emulator();
    let dir = tempdir("basic");
    let args = [
        "sync",
        s(&dir),
        "--tables",
        "sessions,calls",
        "--since",
        "1d",
        "--seal-lag",
        "0",
        "--json",
    ];
    let first = run(cli(&emu), &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let r = json(&first);
    // Yesterday and today, for sessions and calls (calls: the days it keeps are
    // widened by nothing here, --since 1d is inside them).
    assert_eq!(r["days_written"], 4, "{r}");
    assert_eq!(r["gaps"].as_array().unwrap().len(), 0);
    assert!(r["records"].as_u64().unwrap() > 0);
    assert!(dir.join("sessions").is_dir() && dir.join("calls").is_dir());

    // Again: yesterday is sealed, only today is fetched; the summary goes to stderr.
    let again = run(cli(&emu), &args[..args.len() - 1]);
    assert!(again.status.success());
    let summary = String::from_utf8_lossy(&again.stderr);
    assert!(summary.contains("2 day files written"), "{summary}");
    assert!(summary.contains("2 already sealed"), "{summary}");
    assert!(summary.contains("gaps: 0"), "{summary}");

    let st = run(cli(&emu), &["sync", s(&dir), "--status", "--json"]);
    assert!(st.status.success());
    let st = json(&st);
    let tables: Vec<_> = st["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tables, ["sessions", "calls"]);
    assert_eq!(st["tables"][0]["sealed"], 1);
    let text = run(cli(&emu), &["sync", s(&dir), "--status"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("gaps: none"));
}

#[test]
fn bad_arguments_exit_2_and_a_second_sync_exits_1_saying_why() {
    let emu = emulator();
    let dir = tempdir("args");
    for bad in [
        vec!["sync", s(&dir), "--concurrency", "0"],
        vec!["sync", s(&dir), "--concurrency", "65"],
        vec!["sync", s(&dir), "--seal-lag", "-5"],
        vec!["sync", s(&dir), "--log-settle", "-1"],
        vec!["sync", s(&dir), "--log-settle", "259201"],
        vec!["sync", s(&dir), "--seal-lag", "600", "--log-settle", "601"],
        vec!["sync", s(&dir), "--tables", "bogus"],
    ] {
        let o = run(cli(&emu), &bad);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // A settle time beyond the seal lag: the message names both.
    let o = run(
        cli(&emu),
        &["sync", s(&dir), "--seal-lag", "600", "--log-settle", "601"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("log_settle_seconds") && err.contains("seal_lag_seconds (600)"),
        "{err}"
    );
    assert!(emu.requests().is_empty(), "a refused run sends nothing");
    // A slow first run holds the lock while the second starts.
    emu.inject(Fault::times(FaultKind::Slow { delay_ms: 200 }, 50));
    let mut first = cli(&emu)
        .args(["sync", s(&dir), "--tables", "sessions", "--since", "3d"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if !emu.requests().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let second = run(cli(&emu), &["sync", s(&dir), "--tables", "sessions"]);
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another plumlogs sync is running"), "{err}");
    assert!(first.wait().unwrap().success());
}
