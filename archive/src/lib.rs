//! # plumlogs-archive
//!
//! `plumlogs sync`: keep every Plum Voice log before the service deletes it, in a
//! Parquet dataset that any engine reads — incremental, exact, and safe to kill.
//!
//! ```no_run
//! use plumlogs_archive::{SyncOptions, sync};
//! let client = plumlogs::Client::builder().build()?; // PLUM_USERNAME / PLUM_PASSWORD
//! let report = sync("/var/lib/plum-logs".as_ref(), &client, &SyncOptions::default())?;
//! println!("{} days written, {} gaps", report.days_written, report.gaps.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Layout
//!
//! Hive-partitioned by UTC day, one file per table and day:
//! `sessions/date=YYYY-MM-DD/part-0.parquet`, likewise `errors`, `calls` (one row per
//! call with a detailed log: its summary and the log text) and `call_log_entries`
//! (the parsed entries, with the call's `log_id`). A day holds the calls that
//! *started* that UTC day (the API's windows are by call start). Nothing the server
//! sent is lost, and nothing is stored twice: a line's `raw` (and a call's `text`)
//! is stored only where core's formatting of the row's record columns would not
//! give it back (extra blanks, a one-digit hour, CRLF, …), and is null where it
//! would (most lines); [`read::texts`] gives every line and log text back byte for
//! byte. A line that does not parse is kept in `raw`, with null record columns and
//! its reason in `parse_error`. Columns: [`schema`].
//!
//! An unsealed call-log day is fetched again (its listing: one request a page), but
//! the log text of a call that had ended at least [`SyncOptions::log_settle_seconds`]
//! before the earlier fetch (default [`DEFAULT_LOG_SETTLE_SECONDS`], 15 minutes) is
//! taken from the day's files instead of being fetched again. The API is silent on
//! when a listed call's log is final, so a text fetched sooner after its call's end
//! is fetched again next run; one fetched later is taken as final. The settle time
//! is at most the seal lag: raising it towards [`SyncOptions::seal_lag_seconds`]
//! trades requests (every recent call's log refetched on every run) for caution.
//!
//! ## Semantics
//!
//! - A day is **sealed** once it was fetched completely by a fetch that started at
//!   least [`SyncOptions::seal_lag_seconds`] after the day's end (default
//!   [`DEFAULT_SEAL_LAG_SECONDS`], 6 hours, for lines that arrive late). Sealed days
//!   are never fetched again; unsealed days in range are fetched again and their file
//!   replaced.
//! - The first run starts at the oldest day each service still keeps whole
//!   (sessions and errors 365 days, call logs 5), or at [`SyncOptions::since`]'s day,
//!   clamped to that. A later `since` can only widen the range.
//!   [`RETENTION_MARGIN_SECONDS`] keeps requests clear of the retention edge.
//! - A day in range that left retention without being sealed is a **gap**: in every
//!   [`SyncReport`] and in [`status`], never silent.
//! - Crash safety: each file is written to a temporary name, fsynced, renamed, and its
//!   directory fsynced; the state file ([`STATE_FILE`]) is replaced the same way, after
//!   the data. A run killed at any instant leaves the dataset readable; the next run
//!   removes its temporary files and converges to what an uninterrupted run writes.
//! - One sync per directory: a second one fails with [`SyncError::Locked`].
//! - Days are fetched in parallel, at most [`SyncOptions::concurrency`] requests in
//!   flight. A day that fails does not stop the others; the run then fails with
//!   [`SyncError::Days`] (which carries the report) and the day is fetched next run.
//!
//! The Python and Node `sync` functions are meant as thin wrappers: [`SyncOptions`]
//! and [`SyncReport`] are plain serde types.

#![warn(missing_docs)]

pub mod read;
pub mod schema;

mod canonical;
mod rows;
mod store;

pub use store::{
    DayState, LOCK_FILE, PART_FILE, STATE_FILE, State, TableState, date_of_day, day_file,
};

