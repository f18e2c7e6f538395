//! `plumlogs.Client`: the core's blocking client, with the GIL released while it waits.

use crate::errors::{IntoPy, PlumErr, invalid_argument, to_pyerr};
use crate::follow::{PyFollow, Source as FollowSource};
use crate::listing::{Listing, Recipe, owned_table, progress_bar, server_warnings};
use crate::record_list::RecordList;
use crate::records::make_record;
use crate::rows::Rows;
use plumlogs::client::options::{self, TimeUnit};
use plumlogs::client::{
    CallLog as RustCallLog, CallLogsWithText, Client, FollowOptions, Query, WindowOptions,
};
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
        entries: &plumlogs::CallLogEntryRecords<'_>,
    ) -> PyResult<PyCallLog> {
        let rows = Rows::Entries(Arc::new(crate::parse::table_of(
            crate::store::Text::default(),
            |_, v| crate::parse::fill(v, entries),
        )?));
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
        Self::build(py, Some(log.log_id), log.text(), log.entries())
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
    /// Set by `close()` without the lock (a fetch under way holds it).
    closed: std::sync::atomic::AtomicBool,
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
            if self.closed.load(Ordering::Acquire) {
                // Dropping the core iterator stops its workers.
                drop(g.take());
            }
            let out = match g.as_mut() {
                Some(it) => {
                    let item = it.next();
                    let all = it.warnings();
                    let seen = self.warned.swap(all.len(), Ordering::Relaxed);
                    (item, all.get(seen..).unwrap_or_default().to_vec())
                }
                None => (None, Vec::new()),
            };
            if self.closed.load(Ordering::Acquire) {
                drop(g.take()); // closed while this log was fetched
            }
            out
        });
        server_warnings(py, &warnings)?;
        let item = item.filter(|_| !self.closed.load(Ordering::Acquire));
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

    /// Stop the work from any thread: the log fetches under way finish and are
    /// dropped, no other starts, and the iterator ends.
    fn close(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
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

/// The query of one listing of `service`: the window read by core's time
/// arguments against the client's clock, the rest range-checked by core.
fn query(
    client: &Client,
    service: Service,
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    number: Option<String>,
    limit: Option<&Bound<'_, PyAny>>,
    page_size: Option<&Bound<'_, PyAny>>,
) -> PyResult<Query> {
    let (start, end) = crate::timearg::window(start, end, service, client.now())?;
    let mut q = Query::new(start, end);
    if let Some(p) = opt_int(page_size, "page_size", options::page_size)? {
        q = q.page_size(p);
    }
    q.number = number;
    q.limit = opt_int(limit, "limit", options::limit)?;
    Ok(q)
}

/// How a listing is split into sub-windows: core's defaults, with what was passed.
fn window_options(
    concurrency: Option<&Bound<'_, PyAny>>,
    sub_window_seconds: Option<&Bound<'_, PyAny>>,
) -> PyResult<WindowOptions> {
    let mut o = WindowOptions::default();
    if let Some(n) = opt_int(concurrency, "concurrency", options::concurrency)? {
        o = o.concurrency(n);
    }
    if let Some(v) = sub_window_seconds.filter(|v| !v.is_none()) {
        let secs = int_arg(v, "sub_window_seconds")?;
        o = o.sub_window_seconds(secs.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
    }
    Ok(o)
}

/// The options every constructor takes, applied to a builder (only what was passed:
/// every default and range is the core's).
struct Settings<'a, 'py> {
    password: Option<String>,
    base_url: Option<String>,
    format: &'a str,
    timeout: Option<f64>,
    max_retries: Option<&'a Bound<'py, PyAny>>,
    backoff: Option<(f64, f64)>,
    user_agent: Option<String>,
    deadline: Option<f64>,
    proxy: Option<String>,
    ca_bundle: Option<std::path::PathBuf>,
    tls_roots: Option<String>,
    on_retry: Option<Py<PyAny>>,
}

impl Settings<'_, '_> {
    fn build(self, py: Python<'_>, mut b: plumlogs::client::ClientBuilder) -> PyResult<Client> {
        let format = self.format;
        let wire: Wire = format.parse().map_err(|_| {
            invalid_argument(
                "format",
                format!("must be \"json\" or \"xml\", got {format:?}"),
            )
        })?;
        b = b.wire(wire);
        if let Some(t) = self.timeout {
            b = b.timeout(options::timeout("timeout", t, TimeUnit::Seconds).py()?);
        }
        if let Some(n) = opt_int(self.max_retries, "max_retries", options::max_retries)? {
            b = b.max_retries(n);
        }
        if let Some(d) = self.deadline {
            b = b.deadline(options::deadline("deadline", d, TimeUnit::Seconds).py()?);
        }
        if let Some((base, cap)) = self.backoff {
            let (base, cap) =
                options::backoff(("backoff[0]", "backoff[1]"), base, cap, TimeUnit::Seconds)
                    .py()?;
            b = b.backoff(base, cap);
        }
        if let Some(p) = self.password {
            b = b.password(p);
        }
        if let Some(url) = self.base_url {
            b = b.base_url(url);
        }
        if let Some(p) = self.proxy {
            b = b.proxy(p);
        }
        if let Some(c) = self.ca_bundle {
            b = b.ca_bundle(c);
        }
        if let Some(r) = self.tls_roots {
            b = b.tls_roots(plumlogs::client::TlsRoots::parse(&r, "tls_roots").py()?);
        }
        if let Some(cb) = self.on_retry {
            if !cb.bind(py).is_callable() {
                return Err(invalid_argument("on_retry", "must be callable"));
            }
            b = b.on_retry(crate::observe::on_retry_hook(cb));
        }
        let ua = self
            .user_agent
            .unwrap_or_else(|| format!("plumlogs-python/{}", env!("CARGO_PKG_VERSION")));
        b = b.user_agent(ua);
        b.build().map_err(|e| PlumErr(e).into())
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (username = None, password = None, *, base_url = None, format = "json", timeout = None, max_retries = None, backoff = None, user_agent = None, deadline = None, proxy = None, ca_bundle = None, tls_roots = None, on_retry = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        username: Option<String>,
        password: Option<String>,
        base_url: Option<String>,
        format: &str,
        timeout: Option<f64>,
        max_retries: Option<&Bound<'_, PyAny>>,
        backoff: Option<(f64, f64)>,
        user_agent: Option<String>,
        deadline: Option<f64>,
        proxy: Option<String>,
        ca_bundle: Option<std::path::PathBuf>,
        tls_roots: Option<String>,
        on_retry: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let mut b = Client::builder();
        if let Some(u) = username {
            b = b.username(u);
        }
        let settings = Settings {
            password,
            base_url,
            format,
            timeout,
            max_retries,
            backoff,
            user_agent,
            deadline,
            proxy,
            ca_bundle,
            tls_roots,
            on_retry,
        };
        Ok(PyClient {
            client: settings.build(py, b)?,
        })
    }

    /// A client of a named profile of the config file (`PLUM_CONFIG`, else
    /// `plumlogs/config.toml` in the platform's config directory): its username and
    /// base URL, its password from the variable it names (default `PLUM_PASSWORD`).
    /// `name=None` picks `PLUM_PROFILE`, then the file's `default_profile`, then its
    /// only profile. The other options are `Client`'s; `base_url=`, then
    /// `PLUM_BASE_URL`, override the profile's base URL.
    #[staticmethod]
    #[pyo3(signature = (name = None, *, password = None, base_url = None, format = "json", timeout = None, max_retries = None, backoff = None, user_agent = None, deadline = None, proxy = None, ca_bundle = None, tls_roots = None, on_retry = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_profile(
        py: Python<'_>,
        name: Option<String>,
        password: Option<String>,
        base_url: Option<String>,
        format: &str,
        timeout: Option<f64>,
        max_retries: Option<&Bound<'_, PyAny>>,
        backoff: Option<(f64, f64)>,
        user_agent: Option<String>,
        deadline: Option<f64>,
        proxy: Option<String>,
        ca_bundle: Option<std::path::PathBuf>,
        tls_roots: Option<String>,
        on_retry: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let b = py
            .detach(|| plumlogs::client::ClientBuilder::from_profile(name.as_deref()))
            .map_err(PlumErr)?;
        let settings = Settings {
            password,
            base_url,
            format,
            timeout,
            max_retries,
            backoff,
            user_agent,
            deadline,
            proxy,
            ca_bundle,
            tls_roots,
            on_retry,
        };
        Ok(PyClient {
            client: settings.build(py, b)?,
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
    /// `start`/`end`: UNIX seconds, ISO 8601, a span back from now (`"24h"`), an
    /// aware `datetime`, a `timedelta`; `start=None` is as far back as the service
    /// keeps, `end=None` now. Windows longer than a day are fetched as sub-windows
    /// on up to `concurrency` threads (core's default 8), in time order.
    #[pyo3(signature = (start, end = None, *, number = None, limit = None, page_size = None, progress = false, concurrency = None, sub_window_seconds = None))]
    #[allow(clippy::too_many_arguments)]
    fn sessions(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
        concurrency: Option<&Bound<'_, PyAny>>,
        sub_window_seconds: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Listing> {
        self.listing(
            py,
            Service::Sessions,
            (start, end),
            (number, limit, page_size),
            (concurrency, sub_window_seconds),
            progress.then_some("sessions"),
        )
    }

    /// Error log lines of calls starting in `[start, end)`.
    /// `start`/`end`: UNIX seconds, ISO 8601, a span back from now (`"24h"`), an
    /// aware `datetime`, a `timedelta`; `start=None` is as far back as the service
    /// keeps, `end=None` now. Windows longer than a day are fetched as sub-windows
    /// on up to `concurrency` threads (core's default 8), in time order.
    #[pyo3(signature = (start, end = None, *, number = None, limit = None, page_size = None, progress = false, concurrency = None, sub_window_seconds = None))]
    #[allow(clippy::too_many_arguments)]
    fn errors(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
        concurrency: Option<&Bound<'_, PyAny>>,
        sub_window_seconds: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Listing> {
        self.listing(
            py,
            Service::Errors,
            (start, end),
            (number, limit, page_size),
            (concurrency, sub_window_seconds),
            progress.then_some("errors"),
        )
    }

    /// Calls with a detailed log, starting in `[start, end)` (5 days' retention).
    /// `start`/`end`: UNIX seconds, ISO 8601, a span back from now (`"24h"`), an
    /// aware `datetime`, a `timedelta`; `start=None` is as far back as the service
    /// keeps, `end=None` now. Windows longer than a day are fetched as sub-windows
    /// on up to `concurrency` threads (core's default 8), in time order.
    #[pyo3(signature = (start, end = None, *, number = None, limit = None, page_size = None, progress = false, concurrency = None, sub_window_seconds = None))]
    #[allow(clippy::too_many_arguments)]
    fn call_logs(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        limit: Option<&Bound<'_, PyAny>>,
        page_size: Option<&Bound<'_, PyAny>>,
        progress: bool,
        concurrency: Option<&Bound<'_, PyAny>>,
        sub_window_seconds: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Listing> {
        self.listing(
            py,
            Service::Logs,
            (start, end),
            (number, limit, page_size),
            (concurrency, sub_window_seconds),
            progress.then_some("call logs"),
        )
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
    #[pyo3(signature = (start, end = None, *, number = None, limit = None, page_size = None, concurrency = None, on_error = "raise", progress = false))]
    #[allow(clippy::too_many_arguments)]
    fn call_logs_with_text(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
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
        let q = query(
            &self.client,
            Service::Logs,
            start,
            end,
            number,
            limit,
            page_size,
        )?;
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
            closed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// New session log records as they arrive: polls every `interval` seconds
    /// (core's default 10) the window from `lookback_seconds` back (default 3600)
    /// to now, and yields each record once. `since` (any time form) is the first
    /// window's start. An endless iterator: end it with `stop()` (any thread) or by
    /// leaving the loop.
    #[pyo3(signature = (*, interval = None, lookback_seconds = None, since = None, number = None, page_size = None))]
    fn follow_sessions(
        &self,
        py: Python<'_>,
        interval: Option<f64>,
        lookback_seconds: Option<&Bound<'_, PyAny>>,
        since: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        page_size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFollow> {
        let o = self.follow_options(
            Service::Sessions,
            interval,
            lookback_seconds,
            since,
            number,
            page_size,
        )?;
        self.follow(py, Service::Sessions, o)
    }

    /// New error log records as they arrive (see `follow_sessions`).
    #[pyo3(signature = (*, interval = None, lookback_seconds = None, since = None, number = None, page_size = None))]
    fn follow_errors(
        &self,
        py: Python<'_>,
        interval: Option<f64>,
        lookback_seconds: Option<&Bound<'_, PyAny>>,
        since: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        page_size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyFollow> {
        let o = self.follow_options(
            Service::Errors,
            interval,
            lookback_seconds,
            since,
            number,
            page_size,
        )?;
        self.follow(py, Service::Errors, o)
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
    /// One listing: its query and sub-window options read and checked now.
    fn listing(
        &self,
        py: Python<'_>,
        service: Service,
        (start, end): (Option<&Bound<'_, PyAny>>, Option<&Bound<'_, PyAny>>),
        (number, limit, page_size): Limits<'_, '_>,
        (concurrency, sub_window_seconds): Windows<'_, '_>,
        progress: Option<&'static str>,
    ) -> PyResult<Listing> {
        let query = query(&self.client, service, start, end, number, limit, page_size)?;
        let windows = window_options(concurrency, sub_window_seconds)?;
        Listing::open(
            py,
            Recipe {
                client: self.client.clone(),
                service,
                query,
                windows,
                progress,
            },
        )
    }

    /// Core's follow of `service` (checked before any request).
    fn follow(&self, py: Python<'_>, service: Service, o: FollowOptions) -> PyResult<PyFollow> {
        let client = self.client.clone();
        let source = py
            .detach(move || match service {
                Service::Sessions => client.follow_sessions(&o).map(FollowSource::Sessions),
                _ => client.follow_errors(&o).map(FollowSource::Errors),
            })
            .map_err(PlumErr)?;
        Ok(PyFollow::new(source))
    }

    /// Core's follow options of what was passed (every range is core's).
    fn follow_options(
        &self,
        service: Service,
        interval: Option<f64>,
        lookback_seconds: Option<&Bound<'_, PyAny>>,
        since: Option<&Bound<'_, PyAny>>,
        number: Option<String>,
        page_size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<FollowOptions> {
        let mut o = FollowOptions::default();
        if let Some(i) = interval {
            // A follow's interval has the timeout's range: above 0, at most a day.
            o = o.interval(options::timeout("interval", i, TimeUnit::Seconds).py()?);
        }
        if let Some(v) = lookback_seconds.filter(|v| !v.is_none()) {
            let secs = int_arg(v, "lookback_seconds")?;
            o = o.lookback_seconds(secs.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
        }
        if let Some(v) = since.filter(|v| !v.is_none()) {
            o = o.since(crate::timearg::instant(
                v,
                "since",
                service,
                self.client.now(),
            )?);
        }
        if let Some(p) = opt_int(page_size, "page_size", options::page_size)? {
            o = o.page_size(p);
        }
        o.number = number;
        Ok(o)
    }
}

/// `number`, `limit`, `page_size` of a listing.
type Limits<'a, 'py> = (
    Option<String>,
    Option<&'a Bound<'py, PyAny>>,
    Option<&'a Bound<'py, PyAny>>,
);
/// `concurrency`, `sub_window_seconds` of a listing.
type Windows<'a, 'py> = (Option<&'a Bound<'py, PyAny>>, Option<&'a Bound<'py, PyAny>>);
impl PyClient {
    /// The core client, for the archive's `sync` (`src/sync.rs`).
    pub(crate) fn core(&self) -> &Client {
        &self.client
    }
}
