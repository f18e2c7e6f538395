//! Canonical response bodies, as the emulator serves them and as the API spec
//! describes them: `{"status":"success","error":"","result":{"total_sessions":"3","sessions":[...]}}`
//! and `<sessions><status>success</status><error></error><result>...</result></sessions>`.
//!
//! JSON strings are written the way PHP's `json_encode` writes them, `/` escaped
//! as `\/` — that is what Plum's documented bodies show.

use crate::call_summary::CallSummary;
use crate::service::{Service, Wire};
use std::fmt::Display;
use std::io::Write;

/// Append `s` as a JSON string literal, PHP style (`/` → `\/`).
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Copy the runs between bytes that need escaping in one go: on a page of
    // session lines only the timestamp's slashes do.
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'/' => b"\\/",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[run_start..i]);
                let _ = write!(out, "\\u{:04x}", b);
                run_start = i + 1;
                continue;
            }
            // Multi-byte UTF-8 sequences have every byte ≥ 0x80: copied as they are.
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        out.extend_from_slice(escape);
        run_start = i + 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// Append `s` as XML character data (`&`, `<`, `>` escaped).
pub fn write_xml_text(out: &mut Vec<u8>, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[last..i]);
        out.extend_from_slice(rep);
        last = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[last..]);
}

fn xml_open(out: &mut Vec<u8>, root: &str) {
    let _ = write!(
        out,
        "<?xml version=\"1.0\"?><{root}><status>success</status><error></error><result>"
    );
}

/// A success body of `calls/sessions` or `calls/errors`: one item per line record.
/// `total` is the `total_*` count to report (this crate's emulator reports all matches).
pub fn encode_lines<I, D>(wire: Wire, service: Service, total: usize, items: I) -> Vec<u8>
where
    I: IntoIterator<Item = D>,
    D: Display,
{
    let list = service.name();
    let item = service.item_name();
    let mut out = Vec::with_capacity(4096);
    let mut line = String::with_capacity(256);
    match wire {
        Wire::Json => {
            let _ = write!(
                out,
                "{{\"status\":\"success\",\"error\":\"\",\"result\":{{\"total_{list}\":\"{total}\",\"{list}\":["
            );
            for (n, record) in items.into_iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                line.clear();
                let _ = std::fmt::write(&mut line, format_args!("{record}"));
                write_json_string(&mut out, &line);
            }
            out.extend_from_slice(b"]}}");
        }
        Wire::Xml => {
            xml_open(&mut out, list);
            let _ = write!(out, "<total_{list}>{total}</total_{list}><{list}>");
            for record in items {
                line.clear();
                let _ = std::fmt::write(&mut line, format_args!("{record}"));
                let _ = write!(out, "<{item}>");
                write_xml_text(&mut out, &line);
                let _ = write!(out, "</{item}>");
            }
            let _ = write!(out, "</{list}></result></{list}>");
        }
    }
    out
}

