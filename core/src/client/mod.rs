//! The blocking HTTP client (feature `client`, on by default).
//!
//! A thin layer over the decoders: it builds the four documented `GET` requests,
//! walks `offset`/`limit` pages, retries what is safe to retry, and hands back the
//! same records the line parsers produce, owned (`'static`) so they outlive their
//! page. The Python, Node and CLI layers call this; none of them talks HTTP.
//!
//! ```no_run
//! use plumlogs::{Client, Query};
//! let client = Client::builder().username("me@example.com").password("secret").build()?;
//! let now = client.now();
//! let day: Vec<_> = client.sessions(&Query::new(now - 86_400, now))?.collect::<Result<_, _>>()?;
//! println!("{} session lines", day.len());
//! # Ok::<(), plumlogs::Error>(())
//! ```
//!
//! Error choices (one enum, [`crate::Error`]):
//! - A bad argument, found before any request: `Error::InvalidArgument` naming it
//!   (every range is in [`options`]).
//! - No credentials (neither given nor in `PLUM_USERNAME`/`PLUM_PASSWORD`):
//!   `Error::Auth { http_status: None }` (kind `missing_credentials`) from
//!   [`ClientBuilder::build`], before any request — it is a credentials problem, and
//!   bindings map `Auth` to `AuthError`.
//! - HTTP 401/403, or a `failure` answer whose message says "unauthorized":
//!   `Error::Auth` with the real status.
//! - Any other non-2xx answer, or a `failure` envelope: `Error::Api` with the server's
//!   message (or, when the body has none, the status and a short excerpt) and the real
//!   HTTP status. For 429/500/502/503/504 this is the error of the last attempt.
//! - Connection errors, timeouts, and broken bodies (cut short, or not JSON/XML) are
//!   retried; when the retries (or the [`deadline`](ClientBuilder::deadline)) are
//!   spent: `Error::Transport`.
//! - A line on a page that does not parse: `Error::Parse`, its `line` counted from the
//!   first record of the walk (1-based). Not retried: the server would send it again.

mod call_logs;
mod follow;
mod listing;
mod network;
mod observe;
pub mod options;
mod pages;
mod profile;
mod query;
mod transport;
mod windows;

pub use call_logs::{CallLog, CallLogsWithText, DEFAULT_RUN_AHEAD_BYTES, MAX_CONCURRENCY};
pub use follow::{
    DEFAULT_FOLLOW_INTERVAL, DEFAULT_FOLLOW_LOOKBACK_SECONDS, Follow, FollowEvent, FollowOptions,
    MAX_FOLLOW_BACKOFF, MAX_FOLLOW_INTERVAL, StopHandle,
};
pub use listing::{Listing, Page};
pub use observe::{KEPT_HEADERS, LOG_TARGET, ResponseMeta, RetryEvent, plum_log_level};
pub use pages::Pages;
pub use profile::{Profile, config_path};
pub use query::{MAX_PAGE_SIZE, Query};
pub use windows::{
    DEFAULT_WINDOW_CONCURRENCY, MAX_SUB_WINDOWS, MIN_SUB_WINDOW_SECONDS, PIECES_PER_WORKER,
    SPLIT_ABOVE_SECONDS, WindowOptions, Windowed,
};

