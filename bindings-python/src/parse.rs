//! The parse functions: text in, records out, with the GIL released while Rust parses.

use crate::columns::{ErrorCols, SessionCols};
use crate::errors::{PlumErr, parse_error_instance};
use crate::records::{At, PyErrorRecord, PySessionRecord, RecordList, Rows};
use crate::store::{Columns, MAX_FIELD, Part, Store, Table, Text, Views};
use plumlogs::{LineError, ParseError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// `records` as columns (their views made by `v`).
pub fn fill<C: Columns>(v: &mut Views<'_>, records: &[C::Record<'_>]) -> C {
    let mut cols = C::with_capacity(records.len());
    for r in records {
        cols.push_record(v, r);
    }
    cols
}

/// What a bulk parse produced, before any Python object exists.
pub struct Parsed {
    pub rows: Rows,
    pub problems: Vec<ParseError>,
}

#[derive(Clone, Copy)]
pub enum Grammar {
    Sessions,
    Errors,
    CallLog,
}

/// Texts at least this long are parsed on several threads (when there are cores).
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// Parse `base` in Rust only (no Python objects: this runs with the GIL released).
/// Strict mode stops at the first bad line, which becomes the only problem.
pub fn parse_rows(base: Text, grammar: Grammar, strict: bool) -> PyResult<Parsed> {
    if let Some(parsed) = parse_parallel(&base, grammar, strict) {
        let (parts, problems) = parsed;
        let st = Arc::new(Store::new(base, Vec::new()));
        let rows = match parts {
            Chunks::Sessions(c) => Rows::Sessions(Arc::new(Table::new(parts_of(&st, c)))),
            Chunks::Errors(c) => Rows::Errors(Arc::new(Table::new(parts_of(&st, c)))),
        };
        return Ok(Parsed { rows, problems });
    }
    let mut problems = Vec::new();
    let lines = memchr::memchr_iter(b'\n', &base).count() + 1;
    let rows = match grammar {
        Grammar::Sessions => Rows::Sessions(Arc::new(table_of(base, |t, v| {
            collect(plumlogs::sessions(t), v, lines, strict, &mut problems)
        })?)),
        Grammar::Errors => Rows::Errors(Arc::new(table_of(base, |t, v| {
            collect(plumlogs::errors(t), v, lines, strict, &mut problems)
        })?)),
        // Entries can span lines: the line count is only an upper bound here.
        Grammar::CallLog => Rows::Entries(Arc::new(table_of(base, |t, v| {
            collect(
                plumlogs::CallLogEntries::new(t),
                v,
                lines.min(1 << 16),
                strict,
                &mut problems,
            )
        })?)),
    };
    Ok(Parsed { rows, problems })
}

fn parts_of<C>(st: &Arc<Store>, chunks: Vec<C>) -> Vec<Part<C>> {
    chunks
        .into_iter()
        .map(|c| Part {
            st: st.clone(),
            cols: Arc::new(c),
        })
        .collect()
}

/// The columns each parse thread wrote, in text order.
enum Chunks {
    Sessions(Vec<SessionCols>),
    Errors(Vec<ErrorCols>),
}

