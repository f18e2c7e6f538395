//! Soak run (a bounded program, not a timed test): many clients, every fault kind,
//! every listing checked record by record.
//!
//! `cargo bench -p plumlogs-benches --bench soak`
//! (env `SOAK_CLIENTS`, default 50, and `SOAK_LISTINGS`, default 200 per client).
//!
//! One emulator; first every listing of a fixed set (sessions, errors and call-log
//! summaries over several windows, page sizes and both wires, plus single call
//! logs) is fetched with no fault queued: that is the reference. Then a
//! deterministic mix of every fault kind is queued (`inject_every`: each kind
//! answers every N-th request, N a distinct prime), and `SOAK_CLIENTS` threads, each
//! with its own `plumlogs::Client` (which retries), fetch `SOAK_LISTINGS` listings
//! each from the set in a fixed order and compare each with its reference.
//!
//! Counted: listings equal to the reference, listings that raised (a typed error
//! after the retries ran out: allowed by the promise, reported), records lost and
//! records duplicated (must be 0), panics in any thread of the process, emulator or
//! client (must be 0), and at the end: a fault-free listing still equals its
//! reference and every connection slot is free once the clients are gone. Peak RSS
//! of the whole process (emulator and clients) is `VmHWM` from `/proc/self/status`.
//! Exits non-zero when a must-be-0 count is not.
use plumlogs::{Client, Error, Query, Wire};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const NOW: i64 = 1_780_000_000;
const HOUR: i64 = 3600;
/// Uses of each queued fault: more than the run can consume.
const FAULT_COUNT: u32 = 10_000_000;

static PANICS: AtomicU64 = AtomicU64::new(0);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Debug)]
enum Listing {
    Sessions(i64, i64, u32, Wire),
    Errors(i64, i64, u32, Wire),
    Logs(i64, i64, u32, Wire),
    Log(u64, Wire),
}

/// A listing's records, each as its `Debug` text (every field, in order).
fn fetch(client: &Client, l: &Listing) -> Result<Vec<String>, Error> {
    fn all<T: std::fmt::Debug>(
        pages: impl Iterator<Item = Result<T, Error>>,
    ) -> Result<Vec<String>, Error> {
        pages.map(|r| r.map(|x| format!("{x:?}"))).collect()
    }
    match *l {
        Listing::Sessions(a, b, p, _) => all(client.sessions(&Query::new(a, b).page_size(p))?),
        Listing::Errors(a, b, p, _) => all(client.errors(&Query::new(a, b).page_size(p))?),
        Listing::Logs(a, b, p, _) => all(client.call_logs(&Query::new(a, b).page_size(p))?),
        Listing::Log(id, _) => client.call_log(id).map(|l| vec![format!("{l:?}")]),
    }
}

fn wire(l: &Listing) -> Wire {
    match *l {
        Listing::Sessions(.., w)
        | Listing::Errors(.., w)
        | Listing::Logs(.., w)
        | Listing::Log(_, w) => w,
    }
}

fn client(emu: &Emulator, wire: Wire) -> Client {
    Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .clock(|| NOW)
        .wire(wire)
        .timeout(Duration::from_secs(5))
        .max_retries(12)
        .backoff(Duration::from_millis(1), Duration::from_millis(4))
        .build()
        .expect("client builds")
}

