//! Decoding response bodies of the four services (JSON or XML, success or failure)
//! straight into the zero-copy records of the line parsers.
//!
//! The body's format is told by its first non-blank byte ([`detect_wire`]), so a
//! client need not trust `Content-Type`. Item texts borrow from the body whenever
//! the wire form equals the text (JSON strings whose only escapes are `\/` inside
//! the bracketed timestamp, which the line parser reads as is; XML text without
//! entity references); anything else is unescaped into an owned string.
//!
//! Failure answers become [`DecodeError::Api`] even when the body is not valid JSON
//! (Plum documents failure bodies with a trailing comma and with doubled quotes):
//! when strict parsing fails, a tolerant scan looks for `"status":"failure"` and the
//! `"error"` text before a syntax error is reported.

mod failure;
mod json;

use json::unescape_in_place;
// What `records` needs to parse a call log still escaped, a piece at a time.
#[cfg(test)]
pub(crate) use json::ascii_escaped;
pub(crate) use json::{log_cut, unescape, unescape_mapped, written_range};
mod xml;

use crate::call_summary::CallSummary;
use crate::error::{Error, LineError, ParseError};
use crate::error_line::{ErrorRecord, parse_error_line};
use crate::records::{self, CallLogEntryRecords, ErrorRecords, SessionRecords};
use crate::service::{Service, Wire};
use crate::session::{SessionRecord, parse_session_line};
use crate::session_id::SessionId;
use std::borrow::Cow;
use std::fmt;

/// Why a body could not be turned into records.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The server answered `status: failure` with this message.
    Api {
        /// The server's `error` text.
        message: String,
    },
    /// `status: failure` (or no usable status) and no message could be found.
    NoMessage {
        /// The start of the body, lossily decoded and bounded.
        excerpt: String,
    },
    /// Not well-formed JSON/XML, or cut off: `offset` is the byte where it went wrong.
    Syntax {
        /// The format the body was read as; `None` when it is neither JSON nor XML
        /// (or empty).
        wire: Option<Wire>,
        /// Byte offset into the body, counting a skipped byte-order mark.
        offset: usize,
        /// What was wrong there.
        reason: String,
        /// The body around `offset`, lossily decoded and bounded.
        excerpt: String,
    },
    /// Well-formed, but not the shape of this service's answer.
    Shape {
        /// The body's format.
        wire: Wire,
        /// Byte offset into the body, counting a skipped byte-order mark.
        offset: usize,
        /// What was expected and what was found.
        reason: String,
    },
    /// Not a Plum answer at all: an HTML page (a proxy's `502 Bad Gateway`, a captive
    /// portal) or a document with neither `status`, `error` nor `result`. `excerpt`
    /// is the start of the body (at most 60 bytes). The client reports it as a
    /// transport failure naming the HTTP status, never as the server saying no.
    Foreign {
        /// The start of the body, lossily decoded and bounded.
        excerpt: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Api { message } => write!(f, "the server answered failure: {message}"),
            DecodeError::NoMessage { excerpt } => {
                write!(
                    f,
                    "the server answered failure without a message; body starts {excerpt:?}"
                )
            }
            DecodeError::Syntax {
                wire,
                offset,
                reason,
                excerpt,
            } => {
                let w = wire.map(|w| w.name()).unwrap_or("body");
                write!(
                    f,
                    "malformed {w} at byte {offset}: {reason} (near {excerpt:?})"
                )
            }
            DecodeError::Shape {
                wire,
                offset,
                reason,
            } => {
                write!(
                    f,
                    "unexpected {} shape at byte {offset}: {reason}",
                    wire.name()
                )
            }
            DecodeError::Foreign { excerpt } => {
                write!(f, "not a Plum answer; body starts {excerpt:?}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// The item texts of a `calls/sessions` or `calls/errors` page. Each text borrows
/// from the body unless it had to be unescaped; parse them with
/// [`LinesPage::sessions`] / [`LinesPage::errors`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinesPage<'a> {
    /// The body's format.
    pub wire: Wire,
    /// The `total_*` count, when the body has one (a hint, not a stop rule).
    pub total: Option<u64>,
    /// The item texts, in the server's order.
    pub items: Vec<Cow<'a, str>>,
    /// The `error` text of a `success` answer (say `"partial results: database
    /// timeout"`), which the server sent beside the result: kept, not dropped.
    /// Bounded to [`WARNING_BYTES`]; `None` when the text is empty.
    pub warning: Option<String>,
}

/// A decoded `calls/logs` page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsPage<'a> {
    /// The body's format.
    pub wire: Wire,
    /// The `total_logs` count, when the body has one.
    pub total: Option<u64>,
    /// The call summaries, in the server's order.
    pub items: Vec<CallSummary<'a>>,
    /// The `error` text of a `success` answer (see [`LinesPage::warning`]).
    pub warning: Option<String>,
}

/// A decoded `calls/log` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPage<'a> {
    /// The body's format.
    pub wire: Wire,
    /// The call-log text (empty when a success holds no log).
    pub text: Cow<'a, str>,
    /// The `error` text of a `success` answer (see [`LinesPage::warning`]).
    pub warning: Option<String>,
}