/// Session and error lines are independent, so a big text is cut at line ends into
/// chunks, parsed by one worker per core (the calling thread among them), each chunk
/// into columns of its own: the chunks become the parts of one table, never copied
/// together. Chunks report line numbers and offsets from their own start; they are
/// moved back to the whole text here, so errors read exactly as in a sequential
/// parse (strict mode: the first bad line of the text wins). `None` = parse
/// sequentially (small text, one core, call logs, or a field that needed building
/// or was too long).
fn parse_parallel(
    base: &[u8],
    grammar: Grammar,
    strict: bool,
) -> Option<(Chunks, Vec<ParseError>)> {
    if base.len() < PARALLEL_MIN_BYTES || matches!(grammar, Grammar::CallLog) {
        return None;
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if workers < 2 {
        return None;
    }
    let pieces = workers * CHUNKS_PER_WORKER;
    let mut bounds = vec![0];
    for k in 1..pieces {
        let guess = (base.len() * k / pieces).max(*bounds.last().unwrap());
        match memchr::memchr(b'\n', &base[guess..]) {
            Some(n) if guess + n + 1 < base.len() => bounds.push(guess + n + 1),
            _ => break,
        }
    }
    bounds.push(base.len());
    bounds.dedup();
    match grammar {
        Grammar::Sessions => parallel(base, &bounds, workers, strict, plumlogs::sessions::<[u8]>)
            .map(|(c, p)| (Chunks::Sessions(c), p)),
        Grammar::Errors => parallel(base, &bounds, workers, strict, plumlogs::errors::<[u8]>)
            .map(|(c, p)| (Chunks::Errors(c), p)),
        Grammar::CallLog => None,
    }
}

/// Chunks per worker. Workers take the next chunk as they finish one, so on a
/// shared machine a worker whose core is taken away holds the others up by one
/// small chunk, not by half the text.
const CHUNKS_PER_WORKER: usize = 4;

/// What a worker made of one chunk.
struct Chunk<C> {
    index: usize,
    cols: C,
    problems: Vec<ParseError>,
    newlines: usize,
    /// Every view points into the input (no built text, no field too long).
    plain: bool,
}

/// Parse the chunks `bounds` of `base` on `workers` threads, each chunk into its own
/// columns (sized by the chunk's line count, an upper bound: no regrowth).
fn parallel<'a, C, I>(
    base: &'a [u8],
    bounds: &[usize],
    workers: usize,
    strict: bool,
    iter: fn(&'a [u8]) -> I,
) -> Option<(Vec<C>, Vec<ParseError>)>
where
    C: Columns,
    I: Iterator<Item = Result<C::Record<'a>, ParseError>>,
{
    let chunks = bounds.len() - 1;
    let next = AtomicUsize::new(0);
    // Strict mode: chunks after one with a bad line cannot matter.
    let first_bad = AtomicUsize::new(usize::MAX);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= chunks || k > first_bad.load(Ordering::Relaxed) {
                return done;
            }
            let text = &base[bounds[k]..bounds[k + 1]];
            let newlines = memchr::memchr_iter(b'\n', text).count();
            let mut v = Views::new(base);
            let mut problems = Vec::new();
            let cols = collect(iter(text), &mut v, newlines + 1, strict, &mut problems);
            if strict && !problems.is_empty() {
                first_bad.fetch_min(k, Ordering::Relaxed);
            }
            // Views into the input only: built text would need one shared store.
            let plain = !v.built_any() && v.finish().is_ok();
            done.push(Chunk {
                index: k,
                cols,
                problems,
                newlines,
                plain,
            });
        }
    };
    let mut done: Vec<Chunk<C>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().expect("a parse thread panicked"));
        }
        done
    });
    if done.iter().any(|c| !c.plain) {
        return None;
    }
    done.sort_unstable_by_key(|c| c.index);
    let mut line_base = 0;
    let mut parts = Vec::with_capacity(done.len());
    let mut problems = Vec::new();
    for (k, chunk) in done.into_iter().enumerate() {
        // In strict mode chunks after the first bad one may be missing: stop there.
        if chunk.index != k {
            break;
        }
        parts.push(chunk.cols);
        for mut p in chunk.problems {
            p.line += line_base;
            p.offset += bounds[k];
            problems.push(p);
        }
        line_base += chunk.newlines;
        if strict && !problems.is_empty() {
            problems.truncate(1);
            break;
        }
    }
    Some((parts, problems))
}

/// The records of `it` into new columns (room for `rows`); bad ones into
/// `problems`, stopping at the first in strict mode. Inlined: it is the parse loop
/// of every worker, and a call boundary here measured 4 % more CPU per line.
#[inline(always)]
fn collect<'a, C: Columns>(
    it: impl Iterator<Item = Result<C::Record<'a>, ParseError>>,
    v: &mut Views<'_>,
    rows: usize,
    strict: bool,
    problems: &mut Vec<ParseError>,
) -> C {
    let mut cols = C::with_capacity(rows);
    for item in it {
        match item {
            Ok(r) => cols.push_record(v, &r),
            Err(e) => {
                problems.push(e);
                if strict {
                    break;
                }
            }
        }
    }
    cols
}

/// Parse a bulk text into a `RecordList` (strict) or a `ParseResult` (lenient).
pub fn bulk<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    strict: bool,
    grammar: Grammar,
) -> PyResult<Bound<'py, PyAny>> {
    let base = text_bytes(text, "text")?;
    let Parsed { rows, mut problems } = py.detach(move || parse_rows(base, grammar, strict))?;
    if strict && let Some(e) = problems.pop() {
        return Err(PlumErr::from(e).into());
    }
    let list = RecordList::new(rows, None);
    if strict {
        return Ok(Bound::new(py, list)?.into_any());
    }
    let probs = PyList::empty(py);
    for p in &problems {
        probs.append(parse_error_instance(py, p)?)?;
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
            self.records
                .bind(py)
                .getattr("record_type")
                .map(|t| t.to_string())
                .unwrap_or_default(),
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
        crate::arrow::capsule(py, r.rows.clone(), requested_schema.as_ref())
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

/// One line (`str` or `bytes`) as a one-row table, or the line's `ParseError`.
fn one_line<C: Columns>(
    line: &Bound<'_, PyAny>,
    parse_into: impl FnOnce(&[u8], &mut Views<'_>, &mut C) -> Result<(), LineError>,
) -> PyResult<Arc<Table<C>>> {
    let mut failed = None;
    let table = table_of(text_bytes(line, "line")?, |t, v| {
        let mut cols = C::with_capacity(1);
        if let Err(e) = parse_into(t, v, &mut cols) {
            failed = Some(ParseError::from_line(e, strip(t), 1, 0));
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

/// The line without its `\n` / `\r\n`, as the core parsers see it.
fn strip(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}
