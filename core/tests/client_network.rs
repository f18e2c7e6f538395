//! Corporate networks on loopback: an HTTP CONNECT proxy made in the test, and a TLS
//! server whose certificate comes from a CA made in the test (rcgen).

mod client_common;
mod connect_proxy;

use client_common::*;
use connect_proxy::connect_proxy;
use plumlogs::client::TlsRoots;
use plumlogs::{Client, Error, Query, Wire};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn an_explicit_proxy_carries_every_request_through_a_connect_tunnel() {
    let emu = emulator(300);
    let (proxy, seen) = connect_proxy(50);
    let direct = client(&emu, Wire::Json);
    let via = builder(&emu).proxy(proxy).build().unwrap();
    let q = Query::new(NOW - 6 * HOUR, NOW).page_size(100);
    let want: Vec<_> = direct
        .errors(&q)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!want.is_empty());
    let got: Vec<_> = via.errors(&q).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(got, want);
    let hostport = emu.base_url().trim_start_matches("http://").to_owned();
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|l| l == &format!("CONNECT {hostport} HTTP/1.1")),
        "{seen:?}"
    );
}

#[test]
fn a_proxy_that_refuses_is_a_transport_error_and_a_bad_proxy_url_an_argument_error() {
    let emu = emulator(10);
    // A port with nothing listening.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let c = builder(&emu).proxy(url).build().unwrap();
    match c.errors(&Query::new(NOW - HOUR, NOW)).unwrap().next() {
        Some(Err(Error::Transport { .. })) => {}
        other => panic!("{other:?}"),
    }
    match builder(&emu).proxy("http://me:hunter2@[::1").build() {
        Err(e @ Error::InvalidArgument { .. }) => {
            let m = e.to_string();
            assert!(!m.contains("hunter2"), "{m}")
        }
        other => panic!("{other:?}"),
    }
}

/// A CA, and a TLS server for `localhost`/127.0.0.1 signed by it that answers every
/// request with an empty errors listing. Returns (base URL, CA PEM).
fn tls_server(max: usize) -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "plumlogs test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(max) {
            let Ok(tcp) = conn else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let body =
                    br#"{"status":"success","error":"","result":{"total_errors":"0","errors":[]}}"#;
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(body);
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (format!("https://localhost:{port}"), ca_cert.pem())
}

fn tls_client(
    base_url: &str,
    ca: Option<&std::path::Path>,
    proxy: Option<&str>,
    roots: Option<TlsRoots>,
) -> Client {
    let mut b = Client::builder()
        .username("u")
        .password("p")
        .base_url(base_url)
        .clock(|| NOW)
        .timeout(Duration::from_secs(5))
        .max_retries(0);
    if let Some(ca) = ca {
        b = b.ca_bundle(ca);
    }
    if let Some(p) = proxy {
        b = b.proxy(p);
    }
    if let Some(r) = roots {
        b = b.tls_roots(r);
    }
    b.build().unwrap()
}