/// The most bytes of a success's `error` text kept as a warning; a longer text is
/// cut on a character boundary and marked `… (N bytes)`.
pub const WARNING_BYTES: usize = 1024;

/// A success's `error` text as a warning: `None` when blank, bounded otherwise.
fn warning_of(message: Option<String>) -> Option<String> {
    let m = message?;
    let t = m.trim();
    if t.is_empty() {
        return None;
    }
    if t.len() <= WARNING_BYTES {
        return Some(t.to_owned());
    }
    let mut cut = WARNING_BYTES;
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!("{}… ({} bytes)", &t[..cut], t.len()))
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The body without a leading UTF-8 byte-order mark, and how many bytes were skipped.
fn strip_bom(body: &[u8]) -> (&[u8], usize) {
    match body.strip_prefix(BOM) {
        Some(rest) => (rest, BOM.len()),
        None => (body, 0),
    }
}

/// The wire format of a body, from its first non-blank byte (a UTF-8 BOM is
/// skipped): `{` or `[` is JSON, `<` is XML; anything else (or nothing) is `None`.
///
/// ```
/// use plumlogs::{Wire, detect_wire};
/// assert_eq!(detect_wire(b"  {\"status\":\"success\"}"), Some(Wire::Json));
/// assert_eq!(detect_wire(b"<?xml version=\"1.0\"?><response/>"), Some(Wire::Xml));
/// assert_eq!(detect_wire(b"Service Unavailable"), None);
/// ```
pub fn detect_wire(body: &[u8]) -> Option<Wire> {
    let (body, _) = strip_bom(body);
    match body.iter().find(|b| !b.is_ascii_whitespace())? {
        b'{' | b'[' => Some(Wire::Json),
        b'<' => Some(Wire::Xml),
        _ => None,
    }
}

/// What the format-specific decoders hand back: the envelope's verdict and, on
/// success, the result's parts for the service asked for.
pub(crate) enum Outcome<'a> {
    Lines {
        total: Option<u64>,
        items: Vec<Cow<'a, str>>,
    },
    Logs {
        total: Option<u64>,
        items: Vec<CallSummary<'a>>,
    },
    Log {
        text: Cow<'a, str>,
    },
}

/// Which result shape a decoder should read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Text items named `item` in XML (`session` or `error`).
    Lines {
        item: &'static str,
    },
    Logs,
    Log,
}

/// What a decoder found: the result, and the `error` text of a success (raw).
pub(crate) type Found<'a> = (Outcome<'a>, Option<String>);

fn decode_any(body: &[u8], want: Want) -> Result<(Wire, Outcome<'_>, Option<String>), DecodeError> {
    decode_any_with(body, want, false)
}

/// [`decode_any`]; `in_place` as for the JSON decoder (a log text is lent out still
/// escaped, to be unescaped in the body's own buffer).
fn decode_any_with(
    body: &[u8],
    want: Want,
    in_place: bool,
) -> Result<(Wire, Outcome<'_>, Option<String>), DecodeError> {
    let (inner, skipped) = strip_bom(body);
    let shift = |e: DecodeError| match e {
        DecodeError::Syntax {
            wire,
            offset,
            reason,
            excerpt,
        } => DecodeError::Syntax {
            wire,
            offset: offset + skipped,
            reason,
            excerpt,
        },
        DecodeError::Shape {
            wire,
            offset,
            reason,
        } => DecodeError::Shape {
            wire,
            offset: offset + skipped,
            reason,
        },
        other => other,
    };
    match detect_wire(inner) {
        Some(Wire::Json) => json::decode(inner, want, in_place)
            .map(|(o, w)| (Wire::Json, o, warning_of(w)))
            .map_err(shift),
        Some(Wire::Xml) => xml::decode(inner, want)
            .map(|(o, w)| (Wire::Xml, o, warning_of(w)))
            .map_err(shift),
        None => {
            let at = inner.iter().position(|b| !b.is_ascii_whitespace());
            let reason = match at {
                None => "empty body: expected a JSON or XML document".to_owned(),
                Some(_) => "neither JSON nor XML: expected `{`, `[` or `<`".to_owned(),
            };
            let offset = at.unwrap_or(inner.len());
            Err(DecodeError::Syntax {
                wire: None,
                offset: offset + skipped,
                reason,
                excerpt: failure::excerpt(inner, offset),
            })
        }
    }
}

