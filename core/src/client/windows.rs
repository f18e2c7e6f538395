//! Long windows fetched as sub-windows in parallel.
//!
//! A window `[start, end)` longer than [`SPLIT_ABOVE_SECONDS`] is cut at multiples
//! of the sub-window length (UNIX time: a day-long piece is a UTC day; by default
//! the length gives about two pieces per worker), each piece is walked by its own [`Pages`]
//! on a worker thread, and the consumer reads the pieces in time order. The server
//! selects calls with `start <= callStart < end`, so pieces that share a boundary
//! never both hold a record: a record exactly on a boundary is in the later piece
//! only, and the records and their order are those of one serial walk.

use super::{Client, MAX_CONCURRENCY, Pages, Query, ResponseMeta};
use crate::call_summary::CallSummary;
use crate::error::Error;
use crate::error_line::ErrorRecord;
use crate::session::SessionRecord;
use std::collections::VecDeque;
use std::iter::FusedIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Sub-windows fetched at once by default: modest, because Plum's rate limits are
/// not documented (`benches/benches/windows.rs` measures what it buys).
pub const DEFAULT_WINDOW_CONCURRENCY: usize = 8;

/// Windows up to this long (a day) are one serial walk unless a sub-window length
/// is given: splitting them would mostly add requests.
pub const SPLIT_ABOVE_SECONDS: i64 = 86_400;

/// The shortest sub-window the automatic length picks (an hour).
pub const MIN_SUB_WINDOW_SECONDS: i64 = 3600;

/// Pieces per worker the automatic length aims at: enough that a sparse stretch
/// does not leave a worker idle, few enough that a sparse window costs few requests.
pub const PIECES_PER_WORKER: i64 = 2;

/// The most sub-windows one listing is cut into; a longer window gets longer pieces.
pub const MAX_SUB_WINDOWS: usize = 100_000;

/// How a listing is split. `Default`: [`DEFAULT_WINDOW_CONCURRENCY`] pieces at once,
/// of an automatic length (the window over `PIECES_PER_WORKER × concurrency`, at
/// least [`MIN_SUB_WINDOW_SECONDS`]), for windows longer than
/// [`SPLIT_ABOVE_SECONDS`]. A window no longer than one piece, a `limit` that one
/// page holds, and concurrency 1 are one serial walk of the whole window, request
/// for request the same as [`Client::sessions`] & co.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowOptions {
    /// Sub-windows fetched at once, 1..=[`MAX_CONCURRENCY`].
    pub concurrency: usize,
    /// Length of a sub-window in seconds, at least 1; `None`: automatic (and no
    /// split at all up to [`SPLIT_ABOVE_SECONDS`]).
    pub sub_window_seconds: Option<i64>,
}

impl Default for WindowOptions {
    fn default() -> Self {
        WindowOptions {
            concurrency: DEFAULT_WINDOW_CONCURRENCY,
            sub_window_seconds: None,
        }
    }
}

impl WindowOptions {
    /// These options with `concurrency` sub-windows at once.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }
    /// These options with sub-windows of `seconds`.
    pub fn sub_window_seconds(mut self, seconds: i64) -> Self {
        self.sub_window_seconds = Some(seconds);
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(Error::invalid_argument(
                "concurrency",
                format!("{} must be in 1..={MAX_CONCURRENCY}", self.concurrency),
            ));
        }
        if let Some(s) = self.sub_window_seconds
            && s < 1
        {
            return Err(Error::invalid_argument(
                "sub_window_seconds",
                format!("{s} must be at least 1"),
            ));
        }
        Ok(())
    }

    /// The piece length for a window of `span` seconds; `None`: do not split.
    fn piece_seconds(&self, span: i64) -> Option<i64> {
        match self.sub_window_seconds {
            Some(s) => (span > s).then_some(s),
            None if span <= SPLIT_ABOVE_SECONDS => None,
            None => {
                let pieces = PIECES_PER_WORKER * self.concurrency as i64;
                Some((span / pieces + (span % pieces != 0) as i64).max(MIN_SUB_WINDOW_SECONDS))
            }
        }
    }
}

