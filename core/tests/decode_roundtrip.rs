//! Property tests: random record sets, written with the records' own `Display` and
//! encoded canonically (`plumlogs::encode`) and in the tolerant shapes the docs
//! leave open (bare list, no count, numbers as numbers, pretty-printed, entities,
//! CDATA, `\u` escapes), decode back equal in both formats.

use plumlogs::encode::{
    encode_call_log, encode_call_summaries, encode_lines, write_json_string, write_xml_text,
};
use plumlogs::{
    CallSummary, Decoded, ErrorRecord, Service, SessionDetail, SessionId, SessionRecord, Timestamp,
    Wire, decode_log, decode_response,
};
use proptest::prelude::*;
use std::borrow::Cow;
use std::fmt::Display;

/// Field text with the characters that need escaping in JSON or XML, and non-ASCII.
fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9@./&<>\"'\\\\\\]\\[é日-]{1,12}"
}

/// A message: the same, plus blanks and colons inside (never at either end) and `]]>`.
fn message() -> impl Strategy<Value = String> {
    "([a-zA-Z0-9@./&<>\"'\\\\:é日 -]|\\]\\]>){0,30}".prop_map(|s| s.trim_matches(' ').to_owned())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0i64..4_000_000_000, -720i16..=840).prop_map(|(t, off)| Timestamp::from_unix(t, off))
}

fn session_id() -> impl Strategy<Value = SessionId<'static>> {
    ("[0-9]{1,6}", 0u32..1000, 0i64..4_000_000_000)
        .prop_map(|(server, ch, start)| SessionId(Cow::Owned(format!("{server};{ch:03};{start}"))))
}

fn session() -> impl Strategy<Value = SessionRecord<'static>> {
    let call = (
        prop::sample::select(vec!["inbound", "outbound", "transfer"]),
        0i64..4_000_000_000,
        0i64..4_000_000_000,
        0u64..1_000_000,
    )
        .prop_map(|(k, start, end, duration)| {
            (
                k,
                SessionDetail::Call {
                    start,
                    end,
                    duration,
                },
            )
        });
    let tag = ("[a-z_&<>/]{1,10}", message()).prop_map(|(label, message)| {
        (
            "local",
            SessionDetail::Tag {
                label: Cow::Owned(label),
                message: Cow::Owned(message),
            },
        )
    });
    (
        prop_oneof![call, tag],
        token(),
        any::<u32>(),
        timestamp(),
        token(),
        session_id(),
    )
        .prop_map(
            |((kind, detail), ani, channel, timestamp, dnis, session_id)| SessionRecord {
                kind: Cow::Borrowed(kind),
                ani: Cow::Owned(ani),
                channel,
                timestamp,
                dnis: Cow::Owned(dnis),
                session_id,
                detail,
            },
        )
}

fn error_record() -> impl Strategy<Value = ErrorRecord<'static>> {
    (
        token(),
        any::<u32>(),
        timestamp(),
        token(),
        session_id(),
        message(),
    )
        .prop_map(
            |(ani, channel, timestamp, dnis, session_id, message)| ErrorRecord {
                ani: Cow::Owned(ani),
                channel,
                timestamp,
                dnis: Cow::Owned(dnis),
                session_id,
                message: Cow::Owned(message),
            },
        )
}

fn summary() -> impl Strategy<Value = CallSummary<'static>> {
    (
        any::<u64>(),
        session_id(),
        token(),
        "[a-z]{1,10}",
        token(),
        0i64..4_000_000_000,
        0i64..4_000_000_000,
    )
        .prop_map(
            |(log_id, session_id, dest, kind, src, start, end)| CallSummary {
                log_id,
                session_id,
                dest: Cow::Owned(dest),
                call_type: Cow::Owned(kind),
                src: Cow::Owned(src),
                start,
                end,
            },
        )
}

// ---------------------------------------------------------------------------------
// Tolerant encodings, built here from the canonical escapers.

fn json_str(s: &str) -> String {
    let mut out = Vec::new();
    write_json_string(&mut out, s);
    String::from_utf8(out).unwrap()
}