/// Decode a `calls/sessions` or `calls/errors` body into its item texts (parse
/// them with [`LinesPage::sessions`] / [`LinesPage::errors`]).
///
/// ```
/// use plumlogs::{Service, decode_lines};
/// let body = br#"{"status":"success","error":"","result":{"total_errors":"1","errors":[
///   "error 2125551234 6 [17\/Nov\/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded"]}}"#;
/// let page = decode_lines(body, Service::Errors)?;
/// assert_eq!((page.total, page.items.len()), (Some(1), 1));
/// let rec = page.errors().next().unwrap()?;
/// assert_eq!(rec.message, "Max Disconnect Count Exceeded");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_lines(body: &[u8], service: Service) -> Result<LinesPage<'_>, DecodeError> {
    let item = match service {
        Service::Sessions | Service::Errors => service.item_name(),
        Service::Logs | Service::Log => {
            return Err(DecodeError::Shape {
                wire: detect_wire(body).unwrap_or_default(),
                offset: 0,
                reason: format!(
                    "decode_lines reads `sessions` or `errors` bodies, not `{}`; use decode_logs or decode_log",
                    service.name()
                ),
            });
        }
    };
    match decode_any(body, Want::Lines { item })? {
        (wire, Outcome::Lines { total, items }, warning) => Ok(LinesPage {
            wire,
            total,
            items,
            warning,
        }),
        _ => unreachable!("decoders answer in the shape asked for"),
    }
}

/// Decode a `calls/logs` body into its call summaries.
///
/// ```
/// let body = br#"{"status":"success","error":"","result":{"total_logs":"1","logs":[{"log_id":"421752831",
///   "session_id":"400050;000;1510159646","dest":"6177123000","type":"inbound","src":"2125551234",
///   "start":"1510159657","end":"1510159689"}]}}"#;
/// let page = plumlogs::decode_logs(body)?;
/// assert_eq!(page.items[0].log_id, 421752831);
/// assert_eq!(page.items[0].end - page.items[0].start, 32);
/// # Ok::<(), plumlogs::DecodeError>(())
/// ```
pub fn decode_logs(body: &[u8]) -> Result<LogsPage<'_>, DecodeError> {
    match decode_any(body, Want::Logs)? {
        (wire, Outcome::Logs { total, items }, warning) => Ok(LogsPage {
            wire,
            total,
            items,
            warning,
        }),
        _ => unreachable!("decoders answer in the shape asked for"),
    }
}

/// Decode a `calls/log` body into the call-log text and a success's warning.
pub fn decode_log_page(body: &[u8]) -> Result<LogPage<'_>, DecodeError> {
    match decode_any(body, Want::Log)? {
        (wire, Outcome::Log { text }, warning) => Ok(LogPage {
            wire,
            text,
            warning,
        }),
        _ => unreachable!("decoders answer in the shape asked for"),
    }
}

/// [`decode_log_page`] for a body the caller gives up: the text is unescaped in the
/// body's own buffer (an unescaped JSON string is never longer than it was
/// written) and handed back as that buffer, so decoding holds no second copy of a
/// log beside its body. The same text, warning and errors as [`decode_log_page`].
///
/// ```
/// let body = br#"{"status":"success","error":"","result":{"log":"a\/b\n\u00e9"}}"#.to_vec();
/// let page = plumlogs::decode::decode_log_page_owned(body)?;
/// assert_eq!(page.text, "a/b\né");
/// # Ok::<(), plumlogs::DecodeError>(())
/// ```
pub fn decode_log_page_owned(mut body: Vec<u8>) -> Result<LogPage<'static>, DecodeError> {
    take_log_page(&mut body)
}

