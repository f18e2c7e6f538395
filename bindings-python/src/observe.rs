//! What the core tells about its requests, in Python's terms: `ResponseMeta` and
//! `RetryEvent` (named tuples of `plumlogs._types`), the `on_retry` callback, and
//! core's `log` lines forwarded to `logging.getLogger("plumlogs.…")`.

use plumlogs::client::{ResponseMeta, RetryEvent};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A `plumlogs.ResponseMeta` of core's metadata of one HTTP attempt.
pub fn response_meta<'py>(py: Python<'py>, m: &ResponseMeta) -> PyResult<Bound<'py, PyAny>> {
    let headers = PyDict::new(py);
    for (k, v) in &m.headers {
        headers.set_item(k, v)?;
    }
    py.import("plumlogs._types")?
        .getattr("ResponseMeta")?
        .call1((
            m.method,
            &m.path,
            m.status,
            m.attempt,
            m.elapsed.as_secs_f64(),
            m.bytes,
            headers,
        ))
}

/// The core's `on_retry` hook calling a Python callable with a `plumlogs.RetryEvent`.
/// It runs on whichever thread made the request (a sub-window's worker, too), so it
/// attaches to the interpreter itself; an exception it raises cannot reach the
/// listing and is reported through `sys.unraisablehook`. During interpreter shutdown
/// it is skipped.
pub fn on_retry_hook(callback: Py<PyAny>) -> impl Fn(&RetryEvent) + Send + Sync + 'static {
    move |ev: &RetryEvent| {
        Python::try_attach(|py| {
            let called = (|| -> PyResult<()> {
                let response = response_meta(py, &ev.response)?;
                let event = py
                    .import("plumlogs._types")?
                    .getattr("RetryEvent")?
                    .call1((response, &ev.error, ev.wait.as_secs_f64()))?;
                callback.bind(py).call1((event,))?;
                Ok(())
            })();
            if let Err(e) = called {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
        });
    }
}

/// Forwards core's `log` records to Python's `logging`: target `plumlogs::http`
/// becomes the logger `plumlogs.http` (a child of `plumlogs`). Only `plumlogs`
/// targets pass: at trace level ureq-proto dumps raw requests, `Authorization`
/// included, and the level is capped at debug for the same reason.
struct Bridge;

/// Python's level number of a `log` level.
fn py_level(l: log::Level) -> i32 {
    match l {
        log::Level::Error => 40,
        log::Level::Warn => 30,
        log::Level::Info => 20,
        log::Level::Debug | log::Level::Trace => 10,
    }
}

fn ours(target: &str) -> bool {
    target == "plumlogs" || target.starts_with("plumlogs::")
}

impl log::Log for Bridge {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Debug && ours(m.target())
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let name = record.target().replace("::", ".");
        let level = py_level(record.level());
        let message = record.args().to_string();
        Python::try_attach(|py| {
            let sent = (|| -> PyResult<()> {
                let logger = py
                    .import("logging")?
                    .getattr("getLogger")?
                    .call1((name.as_str(),))?;
                if logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
                    logger.call_method1("log", (level, "%s", message.as_str()))?;
                }
                Ok(())
            })();
            if let Err(e) = sent {
                e.write_unraisable(py, None);
            }
        });
    }

    fn flush(&self) {}
}

static BRIDGE: Bridge = Bridge;

/// Install the bridge as the process's `log` logger, unless another one is set (an
/// embedding Rust program's own): then its lines go there instead.
pub fn install_log_bridge() {
    if log::set_logger(&BRIDGE).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}

/// Python's level number of what `PLUM_LOG` asks for (core's reading of it), `None`
/// for off; a value core does not know is an `InvalidArgument` naming `PLUM_LOG`.
#[pyfunction]
#[pyo3(signature = (value))]
pub fn _plum_log_level(value: Option<&str>) -> PyResult<Option<i32>> {
    let filter = plumlogs::client::plum_log_level(value)
        .map_err(|m| crate::errors::invalid_argument("PLUM_LOG", m))?;
    Ok(filter.to_level().map(py_level))
}
