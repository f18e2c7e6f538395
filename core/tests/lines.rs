//! The line grammar against the documented vectors and every rule of issue 2.

use plumlogs::{
    ErrorKind, parse_call_log, parse_call_log_lenient, parse_error_line, parse_errors,
    parse_errors_lenient, parse_session_line, parse_sessions, parse_sessions_lenient,
};

fn expected(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn documented_session_lines_give_their_canonical_json() {
    let text = include_str!("vectors/lines/sessions.txt");
    let want = expected(include_str!("vectors/lines/sessions.expected.jsonl"));
    let got = parse_sessions(text).unwrap();
    assert_eq!(got.len(), want.len());
    for (rec, want) in got.iter().zip(&want) {
        assert_eq!(&serde_json::to_value(rec).unwrap(), want);
    }
    // Field order is part of the canonical JSON too.
    let first = include_str!("vectors/lines/sessions.expected.jsonl")
        .lines()
        .next()
        .unwrap();
    assert_eq!(serde_json::to_string(&got[0]).unwrap(), first);
}

#[test]
fn documented_error_lines_give_their_canonical_json() {
    let text = include_str!("vectors/lines/errors.txt");
    let lines: Vec<&str> = include_str!("vectors/lines/errors.expected.jsonl")
        .lines()
        .collect();
    let got = parse_errors(text).unwrap();
    assert_eq!(got.len(), lines.len());
    for (rec, want) in got.iter().zip(&lines) {
        assert_eq!(&serde_json::to_string(rec).unwrap(), want);
    }
}

#[test]
fn documented_lines_print_back_exactly() {
    for line in include_str!("vectors/lines/sessions.txt").lines() {
        assert_eq!(parse_session_line(line).unwrap().to_string(), line);
    }
    for line in include_str!("vectors/lines/errors.txt").lines() {
        assert_eq!(parse_error_line(line).unwrap().to_string(), line);
    }
}

const CALL: &str = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";

#[test]
fn local_lines_keep_their_message_as_written() {
    let r = parse_session_line(
        "local 6175551234 1 [03/Nov/2017:18:11:07 -0500] 8009957586 400050;001;1509747051 fetchurl: http://x.example.com/a.vxml?b=1",
    )
    .unwrap();
    assert_eq!(r.kind, "local");
    assert_eq!(r.label(), Some("fetchurl"));
    assert_eq!(r.message(), Some("http://x.example.com/a.vxml?b=1"));
    assert_eq!(r.call_start(), None);

    let r = parse_session_line(
        "local 6175551234 1 [03/Nov/2017:18:11:07 -0500] 8009957586 400050;001;1509747051 menu: chose [2]:  sales  dept ✓ ",
    )
    .unwrap();
    assert_eq!(r.label(), Some("menu"));
    assert_eq!(r.message(), Some("chose [2]:  sales  dept ✓ "));

    let r = parse_session_line("local 1 1 [03/Nov/2017:18:11:07 -0500] 2 4;1;1 empty:").unwrap();
    assert_eq!(r.message(), Some(""));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["call_start"], serde_json::Value::Null);
    assert_eq!(json["label"], "empty");
}

#[test]
fn call_lengths_over_a_day_and_unknown_kinds() {
    let long = CALL.replace("00:00:29", "123:04:05");
    let r = parse_session_line(&long).unwrap();
    assert_eq!(r.duration(), Some(123 * 3600 + 4 * 60 + 5));
    let conf = CALL.replace("inbound", "conference");
    let r = parse_session_line(&conf).unwrap();
    assert_eq!(r.kind, "conference");
    assert_eq!(r.call_end(), Some(1509734339));
    let r = parse_session_line("note 1 2 [03/Nov/2017:18:11:07 -0500] 3 4;5;6 tag: hello").unwrap();
    assert_eq!(r.kind, "note");
    assert_eq!(r.label(), Some("tag"));
}

#[test]
fn separators_tabs_runs_and_crlf() {
    let spaced = CALL.replace(' ', " \t  ");
    let r = parse_session_line(&spaced).unwrap();
    assert_eq!(r, parse_session_line(CALL).unwrap());
    let crlf = format!("{CALL}\r\n\r\n  \n{CALL}\r\n");
    assert_eq!(parse_sessions(&crlf).unwrap().len(), 2);
}

#[test]
fn escaped_slashes_in_timestamps() {
    let escaped = CALL.replace('/', "\\/");
    assert_eq!(
        parse_session_line(&escaped).unwrap(),
        parse_session_line(CALL).unwrap()
    );
}

#[test]
fn error_messages_keep_inner_spacing() {
    let r = parse_error_line(
        "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 a  b\tc  ",
    )
    .unwrap();
    assert_eq!(r.message, "a  b\tc  ");
    assert_eq!(r.session_id.parts().unwrap().server, "100025");
}

