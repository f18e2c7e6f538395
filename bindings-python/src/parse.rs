//! The parse functions: text in, records out, with the GIL released while Rust parses.

use crate::errors::{parse_error_instance, PlumErr};
use crate::records::{PyErrorRecord, PySessionRecord, RecordList, Rows};
use crate::store::{Builder, Store, Text};
use plumlogs::ParseError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString};
use std::sync::Arc;

/// The bytes of a `str` or `bytes` argument, read in place (a `str` is encoded to
/// UTF-8 once); anything else is a `TypeError` naming the argument.
pub fn text_bytes(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<Text> {
    if let Ok(s) = arg.cast::<PyString>() {
        return Ok(Text::from_bytes(&s.encode_utf8()?));
    }
    if let Ok(b) = arg.cast::<PyBytes>() {
        return Ok(Text::from_bytes(b));
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be str or bytes, not {}",
        arg.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// What a bulk parse produced, before any Python object exists.
pub struct Parsed {
    pub base: Text,
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

/// Texts at least this long are parsed on several threads (when there are cores).
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// Parse `base` in Rust only (no Python calls: this runs with the GIL released).
/// Strict mode stops at the first bad line, which becomes the only problem.
pub fn parse_rows(base: Text, grammar: Grammar, strict: bool) -> Parsed {
    if let Some(p) = parse_parallel(&base, grammar, strict) {
        let (rows, problems) = p;
        return Parsed { base, extra: String::new(), rows, problems };
    }
    let mut problems = Vec::new();
    let (extra, rows) = {
        let mut b = Builder::new(&base);
        let rows = parse_slice(&mut b, &base, grammar, strict, &mut problems);
        (b.extra, rows)
    };
    Parsed { base, extra, rows, problems }
}

fn parse_slice(b: &mut Builder<'_>, text: &[u8], grammar: Grammar, strict: bool, problems: &mut Vec<ParseError>) -> Rows {
    let lines = memchr::memchr_iter(b'\n', text).count() + 1;
    match grammar {
        Grammar::Sessions => Rows::Sessions(collect(plumlogs::sessions(text), lines, strict, problems, |r| b.session(&r))),
        Grammar::Errors => Rows::Errors(collect(plumlogs::errors(text), lines, strict, problems, |r| b.error(&r))),
        // Entries can span lines: the line count is only an upper bound here.
        Grammar::CallLog => Rows::Entries(collect(
            plumlogs::CallLogEntries::new(text),
            lines.min(1 << 16),
            strict,
            problems,
            |r| b.entry(&r),
        )),
    }
}

/// Session and error lines are independent, so a big text is cut at line ends into
/// one chunk per core. Chunks report line numbers and offsets from their own start;
/// they are moved back to the whole text here, so errors read exactly as in a
/// sequential parse (strict mode: the first bad line of the text wins).
/// `None` = parse sequentially (small text, one core, call logs, or a field that
/// needed its own storage).
fn parse_parallel(base: &[u8], grammar: Grammar, strict: bool) -> Option<(Rows, Vec<ParseError>)> {
    if base.len() < PARALLEL_MIN_BYTES || matches!(grammar, Grammar::CallLog) {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if cores < 2 {
        return None;
    }
    let mut bounds = vec![0];
    for k in 1..cores {
        let guess = (base.len() * k / cores).max(*bounds.last().unwrap());
        match memchr::memchr(b'\n', &base[guess..]) {
            Some(n) if guess + n + 1 < base.len() => bounds.push(guess + n + 1),
            _ => break,
        }
    }
    bounds.push(base.len());
    bounds.dedup();
    fn sessions(t: &[u8]) -> plumlogs::bulk::Records<'_, plumlogs::SessionRecord<'_>> {
        plumlogs::sessions(t)
    }
    fn errors(t: &[u8]) -> plumlogs::bulk::Records<'_, plumlogs::ErrorRecord<'_>> {
        plumlogs::errors(t)
    }
    match grammar {
        Grammar::Sessions => parallel(base, &bounds, strict, sessions, |b, r| b.session(r))
            .map(|(v, p)| (Rows::Sessions(Arc::new(v)), p)),
        Grammar::Errors => {
            parallel(base, &bounds, strict, errors, |b, r| b.error(r)).map(|(v, p)| (Rows::Errors(Arc::new(v)), p))
        }
        Grammar::CallLog => None,
    }
}

/// Parse the chunks `bounds` of `base` on one thread each, every thread writing its
/// rows straight into its own stretch of one allocation (sized by the chunk's line
/// count, an upper bound), then close the gaps left by blank or bad lines.
fn parallel<'a, T, R, I>(
    base: &'a [u8],
    bounds: &[usize],
    strict: bool,
    iter: fn(&'a [u8]) -> I,
    row: fn(&mut Builder<'a>, &R) -> T,
) -> Option<(Vec<T>, Vec<ParseError>)>
where
    T: Copy + Send,
    I: Iterator<Item = Result<R, ParseError>>,
{
    // Lines per chunk: its newlines, plus one for a last line without a newline. Every
    // chunk but the last ends with one, so the stretches meet without a gap and
    // nothing has to move below unless a line is blank or bad.
    let newlines: Vec<usize> =
        bounds.windows(2).map(|w| memchr::memchr_iter(b'\n', &base[w[0]..w[1]]).count()).collect();
    let counts: Vec<usize> = bounds
        .windows(2)
        .zip(&newlines)
        .map(|(w, &nl)| nl + usize::from(w[1] > w[0] && base[w[1] - 1] != b'\n'))
        .collect();
    let total: usize = counts.iter().sum();
    let mut out: Vec<T> = Vec::with_capacity(total);
    let results: Vec<(usize, Vec<ParseError>, bool)> = {
        let mut spare = &mut out.spare_capacity_mut()[..total];
        let mut slices = Vec::with_capacity(counts.len());
        for &c in &counts {
            let (mine, rest) = spare.split_at_mut(c);
            slices.push(mine);
            spare = rest;
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = slices
                .into_iter()
                .zip(bounds.windows(2))
                .map(|(slots, w)| {
                    let (lo, hi) = (w[0], w[1]);
                    scope.spawn(move || {
                        let mut b = Builder::new(base);
                        let mut problems = Vec::new();
                        let (mut n, mut fits) = (0, true);
                        for item in iter(&base[lo..hi]) {
                            match item {
                                Ok(r) if n < slots.len() => {
                                    slots[n].write(row(&mut b, &r));
                                    n += 1;
                                }
                                // Cannot happen (a record takes at least one line); if it
                                // did, the sequential parse is the answer.
                                Ok(_) => {
                                    fits = false;
                                    break;
                                }
                                Err(e) => {
                                    problems.push(e);
                                    if strict {
                                        break;
                                    }
                                }
                            }
                        }
                        (n, problems, fits && b.extra.is_empty())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a parse thread panicked")).collect()
        })
    };
    if results.iter().any(|r| !r.2) {
        return None;
    }
    let (mut filled, mut start, mut line_base) = (0, 0, 0);
    let mut problems = Vec::new();
    for (k, (n, probs, _)) in results.into_iter().enumerate() {
        if start != filled {
            // SAFETY: slots start..start+n were written by chunk k; moving them down to
            // `filled` (<= start) keeps 0..filled+n initialised. T is Copy: no drops.
            unsafe {
                let p = out.as_mut_ptr();
                std::ptr::copy(p.add(start), p.add(filled), n);
            }
        }
        filled += n;
        start += counts[k];
        for mut p in probs {
            p.line += line_base;
            p.offset += bounds[k];
            problems.push(p);
        }
        line_base += newlines[k];
        if strict && !problems.is_empty() {
            problems.truncate(1);
            break;
        }
    }
    // SAFETY: 0..filled is initialised (see above) and within the capacity.
    unsafe { out.set_len(filled) };
    Some((out, problems))
}

fn collect<R, T>(
    it: impl Iterator<Item = Result<R, ParseError>>,
    lines: usize,
    strict: bool,
    problems: &mut Vec<ParseError>,
    mut row: impl FnMut(R) -> T,
) -> Arc<Vec<T>> {
    // One allocation, sized by the line count (a fast SIMD count), not log2(n) regrowths.
    let mut out = Vec::with_capacity(lines);
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
    Arc::new(out)
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
    if strict && let Some(e) = problems.pop() {
        return Err(PlumErr::from(e).into());
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
    Ok(PySessionRecord { st: Arc::new(Store::new(base, extra)), rows: Arc::new(vec![row]), i: 0 })
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
    Ok(PyErrorRecord { st: Arc::new(Store::new(base, extra)), rows: Arc::new(vec![row]), i: 0 })
}

/// The line without its `\n` / `\r\n`, as the core parsers see it.
fn strip(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}
