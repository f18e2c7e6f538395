//! Peak memory of decoding a body into records, as a multiple of the body's size,
//! counted by a global allocator (its own test binary, since a `#[global_allocator]`
//! is per binary): every byte the measuring thread allocates and has not freed,
//! at its highest, plus the body when the caller holds it. The bound is the
//! README's (`What a listing guarantees` → Memory): at most 2× the body, for every
//! service and wire, whether the caller keeps the body (`decode_response`: a JSON
//! call log's entries then span into the body's escaped text, parsed a piece at a
//! time) or gives it up (`decode_log_page_owned`, as `Client::call_log` does).
//!
//! The measurement is checked against the representation it replaced: the same
//! body decoded into a `Vec` of the grammar's records (owned entry by entry for a
//! call log, as `Client::call_log` once did), and a JSON call log's entries packed
//! beside its whole unescaped text (what `decode_response` once did), measure above
//! the bound here, so the bound is one this test can fail.

use plumlogs::encode::{encode_call_log, encode_lines};
use plumlogs::{
    CallLogEntries, CallLogEntry, CallLogEntryRecords, Client, Decoded, Service, Wire,
    decode_lines, decode_log, decode_log_page_owned, decode_response,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

struct Counting;

thread_local! {
    // Only the measuring thread counts (the harness, the other test and the test's
    // server allocate elsewhere), each into its own counters: the bytes it holds
    // now, and the most it held since the last reset.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    if COUNTING.with(Cell::get) {
        let now = LIVE.with(|l| {
            l.set(l.get() + delta);
            l.get()
        });
        PEAK.with(|p| p.set(p.get().max(now)));
    }
}

// SAFETY: every method forwards to `System`, which upholds `GlobalAlloc`'s contract;
// the counting beside it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        // SAFETY: the caller's layout is passed to `System` unchanged, under the same contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        // SAFETY: the caller's layout is passed to `System` unchanged, under the same contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the allocator's own `realloc` works for big blocks: in place or
        // remapped, never the old and the new block at once.
        note(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The most bytes `f` held at once on this thread (what it returns included, as
/// long as it lives inside `f`'s measurement: it is dropped after).
fn peak_of<R>(f: impl FnOnce() -> R) -> usize {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    drop(r);
    PEAK.with(Cell::get).max(0) as usize
}

/// The README's bound: decoding takes at most twice the body.
const BOUND: f64 = 2.0;

/// About `bytes` of session lines as Plum writes them: calls of every kind, and
/// `local` tag lines, a third of them start-URL lines (`fetchurl`), whose `/` the
/// JSON body escapes outside the timestamp, so that the decoder unescapes them.
fn session_lines(bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut total, mut i) = (0, 0u64);
    while total < bytes {
        let t = 1_509_734_279 + i as i64 * 13;
        let sid = format!("200035;{:03};{t}", i % 48);
        let line = match i % 8 {
            0..=4 => format!(
                "{} 718555{:04} {} [03/Nov/2017:14:38:30 -0500] 617712{:04} {sid} {} {} 00:00:{:02}",
                ["inbound", "outbound", "transfer"][(i % 3) as usize],
                i % 10_000,
                i % 48,
                (i * 7) % 10_000,
                t + 11,
                t + 11 + (i % 60) as i64,
                i % 60
            ),
            5 => format!(
                "local 718555{:04} {} [03/Nov/2017:14:38:30 -0500] 6177123000 {sid} fetchurl: http://apps.example.com/ivr/start.vxml?dnis=6177123000",
                i % 10_000,
                i % 48
            ),
            _ => format!(
                "local 718555{:04} {} [03/Nov/2017:14:38:30 -0500] 6177123000 {sid} menu: caller chose option {}",
                i % 10_000,
                i % 48,
                i % 9
            ),
        };
        total += line.len();
        out.push(line);
        i += 1;
    }
    out
}

/// About `bytes` of error lines, a fifth of them naming a URL (unescaped by the
/// JSON decoder, like a start-URL line).
fn error_lines(bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut total, mut i) = (0, 0u64);
    while total < bytes {
        let message = match i % 5 {
            0 => "error.badfetch: http://apps.example.com/ivr/main.vxml returned 404".to_owned(),
            1 => format!("ReferenceError: d{i} is not defined line 1"),
            _ => "Max Disconnect Count Exceeded".to_owned(),
        };
        let line = format!(
            "error 212555{:04} {} [17/Nov/2016:14:40:46 -0400] 6177123000 100025;{:03};{} {message}",
            i % 10_000,
            i % 48,
            i % 48,
            1_479_411_625 + i
        );
        total += line.len();
        out.push(line);
        i += 1;
    }
    out
}

