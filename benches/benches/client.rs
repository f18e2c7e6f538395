//! The client end to end against the emulator over loopback (not a timed test).
//!
//! 1. Session records per second through `Client::sessions` with 10,000-item pages,
//!    beside two baselines measured in the same run on the same pages: the raw HTTP
//!    fetch alone (bytes, no decoding) and the decode alone (no HTTP). The emulator
//!    encodes its bodies on the same machine, so the figure includes its work.
//! 2. 1,000 call logs through `call_logs_with_text` with concurrency 8 against 1.
//!    Loopback has no latency, so the emulator is made to model the network: every
//!    `calls/log` request is answered after a fixed delay (`FaultKind::Slow`).
//!
//! `cargo bench -p plumlogs-benches --bench client` (release). `CLIENT_BENCH_QUICK=1`
//! shrinks the work for a smoke run.

use plumlogs::{Client, Query, Service, Wire};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::time::{Duration, Instant};

const NOW: i64 = 1_780_000_000;
const DAY: i64 = 86_400;

fn client(emu: &Emulator, wire: Wire) -> Client {
    Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .wire(wire)
        .clock(|| NOW)
        .build()
        .expect("client")
}

/// The same pages fetched with a bare `std::net` HTTP/1.1 request: the bytes only.
fn raw_pages(emu: &Emulator, wire: Wire, start: i64, end: i64, expected: usize) -> Vec<Vec<u8>> {
    use std::io::{Read, Write};
    let host = emu.base_url().trim_start_matches("http://").to_owned();
    let auth = b64(format!("{}:{}", emu.username(), emu.password()).as_bytes());
    let mut pages = Vec::new();
    let mut offset = 0;
    loop {
        let mut s = std::net::TcpStream::connect(&host).unwrap();
        write!(
            s,
            "GET /ws/calls/sessions/{start}/{end}?offset={offset}&limit=10000 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\nAccept: {}\r\nConnection: close\r\n\r\n",
            wire.media_type()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert!(
            raw.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&raw[..head_end])
        );
        pages.push(raw.split_off(head_end));
        offset += 10_000;
        if offset >= expected {
            return pages;
        }
    }
}

/// Standard base64, so the bench needs no extra dependency for one header.
fn b64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every record, unwrapped and kept from being optimised away; their number.
fn drain<T, E: std::fmt::Debug>(it: impl Iterator<Item = Result<T, E>>) -> usize {
    let mut n = 0;
    for r in it {
        std::hint::black_box(r.unwrap());
        n += 1;
    }
    n
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.unwrap())
}

fn sessions_throughput(quick: bool) {
    let days = if quick { 2 } else { 10 };
    let emu = Emulator::start(EmulatorConfig {
        calls_per_day: 10_000,
        clock: Some(NOW),
        ..Default::default()
    })
    .unwrap();
    let (start, end) = (NOW - days * DAY, NOW);
    let q = Query::new(start, end).page_size(10_000);
    println!("sessions, 10,000-item pages, {days} days at 10,000 calls/day");
    for wire in [Wire::Json, Wire::Xml] {
        let c = client(&emu, wire);
        // Warm-up: the emulator generates each day on first touch.
        let n = drain(c.sessions(&q).unwrap());
        let runs = if quick { 1 } else { 3 };
        let (walk, count) = best_of(runs, || drain(c.sessions(&q).unwrap()));
        assert_eq!(count, n);
        let (fetch, pages) = best_of(runs, || raw_pages(&emu, wire, start, end, n));
        let bytes: usize = pages.iter().map(Vec::len).sum();
        let (decode, decoded) = best_of(runs, || {
            let mut k = 0;
            for body in &pages {
                let page = plumlogs::decode_lines(body, Service::Sessions).unwrap();
                k += drain(page.sessions().map(|r| r.map(|s| s.into_owned())));
            }
            k
        });
        assert_eq!(decoded, n);
        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "  {:4}: {n} records, {:.1} MB in {} pages | client {:>9.0} rec/s | raw fetch only {:>9.0} rec/s | decode+own only {:>9.0} rec/s | client/fetch-only = {:.2}",
            wire.name(),
            bytes as f64 / 1e6,
            pages.len(),
            rate(walk),
            rate(fetch),
            rate(decode),
            fetch.as_secs_f64() / walk.as_secs_f64(),
        );
    }
}

fn call_logs_concurrency(quick: bool) {
    let logs: u64 = if quick { 200 } else { 1000 };
    let delay_ms = 20;
    let emu = Emulator::start(EmulatorConfig {
        calls_per_day: 10_000,
        clock: Some(NOW),
        ..Default::default()
    })
    .unwrap();
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 4 * DAY, NOW).limit(logs);
    // Warm-up (day generation) without the delay.
    assert_eq!(
        c.call_logs_with_text(&q, 8)
            .unwrap()
            .filter(|(_, r)| r.is_ok())
            .count() as u64,
        logs
    );
    println!("{logs} call logs, each answered after {delay_ms} ms (emulated network latency)");
    let mut times = Vec::new();
    for concurrency in [1usize, 8] {
        emu.clear_faults();
        emu.inject(
            Fault::times(FaultKind::Slow { delay_ms }, logs as u32).on_path("/ws/calls/log/"),
        );
        let t = Instant::now();
        let ok = c
            .call_logs_with_text(&q, concurrency)
            .unwrap()
            .filter(|(_, r)| r.is_ok())
            .count() as u64;
        let d = t.elapsed();
        assert_eq!(ok, logs);
        assert!(emu.faults().is_empty(), "every log request was delayed");
        println!(
            "  concurrency {concurrency}: {:.2} s ({:.0} logs/s)",
            d.as_secs_f64(),
            logs as f64 / d.as_secs_f64()
        );
        times.push(d);
    }
    println!(
        "  speed-up 8 vs 1: {:.2}x",
        times[0].as_secs_f64() / times[1].as_secs_f64()
    );
}

fn main() {
    if !plumlogs_benches::selected_by_filter("client") {
        return;
    }
    // `cargo bench` passes `--bench`; nothing else is understood.
    let quick = std::env::var_os("CLIENT_BENCH_QUICK").is_some();
    sessions_throughput(quick);
    call_logs_concurrency(quick);
}