/// A success body of `calls/logs`. Every JSON value is a string, as documented.
pub fn encode_call_summaries<'a, I>(wire: Wire, total: usize, items: I) -> Vec<u8>
where
    I: IntoIterator<Item = &'a CallSummary<'a>>,
{
    let mut out = Vec::with_capacity(4096);
    match wire {
        Wire::Json => {
            let _ = write!(
                out,
                "{{\"status\":\"success\",\"error\":\"\",\"result\":{{\"total_logs\":\"{total}\",\"logs\":["
            );
            for (n, c) in items.into_iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                let _ = write!(out, "{{\"log_id\":\"{}\",\"session_id\":", c.log_id);
                write_json_string(&mut out, c.session_id.as_str());
                out.extend_from_slice(b",\"dest\":");
                write_json_string(&mut out, &c.dest);
                out.extend_from_slice(b",\"type\":");
                write_json_string(&mut out, &c.call_type);
                out.extend_from_slice(b",\"src\":");
                write_json_string(&mut out, &c.src);
                let _ = write!(out, ",\"start\":\"{}\",\"end\":\"{}\"}}", c.start, c.end);
            }
            out.extend_from_slice(b"]}}");
        }
        Wire::Xml => {
            xml_open(&mut out, "logs");
            let _ = write!(out, "<total_logs>{total}</total_logs><logs>");
            for c in items {
                let _ = write!(out, "<log><log_id>{}</log_id><session_id>", c.log_id);
                write_xml_text(&mut out, c.session_id.as_str());
                out.extend_from_slice(b"</session_id><dest>");
                write_xml_text(&mut out, &c.dest);
                out.extend_from_slice(b"</dest><type>");
                write_xml_text(&mut out, &c.call_type);
                out.extend_from_slice(b"</type><src>");
                write_xml_text(&mut out, &c.src);
                let _ = write!(
                    out,
                    "</src><start>{}</start><end>{}</end></log>",
                    c.start, c.end
                );
            }
            out.extend_from_slice(b"</logs></result></logs>");
        }
    }
    out
}

/// A success body of `calls/log`: `{"result":{"log":"..."}}` / `<log>...<result><log>...</log></result></log>`.
pub fn encode_call_log(wire: Wire, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 128);
    match wire {
        Wire::Json => {
            out.extend_from_slice(b"{\"status\":\"success\",\"error\":\"\",\"result\":{\"log\":");
            write_json_string(&mut out, text);
            out.extend_from_slice(b"}}");
        }
        Wire::Xml => {
            xml_open(&mut out, "log");
            out.extend_from_slice(b"<log>");
            write_xml_text(&mut out, text);
            out.extend_from_slice(b"</log></result></log>");
        }
    }
    out
}

/// A failure body: `{"status":"failure","error":"..."}` / `<logs><status>failure</status><error>...</error></logs>`.
pub fn encode_failure(wire: Wire, service: Service, message: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 96);
    match wire {
        Wire::Json => {
            out.extend_from_slice(b"{\"status\":\"failure\",\"error\":");
            write_json_string(&mut out, message);
            out.push(b'}');
        }
        Wire::Xml => {
            let root = service.name();
            let _ = write!(
                out,
                "<?xml version=\"1.0\"?><{root}><status>failure</status><error>"
            );
            write_xml_text(&mut out, message);
            let _ = write!(out, "</error></{root}>");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::parse_sessions;

    #[test]
    fn json_strings_escape_like_php_and_read_back() {
        let text = "a/b \"q\" \\ tab\t nl\n cr\r bell\u{7} é✓";
        let mut out = Vec::new();
        write_json_string(&mut out, text);
        let json = String::from_utf8(out).unwrap();
        assert_eq!(
            json,
            "\"a\\/b \\\"q\\\" \\\\ tab\\t nl\\n cr\\r bell\\u0007 é✓\""
        );
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
    }

    const LINES: &str = "outbound 12125551234 26 [03/Nov/2017:00:10:42 -0500] test@login.com 300024;026;1509673023 1509682242 1509682255 00:00:13\ninbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29\ninbound 6175551234 1 [03/Nov/2017:18:11:07 -0500] 8009957586 400050;001;1509747051 1509747067 1509747180 00:01:53\n";

    #[test]
    fn canonical_sessions_bodies_match_the_documented_vectors() {
        let records = parse_sessions(LINES).unwrap();
        let json = encode_lines(Wire::Json, Service::Sessions, 3, &records);
        assert_eq!(
            String::from_utf8(json).unwrap().trim_end(),
            include_str!("../tests/vectors/docs/sessions.canonical.json").trim_end()
        );
        let xml = encode_lines(Wire::Xml, Service::Sessions, 3, &records);
        assert_eq!(
            String::from_utf8(xml).unwrap().trim_end(),
            include_str!("../tests/vectors/docs/sessions.canonical.xml").trim_end()
        );
    }
}
