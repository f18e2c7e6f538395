//! Every table reads back exactly what the server sent: lines that are core's own
//! formatting (stored without `raw`), lines that are not (extra blanks, a one-digit
//! hour, a leap second, CRLF, blank lines, an orphan continuation) and lines that do
//! not parse. A small loopback server serves those texts, since the emulator only
//! writes canonical lines.

mod common;

use arrow_array::Array;
use common::*;
use plumlogs_archive::{SyncOptions, Table, read, sync};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

const SESSIONS: &[&str] = &[
    // Core's formatting: stored as record columns only.
    "inbound 7185551234 3 [28/May/2026:14:38:30 -0500] 6177123000 200035;003;1780000000 1780000010 1780000039 00:00:29",
    "local 7185551234 3 [28/May/2026:14:38:31 -0500] 6177123000 200035;003;1780000000 greeting: hello  world: [x]",
    "outbound 12125551234 26 [28/May/2026:00:10:42 -0400] test@login.com 300024;026;1779941442 1779941450 1779941463 00:00:13",
    // Not core's formatting: kept in `raw`.
    "inbound  7185551234\t3 [28/May/2026:14:38:30 -0500] 6177123000 200035;003;1780000000 1780000010 1780000039 00:00:29",
    "inbound 7185551234 03 [28/May/2026:14:38:30 -0500] 6177123000 200035;003;1780000000 1780000010 1780000039 0:00:29",
    "inbound 7185551234 3 [28/May/2026:23:59:60 +0000] 6177123000 200035;003;1780000000 1780000010 1780000039 00:00:29",
    // Does not parse.
    "inbound 7185551234 x",
    "",
];

const ERRORS: &[&str] = &[
    "error 2125551234 6 [28/May/2026:14:40:46 -0400] 6177123000 100025;006;1779993646 Max Disconnect Count Exceeded",
    "error 7185551234 1 [28/May/2026:21:28:46 -0400] 8009957586 100037;001;1780018126 errno:  210 message",
    "error  6175551234 0 [28/May/2026:08:33:31 -0400] 8009957586 000020;000;1779971611 ReferenceError",
    "error 6175551234 0 [28/May/2026:08:33:31 -0400] 8009957586 000020;000;1779971611",
    "error x",
];

/// A log whose text is its entries, each followed by `\n` (`text` null in `calls`).
const CANONICAL_ENTRIES: &[&str] = &[
    "Thu 28 May 2026 02:38:30 PM EDT [vxi] (200035;003;1780000000) EVENT: call start",
    "Thu 28 May 2026 02:38:31 PM EDT [tel] (200035;003;1780000000) DEBUG: first\nsecond line\n  indented",
    "Thu 28 May 2026 12:00:00 AM XYZ [log] (200035;003;1780000000) LOCAL: unknown zone",
    "Thu 28 May 2026 02:38:32 PM EDT [vxi] (200035;003;1780000000) USAGE: ",
    // Not core's formatting (one-digit hour, wrong weekday), kept in `raw`.
    "Thu 28 May 2026 2:38:33 PM EDT [vxi] (200035;003;1780000000) EVENT: one digit",
    "Mon 28 May 2026 02:38:34 PM EDT [vxi] (200035;003;1780000000) EVENT: weekday as written",
];

fn logs() -> Vec<(u64, String)> {
    let canonical: String = CANONICAL_ENTRIES.iter().map(|e| format!("{e}\n")).collect();
    vec![
        (11, canonical.clone()),
        // CRLF line ends, blank lines, an orphan continuation first, no final newline.
        (12, canonical.replace('\n', "\r\n")),
        (13, format!("orphan line\n{}\n\n", canonical.trim_end())),
        (14, canonical.trim_end().to_owned()),
        (15, String::new()),
        (16, "not an entry at all\n".to_owned()),
    ]
}

fn summaries() -> Vec<serde_json::Value> {
    logs()
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            json!({"log_id": id.to_string(), "session_id": "200035;003;1780000000",
                   "dest": "6177123000", "type": "inbound", "src": "7185551234",
                   "start": (1_779_980_000 + i as i64).to_string(), "end": "1779980100"})
        })
        .collect()
}

