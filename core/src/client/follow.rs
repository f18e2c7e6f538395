//! Following a listing: poll on an interval, hand over only what was not handed over
//! before (`plumlogs errors --follow`, `client.follow_errors()` in the bindings).
//!
//! Each poll lists the window `[max(since, now - lookback), now)`. The windows
//! overlap because a line can arrive late: the server lists a call once it has
//! ended, so a long call's lines appear well after its start. Lines already yielded
//! are recognised by their whole text and skipped. What is remembered is exactly
//! the lines of the last poll: every line of the next window that existed then was
//! in it, so nothing older is needed, and memory is bounded by one window's lines.

use super::{Client, Pages, Query};
use crate::error::Error;
use crate::error_line::ErrorRecord;
use crate::session::SessionRecord;
use std::collections::HashSet;
use std::fmt::Display;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Time between polls by default.
pub const DEFAULT_FOLLOW_INTERVAL: Duration = Duration::from_secs(10);
/// How far back each poll looks by default: a call's lines that arrive more than
/// this long after it started are not seen.
pub const DEFAULT_FOLLOW_LOOKBACK_SECONDS: i64 = 3600;
/// The longest wait between polls after failures in a row.
pub const MAX_FOLLOW_BACKOFF: Duration = Duration::from_secs(300);
/// The longest interval accepted.
pub const MAX_FOLLOW_INTERVAL: Duration = Duration::from_secs(86_400);

/// What [`Client::follow_sessions`] and the like poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowOptions {
    /// Time between polls, more than zero and at most [`MAX_FOLLOW_INTERVAL`].
    pub interval: Duration,
    /// Seconds each poll looks back from `now`, 1 up to the service's retention.
    pub lookback_seconds: i64,
    /// Start of the first poll's window (UNIX seconds); default `now - lookback`.
    /// Later polls never look before it.
    pub since: Option<i64>,
    /// Only calls to this number.
    pub number: Option<String>,
    /// Records asked for per request (as [`Query::page_size`]).
    pub page_size: u32,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            interval: DEFAULT_FOLLOW_INTERVAL,
            lookback_seconds: DEFAULT_FOLLOW_LOOKBACK_SECONDS,
            since: None,
            number: None,
            page_size: 1000,
        }
    }
}

impl FollowOptions {
    /// These options with polls every `d`.
    pub fn interval(mut self, d: Duration) -> Self {
        self.interval = d;
        self
    }
    /// These options looking `seconds` back on each poll.
    pub fn lookback_seconds(mut self, seconds: i64) -> Self {
        self.lookback_seconds = seconds;
        self
    }
    /// These options with the first window starting at `start`.
    pub fn since(mut self, start: i64) -> Self {
        self.since = Some(start);
        self
    }
    /// These options for calls to `number` only.
    pub fn number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }
    /// These options with `n` records per request.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }
}

/// Stops a [`Follow`] from any thread: a poll under way finishes its request, a wait
/// between polls ends at once, and the iterator then yields `None`. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<(Mutex<bool>, Condvar)>);

impl StopHandle {
    /// A handle not yet stopped.
    pub fn new() -> Self {
        Self::default()
    }
    /// Ask the follow to end.
    pub fn stop(&self) {
        *self.0.0.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0.1.notify_all();
    }
    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        *self.0.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// Wait until `until` or a stop, whichever is first; `true` if stopped.
    fn sleep_until(&self, until: Instant) -> bool {
        let mut stopped = self.0.0.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if *stopped {
                return true;
            }
            let now = Instant::now();
            if now >= until {
                return false;
            }
            stopped = self
                .0
                .1
                .wait_timeout(stopped, until - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// What a [`Follow`] yields.
#[derive(Debug)]
pub enum FollowEvent<T> {
    /// Records not yielded before, in time order (never empty).
    Records(Vec<T>),
    /// A poll failed with a transient error (connection, timeout, 429, 5xx, after
    /// the client's own retries); the follow waits `wait` and polls again.
    Retrying {
        /// The poll's error.
        error: Error,
        /// Failed polls in a row, from 1.
        failures: u32,
        /// The wait before the next poll (the interval doubled per failure, at
        /// most [`MAX_FOLLOW_BACKOFF`]).
        wait: Duration,
    },
}

/// Opens the walk of one poll's window.
type Open<T> = fn(&Client, &Query) -> Result<Pages<T>, Error>;

/// An endless listing: an [`Iterator`] of [`FollowEvent`]s that blocks between polls
/// and yields `None` once stopped through its [`StopHandle`]. A failure that is not
/// transient (credentials, a bad argument, a line that does not parse) is yielded as
/// `Err` and ends it.
pub struct Follow<T> {
    client: Client,
    open: Open<T>,
    opts: FollowOptions,
    since: i64,
    /// The lines of the last successful poll.
    seen: HashSet<String>,
    stop: StopHandle,
    failures: u32,
    due: Option<Instant>,
    polls: u64,
    finished: bool,
    _records: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Follow<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follow")
            .field("opts", &self.opts)
            .field("since", &self.since)
            .field("remembered", &self.seen.len())
            .field("polls", &self.polls)
            .field("failures", &self.failures)
            .field("finished", &self.finished)
            .finish()
    }
}

/// Whether a failed poll is worth another one later.
fn transient(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Api {
            http_status: Some(s),
            ..
        } => *s == 429 || *s >= 500,
        _ => false,
    }
}

impl<T: Display> Follow<T> {
    fn start(client: &Client, opts: &FollowOptions, open: Open<T>) -> Result<Self, Error> {
        let bad = |field: &str, m: String| Err(Error::invalid_argument(field, m));
        if opts.interval.is_zero() || opts.interval > MAX_FOLLOW_INTERVAL {
            return bad(
                "interval",
                format!(
                    "{}s must be more than zero and at most {}s",
                    opts.interval.as_secs_f64(),
                    MAX_FOLLOW_INTERVAL.as_secs()
                ),
            );
        }
        if opts.lookback_seconds < 1 {
            return bad(
                "lookback_seconds",
                format!("{} must be at least 1", opts.lookback_seconds),
            );
        }
        let now = client.now();
        let since = opts
            .since
            .unwrap_or_else(|| now.saturating_sub(opts.lookback_seconds));
        if since >= now {
            return bad("since", format!("{since} must be before now ({now})"));
        }
        let follow = Follow {
            client: client.clone(),
            open,
            opts: opts.clone(),
            since,
            seen: HashSet::new(),
            stop: StopHandle::new(),
            failures: 0,
            due: None,
            polls: 0,
            finished: false,
            _records: std::marker::PhantomData,
        };
        // Every rule of the first window (retention, page size, number), before any
        // request; the lookback is checked against the retention the same way.
        open(client, &follow.query(since, now))?;
        open(
            client,
            &follow.query(now.saturating_sub(opts.lookback_seconds), now),
        )?;
        Ok(follow)
    }

