//! kill -9 at many points of a run, then a re-run: the dataset equals an
//! uninterrupted run's, file for file and row for row, with no stray temp files.
//!
//! The child is this test binary itself, re-run with `child_sync` and the run's
//! settings in the environment; a slow fault on every request spreads its run over
//! about a second so that the kills land in every phase (requests, writes, renames,
//! state saves).

mod common;

use common::*;
use plumlogs_archive::{SyncOptions, Table, sync};
use plumlogs_emulator::{Fault, FaultKind};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Instant;

/// Kills at offsets spread over 0–90 % of an uninterrupted run; at least
/// [`MUST_LAND`] of them must land before the child finished (the machine's speed
/// varies from run to run).
const KILLS: u32 = 30;
const MUST_LAND: u32 = 20;

fn options() -> SyncOptions {
    SyncOptions {
        tables: Table::ALL.to_vec(),
        since: Some(T - 2 * DAY),
        concurrency: 2,
        ..SyncOptions::default()
    }
}

/// Run by the parent as a child process only (ignored otherwise).
#[test]
#[ignore = "the child process of kill_nine_at_many_points_then_rerun_converges"]
fn child_sync() {
    let (Ok(url), Ok(dir)) = (
        std::env::var("ARCHIVE_CHILD_URL"),
        std::env::var("ARCHIVE_CHILD_DIR"),
    ) else {
        return;
    };
    let client = client_for(&url, Arc::new(AtomicI64::new(T)));
    sync(Path::new(&dir), &client, &options()).unwrap();
}

fn spawn(url: &str, dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_sync", "--quiet"])
        .env("ARCHIVE_CHILD_URL", url)
        .env("ARCHIVE_CHILD_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn kill_nine_at_many_points_then_rerun_converges() {
    let env = Env::new(8, T);
    let slow = || {
        env.emu.clear_faults();
        env.emu
            .inject(Fault::times(FaultKind::Slow { delay_ms: 25 }, 1_000_000));
    };
    // The uninterrupted run, as a child too, timed.
    let reference = tempdir("kill-ref");
    slow();
    let started = Instant::now();
    let status = spawn(env.emu.base_url(), &reference).wait().unwrap();
    let full = started.elapsed();
    assert!(status.success(), "the uninterrupted child failed");
    let want = files(&reference);
    let want_rows = tables(&reference);
    assert!(want.len() > 10);

    // Independent runs, each killed at its own offset across the whole run.
    let mut interrupted = 0;
    for i in 1..=KILLS {
        let dir = tempdir("kill");
        slow();
        let mut child = spawn(env.emu.base_url(), &dir);
        std::thread::sleep(full * 9 * i / (10 * KILLS));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        interrupted += !finished as u32;
        // Whatever is visible after the kill is whole: every data file reads back.
        tables(&dir);
        env.emu.clear_faults();
        let report = sync(&dir, &env.client(), &options()).unwrap();
        assert!(report.gaps.is_empty());
        assert_eq!(
            files(&dir),
            want,
            "kill {i}: the dataset differs byte for byte"
        );
        assert_eq!(tables(&dir), want_rows, "kill {i}: the rows differ");
        assert_clean_and_readable(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        interrupted >= MUST_LAND,
        "only {interrupted} of {KILLS} kills landed mid-run"
    );

    // One directory killed again and again at growing offsets, then finished.
    let dir = tempdir("kill-chain");
    for i in 1..=6 {
        slow();
        let mut child = spawn(env.emu.base_url(), &dir);
        std::thread::sleep(full * i / 8);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    env.emu.clear_faults();
    sync(&dir, &env.client(), &options()).unwrap();
    assert_eq!(files(&dir), want);
}