/// About `bytes` of call-log text: entries of one line and of several (a prompt
/// and a recognition on continuation lines), `\n` line ends.
fn log_text(bytes: usize) -> String {
    log_text_shaped(bytes, 2)
}

/// [`log_text`] where every `continued`-th entry (from the first) has the two
/// continuation lines; none when `continued` is 0.
fn log_text_shaped(bytes: usize, continued: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "Wed 28 Aug 2002 10:16:{:02} AM EDT [{}] (100025;006;1479411625) {}: call answered on channel {i}\n",
            i % 60,
            ["tel", "vxi", "rec"][i % 3],
            ["EVENT", "DEBUG", "LOCAL"][i % 3],
        ));
        if continued != 0 && i % continued == 0 {
            text.push_str(
                "\tprompt \"welcome.wav\" played\n\trecognised \"sales\" (confidence 0.91)\n",
            );
        }
        i += 1;
    }
    text
}

fn ratio(peak: usize, body: usize) -> f64 {
    peak as f64 / body as f64
}

const MB: usize = 1_000_000;

/// `decode_response` of sessions and errors pages and of a call log (both wires): the body,
/// which the caller holds, plus everything decoding holds at its peak.
#[test]
fn decoding_a_body_into_records_takes_at_most_twice_the_body() {
    let mut over = Vec::new();
    let sessions = session_lines(6 * MB);
    let errors = error_lines(6 * MB);
    for (service, lines) in [(Service::Sessions, &sessions), (Service::Errors, &errors)] {
        for wire in [Wire::Json, Wire::Xml] {
            let body = encode_lines(wire, service, lines.len(), lines.iter());
            let mut n = 0;
            let peak = peak_of(|| {
                let d = decode_response(&body, service).unwrap();
                n = match &d {
                    Decoded::Sessions(r) => r.len(),
                    Decoded::Errors(r) => r.len(),
                    _ => 0,
                };
                d
            });
            assert_eq!(n, lines.len());
            let r = ratio(body.len() + peak, body.len());
            eprintln!(
                "{service:?} {wire:?}: body {} B, peak {peak} B beside it: {r:.2}x",
                body.len()
            );
            over.extend((r > BOUND).then(|| format!("{service:?} {wire:?}: {r:.2}x the body")));
        }
    }

    // The representation it replaced: a Vec of the grammar's records.
    for wire in [Wire::Json, Wire::Xml] {
        let body = encode_lines(wire, Service::Sessions, sessions.len(), sessions.iter());
        let old = peak_of(|| {
            decode_lines(&body, Service::Sessions)
                .unwrap()
                .into_sessions()
                .unwrap()
        });
        let old = ratio(body.len() + old, body.len());
        eprintln!("sessions {wire:?} as a Vec<SessionRecord>: {old:.2}x");
        over.extend(
            (old <= BOUND).then(|| format!("the control should exceed the bound: {old:.2}x")),
        );
    }

    let text = log_text(6 * MB);
    for wire in [Wire::Json, Wire::Xml] {
        let body = encode_call_log(wire, &text);
        let mut borrowed_entries = 0;
        let peak = peak_of(|| {
            let d = decode_response(&body, Service::Log).unwrap();
            if let Decoded::Log(r) = &d {
                borrowed_entries = r.len();
            }
            d
        });
        let r = ratio(body.len() + peak, body.len());
        eprintln!(
            "log {wire:?}: body {} B, peak {} B beside it: {r:.2}x",
            body.len(),
            peak
        );
        over.extend((r > BOUND).then(|| format!("log {wire:?}: {r:.2}x the body")));

        // A JSON log's text unescaped whole beside the body it came from (every line
        // of it ends in an escaped `\n`), the entries packed beside both: over the
        // bound, which is what parsing the escaped text a piece at a time is for.
        if wire == Wire::Json {
            let whole = peak_of(|| CallLogEntryRecords::parse(decode_log(&body).unwrap()).unwrap());
            let whole = ratio(body.len() + whole, body.len());
            eprintln!("log {wire:?} beside its whole unescaped text: {whole:.2}x");
            over.extend((whole <= BOUND).then(|| {
                format!("the JSON log beside its whole text should exceed the bound: {whole:.2}x")
            }));
        }

        // The body given up to the decoder: its copy here is the body (counted), the
        // text is unescaped in its buffer, the entries span into it.
        let mut entries = 0;
        let owned = peak_of(|| {
            let page = decode_log_page_owned(body.clone()).unwrap();
            let recs = CallLogEntryRecords::parse(page.text).unwrap();
            entries = recs.len();
            recs
        });
        assert!(entries > 40_000, "{entries} entries");
        assert_eq!(
            borrowed_entries, entries,
            "log {wire:?}: entries decoded borrowed"
        );
        let r = ratio(owned, body.len());
        eprintln!("log {wire:?} given the body: peak {owned} B: {r:.2}x");
        over.extend((r > BOUND).then(|| format!("owned log {wire:?}: {r:.2}x the body")));

        // Owned entries, entry by entry, beside the unescaped text.
        let old = peak_of(|| {
            let text = decode_log(&body).unwrap().into_owned();
            let entries: Vec<CallLogEntry<'static>> = CallLogEntries::new(text.as_str())
                .map(|e| e.unwrap().into_owned())
                .collect();
            (text, entries)
        });
        let old = ratio(body.len() + old, body.len());
        eprintln!("log {wire:?} as owned entries: {old:.2}x");
        over.extend(
            (old <= BOUND).then(|| format!("the control should exceed the bound: {old:.2}x")),
        );
    }
    assert!(over.is_empty(), "{over:#?}");
}