use crate::error::Error;
use crate::service::Wire;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where requests go when neither the builder nor `PLUM_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://hosting.plumvoice.com";
pub use network::TlsRoots;
pub use options::{DEFAULT_BACKOFF, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT};
/// A `Retry-After` longer than this is waited only this long: a blocking call should
/// not hang for an hour because a proxy said so.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// How far before the retention window a `start` may be. The client's clock and the
/// server's differ, and "a year ago" computed a moment before the request would
/// otherwise fail on a second boundary; the server has the last word.
pub const WINDOW_GRACE_SECONDS: i64 = 60;

type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Settings for a [`Client`]. Credentials and base URL fall back to `PLUM_USERNAME`,
/// `PLUM_PASSWORD` and `PLUM_BASE_URL`, read by [`build`](Self::build).
///
/// ```
/// use std::time::Duration;
/// use plumlogs::{Client, Wire};
/// let client = Client::builder()
///     .username("me@example.com")
///     .password("secret")
///     .wire(Wire::Xml)
///     .timeout(Duration::from_secs(10))
///     .max_retries(5)
///     .build()?; // checks the settings; sends nothing
/// assert_eq!(client.base_url(), "https://hosting.plumvoice.com");
/// assert!(!format!("{client:?}").contains("secret"));
///
/// let err = Client::builder().username("me").password("pw").base_url("http://plum.example").build();
/// assert!(err.is_err()); // https is required except on loopback
/// # Ok::<(), plumlogs::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    username: Option<String>,
    password: Option<String>,
    base_url: Option<String>,
    /// A profile's base URL: after `PLUM_BASE_URL` in [`build`](Self::build)'s order.
    profile_base_url: Option<String>,
    wire: Wire,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    max_retries: Option<u32>,
    backoff: Option<(Duration, Duration)>,
    user_agent: Option<String>,
    allow_insecure_http: bool,
    clock: Option<Clock>,
    hooks: observe::Hooks,
    proxy: Option<String>,
    ca_bundle: Option<std::path::PathBuf>,
    tls_roots: Option<TlsRoots>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("profile_base_url", &self.profile_base_url)
            .field("wire", &self.wire)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("backoff", &self.backoff)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("clock", &self.clock.as_ref().map(|_| "<custom>"))
            .field("hooks", &self.hooks)
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("ca_bundle", &self.ca_bundle)
            .field("tls_roots", &self.tls_roots)
            .finish()
    }
}

