//! Serve a whole year of sessions page by page and report memory:
//! `cargo run --release -p plumlogs-emulator --example year -- [CALLS_PER_DAY] [PAGE_SIZE]`
//! (defaults 2000 and 1000).
//!
//! The emulator runs in this process; one keep-alive client pages through the
//! year-long window with `offset`/`limit`, parses every line with `plumlogs`, and
//! checks that the pages add up to `total_sessions`. Prints the resident memory
//! (VmRSS) after start-up and the peak (VmHWM) over the run, which includes the
//! client's own page buffers. Exits non-zero if anything is off or the peak
//! reaches 100 MB.
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn get(conn: &mut BufReader<TcpStream>, path: &str, auth: &str) -> Vec<u8> {
    // One write per request: several small ones would meet Nagle and delayed ACKs.
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: Basic {auth}\r\n\r\n");
    conn.get_mut().write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let mut len = 0;
    loop {
        line.clear();
        conn.read_line(&mut line).unwrap();
        if line.trim_end().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    conn.read_exact(&mut body).unwrap();
    body
}

fn main() {
    use base64::Engine as _;
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric argument"))
        .collect();
    let calls_per_day = args.first().copied().unwrap_or(2000) as u32;
    let page = args.get(1).copied().unwrap_or(1000);
    let now = 1_780_000_000;
    let t0 = Instant::now();
    let emu = Emulator::start(EmulatorConfig {
        calls_per_day,
        clock: Some(now),
        ..Default::default()
    })
    .unwrap();
    let startup = t0.elapsed();
    let rss_started = status_kb("VmRSS:");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        emu.username(),
        emu.password()
    ));
    let mut conn =
        BufReader::new(TcpStream::connect(emu.base_url().trim_start_matches("http://")).unwrap());
    let (start, end) = (now - 365 * 86_400, now);
    let t1 = Instant::now();
    let (mut offset, mut pages, mut total) = (0u64, 0u64, None);
    loop {
        let body = get(
            &mut conn,
            &format!("/ws/calls/sessions/{start}/{end}?offset={offset}&limit={page}"),
            &auth,
        );
        let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON page");
        let t: u64 = v["result"]["total_sessions"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(*total.get_or_insert(t), t, "total is stable across pages");
        let items = v["result"]["sessions"].as_array().unwrap();
        for item in items {
            plumlogs::parse_session_line(item.as_str().unwrap()).expect("every line parses");
        }
        offset += items.len() as u64;
        pages += 1;
        if (items.len() as u64) < page {
            break;
        }
    }
    let took = t1.elapsed();
    let total = total.unwrap_or(0);
    assert_eq!(offset, total, "the pages add up to total_sessions");
    let peak = status_kb("VmHWM:");
    println!("calls/day {calls_per_day}, page size {page}");
    println!(
        "start-up {:.3} ms, VmRSS after start-up {rss_started} kB",
        startup.as_secs_f64() * 1e3
    );
    println!(
        "year of sessions: {total} lines in {pages} pages, {:.1} s ({:.0} lines/s, {:.2} ms/page)",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e3 / pages as f64
    );
    println!("VmRSS now {} kB, peak VmHWM {peak} kB", status_kb("VmRSS:"));
    if peak >= 100 * 1024 {
        eprintln!("peak resident memory {peak} kB is not under 100 MB");
        std::process::exit(1);
    }
}
