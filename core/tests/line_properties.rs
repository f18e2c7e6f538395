//! Property tests: any valid record, written in any separator style, reads back
//! equal; arbitrary bytes never panic; lenient parsing accounts for every line.

use plumlogs::{
    CallLogEntry, ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp, parse_call_log,
    parse_call_log_lenient, parse_error_line, parse_errors_lenient, parse_session_line,
    parse_sessions, parse_sessions_lenient,
};
use proptest::prelude::*;
use std::borrow::Cow;

fn timestamp() -> impl Strategy<Value = Timestamp> {
    // Any instant 1990..2100 at any whole-quarter-hour offset within ±14:00.
    (631_152_000i64..4_102_444_800, -56i16..=56)
        .prop_map(|(unix, q)| Timestamp::from_unix(unix, q * 15))
}

fn word() -> impl Strategy<Value = String> {
    // Non-blank printable text, including non-ASCII, for ANI/DNIS fields.
    "[0-9A-Za-z@._+\\-é√]{1,24}"
}

fn session_id() -> impl Strategy<Value = String> {
    ("[0-9A-Za-z]{1,8}", 0u32..100_000, 0i64..10_000_000_000)
        .prop_map(|(s, c, t)| format!("{s};{c:03};{t}"))
}

fn session_record() -> impl Strategy<Value = SessionRecord<'static>> {
    let call = (0i64..5_000_000_000, 0i64..5_000_000_000, 0u64..400_000_000).prop_map(
        |(start, end, duration)| SessionDetail::Call {
            start,
            end,
            duration,
        },
    );
    let tag =
        ("[A-Za-z0-9_.\\-]{0,16}", "([^\\s]([^\\n\\r]{0,60})?)?").prop_map(|(label, message)| {
            SessionDetail::Tag {
                label: label.into(),
                message: message.into(),
            }
        });
    (
        prop_oneof!["inbound", "outbound", "transfer", "[a-z]{1,12}"],
        word(),
        any::<u32>(),
        timestamp(),
        word(),
        session_id(),
        prop_oneof![call, tag],
    )
        .prop_map(
            |(kind, ani, channel, timestamp, dnis, sid, detail)| SessionRecord {
                kind: Cow::Owned(kind),
                ani: ani.into(),
                channel,
                timestamp,
                dnis: dnis.into(),
                session_id: SessionId(sid.into()),
                detail,
            },
        )
        // `local` lines are always tags and call types always calls; an unknown
        // kind reads as a call iff its next field starts with a digit.
        .prop_filter("shape follows kind", |r| match (&*r.kind, &r.detail) {
            // `error` is refused as a session kind (it marks an error-log line).
            ("error", _) => false,
            ("local", SessionDetail::Call { .. }) => false,
            ("inbound" | "outbound" | "transfer", SessionDetail::Tag { .. }) => false,
            (_, SessionDetail::Tag { label, .. }) => {
                !label.starts_with(|c: char| c.is_ascii_digit())
            }
            _ => true,
        })
}

/// How the separators between fields look: a run of spaces and tabs.
fn separators(n: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ \t]{1,3}", n)
}

fn write_session(r: &SessionRecord, seps: &[String], escaped: bool, crlf: bool) -> String {
    let mut ts = r
        .timestamp
        .bracketed()
        .to_string()
        .replacen(' ', &seps[9], 1);
    if escaped {
        ts = ts.replace('/', "\\/");
    }
    let mut fields = vec![
        r.kind.to_string(),
        r.ani.to_string(),
        r.channel.to_string(),
        format!("[{ts}]"),
        r.dnis.to_string(),
        r.session_id.to_string(),
    ];
    match &r.detail {
        SessionDetail::Call {
            start,
            end,
            duration,
        } => {
            fields.push(start.to_string());
            fields.push(end.to_string());
            fields.push(format!(
                "{:02}:{:02}:{:02}",
                duration / 3600,
                duration % 3600 / 60,
                duration % 60
            ));
        }
        SessionDetail::Tag { label, message } => {
            // The message is the rest of the line, so it takes a plain single blank.
            fields.push(if message.is_empty() {
                format!("{label}:")
            } else {
                format!("{label}:{}{message}", seps[8])
            });
        }
    }
    let mut line = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push_str(&seps[i]);
        }
        line.push_str(f);
    }
    if crlf {
        line.push_str("\r\n");
    }
    line
}

fn error_record() -> impl Strategy<Value = ErrorRecord<'static>> {
    (
        word(),
        any::<u32>(),
        timestamp(),
        word(),
        session_id(),
        "([^\\s][^\\n\\r]{0,60})?",
    )
        .prop_map(
            |(ani, channel, timestamp, dnis, sid, message)| ErrorRecord {
                ani: ani.into(),
                channel,
                timestamp,
                dnis: dnis.into(),
                session_id: SessionId(sid.into()),
                message: message.into(),
            },
        )
}