impl ClientBuilder {
    /// The Plum DEV login. Falls back to `PLUM_USERNAME`.
    pub fn username(mut self, u: impl Into<String>) -> Self {
        self.username = Some(u.into());
        self
    }
    /// The Plum DEV password. Falls back to `PLUM_PASSWORD`. Never shown by `Debug`,
    /// `Display` or any error.
    pub fn password(mut self, p: impl Into<String>) -> Self {
        self.password = Some(p.into());
        self
    }
    /// Falls back to `PLUM_BASE_URL`, then [`DEFAULT_BASE_URL`]. A path prefix is kept.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// The wire format asked for with `Accept` (JSON by default).
    pub fn wire(mut self, w: Wire) -> Self {
        self.wire = w;
        self
    }
    /// The whole of one attempt (connect, send, headers and body); default 30 s, at
    /// most [`options::MAX_TIMEOUT`] (checked by [`build`](Self::build)).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }
    /// A limit on one call with all its retries (one page of a listing, one call
    /// log): an attempt's timeout is cut to what is left of it, and no retry starts
    /// (nor any backoff is waited) past it. Off by default: then a call can take up
    /// to `(max_retries + 1) × timeout` plus the backoff. At most
    /// [`options::MAX_DEADLINE`].
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }
    /// Retries after the first attempt; default 3 (so at most 4 requests per call),
    /// at most [`options::MAX_RETRIES`].
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    /// Exponential backoff: retry `n` (0-based) waits about `base * 2^n`, at most `cap`,
    /// with jitter (between half and all of it). Default 500 ms and 30 s; each at most
    /// [`options::MAX_BACKOFF`], and `base <= cap`.
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Some((base, cap));
        self
    }
    /// Default `plumlogs/VERSION`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }
    /// Permit `http://` to a non-loopback host (credentials then travel in clear).
    /// `http://` to 127.0.0.0/8, `::1` or `localhost` is always allowed.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.allow_insecure_http = yes;
        self
    }
    /// The clock (UNIX seconds) that `start` is checked against; system time by default.
    /// Tests pin it to the emulator's fixed clock.
    pub fn clock(mut self, now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now));
        self
    }

    /// Called before each retry is waited for, with the failed attempt's metadata,
    /// the error and the wait (bindings turn it into an event or a callback). The
    /// same retries are logged at `warn` under [`LOG_TARGET`].
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.hooks.on_retry = Some(Arc::new(hook));
        self
    }

    /// Called after each HTTP attempt (the same line the `log` facade gets at `info`
    /// under [`LOG_TARGET`]), on the thread that made it: for a per-client request
    /// log in the bindings. The metadata holds no credential.
    pub fn on_response(mut self, hook: impl Fn(&ResponseMeta) + Send + Sync + 'static) -> Self {
        self.hooks.on_response = Some(Arc::new(hook));
        self
    }

    /// Send every request through this proxy (`http://host:port`, an HTTP `CONNECT`
    /// tunnel; user info allowed), instead of `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`,
    /// which are honoured (with `NO_PROXY`) when this is not set.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Trust only the certificates of this PEM file (a TLS-intercepting proxy's CA,
    /// a private CA). Falls back to `PLUM_CA_BUNDLE`, then `SSL_CERT_FILE`, then the
    /// built-in webpki roots. Read by [`build`](Self::build).
    pub fn ca_bundle(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_bundle = Some(path.into());
        self
    }

    /// Trust these roots when no CA bundle is given: the built-in webpki roots (the
    /// default) or the operating system's trust store ([`TlsRoots::Platform`], where a
    /// corporate CA is usually installed). Falls back to `PLUM_TLS_ROOTS`. `Platform`
    /// together with [`ca_bundle`](Self::ca_bundle) is refused by [`build`](Self::build).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = Some(roots);
        self
    }

    /// Check the settings and make the client. Sends nothing.
    pub fn build(self) -> Result<Client, Error> {
        self.build_with_env(|name| std::env::var(name).ok())
    }

    fn build_with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Client, Error> {
        let username = self
            .username
            .or_else(|| env("PLUM_USERNAME"))
            .filter(|s| !s.is_empty());
        let password = self
            .password
            .or_else(|| env("PLUM_PASSWORD"))
            .filter(|s| !s.is_empty());
        let (username, password) = match (username, password) {
            (Some(u), Some(p)) => (u, p),
            (u, p) => {
                let missing = match (u.is_none(), p.is_none()) {
                    (true, true) => "no username and no password",
                    (true, false) => "no username",
                    _ => "no password",
                };
                return Err(Error::Auth {
                    message: format!(
                        "{missing}: pass them to the client or set PLUM_USERNAME and PLUM_PASSWORD (nothing was sent)"
                    ),
                    http_status: None,
                });
            }
        };
        if username.contains(':') {
            // HTTP Basic cannot carry a colon in the user part.
            return Err(Error::invalid_argument(
                "username",
                "must not contain ':' (HTTP Basic cannot carry it)",
            ));
        }
        let base_url = self
            .base_url
            .or_else(|| env("PLUM_BASE_URL").filter(|s| !s.is_empty()))
            .or(self.profile_base_url)
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = transport::check_base_url(&base_url, self.allow_insecure_http)?;
        let timeout = options::check_timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let deadline = self.deadline.map(options::check_deadline).transpose()?;
        let (base, cap) = self.backoff.unwrap_or(DEFAULT_BACKOFF);
        let (backoff_base, backoff_cap) = options::check_backoff_durations(base, cap)?;
        let max_retries =
            options::check_max_retries(self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES))?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("plumlogs/", env!("CARGO_PKG_VERSION")).to_owned());
        let authorization = transport::basic_auth(&username, &password);
        let net = network::resolve(
            self.proxy.as_deref(),
            self.ca_bundle.as_deref(),
            self.tls_roots,
            &env,
        )?;
        let agent = transport::agent(timeout, &user_agent, net);
        Ok(Client {
            inner: Arc::new(Inner {
                username,
                authorization,
                base_url,
                wire: self.wire,
                timeout,
                deadline,
                max_retries,
                backoff_base,
                backoff_cap,
                user_agent,
                clock: self.clock,
                hooks: self.hooks,
                agent,
            }),
            stop: None,
        })
    }
}

