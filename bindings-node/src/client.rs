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
use napi::bindgen_prelude::{Either, Object};
use napi_derive::napi;
use plumlogs::client::options::{self, TimeUnit};
use plumlogs::client::{CallLog, CallLogsWithText};
use plumlogs::client::{Listing, Page};
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
}

#[napi(object)]
pub struct QueryOptions {
    pub start: f64,
    pub end: f64,
    pub number: Option<String>,
    pub limit: Option<f64>,
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

fn query(q: QueryOptions) -> Result<Query, Error> {
    let seconds = |v: f64, field: &str| options::whole(field, v).map(|v| v as i64);
    let mut query = Query::new(seconds(q.start, "start")?, seconds(q.end, "end")?);
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

/// One page as it crosses into JS: columns for sessions and errors, JSON for the rest.
type PageOut = Option<Either<Columns, String>>;
type RawPage = Option<Either<RawColumns, String>>;

fn page_to_js(p: RawPage) -> PageOut {
    p.map(to_js)
}

/// The next page of the core listing as it crosses into JS.
fn next_page(listing: &mut Listing) -> Result<RawPage, Error> {
    Ok(match listing.next_page().transpose()? {
        None => None,
        Some(Page::Sessions(recs)) => {
            let mut b = ColumnsBuilder::sessions(recs.len() * 128);
            recs.iter().for_each(|r| b.push_session(r));
            Some(Either::A(b.finish()?))
        }
        Some(Page::Errors(recs)) => {
            let mut b = ColumnsBuilder::errors(recs.len() * 128);
            recs.iter().for_each(|r| b.push_error(r));
            Some(Either::A(b.finish()?))
        }
        Some(Page::CallLogs(recs)) => {
            let mut out = Vec::with_capacity(recs.len() * 160);
            write_json(&mut out, &recs)?;
            Some(Either::B(into_string(out)?))
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
    /// Nothing is sent.
    #[napi(constructor, catch_unwind)]
    pub fn new(options: ClientOptions) -> napi::Result<Self> {
        let build = || -> Result<Client, Error> {
            let mut b = Client::builder();
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
            b.build()
        };
        Ok(NativeClient {
            inner: build().js()?,
        })
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
        let q = query(q).js()?;
        let service = service
            .parse::<Service>()
            .map_err(|e| Error::invalid_argument("service", e.to_string()))
            .js()?;
        let pages = self.inner.listing(service, &q).js()?;
        Ok(NativePages {
            inner: Arc::new(Mutex::new(pages)),
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
        let q = query(q).js()?;
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
}

fn log_id_arg(v: f64) -> Result<u64, Error> {
    options::log_id("logId", options::whole("logId", v)?)
}

fn call_log_json(log: &CallLog) -> Result<String, Error> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        log_id: u64,
        text: &'a str,
        entries: &'a [plumlogs::CallLogEntry<'static>],
        /// The `error` text of a `success` answer; `lib/client.js` emits it.
        #[serde(skip_serializing_if = "Option::is_none")]
        warning: Option<&'a str>,
    }
    let mut out = Vec::with_capacity(log.text.len() * 3);
    write_json(
        &mut out,
        &Out {
            log_id: log.log_id,
            text: &log.text,
            entries: &log.entries,
            warning: log.warning.as_deref(),
        },
    )?;
    into_string(out)
}

/// A listing being fetched page by page.
#[napi]
pub struct NativePages {
    inner: Arc<Mutex<Listing>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while fetching cannot leave the pager half-updated in a way that
    // matters more than refusing every later call: keep going with its state.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[napi]
impl NativePages {
    /// The next page (columns or JSON), or `null` at the end.
    #[napi(ts_return_type = "Promise<Columns | string | null>", catch_unwind)]
    pub fn next<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let inner = Arc::clone(&self.inner);
        spawn_promise(env, move || next_page(&mut locked(&inner)), page_to_js)
    }

    #[napi(catch_unwind)]
    pub fn next_sync(&self) -> napi::Result<Option<Either<Columns, String>>> {
        next_page(&mut locked(&self.inner)).map(page_to_js).js()
    }

    /// The `total_*` count of the last page, when the server sent one.
    #[napi(getter, catch_unwind)]
    pub fn total_hint(&self) -> Option<f64> {
        locked(&self.inner).total_hint().map(|v| v as f64)
    }

    /// Every warning so far: the `error` texts of `success` pages, in order.
    #[napi(getter, catch_unwind)]
    pub fn warnings(&self) -> Vec<String> {
        locked(&self.inner).warnings().to_vec()
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
