//! `Client`: the core blocking client, driven from JS without blocking it.
//!
//! The JS wrapper (`lib/client.js`) owns the loops: it asks a `NativePages` for one
//! page at a time (each request on its own thread, see `spawn.rs`), so it can stop
//! between pages when an `AbortSignal` fires and hand pages to an async iterator.

use crate::columns::{Columns, ColumnsBuilder, RawColumns, to_js};
use crate::error::IntoNapi;
use crate::parse::{into_string, write_json};
use crate::spawn::spawn_promise;
use napi::Env;
use napi::bindgen_prelude::{Either, Function, Object};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use plumlogs::client::options::{self, TimeUnit};
use plumlogs::client::{CallLog, CallLogsWithText};
use plumlogs::client::{
    Follow, FollowEvent, FollowOptions, Page, ResponseMeta, StopHandle, WindowOptions, Windowed,
};
use plumlogs::timearg::{self, TimeInput};
use plumlogs::{CallSummary, ClientBuilder, ErrorRecord, SessionRecord};
use plumlogs::{Client, Error, Query, Service, Wire};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The client's options as JS passed them: numbers stay JS numbers (`f64`) until the
/// core's checks in `plumlogs::client::options` convert them, so that every range and
/// default is the core's, and `1e300` or `-1` is an `INVALID_ARGUMENT` naming the
/// option rather than a panic or a silent wrap.
#[napi(object)]
pub struct ClientOptions {
    pub username: Option<String>,
    pub password: Option<String>,
    pub base_url: Option<String>,
    /// `json` or `xml`.
    pub format: Option<String>,
    pub timeout_ms: Option<f64>,
    /// One call with all its retries (a page, a call log).
    pub deadline_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub retry_base_ms: Option<f64>,
    pub retry_max_ms: Option<f64>,
    pub user_agent: Option<String>,
    /// Allow `http://` to a host that is not loopback (the password then travels in clear).
    pub allow_insecure_http: Option<bool>,
    /// `http://host:port` (a `CONNECT` tunnel) instead of `HTTPS_PROXY`/`HTTP_PROXY`.
    pub proxy: Option<String>,
    /// A PEM file of the CA certificates to trust instead of the built-in roots.
    pub ca_bundle: Option<String>,
    /// `"builtin"` (the default) or `"platform"`: the operating system's trust store.
    pub tls_roots: Option<String>,
}

/// A time argument as JS passed it: a number of UNIX seconds (a `Date` arrives as its
/// seconds) or a string (`"24h"`, ISO 8601, `"now"`, `"max"`); read by `plumlogs::timearg`.
/// (Spelled out in the `#[napi(object)]` fields, whose generated types need the
/// `Either` itself.)
type TimeValue = Either<f64, String>;

#[napi(object)]
pub struct QueryOptions {
    pub start: Either<f64, String>,
    pub end: Either<f64, String>,
    pub number: Option<String>,
    pub limit: Option<f64>,
    pub page_size: Option<f64>,
    /// Sub-windows fetched at once (core's `WindowOptions::concurrency`).
    pub concurrency: Option<f64>,
    /// Length of a sub-window (core's `WindowOptions::sub_window_seconds`).
    pub sub_window_seconds: Option<f64>,
}

#[napi(object)]
pub struct NativeFollowOptions {
    /// Where the first poll starts (a time argument); default: `lookbackSeconds` ago.
    pub since: Option<Either<f64, String>>,
    pub interval_ms: Option<f64>,
    pub lookback_seconds: Option<f64>,
    pub number: Option<String>,
    pub page_size: Option<f64>,
}

const MS: TimeUnit = TimeUnit::Milliseconds;

/// A JS integer option through one of the core's checks.
fn int_option<T>(
    v: Option<f64>,
    field: &str,
    check: fn(&str, i128) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    v.map(|v| check(field, options::whole(field, v)?))
        .transpose()
}

/// A JS time value as core's parser takes it: whole numbers as `Int`, others as `Float`.
fn time_input(v: &TimeValue) -> TimeInput<'_> {
    match v {
        // Whole and within i64 (JS numbers are exact up to 2^53 only anyway).
        Either::A(n) if n.fract() == 0.0 && n.abs() < 9.0e18 => TimeInput::Int(*n as i64),
        Either::A(n) => TimeInput::Float(*n),
        Either::B(s) => TimeInput::Text(s),
    }
}

