//! The chunked parallel parse gives exactly what the sequential parse gives:
//! records in order, problems with whole-text lines and offsets, strict and lenient.

use plumlogs::{
    CallLogEntry, Chunking, ErrorRecord, Format, ParseError, SessionRecord, TextRecord,
    parse_call_log_lenient, parse_chunked, parse_errors_lenient, parse_sessions_lenient,
};

const CALL: &str = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
const TAG: &str = "local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 200035;003;1509734279 fetchurl: http://x/y";
const ERR: &str = "error 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 prompt not found";
const ENTRY: &str =
    "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";

/// `n` lines of `good`, with a bad line every `every` lines and some blank ones.
fn text(good: &str, bad: &str, n: usize, every: usize) -> String {
    let mut t = String::from("\u{feff}");
    for i in 0..n {
        if i % every == every - 1 {
            t.push_str(bad);
        } else if i % 17 == 5 {
            t.push_str("  ");
        } else {
            t.push_str(good);
        }
        t.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
    }
    t
}

fn chunked<'a, R: TextRecord<'a> + Send>(
    t: &'a str,
    strict: bool,
    workers: usize,
) -> (Vec<R>, Vec<ParseError>, usize) {
    let c = parse_chunked::<R, Vec<R>, _, _>(
        t.as_bytes(),
        strict,
        &Chunking::with_workers(workers),
        |p| Vec::with_capacity(p.lines),
        |v, r| v.push(r),
    );
    let parts = c.parts.len();
    (c.parts.into_iter().flatten().collect(), c.problems, parts)
}

fn agree<'a, R>(t: &'a str, lenient: plumlogs::Lenient<R>, strict_first: Option<ParseError>)
where
    R: TextRecord<'a> + Send + PartialEq + std::fmt::Debug,
{
    for workers in [1, 2, 3, 4] {
        let (records, problems, parts) = chunked::<R>(t, false, workers);
        assert_eq!(
            records,
            lenient.records,
            "{:?} workers {workers}",
            R::FORMAT
        );
        assert_eq!(
            problems,
            lenient.problems,
            "{:?} workers {workers}",
            R::FORMAT
        );
        if workers > 1 {
            assert!(
                parts > 1,
                "{:?}: one chunk with {workers} workers",
                R::FORMAT
            );
        }
        let (_, strict, _) = chunked::<R>(t, true, workers);
        assert_eq!(
            strict.first().cloned(),
            strict_first,
            "{:?} strict",
            R::FORMAT
        );
        assert!(strict.len() <= 1);
    }
}

#[test]
fn sessions_in_chunks_match_the_sequential_parse() {
    let t = text(
        &format!("{CALL}\n{TAG}"),
        &CALL.replace("Nov", "Nox"),
        3_000,
        97,
    );
    let lenient = parse_sessions_lenient(&t);
    assert!(lenient.problems.len() > 20 && lenient.records.len() > 5_000);
    let first = plumlogs::parse_sessions(&t).err();
    assert!(first.is_some());
    agree::<SessionRecord>(&t, lenient, first);
    // No bad line: nothing reported, every record there.
    let ok = text(CALL, CALL, 2_000, usize::MAX);
    let (records, problems, _) = chunked::<SessionRecord>(&ok, true, 3);
    assert!(problems.is_empty());
    assert_eq!(records.len(), plumlogs::parse_sessions(&ok).unwrap().len());
}

#[test]
fn error_lines_in_chunks_match_the_sequential_parse() {
    let t = text(ERR, CALL, 4_000, 211);
    let first = plumlogs::parse_errors(&t).err();
    agree::<ErrorRecord>(&t, parse_errors_lenient(&t), first);
}

#[test]
fn call_logs_are_cut_only_before_an_entry() {
    // Entries with continuation lines: a cut inside one would split its message.
    let t = text(
        &format!("{ENTRY}\n  more text\n\tand more"),
        &ENTRY.replace("28 Aug", "99 Aug"),
        3_000,
        101,
    );
    let lenient = parse_call_log_lenient(&t);
    assert!(
        lenient
            .records
            .iter()
            .all(|e| e.message.ends_with("and more"))
    );
    let first = plumlogs::parse_call_log(&t).err();
    agree::<CallLogEntry>(&t, lenient, first);
    assert_eq!(<CallLogEntry as TextRecord>::FORMAT, Format::CallLog);
    assert_eq!(Format::CallLog.to_string(), "call_log");
}

#[test]
fn small_texts_stay_on_the_calling_thread() {
    let t = format!("{CALL}\n{CALL}\n");
    let c = parse_chunked::<SessionRecord, usize, _, _>(
        t.as_bytes(),
        true,
        &Chunking::default(),
        |_| 0,
        |n, _| *n += 1,
    );
    assert_eq!(c.parts, vec![2]);
    assert!(c.first_problem().is_none());
}
