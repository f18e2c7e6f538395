//! `plumlogs demo`: the whole job with no account. An emulator on a free loopback
//! port, a day of sessions, errors and call logs pulled through the real client
//! (HTTP, paging, decoding, parsing), a short report, and the emulator stopped.

use crate::DemoArgs;
use crate::fail::Fail;
use crate::output::escape_controls;
use plumlogs::client::{Client, Query};
use plumlogs::session::write_call_length;
use plumlogs::{CallSummary, ErrorRecord, SessionRecord, Timestamp};
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Instant;

/// Lines of the sample call log shown before eliding the rest.
const LOG_LINES_SHOWN: usize = 16;
/// Width of the longest bar in the hour chart.
const BAR_WIDTH: usize = 40;

struct Pulled {
    base_url: String,
    requests: usize,
    start: i64,
    end: i64,
    sessions: Vec<SessionRecord<'static>>,
    errors: Vec<ErrorRecord<'static>>,
    calls: Vec<CallSummary<'static>>,
    sample: Option<(CallSummary<'static>, plumlogs::client::CallLog)>,
}

fn pull(a: &DemoArgs) -> Result<Pulled, plumlogs::Error> {
    let config = EmulatorConfig {
        seed: a.seed,
        calls_per_day: a.calls_per_day,
        port: 0,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start(config).map_err(|e| plumlogs::Error::Transport {
        message: format!("cannot start the emulator: {e}"),
    })?;
    // From here on, any early return drops `emu`, which stops it.
    let client = Client::builder()
        .base_url(emu.base_url())
        .username(emu.username())
        .password(emu.password())
        .build()?;
    let end = emu.now();
    let start = end - 86_400;
    let q = Query::new(start, end);
    let sessions = client.sessions(&q)?.collect::<Result<Vec<_>, _>>()?;
    let errors = client.errors(&q)?.collect::<Result<Vec<_>, _>>()?;
    let calls = client.call_logs(&q)?.collect::<Result<Vec<_>, _>>()?;
    // The longest call has the most to show in its log.
    let sample = match calls
        .iter()
        .max_by_key(|c| (c.end - c.start, std::cmp::Reverse(c.log_id)))
    {
        Some(c) => Some((c.clone(), client.call_log(c.log_id)?)),
        None => None,
    };
    let pulled = Pulled {
        base_url: emu.base_url().to_owned(),
        requests: emu.requests().len(),
        start,
        end,
        sessions,
        errors,
        calls,
        sample,
    };
    emu.stop();
    Ok(pulled)
}

fn hms(seconds: u64) -> String {
    let mut s = String::new();
    write_call_length(&mut s, seconds).expect("writing to a String");
    s
}

fn utc(unix: i64) -> Timestamp {
    Timestamp::from_unix(unix, 0)
}

/// A horizontal bar in eighths of a cell.
fn bar(value: usize, max: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max == 0 {
        return String::new();
    }
    let eighths = value * BAR_WIDTH * 8 / max;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    s
}

fn report(p: &Pulled, elapsed: f64) -> String {
    let mut r = String::new();
    let w = &mut r;
    let _ = writeln!(
        w,
        "plumlogs demo: a day of synthetic Plum logs, pulled through the client"
    );
    let _ = writeln!(w, "  emulator  {} (stopped now)", p.base_url);
    let _ = writeln!(w, "  window    {} .. {}", utc(p.start), utc(p.end));
    let _ = writeln!(
        w,
        "  pulled    {} session lines, {} error lines, {} call logs listed, 1 call log read: {} HTTP requests in {elapsed:.2} s",
        p.sessions.len(),
        p.errors.len(),
        p.calls.len(),
        p.requests
    );

    let calls: Vec<&SessionRecord> = p
        .sessions
        .iter()
        .filter(|s| s.duration().is_some())
        .collect();
    let mut by_kind: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for c in &calls {
        let e = by_kind.entry(&c.kind).or_default();
        e.0 += 1;
        e.1 += c.duration().unwrap_or(0);
    }
    let tags = p.sessions.len() - calls.len();
    let _ = writeln!(w, "\nCalls by kind");
    let mut kinds: Vec<_> = by_kind.iter().collect();
    kinds.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    for (kind, (n, secs)) in &kinds {
        let _ = writeln!(w, "  {kind:<10} {n:>6}   talk time {:>10}", hms(*secs));
    }
    let _ = writeln!(
        w,
        "  {:<10} {:>6}   (`local` lines: <log> tags and start URLs)",
        "local", tags
    );

    let total: u64 = calls.iter().filter_map(|c| c.duration()).sum();
    let avg = if calls.is_empty() {
        0
    } else {
        total / calls.len() as u64
    };
    let _ = writeln!(
        w,
        "\nTotal talk time  {} over {} calls (average {})",
        hms(total),
        calls.len(),
        hms(avg)
    );

    let mut hours = [0usize; 24];
    for c in &calls {
        hours[c.timestamp.hour as usize % 24] += 1;
    }
    let max = hours.iter().copied().max().unwrap_or(0);
    let mut ranked: Vec<usize> = (0..24).collect();
    ranked.sort_by(|&a, &b| hours[b].cmp(&hours[a]).then(a.cmp(&b)));
    let top: Vec<String> = ranked
        .iter()
        .take(3)
        .filter(|&&h| hours[h] > 0)
        .map(|h| format!("{h:02}:00"))
        .collect();
    let _ = writeln!(
        w,
        "\nCalls per hour of day (local time as logged); busiest: {}",
        top.join(", ")
    );
    for (h, &n) in hours.iter().enumerate() {
        let _ = writeln!(w, "  {h:02}  {n:>5}  {}", bar(n, max));
    }

    let mut by_message: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &p.errors {
        *by_message.entry(&e.message).or_default() += 1;
    }
    let mut messages: Vec<_> = by_message.into_iter().collect();
    messages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(
        w,
        "\nMost frequent errors ({} error lines, {} distinct messages)",
        p.errors.len(),
        messages.len()
    );
    for (m, n) in messages.iter().take(5) {
        let _ = writeln!(w, "  {n:>5}  {}", escape_controls(m, false));
    }

    match &p.sample {
        None => {
            let _ = writeln!(w, "\nNo call log in the window.");
        }
        Some((c, log)) => {
            let _ = writeln!(
                w,
                "\nThe longest call's log: log_id {}, {} {} -> {}, {}, {} entries",
                c.log_id,
                c.call_type,
                c.src,
                c.dest,
                hms((c.end - c.start).max(0) as u64),
                log.entries().len()
            );
            let lines: Vec<&str> = log.text().lines().collect();
            for line in lines.iter().take(LOG_LINES_SHOWN) {
                let _ = writeln!(w, "  {}", escape_controls(line, false));
            }
            if lines.len() > LOG_LINES_SHOWN {
                let _ = writeln!(
                    w,
                    "  … {} more lines (`plumlogs log {}` prints them all)",
                    lines.len() - LOG_LINES_SHOWN,
                    c.log_id
                );
            }
        }
    }
    let _ = writeln!(
        w,
        "\nNext: `plumlogs emulator` serves the same data until Ctrl-C; with its PLUM_* exports,\n\
         `plumlogs sessions --from 24h`, `plumlogs errors`, `plumlogs calls` and `plumlogs log ID` read it."
    );
    r
}

pub fn run(a: &DemoArgs) -> Result<(), Fail> {
    let t0 = Instant::now();
    let pulled = pull(a).map_err(|e| Fail::Service(format!("demo failed: {e}")))?;
    let text = report(&pulled, t0.elapsed().as_secs_f64());
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
