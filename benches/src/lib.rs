//! Realistic synthetic corpora for the benchmarks, built from core's records and
//! their `Display` (the one formatter), so the benches read exactly what Plum writes.

/// The Rust snippets of the root README, compiled as doc tests (`cargo test -p
/// plumlogs-benches --doc`; this crate is never published, so it may reach outside
/// its folder). Other languages' blocks are not Rust and are skipped by rustdoc.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RootReadme;

/// The core crate's README (what crates.io shows), compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../core/README.md")]
pub struct CoreReadme;

use plumlogs::{ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp};
use std::borrow::Cow;
use std::fmt::Write;

/// A seeded generator, so every run benches the same text.
pub struct Rng(fastrand::Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(fastrand::Rng::with_seed(seed))
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.u64(0..n)
    }
}

const DNIS: [&str; 4] = ["6177123000", "8009957586", "8885550100", "2125550199"];
const LOGINS: [&str; 3] = [
    "test@login.com",
    "ops@acme-ivr.example",
    "dialer@plumlogs.test",
];
const LABELS: [&str; 5] = [
    "fetchurl",
    "menu",
    "caller_input",
    "debug",
    "transfer_target",
];
const ERRORS: [&str; 5] = [
    "Max Disconnect Count Exceeded",
    "errno: 210 message Maximum loop count exceeded",
    "ReferenceError: d is not defined line 1",
    "error.badfetch: http://apps.example.com/ivr/main.vxml returned 404",
    "error.semantic: undefined variable 'account_number'",
];

fn phone(rng: &mut Rng) -> String {
    format!(
        "{}{:03}555{:04}",
        1 + rng.below(9),
        200 + rng.below(799),
        rng.below(10_000)
    )
}

/// `lines` session log lines: calls of every kind plus `local` fetchurl/tag lines,
/// e-mail DNIS for outbound calls, offsets -0500 and -0400.
pub fn session_corpus(lines: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(lines * 130);
    let mut t: i64 = 1_509_673_023;
    for _ in 0..lines {
        t += rng.below(40) as i64;
        let offset = if rng.below(2) == 0 { -300 } else { -240 };
        let kind = match rng.below(10) {
            0..=3 => "inbound",
            4..=5 => "outbound",
            6 => "transfer",
            _ => "local",
        };
        let channel = rng.below(48) as u32;
        let ani = phone(&mut rng);
        let dnis = if kind == "outbound" {
            LOGINS[rng.below(3) as usize].to_string()
        } else {
            DNIS[rng.below(4) as usize].to_string()
        };
        let sid = format!("{:06};{:03};{}", rng.below(500_000), channel, t);
        let detail = if kind == "local" {
            let label = LABELS[rng.below(5) as usize];
            let message = if label == "fetchurl" {
                format!("http://apps.example.com/ivr/start.vxml?dnis={dnis}")
            } else {
                format!(
                    "caller chose option {} [attempt {}]",
                    rng.below(9),
                    rng.below(3)
                )
            };
            SessionDetail::Tag {
                label: Cow::Owned(label.into()),
                message: Cow::Owned(message),
            }
        } else {
            let len = rng.below(900) as i64;
            SessionDetail::Call {
                start: t + 5,
                end: t + 5 + len,
                duration: len as u64,
            }
        };
        let rec = SessionRecord {
            kind: Cow::Borrowed(kind),
            ani: Cow::Owned(ani),
            channel,
            timestamp: Timestamp::from_unix(t, offset),
            dnis: Cow::Owned(dnis),
            session_id: SessionId(Cow::Owned(sid)),
            detail,
        };
        writeln!(out, "{rec}").unwrap();
    }
    out
}

/// `lines` error log lines with the documented messages and similar ones.
pub fn error_corpus(lines: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(lines * 130);
    let mut t: i64 = 1_479_411_625;
    for _ in 0..lines {
        t += rng.below(400) as i64;
        let channel = rng.below(48) as u32;
        let rec = ErrorRecord {
            ani: Cow::Owned(phone(&mut rng)),
            channel,
            timestamp: Timestamp::from_unix(t, if rng.below(2) == 0 { -300 } else { -240 }),
            dnis: Cow::Borrowed(DNIS[rng.below(4) as usize]),
            session_id: SessionId(Cow::Owned(format!(
                "{:06};{:03};{}",
                rng.below(500_000),
                channel,
                t
            ))),
            message: Cow::Borrowed(ERRORS[rng.below(5) as usize]),
        };
        writeln!(out, "{rec}").unwrap();
    }
    out
}

/// A call-log text of about `entries` entries, some with continuation lines.
pub fn call_log_corpus(entries: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(entries * 110);
    let mut t: i64 = 1_030_544_218;
    let modules = ["tel", "vxi", "prompt", "rec", "jsi", "inet", "dlg", "sip"];
    let levels = ["EVENT", "DEBUG", "LOCAL", "USAGE", "ERROR"];
    for n in 0..entries {
        t += rng.below(3) as i64;
        let ts = Timestamp::from_unix(t, -240);
        let entry = plumlogs::CallLogEntry {
            timestamp: ts,
            zone: Cow::Borrowed("EDT"),
            module: Cow::Borrowed(modules[rng.below(8) as usize]),
            session_id: SessionId(Cow::Owned(format!(
                "100025;006;{}",
                1_030_544_200 + n as i64 / 50
            ))),
            level: Cow::Borrowed(levels[rng.below(5) as usize]),
            message: Cow::Owned(if rng.below(10) == 0 {
                "fetch http://apps.example.com/ivr/main.vxml\n  status 200\n  bytes 5121".into()
            } else {
                format!("prompt played: welcome_{}.wav", rng.below(20))
            }),
        };
        writeln!(out, "{entry}").unwrap();
    }
    out
}

/// For the plain `fn main` benches: `cargo bench --workspace -- FILTER` passes the
/// filter to every bench binary; run only when no filter is given or it names us,
/// as criterion and libtest do.
pub fn selected_by_filter(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}