fn call_log_entry() -> impl Strategy<Value = CallLogEntry<'static>> {
    (
        (631_152_000i64..4_102_444_800),
        prop_oneof!["EDT", "EST", "CDT", "PST", "UTC", "GMT", "CEST", "XYZ"],
        prop_oneof![
            "client", "dxi", "inet", "jsi", "log", "prompt", "rec", "tel", "vxi", "dlg", "sip",
            "other"
        ],
        session_id(),
        prop_oneof!["EVENT", "DEBUG", "LOCAL", "USAGE", "ERROR", "CUSTOM"],
        // A first line, then continuation lines that cannot be mistaken for entries.
        (
            "([^\\s][^\\n\\r]{0,40})?",
            proptest::collection::vec("[ \t]+[^\\s][^\\n\\r]{0,30}", 0..3),
        ),
    )
        .prop_map(|(unix, zone, module, sid, level, (first, more))| {
            let offset = plumlogs::timestamp::zone_offset(&zone);
            let mut ts = Timestamp::from_unix(unix, offset.unwrap_or(0));
            ts.offset_minutes = offset;
            let mut message = first;
            for m in more {
                message.push('\n');
                message.push_str(&m);
            }
            CallLogEntry {
                timestamp: ts,
                zone: zone.into(),
                module: module.into(),
                session_id: SessionId(sid.into()),
                level: level.into(),
                message: message.into(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn session_lines_round_trip(r in session_record(), seps in separators(10), escaped: bool, crlf: bool) {
        let line = write_session(&r, &seps, escaped, crlf);
        let parsed = parse_session_line(&line).map_err(|e| TestCaseError::fail(format!("{e}: {line:?}")))?;
        prop_assert_eq!(&parsed, &r);
        // And the canonical Display form reads back too.
        let canonical = r.to_string();
        prop_assert_eq!(parse_session_line(&canonical).unwrap(), r);
    }

    #[test]
    fn error_lines_round_trip(r in error_record(), seps in separators(7), escaped: bool) {
        let mut ts = r.timestamp.bracketed().to_string();
        if escaped { ts = ts.replace('/', "\\/"); }
        let mut line = format!(
            "error{}{}{}{}{}[{}]{}{}{}{}",
            seps[0], r.ani, seps[1], r.channel, seps[2], ts, seps[3], r.dnis, seps[4], r.session_id
        );
        if !r.message.is_empty() {
            line.push_str(&seps[5]);
            line.push_str(&r.message);
        }
        let parsed = parse_error_line(&line).map_err(|e| TestCaseError::fail(format!("{e}: {line:?}")))?;
        prop_assert_eq!(&parsed, &r);
        let canonical = r.to_string();
        prop_assert_eq!(parse_error_line(&canonical).unwrap(), r);
    }

    #[test]
    fn call_logs_round_trip(entries in proptest::collection::vec(call_log_entry(), 1..6), crlf: bool) {
        let mut text = String::new();
        for e in &entries {
            text.push_str(&e.to_string());
            text.push('\n');
        }
        if crlf { text = text.replace('\n', "\r\n"); }
        let parsed = parse_call_log(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text:?}")))?;
        prop_assert_eq!(parsed, entries);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_session_line(&bytes);
        let _ = parse_error_line(&bytes);
        let _ = plumlogs::parse_call_log_line(&bytes);
        let _ = parse_call_log(&bytes);
    }

    #[test]
    fn near_miss_lines_never_panic(r in session_record(), cut in 0usize..200, flip in 0usize..200, byte: u8) {
        // Valid lines with one byte changed and/or cut short: the inputs most likely
        // to reach deep into the grammar.
        let mut line = r.to_string().into_bytes();
        if !line.is_empty() { let i = flip % line.len(); line[i] = byte; }
        line.truncate(cut.min(line.len()));
        let _ = parse_session_line(&line);
        let _ = parse_error_line(&line);
    }

    #[test]
    fn lenient_parsing_accounts_for_every_line(
        lines in proptest::collection::vec(prop_oneof![
            session_record().prop_map(|r| r.to_string()),
            "[^\\n]{0,80}",
            Just(String::new()),
        ], 0..40)
    ) {
        let text = lines.join("\n");
        let non_blank = plumlogs::bulk::count_non_blank_lines(text.as_bytes());
        let lenient = parse_sessions_lenient(&text);
        prop_assert_eq!(lenient.records.len() + lenient.problems.len(), non_blank);
        // Problems are in line order and strict mode stops at the first one.
        let strict = parse_sessions(&text);
        match lenient.problems.first() {
            Some(first) => prop_assert_eq!(strict.unwrap_err(), first.clone()),
            None => prop_assert_eq!(strict.unwrap(), lenient.records),
        }
        let errs = parse_errors_lenient(&text);
        prop_assert_eq!(errs.records.len() + errs.problems.len(), non_blank);
        // For call logs every non-blank line is an entry head, a continuation, or part
        // of a problem; at least each head or orphan yields exactly one item.
        let log = parse_call_log_lenient(&text);
        prop_assert!(log.records.len() + log.problems.len() <= non_blank);
    }
}
