//! `calls/log/{log_id}`, and the documented list-then-fetch-each loop as one call.

use super::Client;
use super::query::Query;
use crate::call_summary::CallSummary;
use crate::decode;
use crate::error::Error;
use crate::records::CallLogEntryRecords;
use crate::service::Service;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};

/// The most worker threads `call_logs_with_text` starts, whatever is asked.
pub const MAX_CONCURRENCY: usize = 64;

/// How many bytes of log text [`Client::call_logs_with_text`] lets its workers
/// fetch ahead of the consumer by default (64 MiB), besides the count window of
/// `2 × concurrency` logs. A log held in memory takes about 1.5× its text once its
/// entries are parsed (see [`CallLog`]).
pub const DEFAULT_RUN_AHEAD_BYTES: usize = 64 * 1024 * 1024;

/// One call's detailed log: the text as served, and its entries.
///
/// The entries are held packed beside the text ([`CallLogEntryRecords`]: about
/// 64 bytes an entry, whose text stays in [`CallLog::text`]), so a log in memory
/// takes about 1.5× its text rather than 3–4×.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallLog {
    /// The `log_id` asked for.
    pub log_id: u64,
    /// The text and its entries, strictly parsed.
    entries: CallLogEntryRecords<'static>,
    /// The `error` text of the `success` answer, if it had one (see
    /// [`crate::LinesPage::warning`]). Not serialised when `None`.
    pub warning: Option<String>,
}

impl CallLog {
    /// The call-log text as served.
    pub fn text(&self) -> &str {
        self.entries.text()
    }

    /// The text's entries, strictly parsed: `get`, `iter`, `len`, or `for entry in
    /// log.entries()`.
    pub fn entries(&self) -> &CallLogEntryRecords<'static> {
        &self.entries
    }

    /// The text, giving up the entries.
    pub fn into_text(self) -> String {
        self.entries.into_text().into_owned()
    }
}

/// `{"log_id", "text", "entries", "warning"}` (no `warning` when `None`).
impl serde::Serialize for CallLog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 3 + usize::from(self.warning.is_some());
        let mut st = s.serialize_struct("CallLog", fields)?;
        st.serialize_field("log_id", &self.log_id)?;
        st.serialize_field("text", self.text())?;
        st.serialize_field("entries", &self.entries)?;
        if let Some(w) = &self.warning {
            st.serialize_field("warning", w)?;
        }
        st.end()
    }
}

impl Client {
    /// The detailed log of one call (`log_id` from [`Client::call_logs`]).
    pub fn call_log(&self, log_id: u64) -> Result<CallLog, Error> {
        let (text, warning) = self.call_log_text_and_warning(log_id)?;
        // The entries as spans into the text (the body's own buffer, unescaped in
        // place): no copy of it, no string per field.
        let entries = CallLogEntryRecords::parse(Cow::Owned(text))?;
        Ok(CallLog {
            log_id,
            entries,
            warning,
        })
    }

    /// The detailed log of one call as the text the server sent, unparsed, with the
    /// answer's warning (see [`CallLog::warning`]): for keeping a log whose entries
    /// do not all parse.
    pub fn call_log_text_and_warning(
        &self,
        log_id: u64,
    ) -> Result<(String, Option<String>), Error> {
        super::options::log_id("log_id", log_id as i128)?;
        let path = format!("/ws/calls/log/{log_id}");
        // The text is unescaped in the body's buffer and kept as it: no second
        // copy of a big log beside its body.
        self.get_body(Service::Log, &path, |body| {
            let page = decode::take_log_page(body)?;
            Ok((page.text.into_owned(), page.warning))
        })
    }

    /// Every call with a log in the window, each with its log: lists with
    /// [`call_logs`](Self::call_logs) (an error there is this call's error), then
    /// fetches the logs on `concurrency` threads (1 to [`MAX_CONCURRENCY`]; more is an
    /// `InvalidArgument`).
    ///
    /// Items come in listing order, each with its own result: one failed log does not
    /// stop the others. Workers run at most `2 × concurrency` logs and about
    /// [`DEFAULT_RUN_AHEAD_BYTES`] of log text ahead of the consumer (see
    /// [`call_logs_with_text_within`](Self::call_logs_with_text_within)), so memory
    /// stays bounded; dropping the iterator stops them after their current attempt (no
    /// retry follows it).
    pub fn call_logs_with_text(
        &self,
        q: &Query,
        concurrency: usize,
    ) -> Result<CallLogsWithText, Error> {
        self.call_logs_with_text_within(q, concurrency, DEFAULT_RUN_AHEAD_BYTES)
    }

