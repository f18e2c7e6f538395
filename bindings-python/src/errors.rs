//! The one place where `plumlogs::Error` becomes a Python exception: a table from the
//! core's error code to a class of `plumlogs/_errors.py` (`_BY_CODE` there), and
//! the core's fields as the exception's attributes. Nothing is decided here: the
//! code, kind, status, location and message are all the core's.
//!
//! The exception classes live in Python so that users can subclass, pickle and
//! document them like any other Python class; the native module imports the table
//! once and raises instances of its classes.

use plumlogs::{Error, ParseError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

/// `plumlogs._errors._BY_CODE`: code → class.
static BY_CODE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

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

fn raise(r: PyResult<Bound<'_, PyAny>>) -> PyErr {
    match r {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// The exception instance (not raised) for `e`; `body` is the response body when
/// the error came from decoding one the caller handed us, so that a broken body can
/// say where (line and column).
pub fn instance<'py>(
    py: Python<'py>,
    e: &Error,
    body: Option<&[u8]>,
) -> PyResult<Bound<'py, PyAny>> {
    let table = BY_CODE.import(py, "plumlogs._errors", "_BY_CODE")?;
    let cls = match table.get_item(e.code())? {
        Some(cls) => cls,
        // A code added to core later is still a PlumError.
        None => table
            .get_item(plumlogs::error::code::TRANSPORT_ERROR)?
            .ok_or_else(|| {
                pyo3::exceptions::PyRuntimeError::new_err("plumlogs._errors is broken")
            })?,
    };
    let description = e.to_string();
    let kw = PyDict::new(py);
    kw.set_item("description", &description)?;
    kw.set_item("kind", e.kind())?;
    if let Some(reason) = e.reason() {
        kw.set_item("reason", reason)?;
    }
    let at = match body {
        Some(b) => e.location_in(b),
        None => e.location(),
    };
    if let Some(at) = at {
        kw.set_item("line", at.line)?;
        kw.set_item("column", at.column)?;
        kw.set_item("offset", at.offset)?;
        kw.set_item("input", PyString::new(py, &at.input))?;
    }
    let message = match e.inner() {
        Error::InvalidArgument { field, .. } => {
            kw.set_item("field", field)?;
            description
        }
        Error::Api { .. } | Error::Auth { .. } => {
            kw.set_item("http_status", e.http_status())?;
            e.message().unwrap_or_default().to_owned()
        }
        Error::Incomplete {
            reported,
            received,
            message,
        } => {
            kw.set_item("reported", reported)?;
            kw.set_item("received", received)?;
            message.clone()
        }
        _ => match e.message() {
            Some(m) => m.to_owned(),
            None => description,
        },
    };
    let err = cls.call((message,), Some(&kw))?;
    if let Some(path) = e.path() {
        err.setattr("path", path)?;
    }
    Ok(err)
}

/// A `ParseError` instance (not raised): also the element type of `.problems`.
pub fn parse_error_instance<'py>(py: Python<'py>, e: &ParseError) -> PyResult<Bound<'py, PyAny>> {
    instance(py, &Error::Parse(e.clone()), None)
}

/// The mapping itself (see [`instance`]).
pub fn to_pyerr(py: Python<'_>, e: Error, body: Option<&[u8]>) -> PyErr {
    raise(instance(py, &e, body))
}

/// `InvalidArgument` for the argument `field`, for what the binding itself checks
/// (its types: the ranges are the core's).
pub fn invalid_argument(field: &str, reason: impl Into<String>) -> PyErr {
    PlumErr(Error::invalid_argument(field, reason)).into()
}

/// `PyResult` sugar for core results.
pub trait IntoPy<T> {
    /// The core's error as its Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| PlumErr(e).into())
    }
}
