//! The tolerant side of failure answers: finding `status: failure` and the server's
//! message in bodies that strict parsing rejects, and short excerpts for errors.
//!
//! Plum documents failure bodies that are not valid JSON (a trailing comma; an
//! error string wrapped in doubled quotes), so a failure must be recognised without
//! a parser's blessing. The scan is only consulted after strict parsing failed.

use super::DecodeError;
use memchr::memmem;

/// How many bytes of the body an error shows.
const EXCERPT_BYTES: usize = 60;

/// Up to [`EXCERPT_BYTES`] of the body starting a little before `at`, lossily
/// decoded, cut on character boundaries.
pub(crate) fn excerpt(body: &[u8], at: usize) -> String {
    let at = at.min(body.len());
    let start = at.saturating_sub(EXCERPT_BYTES / 3);
    let end = (start + EXCERPT_BYTES).min(body.len());
    let mut s = String::from_utf8_lossy(&body[start..end]).into_owned();
    // A multi-byte character cut at either end shows as U+FFFD; drop those stubs.
    while s.starts_with('\u{FFFD}') && start > 0 {
        s.remove(0);
    }
    while s.ends_with('\u{FFFD}') && end < body.len() {
        s.pop();
    }
    s
}

/// The verdict of a failure envelope: the server's message, or that it gave none.
pub(crate) fn failure(message: Option<String>, body: &[u8]) -> DecodeError {
    match message {
        Some(m) if !m.trim().is_empty() => DecodeError::Api {
            message: m.trim().to_owned(),
        },
        _ => DecodeError::NoMessage {
            excerpt: excerpt(body, 0),
        },
    }
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The position just after `"key"` `:` (blanks allowed), for the first occurrence
/// of the key that sits where a key can be (after `{` or `,`).
fn json_key_value(b: &[u8], key: &[u8]) -> Option<usize> {
    let mut quoted = Vec::with_capacity(key.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(key);
    quoted.push(b'"');
    for at in memmem::find_iter(b, &quoted) {
        let before = b[..at].iter().rev().find(|c| !c.is_ascii_whitespace());
        if !matches!(before, Some(b'{') | Some(b',')) {
            continue;
        }
        let i = skip_ws(b, at + quoted.len());
        if b.get(i) == Some(&b':') {
            return Some(skip_ws(b, i + 1));
        }
    }
    None
}

/// `Some(message)` if the body says `"status":"failure"`, with the `"error"`
/// text when one can be read (also when wrapped in doubled quotes).
pub(crate) fn scan_json_failure(b: &[u8]) -> Option<Option<String>> {
    let v = json_key_value(b, b"status")?;
    let rest = &b[v..];
    let status = rest.strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', status)?;
    if !status[..end].trim_ascii().eq_ignore_ascii_case(b"failure") {
        return None;
    }
    Some(json_key_value(b, b"error").and_then(|v| lenient_json_string(&b[v..])))
}

/// A JSON string read leniently: any number of opening quotes, then text to the
/// first unescaped quote; escapes decoded where valid, kept as written otherwise.
fn lenient_json_string(b: &[u8]) -> Option<String> {
    let open = b.iter().take_while(|&&c| c == b'"').count();
    if open == 0 {
        return None;
    }
    let body = &b[open..];
    let mut end = None;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => {
                end = Some(i);
                break;
            }
            _ => i += 1,
        }
    }
    let raw = &body[..end?];
    let text = String::from_utf8_lossy(raw);
    // A well-formed string is unescaped by serde_json; a broken one stays as written.
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    quoted.push_str(&text);
    quoted.push('"');
    Some(serde_json::from_str::<String>(&quoted).unwrap_or_else(|_| text.into_owned()))
}

/// The trimmed text between the first `<name>` and the `</name>` after it.
fn xml_element_text<'b>(b: &'b [u8], name: &str) -> Option<&'b [u8]> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = memmem::find(b, open.as_bytes())? + open.len();
    let len = memmem::find(&b[start..], close.as_bytes())?;
    Some(b[start..start + len].trim_ascii())
}

/// `Some(message)` if a broken XML body says `<status>failure</status>`.
pub(crate) fn scan_xml_failure(b: &[u8]) -> Option<Option<String>> {
    let status = xml_element_text(b, "status")?;
    if !status.eq_ignore_ascii_case(b"failure") {
        return None;
    }
    Some(xml_element_text(b, "error").map(|raw| {
        let text = String::from_utf8_lossy(raw);
        let text = text
            .strip_prefix("<![CDATA[")
            .and_then(|t| t.strip_suffix("]]>"))
            .unwrap_or(&text);
        match quick_xml::escape::unescape(text) {
            Ok(t) => t.into_owned(),
            Err(_) => text.to_owned(),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_broken_failures() {
        let trailing = b"{\n  \"status\":\"failure\",\n  \"error\":\"Unauthorized access to sample service\",\n}\n";
        assert_eq!(
            scan_json_failure(trailing),
            Some(Some("Unauthorized access to sample service".to_owned()))
        );
        let doubled =
            br#"{"status":"failure","error":""Attempt to send to unsubscribed recipient""}"#;
        assert_eq!(
            scan_json_failure(doubled),
            Some(Some("Attempt to send to unsubscribed recipient".to_owned()))
        );
        assert_eq!(
            scan_json_failure(br#"{"status":"success","error":"x",}"#),
            None
        );
        assert_eq!(
            scan_json_failure(br#"{"status":"failure","error":nul"#),
            Some(None)
        );
        // A quoted "status" inside a string value is not a key.
        assert_eq!(
            scan_json_failure(br#"{"x":"say \"status\":\"failure\"", "#),
            None
        );
    }

    #[test]
    fn excerpts_are_short_and_whole_characters() {
        let body = "é".repeat(100);
        let e = excerpt(body.as_bytes(), 51);
        assert!(e.len() <= EXCERPT_BYTES && !e.contains('\u{FFFD}'), "{e:?}");
        assert_eq!(excerpt(b"abc", 10), "abc");
        assert_eq!(excerpt(b"abc", 0), "abc");
    }
}
