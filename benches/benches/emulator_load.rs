//! Load run against the emulator (a load test, not a criterion benchmark):
//! 50 concurrent keep-alive clients × 200 requests of 1,000-item session pages.
//!
//! `cargo bench -p plumlogs-benches --bench emulator_load`
//! (env `LOAD_CLIENTS`, `LOAD_REQUESTS`, `LOAD_PAGE` override the shape).
//!
//! Every response is checked (status 200, complete body, decoded by `plumlogs`
//! with exactly the asked-for number of items; every 10th page's lines parsed too);
//! anything else counts as an error and makes the run exit non-zero.
//! Latency is per request, from the write of the request to the last body byte.
//! The baseline, measured in the same run with the same clients, is
//! `GET /__emulator/health` (a tiny JSON answer): it shows what the machine's
//! loopback and the server's connection handling cost on their own, so the
//! ratio — not the absolute figure — is what to compare between machines.
use plumlogs::Service;
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

const NOW: i64 = 1_780_000_000;
const DAY: i64 = 86_400;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn base64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One request on a kept-alive connection: (status, body).
fn get(conn: &mut BufReader<TcpStream>, path: &str, auth: &str) -> std::io::Result<(u16, Vec<u8>)> {
    // One write per request: several small ones would meet Nagle and delayed ACKs.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: Basic {auth}\r\n\r\n");
    conn.get_mut().write_all(request.as_bytes())?;
    let mut line = String::new();
    conn.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut len = None;
    loop {
        line.clear();
        if conn.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line.trim_end().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().ok();
        }
    }
    let mut body = vec![0; len.ok_or(std::io::ErrorKind::InvalidData)?];
    conn.read_exact(&mut body)?;
    Ok((status, body))
}

struct Run {
    wall: Duration,
    latencies: Vec<Duration>,
    errors: Vec<String>,
    bytes: u64,
}

/// Checks one response body of client `i`.
type Check = Arc<dyn Fn(usize, &[u8]) -> Result<(), String> + Send + Sync>;

fn run(
    addr: &str,
    auth: &str,
    clients: usize,
    requests: usize,
    path_of: Arc<dyn Fn(usize, usize) -> String + Send + Sync>,
    check: Check,
) -> Run {
    let start = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (addr, auth, path_of, check) = (
                addr.to_string(),
                auth.to_string(),
                path_of.clone(),
                check.clone(),
            );
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(requests);
                let mut errors = Vec::new();
                let mut bytes = 0u64;
                let mut conn = None;
                for i in 0..requests {
                    let path = path_of(c, i);
                    let t = Instant::now();
                    if conn.is_none() {
                        match TcpStream::connect(&addr) {
                            Ok(s) => {
                                let _ = s.set_nodelay(true);
                                conn = Some(BufReader::with_capacity(64 * 1024, s));
                            }
                            Err(e) => {
                                errors.push(format!("connect: {e}"));
                                continue;
                            }
                        }
                    }
                    let result = get(conn.as_mut().unwrap(), &path, &auth);
                    let took = t.elapsed();
                    match result {
                        Ok((200, body)) => {
                            lat.push(took);
                            bytes += body.len() as u64;
                            if let Err(e) = check(i, &body) {
                                errors.push(format!("{path}: {e}"));
                            }
                        }
                        Ok((status, body)) => errors.push(format!(
                            "{path}: HTTP {status}: {}",
                            String::from_utf8_lossy(&body)
                        )),
                        Err(e) => {
                            errors.push(format!("{path}: {e}"));
                            conn = None;
                        }
                    }
                }
                (lat, errors, bytes)
            })
        })
        .collect();
    let mut out = Run {
        wall: Duration::ZERO,
        latencies: Vec::new(),
        errors: Vec::new(),
        bytes: 0,
    };
    for h in handles {
        let (lat, errors, bytes) = h.join().expect("client thread");
        out.latencies.extend(lat);
        out.errors.extend(errors);
        out.bytes += bytes;
    }
    out.wall = start.elapsed();
    out.latencies.sort();
    out
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn report(name: &str, r: &Run) -> (f64, Duration) {
    let n = r.latencies.len();
    let rps = n as f64 / r.wall.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<10} {n:>6} ok {:>3} errors  {:>8.1} s  {rps:>8.0} req/s  {:>7.1} MB/s  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        r.errors.len(),
        r.wall.as_secs_f64(),
        r.bytes as f64 / 1e6 / r.wall.as_secs_f64(),
        ms(pct(&r.latencies, 0.50)),
        ms(pct(&r.latencies, 0.90)),
        ms(pct(&r.latencies, 0.99)),
        ms(*r.latencies.last().unwrap_or(&Duration::ZERO)),
    );
    for e in r.errors.iter().take(5) {
        println!("  error: {e}");
    }
    (rps, pct(&r.latencies, 0.99))
}

fn main() {
    if !plumlogs_benches::selected_by_filter("emulator_load") {
        return;
    }
    let clients = env("LOAD_CLIENTS", 50);
    let requests = env("LOAD_REQUESTS", 200);
    let page = env("LOAD_PAGE", 1000);
    let emu = Emulator::start(EmulatorConfig {
        clock: Some(NOW),
        ..Default::default()
    })
    .expect("emulator starts");
    let addr = emu.base_url().trim_start_matches("http://").to_string();
    let auth = base64(format!("{}:{}", emu.username(), emu.password()).as_bytes());
    println!(
        "emulator load run: {clients} clients x {requests} requests, {page}-item session pages, 2,000 calls/day, {} threads available",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let health = run(
        &addr,
        &auth,
        clients,
        requests,
        Arc::new(|_, _| "/__emulator/health".to_string()),
        Arc::new(|_, body: &[u8]| {
            if body == br#"{"ok":true}"# {
                Ok(())
            } else {
                Err("unexpected health body".into())
            }
        }),
    );
    // Each client pages through its own 30-day window (clients' windows overlap),
    // as a real client walking `offset`/`limit` would.
    let pages = run(
        &addr,
        &auth,
        clients,
        requests,
        Arc::new(move |c, i| {
            let end = NOW - (c as i64 % 300) * DAY;
            format!(
                "/ws/calls/sessions/{}/{end}?offset={}&limit={page}",
                end - 30 * DAY,
                i * page
            )
        }),
        Arc::new(move |i, body: &[u8]| {
            let decoded =
                plumlogs::decode_lines(body, Service::Sessions).map_err(|e| e.to_string())?;
            if decoded.items.len() != page {
                return Err(format!("{} items, expected {page}", decoded.items.len()));
            }
            if i % 10 == 0 {
                for r in decoded.sessions() {
                    r.map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        }),
    );
    println!();
    let (base_rps, base_p99) = report("baseline", &health);
    let (rps, p99) = report("pages", &pages);
    println!(
        "pages vs baseline: throughput x{:.3}, p99 latency x{:.1}",
        rps / base_rps,
        p99.as_secs_f64() / base_p99.as_secs_f64().max(1e-9)
    );
    if !health.errors.is_empty() || !pages.errors.is_empty() {
        std::process::exit(1);
    }
}
