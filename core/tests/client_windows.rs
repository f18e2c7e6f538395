//! Parallel sub-windows against the emulator: the same records in the same order as
//! one serial walk, sub-windows that page by themselves, a record on a boundary once,
//! a failed sub-window failing the listing.

mod client_common;

use client_common::*;
use plumlogs::client::WindowOptions;
use plumlogs::{Error, Query, Wire};
use plumlogs_emulator::{Fault, FaultKind};
use std::time::Duration;

fn opts(concurrency: usize, len: i64) -> WindowOptions {
    WindowOptions::default()
        .concurrency(concurrency)
        .sub_window_seconds(len)
}

fn all<T>(it: impl Iterator<Item = Result<T, Error>>) -> Vec<T> {
    it.collect::<Result<Vec<_>, _>>().expect("listing")
}

#[test]
fn every_listing_matches_the_serial_walk_record_for_record() {
    let emu = emulator(150);
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        let q = Query::new(NOW - 6 * DAY - 5 * HOUR, NOW).page_size(97);
        let serial = all(c.sessions(&q).unwrap());
        let split = c.sessions_windowed(&q, opts(4, DAY)).unwrap();
        assert_eq!(split.sub_windows(), 7);
        let split = all(split);
        assert!(serial.len() > 1000, "{}", serial.len());
        assert_eq!(split, serial);

        let serial = all(c.errors(&q).unwrap());
        assert!(!serial.is_empty());
        assert_eq!(all(c.errors_windowed(&q, opts(3, DAY)).unwrap()), serial);

        let serial = all(c.session_lines(&q).unwrap());
        assert_eq!(
            all(c.session_lines_windowed(&q, opts(5, 7 * HOUR)).unwrap()),
            serial
        );
        let serial = all(c.error_lines(&q).unwrap());
        assert_eq!(
            all(c.error_lines_windowed(&q, opts(2, DAY)).unwrap()),
            serial
        );

        let q = Query::new(NOW - 4 * DAY, NOW).page_size(50);
        let serial = all(c.call_logs(&q).unwrap());
        assert!(serial.len() > 100);
        assert_eq!(all(c.call_logs_windowed(&q, opts(8, DAY)).unwrap()), serial);
    }
}

#[test]
fn each_sub_window_pages_by_itself_and_counts_its_requests() {
    let emu = emulator(150);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 3 * DAY, NOW).page_size(200);
    let n = all(c.sessions(&q).unwrap()).len() as u64;
    emu.clear_requests();
    let mut w = c.sessions_windowed(&q, opts(3, DAY)).unwrap();
    let mut got = 0u64;
    while let Some(page) = w.next_page() {
        got += page.unwrap().len() as u64;
    }
    assert_eq!(got, n);
    assert_eq!(w.fetched(), n);
    let reqs = requests_to(&emu, "/ws/calls/sessions/");
    assert_eq!(w.requests(), reqs.len() as u64);
    assert_eq!(
        w.total_hint(),
        Some(n),
        "the sum of the sub-windows' counts"
    );
    // Cut at UTC midnights (NOW is not one), each piece walked from offset 0.
    assert_ne!(NOW % DAY, 0);
    let mut cuts = vec![q.start];
    let mut m = (q.start.div_euclid(DAY) + 1) * DAY;
    while m < q.end {
        cuts.push(m);
        m += DAY;
    }
    cuts.push(q.end);
    let expected: Vec<_> = cuts
        .windows(2)
        .map(|w| format!("/ws/calls/sessions/{}/{}", w[0], w[1]))
        .collect();
    assert_eq!(w.sub_windows(), expected.len());
    let mut paths: Vec<_> = reqs.iter().map(|r| r.path.clone()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths, expected);
    for path in &paths {
        let mine: Vec<_> = reqs.iter().filter(|r| &r.path == path).cloned().collect();
        let ol = offsets_and_limits(&mine);
        assert_eq!(ol[0].0, 0, "{path} starts at offset 0");
        assert!(
            ol.windows(2).all(|w| w[1].0 == w[0].0 + 200),
            "{path}: {ol:?}"
        );
    }
}

#[test]
fn a_record_exactly_on_a_boundary_appears_once() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - DAY, NOW).page_size(1000);
    let serial = all(c.sessions(&q).unwrap());
    // A sub-window length (5 minutes to an hour) that some call starts on a multiple of.
    let starts: Vec<i64> = serial.iter().filter_map(|r| r.call_start()).collect();
    let len = (300..3600)
        .find(|len| starts.iter().any(|s| s % len == 0 && *s > q.start))
        .expect("some call starts on a boundary");
    let on_boundary: Vec<_> = starts
        .iter()
        .copied()
        .filter(|s| s % len == 0 && *s > q.start)
        .collect();
    let split = c.sessions_windowed(&q, opts(8, len)).unwrap();
    assert!(split.sub_windows() > 24, "{}", split.sub_windows());
    let split = all(split);
    assert_eq!(split, serial);
    for s in on_boundary {
        let n = split.iter().filter(|r| r.call_start() == Some(s)).count();
        let m = serial.iter().filter(|r| r.call_start() == Some(s)).count();
        assert_eq!(n, m, "calls starting at {s}");
        assert!(n >= 1);
    }
}