/// [`decode_log_page_owned`] of a body in `body`, which is left as it was on a
/// decode error (for the caller to quote) and taken (its buffer become the text)
/// otherwise.
pub(crate) fn take_log_page(body: &mut Vec<u8>) -> Result<LogPage<'static>, DecodeError> {
    let (wire, warning) = log_in_place(body)?;
    let text = String::from_utf8(std::mem::take(body)).map_err(|e| DecodeError::Shape {
        wire,
        offset: e.utf8_error().valid_up_to(),
        reason: "the log text is not UTF-8".to_owned(),
    })?;
    Ok(LogPage {
        wire,
        text: Cow::Owned(text),
        warning,
    })
}

/// Where a log's text lies once the body is decoded.
enum LogAt {
    /// A slice of the body, still escaped when `escaped` (a JSON string's contents).
    Span {
        start: usize,
        len: usize,
        escaped: bool,
    },
    /// Made apart from the body (XML entities undone; an unusual JSON string).
    Apart(String),
}

/// A `calls/log` body's text as its decoder lends it: borrowed from the body where it
/// can be (`escaped`: a JSON string's contents with escapes still in them), else made.
struct LentLog<'b> {
    wire: Wire,
    text: Cow<'b, str>,
    escaped: bool,
    warning: Option<String>,
}

fn lend_log(body: &[u8]) -> Result<LentLog<'_>, DecodeError> {
    let (wire, outcome, warning) = decode_any_with(body, Want::Log, true)?;
    let Outcome::Log { text } = outcome else {
        unreachable!("decoders answer in the shape asked for")
    };
    let escaped = wire == Wire::Json
        && matches!(&text, Cow::Borrowed(t) if memchr::memchr(b'\\', t.as_bytes()).is_some());
    Ok(LentLog {
        wire,
        text,
        escaped,
        warning,
    })
}

/// Decode a `calls/log` body and leave in `body` only the log's text, unescaped in
/// place: the body's format and a success's warning. On an error `body` is as it
/// was (every check is made before a byte is written), so a caller can still quote it.
fn log_in_place(body: &mut Vec<u8>) -> Result<(Wire, Option<String>), DecodeError> {
    let (wire, at, warning) = {
        let lent = lend_log(body)?;
        let at = match lent.text {
            // A borrowed text is a slice of `body`, except where a decoder lends
            // a constant (the XML unescaper answers `&lt;` alone with a static
            // "<"): that one is copied like a made text.
            Cow::Borrowed(t) => match (t.as_ptr() as usize).checked_sub(body.as_ptr() as usize) {
                Some(start) if start + t.len() <= body.len() && !t.is_empty() => LogAt::Span {
                    start,
                    len: t.len(),
                    escaped: lent.escaped,
                },
                _ => LogAt::Apart(t.to_owned()),
            },
            Cow::Owned(t) => LogAt::Apart(t),
        };
        (lent.wire, at, lent.warning)
    };
    let internal = |reason: &str| DecodeError::Shape {
        wire,
        offset: 0,
        reason: reason.to_owned(),
    };
    match at {
        LogAt::Apart(text) => *body = text.into_bytes(),
        // An empty text may be a constant, not a slice of the body.
        LogAt::Span { len: 0, .. } => body.clear(),
        LogAt::Span {
            start,
            len,
            escaped,
        } => {
            let span = start..start + len;
            let Some(bytes) = body.get_mut(span.clone()) else {
                return Err(internal("the log text is not a slice of the body"));
            };
            let len = if escaped {
                // The decoder lent it out escaped only because this accepts it.
                unescape_in_place(bytes)
                    .ok_or_else(|| internal("the log text's escapes could not be undone"))?
            } else {
                len
            };
            body.copy_within(span.start..span.start + len, 0);
            body.truncate(len);
        }
    }
    Ok((wire, warning))
}

/// Decode a `calls/log` body into the call-log text (parse it with
/// [`crate::parse_call_log`] or [`crate::CallLogEntries`]). A success without a log is an
/// empty text. [`decode_log_page`] also gives a success's warning.
///
/// ```
/// let body = br#"<?xml version="1.0"?><response><status>success</status><error></error>
/// <result><log>Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered</log></result></response>"#;
/// let text = plumlogs::decode_log(body)?;
/// assert_eq!(plumlogs::parse_call_log(&*text)?[0].level, "EVENT");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_log(body: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    decode_log_page(body).map(|p| p.text)
}

