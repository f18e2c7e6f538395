//! The cases of `vectors/agreement.json`, through the Rust API: the same code, kind,
//! status and message as the Python and Node tests of the same file expect.

use plumlogs::client::options::{self, TimeUnit};
use plumlogs::{Client, Error, Query, Service};
use serde_json::Value;
use std::time::Duration;

fn cases() -> Value {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/agreement.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn client() -> Client {
    Client::builder()
        .username("u")
        .password("p")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// What a Rust caller gets for the case's Rust inputs.
fn run(case: &Value) -> Error {
    let input = &case["rust"];
    let err = match case["op"].as_str().unwrap() {
        "decode_response" => {
            let service: Service = case["service"].as_str().unwrap().parse().unwrap();
            plumlogs::decode_response(case["body"].as_str().unwrap().as_bytes(), service)
                .map(|_| ())
        }
        "client" => (|| {
            let mut b = Client::builder()
                .username(input["username"].as_str().unwrap_or("u"))
                .password(input["password"].as_str().unwrap_or("p"))
                .base_url("http://127.0.0.1:9");
            if let Some(t) = input.get("timeout") {
                b = b.timeout(options::timeout("timeout", f(t), TimeUnit::Seconds)?);
            }
            if let Some(d) = input.get("deadline") {
                b = b.deadline(options::deadline("deadline", f(d), TimeUnit::Seconds)?);
            }
            if let Some(n) = input.get("max_retries") {
                let n = n.as_i64().unwrap() as i128;
                b = b.max_retries(options::max_retries("max_retries", n)?);
            }
            if let Some(pair) = input.get("backoff") {
                let (base, cap) = options::backoff(
                    ("backoff[0]", "backoff[1]"),
                    f(&pair[0]),
                    f(&pair[1]),
                    TimeUnit::Seconds,
                )?;
                b = b.backoff(base, cap);
            }
            b.build().map(|_| ())
        })(),
        "listing" => (|| {
            let c = client();
            let mut q = Query::new(c.now() - 10, c.now());
            if let Some(l) = input.get("limit") {
                q = q.limit(options::limit("limit", l.as_i64().unwrap() as i128)?);
            }
            if let Some(p) = input.get("page_size") {
                q = q.page_size(p.as_u64().unwrap() as u32);
            }
            c.sessions(&q).map(|_| ())
        })(),
        "with_text" => {
            let c = client();
            let q = Query::new(c.now() - 10, c.now());
            let n = input["concurrency"].as_u64().unwrap() as usize;
            c.call_logs_with_text(&q, n).map(|_| ())
        }
        "fault" => {
            // What both bindings do with the emulator's own verdict on a fault.
            let emu = plumlogs_emulator::Emulator::start(Default::default()).unwrap();
            let fault = plumlogs_emulator::Fault {
                kind: plumlogs_emulator::FaultKind::Status {
                    status: input["status"].as_u64().unwrap() as u16,
                    retry_after: None,
                },
                count: 1,
                path_prefix: None,
            };
            emu.try_inject(fault)
                .map_err(|e| Error::invalid_argument(e.field, e.reason))
        }
        "call_log" => client()
            .call_log(input["log_id"].as_u64().unwrap())
            .map(|_| ()),
        other => panic!("unknown op {other}"),
    };
    err.expect_err(case["name"].as_str().unwrap())
}

#[test]
fn every_case_gives_the_one_answer() {
    let all = cases();
    let list = all["cases"].as_array().unwrap();
    assert!(list.len() >= 10);
    for case in list {
        let name = case["name"].as_str().unwrap();
        let e = run(case);
        assert_eq!(e.code(), case["code"], "{name}: {e:?}");
        assert_eq!(e.to_string(), case["message"], "{name}");
        if let Some(kind) = case.get("kind") {
            assert_eq!(
                e.kind().map(Value::from).unwrap_or(Value::Null),
                *kind,
                "{name}"
            );
        }
        if let Some(status) = case.get("http_status") {
            let got = e.http_status().map(Value::from).unwrap_or(Value::Null);
            assert_eq!(got, *status, "{name}");
        }
        if let Some(field) = case.get("field") {
            match &e {
                Error::InvalidArgument { field: got, .. } => assert_eq!(got, field, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

#[test]
fn the_defaults_are_the_cores() {
    let want = &cases()["defaults"];
    for (name, value) in options::DEFAULTS {
        assert_eq!(want[name].as_f64(), Some(value), "{name}");
    }
    assert_eq!(options::DEFAULT_CONCURRENCY, 4);
    let c = client();
    assert_eq!(c.timeout(), Duration::from_secs(30));
    assert_eq!(c.max_retries(), 3);
    assert_eq!(Query::new(0, 1).page_size, 1000);
}
