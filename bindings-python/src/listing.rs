//! `plumlogs.Listing`: one listing of the core (`plumlogs::client::Windowed`, any of
//! the three services) as a Python iterator with DataFrame exits, and the server's
//! warnings it issues as `plumlogs.ServerWarning`.

use crate::errors::PlumErr;
use crate::parse::{fill, table_of, too_long};
use crate::record_list::{RecordList, frame_exit};
use crate::records::{frames, make_record};
use crate::rows::Rows;
use crate::store::{Columns, Table, Text};
use plumlogs::client::{Client, Page, Query, ResponseMeta, WindowOptions, Windowed};
use plumlogs::{CallSummary, Error, ErrorRecord, Service, SessionRecord};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// What a listing walks: core's windowed listing of one of the three services (a
/// window of a day or less, or `concurrency=1`, is core's plain serial walk).
pub(crate) enum Source {
    Sessions(Windowed<SessionRecord<'static>>),
    Errors(Windowed<ErrorRecord<'static>>),
    Calls(Windowed<CallSummary<'static>>),
}

/// `$body` with `$w` bound to the source's `Windowed`, whatever its record type.
macro_rules! each {
    ($self:expr, $w:ident => $body:expr) => {
        match $self {
            Source::Sessions($w) => $body,
            Source::Errors($w) => $body,
            Source::Calls($w) => $body,
        }
    };
}

impl Source {
    /// Open the listing (core checks the query here, before any request).
    pub(crate) fn open(
        client: &Client,
        service: Service,
        q: &Query,
        opts: WindowOptions,
    ) -> Result<Source, Error> {
        Ok(match service {
            Service::Sessions => Source::Sessions(client.sessions_windowed(q, opts)?),
            Service::Errors => Source::Errors(client.errors_windowed(q, opts)?),
            _ => Source::Calls(client.call_logs_windowed(q, opts)?),
        })
    }
    fn next_page(&mut self) -> Option<Result<Page, Error>> {
        Some(match self {
            Source::Sessions(w) => w.next_page()?.map(Page::Sessions),
            Source::Errors(w) => w.next_page()?.map(Page::Errors),
            Source::Calls(w) => w.next_page()?.map(Page::CallLogs),
        })
    }
    fn total_hint(&self) -> Option<u64> {
        each!(self, w => w.total_hint())
    }
    fn warnings(&self) -> &[String] {
        each!(self, w => w.warnings())
    }
    fn last_response(&self) -> Option<ResponseMeta> {
        each!(self, w => w.last_response().cloned())
    }
}

/// What a listing needs to be walked again: the query as resolved when it was made
/// (so a second walk lists the same window).
pub(crate) struct Recipe {
    pub client: Client,
    pub service: Service,
    pub query: Query,
    pub windows: WindowOptions,
    /// A progress bar's description, when `progress=True`.
    pub progress: Option<&'static str>,
}

struct ListingState {
    /// `None` once closed (dropping a windowed listing stops its workers).
    pages: Option<Source>,
    page: Option<Rows>,
    pos: usize,
    done: bool,
    /// How many of the core listing's warnings were already issued.
    warned: usize,
    total: Option<u64>,
    last: Option<ResponseMeta>,
    /// Whether a page was asked of the core yet (`prefetch` fetches only the first).
    fetched: bool,
}

impl ListingState {
    /// The warnings not issued yet.
    fn new_warnings(&mut self) -> Vec<String> {
        let Some(pages) = &self.pages else {
            return Vec::new();
        };
        let all = pages.warnings();
        let fresh = all.get(self.warned..).unwrap_or_default().to_vec();
        self.warned = all.len();
        fresh
    }

    /// The next page from the core, with the listing's bookkeeping; `None` at the
    /// end (or once closed).
    fn fetch(&mut self, closed: &AtomicBool) -> Option<Result<Page, Error>> {
        if self.done || closed.load(Ordering::Acquire) {
            return self.finish(closed);
        }
        self.fetched = true;
        let next = self.pages.as_mut()?.next_page();
        if let Some(p) = &self.pages {
            self.total = p.total_hint().or(self.total);
            self.last = p.last_response().or(self.last.take());
        }
        if closed.load(Ordering::Acquire) {
            return self.finish(closed);
        }
        match next {
            None => {
                self.done = true;
                None
            }
            Some(Err(e)) => {
                self.done = true;
                Some(Err(e))
            }
            Some(Ok(page)) => Some(Ok(page)),
        }
    }

    /// Done: and when closed, the core listing dropped (its workers stop).
    fn finish(&mut self, closed: &AtomicBool) -> Option<Result<Page, Error>> {
        self.done = true;
        self.page = None;
        if closed.load(Ordering::Acquire) {
            self.pages = None;
        }
        None
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
/// A finished listing (read to its end, failed or closed) is fetched afresh when it
/// is iterated or collected again: the same window, from the server again.
#[pyclass(module = "plumlogs._native", name = "Listing", frozen)]
pub struct Listing {
    state: Mutex<ListingState>,
    bar: Mutex<Option<Py<PyAny>>>,
    recipe: Recipe,
    /// Set by `close()` without the lock (a page under way holds it).
    closed: AtomicBool,
}

impl Listing {
    /// Start again if the listing is finished: a fresh core listing of the same
    /// query. Called with the GIL held; the lock is taken with it released.
    fn rewind_if_done(&self, py: Python<'_>) -> PyResult<()> {
        let done = py.detach(|| self.lock().done);
        if !done {
            return Ok(());
        }
        let r = &self.recipe;
        let pages = py
            .detach(|| Source::open(&r.client, r.service, &r.query, r.windows))
            .map_err(PlumErr)?;
        let bar = progress_bar(py, r.progress.is_some(), r.progress.unwrap_or(""), None)?;
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = bar;
        py.detach(|| {
            let mut g = self.lock();
            *g = fresh_state(pages);
            self.closed.store(false, Ordering::Release);
        });
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ListingState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Advance by one record or one page. Takes the lock only with the GIL released,
    /// so a thread waiting on the network never blocks one that holds the GIL.
    fn step(&self, py: Python<'_>) -> Step {
        py.detach(|| {
            let mut g = self.lock();
            if let Some(rows) = &g.page
                && g.pos < rows.len()
            {
                let out = Step::Item(rows.clone(), g.pos);
                g.pos += 1;
                return out;
            }
            match g.fetch(&self.closed) {
                None => {
                    g.page = None;
                    Step::End
                }
                Some(Err(e)) => {
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
                            total: g.total,
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

    fn the_bar(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.bar
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|b| b.clone_ref(py))
    }

    fn progress(&self, py: Python<'_>, n: usize, total: Option<u64>) -> PyResult<()> {
        if let Some(bar) = self.the_bar(py) {
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
        if let Some(bar) = self.the_bar(py) {
            bar.bind(py).call_method0("close")?;
        }
        Ok(())
    }

    /// The unread part of the current page, else the next page, as rows; `None` at
    /// the end. For the async listing, which hands over a page at a time.
    fn page(&self, py: Python<'_>) -> PyResult<Option<Rows>> {
        let leftover = py.detach(|| {
            let mut g = self.lock();
            let pos = std::mem::take(&mut g.pos);
            g.page
                .take()
                .filter(|r| pos < r.len())
                .map(|r| r.pick(pos..r.len()))
        });
        if leftover.is_some() {
            return Ok(leftover);
        }
        let step = py.detach(|| {
            let mut g = self.lock();
            let page = g.fetch(&self.closed);
            (page, g.total, g.new_warnings())
        });
        match step {
            (None, ..) => {
                self.close_bar(py)?;
                Ok(None)
            }
            (Some(Err(e)), ..) => {
                self.close_bar(py)?;
                Err(PlumErr(e).into())
            }
            (Some(Ok(page)), total, warnings) => {
                server_warnings(py, &warnings)?;
                let rows = page_rows(page)?;
                self.progress(py, rows.len(), total)?;
                Ok(Some(rows))
            }
        }
    }

    /// Every remaining record (every record, if the listing was finished): the
    /// pages are joined into one table.
    fn rest(&self, py: Python<'_>) -> PyResult<RecordList> {
        self.rewind_if_done(py)?;
        let kind = self.recipe.service;
        let mut pages = Vec::new();
        while let Some(rows) = self.page(py)? {
            pages.push(rows);
        }
        if self.closed.load(Ordering::Acquire) {
            return Err(PyRuntimeError::new_err(
                "the listing was closed while it was being collected",
            ));
        }
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
    /// The listing itself; a finished one starts again from the server.
    fn __iter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().rewind_if_done(slf.py())?;
        Ok(slf)
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
        py.detach(|| self.lock().total)
    }

    /// Fetch the first page now, unless a page was fetched already, and keep it:
    /// iteration starts with its records, so nothing is fetched twice. Then
    /// `total_hint` is the server's count before the first record is read (for a
    /// window split into sub-windows, once every piece has answered: see the README).
    /// Returns the listing, so `client.sessions(...).prefetch().total_hint` reads.
    fn prefetch(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        let this = slf.get();
        this.rewind_if_done(py)?;
        if py.detach(|| this.lock().fetched) {
            return Ok(slf);
        }
        match this.step(py) {
            Step::NewPage { n, total, warnings } => {
                server_warnings(py, &warnings)?;
                this.progress(py, n, total)?;
            }
            Step::End => this.close_bar(py)?,
            Step::Failed(e) => {
                this.close_bar(py)?;
                return Err(PlumErr(e).into());
            }
            Step::Unstored(e) => {
                this.close_bar(py)?;
                return Err(e);
            }
            // Not reached: nothing was fetched, so no page holds a record yet.
            Step::Item(..) => {}
        }
        Ok(slf)
    }

    /// The last page's response (`ResponseMeta`: status, kept headers, elapsed
    /// seconds, attempt, bytes), or `None` before the first page.
    #[getter]
    fn last_response<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match py.detach(|| self.lock().last.clone()) {
            Some(m) => crate::observe::response_meta(py, &m).map(Some),
            None => Ok(None),
        }
    }

    /// Stop the listing's work, from any thread: no further request is made (one
    /// under way finishes, and its page is dropped) and the sub-window workers stop.
    /// The listing is then finished; iterating it again fetches it afresh.
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// What the listing is, without fetching anything: the record type, the server's
    /// count once a page said it, and whether it is finished.
    fn __repr__(&self, py: Python<'_>) -> String {
        let (service, total, done) = py.detach(|| {
            let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
            (self.recipe.service, g.total, g.done)
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

    /// The next page (the unread part of the current one first) as a `RecordList`,
    /// or `None` at the end; `rewind=True` starts a finished listing again. What
    /// `AsyncListing` runs off the event loop.
    #[pyo3(signature = (rewind = false))]
    fn _next_page(&self, py: Python<'_>, rewind: bool) -> PyResult<Option<RecordList>> {
        if rewind {
            self.rewind_if_done(py)?;
        }
        Ok(self.page(py)?.map(|rows| RecordList::new(rows, None)))
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

fn fresh_state(pages: Source) -> ListingState {
    ListingState {
        pages: Some(pages),
        page: None,
        pos: 0,
        done: false,
        warned: 0,
        total: None,
        last: None,
        fetched: false,
    }
}

impl Listing {
    /// The listing `recipe` describes, opened (its query checked) now.
    pub(crate) fn open(py: Python<'_>, recipe: Recipe) -> PyResult<Listing> {
        let pages = py
            .detach(|| {
                Source::open(
                    &recipe.client,
                    recipe.service,
                    &recipe.query,
                    recipe.windows,
                )
            })
            .map_err(PlumErr)?;
        let bar = progress_bar(
            py,
            recipe.progress.is_some(),
            recipe.progress.unwrap_or(""),
            None,
        )?;
        Ok(Listing {
            state: Mutex::new(fresh_state(pages)),
            bar: Mutex::new(bar),
            recipe,
            closed: AtomicBool::new(false),
        })
    }
}
