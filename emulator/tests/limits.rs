//! The server's bounds (issue: crashes and exhaustion): chunk sizes, connection
//! slots, slow and idle clients, the request log, the fault queue and its
//! validation, bodiless statuses, `Authorization` redaction. Each bound is reached
//! with a bounded number of sockets and requests.

mod common;

use common::{NOW, start};
use plumlogs_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, MAX_DELAY_MS, MAX_QUEUED_FAULTS,
    MAX_RECORDED_BYTES, MAX_RECORDED_REQUESTS, ServerLimits,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn start_with(limits: ServerLimits) -> Emulator {
    Emulator::start_with_limits(
        EmulatorConfig {
            seed: 7,
            calls_per_day: 200,
            clock: Some(NOW),
            ..Default::default()
        },
        limits,
    )
    .expect("emulator starts")
}

fn connect(emu: &Emulator) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// One response off `r`: status, headers (names lowercased), body.
fn response(r: &mut impl BufRead) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let (status, headers) = head(r);
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let mut body = vec![0; length.unwrap_or(0)];
    r.read_exact(&mut body).unwrap();
    (status, headers, body)
}

/// The head of one response off `r`: status, headers (names lowercased).
fn head(r: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status = line.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
            break;
        }
        let (n, v) = h.split_once(':').unwrap();
        headers.push((n.to_ascii_lowercase(), v.trim().to_string()));
    }
    (status, headers)
}

/// Send `raw` on a fresh connection and read one response.
fn exchange(emu: &Emulator, raw: &[u8]) -> (u16, Vec<u8>) {
    let mut s = connect(emu);
    s.write_all(raw).unwrap();
    let (status, _, body) = response(&mut BufReader::new(s));
    (status, body)
}

fn health(emu: &Emulator) -> u16 {
    exchange(
        emu,
        b"GET /__emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .0
}

fn wait_for_free_slots(emu: &Emulator) {
    let open = emu.wait_for_no_connections(Duration::from_secs(10));
    assert_eq!(open, 0, "slots still taken");
}

#[test]
fn huge_chunk_sizes_are_refused_and_leak_no_slot() {
    // The default limits: before the fix ~1,024 of these locked everyone out.
    let emu = start(7, 200);
    for _ in 0..1100 {
        let (status, body) = exchange(
            &emu,
            b"POST /__emulator/faults HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n",
        );
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).contains("chunk size"));
    }
    assert_eq!(health(&emu), 200);
    wait_for_free_slots(&emu);
}

