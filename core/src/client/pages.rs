//! Walking `offset`/`limit` pages of the three list services, and the rule that a
//! listing is complete or fails.
//!
//! # Completeness
//!
//! A listing holds every record the server said exists, or ends with
//! [`Error::Incomplete`]. The server's `total_*` count may count every match or
//! only the page (the API does not say), so a count is taken as a count of the
//! whole listing ("whole") only when it is larger than its page. A page
//! contradicts a whole count when
//! - it comes back empty at an offset the count says is not the end (`server
//!   reported 100, sent 10; offset 10 came back empty`), or
//! - its own whole count is smaller than an earlier one: records left the listing
//!   during the walk, so later records shifted below offsets already read and
//!   would be skipped unseen.
//!
//! # What is retried, and why
//!
//! Each page request goes through the client's retry policy (`max_retries`,
//! backoff, `deadline`). Retried, because another attempt can answer differently:
//! - connection failures, timeouts, bodies cut short (the network);
//! - HTTP 429, 500, 502, 503, 504 (the server says to come back), including a
//!   proxy's HTML page with such a status;
//! - a 2xx body that is not well-formed JSON/XML or not Plum's at all (a proxy or
//!   cache glitch);
//! - a page that contradicts the count (above): a replica behind a load balancer
//!   or a transient server error answers like that. If every attempt contradicts
//!   it, the error is [`Error::Incomplete`].
//!
//! Not retried, because the same request would get the same answer: a `failure`
//! envelope (`Api`/`Auth`), a well-formed body of the wrong shape (`item 1 is not
//! a string`, a count with no list: [`Error::Decode`]), a line that does not parse
//! ([`Error::Parse`]), other 4xx statuses.
//!
//! # Warnings
//!
//! A `success` answer whose `error` text is not empty keeps that text:
//! [`Pages::warnings`] lists the distinct texts in the order seen.

use super::Client;
use super::query::{Query, encode_component};
use crate::call_summary::CallSummary;
use crate::decode;
use crate::error::{Error, ParseError};
use crate::error_line::ErrorRecord;
use crate::service::Service;
use crate::session::SessionRecord;
use std::iter::FusedIterator;

/// One decoded page: owned records, the `total_*` count, a success's warning.
pub(super) struct Page<T> {
    pub(super) items: Vec<T>,
    pub(super) total: Option<u64>,
    pub(super) warning: Option<String>,
}

/// Turns one 2xx body into a [`Page`]. The `u64` is the number of records before
/// this page, added to a `ParseError`'s line.
type DecodePage<T> = fn(&[u8], u64) -> Result<Page<T>, Error>;

/// What the walk knows before a page, to tell whether the page contradicts it.
#[derive(Clone, Copy, Debug)]
struct Known {
    /// Records read before this page: its `offset`.
    base: u64,
    /// Records asked for.
    ask: u64,
    /// The last whole-listing count seen.
    whole: Option<u64>,
}

impl Known {
    /// A page's count is a count of the whole listing when it is larger than the
    /// page (a count of the page alone equals it).
    fn whole_of<T>(&self, page: &Page<T>) -> Option<u64> {
        let got = (page.items.len() as u64).min(self.ask);
        page.total.filter(|&t| t > got)
    }

    /// `Err(Error::Incomplete)` if `page` contradicts the count (see the module
    /// docs); the client retries such a page before giving up with it.
    fn check<T>(&self, page: &Page<T>) -> Result<(), Error> {
        let base = self.base;
        let said = |m: String| match &page.warning {
            Some(w) => format!("{m}; the server said: {w}"),
            None => m,
        };
        let mine = self.whole_of(page);
        if let (Some(before), Some(now)) = (self.whole, mine)
            && now < before
        {
            return Err(Error::Incomplete {
                reported: before,
                received: base,
                message: said(format!(
                    "server reported {before}, then {now} at offset {base}: records left the listing during the walk, so some may have been skipped"
                )),
            });
        }
        if page.items.is_empty()
            && let Some(t) = mine.or(self.whole).filter(|&t| t > base)
        {
            return Err(Error::Incomplete {
                reported: t,
                received: base,
                message: said(format!(
                    "server reported {t}, sent {base}; offset {base} came back empty"
                )),
            });
        }
        Ok(())
    }
}

