//! `plumlogs.sync`: the archive crate's `sync`, with the GIL released while it runs.
//! The report crosses as the archive's own serde JSON; `python/plumlogs/_sync.py`
//! turns it into a `SyncReport`.

use crate::client::{PyClient, int_arg, unix_seconds};
use crate::errors::{IntoPy, invalid_argument, to_pyerr};
use plumlogs_archive::{SyncError, SyncOptions, Table};
use pyo3::exceptions::{PyBlockingIOError, PyOSError};
use pyo3::prelude::*;
use std::path::PathBuf;

/// Run one sync of `dir` with `client`. Returns `(report_json, None)` when every
/// day was written, `(report_json, message)` when some days failed (the others were
/// written); raises for anything that stopped the run as a whole.
// One parameter per keyword of `plumlogs.sync`: the Python signature is the API.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (dir, client, *, tables = None, since = None, concurrency = None, seal_lag_seconds = None, log_settle_seconds = None))]
pub fn _sync(
    py: Python<'_>,
    dir: PathBuf,
    client: &PyClient,
    tables: Option<Vec<String>>,
    since: Option<&Bound<'_, PyAny>>,
    concurrency: Option<&Bound<'_, PyAny>>,
    seal_lag_seconds: Option<&Bound<'_, PyAny>>,
    log_settle_seconds: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, Option<String>)> {
    let mut opts = SyncOptions::default();
    if let Some(tables) = tables {
        opts.tables = tables
            .iter()
            .map(|t| t.parse::<Table>())
            .collect::<Result<_, _>>()
            .map_err(|e| invalid_argument("tables", e))?;
    }
    if let Some(since) = since.filter(|v| !v.is_none()) {
        opts.since = Some(unix_seconds(since, "since")?);
    }
    if let Some(c) = concurrency.filter(|v| !v.is_none()) {
        opts.concurrency =
            plumlogs::client::options::concurrency("concurrency", int_arg(c, "concurrency")?)
                .py()?;
    }
    if let Some(lag) = seal_lag_seconds.filter(|v| !v.is_none()) {
        // Out of i64 is out of range too: the archive says so, naming the option.
        let lag = int_arg(lag, "seal_lag_seconds")?;
        opts.seal_lag_seconds = i64::try_from(lag).unwrap_or(if lag < 0 { -1 } else { i64::MAX });
    }
    opts.log_settle_seconds = match log_settle_seconds.filter(|v| !v.is_none()) {
        Some(settle) => {
            let settle = int_arg(settle, "log_settle_seconds")?;
            i64::try_from(settle).unwrap_or(if settle < 0 { -1 } else { i64::MAX })
        }
        None => plumlogs_archive::default_log_settle_seconds(opts.seal_lag_seconds),
    };
    let core = client.core().clone();
    let result = py.detach(|| plumlogs_archive::sync(&dir, &core, &opts));
    let json =
        |r: &plumlogs_archive::SyncReport| serde_json::to_string(r).expect("a report serialises");
    match result {
        Ok(report) => Ok((json(&report), None)),
        Err(SyncError::Days(report)) => {
            let message = SyncError::Days(report.clone()).to_string();
            Ok((json(&report), Some(message)))
        }
        Err(SyncError::Client(e)) => Err(to_pyerr(py, e, None)),
        Err(e @ SyncError::Locked { .. }) => Err(PyBlockingIOError::new_err(e.to_string())),
        Err(e) => Err(PyOSError::new_err(e.to_string())),
    }
}