#[test]
fn a_chunked_body_is_bounded_in_total() {
    let emu = start(7, 200);
    let mut s = connect(&emu);
    s.write_all(b"POST /__emulator/faults HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    // 17 chunks of 64 KiB: 1 MiB + 64 KiB, past the 1 MiB limit.
    let chunk = vec![b' '; 0x10000];
    let mut refused = false;
    for _ in 0..17 {
        if s.write_all(b"10000\r\n").is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            refused = true;
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let (status, _, body) = response(&mut BufReader::new(s));
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let _ = refused;
    // A chunked body within the limit still works.
    let fault = br#"{"kind":"drop","count":1}"#;
    let mut req = b"POST /__emulator/faults HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for part in fault.chunks(7) {
        req.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        req.extend_from_slice(part);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(exchange(&emu, &req).0, 204);
    assert_eq!(emu.faults().len(), 1);
}

#[test]
fn idle_sockets_do_not_lock_out_other_clients() {
    let emu = start_with(ServerLimits {
        max_connections: 8,
        ..Default::default()
    });
    // Twice the slots, held open without a byte sent.
    let idle: Vec<TcpStream> = (0..16).map(|_| connect(&emu)).collect();
    std::thread::sleep(Duration::from_millis(200));
    assert!(emu.open_connections() <= 8, "{}", emu.open_connections());
    for _ in 0..5 {
        assert_eq!(health(&emu), 200);
    }
    // The oldest idle sockets made room: they were closed, not left hanging.
    let mut closed = 0;
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut buf = [0u8; 64];
        if matches!(s.read(&mut buf), Ok(0)) {
            closed += 1;
        }
    }
    assert!(closed >= 8, "only {closed} idle sockets were closed");
}

#[test]
fn byte_a_second_clients_do_not_lock_out_other_clients() {
    let emu = start_with(ServerLimits {
        max_connections: 8,
        ..Default::default()
    });
    let mut slow: Vec<TcpStream> = (0..8).map(|_| connect(&emu)).collect();
    let head = b"GET /__emulator/health HTTP/1.1\r\nHost: x\r\n";
    for i in 0..5 {
        for s in &mut slow {
            let _ = s.write_all(&head[i..=i]);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(emu.open_connections(), 8);
    for _ in 0..5 {
        assert_eq!(health(&emu), 200);
    }
}

#[test]
fn a_request_has_a_deadline_and_idle_connections_close() {
    let emu = start_with(ServerLimits {
        request_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_millis(300),
        ..Default::default()
    });
    // One byte every 100 ms would take 4 s for this head: it gets 408 at 0.5 s.
    let mut s = connect(&emu);
    let began = Instant::now();
    let head = b"GET /__emulator/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for b in head {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        if began.elapsed() > Duration::from_secs(2) {
            break;
        }
    }
    let (status, _, body) = response(&mut BufReader::new(s));
    assert_eq!(status, 408, "{}", String::from_utf8_lossy(&body));
    assert!(began.elapsed() < Duration::from_secs(3));
    // A kept-alive connection is closed after the idle timeout.
    let mut s = connect(&emu);
    s.write_all(b"GET /__emulator/health HTTP/1.1\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    assert_eq!(response(&mut r).0, 200);
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap(); // EOF, not the 20 s read timeout
    assert!(rest.is_empty());
    wait_for_free_slots(&emu);
}

#[test]
fn when_every_slot_is_answering_a_new_connection_gets_503_at_once() {
    let emu = start_with(ServerLimits {
        max_connections: 2,
        ..Default::default()
    });
    emu.inject(Fault::times(FaultKind::Slow { delay_ms: 3000 }, 2));
    let url = format!(
        "GET /ws/calls/errors/{}/{} HTTP/1.1\r\nConnection: close\r\n\r\n",
        NOW - 3600,
        NOW
    );
    let busy: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = connect(&emu);
            s.write_all(url.as_bytes()).unwrap();
            s
        })
        .collect();
    // Both are being answered (recorded) before the third connects.
    let wait = Instant::now();
    while emu.requests().len() < 2 && wait.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let began = Instant::now();
    let (status, body) = exchange(&emu, b"GET /__emulator/health HTTP/1.1\r\n\r\n");
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(
        began.elapsed() < Duration::from_millis(1500),
        "{:?}",
        began.elapsed()
    );
    for s in busy {
        // The slow requests are still answered (401: no credentials were sent).
        assert_eq!(response(&mut BufReader::new(s)).0, 401);
    }
    assert_eq!(health(&emu), 200);
}

