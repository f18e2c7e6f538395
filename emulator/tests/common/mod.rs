//! Shared helpers: an emulator with a fixed clock, and `curl` (a client from another
//! codebase) driving it over real sockets.
#![allow(dead_code)]

use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::process::Command;

/// 2026-05-28T20:26:40Z: daylight time, so the `-0500` quirk shows.
pub const NOW: i64 = 1_780_000_000;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

pub fn start(seed: u64, calls_per_day: u32) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed,
        calls_per_day,
        clock: Some(NOW),
        ..Default::default()
    })
    .expect("emulator starts")
}

#[derive(Debug)]
pub struct Reply {
    /// curl's exit code (0 = a complete response arrived).
    pub exit: i32,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// `curl -sS -i ARGS...`; the head is split off the body.
pub fn curl(args: &[&str]) -> Reply {
    let out = Command::new("curl")
        .arg("-sS")
        .arg("-i")
        .args(args)
        .output()
        .expect("curl is installed");
    let exit = out.status.code().unwrap_or(-1);
    let mut raw: &[u8] = &out.stdout;
    let mut status = 0;
    let mut headers = Vec::new();
    // Skip interim 100-continue heads.
    while let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = std::str::from_utf8(&raw[..end]).expect("ASCII head");
        raw = &raw[end + 4..];
        let mut lines = head.split("\r\n");
        status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        if status != 100 {
            break;
        }
    }
    Reply {
        exit,
        status,
        headers,
        body: raw.to_vec(),
    }
}

/// `curl -u user:pass [-H"Accept: application/xml"] URL`, as the docs call it.
pub fn get(emu: &Emulator, path: &str, xml: bool) -> Reply {
    let user = format!("{}:{}", emu.username(), emu.password());
    let url = format!("{}{}", emu.base_url(), path);
    if xml {
        curl(&["-u", &user, "-HAccept: application/xml", &url])
    } else {
        curl(&["-u", &user, &url])
    }
}

/// The texts of the items of a lines body (JSON or XML) and its `total_*`, read
/// with `plumlogs`' own decoder.
pub fn items(body: &[u8], list: &str, _item: &str) -> (u64, Vec<String>) {
    let service: plumlogs::Service = list.parse().expect("a service name");
    let page = plumlogs::decode_lines(body, service).unwrap_or_else(|e| {
        panic!(
            "core cannot decode the body ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    let total = page.total.expect("the emulator always sends total_*");
    // Item texts stay as sent (JSON keeps `\/` in timestamps, zero-copy), so lines
    // are compared in their canonical form: parsed, then written back by core.
    let lines = match service {
        plumlogs::Service::Errors => page
            .errors()
            .map(|r| r.expect("error line parses").to_string())
            .collect(),
        _ => page
            .sessions()
            .map(|r| r.expect("session line parses").to_string())
            .collect(),
    };
    (total, lines)
}

pub fn sessions_path(start: i64, end: i64, query: &str) -> String {
    format!("/ws/calls/sessions/{start}/{end}{query}")
}
