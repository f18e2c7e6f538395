//! The record classes (`SessionRecord`, …) and `make_record`.
//!
//! A record object is an `At` (an `Arc` of the shared columns plus a row index, see
//! `rows`); attribute values are built when read. The lists of records are in
//! `record_list`.

use crate::columns::{EntryCols, ErrorCols, SessionCols, SummaryCols};
use crate::rows::{At, Rows};
use crate::store::View;
use crate::time::datetime;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use serde::Serialize;
use std::hash::{DefaultHasher, Hash, Hasher};

static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static PARTS_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static FRAMES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `to_dict()` is the canonical JSON (the README's Records), field for field: the core's own
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

/// Characters of one text value a record's `repr` shows at most.
pub const REPR_TEXT: usize = 100;

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
        // A repr stays short whatever the line: a long value is cut, `…` marks it.
        let cut;
        let v = match v.char_indices().nth(REPR_TEXT) {
            Some((end, _)) => {
                cut = format!("{}…", &v[..end]);
                &cut
            }
            None => v,
        };
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

            /// The record as the canonical JSON object (timestamp as an
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
            /// The record as an HTML table of its fields (notebooks), values cut
            /// to a bounded length.
            fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
                crate::record_list::display(slf.py(), "record_html", slf.as_any())
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