#[test]
fn the_request_log_is_bounded_in_count_and_bytes() {
    let emu = start(7, 200);
    // Count: more requests than the log keeps, pipelined on one connection.
    let n = MAX_RECORDED_REQUESTS + 50;
    let s = connect(&emu);
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::new();
        for i in 0..n {
            buf.extend_from_slice(format!("GET /nope/{i} HTTP/1.1\r\n\r\n").as_bytes());
        }
        buf.extend_from_slice(b"GET /__emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n");
        w.write_all(&buf).unwrap();
    });
    let mut r = BufReader::new(s);
    for _ in 0..n {
        assert_eq!(response(&mut r).0, 404);
    }
    assert_eq!(response(&mut r).0, 200);
    writer.join().unwrap();
    let log = emu.requests();
    assert_eq!(log.len(), MAX_RECORDED_REQUESTS);
    assert_eq!(log[0].path, "/nope/50");
    assert_eq!(log.last().unwrap().path, format!("/nope/{}", n - 1));
    emu.clear_requests();

    // Bytes: requests with 100 long headers each; values are cut, names capped,
    // and what the control API serves stays under the byte bound.
    let mut head = String::from("GET /big?");
    head.push_str(&"q".repeat(3000));
    head.push_str(" HTTP/1.1\r\n");
    for h in 0..100 {
        head.push_str(&format!("X-H{h:03}: {}\r\n", "v".repeat(600)));
    }
    head.push_str("\r\n");
    let mut s = connect(&emu);
    let mut r = BufReader::new(s.try_clone().unwrap());
    for _ in 0..1000 {
        s.write_all(head.as_bytes()).unwrap();
        assert_eq!(response(&mut r).0, 404);
    }
    let log = emu.requests();
    let one = &log[0];
    assert_eq!(one.headers.len(), 32);
    assert!(one.headers.values().all(|v| v.len() < 300), "{one:?}");
    assert!(one.headers["x-h000"].ends_with("… (600 bytes)"));
    assert!(one.query.ends_with("… (3000 bytes)") && one.query.len() < 1100);
    assert!(log.len() < 1000, "{} entries", log.len());
    let (status, body) = exchange(
        &emu,
        b"GET /__emulator/requests HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert!(body.len() <= MAX_RECORDED_BYTES, "{} bytes", body.len());
    assert!(body.len() > MAX_RECORDED_BYTES / 2, "{} bytes", body.len());
}

