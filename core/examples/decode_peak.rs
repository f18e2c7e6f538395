//! Peak memory of decoding one big body, as a multiple of the body's size (Linux:
//! the process's peak resident set, `VmHWM`, reset after the body is built).
//!
//! ```text
//! cargo run --release -p plumlogs --example decode_peak -- sessions 100
//! cargo run --release -p plumlogs --example decode_peak -- lines 100
//! cargo run --release -p plumlogs --example decode_peak -- log 255
//! cargo run --release -p plumlogs --example decode_peak -- log-text 255
//! cargo run --release -p plumlogs --example decode_peak -- log-owned 255
//! cargo run --release -p plumlogs --example decode_peak -- client-log 255
//! ```
//!
//! `sessions N`: `decode_response` of an N MB JSON `calls/sessions` page (what the
//! bindings' `decode_response` does); `lines N`: only its item texts
//! (`decode_lines`). `log N`: `decode_response` of an N MB JSON `calls/log` body;
//! `log-text N`: only its text (`decode_log`). `log-owned N`: the same body given up
//! to `decode_log_page_owned` (unescaped in its own buffer) and its entries parsed,
//! as `Client::call_log` does. `client-log N`: `Client::call_log` of an N MB log served from
//! loopback by a thread that writes the body as it generates it (so the server
//! holds no copy). Not a test: a measurement to run by hand.

use plumlogs::encode::{encode_call_log, encode_lines};
use plumlogs::{Client, Decoded, Service, Wire, decode_response};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

const SESSION: &str = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";

/// A call-log entry and a continuation line, about 150 bytes: the shape of the
/// documented logs (`<log>` tags, prompts, recognitions).
fn log_entry(i: usize) -> String {
    format!(
        "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered on channel {i}\n\tprompt \"welcome.wav\" played\n"
    )
}

fn log_text(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 256);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&log_entry(i));
        i += 1;
    }
    text
}

/// `VmHWM` or `VmRSS` of this process, in bytes.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("field in /proc/self/status")
        * 1024
}

/// Reset the peak to the current resident set (Linux 4.0+).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("write /proc/self/clear_refs");
}

fn report(what: &str, body_len: usize, before: u64, records: usize) {
    let peak = status_kb("VmHWM:");
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "{what}: body {:.1} MB, {records} records; resident before decoding {:.1} MB, peak {:.1} MB = {:.2}x the body",
        mb(body_len as u64),
        mb(before),
        mb(peak),
        peak as f64 / body_len as f64
    );
}

/// Serves one `calls/log` body of about `bytes` of text; returns the base URL and
/// the body's length.
fn serve_log(bytes: usize) -> (String, usize) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Generated twice (once to count), never held whole.
    let body_len = {
        let mut n = 0;
        let mut i = 0;
        let mut text = 0;
        while text < bytes {
            let e = log_entry(i);
            text += e.len();
            n += encode_call_log(Wire::Json, &e).len() - encode_call_log(Wire::Json, "").len();
            i += 1;
        }
        n + encode_call_log(Wire::Json, "").len()
    };
    std::thread::spawn(move || {
        let empty = encode_call_log(Wire::Json, "");
        let marker = empty
            .windows(4)
            .position(|w| w == b"\"\"}}")
            .expect("an empty log text in the envelope")
            + 1;
        if let Some(stream) = listener.incoming().next() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            let mut w = std::io::BufWriter::new(&mut stream);
            write!(
                w,
                "HTTP/1.1 200 OK\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            w.write_all(&empty[..marker]).unwrap();
            let (mut i, mut text) = (0, 0);
            let shell = encode_call_log(Wire::Json, "");
            while text < bytes {
                let e = log_entry(i);
                text += e.len();
                let one = encode_call_log(Wire::Json, &e);
                // The escaped entry: what sits between the quotes of its own envelope.
                w.write_all(&one[marker..one.len() - (shell.len() - marker)])
                    .unwrap();
                i += 1;
            }
            w.write_all(&empty[marker..]).unwrap();
            w.flush().unwrap();
        }
    });
    (base, body_len)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("sessions");
    let mb: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(100);
    let bytes = mb * 1_000_000;
    match mode {
        "sessions" => {
            let n = bytes / (SESSION.len() + 4);
            let body = encode_lines(Wire::Json, Service::Sessions, n, (0..n).map(|_| SESSION));
            reset_peak();
            let before = status_kb("VmRSS:");
            let decoded = decode_response(&body, Service::Sessions).expect("decodes");
            let Decoded::Sessions(records) = &decoded else {
                unreachable!()
            };
            report("sessions", body.len(), before, records.len());
        }
        "lines" => {
            let n = bytes / (SESSION.len() + 4);
            let body = encode_lines(Wire::Json, Service::Sessions, n, (0..n).map(|_| SESSION));
            reset_peak();
            let before = status_kb("VmRSS:");
            let page = plumlogs::decode_lines(&body, Service::Sessions).expect("decodes");
            report("lines", body.len(), before, page.items.len());
        }
        "log-text" => {
            let body = encode_call_log(Wire::Json, &log_text(bytes));
            reset_peak();
            let before = status_kb("VmRSS:");
            let text = plumlogs::decode_log(&body).expect("decodes");
            report(
                "log-text",
                body.len(),
                before,
                usize::from(!text.is_empty()),
            );
        }
        "log" => {
            let body = encode_call_log(Wire::Json, &log_text(bytes));
            reset_peak();
            let before = status_kb("VmRSS:");
            let decoded = decode_response(&body, Service::Log).expect("decodes");
            let Decoded::Log(entries) = &decoded else {
                unreachable!()
            };
            report("log", body.len(), before, entries.len());
        }
        "log-owned" => {
            let body = encode_call_log(Wire::Json, &log_text(bytes));
            let body_len = body.len();
            reset_peak();
            let before = status_kb("VmRSS:");
            let page = plumlogs::decode_log_page_owned(body).expect("decodes");
            let entries = plumlogs::CallLogEntryRecords::parse(page.text).expect("parses");
            report("log-owned", body_len, before, entries.len());
        }
        "client-log" => {
            let (base, body_len) = serve_log(bytes);
            let client = Client::builder()
                .username("u")
                .password("p")
                .base_url(base)
                .timeout(std::time::Duration::from_secs(300))
                .build()
                .unwrap();
            reset_peak();
            let before = status_kb("VmRSS:");
            let log = client.call_log(1).expect("fetches");
            report("client-log", body_len, before, log.entries().len());
        }
        other => panic!(
            "unknown mode {other:?}: sessions, lines, log, log-text, log-owned or client-log"
        ),
    }
}
