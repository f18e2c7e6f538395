#![no_main]
//! Any bytes: no panic; and whatever parses prints back to a line that parses equal.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = plumlogs::parse_error_line(data) {
        if record.message.contains(['\r', '\n']) {
            return;
        }
        let line = record.to_string();
        let again = plumlogs::parse_error_line(&line).expect("a printed record parses");
        assert_eq!(again, record);
    }
});
