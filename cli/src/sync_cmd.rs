//! `plumlogs sync DIR`: keep the account's logs in a Parquet dataset
//! (`plumlogs-archive` does the work; this is its flags, progress bar and summary).

use crate::fail::Fail;
use crate::{ConnArgs, timearg};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use plumlogs::Wire;
use plumlogs_archive::{Progress, SyncError, SyncOptions, SyncReport, Table};
use std::io::{self, IsTerminal};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The dataset directory (created if missing).
    pub dir: PathBuf,
    /// Tables to sync, comma-separated [default: all four].
    #[arg(long, value_delimiter = ',', value_name = "TABLE",
          value_parser = clap::builder::PossibleValuesParser::new(["sessions", "errors", "calls", "call_log_entries"]))]
    pub tables: Vec<String>,
    /// Start the range at this time's UTC day instead of the oldest day each service
    /// keeps (clamped to retention; can only widen the range of an existing dataset).
    #[arg(long, value_name = "T", value_parser = timearg::parse,
          long_help = format!("Start the range at this time's UTC day (clamped to retention): {}", timearg::HELP))]
    pub since: Option<plumlogs::timearg::TimeArg>,
    /// Requests in flight at most (1..=64).
    #[arg(long, value_name = "N", default_value_t = plumlogs_archive::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Seconds after a day's end before a complete fetch seals it (0..=259200).
    #[arg(long, value_name = "SECONDS", default_value_t = plumlogs_archive::DEFAULT_SEAL_LAG_SECONDS)]
    pub seal_lag: i64,
    /// Seconds after a call's end before its fetched log text is taken as final and
    /// reused by later runs instead of fetched again (0..=259200, at most --seal-lag)
    /// [default: 900, or --seal-lag if that is shorter].
    #[arg(long, value_name = "SECONDS")]
    pub log_settle: Option<i64>,
    /// Print where the dataset stands (sealed, unsealed, gaps) and fetch nothing.
    #[arg(long)]
    pub status: bool,
    /// Print the report (or the status) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

fn fail(e: SyncError) -> Fail {
    match e {
        SyncError::Client(e) => Fail::from(e),
        other => Fail::Service(other.to_string()),
    }
}

fn summary(r: &SyncReport) -> String {
    let mut s = format!(
        "{} day files written ({} now sealed), {} already sealed, {} records, {} bytes, {} requests in {:.1} s",
        r.days_written,
        r.days_sealed,
        r.days_already_sealed,
        r.records,
        r.bytes,
        r.requests,
        r.seconds
    );
    if r.cleaned > 0 {
        s.push_str(&format!(
            "\nremoved {} temporary file(s) of an interrupted run",
            r.cleaned
        ));
    }
    s.push_str(&format!("\ngaps: {}", r.gaps.len()));
    for g in &r.gaps {
        s.push_str(&format!(
            "\n  gap: {} {} left retention before it was sealed",
            g.table, g.date
        ));
    }
    for w in &r.warnings {
        s.push_str(&format!("\n  warning: {}", w.escape_debug()));
    }
    for f in &r.failures {
        let names: Vec<_> = f.tables.iter().map(|t| t.name()).collect();
        s.push_str(&format!(
            "\n  failed: {} {}: {}",
            names.join("+"),
            f.date,
            f.error
        ));
    }
    s
}

fn print_json(v: &impl serde::Serialize) -> Result<(), Fail> {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("reports serialise")
    );
    Ok(())
}

fn status(a: &SyncArgs) -> Result<(), Fail> {
    let st = plumlogs_archive::status(&a.dir, timearg::system_now()).map_err(fail)?;
    if a.json {
        return print_json(&st);
    }
    if st.tables.is_empty() {
        println!("{}: not synced yet", a.dir.display());
    }
    for t in &st.tables {
        println!(
            "{:<16} from {}  {} days ({} sealed)  {} records  {} bytes  unsealed: {}  gaps: {}",
            t.table.name(),
            t.origin,
            t.days,
            t.sealed,
            t.records,
            t.bytes,
            if t.unsealed.is_empty() {
                "none".to_owned()
            } else {
                t.unsealed.join(",")
            },
            if t.gaps.is_empty() {
                "none".to_owned()
            } else {
                t.gaps.join(",")
            }
        );
    }
    Ok(())
}

pub fn run(a: &SyncArgs) -> Result<(), Fail> {
    if a.status {
        return status(a);
    }
    let mut tables: Vec<Table> = Vec::new();
    for t in &a.tables {
        tables.push(t.parse().map_err(Fail::Usage)?);
    }
    let opts = SyncOptions {
        tables: if tables.is_empty() {
            Table::ALL.to_vec()
        } else {
            tables
        },
        since: a.since.map(timearg::since).transpose()?.flatten(),
        concurrency: a.concurrency,
        seal_lag_seconds: a.seal_lag,
        log_settle_seconds: a
            .log_settle
            .unwrap_or_else(|| plumlogs_archive::default_log_settle_seconds(a.seal_lag)),
    };
    let client = crate::remote::client(&a.conn, Wire::Json)?;
    let pb = if io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    pb.set_style(
        ProgressStyle::with_template("{wide_bar} {pos}/{len} days  {msg} ({elapsed}, eta {eta})")
            .expect("a valid template"),
    );
    let records = std::cell::Cell::new(0u64);
    let on_progress = |p: &Progress| match p {
        Progress::Planned { days } => pb.set_length(*days),
        Progress::Day {
            records: r, date, ..
        } => {
            records.set(records.get() + r);
            pb.inc(1);
            pb.set_message(format!("{} records, last {date}", records.get()));
        }
    };
    let result = plumlogs_archive::sync_with_progress(&a.dir, &client, &opts, &on_progress);
    pb.finish_and_clear();
    match result {
        Ok(report) => {
            if a.json {
                return print_json(&report);
            }
            eprintln!("{}", summary(&report));
            Ok(())
        }
        Err(SyncError::Days(report)) => {
            if a.json {
                print_json(&report)?;
            } else {
                eprintln!("{}", summary(&report));
            }
            Err(fail(SyncError::Days(report)))
        }
        Err(e) => Err(fail(e)),
    }
}
