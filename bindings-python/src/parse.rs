//! The parse functions: text in, records out, with the GIL released while Rust parses.

use crate::errors::{parse_error_instance, PlumErr};
use crate::records::{PyErrorRecord, PySessionRecord, RecordList, Rows};
use crate::store::{Builder, Store};
use plumlogs::ParseError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use std::sync::Arc;

/// The bytes of a `str` or `bytes` argument; anything else is a `TypeError` naming it.
pub fn text_bytes(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if let Ok(s) = arg.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned().into_bytes());
    }
    if let Ok(b) = arg.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be str or bytes, not {}",
        arg.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// What a bulk parse produced, before any Python object exists.
pub struct Parsed {
    pub base: Vec<u8>,
    pub extra: String,
    pub rows: Rows,
    pub problems: Vec<ParseError>,
}

#[derive(Clone, Copy)]
pub enum Grammar {
    Sessions,
    Errors,
    CallLog,
}

/// Parse `base` in Rust only (no Python calls: this runs with the GIL released).
/// Strict mode stops at the first bad line, which becomes the only problem.
pub fn parse_rows(base: Vec<u8>, grammar: Grammar, strict: bool) -> Parsed {
    let mut problems = Vec::new();
    let (extra, rows) = {
        let mut b = Builder::new(&base);
        let rows = match grammar {
            Grammar::Sessions => Rows::Sessions(collect(plumlogs::sessions(&base), strict, &mut problems, |r| b.session(&r))),
            Grammar::Errors => Rows::Errors(collect(plumlogs::errors(&base), strict, &mut problems, |r| b.error(&r))),
            Grammar::CallLog => Rows::Entries(collect(
                plumlogs::CallLogEntries::new(&base),
                strict,
                &mut problems,
                |r| b.entry(&r),
            )),
        };
        (b.extra, rows)
    };
    Parsed { base, extra, rows, problems }
}

fn collect<R, T>(
    it: impl Iterator<Item = Result<R, ParseError>>,
    strict: bool,
    problems: &mut Vec<ParseError>,
    mut row: impl FnMut(R) -> T,
) -> Arc<[T]> {
    let mut out = Vec::new();
    for item in it {
        match item {
            Ok(r) => out.push(row(r)),
            Err(e) => {
                problems.push(e);
                if strict {
                    break;
                }
            }
        }
    }
    out.into()
}

/// Parse a bulk text into a `RecordList` (strict) or a `ParseResult` (lenient).
pub fn bulk<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    strict: bool,
    grammar: Grammar,
) -> PyResult<Bound<'py, PyAny>> {
    let base = text_bytes(text, "text")?;
    let parsed = py.detach(move || parse_rows(base, grammar, strict));
    let Parsed { base, extra, rows, mut problems } = parsed;
    if strict {
        if let Some(e) = problems.pop() {
            return Err(PlumErr::from(e).into());
        }
    }
    let list = RecordList::new(Arc::new(Store::new(base, extra)), rows, None);
    if strict {
        return Ok(Bound::new(py, list)?.into_any());
    }
    let probs = PyList::empty(py);
    for p in &problems {
        probs.append(parse_error_instance(py, p)?)?;
    }
    Ok(Bound::new(py, ParseResult { records: Py::new(py, list)?, problems: probs.unbind() })?.into_any())
}

/// What `strict=False` returns: every good record and every problem, nothing dropped.
/// Iterating it (and `len()`) goes over the records.
#[pyclass(module = "plumlogs._native", name = "ParseResult", frozen)]
pub struct ParseResult {
    records: Py<RecordList>,
    problems: Py<PyList>,
}

#[pymethods]
impl ParseResult {
    /// The records of every line that parsed, in order.
    #[getter]
    fn records(&self, py: Python<'_>) -> Py<RecordList> {
        self.records.clone_ref(py)
    }
    /// A `ParseError` (not raised) for every line that did not parse, in order, with
    /// `.line`, `.column`, `.reason`, `.kind` and `.input` (the line itself).
    #[getter]
    fn problems(&self, py: Python<'_>) -> Py<PyList> {
        self.problems.clone_ref(py)
    }
    /// True when every non-blank line parsed.
    #[getter]
    fn ok(&self, py: Python<'_>) -> bool {
        self.problems.bind(py).is_empty()
    }
    fn __len__(&self) -> usize {
        self.records.get().rows.len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.records.bind(py).try_iter().map(|i| i.into_any())
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ParseResult({} {} records, {} problems)",
            self.records.get().rows.len(),
            self.records.bind(py).getattr("record_type").map(|t| t.to_string()).unwrap_or_default(),
            self.problems.bind(py).len()
        )
    }
    /// Arrow stream of the records (see `RecordList.__arrow_c_stream__`).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let r = self.records.get();
        let _ = requested_schema;
        crate::arrow::capsule(py, r.st.clone(), r.rows.clone())
    }
    /// `records.to_arrow()`.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.records.bind(py).call_method0("to_arrow")
    }
    /// `records.to_pandas()`.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.records.bind(py).call_method0("to_pandas")
    }
    /// `records.to_polars()`.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.records.bind(py).call_method0("to_polars")
    }
}

/// One line, parsed; `line` is `str` or `bytes`.
pub fn one_session(py: Python<'_>, line: &Bound<'_, PyAny>) -> PyResult<PySessionRecord> {
    let base = text_bytes(line, "line")?;
    let mut b = Builder::new(&base);
    let row = match plumlogs::parse_session_line(&base) {
        Ok(r) => b.session(&r),
        Err(e) => return Err(PlumErr::from(ParseError::from_line(e, strip(&base), 1, 0)).into()),
    };
    let extra = std::mem::take(&mut b.extra);
    let _ = py;
    Ok(PySessionRecord { st: Arc::new(Store::new(base, extra)), row })
}

pub fn one_error(py: Python<'_>, line: &Bound<'_, PyAny>) -> PyResult<PyErrorRecord> {
    let base = text_bytes(line, "line")?;
    let mut b = Builder::new(&base);
    let row = match plumlogs::parse_error_line(&base) {
        Ok(r) => b.error(&r),
        Err(e) => return Err(PlumErr::from(ParseError::from_line(e, strip(&base), 1, 0)).into()),
    };
    let extra = std::mem::take(&mut b.extra);
    let _ = py;
    Ok(PyErrorRecord { st: Arc::new(Store::new(base, extra)), row })
}

/// The line without its `\n` / `\r\n`, as the core parsers see it.
fn strip(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}
