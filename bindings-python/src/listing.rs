//! `plumlogs.Listing`: one listing of the core (`plumlogs::client::Listing`, any of
//! the three services) as a Python iterator with DataFrame exits, and the server's
//! warnings it issues as `plumlogs.ServerWarning`.

use crate::errors::PlumErr;
use crate::parse::{fill, table_of, too_long};
use crate::record_list::{RecordList, frame_exit};
use crate::records::{frames, make_record};
use crate::rows::Rows;
use crate::store::{Columns, Table, Text};
use plumlogs::client::{Listing as CoreListing, Page};
use plumlogs::{Error, Service};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::{Arc, Mutex};

/// Columns of owned records: their text is copied once into the table's store.
pub(crate) fn owned_table<C: Columns>(records: &[C::Record<'_>]) -> PyResult<Table<C>> {
    table_of(Text::default(), |_, v| fill(v, records))
}

/// A fetched page as rows.
fn page_rows(page: Page) -> PyResult<Rows> {
    Ok(match page {
        Page::Sessions(v) => Rows::Sessions(Arc::new(owned_table(&v)?)),
        Page::Errors(v) => Rows::Errors(Arc::new(owned_table(&v)?)),
        Page::CallLogs(v) => Rows::Summaries(Arc::new(owned_table(&v)?)),
    })
}

struct ListingState {
    pages: CoreListing,
    page: Option<Rows>,
    pos: usize,
    done: bool,
    /// How many of the core listing's warnings were already issued.
    warned: usize,
}

impl ListingState {
    /// The warnings not issued yet.
    fn new_warnings(&mut self) -> Vec<String> {
        let all = self.pages.warnings();
        let fresh = all.get(self.warned..).unwrap_or_default().to_vec();
        self.warned = all.len();
        fresh
    }
}

/// `warnings.warn(text, plumlogs.ServerWarning)` for each text: a `success` answer
/// that also carried an error text (a `warnings` filter may turn it into an error).
pub fn server_warnings(py: Python<'_>, texts: &[String]) -> PyResult<()> {
    if texts.is_empty() {
        return Ok(());
    }
    let category = py.import("plumlogs._errors")?.getattr("ServerWarning")?;
    let warn = py.import("warnings")?.getattr("warn")?;
    for t in texts {
        warn.call1((
            format!("the server answered success with an error text: {t}"),
            &category,
            1,
        ))?;
    }
    Ok(())
}

/// What one step of a listing produced, outside the lock.
enum Step {
    Item(Rows, usize),
    NewPage {
        n: usize,
        total: Option<u64>,
        warnings: Vec<String>,
    },
    End,
    Failed(Error),
    /// A page that could not be held (a field too long for a string view).
    Unstored(PyErr),
}

/// The records of one listing (`Client.sessions`, `.errors`, `.call_logs`): an
/// iterator that fetches a page at a time as it is consumed, with the GIL released
/// while it waits on the network. `collect()` fetches the rest into a `RecordList`;
/// `to_arrow()`, `to_pandas()` and `to_polars()` collect the rest into a DataFrame
/// without building a Python object per record. After an error the listing is done.
#[pyclass(module = "plumlogs._native", name = "Listing", frozen)]
pub struct Listing {
    state: Mutex<ListingState>,
    bar: Option<Py<PyAny>>,
}

impl Listing {
    /// Advance by one record or one page. Takes the lock only with the GIL released,
    /// so a thread waiting on the network never blocks one that holds the GIL.
    fn step(&self, py: Python<'_>) -> Step {
        py.detach(|| {
            let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(rows) = &g.page
                && g.pos < rows.len()
            {
                let out = Step::Item(rows.clone(), g.pos);
                g.pos += 1;
                return out;
            }
            if g.done {
                return Step::End;
            }
            match g.pages.next_page() {
                None => {
                    g.done = true;
                    g.page = None;
                    Step::End
                }
                Some(Err(e)) => {
                    g.done = true;
                    g.page = None;
                    Step::Failed(e)
                }
                Some(Ok(page)) => match page_rows(page) {
                    Ok(rows) => {
                        let n = rows.len();
                        g.page = Some(rows);
                        g.pos = 0;
                        Step::NewPage {
                            n,
                            total: g.pages.total_hint(),
                            warnings: g.new_warnings(),
                        }
                    }
                    Err(e) => {
                        g.done = true;
                        Step::Unstored(e)
                    }
                },
            }
        })
    }

    fn progress(&self, py: Python<'_>, n: usize, total: Option<u64>) -> PyResult<()> {
        if let Some(bar) = &self.bar {
            let bar = bar.bind(py);
            if let Some(t) = total
                && bar.getattr("total")?.is_none()
            {
                bar.setattr("total", t)?;
            }
            bar.call_method1("update", (n,))?;
        }
        Ok(())
    }

    fn close_bar(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(bar) = &self.bar {
            bar.bind(py).call_method0("close")?;
        }
        Ok(())
    }

    /// Every remaining record: the pages are joined as parts of one table, not copied.
    fn rest(&self, py: Python<'_>) -> PyResult<RecordList> {
        let mut pages = Vec::new();
        // The unread part of the current page first.
        let (leftover, kind) = py.detach(|| {
            let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let kind = g.pages.service();
            let pos = std::mem::take(&mut g.pos);
            (g.page.take().map(|rows| (rows, pos)), kind)
        });
        if let Some((rows, pos)) = leftover {
            pages.push(rows.pick(pos..rows.len()));
        }
        loop {
            let step = py.detach(|| {
                let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if g.done {
                    return Ok(None);
                }
                match g.pages.next_page() {
                    None => {
                        g.done = true;
                        Ok(None)
                    }
                    Some(Err(e)) => {
                        g.done = true;
                        Err(e)
                    }
                    Some(Ok(page)) => Ok(Some((page, g.pages.total_hint(), g.new_warnings()))),
                }
            });
            match step {
                Ok(None) => break,
                Err(e) => {
                    self.close_bar(py)?;
                    return Err(PlumErr(e).into());
                }
                Ok(Some((page, total, warnings))) => {
                    server_warnings(py, &warnings)?;
                    let rows = page_rows(page)?;
                    let n = rows.len();
                    pages.push(rows);
                    self.progress(py, n, total)?;
                }
            }
        }
        self.close_bar(py)?;
        Ok(RecordList::new(py.detach(|| join(kind, pages))?, None))
    }
}

/// Pages of one listing (all of the record type `kind`) as one row set with one
/// part, so that a DataFrame of it has big batches, not one per page.
fn join(kind: Service, pages: Vec<Rows>) -> PyResult<Rows> {
    macro_rules! join {
        ($v:ident) => {{
            let all = Table::concat(pages.into_iter().filter_map(|p| match p {
                Rows::$v(t) => Some(t),
                _ => None,
            }));
            let one = if all.parts.len() > 1 {
                all.merged().map_err(too_long)?
            } else {
                all
            };
            Rows::$v(Arc::new(one))
        }};
    }
    Ok(match kind {
        Service::Sessions => join!(Sessions),
        Service::Errors => join!(Errors),
        _ => join!(Summaries),
    })
}

#[pymethods]
impl Listing {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            match self.step(py) {
                Step::Item(rows, i) => return make_record(py, &rows, i).map(Some),
                Step::NewPage { n, total, warnings } => {
                    server_warnings(py, &warnings)?;
                    self.progress(py, n, total)?
                }
                Step::End => {
                    self.close_bar(py)?;
                    return Ok(None);
                }
                Step::Failed(e) => {
                    self.close_bar(py)?;
                    return Err(PlumErr(e).into());
                }
                Step::Unstored(e) => {
                    self.close_bar(py)?;
                    return Err(e);
                }
            }
        }
    }

    /// The server's `total_*` count from the last page, when it sends one.
    #[getter]
    fn total_hint(&self, py: Python<'_>) -> Option<u64> {
        py.detach(|| {
            self.state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pages
                .total_hint()
        })
    }

    /// What the listing is, without fetching anything: the record type, the server's
    /// count once a page said it, and whether it is finished.
    fn __repr__(&self, py: Python<'_>) -> String {
        let (service, total, done) = py.detach(|| {
            let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
            (g.pages.service(), g.pages.total_hint(), g.done)
        });
        let record = match service {
            Service::Sessions => "SessionRecord",
            Service::Errors => "ErrorRecord",
            _ => "CallSummary",
        };
        let total = total.map_or_else(|| "None".to_owned(), |t| t.to_string());
        format!(
            "Listing[{record}](total_hint={total}, finished={})",
            if done { "True" } else { "False" }
        )
    }

    /// The `repr` as HTML (notebooks): showing a listing fetches nothing.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        let text = slf.repr()?.to_string();
        slf.py()
            .import("plumlogs._display")?
            .call_method1("listing_html", (text,))?
            .extract()
    }

    /// Fetch every remaining record into a `RecordList`.
    fn collect(&self, py: Python<'_>) -> PyResult<RecordList> {
        self.rest(py)
    }

    /// Arrow stream of every remaining record (fetches them first).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let l = self.rest(py)?;
        crate::arrow::capsule(py, l.rows.clone(), requested_schema.as_ref())
    }

    /// `collect().to_arrow()`: a `pyarrow.Table` of every remaining record.
    #[pyo3(signature = (*, derived = false, lines = None, tz = None))]
    fn to_arrow<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let l = Bound::new(py, self.rest(py)?)?;
        frame_exit(l.as_any(), "to_arrow", derived, lines, tz)
    }

    /// `collect().to_pandas()`.
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_pandas<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let l = Bound::new(py, self.rest(py)?)?;
        frame_exit(l.as_any(), "to_pandas", derived, lines, tz)
    }

    /// `collect().to_polars()`.
    #[pyo3(signature = (*, derived = true, lines = None, tz = None))]
    fn to_polars<'py>(
        &self,
        py: Python<'py>,
        derived: bool,
        lines: Option<&str>,
        tz: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let l = Bound::new(py, self.rest(py)?)?;
        frame_exit(l.as_any(), "to_polars", derived, lines, tz)
    }
}

pub(crate) fn progress_bar(
    py: Python<'_>,
    progress: bool,
    desc: &str,
    total: Option<usize>,
) -> PyResult<Option<Py<PyAny>>> {
    if !progress {
        return Ok(None);
    }
    let bar = frames(py)?.call_method1("progress_bar", (desc, total))?;
    Ok(if bar.is_none() {
        None
    } else {
        Some(bar.unbind())
    })
}

fn new_state(pages: CoreListing) -> Mutex<ListingState> {
    Mutex::new(ListingState {
        pages,
        page: None,
        pos: 0,
        done: false,
        warned: 0,
    })
}

impl Listing {
    /// The listing of `pages`, with an optional progress bar.
    pub(crate) fn new(pages: CoreListing, bar: Option<Py<PyAny>>) -> Listing {
        Listing {
            state: new_state(pages),
            bar,
        }
    }
}
