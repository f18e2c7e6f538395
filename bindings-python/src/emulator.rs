//! `plumlogs.Emulator`: the Rust emulator, started in-process on loopback.

use crate::errors::invalid_argument;
use plumlogs_emulator::{Emulator as RustEmulator, EmulatorConfig, Fault, FaultKind};
use pyo3::exceptions::{PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use std::sync::Mutex;

static JSON: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn json(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(JSON
        .get_or_try_init(py, || -> PyResult<_> { Ok(py.import("json")?.unbind()) })?
        .bind(py))
}

/// Serialise through JSON: the emulator's own serde shapes are the documented ones
/// (the same as its HTTP control API), so nothing is re-described here.
fn to_py<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let s = serde_json::to_string(v).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    json(py)?.call_method1("loads", (s,))
}

/// A Plum Call Log API emulator on 127.0.0.1, with deterministic synthetic data.
///
/// Use it as a context manager; it stops when the block ends (or on `stop()`).
/// Fault injection queues a fault for the next `count` matching requests.
#[pyclass(module = "plumlogs._native", name = "Emulator", frozen)]
pub struct PyEmulator {
    inner: Mutex<Option<RustEmulator>>,
    base_url: String,
    username: String,
    password: String,
    port: u16,
}

impl PyEmulator {
    fn with<T>(&self, f: impl FnOnce(&RustEmulator) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(e) => Ok(f(e)),
            None => Err(PyRuntimeError::new_err("the emulator has been stopped")),
        }
    }

    /// Queue a fault; the emulator validates it and its error is passed on.
    fn push(&self, kind: FaultKind, count: u32, path_prefix: Option<String>) -> PyResult<()> {
        self.push_fault(Fault {
            kind,
            count,
            path_prefix,
        })
    }

    fn push_fault(&self, fault: Fault) -> PyResult<()> {
        // The emulator's own field and reason, as the Node binding passes them on.
        self.with(|e| e.try_inject(fault))?
            .map_err(|e| invalid_argument(e.field, e.reason))
    }
}

