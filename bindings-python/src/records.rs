//! The record classes and the list-like result of a bulk parse.
//!
//! A record object is an `Arc` of the shared columns plus a row index; attribute
//! values are built when read. A `RecordList` holds columns only and makes record
//! objects on access, so `to_arrow()` never creates a Python object per record.

use crate::arrow;
use crate::columns::{EntryCols, ErrorCols, SessionCols, SummaryCols};
use crate::store::{Columns, Store, Table, View};
use crate::time::datetime;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyList, PySlice, PyString, PyType};
use serde::Serialize;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static PARTS_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static FRAMES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
static CHAIN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `to_dict()` is the canonical JSON of surface.md, field for field: the core's own
/// serialiser writes it and `json.loads` reads it back.
fn canonical_dict<'py>(py: Python<'py>, rec: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_string(rec)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    let loads = JSON_LOADS.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.bind(py).call1((json,))
}

fn hash_of(rec: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    rec.hash(&mut h);
    h.finish()
}

/// `SessionIdParts(server, channel, start)`, or `None` if the id does not split.
pub fn parts<'py>(py: Python<'py>, sid: &str) -> PyResult<Bound<'py, PyAny>> {
    let id = plumlogs::SessionId(std::borrow::Cow::Borrowed(sid));
    match id.parts() {
        Ok(p) => PARTS_CLASS
            .import(py, "plumlogs._types", "SessionIdParts")?
            .call1((p.server, p.channel, p.start)),
        Err(_) => Ok(py.None().into_bound(py)),
    }
}

pub fn frames(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(FRAMES
        .get_or_try_init(py, || -> PyResult<_> {
            Ok(py.import("plumlogs._frames")?.unbind())
        })?
        .bind(py))
}

/// `name='value', ...` with Python's own string quoting.
struct Repr<'py> {
    py: Python<'py>,
    out: String,
}

impl<'py> Repr<'py> {
    fn new(py: Python<'py>, class: &str) -> Self {
        Repr {
            py,
            out: format!("{class}("),
        }
    }
    fn sep(&mut self) {
        if !self.out.ends_with('(') {
            self.out.push_str(", ");
        }
    }
    fn s(&mut self, name: &str, v: &str) -> PyResult<()> {
        self.sep();
        let r = PyString::new(self.py, v).repr()?;
        self.out.push_str(name);
        self.out.push('=');
        self.out.push_str(&r.to_cow()?);
        Ok(())
    }
    fn n(&mut self, name: &str, v: impl std::fmt::Display) {
        self.sep();
        self.out.push_str(&format!("{name}={v}"));
    }
    fn done(mut self) -> String {
        self.out.push(')');
        self.out
    }
}

/// One `#[pymethods]` block per class: the shared methods plus the class's own.
macro_rules! record_methods {
    ($ty:ident { $($own:tt)* }) => {
        #[pymethods]
        impl $ty {
            $($own)*

            /// The record as the canonical JSON object of surface.md (timestamp as an
            /// ISO 8601 string with the line's own offset).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                canonical_dict(py, &self.at.record())
            }
            fn __eq__(&self, other: &Self) -> bool {
                self.at.record() == other.at.record()
            }
            fn __hash__(&self) -> u64 {
                hash_of(&self.at.record())
            }
            /// `SessionIdParts(server, channel, start)` of `session_id`.
            #[getter]
            fn session_id_parts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                parts(py, self.at.text(|c| &c.sid))
            }
            /// The raw session id `serverid;channel;starttime`, leading zeros kept.
            #[getter]
            fn session_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
                PyString::new(py, self.at.text(|c| &c.sid))
            }
        }
    };
}

/// One session log line.
#[pyclass(module = "plumlogs._native", name = "SessionRecord", frozen)]
pub struct PySessionRecord {
    pub at: At<SessionCols>,
}