/// `[start, end)` cut at multiples of `len` (at most [`MAX_SUB_WINDOWS`] pieces).
pub(crate) fn split(start: i64, end: i64, len: i64) -> Vec<(i64, i64)> {
    let span = (end as i128 - start as i128).max(0);
    let most = MAX_SUB_WINDOWS as i128 - 1;
    let min_len = ((span + most - 1) / most).max(1);
    let len = (len as i128).max(min_len) as i64;
    let mut pieces = Vec::new();
    let mut at = start;
    while at < end {
        let next = at
            .div_euclid(len)
            .checked_add(1)
            .and_then(|k| k.checked_mul(len))
            .map_or(end, |b| b.min(end));
        pieces.push((at, next));
        at = next;
    }
    pieces
}

/// Opens the walk of one (sub-)window: `Client::sessions` and the like.
type Open<T> = fn(&Client, &Query) -> Result<Pages<T>, Error>;

/// The records of a listing fetched as sub-windows in parallel
/// ([`Client::sessions_windowed`] and the like).
///
/// The same interface as [`Pages`]: an [`Iterator`] of `Result<T, Error>` that
/// yields `None` after an error (so a listing is everything or an error, never a
/// gap), or a page at a time with [`next_page`](Self::next_page). Records come in
/// time order; a failed sub-window fails the listing when the consumer reaches it.
///
/// Memory: the worker of the sub-window being read holds at most 2 pages ahead of
/// the consumer, the others together at most `4 × concurrency` pages; workers start
/// at most `2 × concurrency` sub-windows ahead.
///
/// Stopping: a listing that ends early (an error, or its `limit` reached) returns
/// that end only once its workers have stopped: each finishes the attempt it has
/// under way and makes no retry (a backoff being waited out ends at once), so
/// nothing of an ended listing still talks to the server. Dropping a listing before
/// its end stops the workers the same way, without waiting for them.
pub struct Windowed<T> {
    mode: Mode<T>,
}

enum Mode<T> {
    Serial(Pages<T>),
    Parallel(Parallel<T>),
}

impl<T> std::fmt::Debug for Windowed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.mode {
            Mode::Serial(p) => f.debug_tuple("Windowed::Serial").field(p).finish(),
            Mode::Parallel(p) => f
                .debug_struct("Windowed::Parallel")
                .field("windows", &p.windows)
                .field("concurrency", &p.concurrency)
                .field("finished", &p.finished)
                .finish(),
        }
    }
}

struct Parallel<T> {
    shared: Arc<Shared<T>>,
    windows: usize,
    concurrency: usize,
    /// Records of the query's `limit` still wanted.
    remaining: Option<u64>,
    /// Records yielded from sub-windows before the one being read (for parse-error
    /// line numbers counted from the start of the listing).
    before: u64,
    /// Records yielded from the sub-window being read.
    in_current: u64,
    buffer: std::vec::IntoIter<T>,
    finished: bool,
    last_response: Option<ResponseMeta>,
    /// The sub-windows' server warnings, distinct, in the order their pages came.
    warnings: Vec<String>,
    /// The workers, joined when the listing ends early.
    handles: Vec<JoinHandle<()>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    wake: Condvar,
    /// Set when the workers are to stop: they look at it under the lock, and their
    /// clients' transport looks at it between attempts (see `Client::stopped`).
    stop: Arc<AtomicBool>,
}

struct State<T> {
    /// The next sub-window a worker takes.
    next: usize,
    /// The sub-window the consumer reads.
    current: usize,
    slots: Vec<Slot<T>>,
    /// Pages buffered in slots other than `current`.
    ahead: usize,
    requests: u64,
    fetched: u64,
}

