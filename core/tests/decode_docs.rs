//! Every documented body in `tests/vectors/docs/` decodes to its expected records or
//! error, plus the tolerant shapes and broken bodies the API docs leave open.

use plumlogs::{
    DecodeError, Decoded, Error, Service, Wire, decode_lines, decode_log, decode_logs,
    decode_response, detect_wire,
};
use std::borrow::Cow;

const SESSIONS_JSON: &[u8] = include_bytes!("vectors/docs/sessions.canonical.json");
const SESSIONS_XML: &[u8] = include_bytes!("vectors/docs/sessions.canonical.xml");
const ERRORS_JSON: &[u8] = include_bytes!("vectors/docs/errors.canonical.json");
const ERRORS_XML: &[u8] = include_bytes!("vectors/docs/errors.canonical.xml");
const LOGS_JSON: &[u8] = include_bytes!("vectors/docs/logs.json");
const LOGS_XML: &[u8] = include_bytes!("vectors/docs/logs.xml");
const FAILURE_JSON: &[u8] = include_bytes!("vectors/docs/failure.json");
const FAILURE_XML: &[u8] = include_bytes!("vectors/docs/failure.xml");
const DOUBLED: &[u8] = include_bytes!("vectors/docs/sibling-failure-doubled-quotes.json");
const EMPTY_JSON: &[u8] = include_bytes!("vectors/docs/success-empty.json");
const EMPTY_XML: &[u8] = include_bytes!("vectors/docs/success-empty.xml");
const SESSIONS_EXPECTED: &str = include_str!("vectors/lines/sessions.expected.jsonl");
const ERRORS_EXPECTED: &str = include_str!("vectors/lines/errors.expected.jsonl");
const LOGS_EXPECTED: &str = include_str!("vectors/docs/logs.expected.jsonl");

fn jsonl<T: serde::Serialize>(records: impl IntoIterator<Item = T>) -> String {
    records
        .into_iter()
        .map(|r| serde_json::to_string(&r).unwrap() + "\n")
        .collect()
}