#[test]
fn a_private_ca_is_trusted_only_when_given_also_through_the_proxy() {
    let (url, ca_pem) = tls_server(10);
    let dir = std::env::temp_dir().join(format!("plumlogs-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &ca_pem).unwrap();
    let q = Query::new(NOW - HOUR, NOW);

    // The built-in roots do not know the test CA: refused, not retried.
    match tls_client(&url, None, None, None)
        .errors(&q)
        .unwrap()
        .next()
    {
        Some(Err(Error::Transport { message })) => {
            assert!(
                message.to_lowercase().contains("certificate") || message.contains("UnknownIssuer"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    // With the bundle: an empty listing, read over TLS.
    let got: Vec<_> = tls_client(&url, Some(&ca), None, None)
        .errors(&q)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(got.is_empty());
    // Through the CONNECT proxy, TLS end to end.
    let (proxy, seen) = connect_proxy(10);
    let got: Vec<_> = tls_client(&url, Some(&ca), Some(&proxy), None)
        .errors(&q)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(got.is_empty());
    let port = url.rsplit(':').next().unwrap();
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![format!("CONNECT localhost:{port} HTTP/1.1")]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the test `name` of this binary again in a child process with `set` in its
/// environment (the variables the platform verifier and ureq read from the process
/// itself, which a test must not change in its own, threaded process); the child's
/// result is this test's.
fn in_child(name: &str, set: &[(&str, &str)]) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"]);
    for var in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "PLUM_CA_BUNDLE",
        "PLUM_TLS_ROOTS",
        "NO_PROXY",
        "no_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PLUMLOGS_TEST_CHILD", "1");
    for (k, v) in set {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The filter matched the one test (a renamed test would otherwise run nothing).
    assert!(stdout.contains("1 passed"), "{stdout}");
}

fn child_env(name: &str) -> Option<String> {
    std::env::var("PLUMLOGS_TEST_CHILD").ok()?;
    Some(std::env::var(name).unwrap())
}

fn roots_client(base_url: &str, roots: Option<TlsRoots>) -> Client {
    tls_client(base_url, None, None, roots)
}

fn refused(c: &Client) {
    match c.errors(&Query::new(NOW - HOUR, NOW)).unwrap().next() {
        Some(Err(Error::Transport { message })) => assert!(
            message.to_lowercase().contains("certificate") || message.contains("UnknownIssuer"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_platform_trust_store_is_used_when_asked_for() {
    let Some(url) = child_env("PLUMLOGS_TEST_URL") else {
        let (url, ca_pem) = tls_server(20);
        let (_, other_pem) = tls_server(0);
        let dir = std::env::temp_dir().join(format!("plumlogs-roots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, &ca_pem).unwrap();
        let other = dir.join("other.pem");
        std::fs::write(&other, &other_pem).unwrap();
        let cadir = dir.join("certs");
        std::fs::create_dir_all(&cadir).unwrap();
        std::fs::write(cadir.join("ca.pem"), &ca_pem).unwrap();
        let (ca, other, cadir) = (
            ca.to_str().unwrap(),
            other.to_str().unwrap(),
            cadir.to_str().unwrap(),
        );
        let name = "the_platform_trust_store_is_used_when_asked_for";
        // On Linux the platform store is what SSL_CERT_FILE/SSL_CERT_DIR name.
        for set in [
            [
                ("SSL_CERT_FILE", ca),
                ("PLUMLOGS_TEST_EXPECT", "platform-trusted"),
            ],
            [
                ("SSL_CERT_FILE", other),
                ("PLUMLOGS_TEST_EXPECT", "platform-refused"),
            ],
            // SSL_CERT_DIR is the platform verifier's alone: by default not read...
            [
                ("SSL_CERT_DIR", cadir),
                ("PLUMLOGS_TEST_EXPECT", "default-refused"),
            ],
            // ...and PLUM_TLS_ROOTS=platform picks that verifier without code.
            [("SSL_CERT_DIR", cadir), ("PLUM_TLS_ROOTS", "platform")],
        ] {
            let expect = if set[1].0 == "PLUM_TLS_ROOTS" {
                ("PLUMLOGS_TEST_EXPECT", "default-trusted")
            } else {
                set[1]
            };
            in_child(name, &[("PLUMLOGS_TEST_URL", &url), set[0], set[1], expect]);
        }
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    };
    let q = Query::new(NOW - HOUR, NOW);
    // The built-in roots never trust the test CA, whatever the environment says.
    refused(&roots_client(&url, Some(TlsRoots::Builtin)));
    let trusted = |c: Client| {
        let got: Vec<_> = c.errors(&q).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(got.is_empty());
    };
    match child_env("PLUMLOGS_TEST_EXPECT").unwrap().as_str() {
        "platform-trusted" => trusted(roots_client(&url, Some(TlsRoots::Platform))),
        "platform-refused" => refused(&roots_client(&url, Some(TlsRoots::Platform))),
        "default-refused" => refused(&roots_client(&url, None)),
        "default-trusted" => trusted(roots_client(&url, None)),
        other => panic!("{other}"),
    }
}

#[test]
fn platform_roots_and_a_ca_bundle_exclude_each_other() {
    let b = || {
        Client::builder()
            .username("u")
            .password("p")
            .base_url("https://localhost:1")
    };
    match b()
        .ca_bundle("/nonexistent.pem")
        .tls_roots(TlsRoots::Platform)
        .build()
    {
        Err(e @ Error::InvalidArgument { .. }) => {
            assert!(e.to_string().contains("tls_roots"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    match "system".parse::<TlsRoots>() {
        Err(e @ Error::InvalidArgument { .. }) => {
            let m = e.to_string();
            assert!(m.contains("tls_roots") && m.contains("\"system\""), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        " Platform ".parse::<TlsRoots>().unwrap(),
        TlsRoots::Platform
    );
}

#[test]
fn no_proxy_bypasses_an_explicit_proxy_too() {
    let Some(_) = child_env("PLUMLOGS_TEST_URL") else {
        in_child(
            "no_proxy_bypasses_an_explicit_proxy_too",
            &[
                ("PLUMLOGS_TEST_URL", "-"),
                ("NO_PROXY", "example.com, 127.0.0.1"),
            ],
        );
        return;
    };
    let emu = emulator(100);
    let q = Query::new(NOW - 6 * HOUR, NOW).page_size(100);
    let (proxy, seen) = connect_proxy(10);
    let got: Vec<_> = builder(&emu)
        .proxy(&proxy)
        .build()
        .unwrap()
        .errors(&q)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!got.is_empty());
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    // A host not on the list still goes through it.
    let (proxy, seen) = connect_proxy(10);
    let via = builder(&emu)
        .base_url(emu.base_url().replace("127.0.0.1", "localhost"))
        .proxy(&proxy)
        .build()
        .unwrap();
    let again: Vec<_> = via.errors(&q).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(again, got);
    assert!(!seen.lock().unwrap().is_empty());
}
