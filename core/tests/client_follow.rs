//! `Client::follow_*` against the emulator with a clock the test moves: only new
//! lines, late lines caught by the overlapping windows, transient failures survived
//! with a notice, a stop handle that ends it at once. Every loop is bounded.

mod client_common;

use client_common::*;
use plumlogs::client::{FollowEvent, FollowOptions};
use plumlogs::{Error, Query, Wire};
use plumlogs_emulator::{Fault, FaultKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// A client whose clock is `clock`, and a guard that stops a follow after 20 s so a
/// broken test cannot hang.
fn moving_client(emu: &plumlogs_emulator::Emulator, clock: &Arc<AtomicI64>) -> plumlogs::Client {
    let c = clock.clone();
    builder(emu)
        .clock(move || c.load(Ordering::SeqCst))
        .wire(Wire::Json)
        .build()
        .unwrap()
}

fn guard(stop: plumlogs::client::StopHandle) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        stop.stop();
    });
}

fn records<T>(ev: Option<Result<FollowEvent<T>, Error>>) -> Vec<T> {
    match ev {
        Some(Ok(FollowEvent::Records(r))) => r,
        other => panic!(
            "expected records, got {:?}",
            other.map(|e| e.map(|_| "event"))
        ),
    }
}

#[test]
fn yields_each_line_once_including_lines_that_arrive_late() {
    let emu = emulator(2000);
    let clock = Arc::new(AtomicI64::new(NOW));
    let c = moving_client(&emu, &clock);
    let since = NOW - 1800;
    let opts = FollowOptions::default()
        .interval(Duration::from_millis(10))
        .lookback_seconds(2 * HOUR)
        .since(since)
        .page_size(100);
    let mut f = c.follow_sessions(&opts).unwrap();
    guard(f.stop_handle());
    let mut all = records(f.next());
    assert!(!all.is_empty());
    let mut t = NOW;
    for _ in 0..6 {
        t += 300;
        clock.store(t, Ordering::SeqCst);
        emu.set_clock(Some(t));
        let batch = records(f.next());
        assert!(!batch.is_empty());
        all.extend(batch);
    }
    // Exactly the lines the server lists for the whole span now, each once: the
    // calls that started before a poll but ended after it came in a later batch.
    let expect = c
        .sessions(&Query::new(since, t))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = |v: &[plumlogs::SessionRecord<'static>]| {
        let mut k: Vec<String> = v.iter().map(|r| r.to_string()).collect();
        k.sort();
        k
    };
    let got = key(&all);
    let mut dedup = got.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), got.len(), "no line twice");
    assert_eq!(got, key(&expect));
    let late = all
        .iter()
        .filter(|r| {
            r.call_start().is_some_and(|s| s < NOW) && r.call_end().is_some_and(|e| e > NOW)
        })
        .count();
    assert!(
        late > 0,
        "some calls running at the first poll were yielded later"
    );
    assert_eq!(f.polls(), 7);
}

#[test]
fn transient_failures_are_noticed_and_survived_then_fatal_ones_end_it() {
    let emu = emulator(2000);
    let clock = Arc::new(AtomicI64::new(NOW));
    let c = moving_client(&emu, &clock);
    let opts = FollowOptions::default()
        .interval(Duration::from_millis(5))
        .lookback_seconds(HOUR);
    let mut f = c.follow_errors(&opts).unwrap();
    guard(f.stop_handle());
    // Three 503s spend the client's 2 retries: one failed poll.
    emu.inject(Fault::times(
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
        3,
    ));
    match f.next() {
        Some(Ok(FollowEvent::Retrying {
            error:
                Error::Api {
                    http_status: Some(503),
                    ..
                },
            failures: 1,
            wait,
        })) => assert_eq!(wait, Duration::from_millis(10)),
        other => panic!("{other:?}"),
    }
    let first = records(f.next());
    assert!(!first.is_empty());
    // A dropped connection each time: failures count up, the wait doubles.
    emu.inject(Fault::times(FaultKind::Drop, 6));
    for (n, ms) in [(1u32, 10u64), (2, 20)] {
        match f.next() {
            Some(Ok(FollowEvent::Retrying {
                error: Error::Transport { .. },
                failures,
                wait,
            })) => {
                assert_eq!(failures, n);
                assert_eq!(wait, Duration::from_millis(ms));
            }
            other => panic!("{other:?}"),
        }
    }
    // Credentials refused: not transient, the follow ends.
    emu.inject(Fault::once(FaultKind::Status {
        status: 401,
        retry_after: None,
    }));
    assert!(matches!(f.next(), Some(Err(Error::Auth { .. }))));
    assert!(f.next().is_none());
}

#[test]
fn stop_ends_a_wait_at_once_from_another_thread() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let opts = FollowOptions::default().interval(Duration::from_secs(60));
    let mut f = c.follow_errors(&opts).unwrap();
    assert!(!records(f.next()).is_empty());
    let stop = f.stop_handle();
    let t = Instant::now();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        stop.stop();
    });
    // Nothing new arrives (the clock is fixed): only the stop ends the wait.
    assert!(f.next().is_none());
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(f.next().is_none());
}

#[test]
fn options_are_checked_before_any_request() {
    let emu = emulator(10);
    let c = client(&emu, Wire::Json);
    emu.clear_requests();
    for (o, word) in [
        (
            FollowOptions::default().interval(Duration::ZERO),
            "interval",
        ),
        (
            FollowOptions::default().interval(Duration::from_secs(86_401)),
            "interval",
        ),
        (
            FollowOptions::default().lookback_seconds(0),
            "lookback_seconds",
        ),
        (FollowOptions::default().since(NOW), "since"),
        (FollowOptions::default().since(NOW - 400 * DAY), "older"),
        (
            FollowOptions::default().lookback_seconds(400 * DAY),
            "older",
        ),
        (FollowOptions::default().page_size(0), "page_size"),
        (FollowOptions::default().number(""), "number"),
    ] {
        match c.follow_sessions(&o) {
            Err(e @ Error::InvalidArgument { .. }) => {
                let m = e.to_string();
                assert!(m.contains(word), "{word}: {m}")
            }
            other => panic!("{word}: {other:?}"),
        }
    }
    assert!(requests_to(&emu, "/ws/").is_empty());
}

#[test]
fn an_overlapping_poll_yields_the_window_less_what_the_last_poll_listed() {
    let emu = emulator(2000);
    let clock = Arc::new(AtomicI64::new(NOW));
    let c = moving_client(&emu, &clock);
    let opts = FollowOptions::default()
        .interval(Duration::from_millis(5))
        .lookback_seconds(900);
    let mut f = c.follow_sessions(&opts).unwrap();
    guard(f.stop_handle());
    let first = records(f.next());
    assert!(!first.is_empty());
    // Ten minutes on, the window [NOW - 300, NOW + 600) overlaps the last one.
    clock.store(NOW + 600, Ordering::SeqCst);
    emu.set_clock(Some(NOW + 600));
    let second = records(f.next());
    let window = c
        .sessions(&Query::new(NOW - 300, NOW + 600))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let expect: Vec<_> = window.into_iter().filter(|r| !first.contains(r)).collect();
    assert_eq!(second, expect);
    // The overlap did hold lines of the first poll, and late ones of its calls.
    assert!(
        first
            .iter()
            .any(|r| r.call_start().is_some_and(|s| s >= NOW - 300))
    );
    assert!(
        second
            .iter()
            .any(|r| r.call_start().is_some_and(|s| s < NOW))
    );
}