/// A page (or the error that ends a sub-window), the response it came in, and the
/// server warnings its sub-window gained with it.
type Delivery<T> = (Result<Vec<T>, Error>, Option<ResponseMeta>, Vec<String>);

struct Slot<T> {
    pages: VecDeque<Delivery<T>>,
    done: bool,
    total: Option<u64>,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A poisoned lock only means a worker panicked; the state is still sound.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn wait<'a>(&self, g: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
        self.wake.wait(g).unwrap_or_else(|p| p.into_inner())
    }
    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
    fn cancel(&self) {
        self.stop.store(true, Ordering::Relaxed);
        // Taken after the store, so a worker that saw the flag unset under the
        // lock is waiting by now, and is woken.
        drop(self.lock());
        self.wake.notify_all();
    }
}

impl<T: Send + 'static> Windowed<T> {
    fn start(
        client: &Client,
        q: &Query,
        opts: WindowOptions,
        open: Open<T>,
    ) -> Result<Self, Error> {
        opts.validate()?;
        // Checks the whole query (and makes the serial walk, which sends nothing yet).
        let serial = open(client, q)?;
        // A limit one page can hold is one request serially; in parallel it would be
        // one per sub-window started.
        let small_limit = q.limit.is_some_and(|l| l <= q.page_size as u64);
        // A window no longer than one sub-window is one walk, even across a cut.
        let piece = opts.piece_seconds(q.end.saturating_sub(q.start));
        let pieces = piece.map_or_else(Vec::new, |len| split(q.start, q.end, len));
        if opts.concurrency == 1 || pieces.len() < 2 || small_limit {
            return Ok(Windowed {
                mode: Mode::Serial(serial),
            });
        }
        let windows = pieces.len();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next: 0,
                current: 0,
                slots: (0..windows)
                    .map(|_| Slot {
                        pages: VecDeque::new(),
                        done: false,
                        total: None,
                    })
                    .collect(),
                ahead: 0,
                requests: 0,
                fetched: 0,
            }),
            wake: Condvar::new(),
            stop: Arc::new(AtomicBool::new(false)),
        });
        let pieces = Arc::new(pieces);
        let workers = opts.concurrency.min(windows);
        let mut handles = Vec::with_capacity(workers);
        for n in 0..workers {
            let client = client.with_stop(shared.stop.clone());
            let (mine, pieces, q) = (shared.clone(), pieces.clone(), q.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("plumlogs-window-{n}"))
                .spawn(move || worker(&client, &q, &pieces, open, &mine, workers));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    shared.cancel();
                    return Err(Error::Transport {
                        message: format!("could not start a worker thread: {e}"),
                    });
                }
            }
        }
        Ok(Windowed {
            mode: Mode::Parallel(Parallel {
                shared,
                windows,
                concurrency: workers,
                remaining: q.limit,
                before: 0,
                in_current: 0,
                buffer: Vec::new().into_iter(),
                finished: false,
                last_response: None,
                warnings: Vec::new(),
                handles,
            }),
        })
    }
}