impl PySessionRecord {
    /// A call column's value, `None` on a `local` line.
    fn call<T: Copy>(&self, col: fn(&SessionCols) -> &Vec<T>) -> Option<T> {
        self.at.get(|c| &c.is_call).then(|| self.at.get(col))
    }
    /// A tag column's text, `None` on a call line.
    fn tag(&self, col: fn(&SessionCols) -> &Vec<View>) -> Option<&str> {
        (!self.at.get(|c| &c.is_call)).then(|| self.at.text(col))
    }
}
record_methods!(PySessionRecord {
    /// `inbound`, `outbound`, `transfer`, `local`, or another lowercase word as written.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.kind))
    }
    /// The calling number (for outbound calls, the dialled number).
    #[getter]
    fn ani<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.ani))
    }
    /// The hardware channel number.
    #[getter]
    fn channel(&self) -> u32 {
        self.at.get(|c| &c.channel)
    }
    /// An aware `datetime` at the line's own UTC offset (naive when the zone is unknown).
    #[getter]
    fn timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, &self.at.get(|c| &c.ts))
    }
    /// The called number (for outbound calls, the login that placed the call).
    #[getter]
    fn dnis<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.dnis))
    }
    /// Call start, UNIX seconds (`None` on `local` lines).
    #[getter]
    fn call_start(&self) -> Option<i64> {
        self.call(|c| &c.start)
    }
    /// Call end, UNIX seconds (`None` on `local` lines).
    #[getter]
    fn call_end(&self) -> Option<i64> {
        self.call(|c| &c.end)
    }
    /// The call length in seconds, as written (`None` on `local` lines).
    #[getter]
    fn duration(&self) -> Option<u64> {
        self.call(|c| &c.duration)
    }
    /// The `<log>` tag's label, or `fetchurl` (`None` on call lines).
    #[getter]
    fn label<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        self.tag(|c| &c.label).map(|s| PyString::new(py, s))
    }
    /// The message, the rest of the line as written.
    #[getter]
    fn message<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        self.tag(|c| &c.message).map(|s| PyString::new(py, s))
    }
    /// The line in the service's own format.
    fn __str__(&self) -> String {
        self.at.record().to_string()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = self.at.record();
        let mut o = Repr::new(py, "SessionRecord");
        o.s("kind", &r.kind)?;
        o.s("ani", &r.ani)?;
        o.n("channel", r.channel);
        o.s("timestamp", &r.timestamp.to_string())?;
        o.s("dnis", &r.dnis)?;
        o.s("session_id", r.session_id.as_str())?;
        match (r.call_start(), r.call_end(), r.duration()) {
            (Some(start), Some(end), Some(duration)) => {
                o.n("call_start", start);
                o.n("call_end", end);
                o.n("duration", duration);
            }
            _ => {
                o.s("label", r.label().unwrap_or(""))?;
                o.s("message", r.message().unwrap_or(""))?;
            }
        }
        Ok(o.done())
    }
});

/// One error log line.
#[pyclass(module = "plumlogs._native", name = "ErrorRecord", frozen)]
pub struct PyErrorRecord {
    pub at: At<ErrorCols>,
}
record_methods!(PyErrorRecord {
    /// The calling number (for outbound calls, the dialled number).
    #[getter]
    fn ani<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.ani))
    }
    /// The hardware channel number.
    #[getter]
    fn channel(&self) -> u32 {
        self.at.get(|c| &c.channel)
    }
    /// An aware `datetime` at the line's own UTC offset (naive when the zone is unknown).
    #[getter]
    fn timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, &self.at.get(|c| &c.ts))
    }
    /// The called number (for outbound calls, the login that placed the call).
    #[getter]
    fn dnis<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.dnis))
    }
    /// The message, the rest of the line as written.
    #[getter]
    fn message<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.message))
    }
    fn __str__(&self) -> String {
        self.at.record().to_string()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = self.at.record();
        let mut o = Repr::new(py, "ErrorRecord");
        o.s("ani", &r.ani)?;
        o.n("channel", r.channel);
        o.s("timestamp", &r.timestamp.to_string())?;
        o.s("dnis", &r.dnis)?;
        o.s("session_id", r.session_id.as_str())?;
        o.s("message", &r.message)?;
        Ok(o.done())
    }
});

/// One entry of a call log.
#[pyclass(module = "plumlogs._native", name = "CallLogEntry", frozen)]
pub struct PyCallLogEntry {
    pub at: At<EntryCols>,
}
record_methods!(PyCallLogEntry {
    /// An aware `datetime` at the line's own UTC offset (naive when the zone is unknown).
    #[getter]
    fn timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, &self.at.get(|c| &c.ts))
    }
    /// The time-zone abbreviation as written, e.g. `EDT`.
    #[getter]
    fn zone<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.zone))
    }
    /// The module, e.g. `tel`.
    #[getter]
    fn module<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.module))
    }
    /// The entry type, e.g. `EVENT`.
    #[getter]
    fn level<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.level))
    }
    /// The message, the rest of the line as written.
    #[getter]
    fn message<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.message))
    }
    fn __str__(&self) -> String {
        self.at.record().to_string()
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = self.at.record();
        let mut o = Repr::new(py, "CallLogEntry");
        o.s("timestamp", &r.timestamp.to_string())?;
        o.s("zone", &r.zone)?;
        o.s("module", &r.module)?;
        o.s("session_id", r.session_id.as_str())?;
        o.s("level", &r.level)?;
        o.s("message", &r.message)?;
        Ok(o.done())
    }
});

