//! The one place where `plumlogs::Error` becomes something JavaScript can throw.
//!
//! napi can only throw an `Error` with a message string across every path we use
//! (sync calls, `AsyncTask` rejections, deferred promises resolved from our own
//! threads), so the payload travels as JSON behind a marker in the message, and
//! `lib/errors.js` rebuilds a proper `Error` from it: a table from the core's code
//! to a class. Nothing is decided here: code, kind, status, location and messages
//! are the core's, the field names are camelCase.

use plumlogs::{Error, ParseError};
use serde_json::{Map, Value, json};

/// Prefix of a message that carries a structured error payload.
pub(crate) const MARKER: &str = "\u{0}plumlogs-error:";

/// The canonical problem object of lenient parsing.
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
///
/// Every payload has `code`, `kind` (or null), `message` (the server's or the
/// transport's own text for API, auth and transport errors, the whole message
/// otherwise) and `description` (always the whole message: the core's `Display`,
/// the same text in every language).
pub(crate) fn payload_in(e: &Error, body: Option<&[u8]>) -> Value {
    let description = e.to_string();
    let mut m = Map::new();
    m.insert("code".into(), json!(e.code()));
    m.insert("kind".into(), json!(e.kind()));
    m.insert(
        "message".into(),
        json!(e.message().unwrap_or(description.as_str())),
    );
    if let Some(reason) = e.reason() {
        m.insert("reason".into(), json!(reason));
    }
    let at = match body {
        Some(b) => e.location_in(b),
        None => e.location(),
    };
    if let Some(at) = at {
        m.insert("line".into(), json!(at.line));
        m.insert("column".into(), json!(at.column));
        m.insert("offset".into(), json!(at.offset));
        m.insert("input".into(), json!(at.input));
    }
    match e {
        Error::InvalidArgument { field, .. } => {
            m.insert("field".into(), json!(field));
        }
        Error::Api { .. } | Error::Auth { .. } => {
            m.insert("httpStatus".into(), json!(e.http_status()));
        }
        Error::Incomplete {
            reported, received, ..
        } => {
            m.insert("reported".into(), json!(reported));
            m.insert("received".into(), json!(received));
        }
        _ => {}
    }
    m.insert("description".into(), json!(description));
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

/// A panic caught before it reaches JS (it must never cross the FFI boundary): a
/// `TRANSPORT_ERROR` saying so, as every binding reports a failure it cannot place.
pub(crate) fn panic_error(panic: &(dyn std::any::Any + Send)) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Error::Transport {
        message: format!("internal error (a bug in plumlogs, please report it): {what}"),
    }
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