use plumlogs::client::MAX_PAGE_SIZE;
use plumlogs::{CallSummary, Client, Query, Service};
use rows::TableRows;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Seconds after a day's end before a complete fetch seals it (6 hours).
pub const DEFAULT_SEAL_LAG_SECONDS: i64 = 6 * 3600;
/// The largest seal lag: longer, and a call-log day (kept 5 days) could leave
/// retention before it is sealed.
pub const MAX_SEAL_LAG_SECONDS: i64 = 3 * 86_400;
/// Seconds after a call's end before its fetched log text is taken as final and
/// reused by later runs instead of fetched again (15 minutes).
pub const DEFAULT_LOG_SETTLE_SECONDS: i64 = 900;
/// The settle time an interface uses when none is given: the default, or the seal
/// lag where that is shorter (a settle time never exceeds the seal lag; one given
/// explicitly beyond it is refused).
pub fn default_log_settle_seconds(seal_lag_seconds: i64) -> i64 {
    DEFAULT_LOG_SETTLE_SECONDS.min(seal_lag_seconds.max(0))
}
/// How far inside the retention window the oldest request starts. The server refuses
/// a start exactly at the edge, and the edge moves on while a run is under way.
pub const RETENTION_MARGIN_SECONDS: i64 = 600;
/// Requests in flight by default for a sync: more than a single listing's
/// `plumlogs::client::options::DEFAULT_CONCURRENCY`, because a sync fetches many days at once.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most requests in flight.
pub const MAX_CONCURRENCY: usize = plumlogs::client::MAX_CONCURRENCY;
/// The most warnings a report keeps.
pub const MAX_WARNINGS: usize = 100;
/// How often, at most, the state file is rewritten during a run (and once at its end).
const STATE_SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// The four tables of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Session log lines.
    Sessions,
    /// Error log lines.
    Errors,
    /// One row per call with a detailed log: its summary and the log text.
    Calls,
    /// The entries of the call logs.
    CallLogEntries,
}

impl Table {
    /// Every table, in the order they are listed.
    pub const ALL: [Table; 4] = [
        Table::Sessions,
        Table::Errors,
        Table::Calls,
        Table::CallLogEntries,
    ];

    /// The directory name: `sessions`, `errors`, `calls`, `call_log_entries`.
    pub const fn name(self) -> &'static str {
        match self {
            Table::Sessions => "sessions",
            Table::Errors => "errors",
            Table::Calls => "calls",
            Table::CallLogEntries => "call_log_entries",
        }
    }

    /// The service the table comes from (and whose retention applies).
    pub const fn service(self) -> Service {
        match self {
            Table::Sessions => Service::Sessions,
            Table::Errors => Service::Errors,
            Table::Calls | Table::CallLogEntries => Service::Logs,
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Table {
    type Err = String;
    fn from_str(s: &str) -> Result<Table, String> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown table {:?}: expected one of sessions, errors, calls, call_log_entries",
                    s.chars().take(40).collect::<String>()
                )
            })
    }
}

/// What a sync does. `Default` is every table, from as far back as each service keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncOptions {
    /// The tables to sync; not empty.
    pub tables: Vec<Table>,
    /// Start the range at this time's UTC day (UNIX seconds) instead of the oldest
    /// day the service keeps whole; clamped to retention.
    pub since: Option<i64>,
    /// Requests in flight at most, 1..=[`MAX_CONCURRENCY`].
    pub concurrency: usize,
    /// Seconds after a day's end before a complete fetch seals it,
    /// 0..=[`MAX_SEAL_LAG_SECONDS`].
    pub seal_lag_seconds: i64,
    /// Seconds after a call's end before a fetched log text is taken as final: a
    /// text fetched at least this long after its call ended is reused by later runs
    /// of an unsealed day, a text fetched sooner is fetched again.
    /// 0..=[`MAX_SEAL_LAG_SECONDS`] and at most `seal_lag_seconds`.
    pub log_settle_seconds: i64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            tables: Table::ALL.to_vec(),
            since: None,
            concurrency: DEFAULT_CONCURRENCY,
            seal_lag_seconds: DEFAULT_SEAL_LAG_SECONDS,
            log_settle_seconds: DEFAULT_LOG_SETTLE_SECONDS,
        }
    }
}

