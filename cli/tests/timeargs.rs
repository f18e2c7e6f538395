//! `--from`/`--to` through core's time arguments: every form, and every mistake
//! refused with a hint (exit 2, before any request) instead of an empty answer.

mod common;
use common::*;

#[test]
fn mistakes_are_refused_with_a_hint_and_never_panic() {
    let emu = emulator(50);
    let now = emu.now();
    let future = (now + 86_400).to_string();
    let future_end = (now + 2 * 86_400).to_string();
    let ms = (now * 1000).to_string();
    for (args, says) in [
        (vec!["sessions", "--from", "é"], "cannot read \"é\""),
        (vec!["sessions", "--from", "5é"], "unknown unit \"é\""),
        (vec!["errors", "--to", "2026-11-0é"], "character 9"),
        (vec!["sessions", "--from", "24"], "did you mean 24h?"),
        (vec!["sessions", "--from", &ms], "looks like milliseconds"),
        (
            vec!["errors", "--from", &future, "--to", &future_end],
            "--from: the window starts in the future",
        ),
        (vec!["errors", "--from", "now", "--to", "2h"], "swapped"),
        (vec!["calls", "--from", "1h", "--to", "max"], "not an end"),
        (vec!["emulator", "--clock", "max"], "--clock"),
    ] {
        let out = run(cli(&emu), &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn max_is_as_far_back_as_the_service_keeps() {
    let emu = emulator(20);
    // Exactly 5 days is refused by the server a moment later; `max` is accepted.
    let out = run(cli(&emu), &["calls", "--from", "max", "-o", "jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let calls: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!calls.is_empty());
    // The earliest start asked for (a long window is fetched in day-long pieces).
    let start: i64 = emu
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/ws/calls/logs/"))
        .map(|r| r.path.split('/').nth(4).unwrap().parse().unwrap())
        .min()
        .expect("a calls/logs request");
    let oldest = emu.now() - 5 * 86_400;
    assert!(
        start >= oldest && start <= oldest + 900,
        "start {start}, service keeps from {oldest}"
    );
    // sessions keep a year.
    let out = run(
        cli(&emu),
        &["sessions", "--from", "max", "--limit", "3", "-o", "jsonl"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 3);
}

#[test]
fn fractional_seconds_cover_the_seconds_they_touch() {
    let emu = emulator(50);
    let (from, to) = day(&emu);
    let whole = run(cli(&emu), &["errors", "--from", &from, "--to", &to]);
    assert_eq!(whole.status.code(), Some(0), "{}", text(&whole.stderr));
    let to_frac = format!("{}.5", emu.now() - 1);
    let frac = run(
        cli(&emu),
        &["errors", "--from", &format!("{from}.0"), "--to", &to_frac],
    );
    assert_eq!(frac.status.code(), Some(0), "{}", text(&frac.stderr));
    assert_eq!(frac.stdout, whole.stdout);
}
