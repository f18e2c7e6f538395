//! First sync vs a serial pull with the client, against the emulator with a fixed
//! latency per request. Run by hand:
//!
//! ```sh
//! cargo bench -p plumlogs-archive --bench sync
//! # scaled: CALLS_PER_DAY=500 DAYS=365 LATENCY_MS=50 CONCURRENCY=16 cargo bench -p plumlogs-archive --bench sync
//! ```
//!
//! Prints: first-sync wall time and requests; the serial pull's (today's client:
//! `sessions`, `errors`, `call_logs_with_text` at concurrency 1, default page size);
//! their ratio; the requests of a re-sync of the up-to-date archive; bytes on disk vs
//! the raw text; peak RSS of the sync (the emulator runs in this process too).

use plumlogs::{Client, Query};
use plumlogs_archive::{SyncOptions, Table, sync};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::path::Path;
use std::time::{Duration, Instant};

/// 2026-05-28T20:26:40Z.
const T: i64 = 1_780_000_000;
const DAY: i64 = 86_400;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "parquet") {
                total += e.metadata().unwrap().len();
            }
        }
    }
    total
}

/// The child: one sync, then its own peak RSS (the emulator is not in this process).
fn child(url: &str, dir: &str) {
    let client = Client::builder()
        .base_url(url)
        .username(plumlogs_emulator::DEFAULT_USERNAME)
        .password(plumlogs_emulator::DEFAULT_PASSWORD)
        .timeout(Duration::from_secs(120))
        .clock(|| T)
        .build()
        .unwrap();
    let opts = SyncOptions {
        since: Some(T - (env("DAYS", 365) as i64 - 1) * DAY),
        concurrency: env("CONCURRENCY", 16) as usize,
        ..SyncOptions::default()
    };
    let report = sync(Path::new(dir), &client, &opts).unwrap();
    println!(
        "{} {} {} {}",
        report.days_written,
        report.records,
        peak_rss_kib(),
        report.requests
    );
}

/// Compressed bytes per column over a table's files, from the Parquet footers.
fn column_bytes(dir: &Path) -> Vec<(String, i64)> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let mut sums: Vec<(String, i64)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let reader = SerializedFileReader::new(std::fs::File::open(&p).unwrap()).unwrap();
            for rg in reader.metadata().row_groups() {
                for (i, c) in rg.columns().iter().enumerate() {
                    let name = c.column_path().string();
                    if sums.len() <= i {
                        sums.push((name, 0));
                    }
                    sums[i].1 += c.compressed_size();
                }
            }
        }
    }
    sums
}

fn main() {
    if let (Ok(url), Ok(dir)) = (
        std::env::var("BENCH_CHILD_URL"),
        std::env::var("BENCH_CHILD_DIR"),
    ) {
        return child(&url, &dir);
    }
    let calls_per_day = env("CALLS_PER_DAY", 2000) as u32;
    let days = env("DAYS", 365) as i64;
    let latency = env("LATENCY_MS", 50);
    let concurrency = env("CONCURRENCY", 16) as usize;
    let emu = Emulator::start(EmulatorConfig {
        calls_per_day,
        clock: Some(T),
        ..Default::default()
    })
    .unwrap();
    emu.inject(Fault::times(
        FaultKind::Slow { delay_ms: latency },
        u32::MAX,
    ));
    let client = Client::builder()
        .base_url(emu.base_url())
        .username(emu.username())
        .password(emu.password())
        .timeout(Duration::from_secs(120))
        .clock(|| T)
        .build()
        .unwrap();
    let since = T - (days - 1) * DAY;
    println!(
        "emulator: {calls_per_day} calls/day, {days} days of sessions and errors, 5 days of call logs, {latency} ms per request; sync concurrency {concurrency}"
    );

    // First sync.
    let dir = std::env::temp_dir().join(format!("plumlogs-archive-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = SyncOptions {
        since: Some(since),
        concurrency,
        ..SyncOptions::default()
    };
    emu.clear_requests();
    let t = Instant::now();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("BENCH_CHILD_URL", emu.base_url())
        .env("BENCH_CHILD_DIR", &dir)
        .output()
        .unwrap();
    let sync_wall = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let nums: Vec<u64> = line
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    let disk = dir_bytes(&dir);
    // The sync's own count (the emulator's request log keeps only the last 10,000).
    let sync_requests = nums[3];
    println!(
        "first sync (child process): {:.2} s, {sync_requests} requests, {} day files, {} records; peak RSS of the sync process {} MiB",
        sync_wall.as_secs_f64(),
        nums[0],
        nums[1],
        nums[2] / 1024
    );

    // Re-sync of the up-to-date archive (same clock).
    emu.clear_requests();
    let again = sync(&dir, &client, &opts).unwrap();
    println!(
        "re-sync: {} requests (the emulator saw {}), {} day files rewritten (today's), {} sealed days skipped",
        again.requests,
        emu.requests().len(),
        again.days_written,
        again.days_already_sealed
    );

    // Serial pull of the same data with the client, one request at a time.
    emu.clear_requests();
    let today_end = (T.div_euclid(DAY) + 1) * DAY;
    let first_day = since.div_euclid(DAY) * DAY;
    let t = Instant::now();
    let mut raw = 0u64;
    let mut serial_requests = 0;
    let mut pages = client
        .session_lines(&Query::new(first_day, today_end))
        .unwrap();
    for line in pages.by_ref() {
        raw += line.unwrap().len() as u64 + 1;
    }
    serial_requests += pages.requests();
    let mut pages = client
        .error_lines(&Query::new(first_day, today_end))
        .unwrap();
    for line in pages.by_ref() {
        raw += line.unwrap().len() as u64 + 1;
    }
    serial_requests += pages.requests();
    let log_start =
        (T - 5 * DAY + plumlogs_archive::RETENTION_MARGIN_SECONDS + DAY - 1).div_euclid(DAY) * DAY;
    let logs = client
        .call_logs_with_text(&Query::new(log_start, today_end), 1)
        .unwrap();
    // The listing walks pages of 1,000 until a short one: n / 1000 + 1 requests.
    serial_requests += logs.total() as u64 / 1000 + 1 + logs.total() as u64;
    for (_, log) in logs {
        raw += log.unwrap().text().len() as u64;
    }
    let serial_wall = t.elapsed();
    println!(
        "serial pull: {:.2} s, {serial_requests} requests",
        serial_wall.as_secs_f64()
    );
    println!(
        "ratio: first sync {:.1}x faster than the serial pull",
        serial_wall.as_secs_f64() / sync_wall.as_secs_f64()
    );
    println!(
        "disk: {disk} bytes of Parquet for {raw} bytes of raw text (lines + log texts): {:.3}x",
        disk as f64 / raw as f64
    );
    let tables: Vec<_> = Table::ALL
        .iter()
        .map(|t| format!("{}={}", t.name(), dir_bytes(&dir.join(t.name()))))
        .collect();
    println!("disk by table: {}", tables.join(" "));
    for t in Table::ALL {
        let cols = column_bytes(&dir.join(t.name()));
        let list: Vec<_> = cols.iter().map(|(c, b)| format!("{c}={b}")).collect();
        println!("  {} columns (compressed): {}", t.name(), list.join(" "));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