impl SyncOptions {
    fn validate(&self) -> Result<(), SyncError> {
        if self.tables.is_empty() {
            return Err(invalid("tables", "must name at least one table".into()));
        }
        plumlogs::client::options::concurrency("concurrency", self.concurrency as i128)?;
        for (field, seconds) in [
            ("seal_lag_seconds", self.seal_lag_seconds),
            ("log_settle_seconds", self.log_settle_seconds),
        ] {
            if !(0..=MAX_SEAL_LAG_SECONDS).contains(&seconds) {
                return Err(invalid(
                    field,
                    format!("must be from 0 to {MAX_SEAL_LAG_SECONDS}, got {seconds}"),
                ));
            }
        }
        if self.log_settle_seconds > self.seal_lag_seconds {
            return Err(invalid(
                "log_settle_seconds",
                format!(
                    "must not exceed seal_lag_seconds ({}), got {}",
                    self.seal_lag_seconds, self.log_settle_seconds
                ),
            ));
        }
        Ok(())
    }
}

/// One table's day.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DayRef {
    /// The table.
    pub table: Table,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
}

/// A day whose fetch or write failed; it is fetched again next run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFailure {
    /// The tables the failed fetch was for (`calls` and `call_log_entries` share one).
    pub tables: Vec<Table>,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// What went wrong.
    pub error: String,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The clock (UNIX seconds) the run planned with.
    pub now: i64,
    /// Table files written (replaced or new).
    pub days_written: u64,
    /// Of those, files whose day is now sealed.
    pub days_sealed: u64,
    /// Days skipped because they were sealed before.
    pub days_already_sealed: u64,
    /// Days in range that left retention unsealed, oldest first (all of them, on every run).
    pub gaps: Vec<DayRef>,
    /// Days that failed this run.
    pub failures: Vec<DayFailure>,
    /// Rows written.
    pub records: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Requests that returned a page or a log (retries not counted).
    pub requests: u64,
    /// What the server said beside its data (a `success` answer carrying an error
    /// text), prefixed with the day; at most [`MAX_WARNINGS`].
    pub warnings: Vec<String>,
    /// Temporary files of an earlier, interrupted run that were removed.
    pub cleaned: u64,
    /// Wall time of the run.
    pub seconds: f64,
}

/// What a run tells its caller while it goes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Progress {
    /// The plan: this many day fetches to do.
    Planned {
        /// Day fetches planned.
        days: u64,
    },
    /// One day fetch finished (written, or failed).
    Day {
        /// `YYYY-MM-DD`.
        date: String,
        /// Its tables.
        tables: Vec<Table>,
        /// Rows written for it.
        records: u64,
        /// Bytes written for it.
        bytes: u64,
        /// Whether it failed (it is reported at the end).
        failed: bool,
    },
}

fn invalid(field: &str, reason: String) -> SyncError {
    SyncError::Client(plumlogs::Error::InvalidArgument {
        field: field.to_owned(),
        reason,
    })
}