#[test]
fn a_failed_sub_window_fails_the_listing_after_the_records_before_it() {
    let emu = emulator(150);
    let c = client(&emu, Wire::Json);
    let start = (NOW - 4 * DAY).div_euclid(DAY) * DAY;
    let q = Query::new(start, NOW).page_size(100);
    let serial = all(c.sessions(&q).unwrap());
    // The third day fails beyond the retries (2): 3 answers of 500.
    let third = format!("/ws/calls/sessions/{}/{}", start + 2 * DAY, start + 3 * DAY);
    emu.inject(
        Fault::times(
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
            3,
        )
        .on_path(third),
    );
    let mut got = Vec::new();
    let mut failure = None;
    for r in c.sessions_windowed(&q, opts(4, DAY)).unwrap() {
        match r {
            Ok(rec) => got.push(rec),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    match failure {
        Some(Error::Api {
            http_status: Some(500),
            ..
        }) => {}
        other => panic!("expected the sub-window's 500, got {other:?}"),
    }
    // Everything before the failed page, in order, and nothing after it.
    let before_third = serial
        .iter()
        .filter(|r| r.session_id.parts().unwrap().start < start + 2 * DAY)
        .count();
    assert!(before_third > 0);
    assert_eq!(got[..], serial[..before_third]);
    assert!(emu.faults().is_empty(), "every failure was served");
}

#[test]
fn a_limit_is_the_serial_walks_first_records() {
    let emu = emulator(150);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 5 * DAY, NOW).page_size(100);
    let serial = all(c.sessions(&q).unwrap());
    for limit in [1u64, 99, 100, 101, 777, 5000, 1_000_000] {
        let ql = q.clone().limit(limit);
        let split = all(c.sessions_windowed(&ql, opts(4, DAY)).unwrap());
        let want = (limit as usize).min(serial.len());
        assert_eq!(split[..], serial[..want], "limit {limit}");
    }
}

#[test]
fn concurrency_one_is_the_serial_walk_request_for_request() {
    let emu = emulator(150);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 3 * DAY, NOW).page_size(300);
    emu.clear_requests();
    let serial = all(c.sessions(&q).unwrap());
    let serial_reqs = requests_to(&emu, "/ws/calls/");
    emu.clear_requests();
    let one = c.sessions_windowed(&q, opts(1, DAY)).unwrap();
    assert_eq!(one.sub_windows(), 1);
    assert_eq!(all(one), serial);
    let one_reqs = requests_to(&emu, "/ws/calls/");
    let pq = |r: &Vec<plumlogs_emulator::RecordedRequest>| {
        r.iter()
            .map(|r| (r.path.clone(), r.query.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pq(&one_reqs), pq(&serial_reqs));
    // Bad options are refused before any request.
    emu.clear_requests();
    assert!(matches!(
        c.sessions_windowed(&q, opts(0, DAY)),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        c.sessions_windowed(&Query::new(NOW, NOW - 1), WindowOptions::default()),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(requests_to(&emu, "/ws/calls/").is_empty());
}

#[test]
fn dropping_a_listing_part_way_stops_its_workers() {
    let emu = emulator(150);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 300 * DAY, NOW).page_size(50);
    emu.clear_requests();
    let mut w = c.sessions_windowed(&q, opts(4, DAY)).unwrap();
    assert!(w.next().unwrap().is_ok());
    drop(w);
    std::thread::sleep(Duration::from_millis(300));
    let after_drop = requests_to(&emu, "/ws/calls/").len();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(requests_to(&emu, "/ws/calls/").len(), after_drop);
    // Bounded run-ahead: nowhere near the 300 days' worth of requests.
    assert!(after_drop < 100, "{after_drop}");
}

#[test]
fn a_listing_that_failed_has_stopped_its_workers_and_their_retries() {
    let emu = emulator(150);
    // Retries a worker would make for seconds if nothing stopped it.
    let c = builder(&emu)
        .max_retries(5)
        .backoff(Duration::from_secs(1), Duration::from_secs(1))
        .build()
        .unwrap();
    let start = (NOW - 4 * DAY).div_euclid(DAY) * DAY;
    let q = Query::new(start, NOW).page_size(100);
    let day = |k: i64| {
        format!(
            "/ws/calls/sessions/{}/{}",
            start + k * DAY,
            start + (k + 1) * DAY
        )
    };
    // The first day fails for good; the third answers 503 five times.
    emu.inject(
        Fault::once(FaultKind::Status {
            status: 400,
            retry_after: None,
        })
        .on_path(day(0)),
    );
    let busy = FaultKind::Status {
        status: 503,
        retry_after: None,
    };
    emu.inject(Fault::times(busy, 5).on_path(day(2)));
    let got: Result<Vec<_>, _> = c.sessions_windowed(&q, opts(4, DAY)).unwrap().collect();
    assert!(
        matches!(
            got,
            Err(Error::Api {
                http_status: Some(400),
                ..
            })
        ),
        "{got:?}"
    );
    // The third day's worker had sent at most its first attempt and retries no more:
    // well past its backoff, nothing more reached the server.
    let third = requests_to(&emu, &day(2)).len();
    assert!(third <= 1, "{third}");
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(requests_to(&emu, &day(2)).len(), third);
    let left: u32 = emu.faults().iter().map(|f| f.count).sum();
    assert_eq!(left as usize, 5 - third);
}
