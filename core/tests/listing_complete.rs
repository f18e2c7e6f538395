//! A listing holds every record the server said exists, or ends with a typed error:
//! pages that contradict their count (retried first), counts that shrink, warnings
//! of a `success` with an `error` text, bodies that are not Plum's, and which
//! failures are retried. Each server is a few lines of std on loopback, scripted
//! per request.
#![cfg(feature = "client")]

mod loopback;

use loopback::{Answer, Asked};
use plumlogs::encode::encode_lines;
use plumlogs::{Client, Error, Query, Service, Wire};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const NOW: i64 = 1_700_000_000;
const RETRIES: u32 = 2;

fn line(i: usize) -> String {
    format!(
        "inbound 7185{i:06} 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;15097{i:05} 1509734310 1509734339 00:00:29"
    )
}

fn lines(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(line).collect()
}

/// Serves `script` for at most 64 requests.
fn serve(script: impl Fn(Asked) -> Answer + Send + 'static) -> (String, Arc<Mutex<Vec<Asked>>>) {
    loopback::serve(64, move |a| script(a.clone()))
}

fn client(base: &str) -> Client {
    loopback::client(base, NOW, RETRIES)
}

fn query(page_size: u32) -> Query {
    Query::new(NOW - 100, NOW).page_size(page_size)
}

/// A sessions page with `total` and the records `from..to`.
fn page(total: usize, from: usize, to: usize) -> Answer {
    (
        200,
        encode_lines(Wire::Json, Service::Sessions, total, lines(from..to)),
    )
}

fn walk(
    script: impl Fn(Asked) -> Answer + Send + 'static,
    q: &Query,
) -> (Result<Vec<String>, Error>, Vec<Asked>) {
    let (base, asked) = serve(script);
    let got = client(&base)
        .sessions(q)
        .unwrap()
        .map(|r| r.map(|s| s.to_string()))
        .collect::<Result<Vec<_>, _>>();
    let asked = asked.lock().unwrap().clone();
    (got, asked)
}