/// Why a sync did not complete.
#[derive(Debug)]
pub enum SyncError {
    /// Before anything was fetched: an option out of range
    /// (`plumlogs::Error::InvalidArgument`, naming the option), or the client's own
    /// error.
    Client(plumlogs::Error),
    /// Another sync holds the directory's lock.
    Locked {
        /// The dataset directory.
        dir: PathBuf,
    },
    /// A file could not be read or written.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
    /// The state file is not one this crate wrote.
    State {
        /// The state file.
        path: PathBuf,
        /// Why it was refused.
        message: String,
    },
    /// Some days failed (each with its error); the others were written. The report
    /// is the run's, failures included.
    Days(Box<SyncReport>),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Client(e) => e.fmt(f),
            SyncError::Locked { dir } => write!(
                f,
                "another plumlogs sync is running on {} (it holds {}); try again when it has finished",
                dir.display(),
                dir.join(LOCK_FILE).display()
            ),
            SyncError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            SyncError::State { path, message } => {
                write!(f, "{}: not a usable sync state: {message}", path.display())
            }
            SyncError::Days(r) => {
                write!(f, "{} day fetch(es) failed", r.failures.len())?;
                if let Some(first) = r.failures.first() {
                    let names: Vec<_> = first.tables.iter().map(|t| t.name()).collect();
                    write!(
                        f,
                        "; first: {} {}: {}",
                        names.join("+"),
                        first.date,
                        first.error
                    )?;
                }
                write!(f, " (they are fetched again next run)")
            }
        }
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyncError::Client(e) => Some(e),
            _ => None,
        }
    }
}

impl From<plumlogs::Error> for SyncError {
    fn from(e: plumlogs::Error) -> Self {
        SyncError::Client(e)
    }
}

/// The status of one table of a dataset (see [`status`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStatus {
    /// The table.
    pub table: Table,
    /// The first day in range, `YYYY-MM-DD`.
    pub origin: String,
    /// Days with a file.
    pub days: u64,
    /// Of those, sealed.
    pub sealed: u64,
    /// Days with a file that are not sealed yet (fetched again next run).
    pub unsealed: Vec<String>,
    /// Days in range that left retention unsealed.
    pub gaps: Vec<String>,
    /// Rows in its files.
    pub records: u64,
    /// Bytes of its files.
    pub bytes: u64,
    /// When its newest file was fetched (UNIX seconds).
    pub last_fetched: Option<i64>,
}

/// Where a dataset stands, from its state file alone (no request, no lock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The clock the gaps were judged by.
    pub now: i64,
    /// Every table synced so far.
    pub tables: Vec<TableStatus>,
}

fn edge(table: Table, now: i64) -> i64 {
    now - table.service().retention_seconds() + RETENTION_MARGIN_SECONDS
}

/// The first day whose every second is at or after the edge.
fn first_whole_day(table: Table, now: i64) -> i64 {
    (edge(table, now) + 86_399).div_euclid(86_400)
}

fn gaps_of(table: Table, ts: &TableState, now: i64) -> Vec<i64> {
    let today = now.div_euclid(86_400);
    let first = first_whole_day(table, now);
    (ts.origin..=today.min(first - 1))
        .filter(|&d| !ts.days.get(&date_of_day(d)).is_some_and(|s| s.sealed))
        .collect()
}

/// The dataset's status at `now` (UNIX seconds; normally the client's clock): days
/// sealed, unsealed and gaps per table. Reads the state file only.
pub fn status(dir: &Path, now: i64) -> Result<Status, SyncError> {
    let state = State::load(dir)?;
    let mut tables = Vec::new();
    for table in Table::ALL {
        let Some(ts) = state.tables.get(table.name()) else {
            continue;
        };
        tables.push(TableStatus {
            table,
            origin: date_of_day(ts.origin),
            days: ts.days.len() as u64,
            sealed: ts.days.values().filter(|d| d.sealed).count() as u64,
            unsealed: ts
                .days
                .iter()
                .filter(|(_, d)| !d.sealed)
                .map(|(k, _)| k.clone())
                .collect(),
            gaps: gaps_of(table, ts, now)
                .into_iter()
                .map(date_of_day)
                .collect(),
            records: ts.days.values().map(|d| d.records).sum(),
            bytes: ts.days.values().map(|d| d.bytes).sum(),
            last_fetched: ts.days.values().map(|d| d.fetched_at).max(),
        });
    }
    Ok(Status { now, tables })
}

