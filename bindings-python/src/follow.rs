//! `Client.follow_sessions()` / `.follow_errors()`: core's `Follow` as a Python
//! iterator of records, endless until stopped.

use crate::errors::PlumErr;
use crate::listing::owned_table;
use crate::records::make_record;
use crate::rows::Rows;
use plumlogs::client::{Follow as CoreFollow, FollowEvent, StopHandle};
use plumlogs::{ErrorRecord, SessionRecord};
use pyo3::prelude::*;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The two kinds of follow, each with its own record type.
pub enum Source {
    Sessions(CoreFollow<SessionRecord<'static>>),
    Errors(CoreFollow<ErrorRecord<'static>>),
}

/// What one step of the core's follow gave, in rows.
enum Next {
    Rows(Rows),
    Retrying(String),
    End,
    Failed(plumlogs::Error),
    Unstored(PyErr),
}

/// What one `__next__` step comes to, outside the lock.
enum Outcome {
    Record(Rows, usize),
    /// Nothing to hand over yet; a note to log, if not empty.
    Again(String),
    End,
    Failed(plumlogs::Error),
    Unstored(PyErr),
}

impl Source {
    fn next(&mut self) -> Next {
        macro_rules! step {
            ($f:expr, $v:ident) => {
                match $f.next() {
                    None => Next::End,
                    Some(Err(e)) => Next::Failed(e),
                    Some(Ok(FollowEvent::Records(r))) => match owned_table(&r) {
                        Ok(t) => Next::Rows(Rows::$v(Arc::new(t))),
                        Err(e) => Next::Unstored(e),
                    },
                    Some(Ok(FollowEvent::Retrying {
                        error,
                        failures,
                        wait,
                    })) => Next::Retrying(format!(
                        "poll failed ({failures} in a row): {error}; polling again in {:.1} s",
                        wait.as_secs_f64()
                    )),
                }
            };
        }
        match self {
            Source::Sessions(f) => step!(f, Sessions),
            Source::Errors(f) => step!(f, Errors),
        }
    }
}

struct State {
    source: Option<Source>,
    buffered: VecDeque<(Rows, usize)>,
}

/// New records of a log as they arrive (`Client.follow_sessions`,
/// `.follow_errors`): an endless iterator that polls on an interval and yields each
/// record once. Transient failures are retried with backoff (each logged as a
/// warning on the `plumlogs.follow` logger); any other failure raises and ends it.
/// `stop()`, from any thread, ends it: a wait between polls ends at once, a poll
/// under way finishes its request first.
#[pyclass(module = "plumlogs._native", name = "Follow", frozen)]
pub struct PyFollow {
    state: Mutex<State>,
    stop: StopHandle,
}

impl PyFollow {
    pub fn new(source: Source) -> PyFollow {
        let stop = match &source {
            Source::Sessions(f) => f.stop_handle(),
            Source::Errors(f) => f.stop_handle(),
        };
        PyFollow {
            state: Mutex::new(State {
                source: Some(source),
                buffered: VecDeque::new(),
            }),
            stop,
        }
    }
}

fn warn_follow(py: Python<'_>, message: &str) -> PyResult<()> {
    if message.is_empty() {
        return Ok(());
    }
    let logger = py
        .import("logging")?
        .getattr("getLogger")?
        .call1(("plumlogs.follow",))?;
    logger.call_method1("warning", ("%s", message))?;
    Ok(())
}

#[pymethods]
impl PyFollow {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            // The lock is taken with the GIL released: a poll holds it while it waits.
            let next = py.detach(|| {
                let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((rows, i)) = g.buffered.front_mut() {
                    let (rows, at) = (rows.clone(), *i);
                    *i += 1;
                    if at + 1 >= rows.len() {
                        g.buffered.pop_front();
                    }
                    return Outcome::Record(rows, at);
                }
                let Some(source) = g.source.as_mut() else {
                    return Outcome::End;
                };
                let next = source.next();
                if !matches!(next, Next::Rows(_) | Next::Retrying(_)) {
                    g.source = None;
                }
                match next {
                    Next::Rows(rows) => {
                        if rows.len() > 0 {
                            g.buffered.push_back((rows, 0));
                        }
                        Outcome::Again(String::new())
                    }
                    Next::Retrying(m) => Outcome::Again(m),
                    Next::End => Outcome::End,
                    Next::Failed(e) => Outcome::Failed(e),
                    Next::Unstored(e) => Outcome::Unstored(e),
                }
            });
            match next {
                Outcome::Record(rows, i) => return make_record(py, &rows, i).map(Some),
                Outcome::Again(m) => warn_follow(py, &m)?,
                Outcome::End => return Ok(None),
                Outcome::Failed(e) => return Err(PlumErr(e).into()),
                Outcome::Unstored(e) => return Err(e),
            }
        }
    }

    /// End the follow (from any thread): the iterator then stops.
    fn stop(&self) {
        self.stop.stop();
    }

    /// Whether `stop()` was called.
    #[getter]
    fn stopped(&self) -> bool {
        self.stop.is_stopped()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        _t: Option<&Bound<'_, PyAny>>,
        _v: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) {
        self.stop.stop();
    }
}
