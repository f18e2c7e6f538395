//! Every injected fault ends in a retry that succeeds or in a typed error; what must
//! not be retried is not; a page that fails mid-walk ends the walk with an error.
#![cfg(feature = "client")]

mod client_common;
use client_common::*;
use plumlogs::{Error, Query, Wire};
use plumlogs_emulator::{Fault, FaultKind};
use std::time::{Duration, Instant};

const SESSIONS: &str = "/ws/calls/sessions";

fn status(status: u16, retry_after: Option<u32>) -> FaultKind {
    FaultKind::Status {
        status,
        retry_after,
    }
}

/// The kinds. `Slow` is 3× the 1 s timeout used with them, so a loaded machine
/// neither mistakes a normal answer for a timeout nor a slow one for an answer.
fn every_fault() -> Vec<FaultKind> {
    vec![
        status(500, None),
        status(502, None),
        status(503, None),
        status(504, None),
        status(429, None),
        FaultKind::Slow { delay_ms: 3000 },
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::DocumentedFailure { status: 503 },
        FaultKind::Drop,
    ]
}

fn query() -> Query {
    Query::new(NOW - 2 * HOUR, NOW).page_size(10_000)
}

#[test]
fn each_fault_once_is_retried_to_the_same_answer() {
    let emu = emulator(2000);
    for wire in [Wire::Json, Wire::Xml] {
        let c = builder(&emu)
            .wire(wire)
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap();
        let clean: Vec<_> = c
            .sessions(&query())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!clean.is_empty());
        for kind in every_fault() {
            emu.clear_requests();
            emu.inject(Fault::once(kind.clone()).on_path(SESSIONS));
            let got = c.sessions(&query()).unwrap().collect::<Result<Vec<_>, _>>();
            assert_eq!(
                got.as_ref().ok(),
                Some(&clean),
                "{wire:?} {kind:?}: {got:?}"
            );
            assert_eq!(
                requests_to(&emu, SESSIONS).len(),
                2,
                "{wire:?} {kind:?}: one failure, one retry"
            );
            assert!(emu.faults().is_empty());
        }
        // call_log is a GET like the others: retried too.
        let id = c
            .call_logs(&Query::new(NOW - DAY, NOW).limit(1))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .log_id;
        let clean_log = c.call_log(id).unwrap();
        for kind in every_fault() {
            emu.inject(Fault::once(kind.clone()).on_path("/ws/calls/log/"));
            assert_eq!(c.call_log(id).unwrap(), clean_log, "{wire:?} {kind:?}");
        }
    }
}

#[test]
fn each_fault_past_the_retries_is_a_typed_error() {
    let emu = emulator(2000);
    let c = builder(&emu)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    for kind in every_fault() {
        emu.clear_requests();
        emu.clear_faults();
        // max_retries(2): three attempts, all faulted.
        emu.inject(Fault::times(kind.clone(), 3).on_path(SESSIONS));
        let err = c
            .sessions(&query())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err();
        assert_eq!(requests_to(&emu, SESSIONS).len(), 3, "{kind:?}");
        match (&kind, &err) {
            (
                FaultKind::Status { status, .. },
                Error::Api {
                    http_status,
                    message,
                },
            ) => {
                assert_eq!(*http_status, Some(*status));
                // The emulator's failure envelope carries a message; it is surfaced as is.
                assert!(
                    !message.is_empty() && !message.starts_with("HTTP "),
                    "{message}"
                );
            }
            (FaultKind::Slow { .. }, Error::Transport { message }) => {
                assert!(message.contains("timed out"), "{message}");
                assert!(message.contains("3 attempts"), "{message}");
            }
            (FaultKind::Truncated | FaultKind::Drop, Error::Transport { message }) => {
                assert!(message.contains("3 attempts"), "{message}");
            }
            (FaultKind::Malformed, Error::Transport { message }) => {
                assert!(message.contains("broken sessions body"), "{message}");
            }
            (
                FaultKind::DocumentedFailure { status },
                Error::Api {
                    http_status,
                    message,
                },
            ) => {
                // Read out of the docs' invalid JSON (its trailing comma), not a syntax error.
                assert_eq!(*http_status, Some(*status));
                assert_eq!(
                    message,
                    "Service temporarily unavailable (emulated HTTP 503)"
                );
            }
            _ => panic!("{kind:?} gave {err:?}"),
        }
    }
}

#[test]
fn retry_after_is_honoured() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    // (The backoff steps themselves are checked in the unit tests of client::transport.)
    emu.inject(Fault::once(status(503, Some(1))).on_path(SESSIONS));
    let t = Instant::now();
    c.sessions(&query())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited {:?} after Retry-After: 1",
        t.elapsed()
    );
    emu.inject(Fault::once(status(429, Some(1))).on_path(SESSIONS));
    let t = Instant::now();
    c.sessions(&query())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited {:?} after 429 Retry-After: 1",
        t.elapsed()
    );
}