/// The listings of the run: windows of 1 to 3 hours (6 for errors) over the last
/// two days, page sizes from 25 (many pages) to 1,000, both wires.
fn listings() -> Vec<Listing> {
    let mut out = Vec::new();
    let sizes = [25, 100, 400, 1000];
    for i in 0..8i64 {
        let end = NOW - i * 5 * HOUR;
        let start = end - (1 + i % 3) * HOUR;
        let w = if i % 2 == 0 { Wire::Json } else { Wire::Xml };
        let p = sizes[i as usize % sizes.len()];
        out.push(Listing::Sessions(start, end, p, w));
        // Errors are ~4 % of calls: six hours, so that a night window holds some.
        out.push(Listing::Errors(end - 6 * HOUR, end, p.min(50), w));
        out.push(Listing::Logs(start, end, p, w));
    }
    out
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Records of `want` missing from `got`, and records of `got` beyond `want`
/// (counted as multisets).
fn lost_and_duplicated(want: &[String], got: &[String]) -> (u64, u64) {
    let mut count: HashMap<&str, i64> = HashMap::new();
    for w in want {
        *count.entry(w).or_default() += 1;
    }
    for g in got {
        *count.entry(g).or_default() -= 1;
    }
    let lost = count.values().filter(|&&n| n > 0).map(|&n| n as u64).sum();
    let dup = count.values().filter(|&&n| n < 0).map(|&n| -n as u64).sum();
    (lost, dup)
}

fn main() {
    let clients = env("SOAK_CLIENTS", 50);
    let per_client = env("SOAK_LISTINGS", 200);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));

    let emu = Emulator::start(EmulatorConfig {
        seed: 7,
        calls_per_day: 2000,
        clock: Some(NOW),
        ..Default::default()
    })
    .expect("emulator starts");

    // The reference, fault-free.
    let mut set = listings();
    let plain = client(&emu, Wire::Json);
    let log_ids: Vec<u64> = plain
        .call_logs(&Query::new(NOW - 2 * HOUR, NOW).page_size(1000))
        .expect("logs listing")
        .map(|r| r.expect("clean summary").log_id)
        .step_by(97)
        .take(8)
        .collect();
    for (i, id) in log_ids.iter().enumerate() {
        let w = if i % 2 == 0 { Wire::Json } else { Wire::Xml };
        set.push(Listing::Log(*id, w));
    }
    let reference: Vec<Vec<String>> = set
        .iter()
        .map(|l| fetch(&client(&emu, wire(l)), l).expect("a fault-free listing"))
        .collect();
    let reference_records: usize = reference.iter().map(Vec::len).sum();
    assert!(
        reference.iter().all(|r| !r.is_empty()),
        "every listing holds records"
    );

    // Every fault kind, each on every N-th request (distinct primes).
    let status = |status, retry_after| FaultKind::Status {
        status,
        retry_after,
    };
    let mix: Vec<(FaultKind, u32)> = vec![
        (FaultKind::Slow { delay_ms: 30 }, 11),
        (status(503, None), 13),
        (FaultKind::Truncated, 17),
        (FaultKind::Malformed, 19),
        (FaultKind::DocumentedFailure { status: 503 }, 23),
        (FaultKind::Drop, 29),
        (status(500, None), 31),
        (status(429, Some(0)), 37),
        (status(502, None), 41),
        (status(504, None), 43),
    ];
    for (kind, every) in &mix {
        emu.inject_every(Fault::times(kind.clone(), FAULT_COUNT), *every);
    }

    let set = Arc::new(set);
    let reference = Arc::new(reference);
    let equal = Arc::new(AtomicU64::new(0));
    let raised = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    let duplicated = Arc::new(AtomicU64::new(0));
    let records = Arc::new(AtomicU64::new(0));
    let raised_kinds = Arc::new(std::sync::Mutex::new(HashMap::<String, u64>::new()));
    let began = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let (set, reference) = (set.clone(), reference.clone());
            let (equal, raised, lost, duplicated, records, raised_kinds) = (
                equal.clone(),
                raised.clone(),
                lost.clone(),
                duplicated.clone(),
                records.clone(),
                raised_kinds.clone(),
            );
            let json = client(&emu, Wire::Json);
            let xml = client(&emu, Wire::Xml);
            std::thread::spawn(move || {
                for j in 0..per_client {
                    let k = (t * 7 + j * 5) % set.len();
                    let l = &set[k];
                    let c = if wire(l) == Wire::Json { &json } else { &xml };
                    match fetch(c, l) {
                        Ok(got) => {
                            records.fetch_add(got.len() as u64, Ordering::Relaxed);
                            if got == reference[k] {
                                equal.fetch_add(1, Ordering::Relaxed);
                            } else {
                                let (l, d) = lost_and_duplicated(&reference[k], &got);
                                eprintln!("listing {k} differs: {l} lost, {d} duplicated");
                                lost.fetch_add(l, Ordering::Relaxed);
                                duplicated.fetch_add(d, Ordering::Relaxed);
                            }
                        }
                        Err(e) => {
                            raised.fetch_add(1, Ordering::Relaxed);
                            let kind = format!("{e:?}").chars().take(60).collect::<String>();
                            *raised_kinds.lock().unwrap().entry(kind).or_default() += 1;
                        }
                    }
                }
            })
        })
        .collect();
    let mut client_panics = 0;
    for t in threads {
        if t.join().is_err() {
            client_panics += 1;
        }
    }
    let elapsed = began.elapsed();

    // What the mix consumed.
    let fired: Vec<(String, u64)> = emu
        .faults()
        .iter()
        .map(|f| {
            let name = format!("{:?}", f.kind);
            (name, u64::from(FAULT_COUNT - f.count))
        })
        .collect();
    let faults_fired: u64 = fired.iter().map(|(_, n)| n).sum();

    // Health at the end: no faults, a listing equals its reference, slots free.
    emu.clear_faults();
    let check = fetch(&plain, &set[0]).map(|r| r == reference[0]);
    drop(plain);
    let open_after = emu.wait_for_no_connections(Duration::from_secs(10));
    let panics = PANICS.load(Ordering::SeqCst);
    let (equal, raised, lost, duplicated) = (
        equal.load(Ordering::SeqCst),
        raised.load(Ordering::SeqCst),
        lost.load(Ordering::SeqCst),
        duplicated.load(Ordering::SeqCst),
    );

    println!(
        "soak: {clients} clients × {per_client} listings, {} distinct listings ({reference_records} records in their references)",
        set.len()
    );
    println!("  time {:.1} s", elapsed.as_secs_f64());
    println!(
        "  listings: {equal} equal to the reference, {raised} raised, {} differed",
        clients * per_client - equal as usize - raised as usize
    );
    println!(
        "  records fetched {}; lost {lost}; duplicated {duplicated}",
        records.load(Ordering::SeqCst)
    );
    // The first fault of the mix counts every API request and fires on each N-th.
    let requests = fired.first().map_or(0, |(_, n)| n * u64::from(mix[0].1));
    println!("  API requests about {requests}; faults fired {faults_fired}:");
    for (name, n) in &fired {
        println!("    {n:>7}  {name}");
    }
    for (kind, n) in raised_kinds.lock().unwrap().iter() {
        println!("  raised {n}× {kind}");
    }
    println!("  panics {panics} (client threads that died: {client_panics})");
    println!(
        "  at the end: fault-free listing equal: {:?}; open connection slots {open_after}",
        check
    );
    match vm_hwm_kib() {
        Some(k) => println!("  peak RSS (VmHWM) {:.1} MiB", k as f64 / 1024.0),
        None => println!("  peak RSS: /proc/self/status has no VmHWM"),
    }
    let healthy = matches!(check, Ok(true)) && open_after == 0;
    if lost > 0
        || duplicated > 0
        || panics > 0
        || client_panics > 0
        || !healthy
        || equal + raised != (clients * per_client) as u64
    {
        eprintln!("soak FAILED");
        std::process::exit(1);
    }
}