/// The records of one listing, fetched a page at a time.
///
/// As an [`Iterator`] it yields `Result<T, Error>`; after an error it yields `None`,
/// so `collect::<Result<Vec<_>, _>>()` is either everything or the error — never a
/// silently shorter list. Only the current page is held in memory. The records are
/// owned (`'static`), so they outlive the page they came on.
///
/// [`next_page`](Self::next_page) and [`pages`](Self::pages) give a page at a time
/// instead (for progress reporting and bulk conversion); the two styles can be mixed.
///
/// The walk stops at the first page shorter than asked for, or when the query's
/// `limit` is reached — the last request then asks only for what is still wanted.
/// The `total_*` count ([`total_hint`](Self::total_hint)) is not the stop rule; it
/// keeps the walk going past a short page when it says more records exist (a
/// server that caps its pages), and a page that then comes back empty, or a count
/// that shrinks, is [`Error::Incomplete`] after retries (see the module docs).
pub struct Pages<T> {
    client: Client,
    service: Service,
    /// `/ws/calls/{service}/{start}/{end}`.
    path: String,
    /// `&number=…`, or empty.
    number_param: String,
    page_size: u32,
    /// Records still wanted, if the query has a `limit`.
    remaining: Option<u64>,
    /// Records taken from the server so far: the next `offset`.
    offset: u64,
    total: Option<u64>,
    /// The last count that counted the whole listing (see [`Known::whole_of`]).
    whole: Option<u64>,
    /// Distinct warnings of the pages so far, in order.
    warnings: Vec<String>,
    requests: u64,
    buffer: std::vec::IntoIter<T>,
    finished: bool,
    decode: DecodePage<T>,
    last_response: Option<super::ResponseMeta>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("service", &self.service)
            .field("path", &self.path)
            .field("page_size", &self.page_size)
            .field("remaining", &self.remaining)
            .field("offset", &self.offset)
            .field("total", &self.total)
            .field("buffered", &self.buffer.len())
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T> Pages<T> {
    fn new(client: &Client, service: Service, q: &Query, decode: DecodePage<T>) -> Self {
        let mut number_param = String::new();
        if let Some(n) = &q.number {
            number_param.push_str("&number=");
            encode_component(n, &mut number_param);
        }
        Pages {
            client: client.clone(),
            service,
            path: format!("/ws/calls/{}/{}/{}", service.name(), q.start, q.end),
            number_param,
            page_size: q.page_size,
            remaining: q.limit,
            offset: 0,
            total: None,
            whole: None,
            warnings: Vec::new(),
            requests: 0,
            buffer: Vec::new().into_iter(),
            finished: false,
            decode,
            last_response: None,
        }
    }

    /// The `total_*` count of the last page, when the server sends one. A hint for
    /// progress bars: the walk does not rely on it.
    pub fn total_hint(&self) -> Option<u64> {
        self.total
    }

    /// The distinct `error` texts of `success` pages so far (say `"partial
    /// results: database timeout"`), in the order first seen. The records are
    /// still every record the server reported; the text is the server's remark.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Records received from the server so far (yielded or still buffered).
    pub fn fetched(&self) -> u64 {
        self.offset
    }

    /// Requests that completed with a page (retries not counted).
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Status, kept headers, time, size and attempt of the last page's response
    /// (its last attempt); `None` before the first request.
    pub fn last_response(&self) -> Option<&super::ResponseMeta> {
        self.last_response.as_ref()
    }

    /// The rest of the current page if some of it is still unread, else the next page
    /// from the server; `None` at the end. After an error, `None`.
    pub fn next_page(&mut self) -> Option<Result<Vec<T>, Error>> {
        if self.buffer.len() > 0 {
            return Some(Ok(std::mem::take(&mut self.buffer).collect()));
        }
        if self.finished {
            return None;
        }
        match self.fetch() {
            Ok(page) if page.is_empty() && self.finished => None,
            Ok(page) => Some(Ok(page)),
            Err(e) => Some(Err(e)),
        }
    }

    /// Page-at-a-time iteration (see [`next_page`](Self::next_page)).
    pub fn pages(mut self) -> impl Iterator<Item = Result<Vec<T>, Error>> {
        std::iter::from_fn(move || self.next_page())
    }

    /// One request. Sets `finished` on a short page, on reaching the limit, or on an
    /// error.
    fn fetch(&mut self) -> Result<Vec<T>, Error> {
        let ask = match self.remaining {
            Some(r) => r.min(self.page_size as u64),
            None => self.page_size as u64,
        };
        let path = format!(
            "{}?offset={}&limit={}{}",
            self.path, self.offset, ask, self.number_param
        );
        let decode = self.decode;
        let known = Known {
            base: self.offset,
            ask,
            whole: self.whole,
        };
        let got = self.client.get(self.service, &path, |body| {
            let page = decode(body, known.base)?;
            known.check(&page)?;
            Ok(page)
        });
        self.last_response = super::observe::take_last();
        let page = match got {
            Ok(page) => page,
            Err(e) => {
                self.finished = true;
                return Err(e);
            }
        };
        self.requests += 1;
        if let Some(w) = known.whole_of(&page) {
            self.whole = Some(w);
        }
        if let Some(w) = page.warning
            && !self.warnings.contains(&w)
        {
            self.warnings.push(w);
        }
        let Page {
            mut items, total, ..
        } = page;
        if total.is_some() {
            self.total = total;
        }
        // A server that ignores `limit` must not make us return more than wanted, nor
        // skip records: take what was asked for and carry on from there.
        items.truncate(ask as usize);
        let got = items.len() as u64;
        self.offset += got;
        if let Some(r) = &mut self.remaining {
            *r -= got;
            if *r == 0 {
                self.finished = true;
            }
        }
        // A short page is the end — unless the server's own count says more records
        // exist (a server capping pages below what was asked). Then keep walking; an
        // empty page ends it, and if the count said more, `Known::check` has made
        // that page an `Error::Incomplete` already.
        let more_by_count = self.total.is_some_and(|t| t > self.offset);
        if got == 0 || (got < ask && !more_by_count) {
            self.finished = true;
        }
        Ok(items)
    }
}

impl<T> Iterator for Pages<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Some(Ok(item));
            }
            if self.finished {
                return None;
            }
            match self.fetch() {
                Ok(page) => self.buffer = page.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.buffer.len();
        if self.finished {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl<T> FusedIterator for Pages<T> {}

fn relocate(mut e: ParseError, base: u64) -> Error {
    e.line += base as usize;
    Error::Parse(e)
}

fn decode_sessions(body: &[u8], base: u64) -> Result<Page<SessionRecord<'static>>, Error> {
    let page = decode::decode_lines(body, Service::Sessions)?;
    let items = page
        .sessions()
        .map(|r| {
            r.map(SessionRecord::into_owned)
                .map_err(|e| relocate(e, base))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: page.total,
        warning: page.warning,
    })
}

fn decode_errors(body: &[u8], base: u64) -> Result<Page<ErrorRecord<'static>>, Error> {
    let page = decode::decode_lines(body, Service::Errors)?;
    let items = page
        .errors()
        .map(|r| {
            r.map(ErrorRecord::into_owned)
                .map_err(|e| relocate(e, base))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: page.total,
        warning: page.warning,
    })
}