/// Sync `dir` (created if missing) with the client's account. See the crate docs
/// for what a run does; `Ok` means every day in range is written or a reported gap.
pub fn sync(dir: &Path, client: &Client, opts: &SyncOptions) -> Result<SyncReport, SyncError> {
    sync_with_progress(dir, client, opts, &|_| {})
}

/// [`sync`], calling `progress` (from the calling thread) as days finish.
pub fn sync_with_progress(
    dir: &Path,
    client: &Client,
    opts: &SyncOptions,
    progress: &dyn Fn(&Progress),
) -> Result<SyncReport, SyncError> {
    opts.validate()?;
    let started = Instant::now();
    let _lock = store::lock(dir)?;
    let cleaned = store::clean(dir)? as u64;
    let mut state = State::load(dir)?;
    let now = client.now();
    let today = now.div_euclid(86_400);
    if let Some(since) = opts.since
        && since.div_euclid(86_400) > today
    {
        return Err(invalid(
            "since",
            format!("{since} is after today ({})", date_of_day(today)),
        ));
    }
    let tables: BTreeSet<Table> = opts.tables.iter().copied().collect();
    let mut report = SyncReport {
        now,
        cleaned,
        ..SyncReport::default()
    };

    // The plan: per source and day, the tables that want it.
    let mut plan: BTreeMap<(Source, i64), Vec<Table>> = BTreeMap::new();
    for &table in &tables {
        let first = first_whole_day(table, now);
        let wanted = opts
            .since
            .map_or(first, |s| s.div_euclid(86_400).max(first));
        let ts = state
            .tables
            .entry(table.name().to_owned())
            .or_insert_with(|| TableState {
                origin: wanted,
                days: BTreeMap::new(),
            });
        ts.origin = ts.origin.min(wanted);
        for day in ts.origin.max(first)..=today {
            match ts.days.get(&date_of_day(day)) {
                Some(d) if d.sealed => report.days_already_sealed += 1,
                _ => plan
                    .entry((Source::of(table), day))
                    .or_default()
                    .push(table),
            }
        }
    }
    progress(&Progress::Planned {
        days: plan.len() as u64,
    });

    // The day that leaves retention soonest first (the oldest call-log day, then the
    // oldest session and error days, …): a long first run cannot lose a day that was
    // still there when it began.
    let mut plan: Vec<Job> = plan.into_iter().collect();
    plan.sort_by_key(|((source, day), _)| (day * 86_400 + source.retention_seconds(), *source));
    // When each day's `calls` file was fetched: a text in it was fetched then or
    // later, or was reused because it was fetched at least the seal lag after its
    // call's end; either way, that time judges whether it is settled.
    let texts_fetched_at: HashMap<i64, i64> = state
        .tables
        .get(Table::Calls.name())
        .map(|ts| {
            plan.iter()
                .filter(|((source, _), _)| *source == Source::Logs)
                .filter_map(|&((_, day), _)| {
                    Some((day, ts.days.get(&date_of_day(day))?.fetched_at))
                })
                .collect()
        })
        .unwrap_or_default();
    let jobs = Jobs::new(plan);
    let permits = Permits::new(opts.concurrency);
    let requests = AtomicU64::new(0);
    let ctx = Ctx {
        root: dir,
        client,
        permits: &permits,
        requests: &requests,
        concurrency: opts.concurrency,
        log_settle_seconds: opts.log_settle_seconds,
        texts_fetched_at: &texts_fetched_at,
    };
    let (tx, rx) = mpsc::channel::<Done>();
    let mut last_save = Instant::now();
    let mut dirty = false;
    let mut failure: Option<SyncError> = None;
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency {
            let (tx, jobs, ctx) = (tx.clone(), &jobs, &ctx);
            scope.spawn(move || {
                loop {
                    let Some(((source, day), tables)) = jobs.take() else {
                        return;
                    };
                    let fetched_at = ctx.client.now();
                    let mut warnings = Vec::new();
                    let result = run_job(ctx, source, day, &tables, &mut warnings);
                    jobs.finished(source);
                    let done = Done {
                        day,
                        tables,
                        fetched_at,
                        warnings,
                        result,
                    };
                    if tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        for done in rx {
            let date = date_of_day(done.day);
            for w in &done.warnings {
                if report.warnings.len() < MAX_WARNINGS {
                    report.warnings.push(format!("{date}: {w}"));
                }
            }
            match done.result {
                Ok(files) => {
                    let sealed = done.fetched_at >= (done.day + 1) * 86_400 + opts.seal_lag_seconds;
                    let (mut records, mut bytes) = (0, 0);
                    for (table, r, b) in files {
                        state
                            .tables
                            .get_mut(table.name())
                            .expect("planned tables have a state")
                            .days
                            .insert(
                                date.clone(),
                                DayState {
                                    sealed,
                                    fetched_at: done.fetched_at,
                                    records: r,
                                    bytes: b,
                                },
                            );
                        report.days_written += 1;
                        report.days_sealed += sealed as u64;
                        records += r;
                        bytes += b;
                    }
                    report.records += records;
                    report.bytes += bytes;
                    dirty = true;
                    progress(&Progress::Day {
                        date,
                        tables: done.tables,
                        records,
                        bytes,
                        failed: false,
                    });
                }
                Err(e) => {
                    report.failures.push(DayFailure {
                        tables: done.tables.clone(),
                        date: date.clone(),
                        error: e.to_string(),
                    });
                    progress(&Progress::Day {
                        date,
                        tables: done.tables,
                        records: 0,
                        bytes: 0,
                        failed: true,
                    });
                }
            }
            if dirty && failure.is_none() && last_save.elapsed() >= STATE_SAVE_INTERVAL {
                match state.save(dir) {
                    Ok(()) => dirty = false,
                    Err(e) => failure = Some(e),
                }
                last_save = Instant::now();
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    state.save(dir)?;
    for &table in &tables {
        let ts = &state.tables[table.name()];
        report
            .gaps
            .extend(gaps_of(table, ts, now).into_iter().map(|d| DayRef {
                table,
                date: date_of_day(d),
            }));
    }
    report
        .gaps
        .sort_by(|a, b| (&a.date, a.table).cmp(&(&b.date, b.table)));
    report.failures.sort_by(|a, b| a.date.cmp(&b.date));
    report.requests = requests.load(Ordering::Relaxed);
    report.seconds = started.elapsed().as_secs_f64();
    if report.failures.is_empty() {
        Ok(report)
    } else {
        Err(SyncError::Days(Box::new(report)))
    }
}

/// Where a day's rows come from: `calls` and `call_log_entries` share one fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Logs,
    Sessions,
    Errors,
}

impl Source {
    fn retention_seconds(self) -> i64 {
        match self {
            Source::Logs => Service::Logs.retention_seconds(),
            Source::Sessions => Service::Sessions.retention_seconds(),
            Source::Errors => Service::Errors.retention_seconds(),
        }
    }

    fn of(table: Table) -> Source {
        match table {
            Table::Sessions => Source::Sessions,
            Table::Errors => Source::Errors,
            Table::Calls | Table::CallLogEntries => Source::Logs,
        }
    }
}

/// A day to fetch: its source and UTC day, and the tables that want it.
type Job = ((Source, i64), Vec<Table>);

struct Done {
    day: i64,
    tables: Vec<Table>,
    fetched_at: i64,
    /// The server's warnings (`success` answers with an error text).
    warnings: Vec<String>,
    /// (table, records, bytes) per file written.
    result: Result<Vec<(Table, u64, u64)>, JobError>,
}

enum JobError {
    Client(plumlogs::Error),
    Sync(SyncError),
    Arrow(arrow_schema::ArrowError),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Client(e) => e.fmt(f),
            JobError::Sync(e) => e.fmt(f),
            JobError::Arrow(e) => write!(f, "building the day's columns: {e}"),
        }
    }
}

impl From<plumlogs::Error> for JobError {
    fn from(e: plumlogs::Error) -> Self {
        JobError::Client(e)
    }
}
impl From<SyncError> for JobError {
    fn from(e: SyncError) -> Self {
        JobError::Sync(e)
    }
}
impl From<arrow_schema::ArrowError> for JobError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        JobError::Arrow(e)
    }
}

struct Ctx<'a> {
    root: &'a Path,
    client: &'a Client,
    permits: &'a Permits,
    requests: &'a AtomicU64,
    concurrency: usize,
    log_settle_seconds: i64,
    /// Per call-log day with a `calls` file: when the fetch that wrote it started.
    texts_fetched_at: &'a HashMap<i64, i64>,
}