fn body(path: &str) -> String {
    let list = |key: &str, items: Vec<serde_json::Value>| {
        json!({"status": "success", "error": "",
               "result": {format!("total_{key}"): items.len().to_string(), key: items}})
    };
    let lines = |l: &[&str]| l.iter().map(|s| json!(s)).collect();
    let v = if path.starts_with("/ws/calls/sessions/") {
        list("sessions", lines(SESSIONS))
    } else if path.starts_with("/ws/calls/errors/") {
        list("errors", lines(ERRORS))
    } else if path.starts_with("/ws/calls/logs/") {
        list("logs", summaries())
    } else {
        let id: u64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let text = logs().into_iter().find(|(i, _)| *i == id).unwrap().1;
        json!({"status": "success", "error": "", "result": {"log": text}})
    };
    v.to_string()
}

/// Serves `body(path)` for at most 200 connections, one request each.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming().take(200) {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut header = String::new();
            while reader.read_line(&mut header).unwrap_or(0) > 2 {
                header.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap();
            let b = body(path);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
                b.len()
            );
        }
    });
    url
}

fn null_count(dir: &std::path::Path, table: Table, column: &str) -> (usize, usize) {
    let day = T.div_euclid(DAY);
    let data = tables(dir);
    let key = format!(
        "{}/date={}/part-0.parquet",
        table.name(),
        plumlogs_archive::date_of_day(day)
    );
    let b = &data[&key];
    let nulls = b
        .iter()
        .map(|b| b.column_by_name(column).unwrap().null_count())
        .sum();
    (nulls, rows(b))
}

#[test]
fn every_table_reads_back_exactly_what_the_server_sent() {
    let url = serve();
    let client = client_for(&url, Arc::new(AtomicI64::new(T)));
    let dir = tempdir("lossless");
    let opts = SyncOptions {
        since: Some(T),
        concurrency: 2,
        ..SyncOptions::default()
    };
    let report = sync(&dir, &client, &opts).unwrap();
    assert!(report.failures.is_empty(), "{report:?}");
    let day = T.div_euclid(DAY);

    // Lines: what was sent, in order, blank lines excepted (the listing skips none,
    // the archive keeps every line it got).
    let sent = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        read::texts(&dir, Table::Sessions, day).unwrap(),
        sent(SESSIONS)
    );
    assert_eq!(read::texts(&dir, Table::Errors, day).unwrap(), sent(ERRORS));
    // Only the lines that are not core's formatting are stored.
    assert_eq!(
        null_count(&dir, Table::Sessions, "raw"),
        (3, SESSIONS.len())
    );
    assert_eq!(null_count(&dir, Table::Errors, "raw"), (2, ERRORS.len()));

    // Call logs: every text back byte for byte, in listing order.
    let back = read::log_texts(&dir, day).unwrap();
    assert_eq!(back, logs());
    assert_eq!(
        read::texts(&dir, Table::Calls, day).unwrap().len(),
        logs().len()
    );
    // The texts that are their entries' (11, 15, 16) are not stored twice.
    assert_eq!(null_count(&dir, Table::Calls, "text"), (3, logs().len()));

    // Entries: each entry's lines as sent.
    let entries = read::texts(&dir, Table::CallLogEntries, day).unwrap();
    let n = CANONICAL_ENTRIES.len();
    assert_eq!(&entries[..n], sent(CANONICAL_ENTRIES).as_slice());
    // Log 12 (CRLF): each entry's lines with their `\r\n` inside, the last `\r\n` cut.
    assert_eq!(
        &entries[n..2 * n],
        sent(CANONICAL_ENTRIES)
            .iter()
            .map(|e| e.replace('\n', "\r\n"))
            .collect::<Vec<_>>()
            .as_slice()
    );
    assert_eq!(entries[2 * n], "orphan line");
    assert_eq!(entries.last().unwrap(), "not an entry at all");
    // The 4 canonical entries of logs 11, 13 and 14 carry no `raw`, nor do the 3
    // one-line ones of log 12 (its `\r\n` is the line end, not part of the entry).
    let (nulls, total) = null_count(&dir, Table::CallLogEntries, "raw");
    assert_eq!(total, entries.len());
    assert_eq!(nulls, 3 * 4 + 3);

    // And a second run, reusing the archived texts, writes the same files.
    let before = files(&dir);
    sync(&dir, &client, &opts).unwrap();
    assert_eq!(files(&dir), before);
}