#[test]
fn a_short_page_then_an_empty_one_is_incomplete_after_retries() {
    // The issue's case: 50 asked, 10 sent, `total_sessions` 100, then nothing.
    let (got, asked) = walk(
        |a| match a.offset {
            0 => page(100, 0, 10),
            _ => page(100, 0, 0),
        },
        &query(50),
    );
    match got {
        Err(Error::Incomplete {
            reported,
            received,
            message,
        }) => {
            assert_eq!((reported, received), (100, 10));
            assert!(
                message.contains("server reported 100, sent 10; offset 10 came back empty"),
                "{message}"
            );
            assert!(message.contains("asked 3 times"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let offsets: Vec<usize> = asked.iter().map(|a| a.offset).collect();
    assert_eq!(offsets, [0, 10, 10, 10], "the empty page is asked again");
    // Its Display names the kind of failure.
    let (got, _) = walk(|_| page(7, 0, 0), &query(50));
    let e = got.unwrap_err();
    assert_eq!(
        e.to_string(),
        "incomplete listing: server reported 7, sent 0; offset 0 came back empty (asked 3 times)"
    );
}

#[test]
fn a_contradicting_page_that_is_right_on_a_retry_completes_the_listing() {
    // A flaky replica: the first answer at offset 10 is empty, the second is right.
    let (got, asked) = walk(
        |a| match (a.offset, a.n) {
            (10, 1) => page(25, 0, 0),
            (o, _) => page(25, o, (o + a.limit).min(25)),
        },
        &query(10),
    );
    assert_eq!(got.unwrap(), lines(0..25));
    let offsets: Vec<usize> = asked.iter().map(|a| a.offset).collect();
    assert_eq!(offsets, [0, 10, 10, 20]);
}

#[test]
fn a_count_that_shrinks_during_the_walk_is_incomplete() {
    // 30 records, then 20 once 10 were read: 10 left the listing, and offsets past
    // them now skip records the walk never saw.
    let (got, asked) = walk(
        |a| match a.offset {
            0 => page(30, 0, 10),
            o => page(20, o, (o + a.limit).min(20)),
        },
        &query(10),
    );
    match got {
        Err(Error::Incomplete {
            reported,
            received,
            message,
        }) => {
            assert_eq!((reported, received), (30, 10));
            assert!(
                message.contains("server reported 30, then 20 at offset 10"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.len(), 1 + 1 + RETRIES as usize);
    // A count that grows loses nothing, and a count of the page alone is no count
    // of the listing: both walk to the end.
    let (got, _) = walk(
        |a| {
            let total = if a.offset == 0 { 20 } else { 23 };
            page(total, a.offset, (a.offset + a.limit).min(23))
        },
        &query(10),
    );
    assert_eq!(got.unwrap(), lines(0..23));
    let (got, _) = walk(
        |a| {
            let to = (a.offset + a.limit).min(23);
            page(to - a.offset, a.offset, to)
        },
        &query(10),
    );
    assert_eq!(got.unwrap(), lines(0..23));
}

#[test]
fn a_limit_reached_is_complete_whatever_the_count() {
    let (got, asked) = walk(
        |a| page(1000, a.offset, a.offset + a.limit),
        &query(10).limit(15),
    );
    assert_eq!(got.unwrap(), lines(0..15));
    assert_eq!(asked.len(), 2);
}

#[test]
fn warnings_of_successful_pages_are_kept_distinct_in_order() {
    let (base, _) = serve(|a| {
        let warning = match a.offset {
            0 | 10 => "partial results: database timeout",
            _ => "served from a replica",
        };
        let items: Vec<String> = lines(a.offset..(a.offset + a.limit).min(25))
            .iter()
            .map(|l| serde_json::to_string(l).unwrap())
            .collect();
        let body = format!(
            r#"{{"status":"success","error":{},"result":{{"total_sessions":25,"sessions":[{}]}}}}"#,
            serde_json::to_string(warning).unwrap(),
            items.join(",")
        );
        (200, body.into_bytes())
    });
    let mut pages = client(&base).sessions(&query(10)).unwrap();
    assert!(pages.warnings().is_empty());
    let mut n = 0;
    for r in pages.by_ref() {
        r.unwrap();
        n += 1;
    }
    assert_eq!(n, 25);
    assert_eq!(
        pages.warnings(),
        ["partial results: database timeout", "served from a replica"]
    );
    // The warning of an empty page that contradicts the count is in its error.
    let (got, _) = walk(
        |a| {
            match a.offset {
            0 => page(20, 0, 10),
            _ => (
                200,
                br#"{"status":"success","error":"partial results","result":{"total_sessions":20,"sessions":[]}}"#
                    .to_vec(),
            ),
        }
        },
        &query(10),
    );
    let e = got.unwrap_err().to_string();
    assert!(e.contains("the server said: partial results"), "{e}");
}

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

#[test]
fn a_proxy_page_is_a_transport_failure_naming_the_status_and_the_body() {
    let (got, asked) = walk(|_| (502, NGINX_502.as_bytes().to_vec()), &query(10));
    match got {
        Err(Error::Transport { message }) => {
            assert!(message.contains("HTTP 502 Bad Gateway"), "{message}");
            assert!(message.contains("not a Plum answer"), "{message}");
            assert!(message.contains(r"<html>\r\n<head><title>502"), "{message}");
            assert!(message.contains("gave up after 3 attempts"), "{message}");
            assert!(message.len() < 400, "bounded: {}", message.len());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.len(), 1 + RETRIES as usize, "retried like any 502");
    // A captive portal answering 200: the same kind of failure, retried.
    let portal = "<!DOCTYPE html><html><body>\x1b[2J\x1b]0;pwned\x07Please sign in</body></html>";
    let (got, asked) = walk(move |_| (200, portal.as_bytes().to_vec()), &query(10));
    match got {
        Err(Error::Transport { message }) => {
            assert!(message.contains("HTTP 200 OK"), "{message}");
            assert!(message.contains("<!DOCTYPE html>"), "{message}");
            assert!(
                !message.chars().any(|c| c.is_control()),
                "control characters are escaped: {message:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.len(), 1 + RETRIES as usize);
    // A 404 page from a wrong base URL: not retried; 401 stays a credentials error.
    let (got, asked) = walk(
        |_| (404, b"<html><body>Not Found</body></html>".to_vec()),
        &query(10),
    );
    assert!(
        matches!(&got, Err(Error::Transport { message }) if message.contains("HTTP 404 Not Found")),
        "{got:?}"
    );
    assert_eq!(asked.len(), 1);
    let (got, _) = walk(
        |_| {
            (
                401,
                b"<html><body>401 Authorization Required</body></html>".to_vec(),
            )
        },
        &query(10),
    );
    assert!(
        matches!(
            got,
            Err(Error::Auth {
                http_status: Some(401),
                ..
            })
        ),
        "{got:?}"
    );
    // A huge page is cut in the message, which says how long it was.
    let big = format!("<html><body>{}</body></html>", "x".repeat(100_000));
    let size = format!("({} bytes)", big.len());
    let (got, _) = walk(move |_| (503, big.clone().into_bytes()), &query(10));
    let e = got.unwrap_err().to_string();
    assert!(e.len() < 500 && e.contains(&size), "{e}");
}

#[test]
fn deterministic_shape_errors_are_not_retried() {
    for body in [
        br#"{"status":"success","result":{"total_sessions":1,"sessions":[1]}}"#.as_slice(),
        br#"{"status":"success","result":{"total_sessions":"5"}}"#,
    ] {
        let b = body.to_vec();
        let (got, asked) = walk(move |_| (200, b.clone()), &query(10));
        assert!(
            matches!(got, Err(Error::Decode(plumlogs::DecodeError::Shape { .. }))),
            "{got:?}"
        );
        assert_eq!(asked.len(), 1, "{}", String::from_utf8_lossy(body));
    }
    // A body cut off mid-list is broken, not a shape: retried, then Transport.
    let (got, asked) = walk(
        |_| (200, br#"{"status":"success","result":["inbound"#.to_vec()),
        &query(10),
    );
    assert!(matches!(got, Err(Error::Transport { .. })), "{got:?}");
    assert_eq!(asked.len(), 1 + RETRIES as usize);
}

#[test]
fn call_logs_with_text_keeps_the_listings_and_each_logs_warnings() {
    let summary = |id: u64| {
        format!(
            r#"{{"log_id":"{id}","session_id":"400050;000;1510159646","dest":"6177123000","type":"inbound","src":"2125551234","start":"1510159657","end":"1510159689"}}"#
        )
    };
    let (base, _) = serve(move |a| {
        let body = if a.path.starts_with("/ws/calls/logs/") {
            format!(
                r#"{{"status":"success","error":"listing from a replica","result":{{"total_logs":"3","logs":[{},{},{}]}}}}"#,
                summary(1),
                summary(2),
                summary(3)
            )
        } else {
            let id: u64 = a.path.rsplit('/').next().unwrap().parse().unwrap();
            let warning = if id == 2 { "log cut at 1 MB" } else { "" };
            format!(
                r#"{{"status":"success","error":"{warning}","result":{{"log":"Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call {id}"}}}}"#
            )
        };
        (200, body.into_bytes())
    });
    let c = client(&base);
    assert_eq!(
        c.call_log(2).unwrap().warning.as_deref(),
        Some("log cut at 1 MB")
    );
    assert_eq!(c.call_log(1).unwrap().warning, None);
    let mut it = c.call_logs_with_text(&query(10), 2).unwrap();
    assert_eq!(it.warnings(), ["listing from a replica"]);
    let logs: Vec<_> = it.by_ref().map(|(_, r)| r.unwrap()).collect();
    assert_eq!(logs.len(), 3);
    assert_eq!(it.warnings(), ["listing from a replica", "log cut at 1 MB"]);
    // Serialised only when there is one.
    let json = serde_json::to_string(&logs[0]).unwrap();
    assert!(!json.contains("warning"), "{json}");
    let json = serde_json::to_string(&logs[1]).unwrap();
    assert!(json.contains(r#""warning":"log cut at 1 MB""#), "{json}");
}

#[test]
fn call_logs_with_text_runs_ahead_by_bytes_as_well_as_by_count() {
    const LOGS: u64 = 30;
    const ENTRY: &str =
        "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";
    // About 100 kB of text per log.
    let text = vec![ENTRY; 100_000 / (ENTRY.len() + 1)].join("\n");
    let log_bytes = text.len();
    let (base, asked) = serve(move |a| {
        let body = if a.path.starts_with("/ws/calls/logs/") {
            let items: Vec<String> = (a.offset as u64..(a.offset + a.limit).min(LOGS as usize) as u64)
                .map(|id| {
                    format!(
                        r#"{{"log_id":"{}","session_id":"400050;000;1510159646","dest":"6177123000","type":"inbound","src":"2125551234","start":"1510159657","end":"1510159689"}}"#,
                        id + 1
                    )
                })
                .collect();
            format!(
                r#"{{"status":"success","error":"","result":{{"total_logs":"{LOGS}","logs":[{}]}}}}"#,
                items.join(",")
            )
            .into_bytes()
        } else {
            plumlogs::encode::encode_call_log(Wire::Json, &text)
        };
        (200, body)
    });
    let logs_asked = || {
        asked
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.path.starts_with("/ws/calls/log/"))
            .count()
    };
    // 8 workers may run 16 logs ahead by count; 2.5 logs' worth of bytes allows
    // the one being waited for and two more.
    let budget = log_bytes * 5 / 2;
    let mut it = client(&base)
        .call_logs_with_text_within(&query(10), 8, budget)
        .unwrap();
    let (first, log) = it.next().unwrap();
    assert_eq!((first.log_id, log.unwrap().log_id), (1, 1));
    let started = std::time::Instant::now();
    while logs_asked() < 3 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Give the workers time to overrun the bound if they would.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        logs_asked(),
        3,
        "byte budget {budget}, logs of {log_bytes} bytes"
    );
    // The rest arrive in listing order.
    let ids: Vec<u64> = it
        .map(|(s, r)| {
            assert_eq!(r.unwrap().log_id, s.log_id);
            s.log_id
        })
        .collect();
    assert_eq!(ids, (2..=LOGS).collect::<Vec<_>>());
    // The default bound is documented and used by `call_logs_with_text`.
    assert_eq!(plumlogs::client::DEFAULT_RUN_AHEAD_BYTES, 64 << 20);
}
