#![no_main]
//! Any bytes as a response body of every service, from a XML corpus.
use libfuzzer_sys::fuzz_target;

#[path = "decode_checks.rs"]
mod decode_checks;

fuzz_target!(|data: &[u8]| decode_checks::check(data));