fn decode_summaries(body: &[u8], _base: u64) -> Result<Page<CallSummary<'static>>, Error> {
    let page = decode::decode_logs(body)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(CallSummary::into_owned)
            .collect(),
        total: page.total,
        warning: page.warning,
    })
}

fn decode_texts(body: &[u8], service: Service) -> Result<Page<String>, Error> {
    let mut page = decode::decode_lines(body, service)?;
    let (total, warning) = (page.total, page.warning.take());
    Ok(Page {
        items: page.into_texts(),
        total,
        warning,
    })
}

fn decode_session_texts(body: &[u8], _base: u64) -> Result<Page<String>, Error> {
    decode_texts(body, Service::Sessions)
}

fn decode_error_texts(body: &[u8], _base: u64) -> Result<Page<String>, Error> {
    decode_texts(body, Service::Errors)
}

impl Client {
    /// Session log lines of calls starting in `[q.start, q.end)` as the texts the
    /// server sent, unparsed (the same walk as [`sessions`](Self::sessions)): for
    /// keeping every line, including one that does not parse.
    pub fn session_lines(&self, q: &Query) -> Result<Pages<String>, Error> {
        q.validate(Service::Sessions, self.now())?;
        Ok(Pages::new(self, Service::Sessions, q, decode_session_texts))
    }

    /// Error log lines as texts, unparsed (see [`session_lines`](Self::session_lines)).
    pub fn error_lines(&self, q: &Query) -> Result<Pages<String>, Error> {
        q.validate(Service::Errors, self.now())?;
        Ok(Pages::new(self, Service::Errors, q, decode_error_texts))
    }

    /// Session log lines of calls starting in `[q.start, q.end)`. Checks `q` before
    /// any request; the first request is made by the first `next()`.
    pub fn sessions(&self, q: &Query) -> Result<Pages<SessionRecord<'static>>, Error> {
        q.validate(Service::Sessions, self.now())?;
        Ok(Pages::new(self, Service::Sessions, q, decode_sessions))
    }

    /// Error log lines of calls starting in `[q.start, q.end)`.
    pub fn errors(&self, q: &Query) -> Result<Pages<ErrorRecord<'static>>, Error> {
        q.validate(Service::Errors, self.now())?;
        Ok(Pages::new(self, Service::Errors, q, decode_errors))
    }

    /// Calls with a detailed log, starting in `[q.start, q.end)` (5 days' retention).
    pub fn call_logs(&self, q: &Query) -> Result<Pages<CallSummary<'static>>, Error> {
        q.validate(Service::Logs, self.now())?;
        Ok(Pages::new(self, Service::Logs, q, decode_summaries))
    }
}
