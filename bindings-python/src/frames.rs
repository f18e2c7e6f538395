//! Analyst frames: core's frame form (`RecordSchema::frame_columns`) in Arrow.
//!
//! The columnar form (`arrow.rs`, shared columns) plus the columns core's frame form
//! adds, each computed with core's own rule: the session-id parts with
//! `SessionId::parts`, the wall-clock time with `Timestamp::from_unix`. And the call
//! lines or the `local` tag lines of a session list alone, without the columns the
//! other kind fills (`schema::CALL_LINE_FIELDS`, `schema::TAG_LINE_FIELDS`).
//! `python/plumlogs/_frames.py` turns the stream into pandas and polars frames.

use crate::arrow::{arrow_type, export, record_batches};
use crate::errors::invalid_argument;
use crate::record_list::RecordList;
use crate::rows::Rows;
use arrow_array::builder::{StringViewBuilder, TimestampSecondBuilder, UInt32Builder};
use arrow_array::{
    Array, ArrayRef, Int16Array, RecordBatch, StringViewArray, TimestampSecondArray,
};
use arrow_schema::{ArrowError, Field, Schema};
use plumlogs::schema::{self, Column, LogicalType as L, RecordSchema};
use plumlogs::{SessionId, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};
use std::borrow::Cow;
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

fn column_of<'b, T: 'static>(b: &'b RecordBatch, name: &str) -> Result<&'b T, ArrowError> {
    b.column_by_name(name)
        .and_then(|a| a.as_any().downcast_ref::<T>())
        .ok_or_else(|| ArrowError::SchemaError(format!("no column {name:?} of the expected type")))
}

/// The parts of every session id of `ids` (server, channel, start), in one pass,
/// split by core's `SessionId::parts`; null where an id does not split.
fn id_parts(ids: &StringViewArray) -> [ArrayRef; 3] {
    let n = ids.len();
    let mut server = StringViewBuilder::with_capacity(n);
    let mut channel = UInt32Builder::with_capacity(n);
    let mut start = TimestampSecondBuilder::with_capacity(n).with_timezone("UTC");
    for id in ids.iter() {
        let sid;
        let parts = match id {
            Some(text) => {
                sid = SessionId(Cow::Borrowed(text));
                sid.parts().ok()
            }
            None => None,
        };
        match parts {
            Some(p) => {
                server.append_value(p.server);
                channel.append_value(p.channel);
                start.append_value(p.start);
            }
            None => {
                server.append_null();
                channel.append_null();
                start.append_null();
            }
        }
    }
    [
        Arc::new(server.finish()),
        Arc::new(channel.finish()),
        Arc::new(start.finish()),
    ]
}

/// A column of the frame form that the columnar form does not have, computed from
/// the batch's columns with core's rules; `parts` caches the batch's session-id
/// parts (all three are made in one pass).
fn derive(
    s: &RecordSchema,
    c: &Column,
    b: &RecordBatch,
    parts: &mut Option<[ArrayRef; 3]>,
) -> Result<ArrayRef, ArrowError> {
    let from = s.field(c.from).map(|f| f.ty);
    match (from, c.ty) {
        (Some(L::SessionId), part @ (L::Text | L::UInt32 | L::UnixSeconds)) => {
            if parts.is_none() {
                *parts = Some(id_parts(column_of::<StringViewArray>(b, c.from)?));
            }
            let [server, channel, start] = parts.as_ref().expect("made above");
            Ok(match part {
                L::Text => server.clone(),
                L::UInt32 => channel.clone(),
                _ => start.clone(),
            })
        }
        (Some(L::Timestamp), L::LocalSeconds) => {
            let unix = column_of::<TimestampSecondArray>(b, c.from)?;
            let offset = column_of::<Int16Array>(b, "utc_offset_minutes")?;
            Ok(Arc::new(
                unix.iter()
                    .zip(offset.iter())
                    .map(|(u, o)| Some(Timestamp::from_unix(u?, o?).local_seconds()))
                    .collect::<TimestampSecondArray>(),
            ))
        }
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
    let (plain, batches) = record_batches(&rows);
    let schema = Arc::new(Schema::new(
        cols.iter()
            .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ));
    let out = py.detach(|| {
        batches
            .into_iter()
            .map(|b| {
                let b = b?;
                let mut parts = None;
                let arrays = cols
                    .iter()
                    .map(|c| match plain.index_of(c.name) {
                        Ok(i) => Ok(b.column(i).clone()),
                        Err(_) => derive(s, c, &b, &mut parts),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                RecordBatch::try_new(schema.clone(), arrays)
            })
            .collect::<Vec<_>>()
    });
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