#[pymethods]
impl PyEmulator {
    #[new]
    #[pyo3(signature = (seed = 7, *, calls_per_day = 2000, username = None, password = None, port = 0, clock = None))]
    fn new(
        py: Python<'_>,
        seed: u64,
        calls_per_day: u32,
        username: Option<String>,
        password: Option<String>,
        port: u16,
        clock: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let defaults = EmulatorConfig::default();
        let clock = match clock {
            Some(c) => Some(crate::client::unix_seconds(c, "clock")?),
            None => None,
        };
        let config = EmulatorConfig {
            seed,
            calls_per_day,
            username: username.unwrap_or(defaults.username),
            password: password.unwrap_or(defaults.password),
            port,
            clock,
        };
        let emu = py
            .detach(move || RustEmulator::start(config))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => invalid_argument("config", e.to_string()),
                _ => PyOSError::new_err(format!("could not start the emulator: {e}")),
            })?;
        Ok(PyEmulator {
            base_url: emu.base_url().to_owned(),
            username: emu.username().to_owned(),
            password: emu.password().to_owned(),
            port: emu.port(),
            inner: Mutex::new(Some(emu)),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }
    /// The username the emulator accepts.
    #[getter]
    fn username(&self) -> &str {
        &self.username
    }
    /// The password the emulator accepts.
    #[getter]
    fn password(&self) -> &str {
        &self.password
    }
    /// The TCP port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }
    /// The emulator's clock, UNIX seconds (a method, as `Emulator.now()` in Node and
    /// `datetime.now()`: it reads a clock that moves).
    fn now(&self) -> PyResult<i64> {
        self.with(|e| e.now())
    }
    /// True until `stop()` (or the end of the `with` block).
    #[getter]
    fn running(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Fix the clock (UNIX seconds or an aware datetime), or follow system time (`None`).
    #[pyo3(signature = (now))]
    fn set_clock(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let now = match now {
            Some(n) => Some(crate::client::unix_seconds(n, "now")?),
            None => None,
        };
        self.with(|e| e.set_clock(now))
    }

    /// Answer the next `count` matching requests with HTTP `status` and a failure
    /// envelope (and `Retry-After: retry_after` when given).
    #[pyo3(signature = (status, *, count = 1, retry_after = None, path_prefix = None))]
    fn inject_status(
        &self,
        status: u16,
        count: u32,
        retry_after: Option<u32>,
        path_prefix: Option<String>,
    ) -> PyResult<()> {
        self.push(
            FaultKind::Status {
                status,
                retry_after,
            },
            count,
            path_prefix,
        )
    }
    /// Answer correctly, after `delay_ms` milliseconds.
    #[pyo3(signature = (delay_ms, *, count = 1, path_prefix = None))]
    fn inject_slow(&self, delay_ms: u64, count: u32, path_prefix: Option<String>) -> PyResult<()> {
        self.push(FaultKind::Slow { delay_ms }, count, path_prefix)
    }
    /// Send half of the body (with the full `Content-Length`), then close.
    #[pyo3(signature = (*, count = 1, path_prefix = None))]
    fn inject_truncated(&self, count: u32, path_prefix: Option<String>) -> PyResult<()> {
        self.push(FaultKind::Truncated, count, path_prefix)
    }
    /// Answer 200 with a body that is neither JSON nor XML.
    #[pyo3(signature = (*, count = 1, path_prefix = None))]
    fn inject_malformed(&self, count: u32, path_prefix: Option<String>) -> PyResult<()> {
        self.push(FaultKind::Malformed, count, path_prefix)
    }
    /// Answer `status` with a failure body laid out as Plum's docs print it (in JSON,
    /// with the trailing comma that makes it invalid JSON).
    #[pyo3(signature = (status, *, count = 1, path_prefix = None))]
    fn inject_documented_failure(
        &self,
        status: u16,
        count: u32,
        path_prefix: Option<String>,
    ) -> PyResult<()> {
        self.push(FaultKind::DocumentedFailure { status }, count, path_prefix)
    }
    /// Close the connection without answering.
    #[pyo3(signature = (*, count = 1, path_prefix = None))]
    fn inject_drop(&self, count: u32, path_prefix: Option<String>) -> PyResult<()> {
        self.push(FaultKind::Drop, count, path_prefix)
    }
    /// Queue a fault given as the control API's JSON object, e.g.
    /// `{"kind": "status", "status": 503, "retry_after": 1, "count": 2}`.
    fn inject(&self, py: Python<'_>, fault: &Bound<'_, PyDict>) -> PyResult<()> {
        let text: String = json(py)?.call_method1("dumps", (fault,))?.extract()?;
        let fault: Fault = serde_json::from_str(&text)
            .map_err(|e| invalid_argument("fault", format!("not a fault: {e}")))?;
        self.push_fault(fault)
    }
    /// The faults still queued, as JSON-shaped dicts.
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let f = self.with(|e| e.faults())?;
        to_py(py, &f)
    }
    /// Drop every queued fault.
    fn clear_faults(&self) -> PyResult<()> {
        self.with(|e| e.clear_faults())
    }
    /// The requests received so far (control requests excepted), oldest first, as
    /// dicts: `method`, `path`, `query`, `headers` (lowercase names; credentials
    /// redacted), `username`, `time`.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = self.with(|e| e.requests())?;
        to_py(py, &r)
    }
    /// Forget the recorded requests.
    fn clear_requests(&self) -> PyResult<()> {
        self.with(|e| e.clear_requests())
    }
    /// Stop serving (idempotent). Open connections are shut down.
    fn stop(&self, py: Python<'_>) {
        let emu = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(e) = emu {
            py.detach(move || e.stop());
        }
    }
    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    #[pyo3(signature = (exc_type = None, exc = None, tb = None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<Bound<'_, PyType>>,
        exc: Option<Bound<'_, PyAny>>,
        tb: Option<Bound<'_, PyAny>>,
    ) -> bool {
        let _ = (exc_type, exc, tb);
        self.stop(py);
        false
    }
    fn __repr__(&self) -> String {
        format!(
            "Emulator(base_url={:?}, username={:?}, running={})",
            self.base_url,
            self.username,
            self.inner.lock().map(|g| g.is_some()).unwrap_or(false)
        )
    }
}
