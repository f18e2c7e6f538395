//! The one place where `plumlogs::Error` becomes something JavaScript can throw.
//!
//! napi can only throw an `Error` with a message string across every path we use
//! (sync calls, `AsyncTask` rejections, deferred promises resolved from our own
//! threads), so the payload travels as JSON behind a marker in the message, and
//! `lib/errors.js` rebuilds a proper `Error` with `code` and fields from it.

use plumlogs::{DecodeError, Error, ParseError};
use serde_json::{Map, Value, json};

/// Prefix of a message that carries a structured error payload.
pub(crate) const MARKER: &str = "\u{0}plumlogs-error:";

/// The canonical problem object of lenient parsing and of `PARSE_ERROR`.
pub(crate) fn parse_error_fields(e: &ParseError) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("line".into(), json!(e.line));
    m.insert("column".into(), json!(e.column));
    m.insert("offset".into(), json!(e.offset));
    m.insert("reason".into(), json!(e.reason()));
    m.insert("kind".into(), json!(e.kind.code()));
    m.insert("input".into(), json!(e.input));
    m
}

pub(crate) fn payload(e: &Error) -> Value {
    payload_in(e, None)
}

/// `body`: the response body a `Decode` error came from, to say where it broke.
pub(crate) fn payload_in(e: &Error, body: Option<&[u8]>) -> Value {
    let mut m = match e {
        Error::Parse(p) => {
            let mut m = parse_error_fields(p);
            m.insert("code".into(), json!("PARSE_ERROR"));
            m
        }
        Error::InvalidArgument(msg) => {
            let mut m = Map::new();
            m.insert("code".into(), json!("INVALID_ARGUMENT"));
            m.insert("message".into(), json!(msg));
            m
        }
        Error::Api {
            message,
            http_status,
        }
        | Error::Auth {
            message,
            http_status,
        } => {
            let mut m = Map::new();
            let code = if matches!(e, Error::Auth { .. }) {
                "AUTH_ERROR"
            } else {
                "API_ERROR"
            };
            m.insert("code".into(), json!(code));
            // surface.md: `.message` is the server's own text.
            m.insert("message".into(), json!(message));
            m.insert("httpStatus".into(), json!(http_status));
            m
        }
        // A failure answer without a message is still the server saying no.
        Error::Decode(DecodeError::NoMessage { .. }) => {
            let mut m = Map::new();
            m.insert("code".into(), json!("API_ERROR"));
            m.insert("httpStatus".into(), Value::Null);
            m
        }
        // A body handed to `decodeResponse` that does not decode: a parse error that
        // says where (as the Python binding does). The client never gets here: core
        // retries broken bodies and reports them as `Transport`.
        Error::Decode(d) => {
            let (offset, reason, kind, excerpt) = match d {
                DecodeError::Syntax {
                    offset,
                    reason,
                    excerpt,
                    ..
                } => (*offset, reason.clone(), "malformed_body", excerpt.clone()),
                DecodeError::Shape { offset, reason, .. } => {
                    (*offset, reason.clone(), "unexpected_shape", String::new())
                }
                other => (0, other.to_string(), "malformed_body", String::new()),
            };
            let mut m = Map::new();
            m.insert("code".into(), json!("PARSE_ERROR"));
            match body {
                Some(b) => {
                    let (line, column, input) = locate(b, offset);
                    m.insert("line".into(), json!(line));
                    m.insert("column".into(), json!(column));
                    m.insert("input".into(), json!(input));
                }
                None => {
                    m.insert("line".into(), Value::Null);
                    m.insert("column".into(), Value::Null);
                    m.insert("input".into(), json!(excerpt));
                }
            }
            m.insert("offset".into(), json!(offset));
            m.insert("reason".into(), json!(reason));
            m.insert("kind".into(), json!(kind));
            m
        }
        Error::Transport { .. } => {
            let mut m = Map::new();
            m.insert("code".into(), json!("TRANSPORT_ERROR"));
            m
        }
        // A listing the server left short (core retried the page first): the server
        // not delivering, like a body broken on every attempt.
        Error::Incomplete {
            reported, received, ..
        } => {
            let mut m = Map::new();
            m.insert("code".into(), json!("TRANSPORT_ERROR"));
            m.insert("reported".into(), json!(reported));
            m.insert("received".into(), json!(received));
            m
        }
        // `plumlogs::Error` is non_exhaustive: a variant added later still reaches JS
        // as a typed error rather than a panic.
        _ => {
            let mut m = Map::new();
            m.insert("code".into(), json!("TRANSPORT_ERROR"));
            m
        }
    };
    m.entry("message").or_insert_with(|| json!(e.to_string()));
    Value::Object(m)
}

/// Convert a core error into the error napi throws or rejects with.
pub(crate) fn to_napi(e: &Error) -> napi::Error {
    napi::Error::from_reason(format!("{MARKER}{}", payload(e)))
}

/// The same for an error of decoding `body`.
pub(crate) fn to_napi_in(e: &Error, body: &[u8]) -> napi::Error {
    napi::Error::from_reason(format!("{MARKER}{}", payload_in(e, Some(body))))
}

/// 1-based line and column (in characters) of byte `offset` of `body`, and that line.
fn locate(body: &[u8], offset: usize) -> (usize, usize, String) {
    let offset = offset.min(body.len());
    let before = &body[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = body[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |p| offset + p);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (
        line,
        column,
        String::from_utf8_lossy(&body[start..end]).into_owned(),
    )
}

pub(crate) type NResult<T> = napi::Result<T>;

/// `?` sugar for core results.
pub(crate) trait IntoNapi<T> {
    fn js(self) -> NResult<T>;
}

impl<T, E: Into<Error>> IntoNapi<T> for Result<T, E> {
    fn js(self) -> NResult<T> {
        self.map_err(|e| to_napi(&e.into()))
    }
}