/// Each kind of bad input names its kind and the column where it went wrong.
#[test]
fn bad_input_gives_typed_errors_with_positions() {
    // (line, expected kind, the text the error must point at: its column is where
    // that text starts; "" means the end of the line).
    let cases: &[(&str, ErrorKind, &str)] = &[
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310",
            ErrorKind::Truncated,
            "",
        ),
        (
            "inbound 7185551234 3 [03/Nox/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadMonth,
            "Nox/",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:25:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadHour,
            "25:38",
        ),
        (
            "inbound 7185551234 3 [30/Feb/2016:05:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadDay,
            "30/Feb",
        ),
        (
            "inbound 7185551234 3 03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::MissingOpenBracket,
            "03/Nov",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::MissingCloseBracket,
            " 6177123000",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035-003-1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadSessionId,
            "200035-",
        ),
        (
            "inbound 7185551234 x3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadChannel,
            "x3",
        ),
        (
            "inbound 7185551234 12345678901234567890 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::ChannelOverflow,
            "1234567890",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:61:29",
            ErrorKind::BadDuration,
            "00:61",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 15097x4310 1509734339 00:00:29",
            ErrorKind::BadUnixTime,
            "15097x",
        ),
        (
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29 extra",
            ErrorKind::TrailingInput,
            "extra",
        ),
        (
            "Inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            ErrorKind::BadKind,
            "Inbound",
        ),
        (
            "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 no label here",
            ErrorKind::MissingLabel,
            "no label",
        ),
        ("\u{1}\u{2}\u{ff}binary", ErrorKind::BadKind, "\u{1}"),
    ];
    for (line, kind, at) in cases {
        let column = if at.is_empty() {
            line.len() + 1
        } else {
            line.find(at).unwrap() + 1
        };
        let err = parse_sessions(line).unwrap_err();
        assert_eq!((err.kind, err.column), (*kind, column), "{line:?}: {err}");
        assert_eq!(err.line, 1);
        assert_eq!(err.input, *line);
        let shown = err.to_string();
        assert!(
            shown.contains("line 1") && shown.contains(&format!("column {column}")),
            "{shown}"
        );
    }
    assert_eq!(
        parse_session_line("").unwrap_err().kind,
        ErrorKind::Truncated
    );
    // Invalid UTF-8 in a free-text field.
    let mut bytes = CALL.as_bytes().to_vec();
    bytes[9] = 0xff;
    let err = parse_sessions(&bytes).unwrap_err();
    assert_eq!((err.kind, err.column), (ErrorKind::InvalidUtf8, 10));
    // ... and in a tag's label: the column is the bad byte's own.
    let tag = "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 labXel: message";
    let at = tag.find('X').unwrap();
    let mut bytes = tag.as_bytes().to_vec();
    bytes[at] = 0xff;
    let err = parse_sessions(&bytes).unwrap_err();
    assert_eq!((err.kind, err.column), (ErrorKind::InvalidUtf8, at + 1));
}

#[test]
fn strict_mode_names_the_bad_line_and_lenient_mode_keeps_going() {
    let text = format!("{CALL}\n\ngarbage line\n{CALL}\nerror 1 2 [x] 3 4;5;6 m\n");
    let err = parse_sessions(&text).unwrap_err();
    assert_eq!(err.line, 3);
    assert_eq!(err.input, "garbage line");
    // "garbage" reads as an unknown kind, "line" as the ANI; then the line ends.
    assert_eq!((err.kind, err.column), (ErrorKind::Truncated, 13));
    assert_eq!(err.offset, CALL.len() + 2 + 12);

    let lenient = parse_sessions_lenient(&text);
    assert_eq!(lenient.records.len(), 2);
    assert_eq!(
        lenient.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![3, 5]
    );
    assert_eq!(
        lenient.records.len() + lenient.problems.len(),
        plumlogs::bulk::count_non_blank_lines(text.as_bytes())
    );

    let errs = parse_errors_lenient("error 1 2 [03/Nov/2017:14:38:30 -0500] 3 4;5;6 m\nnope\n");
    assert_eq!((errs.records.len(), errs.problems.len()), (1, 1));
}

#[test]
fn call_log_strict_and_lenient() {
    let good = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered";
    let bad = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) no type here";
    let text = format!("{good}\n  more\n{bad}\n  belongs to bad\n{good}\n");
    let err = parse_call_log(&text).unwrap_err();
    assert_eq!((err.line, err.kind), (3, ErrorKind::BadEntryType));
    let lenient = parse_call_log_lenient(&text);
    assert_eq!(lenient.records.len(), 2);
    assert_eq!(lenient.records[0].message, "answered\n  more");
    assert_eq!(lenient.problems.len(), 1);
}

const ERR: &str = "error 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 prompt not found";

