//! `--proxy`, `HTTPS_PROXY`/`NO_PROXY` and `--ca-bundle` from the shell.

mod common;
#[path = "../../core/tests/connect_proxy/mod.rs"]
mod connect_proxy;

use common::*;
use connect_proxy::connect_proxy;

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
        text(&out.stderr)
            .contains("invalid argument ca_bundle: /nonexistent/ca.pem: cannot be read"),
        "{}",
        text(&out.stderr)
    );
    let mut c = cli(&emu);
    c.env("PLUM_CA_BUNDLE", "/nonexistent/plum.pem");
    let out = run(c, &["errors"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("PLUM_CA_BUNDLE: /nonexistent/plum.pem"),
        "{}",
        text(&out.stderr)
    );
    let out = run(cli(&emu), &["errors", "--tls-roots", "system"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--tls-roots") && text(&out.stderr).contains("\"system\""),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        cli(&emu),
        &[
            "errors",
            "--tls-roots",
            "platform",
            "--ca-bundle",
            "/nonexistent/ca.pem",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("invalid argument tls_roots"),
        "{}",
        text(&out.stderr)
    );
}
