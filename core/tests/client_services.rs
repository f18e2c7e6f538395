//! The client against the emulator: the four services in both wires, paging edges,
//! the overall limit, the number filter, page-at-a-time access, and the
//! list-then-fetch-each loop.
#![cfg(feature = "client")]

mod client_common;
use client_common::*;
use plumlogs::{CallSummary, ErrorRecord, Query, Service, SessionRecord, Wire};

/// One raw request outside the client (its own ureq agent), for ground truth.
fn raw_get(emu: &plumlogs_emulator::Emulator, path: &str, wire: Wire) -> Vec<u8> {
    use base64::Engine as _;
    let cred = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        emu.username(),
        emu.password()
    ));
    let mut resp = ureq::get(format!("{}{}", emu.base_url(), path))
        .header("Authorization", format!("Basic {cred}"))
        .header("Accept", wire.media_type())
        .call()
        .expect("raw request");
    assert_eq!(resp.status().as_u16(), 200);
    resp.body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap()
}

fn collect<T>(pages: Result<plumlogs::Pages<T>, plumlogs::Error>) -> Vec<T> {
    pages
        .expect("valid query")
        .collect::<Result<Vec<_>, _>>()
        .expect("walk succeeds")
}

#[test]
fn sessions_in_both_wires_equal_the_raw_pages() {
    let emu = emulator(2000);
    let (start, end) = (NOW - 6 * HOUR, NOW);
    let raw = raw_get(
        &emu,
        &format!("/ws/calls/sessions/{start}/{end}?offset=0&limit=10000"),
        Wire::Json,
    );
    let page = plumlogs::decode_lines(&raw, Service::Sessions).unwrap();
    let expected: Vec<SessionRecord<'static>> =
        page.sessions().map(|r| r.unwrap().into_owned()).collect();
    assert!(
        expected.len() > 1000,
        "a busy afternoon ({})",
        expected.len()
    );
    assert_eq!(page.total, Some(expected.len() as u64));
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        let mut pages = c.sessions(&Query::new(start, end).page_size(400)).unwrap();
        let got: Vec<SessionRecord<'static>> = pages.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(got, expected, "{wire:?}");
        assert_eq!(pages.total_hint(), Some(expected.len() as u64));
        assert_eq!(pages.fetched(), expected.len() as u64);
    }
    // Every request asked for the wire it was told to.
    let reqs = requests_to(&emu, "/ws/calls/sessions");
    assert!(
        reqs.iter()
            .any(|r| r.header("accept") == Some("application/xml"))
    );
    assert!(
        reqs.iter()
            .any(|r| r.header("accept") == Some("application/json"))
    );
}

#[test]
fn errors_in_both_wires_equal_the_raw_page() {
    let emu = emulator(2000);
    let (start, end) = (NOW - 3 * DAY, NOW);
    let raw = raw_get(
        &emu,
        &format!("/ws/calls/errors/{start}/{end}?limit=10000"),
        Wire::Xml,
    );
    let page = plumlogs::decode_lines(&raw, Service::Errors).unwrap();
    let expected: Vec<ErrorRecord<'static>> =
        page.errors().map(|r| r.unwrap().into_owned()).collect();
    assert!(expected.len() > 100, "{}", expected.len());
    for wire in [Wire::Json, Wire::Xml] {
        let got = collect(client(&emu, wire).errors(&Query::new(start, end).page_size(64)));
        assert_eq!(got, expected, "{wire:?}");
    }
}

#[test]
fn call_logs_and_one_call_log_in_both_wires() {
    let emu = emulator(2000);
    let (start, end) = (NOW - 2 * DAY, NOW);
    let raw = raw_get(
        &emu,
        &format!("/ws/calls/logs/{start}/{end}?limit=10000"),
        Wire::Json,
    );
    let expected: Vec<CallSummary<'static>> = plumlogs::decode_logs(&raw)
        .unwrap()
        .items
        .into_iter()
        .map(CallSummary::into_owned)
        .collect();
    assert!(expected.len() > 100);
    let mut logs = Vec::new();
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        let got = collect(c.call_logs(&Query::new(start, end).page_size(333)));
        assert_eq!(got, expected, "{wire:?}");
        let id = expected[expected.len() / 2].log_id;
        let log = c.call_log(id).unwrap();
        assert_eq!(log.log_id, id);
        assert!(!log.entries().is_empty(), "{wire:?}: {:?}", log.text());
        // The entries are the core parser's reading of the text, owned.
        let reparsed: Vec<_> = plumlogs::parse_call_log(log.text())
            .unwrap()
            .into_iter()
            .map(|e| e.into_owned())
            .collect();
        assert_eq!(*log.entries(), reparsed);
        logs.push(log);
    }
    assert_eq!(logs[0], logs[1], "JSON and XML carry the same log");
    let raw_log = raw_get(
        &emu,
        &format!("/ws/calls/log/{}", logs[0].log_id),
        Wire::Xml,
    );
    assert_eq!(plumlogs::decode_log(&raw_log).unwrap(), logs[0].text());
}