/// `InvalidArgument` of core's `field` renamed to the JS option's name.
fn renamed(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::InvalidArgument { field, reason } if field == from => Error::InvalidArgument {
            field: to.to_owned(),
            reason,
        },
        other => other,
    }
}

/// The window (read by `plumlogs::timearg` against the client's clock) and the options.
fn query(client: &Client, service: Service, q: QueryOptions) -> Result<Query, Error> {
    let (start, end) = timearg::window(
        time_input(&q.start),
        time_input(&q.end),
        service,
        client.now(),
    )?;
    let mut query = Query::new(start, end);
    if let Some(n) = q.number {
        query = query.number(n);
    }
    query.limit = int_option(q.limit, "options.limit", options::limit)?;
    if let Some(p) = int_option(q.page_size, "options.pageSize", options::page_size)? {
        query = query.page_size(p);
    }
    Ok(query)
}

/// The backoff pair; the one not given is the core's default.
fn backoff(base: Option<f64>, cap: Option<f64>) -> Result<(Duration, Duration), Error> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (default_base, default_cap) = options::DEFAULT_BACKOFF;
    options::backoff(
        ("options.retryBaseMs", "options.retryMaxMs"),
        base.unwrap_or(ms(default_base)),
        cap.unwrap_or(ms(default_cap)),
        MS,
    )
}