/// Call-log days fetched at once at most. One such day's texts keep every permit
/// busy (a day has about as many logs as calls), and a day's texts and columns are
/// the largest thing a run holds: more at once would cost memory, not time.
const MAX_LOG_DAYS_AT_ONCE: usize = 2;

/// The plan's jobs in order, handed out so that at most [`MAX_LOG_DAYS_AT_ONCE`]
/// call-log days run at once (the other jobs go ahead meanwhile).
struct Jobs {
    state: Mutex<(std::collections::VecDeque<Job>, usize)>,
    wake: Condvar,
}

impl Jobs {
    fn new(plan: Vec<Job>) -> Jobs {
        Jobs {
            state: Mutex::new((plan.into(), 0)),
            wake: Condvar::new(),
        }
    }

    /// The next job this worker may run; `None` when none are left.
    fn take(&self) -> Option<Job> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let (queue, log_days) = &mut *st;
            if queue.is_empty() {
                return None;
            }
            let free = *log_days < MAX_LOG_DAYS_AT_ONCE;
            if let Some(i) = queue
                .iter()
                .position(|((s, _), _)| *s != Source::Logs || free)
            {
                let job = queue.remove(i).expect("a found index");
                if job.0.0 == Source::Logs {
                    *log_days += 1;
                }
                return Some(job);
            }
            st = self.wake.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn finished(&self, source: Source) {
        if source == Source::Logs {
            self.state.lock().unwrap_or_else(|p| p.into_inner()).1 -= 1;
            self.wake.notify_all();
        }
    }
}