fn worker<T>(
    client: &Client,
    q: &Query,
    pieces: &[(i64, i64)],
    open: Open<T>,
    shared: &Shared<T>,
    workers: usize,
) {
    let run_ahead = 2 * workers;
    let cap_ahead = 4 * workers;
    loop {
        let j = {
            let mut g = shared.lock();
            while !shared.cancelled() && g.next < pieces.len() && g.next >= g.current + run_ahead {
                g = shared.wait(g);
            }
            if shared.cancelled() || g.next >= pieces.len() {
                return;
            }
            g.next += 1;
            g.next - 1
        };
        let (start, end) = pieces[j];
        let mut sub = q.clone();
        sub.start = start;
        sub.end = end;
        let what = || format!("sub-window {} ({start}..{end})", j + 1);
        let mut pages = match super::caught(what, || open(client, &sub)) {
            Ok(p) => Some(p),
            Err(e) => {
                let mut g = shared.lock();
                g.slots[j].pages.push_back((Err(e), None, Vec::new()));
                if g.current != j {
                    g.ahead += 1;
                }
                None
            }
        };
        let mut seen_requests = 0;
        let mut warned = 0;
        while let Some(p) = pages.as_mut() {
            // A panic in the walk (a bug) ends the sub-window with an error; the
            // pager is not used again.
            let page = match super::caught(what, || Ok(p.next_page())) {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let failed = page.is_err();
            let new_warnings = p.warnings()[warned..].to_vec();
            warned = p.warnings().len();
            let mut g = shared.lock();
            g.requests += p.requests() - seen_requests;
            seen_requests = p.requests();
            if let Ok(records) = &page {
                g.fetched += records.len() as u64;
            }
            g.slots[j].total = p.total_hint();
            while !shared.cancelled()
                && ((g.current == j && g.slots[j].pages.len() >= 2)
                    || (g.current != j && g.ahead >= cap_ahead))
            {
                g = shared.wait(g);
            }
            if shared.cancelled() {
                return;
            }
            g.slots[j]
                .pages
                .push_back((page, p.last_response().cloned(), new_warnings));
            if g.current != j {
                g.ahead += 1;
            }
            drop(g);
            shared.wake.notify_all();
            if failed {
                break;
            }
        }
        shared.lock().slots[j].done = true;
        shared.wake.notify_all();
    }
}

impl<T> Parallel<T> {
    /// The next page in time order, `None` at the end. Truncated to the limit.
    fn next_page(&mut self) -> Option<Result<Vec<T>, Error>> {
        if self.buffer.len() > 0 {
            return Some(Ok(std::mem::take(&mut self.buffer).collect()));
        }
        if self.finished {
            return None;
        }
        let page = {
            let mut g = self.shared.lock();
            loop {
                let current = g.current;
                if current >= self.windows {
                    break None;
                }
                if let Some(page) = g.slots[current].pages.pop_front() {
                    break Some(page);
                }
                if g.slots[current].done {
                    g.current += 1;
                    // Pages buffered for the new current no longer count as ahead.
                    let next = g.current;
                    if next < self.windows {
                        let n = g.slots[next].pages.len();
                        g.ahead -= n;
                    }
                    self.before += self.in_current;
                    self.in_current = 0;
                    self.shared.wake.notify_all();
                    continue;
                }
                g = self.shared.wait(g);
            }
        };
        self.shared.wake.notify_all();
        let page = page.map(|(page, meta, warnings)| {
            self.last_response = meta;
            for w in warnings {
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
            page
        });
        match page {
            None => {
                self.finish();
                None
            }
            Some(Err(mut e)) => {
                self.finish();
                if let Error::Parse(p) = &mut e {
                    p.line += self.before as usize;
                }
                Some(Err(e))
            }
            Some(Ok(mut records)) => {
                if let Some(r) = &mut self.remaining {
                    records.truncate((*r).min(usize::MAX as u64) as usize);
                    *r -= records.len() as u64;
                    if *r == 0 {
                        self.finish();
                    }
                }
                self.in_current += records.len() as u64;
                Some(Ok(records))
            }
        }
    }

    /// Ends the listing early: stops the workers and waits until they have.
    fn finish(&mut self) {
        self.finished = true;
        self.shared.cancel();
        for handle in self.handles.drain(..) {
            // A worker that panicked has stopped too; its sub-window was not read.
            let _ = handle.join();
        }
    }
}

impl<T> Drop for Parallel<T> {
    fn drop(&mut self) {
        self.shared.cancel();
    }
}

impl<T> Windowed<T> {
    /// The next page of records in time order (a whole page, or what is left of one
    /// partly read through the iterator); `None` at the end and after an error.
    pub fn next_page(&mut self) -> Option<Result<Vec<T>, Error>> {
        match &mut self.mode {
            Mode::Serial(p) => p.next_page(),
            Mode::Parallel(p) => p.next_page(),
        }
    }

    /// Page-at-a-time iteration (see [`next_page`](Self::next_page)).
    pub fn pages(mut self) -> impl Iterator<Item = Result<Vec<T>, Error>> {
        std::iter::from_fn(move || self.next_page())
    }

    /// The server's `total_*` count of the whole window, once known: at once for a
    /// serial walk's first page, for a split one when every sub-window has answered.
    /// A hint for progress bars, as for [`Pages::total_hint`].
    pub fn total_hint(&self) -> Option<u64> {
        match &self.mode {
            Mode::Serial(p) => p.total_hint(),
            Mode::Parallel(p) => {
                let g = p.shared.lock();
                g.slots.iter().map(|s| s.total).sum()
            }
        }
    }

    /// Records received from the server so far (yielded, buffered or in flight to
    /// the consumer).
    pub fn fetched(&self) -> u64 {
        match &self.mode {
            Mode::Serial(p) => p.fetched(),
            Mode::Parallel(p) => p.shared.lock().fetched,
        }
    }

    /// Requests that completed with a page, over every sub-window (retries not counted).
    pub fn requests(&self) -> u64 {
        match &self.mode {
            Mode::Serial(p) => p.requests(),
            Mode::Parallel(p) => p.shared.lock().requests,
        }
    }

    /// Status, kept headers, time, size and attempt of the response of the last
    /// page handed over (see [`Pages::last_response`]).
    pub fn last_response(&self) -> Option<&ResponseMeta> {
        match &self.mode {
            Mode::Serial(p) => p.last_response(),
            Mode::Parallel(p) => p.last_response.as_ref(),
        }
    }

    /// The distinct server warnings (a `success` page's `error` text) of the pages
    /// handed over so far, in time order (see [`Pages::warnings`]).
    pub fn warnings(&self) -> &[String] {
        match &self.mode {
            Mode::Serial(p) => p.warnings(),
            Mode::Parallel(p) => &p.warnings,
        }
    }

    /// Sub-windows the window was cut into (1 for a serial walk).
    pub fn sub_windows(&self) -> usize {
        match &self.mode {
            Mode::Serial(_) => 1,
            Mode::Parallel(p) => p.windows,
        }
    }
}

impl<T> Iterator for Windowed<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.mode {
            Mode::Serial(p) => p.next(),
            Mode::Parallel(p) => loop {
                if let Some(item) = p.buffer.next() {
                    return Some(Ok(item));
                }
                match p.next_page()? {
                    Ok(page) => p.buffer = page.into_iter(),
                    Err(e) => return Some(Err(e)),
                }
            },
        }
    }
}