#[test]
fn an_empty_window_is_one_request_and_no_records() {
    let emu = emulator(0);
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        let q = Query::new(NOW - DAY, NOW);
        assert!(collect(c.sessions(&q)).is_empty());
        assert!(collect(c.errors(&q)).is_empty());
        assert!(collect(c.call_logs(&q)).is_empty());
        let mut pages = c.sessions(&q).unwrap();
        assert!(
            pages.next_page().is_none(),
            "no page at all, not an empty one"
        );
        assert!(pages.next().is_none());
    }
    assert_eq!(requests_to(&emu, "/ws/calls/").len(), 2 * 4);
}

/// The calls/logs listing of a window with `n` calls, for paging checks (one request).
fn window_with_calls(emu: &plumlogs_emulator::Emulator) -> (Query, Vec<CallSummary<'static>>) {
    let q = Query::new(NOW - 12 * HOUR, NOW);
    let all = collect(client(emu, Wire::Json).call_logs(&q.clone().page_size(10_000)));
    assert!(all.len() > 200, "{}", all.len());
    emu.clear_requests();
    (q, all)
}

#[test]
fn page_boundaries() {
    let emu = emulator(2000);
    let (q, all) = window_with_calls(&emu);
    let n = all.len() as u64;
    let c = client(&emu, Wire::Json);
    let walk = |page_size: u64| {
        emu.clear_requests();
        let got = collect(c.call_logs(&q.clone().page_size(page_size as u32)));
        (
            got,
            offsets_and_limits(&requests_to(&emu, "/ws/calls/logs")),
        )
    };
    // Exactly one full page: a second request finds the end (the count is only a hint).
    let (got, reqs) = walk(n);
    assert_eq!(got, all);
    assert_eq!(reqs, vec![(0, n), (n, n)]);
    // One more than everything: a single short page.
    let (got, reqs) = walk(n + 1);
    assert_eq!(got, all);
    assert_eq!(reqs, vec![(0, n + 1)]);
    // One less: a full page and a page of one.
    let (got, reqs) = walk(n - 1);
    assert_eq!(got, all);
    assert_eq!(reqs, vec![(0, n - 1), (n - 1, n - 1)]);
    // A divisor of n: n/d full pages, then an empty one.
    let d = (2..50)
        .find(|d| n.is_multiple_of(*d) && n / d > 1)
        .unwrap_or(1);
    let ps = n / d;
    let (got, reqs) = walk(ps);
    assert_eq!(got, all);
    let expected: Vec<(u64, u64)> = (0..=d).map(|i| (i * ps, ps)).collect();
    assert_eq!(reqs, expected);
    // A page size of 1 still walks everything, one record per request.
    let small = Query::new(all[0].start, all[5].start + 1).page_size(1);
    emu.clear_requests();
    let got = collect(c.call_logs(&small));
    assert_eq!(
        got.len(),
        got.iter().filter(|s| s.start <= all[5].start).count()
    );
    assert_eq!(requests_to(&emu, "/ws/calls/logs").len(), got.len() + 1);
}

#[test]
fn overall_limit_stops_mid_page_and_asks_only_for_what_is_wanted() {
    let emu = emulator(2000);
    let (q, all) = window_with_calls(&emu);
    let c = client(&emu, Wire::Xml);
    let limited = |limit: u64, page_size: u32| {
        emu.clear_requests();
        let got = collect(c.call_logs(&q.clone().limit(limit).page_size(page_size)));
        (
            got,
            offsets_and_limits(&requests_to(&emu, "/ws/calls/logs")),
        )
    };
    let (got, reqs) = limited(250, 100);
    assert_eq!(got, all[..250]);
    assert_eq!(reqs, vec![(0, 100), (100, 100), (200, 50)]);
    // A limit on a page boundary ends without an extra request.
    let (got, reqs) = limited(200, 100);
    assert_eq!(got, all[..200]);
    assert_eq!(reqs, vec![(0, 100), (100, 100)]);
    // Within the first page.
    let (got, reqs) = limited(7, 1000);
    assert_eq!(got, all[..7]);
    assert_eq!(reqs, vec![(0, 7)]);
    // More than there is: everything.
    let (got, _) = limited(all.len() as u64 + 10, 1000);
    assert_eq!(got, all);
    // The iterator's limit holds for sessions too, mid-page.
    let sessions = collect(c.sessions(&q.clone().limit(1234).page_size(500)));
    assert_eq!(sessions.len(), 1234);
}