/// How a listing is split into sub-windows (core's defaults for what is not given).
fn window_options(q: &QueryOptions) -> Result<WindowOptions, Error> {
    let mut w = WindowOptions::default();
    if let Some(n) = int_option(q.concurrency, "options.concurrency", options::concurrency)? {
        w = w.concurrency(n);
    }
    if let Some(s) = q.sub_window_seconds {
        let s = options::whole("options.subWindowSeconds", s)?;
        // Core's own check (at least 1) names the Rust field; i64 holds every JS integer.
        w = w.sub_window_seconds(s.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
    }
    Ok(w)
}

/// A listing of whichever service, fetched as core's `Windowed` (a serial walk for
/// windows of a day or less, sub-windows in parallel beyond).
enum AnyListing {
    Sessions(Windowed<SessionRecord<'static>>),
    Errors(Windowed<ErrorRecord<'static>>),
    Logs(Windowed<CallSummary<'static>>),
}

macro_rules! each {
    ($self:expr, $w:ident => $body:expr) => {
        match $self {
            AnyListing::Sessions($w) => $body,
            AnyListing::Errors($w) => $body,
            AnyListing::Logs($w) => $body,
        }
    };
}

impl AnyListing {
    fn open(client: &Client, service: Service, q: &Query, w: WindowOptions) -> Result<Self, Error> {
        let opened = match service {
            Service::Sessions => client.sessions_windowed(q, w).map(AnyListing::Sessions),
            Service::Errors => client.errors_windowed(q, w).map(AnyListing::Errors),
            Service::Logs => client.call_logs_windowed(q, w).map(AnyListing::Logs),
            Service::Log => Err(Error::invalid_argument(
                "service",
                "calls/log is one call's log, not a listing: use callLog",
            )),
        };
        opened.map_err(|e| renamed(e, "sub_window_seconds", "options.subWindowSeconds"))
    }

    fn next_page(&mut self) -> Option<Result<Page, Error>> {
        Some(match self {
            AnyListing::Sessions(w) => w.next_page()?.map(Page::Sessions),
            AnyListing::Errors(w) => w.next_page()?.map(Page::Errors),
            AnyListing::Logs(w) => w.next_page()?.map(Page::CallLogs),
        })
    }

    fn total_hint(&self) -> Option<u64> {
        each!(self, w => w.total_hint())
    }

    fn warnings(&self) -> &[String] {
        each!(self, w => w.warnings())
    }

    fn last_response(&self) -> Option<&ResponseMeta> {
        each!(self, w => w.last_response())
    }

    fn sub_windows(&self) -> usize {
        each!(self, w => w.sub_windows())
    }
}

/// One attempt's metadata as JSON for JS (`ResponseInfo` in `index.d.ts`): no credential.
fn meta_json(m: &ResponseMeta) -> serde_json::Value {
    let headers: serde_json::Map<String, serde_json::Value> = m
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    serde_json::json!({
        "method": m.method,
        "path": m.path,
        "status": m.status,
        "attempt": m.attempt,
        "elapsedMs": m.elapsed.as_secs_f64() * 1000.0,
        "bytes": m.bytes,
        "headers": headers,
        "line": m.to_string(),
    })
}

/// A JS callback called from any thread with a JSON string; it does not keep the
/// event loop alive (the request's own promise does).
type JsCallback = ThreadsafeFunction<String, (), String, napi::Status, false, true>;

fn js_callback(f: Function<'_, String, ()>) -> napi::Result<JsCallback> {
    f.build_threadsafe_function::<String>()
        .weak::<true>()
        .callee_handled::<false>()
        .build()
}

/// The builder with the JS options applied (over core's defaults, or a profile's).
fn configure(
    mut b: ClientBuilder,
    options: ClientOptions,
    on_retry: Option<JsCallback>,
    on_response: Option<JsCallback>,
) -> Result<ClientBuilder, Error> {
    if let Some(u) = options.username {
        b = b.username(u);
    }
    if let Some(p) = options.password {
        b = b.password(p);
    }
    if let Some(url) = options.base_url {
        b = b.base_url(url);
    }
    if let Some(f) = options.format {
        b = b.wire(
            f.parse::<Wire>()
                .map_err(|why| Error::invalid_argument("options.format", why))?,
        );
    }
    if let Some(t) = options.timeout_ms {
        b = b.timeout(options::timeout("options.timeoutMs", t, MS)?);
    }
    if let Some(d) = options.deadline_ms {
        b = b.deadline(options::deadline("options.deadlineMs", d, MS)?);
    }
    if let Some(n) = int_option(
        options.max_retries,
        "options.maxRetries",
        options::max_retries,
    )? {
        b = b.max_retries(n);
    }
    if options.retry_base_ms.is_some() || options.retry_max_ms.is_some() {
        let (base, cap) = backoff(options.retry_base_ms, options.retry_max_ms)?;
        b = b.backoff(base, cap);
    }
    if let Some(ua) = options.user_agent {
        b = b.user_agent(ua);
    }
    if let Some(yes) = options.allow_insecure_http {
        b = b.allow_insecure_http(yes);
    }
    if let Some(p) = options.proxy {
        b = b.proxy(p);
    }
    if let Some(path) = options.ca_bundle {
        b = b.ca_bundle(path);
    }
    if let Some(r) = options.tls_roots {
        b = b.tls_roots(plumlogs::client::TlsRoots::parse(&r, "tls_roots")?);
    }
    if let Some(f) = on_retry {
        b = b.on_retry(move |e| {
            let json = serde_json::json!({
                "response": meta_json(&e.response),
                "error": e.error,
                "waitMs": e.wait.as_secs_f64() * 1000.0,
                "line": e.to_string(),
            });
            f.call(json.to_string(), ThreadsafeFunctionCallMode::NonBlocking);
        });
    }
    if let Some(f) = on_response {
        b = b.on_response(move |m| {
            f.call(
                meta_json(m).to_string(),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        });
    }
    Ok(b)
}

/// The client from a builder and the JS options; core's option names become JS's.
fn build_client(
    b: ClientBuilder,
    options: ClientOptions,
    on_retry: Option<Function<'_, String, ()>>,
    on_response: Option<Function<'_, String, ()>>,
) -> napi::Result<NativeClient> {
    let on_retry = on_retry.map(js_callback).transpose()?;
    let on_response = on_response.map(js_callback).transpose()?;
    let built = configure(b, options, on_retry, on_response).and_then(ClientBuilder::build);
    let built = built
        .map_err(|e| renamed(e, "proxy", "options.proxy"))
        .map_err(|e| renamed(e, "ca_bundle", "options.caBundle"))
        .map_err(|e| renamed(e, "tls_roots", "options.tlsRoots"));
    Ok(NativeClient { inner: built.js()? })
}

/// One page as it crosses into JS: columns for sessions and errors, JSON for the rest.
type PageOut = Option<Either<Columns, String>>;
type RawPage = Option<Either<RawColumns, String>>;

fn page_to_js(p: RawPage) -> PageOut {
    p.map(to_js)
}

/// The next page of the core listing as it crosses into JS.
fn next_page(listing: &mut AnyListing) -> Result<RawPage, Error> {
    listing.next_page().transpose()?.map(raw_page).transpose()
}

/// One page of records as it crosses into JS: columns for sessions and errors, JSON
/// for call summaries.
fn raw_page(page: Page) -> Result<Either<RawColumns, String>, Error> {
    Ok(match page {
        Page::Sessions(recs) => {
            let mut b = ColumnsBuilder::sessions(recs.len() * 128);
            recs.iter().for_each(|r| b.push_session(r));
            Either::A(b.finish()?)
        }
        Page::Errors(recs) => {
            let mut b = ColumnsBuilder::errors(recs.len() * 128);
            recs.iter().for_each(|r| b.push_error(r));
            Either::A(b.finish()?)
        }
        Page::CallLogs(recs) => {
            let mut out = Vec::with_capacity(recs.len() * 160);
            write_json(&mut out, &recs)?;
            Either::B(into_string(out)?)
        }
    })
}

#[napi]
pub struct NativeClient {
    inner: Client,
}

#[napi]
impl NativeClient {
    /// Builds the core client; credentials fall back to the environment there.
    /// Nothing is sent. `on_retry`/`on_response` get each event as JSON, from any
    /// thread (see `lib/client.js`).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        options: ClientOptions,
        on_retry: Option<Function<'_, String, ()>>,
        on_response: Option<Function<'_, String, ()>>,
    ) -> napi::Result<Self> {
        build_client(Client::builder(), options, on_retry, on_response)
    }

    /// A client of a profile of the config file (core's `ClientBuilder::from_profile`),
    /// the options applied over it.
    #[napi(factory, catch_unwind)]
    pub fn from_profile(
        name: Option<String>,
        options: ClientOptions,
        on_retry: Option<Function<'_, String, ()>>,
        on_response: Option<Function<'_, String, ()>>,
    ) -> napi::Result<Self> {
        let b = ClientBuilder::from_profile(name.as_deref()).js()?;
        build_client(b, options, on_retry, on_response)
    }

    /// The client's clock, UNIX seconds (what time arguments are read against).
    #[napi(catch_unwind)]
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn username(&self) -> String {
        self.inner.username().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn format(&self) -> String {
        self.inner.wire().name().to_owned()
    }

    /// Pages of `service` (`sessions`, `errors`, `logs`). The query is checked here,
    /// before any request; the first request is made by the first `next()`.
    #[napi(catch_unwind)]
    pub fn pages(&self, service: String, q: QueryOptions) -> napi::Result<NativePages> {
        let service = service
            .parse::<Service>()
            .map_err(|e| Error::invalid_argument("service", e.to_string()))
            .js()?;
        let w = window_options(&q).js()?;
        let q = query(&self.inner, service, q).js()?;
        let pages = AnyListing::open(&self.inner, service, &q, w).js()?;
        let seen = Snapshot::of(&pages);
        Ok(NativePages {
            inner: Arc::new(Mutex::new(Some(pages))),
            seen: Arc::new(Mutex::new(seen)),
            closed: Arc::new(AtomicBool::new(false)),
        })
    }

    /// One call's log as JSON `{log_id, text, entries}`.
    #[napi(ts_return_type = "Promise<string>", catch_unwind)]
    pub fn call_log<'e>(&self, env: &'e Env, log_id: f64) -> napi::Result<Object<'e>> {
        let client = self.inner.clone();
        let id = log_id_arg(log_id).js()?;
        spawn_promise(env, move || call_log_json(&client.call_log(id)?), |s| s)
    }

    #[napi(catch_unwind)]
    pub fn call_log_sync(&self, log_id: f64) -> napi::Result<String> {
        let id = log_id_arg(log_id).js()?;
        self.inner.call_log(id).and_then(|l| call_log_json(&l)).js()
    }

    /// Lists the calls with a log (that first request happens on the new thread),
    /// then fetches their logs on up to `concurrency` threads.
    #[napi(ts_return_type = "Promise<NativeCallLogsWithText>", catch_unwind)]
    pub fn call_logs_with_text<'e>(
        &self,
        env: &'e Env,
        q: QueryOptions,
        concurrency: Option<f64>,
    ) -> napi::Result<Object<'e>> {
        let client = self.inner.clone();
        let q = query(&client, Service::Logs, q).js()?;
        let concurrency = int_option(concurrency, "options.concurrency", options::concurrency)
            .js()?
            .unwrap_or(options::DEFAULT_CONCURRENCY);
        spawn_promise(
            env,
            move || client.call_logs_with_text(&q, concurrency),
            |it| NativeCallLogsWithText {
                inner: Arc::new(Mutex::new(Some(it))),
                closed: Arc::new(AtomicBool::new(false)),
            },
        )
    }

    /// Follow `service` (`sessions` or `errors`): core's `Client::follow_*`. The
    /// options are checked here, before any request; the first poll is made by the
    /// first `next()`.
    #[napi(catch_unwind)]
    pub fn follow(&self, service: String, o: NativeFollowOptions) -> napi::Result<NativeFollow> {
        let c = &self.inner;
        let service = service
            .parse::<Service>()
            .map_err(|e| Error::invalid_argument("service", e.to_string()))
            .js()?;
        let opts = follow_options(c, service, o).js()?;
        let rename = |e: Error| {
            let e = renamed(e, "interval", "options.intervalMs");
            let e = renamed(e, "lookback_seconds", "options.lookbackSeconds");
            renamed(e, "since", "options.since")
        };
        let follow = match service {
            Service::Sessions => c.follow_sessions(&opts).map(AnyFollow::Sessions),
            Service::Errors => c.follow_errors(&opts).map(AnyFollow::Errors),
            _ => Err(Error::invalid_argument(
                "service",
                "only sessions and errors can be followed",
            )),
        }
        .map_err(rename)
        .js()?;
        let stop = match &follow {
            AnyFollow::Sessions(f) => f.stop_handle(),
            AnyFollow::Errors(f) => f.stop_handle(),
        };
        Ok(NativeFollow {
            inner: Arc::new(Mutex::new(follow)),
            stop,
        })
    }
}

fn follow_options(
    c: &Client,
    service: Service,
    o: NativeFollowOptions,
) -> Result<FollowOptions, Error> {
    let mut f = FollowOptions::default();
    if let Some(ms) = o.interval_ms {
        // The conversion's range (more than 0, at most a day) is also core's for an interval.
        f = f.interval(options::timeout("options.intervalMs", ms, MS)?);
    }
    if let Some(s) = o.lookback_seconds {
        let s = options::whole("options.lookbackSeconds", s)?;
        f = f.lookback_seconds(s.clamp(i64::MIN as i128, i64::MAX as i128) as i64);
    }
    if let Some(since) = &o.since {
        let (start, _) =
            timearg::window(time_input(since), TimeInput::Text("now"), service, c.now())
                .map_err(|e| Error::invalid_argument("options.since", e.message().to_owned()))?;
        f = f.since(start);
    }
    if let Some(n) = o.number {
        f = f.number(n);
    }
    if let Some(p) = int_option(o.page_size, "options.pageSize", options::page_size)? {
        f = f.page_size(p);
    }
    Ok(f)
}

enum AnyFollow {
    Sessions(Follow<SessionRecord<'static>>),
    Errors(Follow<ErrorRecord<'static>>),
}

/// The next event of a follow: columns of fresh records, a poll failure as JSON
/// `{error, failures, waitMs}` (the follow goes on), or `None` once stopped.
fn next_follow(f: &mut AnyFollow) -> Result<RawPage, Error> {
    match f {
        AnyFollow::Sessions(f) => follow_step(f.next(), Page::Sessions),
        AnyFollow::Errors(f) => follow_step(f.next(), Page::Errors),
    }
}

fn follow_step<T>(
    event: Option<Result<FollowEvent<T>, Error>>,
    page: fn(Vec<T>) -> Page,
) -> Result<RawPage, Error> {
    match event.transpose()? {
        None => Ok(None),
        Some(FollowEvent::Records(recs)) => raw_page(page(recs)).map(Some),
        Some(FollowEvent::Retrying {
            error,
            failures,
            wait,
        }) => {
            let json = serde_json::json!({
                "error": crate::error::payload(&error),
                "failures": failures,
                "waitMs": wait.as_secs_f64() * 1000.0,
            });
            Ok(Some(Either::B(json.to_string())))
        }
    }
}

/// A follow being polled; `stop()` ends it from the JS thread at once.
#[napi]
pub struct NativeFollow {
    inner: Arc<Mutex<AnyFollow>>,
    stop: StopHandle,
}

#[napi]
impl NativeFollow {
    /// Fresh records (columns), a poll failure (JSON), or `null` once stopped.
    #[napi(ts_return_type = "Promise<Columns | string | null>", catch_unwind)]
    pub fn next<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let inner = Arc::clone(&self.inner);
        spawn_promise(env, move || next_follow(&mut locked(&inner)), page_to_js)
    }

    /// Stop: a wait between polls ends at once, a poll under way after its request.
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        self.stop.stop();
    }
}

fn log_id_arg(v: f64) -> Result<u64, Error> {
    options::log_id("logId", options::whole("logId", v)?)
}

fn call_log_json(log: &CallLog) -> Result<String, Error> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        log_id: u64,
        text: &'a str,
        entries: &'a plumlogs::CallLogEntryRecords<'static>,
        /// The `error` text of a `success` answer; `lib/client.js` emits it.
        #[serde(skip_serializing_if = "Option::is_none")]
        warning: Option<&'a str>,
    }
    let mut out = Vec::with_capacity(log.text().len() * 3);
    write_json(
        &mut out,
        &Out {
            log_id: log.log_id,
            text: log.text(),
            entries: log.entries(),
            warning: log.warning.as_deref(),
        },
    )?;
    into_string(out)
}

