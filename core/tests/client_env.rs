//! Credentials and base URL from `PLUM_USERNAME`, `PLUM_PASSWORD`, `PLUM_BASE_URL`.
//! One test in its own binary: it changes the process environment, which no other
//! test thread may read at the same time.
#![cfg(feature = "client")]

mod client_common;
use client_common::*;
use plumlogs::{Client, Error, Query};

#[test]
fn credentials_and_base_url_come_from_the_environment() {
    let emu = emulator(100);
    // SAFETY: the only test in this binary, so no other thread reads the environment.
    // SAFETY: as above, no other thread reads the environment.
    unsafe {
        std::env::remove_var("PLUM_USERNAME");
        std::env::remove_var("PLUM_PASSWORD");
        std::env::remove_var("PLUM_BASE_URL");
    }
    match Client::builder().base_url(emu.base_url()).build() {
        Err(Error::Auth {
            http_status: None,
            message,
        }) => {
            assert!(message.contains("no username and no password"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // SAFETY: the only test of this binary (see the module doc): no other thread reads
    // the environment meanwhile.
    unsafe {
        std::env::set_var("PLUM_USERNAME", emu.username());
        std::env::set_var("PLUM_PASSWORD", emu.password());
        std::env::set_var("PLUM_BASE_URL", format!("{}/", emu.base_url()));
    }
    let c = Client::builder().clock(|| NOW).build().unwrap();
    assert_eq!(c.base_url(), emu.base_url());
    let n = c
        .sessions(&Query::new(NOW - 6 * HOUR, NOW))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert!(n > 0);
    assert!(
        emu.requests()
            .iter()
            .all(|r| r.username.as_deref() == Some(emu.username()))
    );
    // Explicit settings win over the environment.
    let c = Client::builder()
        .password("wrong")
        .clock(|| NOW)
        .build()
        .unwrap();
    assert!(matches!(
        c.call_log(1),
        Err(Error::Auth {
            http_status: Some(401),
            ..
        })
    ));
    // SAFETY: as above, no other thread reads the environment.
    unsafe {
        std::env::remove_var("PLUM_USERNAME");
        std::env::remove_var("PLUM_PASSWORD");
        std::env::remove_var("PLUM_BASE_URL");
    }
}
