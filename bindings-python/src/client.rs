//! `plumlogs.Client`: the core's blocking client, with the GIL released while it waits.

use crate::errors::{IntoPy, PlumErr, invalid_argument, to_pyerr};
use crate::listing::{Listing, owned_table, progress_bar, server_warnings};
use crate::record_list::RecordList;
use crate::records::make_record;
use crate::rows::Rows;
use plumlogs::client::options::{self, TimeUnit};
use plumlogs::client::{CallLog as RustCallLog, CallLogsWithText, Client, Query};
use plumlogs::{Error, Service, Wire};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyInt, PyString};
use std::sync::{Arc, Mutex};

/// UNIX seconds from an `int` or an aware `datetime`; a naive datetime is an
/// `InvalidArgument` (its instant is unknown), anything else a `TypeError`.
pub fn unix_seconds(v: &Bound<'_, PyAny>, name: &str) -> PyResult<i64> {
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return v.extract::<i64>();
    }
    if v.is_instance_of::<PyDateTime>() {
        if v.call_method0("utcoffset")?.is_none() {
            return Err(invalid_argument(
                name,
                "is a naive datetime: give it a tzinfo (e.g. tzinfo=datetime.timezone.utc) or pass UNIX seconds",
            ));
        }
        let ts: f64 = v.call_method0("timestamp")?.extract()?;
        return Ok(ts.floor() as i64);
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be int (UNIX seconds) or an aware datetime, not {}",
        v.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// One call's detailed log: `log_id`, the `text` as served, and its parsed `entries`.
#[pyclass(module = "plumlogs._native", name = "CallLog", frozen)]
pub struct PyCallLog {
    log_id: Option<u64>,
    text: Py<PyString>,
    entries: Py<RecordList>,
}

impl PyCallLog {
    pub fn build(
        py: Python<'_>,
        log_id: Option<u64>,
        text: &str,
        entries: &[plumlogs::CallLogEntry<'_>],
    ) -> PyResult<PyCallLog> {
        let rows = Rows::Entries(Arc::new(owned_table(entries)?));
        Ok(PyCallLog {
            log_id,
            text: PyString::new(py, text).unbind(),
            entries: Py::new(py, RecordList::new(rows, None))?,
        })
    }

    pub fn from_list(
        py: Python<'_>,
        log_id: Option<u64>,
        text: &str,
        entries: RecordList,
    ) -> PyResult<PyCallLog> {
        Ok(PyCallLog {
            log_id,
            text: PyString::new(py, text).unbind(),
            entries: Py::new(py, entries)?,
        })
    }

    fn from_rust(py: Python<'_>, log: &RustCallLog) -> PyResult<PyCallLog> {
        Self::build(py, Some(log.log_id), &log.text, &log.entries)
    }
}

#[pymethods]
impl PyCallLog {
    /// The `log_id` (`None` for a log decoded with `decode_response`).
    #[getter]
    fn log_id(&self) -> Option<u64> {
        self.log_id
    }
    /// The log text exactly as served.
    #[getter]
    fn text(&self, py: Python<'_>) -> Py<PyString> {
        self.text.clone_ref(py)
    }
    /// The parsed entries (a `RecordList` of `CallLogEntry`).
    #[getter]
    fn entries(&self, py: Python<'_>) -> Py<RecordList> {
        self.entries.clone_ref(py)
    }
    fn __len__(&self) -> usize {
        self.entries.get().rows.len()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let log_id = self.log_id.map_or("None".to_string(), |l| l.to_string());
        format!(
            "CallLog(log_id={log_id}, entries={}, text=<{} chars>)",
            self.entries.get().rows.len(),
            self.text.bind(py).len().unwrap_or(0)
        )
    }
}

/// What `call_logs_with_text` does when one log cannot be fetched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnError {
    Raise,
    Return,
}

/// Iterator of `(CallSummary, CallLog)` pairs, in listing order (see
/// `Client.call_logs_with_text`).
#[pyclass(module = "plumlogs._native", name = "CallLogsWithText", frozen)]
pub struct PyCallLogsWithText {
    inner: Mutex<Option<CallLogsWithText>>,
    /// How many of the core iterator's warnings were already issued.
    warned: std::sync::atomic::AtomicUsize,
    total: usize,
    on_error: OnError,
    bar: Option<Py<PyAny>>,
}

#[pymethods]
impl PyCallLogsWithText {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    fn __len__(&self) -> usize {
        self.total
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<(Py<PyAny>, Py<PyAny>)>> {
        use std::sync::atomic::Ordering;
        let (item, warnings) = py.detach(|| {
            let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            match g.as_mut() {
                Some(it) => {
                    let item = it.next();
                    let all = it.warnings();
                    let seen = self.warned.swap(all.len(), Ordering::Relaxed);
                    (item, all.get(seen..).unwrap_or_default().to_vec())
                }
                None => (None, Vec::new()),
            }
        });
        server_warnings(py, &warnings)?;
        let Some((summary, result)) = item else {
            if let Some(bar) = &self.bar {
                bar.bind(py).call_method0("close")?;
            }
            return Ok(None);
        };
        if let Some(bar) = &self.bar {
            bar.bind(py).call_method1("update", (1,))?;
        }
        let summary = make_record(
            py,
            &Rows::Summaries(Arc::new(owned_table(std::slice::from_ref(&summary))?)),
            0,
        )?;
        let second = match result {
            Ok(log) => Py::new(py, PyCallLog::from_rust(py, &log)?)?.into_any(),
            Err(e) if self.on_error == OnError::Return => {
                to_pyerr(py, e, None).into_value(py).into_any()
            }
            Err(e) => {
                // Stop the workers: the caller sees the exception, not the rest.
                // Taken with the GIL released: another thread may hold the lock while
                // it waits on the network.
                py.detach(|| drop(self.inner.lock().unwrap_or_else(|p| p.into_inner()).take()));
                if let Some(bar) = &self.bar {
                    bar.bind(py).call_method0("close")?;
                }
                return Err(PlumErr(e).into());
            }
        };
        Ok(Some((summary, second)))
    }
}

/// A client of the Plum Call Log API. Credentials fall back to `PLUM_USERNAME` and
/// `PLUM_PASSWORD`, the base URL to `PLUM_BASE_URL` and then
/// `https://hosting.plumvoice.com`. Thread-safe: one client may serve many threads.
#[pyclass(module = "plumlogs._native", name = "Client", frozen)]
pub struct PyClient {
    client: Client,
}

/// An integer argument as the user gave it, for the core to range-check: an `int`
/// of any size (one beyond `i128` is out of every range: it is clamped), never a
/// `bool`; anything else is an `InvalidArgument` naming `field`.
pub fn int_arg(v: &Bound<'_, PyAny>, field: &str) -> PyResult<i128> {
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return Ok(match v.extract::<i128>() {
            Ok(i) => i,
            Err(_) if v.lt(0)? => i128::MIN,
            Err(_) => i128::MAX,
        });
    }
    let ty = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(invalid_argument(
        field,
        format!("must be an integer, got {ty}"),
    ))
}

/// An optional integer argument through one of the core's checks.
fn opt_int<T>(
    v: Option<&Bound<'_, PyAny>>,
    field: &str,
    check: fn(&str, i128) -> Result<T, Error>,
) -> PyResult<Option<T>> {
    match v.filter(|v| !v.is_none()) {
        None => Ok(None),
        Some(v) => check(field, int_arg(v, field)?).py().map(Some),
    }
}

fn query(
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    number: Option<String>,
    limit: Option<&Bound<'_, PyAny>>,
    page_size: Option<&Bound<'_, PyAny>>,
) -> PyResult<Query> {
    let mut q = Query::new(unix_seconds(start, "start")?, unix_seconds(end, "end")?);
    if let Some(p) = opt_int(page_size, "page_size", options::page_size)? {
        q = q.page_size(p);
    }
    q.number = number;
    q.limit = opt_int(limit, "limit", options::limit)?;
    Ok(q)
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (username = None, password = None, *, base_url = None, format = "json", timeout = None, max_retries = None, backoff = None, user_agent = None, deadline = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        username: Option<String>,
        password: Option<String>,
        base_url: Option<String>,
        format: &str,
        timeout: Option<f64>,
        max_retries: Option<&Bound<'_, PyAny>>,
        backoff: Option<(f64, f64)>,
        user_agent: Option<String>,
        deadline: Option<f64>,
    ) -> PyResult<Self> {
        let wire: Wire = format.parse().map_err(|_| {
            invalid_argument(
                "format",
                format!("must be \"json\" or \"xml\", got {format:?}"),
            )
        })?;
        // Every default and range is the core's: only what the user passed is set.
        let mut b = Client::builder().wire(wire);
        if let Some(t) = timeout {
            b = b.timeout(options::timeout("timeout", t, TimeUnit::Seconds).py()?);
        }
        if let Some(n) = opt_int(max_retries, "max_retries", options::max_retries)? {
            b = b.max_retries(n);
        }
        if let Some(d) = deadline {
            b = b.deadline(options::deadline("deadline", d, TimeUnit::Seconds).py()?);
        }
        if let Some((base, cap)) = backoff {
            let (base, cap) =
                options::backoff(("backoff[0]", "backoff[1]"), base, cap, TimeUnit::Seconds)
                    .py()?;
            b = b.backoff(base, cap);
        }
        if let Some(u) = username {
            b = b.username(u);
        }
        if let Some(p) = password {
            b = b.password(p);
        }
        if let Some(url) = base_url {
            b = b.base_url(url);
        }
        let ua =
            user_agent.unwrap_or_else(|| format!("plumlogs-python/{}", env!("CARGO_PKG_VERSION")));
        b = b.user_agent(ua);
        Ok(PyClient {
            client: b.build().map_err(PlumErr)?,
        })
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }
    /// The username sent (never the password).
    #[getter]
    fn username(&self) -> &str {
        self.client.username()
    }
    /// `"json"` or `"xml"`: the wire format asked for with `Accept`.
    #[getter]
    fn format(&self) -> &'static str {
        self.client.wire().name()
    }

    /// Session log lines of calls starting in `[start, end)`.
    #[pyo3(signature = (start, end, *, number = None, limit = None, page_size = None, progress = false))]
    #[allow(clippy::too_many_arguments)]
    fn sessions(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
    ) -> PyResult<Listing> {
        let q = query(start, end, number, limit, page_size)?;
        let pages = self.client.listing(Service::Sessions, &q).py()?;
        Ok(Listing::new(
            pages,
            progress_bar(py, progress, "sessions", None)?,
        ))
    }

    /// Error log lines of calls starting in `[start, end)`.
    #[pyo3(signature = (start, end, *, number = None, limit = None, page_size = None, progress = false))]
    #[allow(clippy::too_many_arguments)]
    fn errors(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
    ) -> PyResult<Listing> {
        let q = query(start, end, number, limit, page_size)?;
        let pages = self.client.listing(Service::Errors, &q).py()?;
        Ok(Listing::new(
            pages,
            progress_bar(py, progress, "errors", None)?,
        ))
    }

    /// Calls with a detailed log, starting in `[start, end)` (5 days' retention).
    #[pyo3(signature = (start, end, *, number = None, limit = None, page_size = None, progress = false))]
    #[allow(clippy::too_many_arguments)]
    fn call_logs(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
    ) -> PyResult<Listing> {
        let q = query(start, end, number, limit, page_size)?;
        let pages = self.client.listing(Service::Logs, &q).py()?;
        Ok(Listing::new(
            pages,
            progress_bar(py, progress, "call logs", None)?,
        ))
    }

    /// The detailed log of one call (`log_id` from `call_logs`).
    fn call_log(&self, py: Python<'_>, log_id: &Bound<'_, PyAny>) -> PyResult<PyCallLog> {
        let log_id = options::log_id("log_id", int_arg(log_id, "log_id")?).py()?;
        let client = self.client.clone();
        let log = py
            .detach(move || client.call_log(log_id))
            .map_err(PlumErr)?;
        server_warnings(py, log.warning.as_slice())?;
        PyCallLog::from_rust(py, &log)
    }

    /// Every call with a log in `[start, end)`, each with its log: lists with
    /// `call_logs`, then fetches the logs on up to `concurrency` threads. Yields
    /// `(CallSummary, CallLog)` in listing order. With `on_error="return"`, a log
    /// that could not be fetched comes as its exception instead of a `CallLog`
    /// (and the others still come); with `"raise"` (default) it is raised.
    #[pyo3(signature = (start, end, *, number = None, limit = None, page_size = None, concurrency = None, on_error = "raise", progress = false))]
    #[allow(clippy::too_many_arguments)]
    fn call_logs_with_text(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        on_error: &str,
        progress: bool,
    ) -> PyResult<PyCallLogsWithText> {
        let on_error = match on_error {
            "raise" => OnError::Raise,
            "return" => OnError::Return,
            other => {
                return Err(invalid_argument(
                    "on_error",
                    format!("must be \"raise\" or \"return\", got {other:?}"),
                ));
            }
        };
        let concurrency = opt_int(concurrency, "concurrency", options::concurrency)?
            .unwrap_or(options::DEFAULT_CONCURRENCY);
        let q = query(start, end, number, limit, page_size)?;
        let client = self.client.clone();
        let it = py
            .detach(move || client.call_logs_with_text(&q, concurrency))
            .map_err(PlumErr)?;
        let total = it.total();
        Ok(PyCallLogsWithText {
            inner: Mutex::new(Some(it)),
            warned: std::sync::atomic::AtomicUsize::new(0),
            total,
            on_error,
            bar: progress_bar(py, progress, "call logs", Some(total))?,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(username={:?}, base_url={:?}, format={:?})",
            self.client.username(),
            self.client.base_url(),
            self.client.wire().name()
        )
    }
}

impl PyClient {
    /// The core client, for the archive's `sync` (`src/sync.rs`).
    pub(crate) fn core(&self) -> &Client {
        &self.client
    }
}