/// A JSON item that was borrowed raw still spells its timestamp's slashes `\/`.
/// Errors are reported against the text the server meant, so such an item is
/// unescaped and parsed again (on the error path only).
// Items are `Cow`s on purpose: only a borrowed one can still hold `\/`.
#[allow(clippy::ptr_arg)]
fn meant_text(wire: Wire, item: &Cow<'_, str>) -> Option<String> {
    match (wire, item) {
        (Wire::Json, Cow::Borrowed(s)) if s.contains('\\') => Some(s.replace("\\/", "/")),
        _ => None,
    }
}

fn session_error(line: &[u8]) -> Option<LineError> {
    parse_session_line(line).err()
}

fn error_line_error(line: &[u8]) -> Option<LineError> {
    parse_error_line(line).err()
}

#[cold]
#[allow(clippy::ptr_arg)]
fn lift(
    wire: Wire,
    index: usize,
    item: &Cow<'_, str>,
    err: LineError,
    reparse: fn(&[u8]) -> Option<LineError>,
) -> ParseError {
    if let Some(text) = meant_text(wire, item)
        && let Some(e) = reparse(text.as_bytes())
    {
        return ParseError::from_line(e, text.as_bytes(), index + 1, 0);
    }
    ParseError::from_line(err, item.as_bytes(), index + 1, 0)
}

/// [`lift`] for an item given as its text and whether it was borrowed raw.
#[cold]
fn lift_text(
    wire: Wire,
    index: usize,
    item: &str,
    borrowed: bool,
    err: LineError,
    reparse: fn(&[u8]) -> Option<LineError>,
) -> Error {
    let item: Cow<'_, str> = if borrowed {
        Cow::Borrowed(item)
    } else {
        Cow::Owned(item.to_owned())
    };
    Error::Parse(lift(wire, index, &item, err, reparse))
}

/// The records of a page's items, like [`crate::bulk::Records`] for a text (the
/// same shape keeps the hot loop free of large moves).
struct ItemRecords<'p, R> {
    items: std::iter::Enumerate<std::slice::Iter<'p, Cow<'p, str>>>,
    wire: Wire,
    parse: fn(&'p [u8]) -> Result<R, LineError>,
    reparse: fn(&[u8]) -> Option<LineError>,
}

impl<'p, R> Iterator for ItemRecords<'p, R> {
    type Item = Result<R, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (n, item) = self.items.next()?;
        Some((self.parse)(item.as_bytes()).map_err(|e| lift(self.wire, n, item, e, self.reparse)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<'a> LinesPage<'a> {
    /// The items as the texts the server meant, unparsed: JSON escapes undone
    /// (including the `\/` a borrowed item may still spell). What an archive keeps
    /// as the raw line, whether or not it parses.
    pub fn into_texts(self) -> Vec<String> {
        let wire = self.wire;
        self.items
            .into_iter()
            .map(|item| meant_text(wire, &item).unwrap_or_else(|| item.into_owned()))
            .collect()
    }

    /// The items parsed as session lines. In a [`ParseError`], `line` is the 1-based
    /// item index and `column`/`offset` count bytes within that item.
    pub fn sessions(&self) -> impl Iterator<Item = Result<SessionRecord<'_>, ParseError>> {
        ItemRecords {
            items: self.items.iter().enumerate(),
            wire: self.wire,
            parse: parse_session_line::<[u8]>,
            reparse: session_error,
        }
    }

    /// The items parsed as error lines (positions as in [`LinesPage::sessions`]).
    pub fn errors(&self) -> impl Iterator<Item = Result<ErrorRecord<'_>, ParseError>> {
        ItemRecords {
            items: self.items.iter().enumerate(),
            wire: self.wire,
            parse: parse_error_line::<[u8]>,
            reparse: error_line_error,
        }
    }

    /// Every item as a session record that lives as long as the body: borrowed
    /// items stay borrowed, unescaped ones are parsed and owned. Stops at the first
    /// bad item.
    pub fn into_sessions(self) -> Result<Vec<SessionRecord<'a>>, ParseError> {
        let wire = self.wire;
        let mut out = Vec::with_capacity(self.items.len());
        for (n, item) in self.items.into_iter().enumerate() {
            let rec = match &item {
                Cow::Borrowed(s) => parse_session_line(*s),
                Cow::Owned(s) => parse_session_line(s.as_str()).map(SessionRecord::into_owned),
            };
            out.push(rec.map_err(|e| lift(wire, n, &item, e, session_error))?);
        }
        Ok(out)
    }

