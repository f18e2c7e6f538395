//! `RecordList` and `RecordChunks`: an immutable sequence of records of one type,
//! made on access, and its DataFrame and Arrow exits.

use crate::arrow;
use crate::records::{
    PyCallLogEntry, PyCallSummary, PyErrorRecord, PySessionRecord, frames, make_record,
};
use crate::rows::Rows;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyList, PySlice};

static CHAIN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

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

    /// The count and the first rows as an HTML table (notebooks), bounded however
    /// long the list.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        display(slf.py(), "list_html", slf.as_any())
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
    /// keeps that text alive. `derived=True` adds the analyst columns of
    /// `to_pandas()`; `lines` and `tz` are as there.
    #[pyo3(signature = (*, derived = false, lines = None, tz = None))]
    fn to_arrow<'py>(
        slf: &Bound<'py, Self>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        frame_exit(slf.as_any(), "to_arrow", derived, lines, tz)
    }

    /// A `pandas.DataFrame` (needs pandas and pyarrow), ready for analysis: integer
    /// columns are pandas' nullable `Int64`, instants tz-aware (UTC, or `tz`, an IANA
    /// zone name), and with `derived=True` (the default) the line's wall-clock
    /// `local_timestamp` and the session-id parts (`session_server`,
    /// `session_channel`, `session_start`) as columns. `lines="calls"` keeps the call
    /// lines of a session list (one row per call), `lines="tags"` the `local` tag
    /// lines, each without the columns the other kind fills.
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        frame_exit(slf.as_any(), "to_pandas", derived, lines, tz)
    }

    /// A `polars.DataFrame` (needs polars), with the columns, `lines` and `tz` of
    /// `to_pandas()` (polars integers are nullable as they are).
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_polars<'py>(
        slf: &Bound<'py, Self>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        frame_exit(slf.as_any(), "to_polars", derived, lines, tz)
    }
}

/// `plumlogs._frames.<exit>(list, derived=…, lines=…, tz=…)`: every DataFrame exit
/// (record lists, parse results, listings) goes through here.
pub(crate) fn frame_exit<'py>(
    list: &Bound<'py, PyAny>,
    exit: &str,
    derived: bool,
    lines: Option<&str>,
    tz: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = list.py();
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("derived", derived)?;
    kw.set_item("lines", lines)?;
    kw.set_item("tz", tz)?;
    frames(py)?.call_method(exit, (list,), Some(&kw))
}

/// `plumlogs._display.<function>(obj)`: the notebook HTML of a record, list, parse
/// result or listing.
pub(crate) fn display(py: Python<'_>, function: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    py.import("plumlogs._display")?
        .call_method1(function, (obj,))?
        .extract()
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