/// One item of the `calls/logs` listing.
#[pyclass(module = "plumlogs._native", name = "CallSummary", frozen)]
pub struct PyCallSummary {
    pub at: At<SummaryCols>,
}
record_methods!(PyCallSummary {
    /// The id to fetch the detailed log with (`Client.call_log`).
    #[getter]
    fn log_id(&self) -> u64 {
        self.at.get(|c| &c.log_id)
    }
    /// The called number.
    #[getter]
    fn dest<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.dest))
    }
    /// The call type (`type` in the canonical JSON; `type` is a Python builtin).
    #[getter(r#type)]
    fn call_type<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.call_type))
    }
    /// The calling number.
    #[getter]
    fn src<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.at.text(|c| &c.src))
    }
    /// Call start, UNIX seconds.
    #[getter]
    fn start(&self) -> i64 {
        self.at.get(|c| &c.start)
    }
    /// Call end, UNIX seconds.
    #[getter]
    fn end(&self) -> i64 {
        self.at.get(|c| &c.end)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = self.at.record();
        let mut o = Repr::new(py, "CallSummary");
        o.n("log_id", r.log_id);
        o.s("session_id", r.session_id.as_str())?;
        o.s("dest", &r.dest)?;
        o.s("type", &r.call_type)?;
        o.s("src", &r.src)?;
        o.n("start", r.start);
        o.n("end", r.end);
        Ok(o.done())
    }
});

/// One row of a table: what a record object holds (the table is shared).
pub struct At<C> {
    t: Arc<Table<C>>,
    part: usize,
    i: usize,
}

impl<C: Columns> At<C> {
    pub fn new(t: Arc<Table<C>>, i: usize) -> Self {
        let (part, i) = t.locate(i);
        At { t, part, i }
    }
    #[inline]
    fn st(&self) -> &Store {
        &self.t.parts[self.part].st
    }
    #[inline]
    fn cols(&self) -> &C {
        &self.t.parts[self.part].cols
    }
    /// A number column's value.
    #[inline]
    fn get<T: Copy>(&self, col: fn(&C) -> &Vec<T>) -> T {
        col(self.cols())[self.i]
    }
    /// A text column's value.
    #[inline]
    fn text(&self, col: fn(&C) -> &Vec<View>) -> &str {
        self.st().get(&col(self.cols())[self.i])
    }
}

impl<C: Columns> At<C> {
    fn record(&self) -> C::Record<'_> {
        self.cols().record(self.st(), self.i)
    }
}

/// The rows of one result, all of one record type.
#[derive(Clone)]
pub enum Rows {
    Sessions(Arc<Table<SessionCols>>),
    Errors(Arc<Table<ErrorCols>>),
    Entries(Arc<Table<EntryCols>>),
    Summaries(Arc<Table<SummaryCols>>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Sessions(r) => r.len(),
            Rows::Errors(r) => r.len(),
            Rows::Entries(r) => r.len(),
            Rows::Summaries(r) => r.len(),
        }
    }
    pub fn pick(&self, idx: impl Iterator<Item = usize>) -> Rows {
        match self {
            Rows::Sessions(r) => Rows::Sessions(Arc::new(r.pick(idx))),
            Rows::Errors(r) => Rows::Errors(Arc::new(r.pick(idx))),
            Rows::Entries(r) => Rows::Entries(Arc::new(r.pick(idx))),
            Rows::Summaries(r) => Rows::Summaries(Arc::new(r.pick(idx))),
        }
    }
    /// The record type's schema (its name is the Python class name).
    pub fn schema(&self) -> &'static plumlogs::schema::RecordSchema {
        use plumlogs::schema;
        match self {
            Rows::Sessions(_) => &schema::SESSION_RECORD,
            Rows::Errors(_) => &schema::ERROR_RECORD,
            Rows::Entries(_) => &schema::CALL_LOG_ENTRY,
            Rows::Summaries(_) => &schema::CALL_SUMMARY,
        }
    }
    fn record_type(&self) -> &'static str {
        self.schema().name
    }
}

