//! `--verbose` and `PLUM_LOG`: a line per request on stderr, never a credential.

mod common;

use common::*;

#[test]
fn verbose_and_plum_log_show_requests_without_credentials() {
    let emu = emulator(200);
    let (from, to) = day(&emu);
    let args = ["errors", "--from", &from, "--to", &to, "-o", "jsonl"];
    let quiet = run(cli(&emu), &args);
    assert!(quiet.status.success());
    assert!(
        !text(&quiet.stderr).contains("GET "),
        "{}",
        text(&quiet.stderr)
    );

    let v = run(cli(&emu), &[&args[..], &["--verbose"]].concat());
    assert!(v.status.success(), "{}", text(&v.stderr));
    assert_eq!(v.stdout, quiet.stdout);
    let err = text(&v.stderr);
    let want = format!(
        "plumlogs: info: GET /ws/calls/errors/{from}/{to}?offset=0&limit=1000 -> 200 (attempt 1, "
    );
    assert!(err.contains(&want), "{err}");
    assert!(
        !err.contains("content-type"),
        "headers only at debug: {err}"
    );

    let mut c = cli(&emu);
    c.env("PLUM_LOG", "debug");
    let d = run(c, &args);
    let err = text(&d.stderr);
    assert!(err.contains("plumlogs: info: GET "), "{err}");
    assert!(
        err.contains("plumlogs: debug:   ") && err.contains("content-type: application/json"),
        "{err}"
    );
    for e in [text(&v.stderr), err] {
        // The default password is also the emulator's `Server` header value.
        assert_eq!(
            e.matches(emu.password()).count(),
            e.matches("server: plumlogs-emulator").count(),
            "{e}"
        );
        assert!(!e.to_ascii_lowercase().contains("authorization"), "{e}");
        assert!(!e.contains("Basic "), "{e}");
    }

    let mut c = cli(&emu);
    c.env("PLUM_LOG", "loud");
    let bad = run(c, &args);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("PLUM_LOG=\"loud\""),
        "{}",
        text(&bad.stderr)
    );
}
