//! One listing type over the three list services, for callers that choose the
//! service at run time (the Python and Node bindings): a [`Pages`] of whichever
//! record type the service lists, behind one set of methods.

use super::{Client, Pages, Query};
use crate::error::Error;
use crate::service::Service;
use crate::{CallSummary, ErrorRecord, SessionRecord};

/// The pages of a `calls/sessions`, `calls/errors` or `calls/logs` listing.
#[derive(Debug)]
pub enum Listing {
    /// `calls/sessions`.
    Sessions(Pages<SessionRecord<'static>>),
    /// `calls/errors`.
    Errors(Pages<ErrorRecord<'static>>),
    /// `calls/logs`.
    CallLogs(Pages<CallSummary<'static>>),
}

/// One page of a [`Listing`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    /// Session records.
    Sessions(Vec<SessionRecord<'static>>),
    /// Error records.
    Errors(Vec<ErrorRecord<'static>>),
    /// Call summaries.
    CallLogs(Vec<CallSummary<'static>>),
}

impl Page {
    /// How many records the page holds.
    pub fn len(&self) -> usize {
        match self {
            Page::Sessions(v) => v.len(),
            Page::Errors(v) => v.len(),
            Page::CallLogs(v) => v.len(),
        }
    }

    /// Whether the page holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `$body` with `$p` bound to the listing's [`Pages`], whatever its record type.
macro_rules! each {
    ($self:expr, $p:ident => $body:expr) => {
        match $self {
            Listing::Sessions($p) => $body,
            Listing::Errors($p) => $body,
            Listing::CallLogs($p) => $body,
        }
    };
}

impl Listing {
    /// The service listed.
    pub fn service(&self) -> Service {
        match self {
            Listing::Sessions(_) => Service::Sessions,
            Listing::Errors(_) => Service::Errors,
            Listing::CallLogs(_) => Service::Logs,
        }
    }

    /// The next page (see [`Pages::next_page`]).
    pub fn next_page(&mut self) -> Option<Result<Page, Error>> {
        Some(match self {
            Listing::Sessions(p) => p.next_page()?.map(Page::Sessions),
            Listing::Errors(p) => p.next_page()?.map(Page::Errors),
            Listing::CallLogs(p) => p.next_page()?.map(Page::CallLogs),
        })
    }

    /// The server's count from the last page, when it sends one.
    pub fn total_hint(&self) -> Option<u64> {
        each!(self, p => p.total_hint())
    }

    /// Every warning so far: the `error` texts of `success` pages (see
    /// [`Pages::warnings`]), in the order they came.
    pub fn warnings(&self) -> &[String] {
        each!(self, p => p.warnings())
    }
}

impl Client {
    /// The listing of `service` (`Sessions`, `Errors` or `Logs`); `Log` is not a
    /// listing (use [`Client::call_log`]) and is an `InvalidArgument`. The query is
    /// checked here, before any request.
    pub fn listing(&self, service: Service, q: &Query) -> Result<Listing, Error> {
        Ok(match service {
            Service::Sessions => Listing::Sessions(self.sessions(q)?),
            Service::Errors => Listing::Errors(self.errors(q)?),
            Service::Logs => Listing::CallLogs(self.call_logs(q)?),
            Service::Log => {
                return Err(Error::invalid_argument(
                    "service",
                    "calls/log is one call's log, not a listing: use call_log",
                ));
            }
        })
    }
}
