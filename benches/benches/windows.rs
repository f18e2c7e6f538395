//! 90 days of sessions, one serial walk against parallel sub-windows at the default
//! settings, in one run (not a timed test): a busy account (2,000 calls a day) and a
//! quiet one (200), where splitting must not cost more than it saves.
//!
//! Loopback has no latency, so the emulator models the network: every sessions
//! request is answered after 50 ms (`FaultKind::Slow`). Both walks use 10,000-item
//! pages and must return the same records in the same order.
//!
//! `cargo bench -p plumlogs-benches --bench windows` (release). `WINDOWS_BENCH_RUNS=N`
//! sets the rounds (default 3; the best of each is reported).

use plumlogs::client::WindowOptions;
use plumlogs::{Client, Query, SessionRecord, Wire};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::time::{Duration, Instant};

const NOW: i64 = 1_780_000_000;
const DAY: i64 = 86_400;
const LATENCY_MS: u64 = 50;

fn main() {
    if !plumlogs_benches::selected_by_filter("windows") {
        return;
    }
    let runs: usize = std::env::var("WINDOWS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| (1..=20).contains(&n))
        .unwrap_or(3);
    for calls_per_day in [2000, 200] {
        compare(calls_per_day, runs);
    }
}

fn compare(calls_per_day: u32, runs: usize) {
    let emu = Emulator::start(EmulatorConfig {
        calls_per_day,
        clock: Some(NOW),
        ..Default::default()
    })
    .expect("emulator");
    let c = Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .wire(Wire::Json)
        .clock(|| NOW)
        .build()
        .expect("client");
    let q = Query::new(NOW - 90 * DAY, NOW).page_size(10_000);
    // Warm-up without the delay: the emulator generates its days once.
    let reference: Vec<SessionRecord<'static>> =
        c.sessions(&q).unwrap().collect::<Result<_, _>>().unwrap();
    println!(
        "90 days of sessions at {calls_per_day} calls/day: {} records, 10,000-item pages, each request answered after {LATENCY_MS} ms",
        reference.len()
    );
    let mut best = [Duration::MAX; 2];
    let mut requests = [0u64; 2];
    for round in 0..runs {
        for (k, opts) in [
            WindowOptions::default().concurrency(1),
            WindowOptions::default(),
        ]
        .into_iter()
        .enumerate()
        {
            emu.clear_faults();
            emu.inject_every(
                Fault::times(
                    FaultKind::Slow {
                        delay_ms: LATENCY_MS,
                    },
                    100_000,
                )
                .on_path("/ws/calls/sessions/"),
                1,
            );
            let t = Instant::now();
            let mut w = c.sessions_windowed(&q, opts).unwrap();
            let mut got = Vec::with_capacity(reference.len());
            while let Some(page) = w.next_page() {
                got.extend(page.unwrap());
            }
            let d = t.elapsed();
            assert!(got == reference, "the same records in the same order");
            requests[k] = w.requests();
            best[k] = best[k].min(d);
            println!(
                "  round {round} {:>26}: {:>3} requests in {:>3} sub-window(s), {:.2} s",
                if k == 0 {
                    "serial (concurrency 1)".to_owned()
                } else {
                    format!("default (concurrency {})", opts.concurrency)
                },
                w.requests(),
                w.sub_windows(),
                d.as_secs_f64()
            );
        }
    }
    emu.clear_faults();
    println!(
        "best of {runs}: serial {:.2} s ({} requests), default {:.2} s ({} requests): {:.2}x faster",
        best[0].as_secs_f64(),
        requests[0],
        best[1].as_secs_f64(),
        requests[1],
        best[0].as_secs_f64() / best[1].as_secs_f64()
    );
}