    fn query(&self, start: i64, end: i64) -> Query {
        let mut q = Query::new(start, end).page_size(self.opts.page_size);
        if let Some(n) = &self.opts.number {
            q = q.number(n.clone());
        }
        q
    }

    /// One poll: every record of the current window, or the error.
    fn poll(&mut self) -> Result<Vec<T>, Error> {
        self.polls += 1;
        let now = self.client.now();
        let start = self
            .since
            .max(now.saturating_sub(self.opts.lookback_seconds));
        if start >= now {
            return Ok(Vec::new());
        }
        (self.open)(&self.client, &self.query(start, now))?.collect()
    }

    /// Keep the records the last poll did not list; remember this poll's lines.
    fn fresh(&mut self, records: Vec<T>) -> Vec<T> {
        let mut listed = HashSet::with_capacity(records.len());
        let mut out = Vec::new();
        for r in records {
            let key = r.to_string();
            if !self.seen.contains(&key) && !listed.contains(&key) {
                out.push(r);
            }
            listed.insert(key);
        }
        self.seen = listed;
        out
    }
}

impl<T> Follow<T> {
    /// The handle that ends this follow; give it to another thread, a signal
    /// handler or a binding's cancellation.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }
    /// Polls made so far (each one window listed, or failed).
    pub fn polls(&self) -> u64 {
        self.polls
    }
}

impl<T: Display> Iterator for Follow<T> {
    type Item = Result<FollowEvent<T>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.finished || self.stop.is_stopped() {
                return None;
            }
            if let Some(due) = self.due
                && self.stop.sleep_until(due)
            {
                return None;
            }
            let polled = self.poll();
            if self.stop.is_stopped() {
                return None;
            }
            match polled {
                Ok(records) => {
                    self.failures = 0;
                    self.due = Some(Instant::now() + self.opts.interval);
                    let fresh = self.fresh(records);
                    if !fresh.is_empty() {
                        return Some(Ok(FollowEvent::Records(fresh)));
                    }
                }
                Err(error) if transient(&error) => {
                    self.failures = self.failures.saturating_add(1);
                    let wait = self
                        .opts
                        .interval
                        .checked_mul(1u32 << self.failures.min(16))
                        .unwrap_or(MAX_FOLLOW_BACKOFF)
                        .min(MAX_FOLLOW_BACKOFF)
                        .max(self.opts.interval);
                    self.due = Some(Instant::now() + wait);
                    return Some(Ok(FollowEvent::Retrying {
                        error,
                        failures: self.failures,
                        wait,
                    }));
                }
                Err(error) => {
                    self.finished = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

impl Client {
    /// Follow the session log: see [`Follow`] and [`FollowOptions`]. Checks the
    /// options before any request; the first poll is made by the first `next()`.
    pub fn follow_sessions(
        &self,
        opts: &FollowOptions,
    ) -> Result<Follow<SessionRecord<'static>>, Error> {
        Follow::start(self, opts, Client::sessions)
    }

    /// Follow the error log.
    pub fn follow_errors(
        &self,
        opts: &FollowOptions,
    ) -> Result<Follow<ErrorRecord<'static>>, Error> {
        Follow::start(self, opts, Client::errors)
    }

    /// Follow the session log as the lines the server sends, unparsed.
    pub fn follow_session_lines(&self, opts: &FollowOptions) -> Result<Follow<String>, Error> {
        Follow::start(self, opts, Client::session_lines)
    }

    /// Follow the error log as the lines the server sends, unparsed.
    pub fn follow_error_lines(&self, opts: &FollowOptions) -> Result<Follow<String>, Error> {
        Follow::start(self, opts, Client::error_lines)
    }
}
