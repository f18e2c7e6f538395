#![no_main]
//! Any bytes as a call-log text: no panic, strict and lenient agree.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lenient = plumlogs::parse_call_log_lenient(data);
    match plumlogs::parse_call_log(data) {
        Ok(entries) => {
            assert!(lenient.problems.is_empty());
            assert_eq!(entries, lenient.records);
        }
        Err(first) => assert_eq!(Some(&first), lenient.problems.first()),
    }
});