fn api_message(r: Result<Decoded<'_>, Error>) -> String {
    match r {
        Err(Error::Api {
            message,
            http_status,
        }) => {
            // No HTTP exchange: the status is unknown, not a placeholder.
            assert_eq!(http_status, None);
            message
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn detects_the_wire_by_the_first_non_blank_byte() {
    assert_eq!(detect_wire(SESSIONS_JSON), Some(Wire::Json));
    assert_eq!(detect_wire(SESSIONS_XML), Some(Wire::Xml));
    assert_eq!(detect_wire(b"\xEF\xBB\xBF \n\t[1]"), Some(Wire::Json));
    assert_eq!(detect_wire(b"\xEF\xBB\xBF<a/>"), Some(Wire::Xml));
    assert_eq!(detect_wire(b"  \r\n"), None);
    assert_eq!(detect_wire(b"HTTP/1.1 200 OK"), None);
    assert_eq!(detect_wire(b""), None);
}

#[test]
fn documented_sessions_decode_to_the_expected_records() {
    for body in [SESSIONS_JSON, SESSIONS_XML] {
        let page = decode_lines(body, Service::Sessions).unwrap();
        assert_eq!(page.total, Some(3));
        let records: Vec<_> = page.sessions().collect::<Result<_, _>>().unwrap();
        assert_eq!(jsonl(&records), SESSIONS_EXPECTED);
        match decode_response(body, Service::Sessions).unwrap() {
            Decoded::Sessions(records) => assert_eq!(jsonl(&records), SESSIONS_EXPECTED),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn documented_session_items_are_borrowed_from_the_body() {
    let page = decode_lines(SESSIONS_JSON, Service::Sessions).unwrap();
    assert_eq!(page.wire, Wire::Json);
    let body = SESSIONS_JSON.as_ptr_range();
    for item in &page.items {
        // The JSON items keep their `\/` and are lent out as written.
        let Cow::Borrowed(s) = item else {
            panic!("owned item {item:?}")
        };
        assert!(s.contains("\\/") && body.contains(&s.as_ptr()));
    }
    let page = decode_lines(SESSIONS_XML, Service::Sessions).unwrap();
    assert!(page.items.iter().all(|i| matches!(i, Cow::Borrowed(_))));
}

#[test]
fn documented_errors_decode_to_the_expected_records() {
    for body in [ERRORS_JSON, ERRORS_XML] {
        let page = decode_lines(body, Service::Errors).unwrap();
        assert_eq!(page.total, Some(3));
        let records: Vec<_> = page.errors().collect::<Result<_, _>>().unwrap();
        assert_eq!(jsonl(&records), ERRORS_EXPECTED);
        // The envelope's own empty <error></error> is not an item.
        assert_eq!(page.items.len(), 3);
        match decode_response(body, Service::Errors).unwrap() {
            Decoded::Errors(records) => assert_eq!(jsonl(&records), ERRORS_EXPECTED),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn documented_logs_decode_to_the_expected_summaries() {
    for body in [LOGS_JSON, LOGS_XML] {
        let page = decode_logs(body).unwrap();
        assert_eq!(page.total, Some(1234));
        assert_eq!(jsonl(&page.items), LOGS_EXPECTED);
        assert!(matches!(page.items[0].dest, Cow::Borrowed(_)));
        match decode_response(body, Service::Logs).unwrap() {
            Decoded::Logs { total, items } => {
                assert_eq!(total, Some(1234));
                assert_eq!(jsonl(&items), LOGS_EXPECTED);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn documented_failures_carry_the_server_message() {
    for service in [
        Service::Logs,
        Service::Log,
        Service::Sessions,
        Service::Errors,
    ] {
        assert_eq!(
            api_message(decode_response(FAILURE_JSON, service)),
            "Unauthorized access to sample service"
        );
        assert_eq!(
            api_message(decode_response(FAILURE_XML, service)),
            "Unauthorized access to sample service"
        );
        assert_eq!(
            api_message(decode_response(DOUBLED, service)),
            "Attempt to send to unsubscribed recipient"
        );
    }
    assert_eq!(
        decode_lines(FAILURE_JSON, Service::Sessions).unwrap_err(),
        DecodeError::Api {
            message: "Unauthorized access to sample service".into()
        }
    );
    assert_eq!(
        decode_logs(DOUBLED).unwrap_err(),
        DecodeError::Api {
            message: "Attempt to send to unsubscribed recipient".into()
        }
    );
}

#[test]
fn documented_empty_successes_are_zero_items() {
    for body in [EMPTY_JSON, EMPTY_XML] {
        let page = decode_lines(body, Service::Sessions).unwrap();
        assert!(page.items.is_empty() && page.total.is_none());
        assert_eq!(decode_lines(body, Service::Errors).unwrap().items.len(), 0);
        assert_eq!(decode_logs(body).unwrap().items.len(), 0);
        assert_eq!(decode_log(body).unwrap(), "");
        assert!(matches!(
            decode_response(body, Service::Sessions).unwrap(),
            Decoded::Sessions(r) if r.is_empty()
        ));
        assert!(matches!(
            decode_response(body, Service::Log).unwrap(),
            Decoded::Log(e) if e.is_empty() && e.text().is_empty()
        ));
    }
}

const ENTRY: &str =
    "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";

#[test]
fn call_log_text_and_entries() {
    let text = format!("{ENTRY}\n  more of it\n{ENTRY}");
    for wire in [Wire::Json, Wire::Xml] {
        let body = plumlogs::encode::encode_call_log(wire, &text);
        assert_eq!(decode_log(&body).unwrap(), text);
        match decode_response(&body, Service::Log).unwrap() {
            Decoded::Log(entries) => {
                assert_eq!(entries.text(), text);
                assert_eq!(entries.len(), 2);
                assert_eq!(
                    entries.get(0).unwrap().message,
                    "call answered\n  more of it"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    // XML text without entities is lent out.
    let xml = plumlogs::encode::encode_call_log(Wire::Xml, &text);
    assert!(matches!(decode_log(&xml).unwrap(), Cow::Borrowed(_)));
    // Tolerant: the text as the bare result.
    let bare = format!(r#"{{"status":"success","error":"","result":"{ENTRY}"}}"#);
    assert_eq!(decode_log(bare.as_bytes()).unwrap(), ENTRY);
    // A bad entry is a parse error of the log text.
    let bad = plumlogs::encode::encode_call_log(Wire::Json, "not an entry");
    assert!(matches!(decode_response(&bad, Service::Log), Err(Error::Parse(e)) if e.line == 1));
}

#[test]
fn tolerant_json_shapes() {
    let line = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
    let esc = line.replace('/', "\\/");
    let shapes = [
        format!(r#"{{"status":"success","error":"","result":["{esc}"]}}"#),
        format!(r#"{{"result":{{"items":["{esc}"]}},"status":"success"}}"#),
        format!(
            r#"{{"status":"success","error":"","result":{{"sessions":["{line}"],"total_sessions":1}}}}"#
        ),
        format!(
            "{{\n  \"status\" : \"success\",\n  \"error\" : null,\n  \"result\" : {{\n    \"total_sessions\" : \"1\",\n    \"meta\" : {{\"a\": [1, 2]}},\n    \"empty\" : [],\n    \"sessions\" : [\n      \"{esc}\"\n    ]\n  }}\n}}\n"
        ),
        format!(
            "\u{FEFF}{{\"status\":\"success\",\"result\":[\"{}\"]}}",
            line.replace(' ', "\\u0020")
        ),
    ];
    for body in &shapes {
        let page = decode_lines(body.as_bytes(), Service::Sessions)
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(page.items.len(), 1, "{body}");
        // A borrowed item may still spell its timestamp's slashes `\/`.
        assert_eq!(page.items[0].replace("\\/", "/"), line, "{body}");
        let rec = page.sessions().next().unwrap().unwrap();
        assert_eq!(rec.to_string(), line);
    }
    let logs = r#"{"status":"success","result":[{"log_id":421752831,"session_id":"400050;000;1510159646","dest":6177123000,"type":"inbound","src":"2125551234","start":1510159657,"end":"1510159689","extra":{"x":1}}]}"#;
    let page = decode_logs(logs.as_bytes()).unwrap();
    assert_eq!(page.total, None);
    assert_eq!(
        jsonl(&page.items),
        LOGS_EXPECTED.lines().next().unwrap().to_owned() + "\n"
    );
}

#[test]
fn json_items_with_other_escapes_are_unescaped() {
    let body = br#"{"status":"success","result":["local 1 2 [03\/Nov\/2017:14:38:30 -0500] 6 2;3;1 fetchurl: http:\/\/a.example\/x?q=\"1\"\u00e9"]}"#;
    let page = decode_lines(body, Service::Sessions).unwrap();
    assert!(matches!(page.items[0], Cow::Owned(_)));
    let rec = page.sessions().next().unwrap().unwrap();
    assert_eq!(rec.message(), Some("http://a.example/x?q=\"1\"é"));
    match decode_response(body, Service::Sessions).unwrap() {
        Decoded::Sessions(r) => assert_eq!(
            r.get(0).unwrap().message(),
            Some("http://a.example/x?q=\"1\"é")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tolerant_xml_shapes() {
    let line = "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] a@b.example 200035;003;1509734279 menu: x < y & \"z\"";
    let escaped = "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] a@b.example 200035;003;1509734279 menu: x &lt; y &amp; &quot;z&#34;";
    let shapes = [
        format!("<sessions><status>success</status><error/><result><session>{escaped}</session></result></sessions>"),
        format!("<?xml version=\"1.0\"?>\n<x:sessions xmlns:x=\"u\">\n  <x:result>\n    <page><sessions>\n      <session>\n        {escaped}\n      </session>\n    </sessions></page>\n  </x:result>\n  <x:status>success</x:status>\n</x:sessions>\n"),
        format!("<r><status> success </status><error></error><result><total_sessions> 1 </total_sessions><session><![CDATA[{line}]]></session></result></r>"),
        "<r><status>success</status><result><session>local 7185551234 3 <![CDATA[[03/Nov/2017:14:38:30 -0500]]]> a@b.example 200035;003;1509734279 menu: x &lt; y <!-- note -->&amp; \"z\"</session></result></r>".to_owned(),
    ];
    for body in &shapes {
        let page = decode_lines(body.as_bytes(), Service::Sessions)
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(page.items, vec![Cow::<str>::Owned(line.into())], "{body}");
        assert_eq!(
            page.sessions().next().unwrap().unwrap().message(),
            Some("x < y & \"z\"")
        );
    }
}

#[test]
fn xml_error_items_and_the_envelope_error_are_told_apart() {
    let item =
        "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max";
    let body = format!(
        "<errors><status>success</status><error>ignored on success</error><result><error>{item}</error><more><error>{item}</error></more></result></errors>"
    );
    let page = decode_lines(body.as_bytes(), Service::Errors).unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.errors().all(|r| r.is_ok()));
    let failed = format!(
        "<errors><status>failure</status><error>Bad window</error><result><error>{item}</error></result></errors>"
    );
    assert_eq!(
        decode_lines(failed.as_bytes(), Service::Errors).unwrap_err(),
        DecodeError::Api {
            message: "Bad window".into()
        }
    );
}

#[test]
fn failures_without_a_message_say_so_with_an_excerpt() {
    let bodies: [&[u8]; 5] = [
        br#"{"status":"failure","error":""}"#,
        br#"{"status":"failure"}"#,
        br#"{"status":"failure","error":nope,}"#,
        b"<a><status>failure</status><error/></a>",
        b"<a><status>failure</status></a",
    ];
    for body in bodies {
        match decode_lines(body, Service::Sessions) {
            Err(DecodeError::NoMessage { excerpt }) => {
                assert!(
                    !excerpt.is_empty() && body.starts_with(excerpt.as_bytes()),
                    "{excerpt:?}"
                );
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
        }
        assert!(matches!(
            decode_response(body, Service::Logs),
            Err(Error::Decode(DecodeError::NoMessage { .. }))
        ));
    }
    // No status but a message: still the server's failure.
    assert_eq!(
        decode_logs(br#"{"error":"Invalid timestamp"}"#).unwrap_err(),
        DecodeError::Api {
            message: "Invalid timestamp".into()
        }
    );
    // Neither status, message nor result: not a Plum answer at all.
    assert!(matches!(
        decode_logs(b"{}").unwrap_err(),
        DecodeError::Foreign { excerpt } if excerpt == "{}"
    ));
    assert!(matches!(
        decode_logs(b"<a/>").unwrap_err(),
        DecodeError::Foreign { .. }
    ));
}

fn syntax_offset(e: DecodeError) -> (Option<Wire>, usize) {
    match e {
        DecodeError::Syntax {
            wire,
            offset,
            reason,
            ..
        } => {
            assert!(!reason.is_empty());
            (wire, offset)
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn broken_bodies_are_syntax_errors_with_offsets() {
    // Cut off mid-way, at every length: never a panic, never an empty success.
    let bodies = [
        (SESSIONS_JSON, Service::Sessions),
        (SESSIONS_XML, Service::Sessions),
        (ERRORS_JSON, Service::Errors),
        (ERRORS_XML, Service::Errors),
        (LOGS_JSON, Service::Logs),
        (LOGS_XML, Service::Logs),
    ];
    for (body, own) in bodies {
        let end = body.trim_ascii_end().len();
        for cut in 1..end {
            let part = &body[..cut];
            match decode_response(part, own) {
                Err(Error::Decode(DecodeError::Syntax { offset, .. })) => assert!(offset <= cut),
                other => panic!("cut at {cut}: {other:?}"),
            }
            for service in [
                Service::Sessions,
                Service::Errors,
                Service::Logs,
                Service::Log,
            ] {
                assert!(decode_response(part, service).is_err(), "cut at {cut}");
            }
        }
    }
    assert_eq!(
        syntax_offset(decode_logs(b"  Internal Server Error").unwrap_err()),
        (None, 2)
    );
    assert_eq!(syntax_offset(decode_logs(b"").unwrap_err()), (None, 0));
    assert_eq!(
        syntax_offset(decode_logs(br#"{"status":"success",}"#).unwrap_err()),
        (Some(Wire::Json), 20)
    );
    assert_eq!(
        syntax_offset(decode_logs(b"\xEF\xBB\xBF{\n\"result\": [}").unwrap_err()),
        (Some(Wire::Json), 16)
    );
    let (wire, at) =
        syntax_offset(decode_logs(b"<logs><status>success</status></log>").unwrap_err());
    assert_eq!((wire, at), (Some(Wire::Xml), 30));
    let (_, at) = syntax_offset(decode_logs(b"<logs/><logs/>").unwrap_err());
    assert_eq!(at, 7);
    let (_, at) = syntax_offset(
        decode_lines(
            b"<a><status>success</status><result><session>x &bogus; y</session></result></a>",
            Service::Sessions,
        )
        .unwrap_err(),
    );
    assert_eq!(at, 46);
    assert!(matches!(
        decode_response(b"{\"status\":\"success\"} trailing", Service::Logs),
        Err(Error::Decode(DecodeError::Syntax { offset: 21, .. }))
    ));
}

#[test]
fn wrong_shapes_are_shape_errors() {
    let cases: [&[u8]; 6] = [
        br#"{"status":"success","result":[1]}"#,
        br#"{"status":"success","result":{"a":["x"],"b":["y"]}}"#,
        br#"{"status":"success","result":"text"}"#,
        br#"{"status":"success"}"#,
        b"<a><status>success</status><result><session>a<b/>c</session></result></a>",
        br#"[1,2]"#,
    ];
    for body in cases {
        assert!(
            matches!(
                decode_lines(body, Service::Sessions),
                Err(DecodeError::Shape { .. })
            ),
            "{}: {:?}",
            String::from_utf8_lossy(body),
            decode_lines(body, Service::Sessions)
        );
    }
    let missing = br#"{"status":"success","result":[{"log_id":"1","session_id":"1;2;3","dest":"x","type":"y","src":"z","start":"1"}]}"#;
    assert!(
        matches!(decode_logs(missing), Err(DecodeError::Shape { reason, .. }) if reason.contains("`end`"))
    );
    let bad_sid = b"<logs><status>success</status><result><log><log_id>1</log_id><session_id>nope</session_id><dest/><type/><src/><start>1</start><end>2</end></log></result></logs>";
    assert!(
        matches!(decode_logs(bad_sid), Err(DecodeError::Shape { reason, .. }) if reason.contains("nope"))
    );
    assert!(matches!(
        decode_lines(SESSIONS_JSON, Service::Logs),
        Err(DecodeError::Shape { .. })
    ));
}

#[test]
fn bad_lines_are_parse_errors_naming_the_item() {
    let good = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
    let bad = good.replace("Nov", "Nox");
    let body =
        plumlogs::encode::encode_lines(Wire::Json, Service::Sessions, 2, [good, bad.as_str()]);
    let page = decode_lines(&body, Service::Sessions).unwrap();
    let results: Vec<_> = page.sessions().collect();
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    // Reported against the text the server meant, without the JSON `\/`.
    assert_eq!(
        (err.line, err.column, err.input.as_str()),
        (2, 26, bad.as_str())
    );
    assert!(
        matches!(decode_response(&body, Service::Sessions), Err(Error::Parse(e)) if e.line == 2)
    );
    let xml = plumlogs::encode::encode_lines(Wire::Xml, Service::Errors, 1, [good]);
    assert!(matches!(decode_response(&xml, Service::Errors), Err(Error::Parse(e)) if e.line == 1));
}

#[test]
fn xml_plain_item_runs_and_markup_items_mix() {
    let a = "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 A";
    let body = format!(
        "<errors><status>success</status><error/><result><errors>\n<error>{a}</error>\n  <error>{a} &amp; B</error><error>{a}</error><error>{a}<!-- c --> C</error><error>{a}</error>\r\n<error>{a}\r\n</error><error>{a}</error></errors></result></errors>"
    );
    let page = decode_lines(body.as_bytes(), Service::Errors).unwrap();
    let messages: Vec<String> = page
        .errors()
        .map(|r| r.unwrap().message.into_owned())
        .collect();
    assert_eq!(messages, ["A", "A & B", "A", "A C", "A", "A", "A"]);
    assert!(matches!(page.items[0], Cow::Borrowed(_)) && matches!(page.items[1], Cow::Owned(_)));
    // A run ending in a mismatched or missing closing tag is still an error.
    let prefix = "<errors><status>success</status><result>";
    let two = format!("{prefix}<error>{a}</error><error>{a}</error>");
    for (broken, at) in [
        (
            format!("{prefix}<error>{a}</error><error>{a}</erro></result></errors>"),
            two.len() - "</error>".len(),
        ),
        (format!("{two}</errors>"), two.len()),
        (two.clone(), two.len()),
    ] {
        match decode_lines(broken.as_bytes(), Service::Errors) {
            Err(DecodeError::Syntax { offset, .. }) => assert_eq!(offset, at, "{broken}"),
            other => panic!("{broken}: {other:?}"),
        }
    }
}

#[test]
fn a_timestamp_shaped_span_outside_the_timestamp_is_not_trusted() {
    // The first `[...]` spans the ANI and the channel: borrowed raw, the line parser
    // rejects it, and the error shows the text the server meant.
    let meant = "inbound [03/Nov/2017:14:38:30 -0500] 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
    let body = plumlogs::encode::encode_lines(Wire::Json, Service::Sessions, 1, [meant]);
    let page = decode_lines(&body, Service::Sessions).unwrap();
    let err = page.sessions().next().unwrap().unwrap_err();
    assert_eq!(err.input, meant);
    assert_eq!(err.kind, plumlogs::ErrorKind::BadChannel);
    assert!(
        matches!(decode_response(&body, Service::Sessions), Err(Error::Parse(e)) if e.input == meant)
    );
}