/// What a listing's getters show, copied after each page: the getters never wait for
/// the lock a page in flight holds.
struct Snapshot {
    total: Option<u64>,
    warnings: Vec<String>,
    last: Option<String>,
    sub_windows: usize,
}

impl Snapshot {
    fn of(l: &AnyListing) -> Self {
        Snapshot {
            total: l.total_hint(),
            warnings: l.warnings().to_vec(),
            last: l.last_response().map(|m| meta_json(m).to_string()),
            sub_windows: l.sub_windows(),
        }
    }
}

/// A listing being fetched page by page.
#[napi]
pub struct NativePages {
    inner: Arc<Mutex<Option<AnyListing>>>,
    seen: Arc<Mutex<Snapshot>>,
    closed: Arc<AtomicBool>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while fetching cannot leave the pager half-updated in a way that
    // matters more than refusing every later call: keep going with its state.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The next page, the snapshot updated; at the end (or once closed) the core listing
/// is dropped, which lets its sub-window workers go.
fn next_listing_page(
    inner: &Mutex<Option<AnyListing>>,
    seen: &Mutex<Snapshot>,
    closed: &AtomicBool,
) -> Result<RawPage, Error> {
    let mut guard = locked(inner);
    if closed.load(Ordering::SeqCst) {
        *guard = None;
    }
    let Some(listing) = guard.as_mut() else {
        return Ok(None);
    };
    let page = next_page(listing);
    *locked(seen) = Snapshot::of(listing);
    if !matches!(page, Ok(Some(_))) {
        *guard = None;
    }
    page
}

#[napi]
impl NativePages {
    /// The next page (columns or JSON), or `null` at the end.
    #[napi(ts_return_type = "Promise<Columns | string | null>", catch_unwind)]
    pub fn next<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let (inner, seen, closed) = (
            Arc::clone(&self.inner),
            Arc::clone(&self.seen),
            Arc::clone(&self.closed),
        );
        spawn_promise(
            env,
            move || next_listing_page(&inner, &seen, &closed),
            page_to_js,
        )
    }