#[test]
fn a_deadline_bounds_a_call_and_its_retries() {
    let emu = emulator(2000);
    // Every attempt would time out (1 s) and ten retries are allowed: without a
    // deadline this call takes over ten seconds.
    let c = builder(&emu)
        .timeout(Duration::from_secs(1))
        .max_retries(10)
        .deadline(Duration::from_millis(2500))
        .build()
        .unwrap();
    assert_eq!(c.deadline(), Some(Duration::from_millis(2500)));
    emu.inject(Fault::times(FaultKind::Slow { delay_ms: 4000 }, 20).on_path(SESSIONS));
    let t = Instant::now();
    let err = c.sessions(&query()).unwrap().next().unwrap().unwrap_err();
    let took = t.elapsed();
    match &err {
        Error::Transport { message } => assert!(message.contains("2.5s deadline"), "{message}"),
        other => panic!("{other:?}"),
    }
    // The last attempt's timeout was cut to what was left: done at the deadline,
    // give or take a loaded machine, not a whole timeout after it.
    assert!(
        took >= Duration::from_millis(2400) && took < Duration::from_millis(3400),
        "took {took:?}"
    );
    assert!((2..=4).contains(&requests_to(&emu, SESSIONS).len()));
    emu.clear_faults();
    // A Retry-After beyond the deadline is not waited for: the answer stands.
    emu.clear_requests();
    emu.inject(Fault::once(status(503, Some(30))).on_path(SESSIONS));
    let t = Instant::now();
    assert!(matches!(
        c.sessions(&query()).unwrap().next().unwrap(),
        Err(Error::Api {
            http_status: Some(503),
            ..
        })
    ));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "waited {:?}",
        t.elapsed()
    );
    assert_eq!(requests_to(&emu, SESSIONS).len(), 1);
    assert!(matches!(
        builder(&emu).deadline(Duration::ZERO).build(),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn client_errors_are_not_retried() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    for code in [400u16, 401, 403, 404, 405] {
        emu.clear_requests();
        emu.inject(Fault::times(status(code, None), 3).on_path(SESSIONS));
        let err = c.sessions(&query()).unwrap().next().unwrap().unwrap_err();
        assert_eq!(
            requests_to(&emu, SESSIONS).len(),
            1,
            "{code} must not be retried"
        );
        match err {
            Error::Auth { http_status, .. } => {
                assert!(matches!(http_status, Some(401 | 403)), "{code}")
            }
            Error::Api { http_status, .. } => assert_eq!(http_status, Some(code)),
            other => panic!("{code}: {other:?}"),
        }
        emu.clear_faults();
    }
    emu.inject(Fault::once(FaultKind::DocumentedFailure { status: 401 }).on_path(SESSIONS));
    match c.sessions(&query()).unwrap().next().unwrap().unwrap_err() {
        Error::Auth {
            http_status: Some(401),
            message,
        } => {
            assert_eq!(
                message,
                "Service temporarily unavailable (emulated HTTP 401)"
            )
        }
        other => panic!("documented 401: {other:?}"),
    }
    // The emulator's own 400 (a start just past its retention, inside the client's grace)
    // and 404 (an unknown log id) are answers, not failures to retry.
    emu.clear_requests();
    let q = Query::new(NOW - 365 * DAY - 30, NOW - 364 * DAY);
    match c.sessions(&q).unwrap().next().unwrap() {
        Err(Error::Api {
            http_status: Some(400),
            message,
        }) => assert!(message.contains("year"), "{message}"),
        other => panic!("{other:?}"),
    }
    match c.call_log(999_999_999_999) {
        Err(Error::Api {
            http_status: Some(404),
            message,
        }) => assert!(message.contains("log_id"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(requests_to(&emu, "/ws/calls/").len(), 2);
}

#[test]
fn a_mid_walk_failure_ends_the_walk_with_an_error_never_a_short_list() {
    let emu = emulator(2000);
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        let q = Query::new(NOW - 6 * HOUR, NOW).page_size(500);
        let clean: Vec<_> = c.sessions(&q).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(clean.len() > 1500);
        for kind in [
            status(503, None),
            FaultKind::Drop,
            FaultKind::Malformed,
            FaultKind::Truncated,
        ] {
            // Record by record: 500 good records, then the error, then nothing.
            let mut pages = c.sessions(&q).unwrap();
            let mut got = Vec::new();
            for _ in 0..500 {
                got.push(pages.next().unwrap().unwrap());
            }
            emu.inject(Fault::times(kind.clone(), 3).on_path(SESSIONS));
            let err = pages.next().unwrap().unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Api {
                        http_status: Some(503),
                        ..
                    } | Error::Transport { .. }
                ),
                "{kind:?}: {err:?}"
            );
            assert!(pages.next().is_none(), "{kind:?}: nothing after the error");
            assert_eq!(got, clean[..500]);

            // Collected: the error, not the records before it.
            let mut pages = c.sessions(&q).unwrap();
            let first = pages.next_page().unwrap().unwrap();
            assert_eq!(first.len(), 500);
            emu.inject(Fault::times(kind.clone(), 3).on_path(SESSIONS));
            assert!(pages.next_page().unwrap().is_err());
            assert!(pages.next_page().is_none());
            emu.inject(Fault::times(kind.clone(), 3).on_path(SESSIONS));
            let all = c.sessions(&q).unwrap().collect::<Result<Vec<_>, _>>();
            assert!(all.is_err(), "{kind:?}");
            assert!(emu.faults().is_empty());
        }
        // A failure that clears within the retries mid-walk changes nothing.
        let mut pages = c.sessions(&q).unwrap();
        let mut got = vec![pages.next().unwrap().unwrap()];
        emu.inject(Fault::times(FaultKind::Drop, 2).on_path(SESSIONS));
        got.extend(pages.map(Result::unwrap));
        assert_eq!(got, clean);
    }
}

#[test]
fn connection_refused_is_retried_then_a_transport_error() {
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = plumlogs::Client::builder()
        .username("u")
        .password("p")
        .base_url(format!("http://127.0.0.1:{port}"))
        .clock(|| NOW)
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    match c.call_log(1) {
        Err(Error::Transport { message }) => assert!(message.contains("3 attempts"), "{message}"),
        other => panic!("{other:?}"),
    }
}