pub fn make_record(py: Python<'_>, rows: &Rows, i: usize) -> PyResult<Py<PyAny>> {
    let obj = match rows {
        Rows::Sessions(t) => Py::new(
            py,
            PySessionRecord {
                at: At::new(t.clone(), i),
            },
        )?
        .into_any(),
        Rows::Errors(t) => Py::new(
            py,
            PyErrorRecord {
                at: At::new(t.clone(), i),
            },
        )?
        .into_any(),
        Rows::Entries(t) => Py::new(
            py,
            PyCallLogEntry {
                at: At::new(t.clone(), i),
            },
        )?
        .into_any(),
        Rows::Summaries(t) => Py::new(
            py,
            PyCallSummary {
                at: At::new(t.clone(), i),
            },
        )?
        .into_any(),
    };
    // Every #[pyclass] is a GC type, but a record holds no Python reference and so
    // can never be part of a cycle: untracked (as CPython does for tuples and dicts
    // of atomic values), the collector does not walk a million records over and
    // over while a big result is being built. Untracking twice (at dealloc) is a no-op.
    // SAFETY: `obj` is a live object we own, created just above with the GIL held.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    Ok(obj)
}

/// An immutable sequence of records of one type, as a bulk parse, a decoded page or
/// a collected listing returns them. Records are made on access; `to_arrow()`,
/// `to_pandas()`, `to_polars()` and the Arrow PyCapsule stream protocol
/// (`__arrow_c_stream__`) share the Rust columns with Arrow.
#[pyclass(module = "plumlogs._native", name = "RecordList", frozen, sequence)]
pub struct RecordList {
    pub rows: Rows,
    pub total: Option<u64>,
}

impl RecordList {
    pub fn new(rows: Rows, total: Option<u64>) -> Self {
        RecordList { rows, total }
    }
    pub fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let n = self.rows.len();
        let mut items = Vec::with_capacity(n);
        for i in 0..n {
            items.push(make_record(py, &self.rows, i)?);
        }
        PyList::new(py, items)
    }
}

impl RecordList {
    /// Indices in `range` of the rows equal to `item` (a record of this list's type;
    /// anything else equals no row), compared as core records: no Python object per
    /// row. Only the first when `first_only`.
    fn equal_rows(
        &self,
        item: &Bound<'_, PyAny>,
        range: std::ops::Range<usize>,
        first_only: bool,
    ) -> Vec<usize> {
        macro_rules! scan {
            ($t:expr, $class:ty) => {{
                let Ok(wanted) = item.cast::<$class>() else {
                    return Vec::new();
                };
                let want = wanted.get().at.record();
                let mut out = Vec::new();
                for i in range {
                    let (k, j) = $t.locate(i);
                    let part = &$t.parts[k];
                    if part.cols.record(&part.st, j) == want {
                        out.push(i);
                        if first_only {
                            break;
                        }
                    }
                }
                out
            }};
        }
        match &self.rows {
            Rows::Sessions(t) => scan!(t, PySessionRecord),
            Rows::Errors(t) => scan!(t, PyErrorRecord),
            Rows::Entries(t) => scan!(t, PyCallLogEntry),
            Rows::Summaries(t) => scan!(t, PyCallSummary),
        }
    }
}