    /// Every item as a session record, packed ([`SessionRecords`]: about 90 bytes a
    /// record beside the body, where a `Vec` of [`SessionRecord`]s takes twice
    /// that). Borrowed items stay in the body; unescaped ones are kept as they are.
    /// Stops at the first bad item. `body` is the body the page was decoded from.
    pub fn into_session_records(self, body: &'a [u8]) -> Result<SessionRecords<'a>, Error> {
        let wire = self.wire;
        records::from_items(body, self.items, records::pack_session, |n, t, b, e| {
            lift_text(wire, n, t, b, e, session_error)
        })
    }

    /// Every item as an error record, packed (see
    /// [`LinesPage::into_session_records`]).
    pub fn into_error_records(self, body: &'a [u8]) -> Result<ErrorRecords<'a>, Error> {
        let wire = self.wire;
        records::from_items(body, self.items, records::pack_error, |n, t, b, e| {
            lift_text(wire, n, t, b, e, error_line_error)
        })
    }

    /// Every item as an error record that lives as long as the body (see
    /// [`LinesPage::into_sessions`]).
    pub fn into_errors(self) -> Result<Vec<ErrorRecord<'a>>, ParseError> {
        let wire = self.wire;
        let mut out = Vec::with_capacity(self.items.len());
        for (n, item) in self.items.into_iter().enumerate() {
            let rec = match &item {
                Cow::Borrowed(s) => parse_error_line(*s),
                Cow::Owned(s) => parse_error_line(s.as_str()).map(ErrorRecord::into_owned),
            };
            out.push(rec.map_err(|e| lift(wire, n, &item, e, error_line_error))?);
        }
        Ok(out)
    }
}

/// Any service's body as records, in one call: what `decode_response` of the
/// Python and Node bindings returns. Line records are held packed beside the body
/// ([`crate::records`]): `get`/`iter` give the grammar's borrowed records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A `calls/sessions` page's lines, strictly parsed, in the server's order.
    Sessions(SessionRecords<'a>),
    /// A `calls/errors` page's lines, strictly parsed, in the server's order.
    Errors(ErrorRecords<'a>),
    /// A `calls/logs` page.
    Logs {
        /// The `total_logs` count, when the body has one.
        total: Option<u64>,
        /// The call summaries, in the server's order.
        items: Vec<CallSummary<'a>>,
    },
    /// The call-log entries (strictly parsed), with the text they were parsed
    /// from ([`CallLogEntryRecords::text`]; empty when a success holds no log).
    Log(CallLogEntryRecords<'a>),
}

/// [`decode_response`]'s records with the `error` text of a `success` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedPage<'a> {
    /// The body's records.
    pub records: Decoded<'a>,
    /// The `error` text of a `success` answer (see [`LinesPage::warning`]).
    pub warning: Option<String>,
}

/// Decode a body of `service` (JSON or XML, told apart by its first non-blank byte)
/// into its records. A failure answer is [`Error::Api`] (with `http_status` `None`:
/// the caller knows the real one), a broken body [`Error::Decode`], a bad line or
/// call-log entry [`Error::Parse`]. [`decode_response_page`] also gives a
/// success's warning.
///
/// ```
/// use plumlogs::{Decoded, Error, Service, decode_response};
/// // Plum documents failure bodies with a trailing comma: still an API error, with its message.
/// let failure = b"{\n  \"status\":\"failure\",\n  \"error\":\"Unauthorized access to sample service\",\n}";
/// match decode_response(failure, Service::Sessions) {
///     Err(Error::Api { message, .. }) => assert_eq!(message, "Unauthorized access to sample service"),
///     other => panic!("{other:?}"),
/// }
/// let empty = br#"{"status":"success","error":"","result":{"total_sessions":"0","sessions":[]}}"#;
/// assert!(matches!(decode_response(empty, Service::Sessions)?, Decoded::Sessions(r) if r.is_empty()));
/// # Ok::<(), Error>(())
/// ```
pub fn decode_response(body: &[u8], service: Service) -> Result<Decoded<'_>, Error> {
    decode_response_page(body, service).map(|p| p.records)
}

/// [`decode_response`], with the `error` text of a `success` answer kept.
pub fn decode_response_page(body: &[u8], service: Service) -> Result<DecodedPage<'_>, Error> {
    Ok(match service {
        Service::Sessions => {
            let mut page = decode_lines(body, service)?;
            let warning = page.warning.take();
            DecodedPage {
                records: Decoded::Sessions(page.into_session_records(body)?),
                warning,
            }
        }
        Service::Errors => {
            let mut page = decode_lines(body, service)?;
            let warning = page.warning.take();
            DecodedPage {
                records: Decoded::Errors(page.into_error_records(body)?),
                warning,
            }
        }
        Service::Logs => {
            let page = decode_logs(body)?;
            DecodedPage {
                records: Decoded::Logs {
                    total: page.total,
                    items: page.items,
                },
                warning: page.warning,
            }
        }
        Service::Log => {
            // A JSON log with escapes is lent out still escaped (as for unescaping
            // in place: the same text and errors) and parsed a piece at a time, its
            // entries spanning into the body: no unescaped copy beside it.
            let lent = lend_log(body)?;
            let records = match lent.text {
                Cow::Borrowed(raw) if lent.escaped => CallLogEntryRecords::parse_escaped_json(raw)?,
                text => CallLogEntryRecords::parse(text)?,
            };
            DecodedPage {
                records: Decoded::Log(records),
                warning: lent.warning,
            }
        }
    })
}