    /// [`call_logs_with_text`](Self::call_logs_with_text) with its run-ahead bound in
    /// bytes of log text: a worker starts the next log only while the logs fetched
    /// and not yet consumed, plus those in flight (counted at the mean size of the
    /// logs so far), stay within `run_ahead_bytes`. The log the consumer waits for
    /// is always fetched, so a log larger than the bound still comes through; at
    /// most that bound plus one log (the largest) is held ahead of the consumer.
    /// Until one log has arrived, nothing runs ahead (its size is unknown).
    pub fn call_logs_with_text_within(
        &self,
        q: &Query,
        concurrency: usize,
        run_ahead_bytes: usize,
    ) -> Result<CallLogsWithText, Error> {
        let concurrency = super::options::concurrency("concurrency", concurrency as i128)?;
        let mut listing = self.call_logs(q)?;
        let summaries: Vec<CallSummary<'static>> = listing.by_ref().collect::<Result<_, _>>()?;
        let warnings = listing.warnings().to_vec();
        let workers = concurrency.min(MAX_CONCURRENCY).min(summaries.len());
        let shared = Arc::new(Shared {
            ids: summaries.iter().map(|s| s.log_id).collect(),
            window: 2 * workers.max(1),
            budget: run_ahead_bytes,
            state: Mutex::new(State {
                next: 0,
                yielded: 0,
                in_flight: 0,
                waiting_bytes: 0,
                sizes: HashMap::new(),
                fetched: 0,
                fetched_bytes: 0,
            }),
            wake: Condvar::new(),
            stop: Arc::new(AtomicBool::new(false)),
        });
        let (tx, rx) = mpsc::channel();
        for n in 0..workers {
            let client = self.with_stop(shared.stop.clone());
            let (mine, tx) = (shared.clone(), tx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("plumlogs-call-log-{n}"))
                .spawn(move || worker(&client, &mine, &tx));
            if let Err(e) = spawned {
                shared.cancel();
                return Err(Error::Transport {
                    message: format!("could not start a worker thread: {e}"),
                });
            }
        }
        Ok(CallLogsWithText {
            summaries: summaries.into_iter(),
            index: 0,
            pending: HashMap::new(),
            rx,
            shared,
            warnings,
        })
    }
}

struct Shared {
    ids: Vec<u64>,
    /// Logs ahead of the consumer, at most.
    window: usize,
    /// Bytes of log text ahead of the consumer, about (see `State::may_start`).
    budget: usize,
    state: Mutex<State>,
    wake: Condvar,
    /// Set when the workers are to stop: they look at it under the lock, and their
    /// clients' transport looks at it between attempts (see `Client::stopped`).
    stop: Arc<AtomicBool>,
}

struct State {
    /// The next index a worker will take.
    next: usize,
    /// Items handed to the consumer so far.
    yielded: usize,
    /// Requests under way.
    in_flight: usize,
    /// Text bytes of the logs fetched and not yet consumed, and each one's size.
    waiting_bytes: usize,
    sizes: HashMap<usize, usize>,
    /// Logs fetched so far and their text bytes: the mean estimates one in flight.
    fetched: usize,
    fetched_bytes: usize,
}