    #[napi(catch_unwind)]
    pub fn next_sync(&self) -> napi::Result<Option<Either<Columns, String>>> {
        next_listing_page(&self.inner, &self.seen, &self.closed)
            .map(page_to_js)
            .js()
    }

    /// The `total_*` count of the last page, when the server sent one.
    #[napi(getter, catch_unwind)]
    pub fn total_hint(&self) -> Option<f64> {
        locked(&self.seen).total.map(|v| v as f64)
    }

    /// Every warning so far: the `error` texts of `success` pages, in order.
    #[napi(getter, catch_unwind)]
    pub fn warnings(&self) -> Vec<String> {
        locked(&self.seen).warnings.clone()
    }

    /// The last page's response (JSON of `ResponseInfo`), `null` before the first.
    #[napi(getter, catch_unwind)]
    pub fn last_response(&self) -> Option<String> {
        locked(&self.seen).last.clone()
    }

    /// Sub-windows the window was cut into (1: one serial walk).
    #[napi(getter, catch_unwind)]
    pub fn sub_windows(&self) -> u32 {
        locked(&self.seen).sub_windows as u32
    }

    /// Stop fetching: the sub-window workers finish their current request and go.
    /// Never blocks the JS thread (a page in flight drops the listing when it ends).
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Ok(mut g) = self.inner.try_lock() {
            *g = None;
        }
    }
}