/// A field of a `calls/logs` item, by its name in both wire formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SummaryField {
    LogId,
    SessionId,
    Dest,
    Type,
    Src,
    Start,
    End,
}

impl SummaryField {
    pub(crate) fn of(name: &str) -> Option<SummaryField> {
        Some(match name {
            "log_id" => SummaryField::LogId,
            "session_id" => SummaryField::SessionId,
            "dest" => SummaryField::Dest,
            "type" => SummaryField::Type,
            "src" => SummaryField::Src,
            "start" => SummaryField::Start,
            "end" => SummaryField::End,
            _ => return None,
        })
    }
    pub(crate) fn name(self) -> &'static str {
        match self {
            SummaryField::LogId => "log_id",
            SummaryField::SessionId => "session_id",
            SummaryField::Dest => "dest",
            SummaryField::Type => "type",
            SummaryField::Src => "src",
            SummaryField::Start => "start",
            SummaryField::End => "end",
        }
    }
}

/// A `calls/logs` session id, validated like the line parsers' (the raw text is
/// handed back when it is not `serverid;channel;starttime`).
pub(crate) fn checked_session_id(raw: Cow<'_, str>) -> Result<SessionId<'_>, String> {
    match raw {
        Cow::Borrowed(s) => SessionId::parse(s).map_err(|_| s.to_owned()),
        Cow::Owned(s) if SessionId::parse(&s).is_ok() => Ok(SessionId(Cow::Owned(s))),
        Cow::Owned(s) => Err(s),
    }
}

/// The envelope's verdict, the same for both formats: `success` gives the result
/// (and its `error` text, if any, as a warning), `failure` the server's message;
/// with no usable status a message still means failure and a result alone means
/// success. A document with none of `status`, `error` and `result` is not Plum's.
pub(crate) fn verdict<'a>(
    wire: Wire,
    status: Option<&str>,
    message: Option<String>,
    result: Option<Outcome<'a>>,
    want: Want,
    body: &[u8],
) -> Result<Found<'a>, DecodeError> {
    let has_status = status.is_some();
    let status = status.map(str::trim);
    let is = |s: &str| status.is_some_and(|t| t.eq_ignore_ascii_case(s));
    let message = message.filter(|m| !m.trim().is_empty());
    if is("success") {
        return match (result, want) {
            (Some(result), _) => Ok((result, message)),
            (None, Want::Log) => Ok((
                Outcome::Log {
                    text: Cow::Borrowed(""),
                },
                message,
            )),
            (None, _) => Err(DecodeError::Shape {
                wire,
                offset: 0,
                reason: "`status` is success but there is no `result`".to_owned(),
            }),
        };
    }
    if is("failure") {
        return Err(failure::failure(message, body));
    }
    match (message, result) {
        (Some(m), _) => Err(failure::failure(Some(m), body)),
        (None, Some(result)) => Ok((result, None)),
        (None, None) if !has_status => Err(DecodeError::Foreign {
            excerpt: failure::excerpt(body, 0),
        }),
        (None, None) => Err(failure::failure(None, body)),
    }
}