#[test]
fn a_huge_bad_line_gives_a_bounded_excerpt_with_its_position() {
    // 10 MB of one bad line: the error keeps the position, not the line.
    let mut line = String::from(CALL);
    line.push(' ');
    line.push_str(&"é".repeat(5_000_000)); // two bytes each: cuts must not split one
    let text = format!("{CALL}\n{line}\n");
    let e = parse_sessions(&text).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TrailingInput);
    assert_eq!((e.line, e.column), (2, CALL.len() + 2));
    assert_eq!(e.offset, CALL.len() + 1 + CALL.len() + 1);
    assert_eq!(e.input_len, line.len());
    assert!(e.is_excerpt());
    assert!(e.input.len() <= plumlogs::grammar::error::MAX_EXCERPT + 2 * '…'.len_utf8());
    assert!(
        e.input.starts_with('…') && e.input.ends_with('…'),
        "{}",
        e.input
    );
    // The window is around the column: the line's end fields and the first é.
    assert!(e.input.contains("00:00:29 é"), "{}", e.input);
    assert!(
        !e.input.contains('\u{fffd}'),
        "cut inside a character: {}",
        e.input
    );
    let shown = e.to_string();
    assert!(shown.len() < 400, "{} bytes of message", shown.len());
    assert!(
        shown.ends_with(&format!("({} bytes)", line.len())),
        "{shown}"
    );
    // The same through the one-line parser, the lenient parser and the crate error.
    let one = parse_session_line(&line).unwrap_err();
    let lifted = plumlogs::ParseError::from_line(one, line.as_bytes(), 1, 0);
    assert_eq!(lifted.input, e.input);
    let lenient = parse_sessions_lenient(&text);
    assert_eq!(lenient.records.len(), 1);
    assert_eq!(lenient.problems, vec![e.clone()]);
    assert!(plumlogs::Error::Parse(e).to_string().len() < 420);
    // Bytes that are not UTF-8 at all (NULs and 0xff) are bounded too.
    let junk = vec![0xffu8; 3_000_000];
    let e = parse_errors(&junk).unwrap_err();
    assert_eq!(e.input_len, junk.len());
    assert!(e.to_string().len() < 1_000);
    let nuls = vec![0u8; 3_000_000];
    let e = parse_sessions(&nuls).unwrap_err();
    assert!(e.to_string().len() < 2_000, "{}", e.to_string().len());
}

#[test]
fn a_short_bad_line_is_shown_whole() {
    let bad = CALL.replace("Nov", "Nox");
    let e = parse_sessions(&bad).unwrap_err();
    assert_eq!(e.input, bad);
    assert!(!e.is_excerpt());
    assert!(!e.to_string().contains("bytes)"));
    // Exactly MAX_EXCERPT bytes is still whole; one more is cut.
    let max = plumlogs::grammar::error::MAX_EXCERPT;
    let long = format!("{} x", "a".repeat(max - 2));
    assert_eq!(plumlogs::grammar::error::excerpt(long.as_bytes(), 0), long);
    let longer = format!("{long}y");
    let cut = plumlogs::grammar::error::excerpt(longer.as_bytes(), 0);
    assert_eq!(cut, format!("{}…", &longer[..max]));
    let end = plumlogs::grammar::error::excerpt(longer.as_bytes(), longer.len());
    assert_eq!(end, format!("…{}", &longer[1..]));
}

#[test]
fn error_lines_are_refused_as_sessions_with_a_hint() {
    let e = parse_session_line(ERR).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ErrorLineInSessions);
    assert_eq!(e.offset, 0);
    assert_eq!(e.kind.code(), "error_line_in_sessions");
    assert!(e.kind.description().contains("parse_errors"), "{}", e.kind);
    // A whole error-log body given to the session parser says what it holds.
    let body = format!("{ERR}\n{ERR}\n");
    let strict = parse_sessions(&body).unwrap_err();
    assert_eq!(
        (strict.kind, strict.line, strict.column),
        (ErrorKind::ErrorLineInSessions, 1, 1)
    );
    assert!(strict.to_string().contains("error-log line"), "{strict}");
    assert_eq!(parse_sessions_lenient(&body).problems.len(), 2);
    // The error parser reads them; other unknown kinds are still session lines.
    assert_eq!(parse_errors(&body).unwrap().len(), 2);
    assert_eq!(
        parse_session_line(&CALL.replace("inbound", "errors"))
            .unwrap()
            .kind,
        "errors"
    );
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped_by_the_bulk_parsers() {
    let bom = "\u{feff}";
    let sessions = format!("{bom}{CALL}\n{CALL}\n");
    let got = parse_sessions(&sessions).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].kind, "inbound");
    assert_eq!(parse_sessions_lenient(&sessions).problems, vec![]);
    assert_eq!(plumlogs::sessions(&sessions).count(), 2);
    assert_eq!(parse_errors(&format!("{bom}{ERR}\n")).unwrap().len(), 1);
    let entry =
        "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";
    assert_eq!(
        parse_call_log(&format!("{bom}{entry}\n  more\n")).unwrap()[0].message,
        "call answered\n  more"
    );
    assert_eq!(
        parse_call_log_lenient(&format!("{bom}{entry}")).problems,
        vec![]
    );
    // Offsets still count the BOM's bytes: they point into the text as given.
    let bad = format!("{bom}{}\n", CALL.replace("Nov", "Nox"));
    let e = parse_sessions(&bad).unwrap_err();
    let at = CALL.find("Nov").unwrap();
    assert_eq!((e.line, e.column), (1, at + 1));
    assert_eq!(e.offset, bom.len() + at);
    // Only at the start: a BOM inside a text is not a line end or a blank.
    let inside = format!("{CALL}\n{bom}{CALL}\n");
    assert_eq!(parse_sessions(&inside).unwrap_err().line, 2);
}