#[test]
fn authorization_is_redacted_whole_whatever_its_shape() {
    let emu = start(7, 200);
    let cases = [
        ("Zq9-SECRET-pw", "<redacted>"),
        ("Basic\tU0VDUkVUOnB3", "<redacted>"),
        ("Token SECRET", "<redacted>"),
        ("SECRET", "<redacted>"),
        ("", "<redacted>"),
        ("Bearer SECRET", "Bearer <redacted>"),
        ("basic YWxpY2U6U0VDUkVU", "basic <redacted>"),
    ];
    for (value, _) in cases {
        let raw = format!(
            "GET /ws/calls/errors/1/2 HTTP/1.1\r\nAuthorization: {value}\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(exchange(&emu, raw.as_bytes()).0, 401);
    }
    let log = emu.requests();
    assert_eq!(log.len(), cases.len());
    for (rec, (sent, want)) in log.iter().zip(cases) {
        assert_eq!(rec.header("authorization"), Some(want), "sent {sent:?}");
    }
    let (_, body) = exchange(
        &emu,
        b"GET /__emulator/requests HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    let text = String::from_utf8(body).unwrap();
    assert!(
        !text.contains("SECRET") && !text.contains("U0VDUkVU") && !text.contains("YWxp"),
        "{text}"
    );
    // The username of a (well-formed) Basic value is still recorded.
    assert_eq!(log[6].username.as_deref(), Some("alice"));
}

#[test]
fn invalid_faults_are_refused_by_rust_and_by_the_control_api() {
    let emu = start(7, 200);
    let status = |s| FaultKind::Status {
        status: s,
        retry_after: None,
    };
    let bad = [
        (Fault::once(status(99)), "status"),
        (Fault::once(status(600)), "status"),
        (Fault::once(status(100)), "status"),
        (Fault::once(status(204)), "status"),
        (Fault::once(status(205)), "status"),
        (Fault::once(status(304)), "status"),
        (
            Fault::once(FaultKind::DocumentedFailure { status: 1000 }),
            "status",
        ),
        (
            Fault::once(FaultKind::Slow {
                delay_ms: MAX_DELAY_MS + 1,
            }),
            "delay_ms",
        ),
        (
            Fault::once(FaultKind::Slow { delay_ms: u64::MAX }),
            "delay_ms",
        ),
        (Fault::times(FaultKind::Drop, 0), "count"),
    ];
    for (fault, field) in &bad {
        let e = emu.try_inject(fault.clone()).unwrap_err();
        assert_eq!(e.field, *field, "{fault:?}: {e}");
        assert!(e.to_string().starts_with("invalid fault: "), "{e}");
        // The same fault through the control API: 400 with the same message.
        let body = serde_json::to_string(fault).unwrap();
        let raw = format!(
            "POST /__emulator/faults HTTP/1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (code, reply) = exchange(&emu, raw.as_bytes());
        assert_eq!(code, 400, "{body}");
        let reply: serde_json::Value = serde_json::from_slice(&reply).unwrap();
        assert_eq!(reply["error"], e.to_string());
        assert_eq!(reply["field"], *field);
    }
    let e = emu
        .try_inject_every(Fault::once(FaultKind::Drop), 0)
        .unwrap_err();
    assert_eq!(e.field, "every");
    for body in [
        r#"{"kind":"explode"}"#,
        r#"{"kind":"status","status":70000}"#,
        r#"{"kind":"drop","every":0}"#,
    ] {
        let raw = format!(
            "POST /__emulator/faults HTTP/1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (code, reply) = exchange(&emu, raw.as_bytes());
        assert_eq!(code, 400, "{body}");
        assert!(!reply.is_empty());
    }
    assert!(emu.faults().is_empty(), "nothing invalid was queued");
    // The edges of every rule are accepted.
    for ok in [
        status(200),
        status(599),
        FaultKind::DocumentedFailure { status: 503 },
        FaultKind::Slow {
            delay_ms: MAX_DELAY_MS,
        },
    ] {
        emu.try_inject(Fault::once(ok)).unwrap();
    }
    emu.clear_faults();
    // The queue is bounded.
    for _ in 0..MAX_QUEUED_FAULTS {
        emu.try_inject(Fault::once(FaultKind::Drop).on_path("/nowhere"))
            .unwrap();
    }
    let e = emu.try_inject(Fault::once(FaultKind::Drop)).unwrap_err();
    assert_eq!(e.field, "queue");
    assert_eq!(emu.faults().len(), MAX_QUEUED_FAULTS);
}

#[test]
#[should_panic(expected = "invalid fault: status")]
fn inject_panics_on_an_invalid_fault() {
    let emu = start(7, 200);
    emu.inject(Fault::once(FaultKind::Status {
        status: 204,
        retry_after: None,
    }));
}

#[test]
fn pipelined_responses_stay_framed_around_faults_and_bodiless_answers() {
    let emu = start(7, 200);
    emu.inject(Fault::once(FaultKind::Status {
        status: 503,
        retry_after: Some(1),
    }));
    let mut s = connect(&emu);
    // A faulted request, a 204 from the control API, a HEAD and a GET, in one write.
    s.write_all(
        b"GET /ws/calls/errors/1/2 HTTP/1.1\r\n\r\n\
          DELETE /__emulator/requests HTTP/1.1\r\n\r\n\
          HEAD /ws/calls/errors/1/2 HTTP/1.1\r\n\r\n\
          GET /__emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let (status, headers, body) = response(&mut r);
    assert_eq!(status, 503);
    assert!(headers.iter().any(|(n, v)| n == "retry-after" && v == "1"));
    assert!(String::from_utf8_lossy(&body).contains("emulated HTTP 503"));
    let (status, headers, body) = response(&mut r);
    assert_eq!(status, 204);
    assert!(!headers.iter().any(|(n, _)| n == "content-length") && body.is_empty());
    // HEAD (405: the API answers GET only): a Content-Length, but no body follows.
    let (status, headers) = head(&mut r);
    assert_eq!(status, 405);
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    assert!(length > 0);
    let (status, _, body) = response(&mut r);
    assert_eq!(status, 200);
    assert_eq!(body, br#"{"ok":true}"#);
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}
