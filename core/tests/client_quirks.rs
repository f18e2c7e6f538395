//! Servers that behave unlike the emulator, within what the API documentation leaves
//! open: a page cap below the asked `limit`, an ignored `limit`, a `total_*` that
//! counts only the page or is absent, failures answered with 200, a bad line on a
//! later page. A small std-only HTTP server plays each of them.
#![cfg(feature = "client")]

mod loopback;

use plumlogs::encode::{encode_failure, encode_lines};
use plumlogs::{Client, Error, Query, Service, Wire};
use std::sync::{Arc, Mutex};

const NOW: i64 = 1_700_000_000;
const RECORDS: usize = 23;

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// At most 3 items per answer whatever is asked; `total` counts everything.
    Cap3WithTotal,
    /// At most 3 items, and `total` counts only the page: nothing says more exist.
    Cap3PageTotal,
    /// Every item from `offset` on, ignoring `limit`.
    IgnoreLimit,
    /// Honours `limit`; `total` counts only the page.
    PageTotal,
    /// 200 with a failure envelope and a message.
    FailureOn200(&'static str),
    /// 200 with `{"status":"failure"}` and no message.
    FailureWithoutMessage,
    /// Item 13 (1-based, on the third page of 5) is not a session line.
    BadLine,
}

fn line(i: usize) -> String {
    format!(
        "inbound 71855512{i:02} 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;15097342{i:02} 1509734310 1509734339 00:00:29"
    )
}

/// `(offset, limit)` of each request, in order.
type Asked = Vec<(usize, usize)>;

/// Serves `mode` on loopback; returns the base URL and the log of what was asked.
fn serve(mode: Mode) -> (String, Arc<Mutex<Vec<loopback::Asked>>>) {
    loopback::serve(64, move |a| {
        let (offset, limit) = (a.offset, a.limit);
        let all: Vec<String> = (0..RECORDS)
            .map(|i| {
                if matches!(mode, Mode::BadLine) && i == 12 {
                    "not a session line".into()
                } else {
                    line(i)
                }
            })
            .collect();
        let from = offset.min(RECORDS);
        let take = |n: usize| &all[from..(from + n).min(RECORDS)];
        let body = match mode {
            Mode::Cap3WithTotal => {
                encode_lines(Wire::Json, Service::Sessions, RECORDS, take(limit.min(3)))
            }
            Mode::Cap3PageTotal => {
                let page = take(limit.min(3));
                encode_lines(Wire::Json, Service::Sessions, page.len(), page)
            }
            Mode::IgnoreLimit => {
                encode_lines(Wire::Json, Service::Sessions, RECORDS, take(RECORDS))
            }
            Mode::PageTotal | Mode::BadLine => {
                let page = take(limit);
                encode_lines(Wire::Json, Service::Sessions, page.len(), page)
            }
            Mode::FailureOn200(m) => encode_failure(Wire::Xml, Service::Sessions, m),
            Mode::FailureWithoutMessage => br#"{"status":"failure"}"#.to_vec(),
        };
        (200, body)
    })
}

fn client(base: &str) -> Client {
    loopback::client(base, NOW, 1)
}

fn expected() -> Vec<String> {
    (0..RECORDS).map(line).collect()
}

fn walk(mode: Mode, q: &Query) -> (Result<Vec<String>, Error>, Asked) {
    let (base, asked) = serve(mode);
    let got = client(&base)
        .sessions(q)
        .unwrap()
        .map(|r| r.map(|s| s.to_string()))
        .collect::<Result<Vec<_>, _>>();
    let asked = asked
        .lock()
        .unwrap()
        .iter()
        .map(|a| (a.offset, a.limit))
        .collect();
    (got, asked)
}

#[test]
fn a_server_capping_pages_is_walked_to_the_end_when_its_count_says_so() {
    let q = Query::new(NOW - 100, NOW).page_size(10);
    let (got, asked) = walk(Mode::Cap3WithTotal, &q);
    assert_eq!(got.unwrap(), expected());
    // 3 at a time; the last short page (2 of 23) reaches the count, so it ends there.
    let offsets: Vec<usize> = asked.iter().map(|a| a.0).collect();
    assert_eq!(offsets, (0..RECORDS).step_by(3).collect::<Vec<_>>());
}

#[test]
fn without_a_count_saying_more_a_short_page_is_the_end() {
    let q = Query::new(NOW - 100, NOW).page_size(10);
    let (got, asked) = walk(Mode::Cap3PageTotal, &q);
    assert_eq!(got.unwrap(), expected()[..3]);
    assert_eq!(asked, vec![(0, 10)]);
    // A page-only count with an honest server: full pages, then the short one.
    let (got, asked) = walk(Mode::PageTotal, &q);
    assert_eq!(got.unwrap(), expected());
    assert_eq!(asked, vec![(0, 10), (10, 10), (20, 10)]);
}

#[test]
fn a_server_ignoring_limit_yields_neither_more_nor_duplicates() {
    let (got, asked) = walk(Mode::IgnoreLimit, &Query::new(NOW - 100, NOW).page_size(5));
    assert_eq!(got.unwrap(), expected());
    assert_eq!(
        asked.iter().map(|a| a.0).collect::<Vec<_>>(),
        vec![0, 5, 10, 15, 20]
    );
    let (got, _) = walk(
        Mode::IgnoreLimit,
        &Query::new(NOW - 100, NOW).page_size(5).limit(7),
    );
    assert_eq!(got.unwrap(), expected()[..7]);
}

#[test]
fn failures_answered_with_200() {
    let q = Query::new(NOW - 100, NOW);
    match walk(
        Mode::FailureOn200("Unauthorized access to sessions service"),
        &q,
    ) {
        (
            Err(Error::Auth {
                http_status: Some(200),
                message,
            }),
            asked,
        ) => {
            assert_eq!(message, "Unauthorized access to sessions service");
            assert_eq!(asked.len(), 1, "an answer, not retried");
        }
        other => panic!("{other:?}"),
    }
    match walk(
        Mode::FailureOn200("start_timestamp must be within the last year"),
        &q,
    ) {
        (
            Err(Error::Api {
                http_status: Some(200),
                message,
            }),
            asked,
        ) => {
            assert!(message.contains("within the last year"));
            assert_eq!(asked.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    match walk(Mode::FailureWithoutMessage, &q) {
        (
            Err(Error::Api {
                http_status: Some(200),
                message,
            }),
            asked,
        ) => {
            assert!(
                message.contains("without a message") && message.contains("failure"),
                "{message}"
            );
            assert_eq!(asked.len(), 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_line_on_a_later_page_is_a_parse_error_numbered_from_the_walk_start() {
    let (got, asked) = walk(Mode::BadLine, &Query::new(NOW - 100, NOW).page_size(5));
    match got {
        Err(Error::Parse(e)) => {
            assert_eq!(e.line, 13, "{e}");
            assert_eq!(e.input, "not a session line");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.len(), 3, "not retried, and the walk stopped there");
}
