//! The parse functions: text in, records out, with the GIL released while Rust parses.

use crate::columns::{EntryCols, ErrorCols, SessionCols};
use crate::errors::{PlumErr, parse_error_instance};
use crate::record_list::RecordList;
use crate::records::{PyErrorRecord, PySessionRecord};
use crate::rows::{At, Rows};
use crate::store::{Columns, MAX_FIELD, Part, Store, Table, Text, Views};
use plumlogs::{Chunking, Format, LineError, ParseError, TextRecord};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use std::sync::Arc;

/// The bytes of a `str` or `bytes` argument, read in place (an ASCII `str` is not
/// even copied); anything else is a `TypeError` naming the argument.
pub fn text_bytes(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<Text> {
    if let Ok(s) = arg.cast::<PyString>() {
        return Text::from_str(s);
    }
    if let Ok(b) = arg.cast::<PyBytes>() {
        return Ok(Text::from_bytes(b));
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be str or bytes, not {}",
        arg.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// A field too long for a string view: an `InvalidArgument`, never a truncation.
pub fn too_long(len: usize) -> PyErr {
    crate::errors::invalid_argument(
        "text",
        format!(
            "a field of {len} bytes is longer than the {MAX_FIELD} bytes one record field can hold"
        ),
    )
}

/// The columns `records` writes (views into `base`, or built text) as a one-part
/// table whose store owns `base`.
pub fn table_of<C: Columns>(
    base: Text,
    records: impl FnOnce(&[u8], &mut Views<'_>) -> C,
) -> PyResult<Table<C>> {
    let (cols, extra) = {
        let mut v = Views::new(&base);
        let cols = records(&base, &mut v);
        (cols, v.finish())
    };
    let extra = extra.map_err(too_long)?;
    Ok(Table::single(Arc::new(Store::new(base, extra)), cols))
}

/// `records` (a slice of core records, or core's packed `Records`) as columns
/// (their views made by `v`).
pub fn fill<'r, C: Columns, R: std::borrow::Borrow<C::Record<'r>>>(
    v: &mut Views<'_>,
    records: impl IntoIterator<Item = R, IntoIter: ExactSizeIterator>,
) -> C {
    let records = records.into_iter();
    let mut cols = C::with_capacity(records.len());
    for r in records {
        cols.push_record(v, r.borrow());
    }
    cols
}

/// What a bulk parse produced, before any Python object exists.
pub struct Parsed {
    pub rows: Rows,
    pub problems: Vec<ParseError>,
}

/// Parse `base` in Rust only (no Python objects: this runs with the GIL released),
/// with core's chunked parse: a big text is cut at line ends and parsed by one
/// worker per core, each chunk straight into columns of its own, which become the
/// parts of one table (never copied together). Strict mode stops at the first bad
/// line, which becomes the only problem.
pub fn parse_rows(base: Text, format: Format, strict: bool) -> PyResult<Parsed> {
    let lines = |n: usize| n;
    Ok(match format {
        Format::Sessions => {
            let (table, problems) = chunked::<SessionCols>(base, strict, lines)?;
            Parsed {
                rows: Rows::Sessions(Arc::new(table)),
                problems,
            }
        }
        Format::Errors => {
            let (table, problems) = chunked::<ErrorCols>(base, strict, lines)?;
            Parsed {
                rows: Rows::Errors(Arc::new(table)),
                problems,
            }
        }
        // Entries can span lines: a chunk's line count only bounds its entries.
        Format::CallLog => {
            let (table, problems) = chunked::<EntryCols>(base, strict, |n| n.min(1 << 16))?;
            Parsed {
                rows: Rows::Entries(Arc::new(table)),
                problems,
            }
        }
    })
}

/// The records of `base` as a table of `C` columns: one part per chunk, all
/// pointing into `base`. Built text (fields the parser had to make, such as
/// unescaped ones) lives in the one store of the table, whose views number its
/// buffers from one `Views`: so a text that needed any, in more than one chunk, is
/// parsed again as one chunk.
fn chunked<C>(
    base: Text,
    strict: bool,
    rows: fn(usize) -> usize,
) -> PyResult<(Table<C>, Vec<ParseError>)>
where
    C: Columns,
    for<'a> C::Record<'a>: TextRecord<'a>,
{
    let mut chunking = Chunking::default();
    loop {
        let (cols, problems, extra) = parse_into::<C>(&base, strict, &chunking, rows);
        let single = cols.len() <= 1;
        match extra {
            Ok(extra) if single || extra.is_empty() => {
                let st = Arc::new(Store::new(base, extra));
                let parts = cols
                    .into_iter()
                    .map(|c| Part {
                        st: st.clone(),
                        cols: Arc::new(c),
                    })
                    .collect();
                return Ok((Table::new(parts), problems));
            }
            Err(n) if single => return Err(too_long(n)),
            _ => chunking.workers = 1,
        }
    }
}

/// Core's chunked parse into `C` columns; also the built text of every chunk
/// (all of it, when there is one chunk), or a too-long field's length.
#[allow(clippy::type_complexity)]
fn parse_into<C>(
    base: &[u8],
    strict: bool,
    chunking: &Chunking,
    rows: fn(usize) -> usize,
) -> (Vec<C>, Vec<ParseError>, Result<Vec<Vec<u8>>, usize>)
where
    C: Columns,
    for<'a> C::Record<'a>: TextRecord<'a>,
{
    let done = plumlogs::parse_chunked::<C::Record<'_>, _, _, _>(
        base,
        strict,
        chunking,
        |p| (Views::new(base), C::with_capacity(rows(p.lines))),
        |(v, c), r| c.push_record(v, &r),
    );
    let mut extra = Ok(Vec::new());
    let mut cols = Vec::with_capacity(done.parts.len());
    for (v, c) in done.parts {
        match (v.finish(), &mut extra) {
            (Ok(built), Ok(all)) => all.extend(built),
            (Err(n), e @ Ok(_)) => *e = Err(n),
            (_, Err(_)) => {}
        }
        cols.push(c);
    }
    (cols, done.problems, extra)
}

/// Parse a bulk text into a `RecordList` (strict) or a `ParseResult` (lenient);
/// `path` names the file it came from, if any, in every error and problem (core's
/// `Error::File`). The inputs it is read from are `inputs.rs`'s.
pub fn bulk_text<'py>(
    py: Python<'py>,
    base: Text,
    strict: bool,
    format: Format,
    path: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let Parsed { rows, mut problems } = py.detach(move || parse_rows(base, format, strict))?;
    if strict && let Some(e) = problems.pop() {
        return Err(PlumErr(plumlogs::Error::Parse(e).in_file(path)).into());
    }
    let list = RecordList::new(rows, None);
    if strict {
        return Ok(Bound::new(py, list)?.into_any());
    }
    let probs = PyList::empty(py);
    for p in &problems {
        probs.append(match path {
            None => parse_error_instance(py, p)?,
            Some(_) => {
                crate::errors::instance(py, &plumlogs::Error::Parse(p.clone()).in_file(path), None)?
            }
        })?;
    }
    Ok(Bound::new(
        py,
        ParseResult {
            records: Py::new(py, list)?,
            problems: probs.unbind(),
        },
    )?
    .into_any())
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
    /// `.line`, `.column`, `.reason`, `.kind` and `.input` (the line itself, or a
    /// bounded excerpt around the column of a long one).
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
            self.records
                .bind(py)
                .getattr("record_type")
                .map(|t| t.to_string())
                .unwrap_or_default(),
            self.problems.bind(py).len()
        )
    }
    /// Counts, the first problems and the first records as HTML (notebooks), bounded.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        crate::record_list::display(slf.py(), "result_html", slf.as_any())
    }
    /// Arrow stream of the records (see `RecordList.__arrow_c_stream__`).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let r = self.records.get();
        crate::arrow::capsule(py, r.rows.clone(), requested_schema.as_ref())
    }
    /// `records.to_arrow()`.
    #[pyo3(signature = (*, derived = false, lines = None, tz = None))]
    fn to_arrow<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::record_list::frame_exit(self.records.bind(py), "to_arrow", derived, lines, tz)
    }
    /// `records.to_pandas()`.
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_pandas<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::record_list::frame_exit(self.records.bind(py), "to_pandas", derived, lines, tz)
    }
    /// `records.to_polars()`.
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_polars<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::record_list::frame_exit(self.records.bind(py), "to_polars", derived, lines, tz)
    }
}

