//! Analyst frames: core's frame form (`RecordSchema::frame_columns`) in Arrow.
//!
//! The columnar form (`arrow.rs`, shared columns) plus the columns core's frame form
//! adds, each computed with core's own rule (`arrow::Derived`: the session-id parts
//! with `SessionId::parts`, the wall-clock time with `Timestamp::local_seconds`),
//! per parsed part on a thread per core when a frame asks for them, and lent to
//! Arrow in the same one hand-over as the rest. And the call
//! lines or the `local` tag lines of a session list alone, without the columns the
//! other kind fills (`schema::CALL_LINE_FIELDS`, `schema::TAG_LINE_FIELDS`).
//! `python/plumlogs/_frames.py` turns the stream into pandas and polars frames.

use crate::arrow::{Derived, Lazy, arrow_type, export, frame_batches};
use crate::errors::invalid_argument;
use crate::record_list::RecordList;
use crate::rows::Rows;
use arrow_array::ArrayRef;
use arrow_schema::{ArrowError, Field, Schema};
use plumlogs::schema::{self, Column, LogicalType as L, RecordSchema};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};
use std::sync::Arc;

/// Which lines of a session list a frame holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    All,
    Calls,
    Tags,
}

/// The `lines` argument for records of schema `s`: only session records have call
/// and tag lines.
fn lines_arg(s: &RecordSchema, lines: Option<&str>) -> PyResult<Lines> {
    let l = match lines {
        None | Some("all") => return Ok(Lines::All),
        Some("calls") => Lines::Calls,
        Some("tags") => Lines::Tags,
        Some(other) => {
            return Err(invalid_argument(
                "lines",
                format!("must be \"all\", \"calls\" or \"tags\", got {other:?}"),
            ));
        }
    };
    if s.name != schema::SESSION_RECORD.name {
        return Err(invalid_argument(
            "lines",
            format!(
                "only session records have call and tag lines; these are {}",
                s.name
            ),
        ));
    }
    Ok(l)
}

/// The columns of a frame: the columnar or the frame form, without the fields the
/// chosen lines never fill.
fn columns(s: &RecordSchema, derived: bool, lines: Lines) -> Vec<Column> {
    let all = if derived {
        s.frame_columns()
    } else {
        s.columns.to_vec()
    };
    let dropped: &[&str] = match lines {
        Lines::All => &[],
        Lines::Calls => &schema::TAG_LINE_FIELDS,
        Lines::Tags => &schema::CALL_LINE_FIELDS,
    };
    all.into_iter()
        .filter(|c| !dropped.contains(&c.from))
        .collect()
}

/// The call lines (or the tag lines) of session rows, in order.
fn select(rows: &Rows, lines: Lines) -> Rows {
    let Rows::Sessions(t) = rows else {
        return rows.clone();
    };
    let want = match lines {
        Lines::All => return rows.clone(),
        Lines::Calls => true,
        Lines::Tags => false,
    };
    let idx: Vec<usize> = t
        .parts
        .iter()
        .flat_map(|p| p.cols.is_call.iter().copied())
        .enumerate()
        .filter_map(|(i, is_call)| (is_call == want).then_some(i))
        .collect();
    rows.pick(idx.into_iter())
}

/// A column of the frame form that the columnar form does not have: the part's
/// derived column made by core's rule for it (the session-id parts by
/// `SessionId::parts`, the wall clock by `Timestamp::local_seconds`), told apart by
/// the field it comes from and its type.
fn derived_column(s: &RecordSchema, c: &Column, d: &Derived) -> Result<ArrayRef, ArrowError> {
    let from = s.field(c.from).map(|f| f.ty);
    let [server, channel, start] = &d.id_parts;
    match (from, c.ty) {
        (Some(L::SessionId), L::Text) => Ok(server.clone()),
        (Some(L::SessionId), L::UInt32) => Ok(channel.clone()),
        (Some(L::SessionId), L::UnixSeconds) => Ok(start.clone()),
        (Some(L::Timestamp), L::LocalSeconds) => d.local.clone().ok_or_else(|| no_rule(c, c.ty)),
        (_, other) => Err(no_rule(c, other)),
    }
}

fn no_rule(c: &Column, ty: L) -> ArrowError {
    ArrowError::SchemaError(format!(
        "no rule derives column {:?} of type {ty:?} from {:?}",
        c.name, c.from
    ))
}

/// An Arrow stream (PyCapsule) of a record list as a frame: `derived` adds the
/// frame form's columns, `lines` (`"calls"`, `"tags"`, `"all"`/`None`) keeps the
/// call or the tag lines of a session list alone.
#[pyfunction]
#[pyo3(signature = (records, derived, lines = None, requested_schema = None))]
pub fn _frame_stream<'py>(
    py: Python<'py>,
    records: &Bound<'py, RecordList>,
    derived: bool,
    lines: Option<&str>,
    requested_schema: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let rows = &records.get().rows;
    let lines = lines_arg(rows.schema(), lines)?;
    let rows = select(rows, lines);
    let s = rows.schema();
    let cols = columns(s, derived, lines);
    let plain = crate::arrow::schema(&rows);
    let schema = Arc::new(Schema::new(
        cols.iter()
            .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ));
    let frame = |columnar: &[ArrayRef], d: &Lazy<'_>| {
        cols.iter()
            .map(|c| match plain.index_of(c.name) {
                Ok(i) => Ok(columnar[i].clone()),
                Err(_) => derived_column(s, c, d.get()),
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let out = py.detach(|| frame_batches(&rows, &schema, Some(&frame)));
    export(py, schema, out, requested_schema.as_ref())
}

/// The columns of a frame of `record_type` (`SessionRecord`, …), as core's schema
/// has them: a dict per column with `name`, `type` (the logical type's name),
/// `nullable`, `from` (the record field) and `doc`.
#[pyfunction]
#[pyo3(signature = (record_type, derived = true, lines = None))]
pub fn _frame_schema<'py>(
    py: Python<'py>,
    record_type: &str,
    derived: bool,
    lines: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let s = schema::record(record_type).ok_or_else(|| {
        invalid_argument(
            "record_type",
            format!("no record type {record_type:?} in the schema"),
        )
    })?;
    let lines = lines_arg(s, lines)?;
    let out = PyList::empty(py);
    for c in columns(s, derived, lines) {
        let d = PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item("type", c.ty.name())?;
        d.set_item("nullable", c.nullable)?;
        d.set_item("from", c.from)?;
        d.set_item("doc", c.doc)?;
        out.append(d)?;
    }
    Ok(out)
}

/// An `InvalidArgument` instance (not raised) for an argument the Python layer
/// checks, with core's message: for what only Python can check (a zone name).
#[pyfunction]
pub fn _invalid_argument<'py>(
    py: Python<'py>,
    field: &str,
    reason: &str,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::instance(py, &plumlogs::Error::invalid_argument(field, reason), None)
}