/// Each call of a listing with its log, in listing order.
#[napi]
pub struct NativeCallLogsWithText {
    inner: Arc<Mutex<Option<CallLogsWithText>>>,
    closed: Arc<AtomicBool>,
}

fn next_with_text(
    it: &Mutex<Option<CallLogsWithText>>,
    closed: &AtomicBool,
) -> Result<Option<String>, Error> {
    let mut guard = locked(it);
    if closed.load(Ordering::SeqCst) {
        // Dropping the core iterator lets its workers go.
        *guard = None;
    }
    let Some(iter) = guard.as_mut() else {
        return Ok(None);
    };
    let Some((summary, log)) = iter.next() else {
        *guard = None;
        return Ok(None);
    };
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"summary\":");
    write_json(&mut out, &summary)?;
    match log {
        Ok(log) => {
            out.extend_from_slice(b",\"log\":");
            out.extend_from_slice(call_log_json(&log)?.as_bytes());
        }
        Err(e) => {
            out.extend_from_slice(b",\"error\":");
            write_json(&mut out, &crate::error::payload(&e))?;
        }
    }
    out.push(b'}');
    into_string(out).map(Some)
}

#[napi]
impl NativeCallLogsWithText {
    /// JSON `{summary, log}` or `{summary, error}` (an error payload), or `null`.
    #[napi(ts_return_type = "Promise<string | null>", catch_unwind)]
    pub fn next<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let inner = Arc::clone(&self.inner);
        let closed = Arc::clone(&self.closed);
        spawn_promise(env, move || next_with_text(&inner, &closed), |s| s)
    }

    #[napi(getter, catch_unwind)]
    pub fn total(&self) -> u32 {
        locked(&self.inner)
            .as_ref()
            .map_or(0, |it| it.total() as u32)
    }

    /// The distinct warnings so far: the listing's, then those of the logs yielded.
    /// Never blocks the JS thread: while a `next` is in flight it answers `[]`, and
    /// the texts come with the following call.
    #[napi(getter, catch_unwind)]
    pub fn warnings(&self) -> Vec<String> {
        match self.inner.try_lock() {
            Ok(g) => g
                .as_ref()
                .map(|it| it.warnings().to_vec())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// Stop fetching (the workers finish their current request and go).
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        // A `next` in flight holds the lock; the flag makes the following call (or
        // the finaliser) drop the iterator instead. Never block the JS thread here.
        if let Ok(mut g) = self.inner.try_lock() {
            *g = None;
        }
    }
}

