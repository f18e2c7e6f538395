//! `sync` against the emulator with a fixed clock: first sync, re-sync, late lines,
//! gaps, the lock, faults, and types read back through parquet's Arrow reader.

mod common;

use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use common::*;
use plumlogs::Query;
use plumlogs_archive::{SyncError, SyncOptions, Table, date_of_day, status, sync};
use plumlogs_emulator::{Fault, FaultKind};

fn opts(tables: &[Table], since: Option<i64>) -> SyncOptions {
    SyncOptions {
        tables: tables.to_vec(),
        since,
        concurrency: 4,
        ..SyncOptions::default()
    }
}

fn count(env: &Env, table: Table, start: i64, end: i64) -> usize {
    let c = env.client();
    let q = Query::new(start, end).page_size(10_000);
    match table {
        Table::Sessions => c.session_lines(&q).unwrap().count(),
        Table::Errors => c.error_lines(&q).unwrap().count(),
        _ => c.call_logs(&q).unwrap().count(),
    }
}

#[test]
fn first_sync_covers_each_service_retention_and_reads_back_typed() {
    let env = Env::new(12, T);
    let dir = tempdir("first");
    let report = sync(&dir, &env.client(), &SyncOptions::default()).unwrap();
    let today = T.div_euclid(DAY);
    let data = tables(&dir);
    let days = |t: Table| {
        data.keys()
            .filter(|k| k.starts_with(&format!("{}/", t.name())))
            .count() as i64
    };
    // Sessions and errors: every day the year keeps whole, through today.
    let first_year =
        (T - 365 * DAY + plumlogs_archive::RETENTION_MARGIN_SECONDS + DAY - 1).div_euclid(DAY);
    assert_eq!(days(Table::Sessions), today - first_year + 1);
    assert_eq!(days(Table::Errors), today - first_year + 1);
    // Call logs: 5 days, the oldest whole one first.
    assert_eq!(days(Table::Calls), 5);
    assert_eq!(days(Table::CallLogEntries), 5);
    assert!(report.gaps.is_empty(), "{:?}", report.gaps);
    assert_eq!(
        report.days_written as i64,
        2 * (today - first_year + 1) + 10
    );
    // Every day but today is sealed (the lag is 6 h and T is 20:26 UTC).
    assert_eq!(report.days_sealed, report.days_written - 4);

    // The archive holds every record the server lists for the range.
    let total = |t: Table| -> usize {
        data.iter()
            .filter(|(k, _)| k.starts_with(&format!("{}/", t.name())))
            .map(|(_, b)| rows(b))
            .sum()
    };
    let range = (first_year * DAY, (today + 1) * DAY);
    assert_eq!(
        total(Table::Sessions),
        count(&env, Table::Sessions, range.0, range.1)
    );
    assert_eq!(
        total(Table::Errors),
        count(&env, Table::Errors, range.0, range.1)
    );
    let logs = count(&env, Table::Calls, (today - 4) * DAY, (today + 1) * DAY);
    assert!(logs > 0);
    assert_eq!(total(Table::Calls), logs);
    assert!(total(Table::CallLogEntries) > logs);
    assert_eq!(
        report.records as usize,
        data.values().map(|b| rows(b)).sum::<usize>()
    );

    // Types as written: instants as UTC timestamps, nullable integers with nulls.
    let key = format!("sessions/date={}/part-0.parquet", date_of_day(today - 1));
    let b = &data[&key][0];
    let field = |n: &str| b.schema().field_with_name(n).unwrap().clone();
    assert_eq!(
        field("timestamp").data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(field("duration").data_type(), &DataType::UInt64);
    assert!(field("duration").is_nullable());
    let duration = b.column_by_name("duration").unwrap();
    assert!(duration.null_count() > 0 && duration.null_count() < b.num_rows());
    assert_eq!(
        b.column_by_name("parse_error").unwrap().null_count(),
        b.num_rows()
    );
    // The emulator writes every line as core formats it: no `raw` is stored.
    assert_eq!(b.column_by_name("raw").unwrap().null_count(), b.num_rows());
    // The instant is the record's, in microseconds.
    let ts = b.column_by_name("timestamp").unwrap();
    let ts = ts
        .as_any()
        .downcast_ref::<arrow_array::TimestampMicrosecondArray>()
        .unwrap();
    let lines = plumlogs_archive::read::texts(&dir, Table::Sessions, today - 1).unwrap();
    assert_eq!(lines.len(), b.num_rows());
    for i in [0, b.num_rows() - 1] {
        let rec = plumlogs::parse_session_line(&lines[i]).unwrap();
        assert_eq!(
            ts.value(i),
            rec.timestamp.unix_seconds().unwrap() * 1_000_000
        );
    }
    let key = format!(
        "call_log_entries/date={}/part-0.parquet",
        date_of_day(today - 1)
    );
    let e = &data[&key][0];
    assert_eq!(
        e.schema()
            .field_with_name("local_timestamp")
            .unwrap()
            .data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    let calls = &data[&format!("calls/date={}/part-0.parquet", date_of_day(today - 1))][0];
    // Every log text is its entries' texts: none is stored twice.
    assert_eq!(
        calls.column_by_name("text").unwrap().null_count(),
        calls.num_rows()
    );
    let texts = plumlogs_archive::read::log_texts(&dir, today - 1).unwrap();
    assert_eq!(texts.len(), calls.num_rows());
    let c = env.client();
    for (log_id, text) in [&texts[0], &texts[texts.len() - 1]] {
        assert_eq!(*text, c.call_log(*log_id).unwrap().text());
    }
    assert_clean_and_readable(&dir);
}

#[test]
fn resync_fetches_only_unsealed_days_and_leaves_sealed_ones_byte_for_byte() {
    let env = Env::new(20, T);
    let dir = tempdir("resync");
    let o = opts(&Table::ALL, Some(T - 3 * DAY));
    sync(&dir, &env.client(), &o).unwrap();
    let before = files(&dir);
    let mtimes: Vec<_> = before
        .keys()
        .filter(|k| k.ends_with(".parquet"))
        .map(|k| {
            (
                k.clone(),
                std::fs::metadata(dir.join(k)).unwrap().modified().unwrap(),
            )
        })
        .collect();
    env.emu.clear_requests();
    let report = sync(&dir, &env.client(), &o).unwrap();
    // Today only: sessions, errors, calls + entries (one fetch).
    assert_eq!(report.days_written, 4);
    assert_eq!(report.days_sealed, 0);
    // Three listings: today's sessions, errors and calls; and the log texts of the
    // calls that had ended less than the settle time before the first fetch (a
    // listed call's log may still grow); the others are in today's files already.
    let requests = env.emu.requests();
    let logs = log_requests(&env);
    let (unsettled, _) = unsettled_at(&env, plumlogs_archive::DEFAULT_LOG_SETTLE_SECONDS, T);
    let today = date_of_day(T.div_euclid(DAY));
    assert_eq!(logs, unsettled);
    assert_eq!(requests.len(), 3 + logs.len(), "{requests:?}");
    let after = files(&dir);
    assert_eq!(before, after, "same clock: every file the same");
    for (k, m) in mtimes {
        let now = std::fs::metadata(dir.join(&k)).unwrap().modified().unwrap();
        if !k.contains(&today) {
            assert_eq!(now, m, "{k} was rewritten");
        }
    }
}

/// The `/ws/calls/log/…` paths a run requested, sorted.
fn log_requests(env: &Env) -> Vec<String> {
    let mut logs: Vec<String> = env
        .emu
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/ws/calls/log/"))
        .map(|r| r.path.clone())
        .collect();
    logs.sort();
    logs
}

/// The log paths of today's calls (listed at the clock's time) that had ended less
/// than `settle` seconds before `fetched_at`, sorted.
fn unsettled_at(env: &Env, settle: i64, fetched_at: i64) -> (Vec<String>, usize) {
    let day0 = env
        .clock
        .load(std::sync::atomic::Ordering::SeqCst)
        .div_euclid(DAY)
        * DAY;
    let calls: Vec<_> = env
        .client()
        .call_logs(&Query::new(day0, day0 + DAY))
        .unwrap()
        .map(|s| s.unwrap())
        .collect();
    let mut paths: Vec<String> = calls
        .iter()
        .filter(|s| s.end + settle > fetched_at)
        .map(|s| format!("/ws/calls/log/{}", s.log_id))
        .collect();
    paths.sort();
    (paths, calls.len())
}

#[test]
fn a_log_text_fetched_within_the_settle_time_is_fetched_again_and_a_later_one_reused() {
    let env = Env::new(200, T);
    let dir = tempdir("settle");
    let settle = 3600;
    let o = SyncOptions {
        log_settle_seconds: settle,
        ..opts(&[Table::Calls, Table::CallLogEntries], Some(T))
    };
    sync(&dir, &env.client(), &o).unwrap();

    // Ten minutes on: the texts of the calls that had ended less than an hour before
    // the first fetch (and of calls new since) are fetched again, no other.
    let t2 = T + 600;
    env.set_now(t2);
    env.emu.clear_requests();
    sync(&dir, &env.client(), &o).unwrap();
    let (again, listed) = unsettled_at(&env, settle, T);
    assert!(
        !again.is_empty(),
        "some call ended within the hour before T"
    );
    assert!(
        again.len() < listed,
        "some call's text was fetched an hour after its end"
    );
    assert_eq!(log_requests(&env), again);

    // An hour after the second fetch: the texts it fetched of calls that had ended
    // by then are reused now; only those still unsettled at t2 are fetched again.
    let t3 = t2 + settle;
    env.set_now(t3);
    env.emu.clear_requests();
    sync(&dir, &env.client(), &o).unwrap();
    let (again3, _) = unsettled_at(&env, settle, t2);
    assert_eq!(log_requests(&env), again3);
    let reused: Vec<&String> = again.iter().filter(|p| !again3.contains(p)).collect();
    assert!(
        !reused.is_empty(),
        "a text fetched again at t2, after its call's end plus the settle time, is reused"
    );

    // The same dataset as a fresh sync at t3.
    let fresh = tempdir("settle-fresh");
    sync(&fresh, &env.client(), &o).unwrap();
    let today = date_of_day(t3.div_euclid(DAY));
    for t in ["calls", "call_log_entries"] {
        let key = format!("{t}/date={today}/part-0.parquet");
        assert_eq!(tables(&dir)[&key], tables(&fresh)[&key], "{key}");
    }

    // With a settle time of zero, a text fetched after its call's end is reused at
    // once: an up-to-date re-sync fetches no text at all.
    let o0 = SyncOptions {
        log_settle_seconds: 0,
        ..o.clone()
    };
    sync(&dir, &env.client(), &o0).unwrap();
    env.emu.clear_requests();
    sync(&dir, &env.client(), &o0).unwrap();
    assert_eq!(log_requests(&env), Vec::<String>::new());
}

#[test]
fn late_lines_are_picked_up_on_an_unsealed_day() {
    // 02:00 UTC: yesterday ended two hours ago, inside the 6 h lag.
    let t0 = T.div_euclid(DAY) * DAY + 2 * 3600;
    let env = Env::new(200, t0);
    let dir = tempdir("late");
    let o = opts(
        &[Table::Sessions, Table::Errors, Table::Calls],
        Some(t0 - 2 * DAY),
    );
    sync(&dir, &env.client(), &o).unwrap();
    let today = date_of_day(t0.div_euclid(DAY));
    let yesterday = date_of_day(t0.div_euclid(DAY) - 1);
    let st = state(&dir);
    assert!(!st.tables["sessions"].days[&yesterday].sealed);
    assert!(st.tables["sessions"].days[&date_of_day(t0.div_euclid(DAY) - 2)].sealed);
    let key = format!("sessions/date={today}/part-0.parquet");
    let early = rows(&tables(&dir)[&key]);
    let sealed_key = format!(
        "sessions/date={}/part-0.parquet",
        date_of_day(t0.div_euclid(DAY) - 2)
    );
    let sealed_bytes = files(&dir)[&sealed_key].clone();

    env.set_now(t0 + 8 * 3600);
    let report = sync(&dir, &env.client(), &o).unwrap();
    // Yesterday (now past the lag) and today, for the three tables.
    assert_eq!(report.days_written, 6);
    assert_eq!(report.days_sealed, 3);
    let late = rows(&tables(&dir)[&key]);
    assert!(late > early, "today grew from {early} to {late} rows");
    assert_eq!(
        late,
        count(
            &env,
            Table::Sessions,
            t0.div_euclid(DAY) * DAY,
            t0.div_euclid(DAY) * DAY + DAY
        )
    );
    assert_eq!(files(&dir)[&sealed_key], sealed_bytes);
    assert!(state(&dir).tables["sessions"].days[&yesterday].sealed);
    // Today's calls: the new ones fetched, the earlier ones' texts kept; the file is
    // the one a fresh sync writes.
    let key = format!("calls/date={today}/part-0.parquet");
    let fresh = tempdir("late-fresh");
    sync(&fresh, &env.client(), &o).unwrap();
    assert_eq!(tables(&dir)[&key], tables(&fresh)[&key]);
    assert!(rows(&tables(&dir)[&key]) > 0);
}

#[test]
fn a_day_that_left_retention_unsealed_is_a_gap_on_every_run_and_in_status() {
    let env = Env::new(10, T);
    let dir = tempdir("gap");
    let o = opts(&[Table::Calls], None);
    let first = sync(&dir, &env.client(), &o).unwrap();
    assert!(first.gaps.is_empty());
    let today = T.div_euclid(DAY);
    // Ten days later: today's file was never sealed, and the days after it were never
    // fetched; all of them are gone from calls/logs now.
    env.set_now(T + 10 * DAY);
    let err_or = sync(&dir, &env.client(), &o).unwrap();
    let gaps: Vec<String> = err_or.gaps.iter().map(|g| g.date.clone()).collect();
    let expected: Vec<String> = (today..=today + 5).map(date_of_day).collect();
    assert_eq!(gaps, expected);
    assert!(err_or.gaps.iter().all(|g| g.table == Table::Calls));
    // Reported again on the next run, and by status.
    let again = sync(&dir, &env.client(), &o).unwrap();
    assert_eq!(again.gaps, err_or.gaps);
    let st = status(&dir, T + 10 * DAY).unwrap();
    assert_eq!(st.tables.len(), 1);
    assert_eq!(st.tables[0].gaps, expected);
    // The unsealed file of the day that expired is kept: it is all there is.
    assert!(files(&dir).contains_key(&format!("calls/date={}/part-0.parquet", date_of_day(today))));
}

#[test]
fn a_second_sync_on_the_same_directory_is_refused() {
    let env = Env::new(10, T);
    let dir = tempdir("lock");
    env.emu
        .inject(Fault::times(FaultKind::Slow { delay_ms: 100 }, 1000));
    let o = opts(&[Table::Sessions], Some(T - 5 * DAY));
    std::thread::scope(|s| {
        let first = s.spawn(|| sync(&dir, &env.client(), &o));
        // Wait until the first run holds the lock (its first request has arrived).
        for _ in 0..200 {
            if !env.emu.requests().is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        match sync(&dir, &env.client(), &o) {
            Err(e @ SyncError::Locked { .. }) => {
                let m = e.to_string();
                assert!(m.contains("another plumlogs sync is running"), "{m}");
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        first.join().unwrap().unwrap();
    });
    env.emu.clear_faults();
    // Once the first has finished, the directory is free again.
    sync(&dir, &env.client(), &o).unwrap();
}

#[test]
fn options_out_of_range_are_refused_naming_the_argument() {
    let env = Env::new(1, T);
    let dir = tempdir("args");
    for (o, what) in [
        (
            SyncOptions {
                concurrency: 0,
                ..SyncOptions::default()
            },
            "concurrency",
        ),
        (
            SyncOptions {
                concurrency: 65,
                ..SyncOptions::default()
            },
            "concurrency",
        ),
        (
            SyncOptions {
                seal_lag_seconds: -1,
                ..SyncOptions::default()
            },
            "seal_lag_seconds",
        ),
        (
            SyncOptions {
                seal_lag_seconds: 4 * DAY,
                ..SyncOptions::default()
            },
            "seal_lag_seconds",
        ),
        (
            SyncOptions {
                log_settle_seconds: -1,
                ..SyncOptions::default()
            },
            "log_settle_seconds",
        ),
        (
            SyncOptions {
                log_settle_seconds: 4 * DAY,
                seal_lag_seconds: 3 * DAY,
                ..SyncOptions::default()
            },
            "log_settle_seconds",
        ),
        (
            SyncOptions {
                tables: vec![],
                ..SyncOptions::default()
            },
            "tables",
        ),
        (
            SyncOptions {
                since: Some(T + 2 * DAY),
                ..SyncOptions::default()
            },
            "since",
        ),
    ] {
        match sync(&dir, &env.client(), &o) {
            Err(SyncError::Client(plumlogs::Error::InvalidArgument { field, reason })) => {
                assert_eq!(field, what, "{reason}");
            }
            other => panic!("expected InvalidArgument about {what}, got {other:?}"),
        }
    }
    assert!(env.emu.requests().is_empty());
}

#[test]
fn a_settle_time_beyond_the_seal_lag_is_refused_naming_both() {
    let env = Env::new(1, T);
    let dir = tempdir("settle-args");
    let o = SyncOptions {
        seal_lag_seconds: 600,
        log_settle_seconds: 601,
        ..SyncOptions::default()
    };
    match sync(&dir, &env.client(), &o) {
        Err(SyncError::Client(plumlogs::Error::InvalidArgument { field, reason })) => {
            assert_eq!(field, "log_settle_seconds", "{reason}");
            assert!(reason.contains("seal_lag_seconds (600)"), "{reason}");
            assert!(reason.contains("601"), "{reason}");
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    // What the interfaces use when no settle time is given: never beyond the lag.
    use plumlogs_archive::{DEFAULT_LOG_SETTLE_SECONDS, default_log_settle_seconds};
    assert_eq!(
        default_log_settle_seconds(6 * 3600),
        DEFAULT_LOG_SETTLE_SECONDS
    );
    assert_eq!(DEFAULT_LOG_SETTLE_SECONDS, 900);
    assert_eq!(default_log_settle_seconds(600), 600);
    assert_eq!(default_log_settle_seconds(0), 0);
    assert_eq!(default_log_settle_seconds(-5), 0);
    // Equal is allowed, and so is a settle time of zero with a seal lag of zero.
    for (lag, settle) in [(600, 600), (0, 0)] {
        let o = SyncOptions {
            tables: vec![Table::Calls],
            since: Some(T),
            seal_lag_seconds: lag,
            log_settle_seconds: settle,
            ..SyncOptions::default()
        };
        sync(&dir, &env.client(), &o).unwrap();
    }
    assert!(!env.emu.requests().is_empty());
}

/// Every kind of fault the emulator has, during a sync: a few of them are retried
/// away and the dataset is the one a clean run writes; a persistent one fails the
/// run with a clear error, leaves nothing half-written, and the next run completes.
#[test]
fn faults_during_a_sync_end_complete_or_in_a_clear_error() {
    let env = Env::new(8, T);
    let o = opts(&Table::ALL, Some(T - 2 * DAY));
    let reference = tempdir("faults-ref");
    sync(&reference, &env.client(), &o).unwrap();
    let want = files(&reference);
    let kinds = [
        FaultKind::Status {
            status: 503,
            retry_after: None,
        },
        FaultKind::Status {
            status: 429,
            retry_after: Some(0),
        },
        FaultKind::Status {
            status: 500,
            retry_after: None,
        },
        FaultKind::Slow { delay_ms: 30 },
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::DocumentedFailure { status: 503 },
        FaultKind::Drop,
    ];
    for kind in kinds {
        // Transient: every third request, three in all — no more than the client's
        // retries, so no request can run out of them whatever the interleaving.
        let dir = tempdir("faults");
        env.emu.inject_every(Fault::times(kind.clone(), 3), 3);
        let r = sync(&dir, &env.client(), &o);
        assert!(
            env.emu.faults().is_empty(),
            "{kind:?}: not every fault was served"
        );
        env.emu.clear_faults();
        assert!(r.is_ok(), "{kind:?}: {r:?}");
        assert_eq!(
            files(&dir),
            want,
            "{kind:?}: the dataset differs from a clean run"
        );

        // Persistent on one service, beyond the retries.
        if matches!(kind, FaultKind::Slow { .. }) {
            continue;
        }
        let dir = tempdir("faults-hard");
        env.emu
            .inject(Fault::times(kind.clone(), 10_000).on_path("/ws/calls/errors"));
        let r = sync(&dir, &env.client(), &o);
        env.emu.clear_faults();
        match r {
            Err(SyncError::Days(report)) => {
                assert_eq!(report.failures.len(), 3, "{kind:?}: {:?}", report.failures);
                assert!(report.failures.iter().all(|f| f.tables == [Table::Errors]));
                assert!(!report.failures[0].error.is_empty());
                // The other tables were written.
                assert_eq!(report.days_written, 3 + 3 * 2);
            }
            other => panic!("{kind:?}: expected SyncError::Days, got {other:?}"),
        }
        assert_clean_and_readable(&dir);
        assert!(!files(&dir).keys().any(|k| k.starts_with("errors/")));
        assert!(
            !state(&dir).tables["errors"]
                .days
                .contains_key(&date_of_day(T.div_euclid(DAY)))
        );
        // The next run fetches what failed and ends where a clean run does.
        sync(&dir, &env.client(), &o).unwrap();
        assert_eq!(
            files(&dir),
            want,
            "{kind:?}: re-run differs from a clean run"
        );
    }
}
