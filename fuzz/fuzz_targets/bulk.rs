#![no_main]
//! Any bytes as a text of lines: no panic, and lenient mode accounts for every line.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = plumlogs::bulk::count_non_blank_lines(data);
    let sessions = plumlogs::parse_sessions_lenient(data);
    assert_eq!(sessions.records.len() + sessions.problems.len(), lines);
    let errors = plumlogs::parse_errors_lenient(data);
    assert_eq!(errors.records.len() + errors.problems.len(), lines);
    for p in sessions.problems.iter().chain(&errors.problems) {
        assert!(p.line >= 1 && p.column >= 1 && p.offset <= data.len());
    }
});