/// A blocking client of the Call Log API. Cheap to clone (shared connection pool);
/// `Send + Sync`. `Debug` never shows the password.
///
/// ```no_run
/// use plumlogs::{Client, Query};
/// let client = Client::builder().build()?; // PLUM_USERNAME, PLUM_PASSWORD (, PLUM_BASE_URL)
/// let end = client.now();
/// let day = Query::new(end - 86_400, end);
/// for rec in client.sessions(&day.clone().page_size(5_000))? {
///     let rec = rec?; // pages are fetched as the iterator goes
///     println!("{} {} {:?}", rec.kind, rec.timestamp, rec.duration());
/// }
/// let errors: Vec<_> = client.errors(&day)?.collect::<Result<_, _>>()?;
/// let calls: Vec<_> = client.call_logs(&day.clone().limit(10))?.collect::<Result<_, _>>()?;
/// if let Some(call) = calls.first() {
///     let log = client.call_log(call.log_id)?;
///     println!("{} errors; call {}: {} entries", errors.len(), call.log_id, log.entries().len());
/// }
/// # Ok::<(), plumlogs::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Set by the owner of a worker's clone (a parallel listing) when its work is no
    /// longer wanted: the retry loop then gives up instead of waiting out a backoff.
    stop: Option<Arc<AtomicBool>>,
}

pub(crate) struct Inner {
    username: String,
    /// `Basic base64(user:password)`: the only place the password lives.
    authorization: String,
    /// Scheme, host, port and path prefix, without a trailing slash.
    base_url: String,
    wire: Wire,
    timeout: Duration,
    deadline: Option<Duration>,
    max_retries: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    user_agent: String,
    clock: Option<Clock>,
    hooks: observe::Hooks,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("username", &i.username)
            .field("password", &"<redacted>")
            .field("base_url", &i.base_url)
            .field("wire", &i.wire)
            .field("timeout", &i.timeout)
            .field("deadline", &i.deadline)
            .field("max_retries", &i.max_retries)
            .field("backoff", &(i.backoff_base, i.backoff_cap))
            .field("user_agent", &i.user_agent)
            .finish()
    }
}

impl Client {
    /// A builder with every option at its default; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The clock `start` is validated against (UNIX seconds).
    pub fn now(&self) -> i64 {
        match &self.inner.clock {
            Some(clock) => clock(),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        }
    }

    /// This client with `stop` as its stop flag (see [`stopped`](Self::stopped)).
    pub(crate) fn with_stop(&self, stop: Arc<AtomicBool>) -> Client {
        Client {
            inner: self.inner.clone(),
            stop: Some(stop),
        }
    }

    /// Whether this clone's owner no longer wants its work: a request under way
    /// still ends, but no retry follows it.
    pub(crate) fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// The base URL requests are made against, as the builder resolved it.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
    /// The login requests are made with (the password is never exposed).
    pub fn username(&self) -> &str {
        &self.inner.username
    }
    /// The wire format asked for with `Accept`.
    pub fn wire(&self) -> Wire {
        self.inner.wire
    }
    /// The limit on one attempt (connect, send, headers and body).
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }
    /// Retries after the first attempt of one call.
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries
    }
    /// The limit on one call with all its retries, if one was set.
    pub fn deadline(&self) -> Option<Duration> {
        self.inner.deadline
    }
}

