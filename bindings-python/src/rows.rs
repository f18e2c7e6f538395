//! The rows of a result: a shared table of one record type (`Rows`), and one row of
//! it (`At`, what a record object holds). No Python classes here: the record
//! classes (`records`), the record lists (`record_list`) and the Arrow export
//! (`arrow`) all build on these.

use crate::columns::{EntryCols, ErrorCols, SessionCols, SummaryCols};
use crate::store::{Columns, Store, Table, View};
use std::sync::Arc;

/// One row of a table: what a record object holds (the table is shared).
pub struct At<C> {
    t: Arc<Table<C>>,
    part: usize,
    i: usize,
}

impl<C: Columns> At<C> {
    pub fn new(t: Arc<Table<C>>, i: usize) -> Self {
        let (part, i) = t.locate(i);
        At { t, part, i }
    }
    #[inline]
    pub(crate) fn st(&self) -> &Store {
        &self.t.parts[self.part].st
    }
    #[inline]
    pub(crate) fn cols(&self) -> &C {
        &self.t.parts[self.part].cols
    }
    /// A number column's value.
    #[inline]
    pub(crate) fn get<T: Copy>(&self, col: fn(&C) -> &Vec<T>) -> T {
        col(self.cols())[self.i]
    }
    /// A text column's value.
    #[inline]
    pub(crate) fn text(&self, col: fn(&C) -> &Vec<View>) -> &str {
        self.st().get(&col(self.cols())[self.i])
    }
}

impl<C: Columns> At<C> {
    pub(crate) fn record(&self) -> C::Record<'_> {
        self.cols().record(self.st(), self.i)
    }
}

/// The rows of one result, all of one record type.
#[derive(Clone)]
pub enum Rows {
    Sessions(Arc<Table<SessionCols>>),
    Errors(Arc<Table<ErrorCols>>),
    Entries(Arc<Table<EntryCols>>),
    Summaries(Arc<Table<SummaryCols>>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Sessions(r) => r.len(),
            Rows::Errors(r) => r.len(),
            Rows::Entries(r) => r.len(),
            Rows::Summaries(r) => r.len(),
        }
    }
    pub fn pick(&self, idx: impl Iterator<Item = usize>) -> Rows {
        match self {
            Rows::Sessions(r) => Rows::Sessions(Arc::new(r.pick(idx))),
            Rows::Errors(r) => Rows::Errors(Arc::new(r.pick(idx))),
            Rows::Entries(r) => Rows::Entries(Arc::new(r.pick(idx))),
            Rows::Summaries(r) => Rows::Summaries(Arc::new(r.pick(idx))),
        }
    }
    /// The record type's schema (its name is the Python class name).
    pub fn schema(&self) -> &'static plumlogs::schema::RecordSchema {
        use plumlogs::schema;
        match self {
            Rows::Sessions(_) => &schema::SESSION_RECORD,
            Rows::Errors(_) => &schema::ERROR_RECORD,
            Rows::Entries(_) => &schema::CALL_LOG_ENTRY,
            Rows::Summaries(_) => &schema::CALL_SUMMARY,
        }
    }
    pub(crate) fn record_type(&self) -> &'static str {
        self.schema().name
    }
}
