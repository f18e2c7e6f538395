//! Shared by the `client_*` tests: an emulator with a fixed clock and a client
//! pointed at it with small timeouts and backoff, so fault tests stay fast.
#![allow(dead_code)]

use plumlogs::{Client, ClientBuilder, Wire};
use plumlogs_emulator::{Emulator, EmulatorConfig, RecordedRequest};
use std::time::Duration;

/// 2026-05-28T20:26:40Z, the emulator tests' clock.
pub const NOW: i64 = 1_780_000_000;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

pub fn emulator(calls_per_day: u32) -> Emulator {
    Emulator::start(EmulatorConfig {
        calls_per_day,
        clock: Some(NOW),
        ..Default::default()
    })
    .expect("emulator starts")
}

/// Credentials, base URL and clock of `emu`; 2 retries, 1–20 ms backoff, 2 s timeout.
pub fn builder(emu: &Emulator) -> ClientBuilder {
    Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .clock(|| NOW)
        .timeout(Duration::from_secs(2))
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(20))
}

pub fn client(emu: &Emulator, wire: Wire) -> Client {
    builder(emu).wire(wire).build().expect("client builds")
}

/// API requests (the control API is not recorded) whose path starts with `prefix`.
pub fn requests_to(emu: &Emulator, prefix: &str) -> Vec<RecordedRequest> {
    emu.requests()
        .into_iter()
        .filter(|r| r.path.starts_with(prefix))
        .collect()
}

/// A query parameter of a recorded request.
pub fn param(r: &RecordedRequest, name: &str) -> Option<String> {
    r.query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `(offset, limit)` of each recorded request, in order.
pub fn offsets_and_limits(reqs: &[RecordedRequest]) -> Vec<(u64, u64)> {
    reqs.iter()
        .map(|r| {
            let n = |k| {
                param(r, k)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{k} in {:?}", r.query))
            };
            (n("offset"), n("limit"))
        })
        .collect()
}
