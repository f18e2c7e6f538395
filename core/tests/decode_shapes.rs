//! Result shapes beyond the documented one, as PHP and wrappers write them: an
//! object with integer keys (a sparse PHP array), a list one wrapper deeper, a count
//! with no list, a success carrying an `error` text, and bodies that are not Plum's.

use plumlogs::decode::WARNING_BYTES;
use plumlogs::{
    DecodeError, Decoded, Service, decode_lines, decode_log_page, decode_logs, decode_response,
    decode_response_page,
};

fn line(i: usize) -> String {
    format!(
        "inbound 71855512{i:02} 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;15097342{i:02} 1509734310 1509734339 00:00:29"
    )
}

fn esc(i: usize) -> String {
    line(i).replace('/', "\\/")
}

fn ok_lines(body: &str) -> Vec<String> {
    let page =
        decode_lines(body.as_bytes(), Service::Sessions).unwrap_or_else(|e| panic!("{body}: {e}"));
    page.sessions().map(|r| r.unwrap().to_string()).collect()
}

fn shape_reason(body: &str, service: Service) -> String {
    match decode_lines(body.as_bytes(), service) {
        Err(DecodeError::Shape { reason, .. }) => reason,
        other => panic!("{body}: expected a shape error, got {other:?}"),
    }
}

