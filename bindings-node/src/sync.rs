//! `sync(dir, options)`: the archive crate's `sync` on a thread of its own (never the
//! JS thread, never the libuv pool). The outcome crosses as JSON (`lib/sync.js`
//! builds the report and the errors); a `plumlogs::Error` that stopped the run
//! before anything was fetched rejects with the usual structured payload.

use crate::client::NativeClient;
use crate::spawn::spawn_promise;
use napi::Env;
use napi::bindgen_prelude::Object;
use napi_derive::napi;
use plumlogs::Error;
use plumlogs::client::options;
use plumlogs_archive::{SyncError, SyncOptions, Table};
use serde_json::json;

/// The options of a sync, their types checked by `lib/sync.js`.
#[napi(object)]
pub struct SyncArgs {
    /// Table names.
    pub tables: Option<Vec<String>>,
    /// UNIX seconds.
    pub since: Option<f64>,
    /// Requests in flight at most.
    pub concurrency: Option<f64>,
    /// Seconds after a day's end before a complete fetch seals it.
    pub seal_lag_seconds: Option<f64>,
    /// Seconds after a call's end before its fetched log text is taken as final.
    pub log_settle_seconds: Option<f64>,
}

/// A JS number that must be a whole number, for one of the core's integer checks.
fn whole(v: f64, field: &str) -> Result<i128, Error> {
    if v.fract() != 0.0 || !v.is_finite() {
        return Err(Error::invalid_argument(
            field,
            format!("must be a whole number, got {v}"),
        ));
    }
    // Beyond i128 is beyond every range: saturated, and refused by the check.
    Ok(v as i128)
}

fn sync_options(args: SyncArgs) -> Result<SyncOptions, Error> {
    let mut opts = SyncOptions::default();
    if let Some(tables) = args.tables {
        opts.tables = tables
            .iter()
            .map(|t| t.parse::<Table>())
            .collect::<Result<_, _>>()
            .map_err(|why| Error::invalid_argument("options.tables", why))?;
    }
    if let Some(s) = args.since {
        let s = whole(s.floor(), "options.since")?;
        opts.since = Some(i64::try_from(s).map_err(|_| {
            Error::invalid_argument("options.since", format!("is out of range: {s}"))
        })?);
    }
    if let Some(c) = args.concurrency {
        opts.concurrency =
            options::concurrency("options.concurrency", whole(c, "options.concurrency")?)?;
    }
    if let Some(lag) = args.seal_lag_seconds {
        let lag = whole(lag, "options.sealLagSeconds")?;
        // Out of i64 is out of range too: the archive says so.
        opts.seal_lag_seconds = i64::try_from(lag).unwrap_or(if lag < 0 { -1 } else { i64::MAX });
    }
    opts.log_settle_seconds = match args.log_settle_seconds {
        Some(settle) => {
            let settle = whole(settle, "options.logSettleSeconds")?;
            i64::try_from(settle).unwrap_or(if settle < 0 { -1 } else { i64::MAX })
        }
        None => plumlogs_archive::default_log_settle_seconds(opts.seal_lag_seconds),
    };
    Ok(opts)
}

/// The archive's option names as this binding spells them (`options.sealLagSeconds`).
fn js_names(e: Error) -> Error {
    match e {
        Error::InvalidArgument { field, reason } => {
            let js = match field.as_str() {
                "seal_lag_seconds" => "options.sealLagSeconds",
                "log_settle_seconds" => "options.logSettleSeconds",
                "since" => "options.since",
                "tables" => "options.tables",
                "concurrency" => "options.concurrency",
                _ => return Error::InvalidArgument { field, reason },
            };
            Error::InvalidArgument {
                field: js.to_owned(),
                // The settle time's limit names the seal lag: as this binding does.
                reason: reason.replace("seal_lag_seconds", "options.sealLagSeconds"),
            }
        }
        other => other,
    }
}

/// Run one sync of `dir`. Resolves with `{"report": …, "failed": message|null}`, or
/// `{"error": {"kind": "locked"|"io"|"state", "message": …}}`.
#[napi(catch_unwind)]
pub fn sync_dir<'e>(
    env: &'e Env,
    dir: String,
    client: &NativeClient,
    args: SyncArgs,
) -> napi::Result<Object<'e>> {
    let client = client.core().clone();
    let opts = sync_options(args).map_err(|e| crate::error::to_napi(&e))?;
    spawn_promise(
        env,
        move || {
            let outcome = match plumlogs_archive::sync(dir.as_ref(), &client, &opts) {
                Ok(report) => json!({ "report": report, "failed": null }),
                Err(SyncError::Days(report)) => {
                    let message = SyncError::Days(report.clone()).to_string();
                    json!({ "report": report, "failed": message })
                }
                Err(SyncError::Client(e)) => return Err(js_names(e)),
                Err(e) => {
                    let kind = match e {
                        SyncError::Locked { .. } => "locked",
                        SyncError::State { .. } => "state",
                        _ => "io",
                    };
                    json!({ "error": { "kind": kind, "message": e.to_string() } })
                }
            };
            Ok(outcome.to_string())
        },
        |s| s,
    )
}