#[pymethods]
impl RecordList {
    fn __len__(&self) -> usize {
        self.rows.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let n = self.rows.len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let ind = slice.indices(n as isize)?;
            let (start, step, len) = (ind.start, ind.step, ind.slicelength);
            let idx = (0..len).map(move |k| (start + k as isize * step) as usize);
            let rows = self.rows.pick(idx);
            return Ok(Py::new(py, RecordList::new(rows, None))?.into_any());
        }
        let i: isize = index.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "RecordList indices must be integers or slices, not {}",
                index
                    .get_type()
                    .name()
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            ))
        })?;
        let j = if i < 0 { i + n as isize } else { i };
        if j < 0 || j as usize >= n {
            return Err(PyIndexError::new_err("RecordList index out of range"));
        }
        make_record(py, &self.rows, j as usize)
    }

    /// Records are made a chunk at a time and handed out by a C-level iterator
    /// (`itertools.chain`), so iterating costs no Python-to-Rust call per record
    /// while at most one chunk of records is alive at once.
    fn __iter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let chunks = Bound::new(
            py,
            RecordChunks {
                list: slf.unbind(),
                pos: 0,
            },
        )?;
        CHAIN
            .get_or_try_init(py, || -> PyResult<_> {
                Ok(py
                    .import("itertools")?
                    .getattr("chain")?
                    .getattr("from_iterable")?
                    .unbind())
            })?
            .bind(py)
            .call1((chunks,))
    }

    /// Equal to another RecordList or a list holding equal records in the same order.
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let mine = self.list(py)?;
        if let Ok(o) = other.cast::<RecordList>() {
            return Ok(mine
                .eq(o.get().list(py)?)?
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind());
        }
        if other.is_instance_of::<PyList>() {
            return Ok(mine
                .eq(other)?
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind());
        }
        Ok(py.NotImplemented())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let n = self.rows.len();
        let shown = n.min(3);
        let mut parts = Vec::with_capacity(shown + 1);
        for i in 0..shown {
            parts.push(make_record(py, &self.rows, i)?.bind(py).repr()?.to_string());
        }
        if n > shown {
            parts.push(format!("... {} more", n - shown));
        }
        Ok(format!(
            "RecordList[{}]({} records: [{}])",
            self.rows.record_type(),
            n,
            parts.join(", ")
        ))
    }

    fn __contains__(&self, item: &Bound<'_, PyAny>) -> bool {
        !self.equal_rows(item, 0..self.rows.len(), true).is_empty()
    }

    /// The index of the first record equal to `value` (within `start:stop`, read as a
    /// slice), as `list.index`; `ValueError` when there is none.
    #[pyo3(signature = (value, start = 0, stop = None))]
    fn index(
        &self,
        value: &Bound<'_, PyAny>,
        start: isize,
        stop: Option<isize>,
    ) -> PyResult<usize> {
        let n = self.rows.len() as isize;
        let clamp = |i: isize| (if i < 0 { i + n } else { i }).clamp(0, n) as usize;
        let (lo, hi) = (clamp(start), clamp(stop.unwrap_or(n)));
        match self.equal_rows(value, lo..hi.max(lo), true).first() {
            Some(&i) => Ok(i),
            None => Err(pyo3::exceptions::PyValueError::new_err(
                "record is not in the RecordList",
            )),
        }
    }

    /// How many records equal `value`.
    fn count(&self, value: &Bound<'_, PyAny>) -> usize {
        self.equal_rows(value, 0..self.rows.len(), false).len()
    }

    /// The class name of the records held: `SessionRecord`, `ErrorRecord`,
    /// `CallLogEntry` or `CallSummary`.
    #[getter]
    fn record_type(&self) -> &'static str {
        self.rows.record_type()
    }

    /// The server's `total_*` count for a decoded page, when the body had one.
    #[getter]
    fn total(&self) -> Option<u64> {
        self.total
    }

    /// A plain `list` of the records, built in one go.
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.list(py)
    }

    /// A list of `to_dict()` of every record (the canonical JSON objects).
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for item in self.list(py)?.iter() {
            out.append(item.call_method0("to_dict")?)?;
        }
        Ok(out)
    }

    /// The Arrow PyCapsule stream protocol: pyarrow, polars and duckdb read this.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        arrow::capsule(py, self.rows.clone(), requested_schema.as_ref())
    }

    /// A `pyarrow.Table` (needs pyarrow). Timestamps are Arrow `timestamp[s, UTC]`,
    /// each line's own UTC offset is in `utc_offset_minutes`. Text columns are
    /// `string_view` over the parsed text itself: nothing is copied, and the table
    /// keeps that text alive.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_arrow", (slf,))
    }

    /// A `pandas.DataFrame` (needs pandas and pyarrow); timestamps are tz-aware UTC.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_pandas", (slf,))
    }

    /// A `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_polars", (slf,))
    }
}

/// Records per chunk of `RecordList.__iter__`: big enough that the per-chunk call
/// is noise, small enough to stay in cache.
const CHUNK: usize = 1024;

/// The chunks behind `iter(RecordList)`: each `next()` is a list of up to 1024
/// records, in order.
#[pyclass(module = "plumlogs._native", name = "RecordChunks")]
pub struct RecordChunks {
    list: Py<RecordList>,
    pos: usize,
}

#[pymethods]
impl RecordChunks {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let list = self.list.get();
        let n = list.rows.len();
        if self.pos >= n {
            return Ok(None);
        }
        let hi = (self.pos + CHUNK).min(n);
        let mut items = Vec::with_capacity(hi - self.pos);
        for i in self.pos..hi {
            items.push(make_record(py, &list.rows, i)?);
        }
        self.pos = hi;
        PyList::new(py, items).map(Some)
    }
}
