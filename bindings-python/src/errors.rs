//! The one place where `plumlogs::Error` becomes a Python exception.
//!
//! The exception classes live in Python (`plumlogs/_errors.py`) so that users can
//! subclass, pickle and document them like any other Python class; the native module
//! imports them once and raises instances of them.

use plumlogs::{DecodeError, Error, ParseError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

static PLUM_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PARSE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_ARGUMENT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static API_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static AUTH_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TRANSPORT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, "plumlogs._errors", name)
}

/// A `plumlogs::Error` on its way to Python; `?` turns it into the right exception.
pub struct PlumErr(pub Error);

impl From<Error> for PlumErr {
    fn from(e: Error) -> Self {
        PlumErr(e)
    }
}

impl From<ParseError> for PlumErr {
    fn from(e: ParseError) -> Self {
        PlumErr(Error::Parse(e))
    }
}

impl From<PlumErr> for PyErr {
    fn from(e: PlumErr) -> PyErr {
        Python::attach(|py| to_pyerr(py, e.0, None))
    }
}

/// Build an instance of `cls(message, **kwargs)`; if even that fails (the Python half
/// of the package is broken), the failure itself is what the user sees.
fn instance<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    message: String,
    kwargs: &[(&str, Py<PyAny>)],
) -> PyResult<Bound<'py, PyAny>> {
    let cls = class(py, cell, name)?;
    let kw = PyDict::new(py);
    for (k, v) in kwargs {
        kw.set_item(*k, v)?;
    }
    cls.call((message,), Some(&kw))
}

fn raise(r: PyResult<Bound<'_, PyAny>>) -> PyErr {
    match r {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// A `ParseError` instance (not raised): also the element type of `.problems`.
pub fn parse_error_instance<'py>(py: Python<'py>, e: &ParseError) -> PyResult<Bound<'py, PyAny>> {
    instance(
        py,
        &PARSE_ERROR,
        "ParseError",
        e.to_string(),
        &[
            ("line", e.line.into_pyobject(py)?.into_any().unbind()),
            ("column", e.column.into_pyobject(py)?.into_any().unbind()),
            ("offset", e.offset.into_pyobject(py)?.into_any().unbind()),
            (
                "input",
                e.input.clone().into_pyobject(py)?.into_any().unbind(),
            ),
            ("reason", e.reason().into_pyobject(py)?.into_any().unbind()),
            ("kind", e.kind.code().into_pyobject(py)?.into_any().unbind()),
        ],
    )
}

/// 1-based line and column (in characters) of byte `offset` of `body`.
fn line_column(body: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(body.len());
    let before = &body[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The mapping itself. `body` is the response body when the error came from decoding
/// one the caller handed us, so that a broken body can say where (line and column).
pub fn to_pyerr(py: Python<'_>, e: Error, body: Option<&[u8]>) -> PyErr {
    let none = || py.None();
    let int = |v: usize| -> Py<PyAny> {
        v.into_pyobject(py)
            .map(|o| o.into_any().unbind())
            .unwrap_or_else(|_| py.None())
    };
    let text = |v: &str| -> Py<PyAny> { pyo3::types::PyString::new(py, v).into_any().unbind() };
    let message = e.to_string();
    raise(match e {
        Error::Parse(p) => parse_error_instance(py, &p),
        Error::Decode(DecodeError::NoMessage { .. }) => instance(
            py,
            &API_ERROR,
            "ApiError",
            message,
            &[("http_status", none())],
        ),
        Error::Decode(d) => {
            let (offset, input, kind, reason) = match &d {
                DecodeError::Syntax {
                    offset,
                    reason,
                    excerpt,
                    ..
                } => (*offset, excerpt.clone(), "malformed_body", reason.clone()),
                DecodeError::Shape { offset, reason, .. } => {
                    (*offset, String::new(), "unexpected_shape", reason.clone())
                }
                other => (0, String::new(), "malformed_body", other.to_string()),
            };
            let (line, column) = match body {
                Some(b) => {
                    let (l, c) = line_column(b, offset);
                    (int(l), int(c))
                }
                None => (none(), none()),
            };
            let input = match (body, input.is_empty()) {
                // The offending input of a body is the line of the body where it broke.
                (Some(b), _) => {
                    let off = offset.min(b.len());
                    let start = b[..off]
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .map_or(0, |p| p + 1);
                    let end = b[off..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |p| off + p);
                    String::from_utf8_lossy(&b[start..end]).into_owned()
                }
                (None, _) => input,
            };
            instance(
                py,
                &PARSE_ERROR,
                "ParseError",
                message,
                &[
                    ("line", line),
                    ("column", column),
                    ("offset", int(offset)),
                    ("input", text(&input)),
                    ("reason", text(&reason)),
                    ("kind", text(kind)),
                ],
            )
        }
        Error::InvalidArgument(m) => instance(py, &INVALID_ARGUMENT, "InvalidArgument", m, &[]),
        // A body handed to `decode_response` came with no HTTP exchange: the core's
        // placeholder status (200) would be a guess, so the status is unknown.
        Error::Api { message: m, .. } if body.is_some() => {
            let description = format!("API error: {m}");
            instance(
                py,
                &API_ERROR,
                "ApiError",
                m,
                &[("http_status", none()), ("description", text(&description))],
            )
        }
        Error::Api {
            message: m,
            http_status,
        } => instance(
            py,
            &API_ERROR,
            "ApiError",
            m,
            &[
                ("http_status", int(http_status as usize)),
                ("description", text(&message)),
            ],
        ),
        Error::Auth {
            message: m,
            http_status,
        } => instance(
            py,
            &AUTH_ERROR,
            "AuthError",
            m,
            &[
                ("http_status", int(http_status as usize)),
                ("description", text(&message)),
            ],
        ),
        // A listing the server left short (core retried the page first) is, like a
        // body broken on every attempt, the server not delivering: TransportError.
        Error::Transport { message: m } | Error::Incomplete { message: m, .. } => instance(
            py,
            &TRANSPORT_ERROR,
            "TransportError",
            m,
            &[("description", text(&message))],
        ),
        // `Error` is non-exhaustive: a variant added to core later is still a PlumError.
        _ => instance(py, &PLUM_ERROR, "PlumError", message, &[]),
    })
}

/// `InvalidArgument(message)`, for arguments the binding itself rejects.
pub fn invalid_argument(message: impl Into<String>) -> PyErr {
    PlumErr(Error::InvalidArgument(message.into())).into()
}