/// A counting semaphore: at most `n` requests in flight over all day fetches.
struct Permits {
    free: Mutex<usize>,
    wake: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(n: usize) -> Permits {
        Permits {
            free: Mutex::new(n),
            wake: Condvar::new(),
        }
    }
    fn take(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.wake.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.wake.notify_one();
    }
}

/// Every page of a listing, each request under a permit; the server's warnings go
/// to `warnings`.
fn walk<T>(
    ctx: &Ctx<'_>,
    mut pages: plumlogs::Pages<T>,
    warnings: &mut Vec<String>,
) -> Result<Vec<T>, plumlogs::Error> {
    let mut all = Vec::new();
    loop {
        let page = {
            let _permit = ctx.permits.take();
            pages.next_page()
        };
        match page {
            None => {
                warnings.extend_from_slice(pages.warnings());
                return Ok(all);
            }
            Some(page) => {
                all.extend(page?);
                ctx.requests.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn run_job(
    ctx: &Ctx<'_>,
    source: Source,
    day: i64,
    tables: &[Table],
    warnings: &mut Vec<String>,
) -> Result<Vec<(Table, u64, u64)>, JobError> {
    let q = Query::new(day * 86_400, (day + 1) * 86_400).page_size(MAX_PAGE_SIZE);
    let write = |table: Table, rows: TableRows| -> Result<(Table, u64, u64), JobError> {
        let n = rows.len() as u64;
        let batch = rows.finish()?;
        let bytes = store::write_day(&day_file(ctx.root, table, day), &batch)?;
        Ok((table, n, bytes))
    };
    match source {
        Source::Sessions => {
            let lines = walk(ctx, ctx.client.session_lines(&q)?, warnings)?;
            let mut rows = TableRows::new(Table::Sessions);
            for line in &lines {
                rows::push_session(&mut rows, line)?;
            }
            Ok(vec![write(Table::Sessions, rows)?])
        }
        Source::Errors => {
            let lines = walk(ctx, ctx.client.error_lines(&q)?, warnings)?;
            let mut rows = TableRows::new(Table::Errors);
            for line in &lines {
                rows::push_error(&mut rows, line)?;
            }
            Ok(vec![write(Table::Errors, rows)?])
        }
        Source::Logs => {
            let summaries = walk(ctx, ctx.client.call_logs(&q)?, warnings)?;
            let known = match ctx.texts_fetched_at.get(&day) {
                Some(&at) => {
                    let mut known = read::known_texts(ctx.root, day);
                    // Only the texts of calls that had ended at least the settle
                    // time before that fetch: the API does not say when a listed
                    // call's log is final, and a text fetched sooner may have grown.
                    let settled: BTreeSet<u64> = summaries
                        .iter()
                        .filter(|s| s.end.saturating_add(ctx.log_settle_seconds) <= at)
                        .map(|s| s.log_id)
                        .collect();
                    known.retain(|id, _| settled.contains(id));
                    known
                }
                None => HashMap::new(),
            };
            let texts = fetch_texts(ctx, &summaries, known, warnings)?;
            let mut out = Vec::new();
            // Entries first: a null `calls.text` points at the entries file, so that
            // file is in place before the calls file that relies on it.
            let mut from_entries = vec![false; summaries.len()];
            if tables.contains(&Table::CallLogEntries) {
                let mut rows = TableRows::new(Table::CallLogEntries);
                for ((s, text), whole) in summaries.iter().zip(&texts).zip(&mut from_entries) {
                    *whole = rows::push_entries(&mut rows, s.log_id, text)?;
                }
                out.push(write(Table::CallLogEntries, rows)?);
            }
            if tables.contains(&Table::Calls) {
                let mut rows = TableRows::new(Table::Calls);
                for ((s, text), whole) in summaries.iter().zip(&texts).zip(&from_entries) {
                    rows::push_call(&mut rows, s, (!whole).then_some(text.as_str()))?;
                }
                out.push(write(Table::Calls, rows)?);
            }
            Ok(out)
        }
    }
}

/// The log text of every call, fetched on up to `concurrency` threads (each request
/// under a permit), except those `known` already (from this day's earlier files,
/// fetched safely after the call's end). The first error stops the rest and is the
/// day's error.
fn fetch_texts(
    ctx: &Ctx<'_>,
    calls: &[CallSummary<'static>],
    mut known: HashMap<u64, String>,
    warnings: &mut Vec<String>,
) -> Result<Vec<String>, JobError> {
    let found: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<String>>> = calls
        .iter()
        .map(|c| Mutex::new(known.remove(&c.log_id)))
        .collect();
    let first_error: Mutex<Option<plumlogs::Error>> = Mutex::new(None);
    let workers = ctx.concurrency.min(calls.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(call) = calls.get(i) else { return };
                    if slots[i].lock().unwrap_or_else(|p| p.into_inner()).is_some() {
                        continue;
                    }
                    let result = {
                        let _permit = ctx.permits.take();
                        ctx.client.call_log_text_and_warning(call.log_id)
                    };
                    match result {
                        Ok((text, warning)) => {
                            if let Some(w) = warning {
                                found
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push(format!("log {}: {w}", call.log_id));
                            }
                            ctx.requests.fetch_add(1, Ordering::Relaxed);
                            *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(text);
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    warnings.extend(found.into_inner().unwrap_or_else(|p| p.into_inner()));
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    slots
        .into_iter()
        .zip(calls)
        .map(|(slot, call)| {
            slot.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .ok_or_else(|| {
                    JobError::Client(plumlogs::Error::Transport {
                        message: format!("the log of call {} was not fetched", call.log_id),
                    })
                })
        })
        .collect()
}