#[test]
fn integer_keyed_objects_decode_in_key_order() {
    // PHP's json_encode of [0 => a, 2 => c, 10 => d, 1 => b]: keys out of order, gaps.
    let body = format!(
        r#"{{"status":"success","error":"","result":{{"total_sessions":"4","sessions":{{"2":"{}","0":"{}","10":"{}","1":"{}"}}}}}}"#,
        esc(2),
        esc(0),
        esc(10),
        esc(1)
    );
    assert_eq!(ok_lines(&body), vec![line(0), line(1), line(2), line(10)]);
    // Unescaped items still borrow from the body.
    let page = decode_lines(body.as_bytes(), Service::Sessions).unwrap();
    assert!(
        page.items
            .iter()
            .all(|i| matches!(i, std::borrow::Cow::Borrowed(_)))
    );
    assert_eq!(page.total, Some(4));
    // The same key twice is not a list to guess at.
    let twice = format!(
        r#"{{"status":"success","result":{{"sessions":{{"3":"{}","3":"{}"}}}}}}"#,
        esc(0),
        esc(1)
    );
    assert!(shape_reason(&twice, Service::Sessions).contains(r#"key "3" appears twice"#));
    // Errors too.
    let err = "error 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29 no such page";
    let body =
        format!(r#"{{"status":"success","result":{{"total_errors":1,"errors":{{"5":"{err}"}}}}}}"#);
    let page = decode_lines(body.as_bytes(), Service::Errors).unwrap();
    assert_eq!(page.errors().count(), 1);
    assert!(page.errors().all(|r| r.is_ok()));
}

#[test]
fn a_list_one_wrapper_deeper_is_found() {
    let body = format!(
        r#"{{"status":"success","error":"","result":{{"total_sessions":3,"sessions":{{"session":["{}","{}","{}"]}}}}}}"#,
        esc(0),
        esc(1),
        esc(2)
    );
    assert_eq!(ok_lines(&body), vec![line(0), line(1), line(2)]);
    // Two wrappers deep is still found; a wrapper's other lists of non-items are not
    // the sessions.
    let body = format!(
        r#"{{"status":"success","result":{{"total_sessions":1,"sessions":{{"meta":{{"ids":[1,2]}},"page":{{"session":["{}"]}}}}}}}}"#,
        esc(4)
    );
    assert_eq!(ok_lines(&body), vec![line(4)]);
    // Deeper than the bound: not looked for, so the count finds nothing to count.
    let deep = format!(
        r#"{{"status":"success","result":{{"total_sessions":1,"a":{{"b":{{"c":{{"d":["{}"]}}}}}}}}}}"#,
        esc(4)
    );
    let reason = shape_reason(&deep, Service::Sessions);
    assert!(
        reason.contains("counts 1 records but holds no list"),
        "{reason}"
    );
    // Two non-empty lists under wrappers are ambiguous.
    let two = format!(
        r#"{{"status":"success","result":{{"sessions":{{"a":["{}"],"b":["{}"]}}}}}}"#,
        esc(0),
        esc(1)
    );
    assert!(shape_reason(&two, Service::Sessions).contains("more than one non-empty list"));
    // calls/logs: a wrapper and an integer-keyed object of summaries.
    let item = |id: u64| {
        format!(
            r#"{{"log_id":"{id}","session_id":"400050;000;1510159646","dest":"6177123000","type":"inbound","src":"2125551234","start":"1510159657","end":"1510159689"}}"#
        )
    };
    let wrapped = format!(
        r#"{{"status":"success","result":{{"total_logs":"2","logs":{{"log":[{},{}]}}}}}}"#,
        item(1),
        item(2)
    );
    let ids: Vec<u64> = decode_logs(wrapped.as_bytes())
        .unwrap()
        .items
        .iter()
        .map(|s| s.log_id)
        .collect();
    assert_eq!(ids, [1, 2]);
    let sparse = format!(
        r#"{{"status":"success","result":{{"total_logs":"2","logs":{{"7":{},"3":{}}}}}}}"#,
        item(7),
        item(3)
    );
    let ids: Vec<u64> = decode_logs(sparse.as_bytes())
        .unwrap()
        .items
        .iter()
        .map(|s| s.log_id)
        .collect();
    assert_eq!(ids, [3, 7]);
}

#[test]
fn a_count_without_a_list_is_a_decode_error_never_an_empty_page() {
    for body in [
        r#"{"status":"success","error":"","result":{"total_sessions":"5"}}"#,
        r#"{"status":"success","result":{"total_sessions":5,"sessions":"none"}}"#,
        r#"{"status":"success","result":{"total_sessions":5,"sessions":{"x":1}}}"#,
    ] {
        let reason = shape_reason(body, Service::Sessions);
        assert!(reason.contains("counts 5 records"), "{body}: {reason}");
    }
    // A zero count, or an empty list beside a count, is an empty page (whether the
    // count says more exist is the pager's question, not the decoder's).
    for body in [
        r#"{"status":"success","result":{"total_sessions":0}}"#,
        r#"{"status":"success","result":{"total_sessions":5,"sessions":[]}}"#,
    ] {
        assert!(ok_lines(body).is_empty(), "{body}");
    }
    // XML: a count and no item nor list element.
    let xml = "<sessions><status>success</status><error></error><result><total_sessions>5</total_sessions></result></sessions>";
    match decode_lines(xml.as_bytes(), Service::Sessions) {
        Err(DecodeError::Shape { reason, .. }) => assert!(reason.contains("counts 5"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let empty = "<sessions><status>success</status><result><total_sessions>5</total_sessions><sessions/></result></sessions>";
    assert!(
        decode_lines(empty.as_bytes(), Service::Sessions)
            .unwrap()
            .items
            .is_empty()
    );
    // XML items under a wrapper element are found (any depth under <result>).
    let nested = format!(
        "<sessions><status>success</status><result><total_sessions>1</total_sessions><page><sessions><session>{}</session></sessions></page></result></sessions>",
        line(3)
    );
    assert_eq!(
        decode_lines(nested.as_bytes(), Service::Sessions)
            .unwrap()
            .items
            .len(),
        1
    );
}

#[test]
fn a_success_with_an_error_text_keeps_it_as_a_warning() {
    let body = format!(
        r#"{{"status":"success","error":"partial results: database timeout","result":{{"total_sessions":1,"sessions":["{}"]}}}}"#,
        esc(0)
    );
    let page = decode_lines(body.as_bytes(), Service::Sessions).unwrap();
    assert_eq!(
        page.warning.as_deref(),
        Some("partial results: database timeout")
    );
    assert_eq!(page.items.len(), 1);
    // The documented empty text is no warning.
    let quiet = format!(
        r#"{{"status":"success","error":"","result":["{}"]}}"#,
        esc(0)
    );
    assert_eq!(
        decode_lines(quiet.as_bytes(), Service::Sessions)
            .unwrap()
            .warning,
        None
    );
    let xml = format!(
        "<sessions><status>success</status><error> partial results </error><result><session>{}</session></result></sessions>",
        line(0)
    );
    assert_eq!(
        decode_lines(xml.as_bytes(), Service::Sessions)
            .unwrap()
            .warning
            .as_deref(),
        Some("partial results")
    );
    let logs = r#"{"status":"success","error":"slow","result":{"total_logs":0,"logs":[]}}"#;
    assert_eq!(
        decode_logs(logs.as_bytes()).unwrap().warning.as_deref(),
        Some("slow")
    );
    let log = r#"{"status":"success","error":"log cut at 1 MB","result":{"log":""}}"#;
    let page = decode_log_page(log.as_bytes()).unwrap();
    assert_eq!(page.warning.as_deref(), Some("log cut at 1 MB"));
    assert_eq!(page.text, "");
    // `decode_response_page` gives the records of every service with the warning;
    // `decode_response` the same records.
    for (service, body) in [
        (Service::Sessions, body.clone()),
        (Service::Logs, logs.to_owned()),
        (Service::Log, log.to_owned()),
    ] {
        let page = decode_response_page(body.as_bytes(), service).unwrap();
        assert!(page.warning.is_some(), "{service:?}");
        assert_eq!(
            page.records,
            decode_response(body.as_bytes(), service).unwrap()
        );
    }
    let errors = r#"{"status":"success","error":"slow","result":{"total_errors":0,"errors":[]}}"#;
    let page = decode_response_page(errors.as_bytes(), Service::Errors).unwrap();
    assert_eq!(page.warning.as_deref(), Some("slow"));
    assert!(matches!(page.records, Decoded::Errors(r) if r.is_empty()));
    // A huge text is bounded, and says how long it was.
    let long = "é".repeat(5000);
    let body = format!(r#"{{"status":"success","error":"{long}","result":[]}}"#);
    let w = decode_lines(body.as_bytes(), Service::Sessions)
        .unwrap()
        .warning
        .unwrap();
    assert!(w.len() < WARNING_BYTES + 32, "{}", w.len());
    assert!(w.ends_with("… (10000 bytes)"), "{}", &w[w.len() - 30..]);
}

#[test]
fn bodies_that_are_not_plums_say_so() {
    let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let portal = "<!DOCTYPE html><html><head><meta http-equiv=\"refresh\" content=\"0;url=http://login.example\"></head><body>Sign in to the Wi-Fi</body></html>";
    let json = r#"{"message":"Internal server error"}"#;
    for body in [nginx, portal, json, "<root><x>1</x></root>"] {
        for service in [Service::Sessions, Service::Errors] {
            match decode_lines(body.as_bytes(), service) {
                Err(DecodeError::Foreign { excerpt }) => {
                    assert!(
                        excerpt.len() <= 60 && body.starts_with(&excerpt),
                        "{excerpt:?}"
                    );
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        assert!(matches!(
            decode_logs(body.as_bytes()),
            Err(DecodeError::Foreign { .. })
        ));
        assert!(matches!(
            decode_log_page(body.as_bytes()),
            Err(DecodeError::Foreign { .. })
        ));
    }
    // A Plum failure without a message is still Plum's answer.
    assert!(matches!(
        decode_lines(br#"{"status":"failure"}"#, Service::Sessions),
        Err(DecodeError::NoMessage { .. })
    ));
}
