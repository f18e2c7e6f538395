#![no_main]
//! Any bytes as what a client sends the emulator on one connection: request heads
//! and `Content-Length`/chunked bodies, pipelined. No panic (no overflow on any
//! size), and every bound holds: a body is at most 1 MiB, a head at most 100
//! headers, an error message quotes a bounded excerpt, and each request read
//! consumes input (checked inside `read_requests`).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let results = plumlogs_emulator::fuzzing::read_requests(data);
    // At most one error, and only as the last result: a connection stops there.
    if let Some(i) = results.iter().position(|r| r.is_err()) {
        assert_eq!(i, results.len() - 1);
    }
    for r in &results {
        match r {
            Ok(len) => assert!(*len <= 1024 * 1024),
            Err(status) => assert!(matches!(status, 0 | 400 | 408 | 413 | 431 | 505)),
        }
    }
});