/// One line (`str` or `bytes`) as a one-row table, or the line's `ParseError`.
fn one_line<C: Columns>(
    line: &Bound<'_, PyAny>,
    parse_into: impl FnOnce(&[u8], &mut Views<'_>, &mut C) -> Result<(), LineError>,
) -> PyResult<Arc<Table<C>>> {
    let mut failed = None;
    let table = table_of(text_bytes(line, "line")?, |t, v| {
        let mut cols = C::with_capacity(1);
        if let Err(e) = parse_into(t, v, &mut cols) {
            failed = Some(ParseError::from_line(
                e,
                plumlogs::lines::strip_line_end(t),
                1,
                0,
            ));
        }
        cols
    })?;
    match failed {
        Some(e) => Err(PlumErr::from(e).into()),
        None => Ok(Arc::new(table)),
    }
}

/// One session line, parsed.
pub fn one_session(line: &Bound<'_, PyAny>) -> PyResult<PySessionRecord> {
    let table = one_line(line, |t, v, c: &mut SessionCols| {
        plumlogs::parse_session_line(t).map(|r| c.push(v, &r))
    })?;
    Ok(PySessionRecord {
        at: At::new(table, 0),
    })
}

/// One error line, parsed.
pub fn one_error(line: &Bound<'_, PyAny>) -> PyResult<PyErrorRecord> {
    let table = one_line(line, |t, v, c: &mut ErrorCols| {
        plumlogs::parse_error_line(t).map(|r| c.push(v, &r))
    })?;
    Ok(PyErrorRecord {
        at: At::new(table, 0),
    })
}