#[test]
fn number_filter_is_sent_and_applied() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - DAY, NOW);
    let all = collect(c.call_logs(&q.clone().page_size(10_000)));
    let number = all[0].dest.to_string();
    let matching = all
        .iter()
        .filter(|s| s.dest == number || s.src == number)
        .count();
    assert!(
        matching < all.len(),
        "the filter must select something smaller"
    );
    emu.clear_requests();
    let got = collect(c.call_logs(&q.clone().number(number.clone()).page_size(50)));
    assert!(!got.is_empty());
    assert!(
        got.iter().all(|s| s.dest == number || s.src == number),
        "{number}"
    );
    assert_eq!(got.len(), matching);
    let reqs = requests_to(&emu, "/ws/calls/logs");
    assert!(
        reqs.iter()
            .all(|r| param(r, "number").as_deref() == Some(number.as_str()))
    );
    // Sessions and errors take it too.
    let sessions = collect(c.sessions(&q.clone().number(number.clone())));
    assert!(!sessions.is_empty());
    assert!(
        sessions
            .iter()
            .all(|s| s.dnis == number.as_str() || s.ani == number.as_str())
    );
    // A number with characters that need escaping goes through intact (and matches nothing).
    emu.clear_requests();
    assert!(collect(c.errors(&q.clone().number("+1 (555) 000&x"))).is_empty());
    assert_eq!(
        param(&requests_to(&emu, "/ws/calls/errors")[0], "number").unwrap(),
        "%2B1%20%28555%29%20000%26x"
    );
}

#[test]
fn page_at_a_time_access() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 6 * HOUR, NOW).limit(2500).page_size(1000);
    let mut pages = c.sessions(&q).unwrap();
    let first = pages.next_page().unwrap().unwrap();
    assert_eq!(first.len(), 1000);
    assert!(pages.total_hint().unwrap() > 2500);
    // Mixing styles: a few records, then the rest of that page, then whole pages.
    let one = pages.next().unwrap().unwrap();
    let rest = pages.next_page().unwrap().unwrap();
    assert_eq!(rest.len(), 999);
    let last = pages.next_page().unwrap().unwrap();
    assert_eq!(last.len(), 500);
    assert!(pages.next_page().is_none());
    assert!(pages.next().is_none());
    let mut walked = first;
    walked.push(one);
    walked.extend(rest);
    walked.extend(last);
    assert_eq!(walked, collect(c.sessions(&q.clone().page_size(10_000))));
    let sizes: Vec<usize> = c
        .errors(&Query::new(NOW - 3 * DAY, NOW).page_size(50))
        .unwrap()
        .pages()
        .map(|p| p.unwrap().len())
        .collect();
    assert!(sizes.len() > 2);
    assert!(sizes[..sizes.len() - 1].iter().all(|&n| n == 50));
    assert!(*sizes.last().unwrap() < 50);
}

#[test]
fn call_logs_with_text_in_listing_order_and_per_item_failures() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 3 * HOUR, NOW);
    let listing = collect(c.call_logs(&q));
    assert!(listing.len() > 20, "{}", listing.len());
    let all: Vec<_> = c.call_logs_with_text(&q, 4).unwrap().collect();
    assert_eq!(
        all.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
        listing
    );
    for (s, log) in &all {
        let log = log.as_ref().unwrap();
        assert_eq!(log.log_id, s.log_id);
        assert!(!log.entries().is_empty());
    }
    assert_eq!(
        all[3].1.as_ref().unwrap(),
        &c.call_log(listing[3].log_id).unwrap()
    );

    // Some logs fail for good (no retries left): those items carry the error, the
    // others their log; nothing is dropped.
    let c0 = builder(&emu).max_retries(0).build().unwrap();
    emu.inject(
        plumlogs_emulator::Fault::times(
            plumlogs_emulator::FaultKind::Status {
                status: 500,
                retry_after: None,
            },
            5,
        )
        .on_path("/ws/calls/log/"),
    );
    let items: Vec<_> = c0.call_logs_with_text(&q, 3).unwrap().collect();
    assert_eq!(items.len(), listing.len());
    let failed: Vec<_> = items.iter().filter_map(|(_, r)| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 5);
    assert!(
        failed.iter().all(|e| matches!(
            e,
            plumlogs::Error::Api {
                http_status: Some(500),
                ..
            }
        )),
        "{failed:?}"
    );
    assert_eq!(
        items.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
        listing
    );

    // Stopping early neither hangs nor leaks a panic; concurrency 1 is sequential.
    let mut it = c.call_logs_with_text(&q, 8).unwrap();
    assert_eq!(it.total(), listing.len());
    assert!(it.next().unwrap().1.is_ok());
    drop(it);
    let seq: Vec<_> = c
        .call_logs_with_text(&q.clone().limit(5), 1)
        .unwrap()
        .map(|(_, r)| r.unwrap())
        .collect();
    assert_eq!(seq.len(), 5);
    // An empty listing yields nothing.
    assert_eq!(
        c.call_logs_with_text(&Query::new(NOW - 1, NOW), 4)
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn records_outlive_the_client_and_their_pages() {
    let emu = emulator(500);
    let year_of_errors: Vec<ErrorRecord<'static>> = {
        let c = client(&emu, Wire::Json);
        collect(c.errors(&Query::new(NOW - 30 * DAY, NOW).page_size(10_000)))
    };
    assert!(year_of_errors.len() > 100);
    assert!(year_of_errors.iter().all(|e| e.session_id.parts().is_ok()));
}
