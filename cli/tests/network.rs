//! `--proxy`, `HTTPS_PROXY`/`NO_PROXY` and `--ca-bundle` from the shell.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A CONNECT proxy on 127.0.0.1 for up to `max` tunnels, logging request lines.
fn connect_proxy(max: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(max) {
            let Ok(client) = conn else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                client
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                for _ in 0..100 {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                log.lock().unwrap().push(first.trim().to_owned());
                let target = first.split_whitespace().nth(1).unwrap_or("").to_owned();
                let Ok(up) = TcpStream::connect(&target) else {
                    return;
                };
                let mut client = client;
                client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .unwrap();
                let (mut up_r, mut up_w) = (up.try_clone().unwrap(), up);
                let mut down = client.try_clone().unwrap();
                let t = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up_r, &mut down);
                    let _ = down.shutdown(std::net::Shutdown::Write);
                });
                let _ = up_w.write_all(reader.buffer());
                let _ = std::io::copy(&mut reader.into_inner(), &mut up_w);
                let _ = up_w.shutdown(std::net::Shutdown::Write);
                let _ = t.join();
            });
        }
    });
    (url, seen)
}

#[test]
fn proxy_from_the_flag_or_the_environment_and_no_proxy_bypasses_it() {
    let emu = emulator(200);
    let (from, to) = day(&emu);
    let args = ["errors", "--from", &from, "--to", &to, "-o", "jsonl"];
    let direct = run(cli(&emu), &args);
    assert!(direct.status.success());
    let hostport = emu.base_url().trim_start_matches("http://").to_owned();
    let connect = format!("CONNECT {hostport} HTTP/1.1");

    let (proxy, seen) = connect_proxy(20);
    let flagged = run(cli(&emu), &[&args[..], &["--proxy", &proxy]].concat());
    assert!(flagged.status.success(), "{}", text(&flagged.stderr));
    assert_eq!(flagged.stdout, direct.stdout);
    assert_eq!(seen.lock().unwrap().clone(), vec![connect.clone()]);

    let (proxy, seen) = connect_proxy(20);
    let mut c = cli(&emu);
    c.env("HTTPS_PROXY", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let from_env = run(c, &args);
    assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    assert_eq!(from_env.stdout, direct.stdout);
    assert_eq!(seen.lock().unwrap().clone(), vec![connect]);

    let (proxy, seen) = connect_proxy(20);
    let mut c = cli(&emu);
    c.env("HTTPS_PROXY", &proxy).env("NO_PROXY", "127.0.0.1");
    let bypass = run(c, &args);
    assert!(bypass.status.success(), "{}", text(&bypass.stderr));
    assert_eq!(bypass.stdout, direct.stdout);
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn a_bad_proxy_or_ca_bundle_is_bad_usage() {
    let emu = emulator(10);
    let out = run(cli(&emu), &["errors", "--proxy", "http://[::1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("proxy"), "{}", text(&out.stderr));
    let out = run(cli(&emu), &["errors", "--ca-bundle", "/nonexistent/ca.pem"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("ca_bundle /nonexistent/ca.pem: cannot be read"),
        "{}",
        text(&out.stderr)
    );
    let mut c = cli(&emu);
    c.env("PLUM_CA_BUNDLE", "/nonexistent/plum.pem");
    let out = run(c, &["errors"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("PLUM_CA_BUNDLE /nonexistent/plum.pem"),
        "{}",
        text(&out.stderr)
    );
}