/// A JSON string with every non-ASCII character as `\u` escapes (surrogate pairs too).
fn json_ascii(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn xml_text(s: &str) -> String {
    let mut out = Vec::new();
    write_xml_text(&mut out, s);
    String::from_utf8(out).unwrap()
}

/// Every markup character, every non-ASCII character and every `a` as a reference.
fn xml_entities(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            'a' => "&#97;".to_owned(),
            c if !c.is_ascii() => format!("&#x{:X};", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// The text as CDATA (a `]]>` inside is split across two sections).
fn xml_cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn lines_json_variants<D: Display>(service: Service, items: &[D]) -> Vec<Vec<u8>> {
    let list = service.name();
    let texts: Vec<String> = items.iter().map(|d| d.to_string()).collect();
    let joined = |f: fn(&str) -> String| texts.iter().map(|t| f(t)).collect::<Vec<_>>().join(",");
    let n = texts.len();
    vec![
        encode_lines(Wire::Json, service, n, items),
        // Bare list, `/` unescaped.
        format!(r#"{{"status":"success","error":"","result":[{}]}}"#, joined(|t| serde_json::to_string(t).unwrap())).into_bytes(),
        // No count, status last, unknown keys around.
        format!(r#"{{"error":null,"result":{{"page":{{"n":1}},"{list}":[{}]}},"x":[1],"status":"success"}}"#, joined(json_str)).into_bytes(),
        // The count as a number, after the list; `\u` escapes.
        format!(r#"{{"status":"success","result":{{"{list}":[{}],"total_{list}":{n}}}}}"#, joined(json_ascii)).into_bytes(),
        // Pretty-printed.
        serde_json::to_string_pretty(&serde_json::json!({
            "status": "success", "error": "",
            "result": { format!("total_{list}"): n.to_string(), list: texts },
        }))
        .unwrap()
        .into_bytes(),
    ]
}

fn lines_xml_variants<D: Display>(service: Service, items: &[D]) -> Vec<Vec<u8>> {
    let (list, item) = (service.name(), service.item_name());
    let texts: Vec<String> = items.iter().map(|d| d.to_string()).collect();
    let wrap = |f: &dyn Fn(&str) -> String| {
        texts
            .iter()
            .map(|t| format!("<{item}>{}</{item}>", f(t)))
            .collect::<String>()
    };
    let n = texts.len();
    vec![
        encode_lines(Wire::Xml, service, n, items),
        format!("<{list}><status>success</status><error/><result>{}</result></{list}>", wrap(&xml_entities)).into_bytes(),
        format!("<{list}><result><total_{list}>{n}</total_{list}><{list}>{}</{list}></result><status>success</status><error></error></{list}>", wrap(&xml_cdata)).into_bytes(),
        // Pretty-printed, items two levels down, no count.
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{list}>\n  <status>success</status>\n  <error/>\n  <result>\n    <page>\n      <{list}>\n{}      </{list}>\n    </page>\n  </result>\n</{list}>\n",
            texts.iter().map(|t| format!("        <{item}>\n          {}\n        </{item}>\n", xml_text(t))).collect::<String>()
        )
        .into_bytes(),
    ]
}

fn logs_variants(items: &[CallSummary<'_>]) -> Vec<(Vec<u8>, Option<u64>)> {
    let n = items.len() as u64;
    let json_obj = |c: &CallSummary<'_>, numbers: bool| {
        let num = |v: String| if numbers { v } else { format!("\"{v}\"") };
        format!(
            r#"{{"end":{},"start":{},"src":{},"type":{},"dest":{},"session_id":{},"log_id":{},"extra":[{{}}]}}"#,
            num(c.end.to_string()),
            num(c.start.to_string()),
            json_ascii(&c.src),
            json_str(&c.call_type),
            json_str(&c.dest),
            json_str(c.session_id.as_str()),
            num(c.log_id.to_string()),
        )
    };
    let xml_item = |c: &CallSummary<'_>, f: &dyn Fn(&str) -> String| {
        format!(
            "<log>\n  <log_id> {} </log_id><session_id>{}</session_id><dest>{}</dest><type>{}</type><src>{}</src><start>{}</start><end>{}</end><note><log_id>0</log_id></note></log>\n",
            c.log_id,
            f(c.session_id.as_str()),
            f(&c.dest),
            f(&c.call_type),
            f(&c.src),
            c.start,
            c.end
        )
    };
    vec![
        (encode_call_summaries(Wire::Json, n as usize, items), Some(n)),
        (encode_call_summaries(Wire::Xml, n as usize, items), Some(n)),
        (
            format!(r#"{{"status":"success","result":[{}]}}"#, items.iter().map(|c| json_obj(c, true)).collect::<Vec<_>>().join(",")).into_bytes(),
            None,
        ),
        (
            format!(
                "{{\n  \"status\": \"success\",\n  \"result\": {{\n    \"logs\": [\n{}\n    ],\n    \"total_logs\": {n}\n  }}\n}}",
                items.iter().map(|c| json_obj(c, false)).collect::<Vec<_>>().join(",\n")
            )
            .into_bytes(),
            Some(n),
        ),
        (
            format!("<logs><status>success</status><error/><result><logs>{}</logs></result></logs>", items.iter().map(|c| xml_item(c, &xml_entities)).collect::<String>()).into_bytes(),
            None,
        ),
        (
            format!("<logs>\n <result>\n  <total_logs>{n}</total_logs>\n{}</result>\n <status>success</status>\n</logs>", items.iter().map(|c| xml_item(c, &xml_cdata)).collect::<String>()).into_bytes(),
            Some(n),
        ),
    ]
}

fn show(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// `decode_response` of a call-log body (which parses a JSON log's escaped text a
/// piece at a time) against its text decoded whole and then parsed: the same
/// entries (field by field, each entry read twice: a field with escapes in the
/// body is unescaped at each reading) and text, or the same error. `Err` says how
/// they differ.
fn log_records_agree(body: &[u8]) -> Result<(), String> {
    let pieces = decode_response(body, Service::Log);
    let whole = decode_log(body)
        .map_err(plumlogs::Error::from)
        .and_then(plumlogs::CallLogEntryRecords::parse);
    let fields = |e: &plumlogs::CallLogEntry<'_>| {
        let f = [&e.zone, &e.module, &e.session_id.0, &e.level, &e.message];
        (e.timestamp, f.map(|s| s.to_string()))
    };
    let same = |p: &plumlogs::CallLogEntryRecords<'_>, w: &plumlogs::CallLogEntryRecords<'_>| {
        p.len() == w.len()
            && (0..w.len()).all(|i| {
                let want = w.get(i).map(|e| fields(&e));
                p.get(i).map(|e| fields(&e)) == want && p.get(i).map(|e| fields(&e)) == want
            })
    };
    match (pieces, whole) {
        (Ok(Decoded::Log(p)), Ok(w)) if same(&p, &w) && p == w && p.text() == w.text() => Ok(()),
        (Err(plumlogs::Error::Parse(p)), Err(plumlogs::Error::Parse(w))) if p == w => Ok(()),
        (Err(p), Err(w)) if p.to_string() == w.to_string() => Ok(()),
        (p, w) => Err(format!("{p:?}\nagainst\n{w:?}")),
    }
}

/// Logs of several pieces (a JSON log's escaped text is parsed some 64 KiB at a
/// time): the same entries and text as the text parsed whole, and a bad line in a
/// later piece reported at its place in the text with its excerpt.
#[test]
fn long_json_logs_decode_as_their_text_parsed_whole() {
    // `\n` line ends: multi-line messages are escaped spans of the body.
    for end in ["\r\n", "\n"] {
        long_json_log_with(end);
    }
}

fn long_json_log_with(end: &str) {
    const HEAD: &str = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT:";
    let mut text = String::from("\u{feff}");
    for i in 0..3000 {
        text.push_str(&format!(
            "{HEAD} fetched http://a.example/{i}?q=\"caf\u{e9}\"{end}"
        ));
        if i % 3 == 0 {
            text.push_str(&format!("\tprompt \"welcome.wav\"{end}\t{end}"));
        }
        if i == 1501 {
            // One entry longer than two pieces (kept whole).
            for k in 0..5000 {
                text.push_str(&format!("  line {k} of a long message{end}"));
            }
        }
    }
    let body = encode_call_log(Wire::Json, &text);
    assert!(body.len() > 400_000);
    log_records_agree(&body).unwrap();
    let Decoded::Log(recs) = decode_response(&body, Service::Log).unwrap() else {
        panic!("not a log")
    };
    assert_eq!((recs.len(), recs.text()), (3000, text.as_str()));
    assert_eq!(recs.get(1501).unwrap().message.lines().count(), 5001);

    let bad = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT";
    let at = text.len() * 3 / 4;
    let at = at + text[at..].find(&format!("{end}Wed")).unwrap() + end.len();
    let broken = format!("{}{bad}{}", &text[..at], &text[at + HEAD.len()..]);
    let body = encode_call_log(Wire::Json, &broken);
    log_records_agree(&body).unwrap();
    let Err(plumlogs::Error::Parse(e)) = decode_response(&body, Service::Log) else {
        panic!("parses")
    };
    assert_eq!(e.kind, plumlogs::ErrorKind::BadEntryType);
    assert_eq!(e.line, broken[..at].matches('\n').count() + 1);
    assert_eq!(e.offset, at + bad.find(" EVENT").unwrap() + 1);
    assert!(e.input.starts_with(bad), "{}", e.input);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sessions_round_trip(records in prop::collection::vec(session(), 0..12)) {
        let mut bodies = lines_json_variants(Service::Sessions, &records);
        bodies.extend(lines_xml_variants(Service::Sessions, &records));
        for body in &bodies {
            match decode_response(body, Service::Sessions) {
                Ok(Decoded::Sessions(back)) => prop_assert_eq!(&back, &records, "{}", show(body)),
                other => prop_assert!(false, "{}: {:?}", show(body), other),
            }
        }
    }

    #[test]
    fn errors_round_trip(records in prop::collection::vec(error_record(), 0..12)) {
        let mut bodies = lines_json_variants(Service::Errors, &records);
        bodies.extend(lines_xml_variants(Service::Errors, &records));
        for body in &bodies {
            match decode_response(body, Service::Errors) {
                Ok(Decoded::Errors(back)) => prop_assert_eq!(&back, &records, "{}", show(body)),
                other => prop_assert!(false, "{}: {:?}", show(body), other),
            }
        }
    }

    #[test]
    fn call_summaries_round_trip(items in prop::collection::vec(summary(), 0..8)) {
        for (body, total) in logs_variants(&items) {
            match decode_response(&body, Service::Logs) {
                Ok(Decoded::Logs { total: t, items: back }) => {
                    prop_assert_eq!(t, total, "{}", show(&body));
                    prop_assert_eq!(&back, &items, "{}", show(&body));
                }
                other => prop_assert!(false, "{}: {:?}", show(&body), other),
            }
        }
    }

    #[test]
    fn call_log_text_round_trips(text in "([a-zA-Z0-9 :/&<>\"'\\\\é\n\t]|\\]\\]>){0,80}") {
        let bodies = [
            encode_call_log(Wire::Json, &text),
            encode_call_log(Wire::Xml, &text),
            format!(r#"{{"status":"success","result":{}}}"#, json_ascii(&text)).into_bytes(),
            format!("<log><status>success</status><result><log>{}</log></result></log>", xml_cdata(&text)).into_bytes(),
        ];
        for body in &bodies {
            match decode_log(body) {
                Ok(back) => prop_assert_eq!(back, text.as_str(), "{}", show(body)),
                Err(e) => prop_assert!(false, "{}: {}", show(body), e),
            }
            // Into records: as the text parsed whole.
            if let Err(e) = log_records_agree(body) {
                prop_assert!(false, "{}: {}", show(body), e);
            }
            // Unescaped in the body's own buffer: the same page.
            let mut bom = b"\xEF\xBB\xBF".to_vec();
            bom.extend_from_slice(body);
            for body in [body, &bom] {
                let owned = plumlogs::decode_log_page_owned(body.clone());
                prop_assert_eq!(owned, plumlogs::decode_log_page(body), "{}", show(body));
            }
        }
    }

    /// Logs whose text is cut, doubly escaped or wrapped: the owned path answers as
    /// the borrowed one, errors included.
    #[test]
    fn owned_log_decoding_agrees_with_borrowed(
        text in "([a-z \"/\\n]|\\\\u[0-9a-fA-F]{4}|\\\\u[dD][89abAB][0-9a-f]{2}|\\\\[a-z\"\\\\/]){0,40}",
        shape in 0usize..4,
    ) {
        let body = match shape {
            0 => format!(r#"{{"status":"success","error":"","result":"{text}"}}"#),
            1 => format!(r#"{{"status":"success","error":"","result":{{"log":"{text}","x":"{text}"}}}}"#),
            2 => format!(r#"{{"status":"success","error":"w","result":{{"other":"{text}"}}}}"#),
            _ => format!(r#"{{"status":"success","result":"{text}"#),
        };
        let owned = plumlogs::decode_log_page_owned(body.clone().into_bytes());
        prop_assert_eq!(owned, plumlogs::decode_log_page(body.as_bytes()), "{}", body);
        if let Err(e) = log_records_agree(body.as_bytes()) {
            prop_assert!(false, "{}: {}", body, e);
        }
    }

    /// Whatever the bytes, every service answers without panicking, and a success
    /// is never made up from a body that is not one.
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
        for service in [Service::Sessions, Service::Errors, Service::Logs, Service::Log] {
            let _ = decode_response(&body, service);
        }
        prop_assert!(plumlogs::decode_lines(&body, Service::Sessions).is_err() || body.windows(6).any(|w| w == b"result"));
    }
}
