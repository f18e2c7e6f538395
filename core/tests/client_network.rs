//! Corporate networks on loopback: an HTTP CONNECT proxy made in the test, and a TLS
//! server whose certificate comes from a CA made in the test (rcgen).

mod client_common;
mod connect_proxy;

use client_common::*;
use connect_proxy::connect_proxy;
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

fn tls_client(base_url: &str, ca: Option<&std::path::Path>, proxy: Option<&str>) -> Client {
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
    match tls_client(&url, None, None).errors(&q).unwrap().next() {
        Some(Err(Error::Transport { message })) => {
            assert!(
                message.to_lowercase().contains("certificate") || message.contains("UnknownIssuer"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    // With the bundle: an empty listing, read over TLS.
    let got: Vec<_> = tls_client(&url, Some(&ca), None)
        .errors(&q)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(got.is_empty());
    // Through the CONNECT proxy, TLS end to end.
    let (proxy, seen) = connect_proxy(10);
    let got: Vec<_> = tls_client(&url, Some(&ca), Some(&proxy))
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