impl<T> FusedIterator for Windowed<T> {}

impl Client {
    /// [`Client::sessions`] with the window fetched as sub-windows in parallel.
    pub fn sessions_windowed(
        &self,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Windowed<SessionRecord<'static>>, Error> {
        Windowed::start(self, q, opts, Client::sessions)
    }

    /// [`Client::errors`] with the window fetched as sub-windows in parallel.
    pub fn errors_windowed(
        &self,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Windowed<ErrorRecord<'static>>, Error> {
        Windowed::start(self, q, opts, Client::errors)
    }

    /// [`Client::call_logs`] with the window fetched as sub-windows in parallel.
    pub fn call_logs_windowed(
        &self,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Windowed<CallSummary<'static>>, Error> {
        Windowed::start(self, q, opts, Client::call_logs)
    }

    /// [`Client::session_lines`] with the window fetched as sub-windows in parallel.
    pub fn session_lines_windowed(
        &self,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Windowed<String>, Error> {
        Windowed::start(self, q, opts, Client::session_lines)
    }

    /// [`Client::error_lines`] with the window fetched as sub-windows in parallel.
    pub fn error_lines_windowed(
        &self,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Windowed<String>, Error> {
        Windowed::start(self, q, opts, Client::error_lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_cuts_at_multiples_and_covers_the_window_once() {
        assert_eq!(split(10, 20, 100), vec![(10, 20)]);
        assert_eq!(split(90, 250, 100), vec![(90, 100), (100, 200), (200, 250)]);
        assert_eq!(split(100, 300, 100), vec![(100, 200), (200, 300)]);
        assert_eq!(split(-150, 20, 100), vec![(-150, -100), (-100, 0), (0, 20)]);
        assert!(split(5, 5, 10).is_empty());
        // A huge window with tiny pieces is capped in piece count, still contiguous.
        let p = split(0, 10_000_000, 1);
        assert!(p.len() <= MAX_SUB_WINDOWS, "{}", p.len());
        assert_eq!(p[0].0, 0);
        assert_eq!(p.last().unwrap().1, 10_000_000);
        assert!(p.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
        let p = split(i64::MIN + 5, i64::MAX - 5, 86_400);
        assert!(p.len() <= MAX_SUB_WINDOWS);
        assert_eq!(p.last().unwrap().1, i64::MAX - 5);
    }

    /// Opens the whole window (what `start` checks) but panics on every sub-window.
    fn panics_on_sub_windows(
        c: &Client,
        q: &Query,
    ) -> Result<Pages<SessionRecord<'static>>, Error> {
        if q.end - q.start < 2 * 86_400 {
            panic!("a bug in a sub-window's walk");
        }
        c.sessions(q)
    }

    #[test]
    fn a_worker_that_panics_ends_the_listing_with_an_error_instead_of_a_hang() {
        let client = Client::builder()
            .username("u")
            .password("p")
            .base_url("http://127.0.0.1:9")
            .build_with_env(|_| None)
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let q = Query::new(now - 3 * 86_400, now - 86_400);
        let opts = WindowOptions::default().concurrency(4);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let listing = Windowed::start(&client, &q, opts, panics_on_sub_windows).unwrap();
            let _ = tx.send(listing.collect::<Vec<_>>());
        });
        // Without the catch the consumer waits for the first sub-window for ever.
        let items = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the listing hung after its worker panicked");
        assert_eq!(items.len(), 1, "{items:?}");
        match &items[0] {
            Err(Error::Transport { message }) => {
                assert!(message.contains("sub-window 1 ("), "{message}");
                assert!(message.contains("panicked"), "{message}");
                assert!(
                    message.ends_with("a bug in a sub-window's walk"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn options_are_range_checked_naming_the_argument() {
        for (o, name) in [
            (WindowOptions::default().concurrency(0), "concurrency"),
            (WindowOptions::default().concurrency(65), "concurrency"),
            (
                WindowOptions::default().sub_window_seconds(0),
                "sub_window_seconds",
            ),
        ] {
            match o.validate() {
                Err(e @ Error::InvalidArgument { .. }) => {
                    let m = e.to_string();
                    assert!(m.starts_with(&format!("invalid argument {name}:")), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
        WindowOptions::default().validate().unwrap();
    }

    #[test]
    fn the_automatic_length_aims_at_two_pieces_per_worker_and_spares_short_windows() {
        let o = WindowOptions::default();
        assert_eq!(o.piece_seconds(86_400), None);
        assert_eq!(o.piece_seconds(90 * 86_400), Some(90 * 86_400 / 16));
        assert_eq!(o.piece_seconds(86_401), Some(5401));
        assert_eq!(
            o.concurrency(64).piece_seconds(2 * 86_400),
            Some(MIN_SUB_WINDOW_SECONDS)
        );
        assert_eq!(
            o.concurrency(2).piece_seconds(10 * 86_400 + 1),
            Some(216_001)
        );
        let fixed = o.sub_window_seconds(600);
        assert_eq!(fixed.piece_seconds(600), None);
        assert_eq!(fixed.piece_seconds(601), Some(600));
    }
}