impl State {
    /// Whether a worker may start on `self.next`: always if the consumer waits
    /// for it; otherwise within the count window and the byte budget, counting
    /// what is in flight at the mean size so far (nothing runs ahead before the
    /// first log gives a size).
    fn may_start(&self, window: usize, budget: usize) -> bool {
        if self.next == self.yielded {
            return true;
        }
        if self.next >= self.yielded + window || self.fetched == 0 {
            return false;
        }
        let mean = self.fetched_bytes / self.fetched;
        let ahead = self
            .waiting_bytes
            .saturating_add(mean.saturating_mul(self.in_flight + 1));
        ahead <= budget
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a worker panicked; the counters are still sound.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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

fn worker(client: &Client, shared: &Shared, tx: &mpsc::Sender<(usize, Result<CallLog, Error>)>) {
    loop {
        let index = {
            let mut st = shared.lock();
            while !shared.cancelled()
                && st.next < shared.ids.len()
                && !st.may_start(shared.window, shared.budget)
            {
                st = shared.wake.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            if shared.cancelled() || st.next >= shared.ids.len() {
                return;
            }
            st.next += 1;
            st.in_flight += 1;
            st.next - 1
        };
        let id = shared.ids[index];
        let result = super::caught(|| format!("log {id}"), || client.call_log(id));
        let size = result.as_ref().map_or(0, |log| log.text().len());
        {
            let mut st = shared.lock();
            st.in_flight -= 1;
            st.fetched += 1;
            st.fetched_bytes = st.fetched_bytes.saturating_add(size);
            // Waiting until the consumer takes it (`CallLogsWithText::next`).
            st.waiting_bytes = st.waiting_bytes.saturating_add(size);
            st.sizes.insert(index, size);
        }
        shared.wake.notify_all();
        if tx.send((index, result)).is_err() {
            return;
        }
    }
}

/// Each call of a listing with its log, in listing order (see
/// [`Client::call_logs_with_text`]).
pub struct CallLogsWithText {
    summaries: std::vec::IntoIter<CallSummary<'static>>,
    index: usize,
    /// Logs that arrived before the ones ahead of them: at most the window.
    pending: HashMap<usize, Result<CallLog, Error>>,
    rx: Receiver<(usize, Result<CallLog, Error>)>,
    shared: Arc<Shared>,
    /// The listing's warnings, then those of the logs yielded so far.
    warnings: Vec<String>,
}

impl std::fmt::Debug for CallLogsWithText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallLogsWithText")
            .field("total", &self.shared.ids.len())
            .field("yielded", &self.index)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl CallLogsWithText {
    /// How many calls the listing found (the number of items this yields in all).
    pub fn total(&self) -> usize {
        self.shared.ids.len()
    }

    /// The distinct `error` texts of `success` answers so far, in the order first
    /// seen: the listing's pages (all read before the first item), then the logs
    /// yielded so far (each log's own is also its [`CallLog::warning`]).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl Iterator for CallLogsWithText {
    type Item = (CallSummary<'static>, Result<CallLog, Error>);

    fn next(&mut self) -> Option<Self::Item> {
        let summary = self.summaries.next()?;
        let result = loop {
            if let Some(r) = self.pending.remove(&self.index) {
                break r;
            }
            match self.rx.recv() {
                Ok((i, r)) => {
                    self.pending.insert(i, r);
                }
                // Every worker is gone without sending this one: only a panic does that.
                Err(_) => {
                    break Err(Error::Transport {
                        message: format!(
                            "the worker fetching log {} stopped unexpectedly",
                            summary.log_id
                        ),
                    });
                }
            }
        };
        if let Ok(CallLog {
            warning: Some(w), ..
        }) = &result
            && !self.warnings.contains(w)
        {
            self.warnings.push(w.clone());
        }
        {
            let mut st = self.shared.lock();
            if let Some(size) = st.sizes.remove(&self.index) {
                st.waiting_bytes -= size;
            }
            st.yielded = self.index + 1;
        }
        self.index += 1;
        self.shared.wake.notify_all();
        Some((summary, result))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.summaries.size_hint()
    }
}

impl ExactSizeIterator for CallLogsWithText {}

impl Drop for CallLogsWithText {
    fn drop(&mut self) {
        self.shared.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::State;
    use std::collections::HashMap;

    fn state(next: usize, yielded: usize, fetched: usize) -> State {
        State {
            next,
            yielded,
            in_flight: 0,
            waiting_bytes: 0,
            sizes: HashMap::new(),
            fetched,
            fetched_bytes: fetched * 100,
        }
    }

    #[test]
    fn workers_run_at_most_the_count_window_ahead() {
        let (window, budget) = (4, usize::MAX);
        // The log the consumer waits for always starts, even before any size is known.
        assert!(state(0, 0, 0).may_start(window, budget));
        assert!(state(7, 7, 0).may_start(window, budget));
        // Nothing runs ahead before the first log gives a size.
        assert!(!state(1, 0, 0).may_start(window, budget));
        // Within the window, with a size known: yes; at its edge: no.
        assert!(state(3, 0, 1).may_start(window, budget));
        assert!(!state(4, 0, 1).may_start(window, budget));
        assert!(state(6, 3, 3).may_start(window, budget));
        assert!(!state(7, 3, 3).may_start(window, budget));
    }

    #[test]
    fn workers_run_at_most_the_byte_budget_ahead() {
        // Logs of 100 bytes: two waiting and one in flight fill a budget of 300.
        let mut st = state(3, 0, 2);
        st.waiting_bytes = 200;
        assert!(st.may_start(16, 300));
        st.in_flight = 1;
        assert!(!st.may_start(16, 300));
        // The one the consumer waits for still starts.
        st.yielded = 3;
        assert!(st.may_start(16, 300));
    }
}