/// Runs one piece of a worker thread's work, turning a panic in it (a plumlogs bug:
/// nothing a server sends should cause one) into an error for that piece.
///
/// A worker thread that unwound would leave its consumer waiting for ever for the
/// sub-window or log it had taken; with this the consumer gets this error in that
/// item's place, and the listing ends with it like with any other. `what` names the
/// piece (`sub-window 3 (1764547200..1764633600)`, `log 42`).
pub(crate) fn caught<R>(
    what: impl FnOnce() -> String,
    work: impl FnOnce() -> Result<R, Error>,
) -> Result<R, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(Error::Transport {
            message: format!(
                "the worker thread fetching {} panicked (a plumlogs bug, please report it): {}",
                what(),
                crate::grammar::error::excerpt(why.as_bytes(), 0)
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_none(_: &str) -> Option<String> {
        None
    }

    /// What the call-log workers (`call_logs.rs`) and the window workers get from a
    /// panic: an error naming the piece and the panic's message (bounded), for
    /// either payload type; work that does not panic passes through untouched.
    #[test]
    fn caught_turns_a_panic_into_an_error_naming_the_piece() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let by_str = caught(
            || "log 42".into(),
            || -> Result<(), Error> { panic!("boom") },
        );
        let long = "x".repeat(10_000);
        let by_string = caught(
            || "log 7".into(),
            || -> Result<(), Error> { std::panic::panic_any(long.clone()) },
        );
        std::panic::set_hook(quiet);
        match by_str {
            Err(Error::Transport { message }) => {
                assert!(message.contains("fetching log 42 panicked"), "{message}");
                assert!(message.ends_with(": boom"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match by_string {
            Err(Error::Transport { message }) => {
                assert!(message.contains("fetching log 7 panicked"), "{message}");
                assert!(
                    message.len() < 1_000,
                    "the payload is echoed whole: {message}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(caught(|| unreachable!(), || Ok::<_, Error>(5)).unwrap(), 5);
    }

    #[test]
    fn missing_credentials_are_an_auth_error_naming_what_is_missing() {
        for (b, what) in [
            (Client::builder(), "no username and no password"),
            (Client::builder().username("u"), "no password"),
            (Client::builder().password("p"), "no username"),
            (Client::builder().username("").password("p"), "no username"),
        ] {
            match b.build_with_env(env_none) {
                Err(
                    e @ Error::Auth {
                        http_status: None, ..
                    },
                ) => {
                    assert_eq!(e.kind(), Some(crate::error::kind::MISSING_CREDENTIALS));
                    assert!(e.message().unwrap().starts_with(what), "{e}");
                    assert!(e.to_string().starts_with("missing credentials: "), "{e}");
                }
                other => panic!("expected Auth, got {other:?}"),
            }
        }
    }

    #[test]
    fn credentials_and_base_url_fall_back_to_the_environment() {
        let env = |name: &str| match name {
            "PLUM_USERNAME" => Some("env-user".to_owned()),
            "PLUM_PASSWORD" => Some("env-secret".to_owned()),
            "PLUM_BASE_URL" => Some("http://127.0.0.1:9/prefix/".to_owned()),
            _ => None,
        };
        let c = Client::builder().build_with_env(env).unwrap();
        assert_eq!(c.username(), "env-user");
        assert_eq!(c.base_url(), "http://127.0.0.1:9/prefix");
        assert!(!format!("{c:?}").contains("env-secret"));
        // Explicit settings win over the environment.
        let c = Client::builder()
            .username("me")
            .base_url("https://example.com")
            .build_with_env(env)
            .unwrap();
        assert_eq!(c.username(), "me");
        assert_eq!(c.base_url(), "https://example.com");
        let c = Client::builder()
            .username("me")
            .password("pw")
            .build_with_env(env_none)
            .unwrap();
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
    }

    #[test]
    fn client_and_iterators_cross_threads() {
        // Bindings hold these across threads (Python releases the GIL, Node runs them
        // on worker threads).
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Client>();
        send_sync::<ClientBuilder>();
        send::<Pages<crate::SessionRecord<'static>>>();
        send::<Pages<crate::ErrorRecord<'static>>>();
        send::<Pages<crate::CallSummary<'static>>>();
        send::<CallLogsWithText>();
        send_sync::<CallLog>();
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let b = || Client::builder().username("u").password("p");
        assert!(matches!(
            b().username("a:b").build_with_env(env_none),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            b().timeout(Duration::ZERO).build_with_env(env_none),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            b().backoff(Duration::from_secs(2), Duration::from_secs(1))
                .build_with_env(env_none),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