/// A borrowed JSON call log of each shape: one-line entries only, and every entry
/// over three lines (its message holds written `\n` escapes: an escaped span of the
/// body, not a copy).
#[test]
fn a_json_call_log_of_every_shape_decodes_in_at_most_twice_the_body() {
    let mut over = Vec::new();
    for (shape, continued) in [("one-line entries", 0), ("every entry multi-line", 1)] {
        let text = log_text_shaped(6 * MB, continued);
        let lines = text.lines().filter(|l| !l.starts_with('\t')).count();
        let body = encode_call_log(Wire::Json, &text);
        let mut entries = 0;
        let peak = peak_of(|| {
            let d = decode_response(&body, Service::Log).unwrap();
            if let Decoded::Log(r) = &d {
                entries = r.len();
            }
            d
        });
        assert_eq!(entries, lines, "{shape}");
        let r = ratio(body.len() + peak, body.len());
        eprintln!(
            "log Json, {shape}: body {} B, peak {peak} B beside it: {r:.2}x",
            body.len()
        );
        over.extend((r > BOUND).then(|| format!("log Json, {shape}: {r:.2}x the body")));
    }
    assert!(over.is_empty(), "{over:#?}");
}

/// Serves one `calls/log` body (generated on the server's thread, so it is not
/// counted) and returns the base URL.
fn serve_once(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        if let Some(Ok(mut stream)) = listener.incoming().next() {
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(30)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            // The request head, bounded.
            for _ in 0..100 {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    });
    base
}

/// `Client::call_log` of a big log: the body as read off the socket, unescaped in
/// its own buffer, and the entries spanning into it, at their highest together (a
/// separate unescaped text beside the body measured 1.96× here).
#[test]
fn client_call_log_takes_at_most_twice_the_body() {
    let text = log_text(6 * MB);
    let body = encode_call_log(Wire::Json, &text);
    let body_len = body.len();
    let base = serve_once(body);
    let client = Client::builder()
        .username("u")
        .password("p")
        .base_url(base)
        .max_retries(0)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let mut entries = 0;
    let peak = peak_of(|| {
        let log = client.call_log(1).unwrap();
        entries = log.entries().len();
        log
    });
    assert!(entries > 40_000, "{entries} entries");
    let r = ratio(peak, body_len);
    eprintln!("Client::call_log: body {body_len} B, peak {peak} B: {r:.2}x");
    assert!(r <= BOUND, "Client::call_log: {r:.2}x the body");
}
