//! Validation before any request, auth failures, the password kept out of every
//! formatted value, and credentials sent only to the configured host.
#![cfg(feature = "client")]

mod client_common;
use client_common::*;
use plumlogs::{Client, Error, Query, Wire};
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

#[test]
fn every_validation_error_comes_before_any_request() {
    let emu = emulator(2000);
    let c = client(&emu, Wire::Json);
    let q = || Query::new(NOW - HOUR, NOW);
    let cases: Vec<(&str, Query)> = vec![
        ("end equal to start", Query::new(NOW, NOW)),
        ("end before start", Query::new(NOW, NOW - 1)),
        ("page_size 0", q().page_size(0)),
        ("page_size 10001", q().page_size(10_001)),
        ("limit 0", q().limit(0)),
        ("empty number", q().number("")),
        ("blank number", q().number("   ")),
        (
            "sessions older than a year",
            Query::new(NOW - 366 * DAY, NOW),
        ),
    ];
    for (what, q) in &cases {
        for result in [
            c.sessions(q).map(|_| ()),
            c.errors(q).map(|_| ()),
            c.call_logs(q).map(|_| ()),
            c.call_logs_with_text(q, 4).map(|_| ()),
        ] {
            match result {
                Err(Error::InvalidArgument { field, reason }) => {
                    assert!(!field.is_empty() && !reason.is_empty(), "{what}")
                }
                other => panic!("{what}: {other:?}"),
            }
        }
    }
    // calls/logs keeps 5 days; sessions and errors a year.
    let six_days = Query::new(NOW - 6 * DAY, NOW);
    match c.call_logs(&six_days) {
        Err(Error::InvalidArgument { reason, .. }) => {
            assert!(reason.contains("5 days"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(c.call_logs_with_text(&six_days, 2).is_err());
    assert!(matches!(c.call_log(0), Err(Error::InvalidArgument { .. })));
    assert!(matches!(
        c.call_logs_with_text(&q(), 0),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(
        emu.requests().is_empty(),
        "nothing was sent: {:?}",
        emu.requests()
    );
    // The same windows are fine where retention allows them.
    assert!(c.sessions(&six_days).is_ok());
    assert!(emu.requests().is_empty(), "pages are fetched on first use");
}

#[test]
fn builder_errors_come_before_any_request() {
    let emu = emulator(10);
    // No credentials at all: an auth error without a status (nothing was asked of a server).
    // (The environment fallback is tested in client_env.rs; here both are explicit.)
    match Client::builder()
        .username("")
        .password("")
        .base_url(emu.base_url())
        .build()
    {
        Err(Error::Auth {
            http_status: None,
            message,
        }) => assert!(message.contains("PLUM_USERNAME"), "{message}"),
        other => panic!("{other:?}"),
    }
    let with_creds = || Client::builder().username("u").password("p");
    for url in [
        "http://plum.example.com",
        "http://192.168.1.2:8080",
        "ftp://127.0.0.1",
        "not a url",
        "https://u:p@plum.example.com",
    ] {
        assert!(
            matches!(
                with_creds().base_url(url).build(),
                Err(Error::InvalidArgument { .. })
            ),
            "{url}"
        );
    }
    assert!(
        with_creds()
            .base_url("http://plum.example.com")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    assert!(with_creds().base_url("http://localhost:1").build().is_ok());
    assert!(with_creds().base_url("http://[::1]:1").build().is_ok());
    assert!(
        with_creds()
            .base_url("https://hosting.vxml.sharpencx.com/")
            .build()
            .is_ok()
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn wrong_credentials_are_an_auth_error_without_retries() {
    let emu = emulator(100);
    for wire in [Wire::Json, Wire::Xml] {
        emu.clear_requests();
        let c = builder(&emu)
            .password("not-the-password")
            .wire(wire)
            .build()
            .unwrap();
        match c
            .sessions(&Query::new(NOW - HOUR, NOW))
            .unwrap()
            .next()
            .unwrap()
        {
            Err(Error::Auth {
                http_status: Some(401),
                message,
            }) => {
                assert!(
                    message.contains("Unauthorized access"),
                    "the server's own text: {message}"
                )
            }
            other => panic!("{other:?}"),
        }
        match c.call_log(1) {
            Err(Error::Auth {
                http_status: Some(401),
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(emu.requests().len(), 2, "401 is not retried");
    }
}

/// A one-shot HTTP server that answers every request with a redirect to `location`
/// and reports the requests' head lines.
fn redirector(location: String) -> (String, std::sync::mpsc::Receiver<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push(line.trim_end().to_owned());
            }
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            if tx.send(head).is_err() {
                return;
            }
        }
    });
    (base, rx)
}

#[test]
fn authorization_goes_only_to_the_configured_host() {
    let emu = emulator(200);
    let c = client(&emu, Wire::Json);
    let q = Query::new(NOW - 2 * HOUR, NOW).page_size(50);
    c.sessions(&q)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    c.call_logs_with_text(&q, 3)
        .unwrap()
        .for_each(|(_, r)| assert!(r.is_ok()));
    let reqs = emu.requests();
    assert!(reqs.len() > 3);
    for r in &reqs {
        assert_eq!(r.header("authorization"), Some("Basic <redacted>"), "{r:?}");
        assert_eq!(r.username.as_deref(), Some(emu.username()));
        assert_eq!(
            r.header("user-agent").map(|u| u.starts_with("plumlogs/")),
            Some(true)
        );
    }

    // A redirect to another host (another port of loopback is another origin) is not
    // followed: the other host sees nothing, and the caller gets an error naming it.
    let elsewhere = Emulator::start(EmulatorConfig {
        clock: Some(NOW),
        ..Default::default()
    })
    .unwrap();
    let target = format!(
        "{}/ws/calls/sessions/{}/{}",
        elsewhere.base_url(),
        NOW - HOUR,
        NOW
    );
    let (base, heads) = redirector(target.clone());
    let c = builder(&emu).base_url(&base).build().unwrap();
    match c
        .sessions(&Query::new(NOW - HOUR, NOW))
        .unwrap()
        .next()
        .unwrap()
    {
        Err(Error::Api {
            http_status: Some(302),
            message,
        }) => assert!(message.contains(&target), "{message}"),
        other => panic!("{other:?}"),
    }
    let head = heads.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        head.iter()
            .any(|h| h.to_ascii_lowercase().starts_with("authorization: basic ")),
        "{head:?}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
}

#[test]
fn the_password_never_appears_in_any_formatted_output() {
    const SECRET: &str = "Pw-0f-th3-t3st-xyzzy";
    let emu = Emulator::start(EmulatorConfig {
        clock: Some(NOW),
        password: SECRET.into(),
        calls_per_day: 200,
        ..Default::default()
    })
    .unwrap();
    let b = || {
        builder(&emu)
            .password(SECRET)
            .timeout(Duration::from_secs(1))
            .max_retries(1)
    };
    let c = b().build().unwrap();
    let wrong = builder(&emu)
        .password(format!("{SECRET}-wrong"))
        .build()
        .unwrap();
    let q = Query::new(NOW - 2 * HOUR, NOW).page_size(20);
    let mut errors: Vec<Error> = Vec::new();
    let first_err = |client: &Client, fault: Option<FaultKind>| {
        if let Some(f) = fault {
            emu.inject(Fault::times(f, 2));
        }
        let e = client
            .sessions(&q)
            .unwrap()
            .find_map(Result::err)
            .expect("an error");
        emu.clear_faults();
        e
    };
    errors.push(first_err(&wrong, None));
    for f in [
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
        FaultKind::Status {
            status: 400,
            retry_after: None,
        },
        FaultKind::Slow { delay_ms: 3000 },
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::DocumentedFailure { status: 403 },
        FaultKind::Drop,
    ] {
        errors.push(first_err(&c, Some(f)));
    }
    errors.push(c.call_log(0).unwrap_err());
    errors.push(c.call_log(999_999_999_999).unwrap_err());
    errors.push(c.sessions(&Query::new(NOW, NOW)).unwrap_err());
    errors.push(
        b().base_url(format!("https://me:{SECRET}@plum.example.com"))
            .build()
            .unwrap_err(),
    );
    errors.push(b().base_url("http://plum.example.com").build().unwrap_err());
    errors.push(b().username("a:b").build().unwrap_err());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    errors.push(
        b().base_url(format!("http://127.0.0.1:{port}"))
            .build()
            .unwrap()
            .call_log(5)
            .unwrap_err(),
    );
    emu.inject(
        Fault::times(
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
            2,
        )
        .on_path("/ws/calls/log/"),
    );
    errors.extend(
        c.call_logs_with_text(&q, 2)
            .unwrap()
            .filter_map(|(_, r)| r.err()),
    );

    // Every kind of error is in the sample.
    for kind in ["Auth", "Api", "Transport", "InvalidArgument"] {
        assert!(
            errors.iter().any(|e| format!("{e:?}").starts_with(kind)),
            "no {kind} error in {errors:?}"
        );
    }
    use base64::Engine as _;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{SECRET}", emu.username()));
    let mut shown: Vec<String> = Vec::new();
    for e in &errors {
        shown.push(format!("{e}"));
        shown.push(format!("{e:?}"));
        shown.push(format!("{e:#?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            shown.push(format!("{s} {s:?}"));
            source = s.source();
        }
    }
    shown.push(format!("{c:?} {c:#?}"));
    shown.push(format!("{:?}", b()));
    shown.push(format!("{:?}", c.sessions(&q).unwrap()));
    shown.push(format!(
        "{:?}",
        c.call_logs_with_text(&q.clone().limit(2), 1).unwrap()
    ));
    for s in &shown {
        assert!(!s.contains(SECRET), "password shown: {s}");
        assert!(!s.contains(&encoded), "encoded credentials shown: {s}");
    }
    assert!(shown.iter().any(|s| s.contains("<redacted>")));
}
