//! Fault injection, the control API, the request log and connection handling,
//! each observed over a real socket.

mod common;
use common::*;
use plumlogs_emulator::{Fault, FaultKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn sessions_url(emu: &plumlogs_emulator::Emulator) -> String {
    format!(
        "{}{}",
        emu.base_url(),
        sessions_path(NOW - HOUR, NOW, "?limit=50")
    )
}

fn user(emu: &plumlogs_emulator::Emulator) -> String {
    format!("{}:{}", emu.username(), emu.password())
}

fn control(
    emu: &plumlogs_emulator::Emulator,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Reply {
    let url = format!("{}/__emulator/{path}", emu.base_url());
    match body {
        Some(b) => curl(&[
            "-X",
            method,
            "-HContent-Type: application/json",
            "--data-binary",
            b,
            &url,
        ]),
        None => curl(&["-X", method, &url]),
    }
}

#[test]
fn status_faults_answer_with_an_envelope_then_stop() {
    let emu = start(7, 200);
    let r = control(
        &emu,
        "POST",
        "faults",
        Some(r#"{"kind":"status","status":503,"retry_after":1,"count":2}"#),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let url = sessions_url(&emu);
    for _ in 0..2 {
        let r = curl(&["-u", &user(&emu), &url]);
        assert_eq!(r.status, 503);
        assert_eq!(r.header("Retry-After"), Some("1"));
        assert_eq!(r.json()["status"], "failure");
        assert!(r.json()["error"].as_str().unwrap().contains("503"));
    }
    assert_eq!(
        curl(&["-u", &user(&emu), &url]).status,
        200,
        "the fault is used up"
    );
    // Rust API, without Retry-After, in XML.
    emu.inject(Fault::times(
        FaultKind::Status {
            status: 500,
            retry_after: None,
        },
        1,
    ));
    let r = curl(&["-u", &user(&emu), "-HAccept: application/xml", &url]);
    assert_eq!(r.status, 500);
    assert_eq!(r.header("Retry-After"), None);
    assert!(
        r.text()
            .starts_with("<?xml version=\"1.0\"?><sessions><status>failure</status><error>")
    );
    emu.inject(Fault::once(FaultKind::Status {
        status: 429,
        retry_after: Some(7),
    }));
    let r = curl(&["-u", &user(&emu), &url]);
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("7")));
    assert_eq!(curl(&["-u", &user(&emu), &url]).status, 200);
}

#[test]
fn slow_answers_arrive_late_but_correct() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    let normal = curl(&["-u", &user(&emu), &url]);
    control(
        &emu,
        "POST",
        "faults",
        Some(r#"{"kind":"slow","delay_ms":400}"#),
    );
    let t0 = Instant::now();
    let slow = curl(&["-u", &user(&emu), &url]);
    assert!(
        t0.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(slow.status, 200);
    assert_eq!(slow.body, normal.body);
    // A client timeout shorter than the delay sees a timeout (curl exit 28).
    emu.inject(Fault::once(FaultKind::Slow { delay_ms: 1500 }));
    let r = curl(&["-u", &user(&emu), "--max-time", "0.3", &url]);
    assert_eq!(r.exit, 28);
}

#[test]
fn truncated_bodies_are_cut_in_half_under_a_full_content_length() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    let full = curl(&["-u", &user(&emu), &url]);
    control(&emu, "POST", "faults", Some(r#"{"kind":"truncated"}"#));
    let cut = curl(&["-u", &user(&emu), &url]);
    assert_eq!(cut.exit, 18, "curl reports a partial transfer");
    assert_eq!(cut.status, 200);
    assert_eq!(
        cut.header("Content-Length"),
        Some(full.body.len().to_string().as_str())
    );
    assert_eq!(cut.body, full.body[..full.body.len() / 2]);
    assert!(serde_json::from_slice::<serde_json::Value>(&cut.body).is_err());
    assert_eq!(curl(&["-u", &user(&emu), &url]).body, full.body);
}

#[test]
fn malformed_bodies_are_neither_json_nor_xml() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    emu.inject(Fault::times(FaultKind::Malformed, 2));
    for accept in ["application/json", "application/xml"] {
        let r = curl(&["-u", &user(&emu), &format!("-HAccept: {accept}"), &url]);
        assert_eq!((r.exit, r.status), (0, 200));
        assert_eq!(r.header("Content-Type"), Some(accept));
        let first = r.body.iter().find(|b| !b.is_ascii_whitespace()).copied();
        assert!(!matches!(first, Some(b'{' | b'[' | b'<')), "{}", r.text());
        assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    }
}

#[test]
fn documented_failures_are_served_as_the_docs_print_them() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    let r = control(
        &emu,
        "POST",
        "faults",
        Some(r#"{"kind":"documented_failure","status":401,"count":2}"#),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let json = curl(&["-u", &user(&emu), &url]);
    assert_eq!(json.status, 401);
    assert_eq!(
        json.text(),
        "{\n  \"status\":\"failure\",\n  \"error\":\"Service temporarily unavailable (emulated HTTP 401)\",\n}"
    );
    assert!(
        serde_json::from_slice::<serde_json::Value>(&json.body).is_err(),
        "the trailing comma is kept"
    );
    let xml = curl(&["-u", &user(&emu), "-HAccept: application/xml", &url]);
    assert_eq!(xml.status, 401);
    assert!(xml.text().contains("<status>failure</status><error>Service temporarily unavailable (emulated HTTP 401)</error>"), "{}", xml.text());
    assert_eq!(
        curl(&["-u", &user(&emu), &url]).status,
        200,
        "the fault is used up"
    );
}

#[test]
fn dropped_connections_get_no_answer() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    control(&emu, "POST", "faults", Some(r#"{"kind":"drop","count":1}"#));
    let r = curl(&["-u", &user(&emu), &url]);
    assert_eq!(r.exit, 52, "curl: empty reply from server");
    assert!(r.body.is_empty() && r.status == 0);
    assert_eq!(curl(&["-u", &user(&emu), &url]).status, 200);
}

#[test]
fn faults_match_their_path_prefix_and_spare_the_control_api() {
    let emu = start(7, 200);
    let r = control(
        &emu,
        "POST",
        "faults",
        Some(r#"{"kind":"status","status":500,"count":1,"path_prefix":"/ws/calls/errors"}"#),
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        control(&emu, "GET", "health", None).json(),
        serde_json::json!({"ok": true})
    );
    assert_eq!(curl(&["-u", &user(&emu), &sessions_url(&emu)]).status, 200);
    let pending = control(&emu, "GET", "faults", None).json();
    assert_eq!(
        pending,
        serde_json::json!([{"kind":"status","status":500,"retry_after":null,"count":1,"path_prefix":"/ws/calls/errors","every":1}])
    );
    let errors = format!("{}/ws/calls/errors/{}/{}", emu.base_url(), NOW - HOUR, NOW);
    assert_eq!(curl(&["-u", &user(&emu), &errors]).status, 500);
    assert_eq!(curl(&["-u", &user(&emu), &errors]).status, 200);
    // Clearing.
    emu.inject(Fault::times(FaultKind::Drop, 5).on_path("/ws/"));
    assert_eq!(emu.faults().len(), 1);
    assert_eq!(control(&emu, "DELETE", "faults", None).status, 204);
    assert!(emu.faults().is_empty());
    assert_eq!(curl(&["-u", &user(&emu), &errors]).status, 200);
    // Bad control bodies are refused clearly.
    let bad = control(&emu, "POST", "faults", Some(r#"{"kind":"explode"}"#));
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a fault")
    );
    assert_eq!(
        control(&emu, "POST", "faults", Some(r#"{"kind":"drop","count":0}"#)).status,
        400
    );
    assert_eq!(control(&emu, "GET", "nothing", None).status, 404);
}

#[test]
fn requests_are_logged_without_the_password() {
    let emu = start(7, 200);
    let url = format!(
        "{}{}",
        emu.base_url(),
        sessions_path(NOW - HOUR, NOW, "?number=6177123000&offset=0&limit=2")
    );
    curl(&[
        "-u",
        &user(&emu),
        "-HAccept: application/xml",
        "-HX-Trace: a",
        "-HX-Trace: b",
        &url,
    ]);
    curl(&[&format!("{}/ws/calls/log/5", emu.base_url())]);
    control(&emu, "GET", "health", None);
    let log = control(&emu, "GET", "requests", None);
    assert!(
        !log.text().contains(emu.password()),
        "the password never appears"
    );
    let v = log.json();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2, "control requests are not logged: {v}");
    assert_eq!(arr[0]["method"], "GET");
    assert_eq!(
        arr[0]["path"],
        format!("/ws/calls/sessions/{}/{}", NOW - HOUR, NOW)
    );
    assert_eq!(arr[0]["query"], "number=6177123000&offset=0&limit=2");
    assert_eq!(arr[0]["headers"]["authorization"], "Basic <redacted>");
    assert_eq!(arr[0]["headers"]["accept"], "application/xml");
    assert_eq!(arr[0]["headers"]["x-trace"], "a, b");
    assert_eq!(arr[0]["username"], emu.username());
    assert_eq!(arr[0]["time"], NOW);
    assert_eq!(arr[1]["username"], serde_json::Value::Null);
    let rust = emu.requests();
    assert_eq!(rust.len(), 2);
    assert_eq!(rust[0].header("Accept"), Some("application/xml"));
    assert_eq!(control(&emu, "DELETE", "requests", None).status, 204);
    assert!(emu.requests().is_empty());
}

#[test]
fn the_clock_moves_retention_and_data() {
    let emu = start(7, 200);
    let clock = control(&emu, "GET", "clock", None).json();
    assert_eq!(clock, serde_json::json!({"now": NOW, "fixed": true}));
    let old = format!("/ws/calls/logs/{}/{}", NOW - 3 * DAY, NOW - 2 * DAY);
    assert_eq!(get(&emu, &old, false).status, 200);
    assert_eq!(
        control(
            &emu,
            "POST",
            "clock",
            Some(&format!(r#"{{"now": {}}}"#, NOW + 3 * DAY))
        )
        .status,
        204
    );
    assert_eq!(emu.now(), NOW + 3 * DAY);
    assert_eq!(get(&emu, &old, false).status, 400, "now older than 5 days");
    assert_eq!(
        control(&emu, "POST", "clock", Some(r#"{"now": null}"#)).status,
        204
    );
    let sys = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((emu.now() - sys).abs() <= 2);
    assert_eq!(control(&emu, "GET", "clock", None).json()["fixed"], false);
    assert_eq!(
        control(&emu, "POST", "clock", Some(r#"{"now": "soon"}"#)).status,
        400
    );
    let far = control(
        &emu,
        "POST",
        "clock",
        Some(r#"{"now": 9223372036854775807}"#),
    );
    assert_eq!(far.status, 400);
    assert!(
        far.json()["error"]
            .as_str()
            .unwrap()
            .contains("now must be from 0 to 253402300799")
    );
    // The Rust method clamps instead, and the far future still answers sanely.
    emu.set_clock(Some(i64::MAX));
    assert_eq!(emu.now(), 253_402_300_799);
    assert_eq!(
        get(
            &emu,
            &format!("/ws/calls/sessions/{}/{}", emu.now() - DAY, i64::MAX),
            false
        )
        .status,
        200
    );
    emu.set_clock(Some(-5));
    assert_eq!(emu.now(), 0);
    assert_eq!(get(&emu, "/ws/calls/errors/-100/100", false).status, 200);
    // Chunked request bodies work too.
    let url = format!("{}/__emulator/clock", emu.base_url());
    let r = curl(&[
        "-HTransfer-Encoding: chunked",
        "-HContent-Type: application/json",
        "--data-binary",
        &format!(r#"{{"now":{NOW}}}"#),
        &url,
    ]);
    assert_eq!(r.status, 204);
    assert_eq!(emu.now(), NOW);
}

/// GET over an open connection; returns status and body.
fn raw_get(conn: &mut BufReader<TcpStream>, path: &str, auth: &str) -> (u16, Vec<u8>, bool) {
    // One write per request: several small ones would meet Nagle and delayed ACKs.
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n");
    conn.get_mut().write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let (mut len, mut close) = (0, false);
    loop {
        line.clear();
        conn.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':').unwrap();
        match n.to_ascii_lowercase().as_str() {
            "content-length" => len = v.trim().parse().unwrap(),
            "connection" => close = v.trim() == "close",
            _ => {}
        }
    }
    let mut body = vec![0; len];
    conn.read_exact(&mut body).unwrap();
    (status, body, close)
}

fn basic(emu: &plumlogs_emulator::Emulator) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(user(emu))
}

#[test]
fn connections_are_kept_alive_and_served_concurrently() {
    let emu = start(7, 2000);
    let addr = emu.base_url().trim_start_matches("http://").to_string();
    let auth = basic(&emu);
    let threads: Vec<_> = (0..50)
        .map(|t| {
            let (addr, auth) = (addr.clone(), auth.clone());
            std::thread::spawn(move || {
                let mut conn = BufReader::new(TcpStream::connect(&addr).unwrap());
                for i in 0..4 {
                    let path = sessions_path(
                        NOW - DAY,
                        NOW,
                        &format!("?offset={}&limit=1000", (t * 4 + i) * 10),
                    );
                    let (status, body, close) = raw_get(&mut conn, &path, &auth);
                    assert_eq!(status, 200);
                    assert!(!close);
                    assert_eq!(items(&body, "sessions", "session").1.len(), 1000);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    // curl reuses one connection for two URLs.
    let url = sessions_url(&emu);
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-v",
            "-o",
            "/dev/null",
            "-o",
            "/dev/null",
            "-u",
            &user(&emu),
            &url,
            &url,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Re-using existing connection") || err.contains("Reusing existing"),
        "{err}"
    );
    // HTTP/1.0 without keep-alive closes after the answer.
    let r = curl(&["-0", "-u", &user(&emu), &url]);
    assert_eq!((r.status, r.header("Connection")), (200, Some("close")));
}

#[test]
fn stopping_closes_the_port_and_open_connections() {
    let emu = start(7, 100);
    let addr = emu.base_url().trim_start_matches("http://").to_string();
    let mut idle = TcpStream::connect(&addr).unwrap();
    let t0 = Instant::now();
    emu.stop();
    assert!(t0.elapsed() < Duration::from_secs(2));
    idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        idle.read(&mut buf).unwrap_or(0),
        0,
        "the idle connection was closed"
    );
    assert!(
        TcpStream::connect(&addr).is_err(),
        "nothing listens any more"
    );
}

#[test]
fn bad_configs_are_refused() {
    use plumlogs_emulator::{Emulator, EmulatorConfig};
    let e = Emulator::start(EmulatorConfig {
        calls_per_day: 2_000_000,
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let e = Emulator::start(EmulatorConfig {
        clock: Some(-1),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let e = Emulator::start(EmulatorConfig {
        username: "a:b".into(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("':'"));
}

#[test]
fn a_fraction_of_requests_can_fail() {
    let emu = start(7, 200);
    let url = sessions_url(&emu);
    // Every third request fails, four times in all.
    let r = control(
        &emu,
        "POST",
        "faults",
        Some(r#"{"kind":"status","status":503,"count":4,"every":3}"#),
    );
    assert_eq!(r.status, 204);
    let statuses: Vec<u16> = (0..15)
        .map(|_| curl(&["-u", &user(&emu), &url]).status)
        .collect();
    assert_eq!(
        statuses,
        [
            200, 200, 503, 200, 200, 503, 200, 200, 503, 200, 200, 503, 200, 200, 200
        ]
    );
    emu.inject_every(Fault::times(FaultKind::Drop, 1), 2);
    assert_eq!(curl(&["-u", &user(&emu), &url]).status, 200);
    assert_eq!(curl(&["-u", &user(&emu), &url]).exit, 52);
    assert_eq!(
        control(&emu, "POST", "faults", Some(r#"{"kind":"drop","every":0}"#)).status,
        400
    );
}