/// The core's defaults of every client option (times in seconds): what an option
/// left out means. For tests; nothing here chooses them.
#[napi(catch_unwind)]
pub fn defaults() -> std::collections::HashMap<String, f64> {
    options::DEFAULTS
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// The level `PLUM_LOG` asks for, by core's one reading (`off`, `error`, `warn`,
/// `info` or `debug`); a value it does not know is an `INVALID_ARGUMENT` naming `PLUM_LOG`.
#[napi(catch_unwind)]
pub fn plum_log_level(value: Option<String>) -> napi::Result<String> {
    plumlogs::client::plum_log_level(value.as_deref())
        .map(|l| l.as_str().to_ascii_lowercase())
        .map_err(|why| Error::invalid_argument("PLUM_LOG", why))
        .js()
}

/// The core's error codes, in the order of the classes' hierarchy.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<&'static str> {
    plumlogs::error::code::ALL.to_vec()
}

/// The core's schema descriptor of the four records (`plumlogs::schema::RECORDS`)
/// as JSON: what `lib/columns.js` must build, checked by `test/schema.test.mjs`.
#[napi(catch_unwind)]
pub fn record_schema() -> napi::Result<String> {
    serde_json::to_string(&plumlogs::schema::RECORDS)
        .map_err(|e| Error::Transport {
            message: format!("cannot serialise the schema: {e}"),
        })
        .js()
}

impl NativeClient {
    /// The core client, for the archive's `sync` (`src/sync.rs`).
    pub(crate) fn core(&self) -> &Client {
        &self.inner
    }
}
