//! Records (or the lines that failed to parse) into Arrow columns, and a day's batch
//! into a Parquet file.

use crate::Table;
use crate::schema::{self, ColumnType};
use arrow_array::builder::{
    Int16Builder, StringBuilder, TimestampSecondBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use plumlogs::{CallLogEntry, CallSummary, ErrorRecord, ParseError, SessionRecord, Timestamp};
use std::sync::Arc;

/// One cell.
#[derive(Clone, Copy, Debug)]
pub(crate) enum V<'a> {
    Null,
    Str(&'a str),
    Int(i64),
    UInt(u64),
}

impl<'a> V<'a> {
    fn opt_i(v: Option<i64>) -> V<'a> {
        v.map_or(V::Null, V::Int)
    }
}

enum Col {
    Text(StringBuilder),
    U32(UInt32Builder),
    U64(UInt64Builder),
    I16(Int16Builder),
    Ts(TimestampSecondBuilder, bool),
}

impl Col {
    fn new(ty: ColumnType) -> Col {
        match ty {
            ColumnType::Text => Col::Text(StringBuilder::new()),
            ColumnType::U32 => Col::U32(UInt32Builder::new()),
            ColumnType::U64 => Col::U64(UInt64Builder::new()),
            ColumnType::I16 => Col::I16(Int16Builder::new()),
            ColumnType::Timestamp => Col::Ts(TimestampSecondBuilder::new(), true),
            ColumnType::LocalTimestamp => Col::Ts(TimestampSecondBuilder::new(), false),
        }
    }

    /// Append a cell. A value that does not fit the column's type is a bug in the
    /// row functions below (every table's rows are checked by the tests), so it is
    /// reported as an error rather than stored as null.
    fn push(&mut self, v: V<'_>, name: &str) -> Result<(), ArrowError> {
        let wrong = || ArrowError::InvalidArgumentError(format!("column {name}: got {v:?}"));
        match (self, v) {
            (Col::Text(b), V::Str(s)) => b.append_value(s),
            (Col::Text(b), V::Null) => b.append_null(),
            (Col::U32(b), V::UInt(n)) => b.append_value(u32::try_from(n).map_err(|_| wrong())?),
            (Col::U32(b), V::Null) => b.append_null(),
            (Col::U64(b), V::UInt(n)) => b.append_value(n),
            (Col::U64(b), V::Null) => b.append_null(),
            (Col::I16(b), V::Int(n)) => b.append_value(i16::try_from(n).map_err(|_| wrong())?),
            (Col::I16(b), V::Null) => b.append_null(),
            (Col::Ts(b, _), V::Int(n)) => b.append_value(n),
            (Col::Ts(b, _), V::Null) => b.append_null(),
            _ => return Err(wrong()),
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            Col::Text(mut b) => Arc::new(b.finish()),
            Col::U32(mut b) => Arc::new(b.finish()),
            Col::U64(mut b) => Arc::new(b.finish()),
            Col::I16(mut b) => Arc::new(b.finish()),
            Col::Ts(mut b, true) => Arc::new(b.finish().with_timezone("UTC")),
            Col::Ts(mut b, false) => Arc::new(b.finish()),
        }
    }
}

/// The rows of one table for one day, column by column.
pub(crate) struct TableRows {
    table: Table,
    names: Vec<&'static str>,
    cols: Vec<Col>,
    len: usize,
}

impl TableRows {
    pub(crate) fn new(table: Table) -> TableRows {
        let columns = schema::columns(table);
        TableRows {
            table,
            names: columns.iter().map(|c| c.name).collect(),
            cols: columns.iter().map(|c| Col::new(c.ty)).collect(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, row: &[V<'_>]) -> Result<(), ArrowError> {
        if row.len() != self.cols.len() {
            return Err(ArrowError::InvalidArgumentError(format!(
                "{} row of {} cells for {} columns",
                self.table.name(),
                row.len(),
                self.cols.len()
            )));
        }
        for ((col, v), name) in self.cols.iter_mut().zip(row).zip(&self.names) {
            col.push(*v, name)?;
        }
        self.len += 1;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<RecordBatch, ArrowError> {
        let schema: SchemaRef = schema::arrow_schema(self.table);
        RecordBatch::try_new(schema, self.cols.into_iter().map(Col::finish).collect())
    }
}

/// `column N: reason`: the line itself is in the `raw` column.
pub(crate) fn describe(e: &ParseError) -> String {
    format!("column {}: {}", e.column, e.kind)
}

fn instant(t: &Timestamp) -> [V<'static>; 2] {
    [
        V::opt_i(t.unix_seconds()),
        t.offset_minutes.map_or(V::Null, |m| V::Int(m as i64)),
    ]
}

/// A session line: its record's cells, or nulls and the parse error.
pub(crate) fn push_session(rows: &mut TableRows, raw: &str) -> Result<(), ArrowError> {
    match plumlogs::parse_session_line(raw) {
        Ok(r) => rows.push(&session_cells(&r, raw)),
        Err(e) => {
            let e = describe(&ParseError::from_line(e, raw.as_bytes(), 1, 0));
            let mut cells = vec![V::Null; schema::SESSION.len()];
            cells.extend([V::Str(raw), V::Str(&e)]);
            rows.push(&cells)
        }
    }
}

fn session_cells<'a>(r: &'a SessionRecord<'_>, raw: &'a str) -> Vec<V<'a>> {
    let [ts, off] = instant(&r.timestamp);
    vec![
        V::Str(&r.kind),
        V::Str(&r.ani),
        V::UInt(r.channel as u64),
        ts,
        off,
        V::Str(&r.dnis),
        V::Str(r.session_id.as_str()),
        V::opt_i(r.call_start()),
        V::opt_i(r.call_end()),
        r.duration().map_or(V::Null, V::UInt),
        r.label().map_or(V::Null, V::Str),
        r.message().map_or(V::Null, V::Str),
        V::Str(raw),
        V::Null,
    ]
}

/// An error line: its record's cells, or nulls and the parse error.
pub(crate) fn push_error(rows: &mut TableRows, raw: &str) -> Result<(), ArrowError> {
    match plumlogs::parse_error_line(raw) {
        Ok(r) => rows.push(&error_cells(&r, raw)),
        Err(e) => {
            let e = describe(&ParseError::from_line(e, raw.as_bytes(), 1, 0));
            let mut cells = vec![V::Null; schema::ERROR.len()];
            cells.extend([V::Str(raw), V::Str(&e)]);
            rows.push(&cells)
        }
    }
}

fn error_cells<'a>(r: &'a ErrorRecord<'_>, raw: &'a str) -> Vec<V<'a>> {
    let [ts, off] = instant(&r.timestamp);
    vec![
        V::Str(&r.ani),
        V::UInt(r.channel as u64),
        ts,
        off,
        V::Str(&r.dnis),
        V::Str(r.session_id.as_str()),
        V::Str(&r.message),
        V::Str(raw),
        V::Null,
    ]
}

/// A call: its summary and its log text.
pub(crate) fn push_call(
    rows: &mut TableRows,
    s: &CallSummary<'_>,
    text: &str,
) -> Result<(), ArrowError> {
    rows.push(&[
        V::UInt(s.log_id),
        V::Str(s.session_id.as_str()),
        V::Str(&s.dest),
        V::Str(&s.call_type),
        V::Str(&s.src),
        V::Int(s.start),
        V::Int(s.end),
        V::Str(text),
    ])
}

/// Every entry of a call's log (and every piece that is not one, with its parse
/// error), each with the text it was read from.
pub(crate) fn push_entries(
    rows: &mut TableRows,
    log_id: u64,
    text: &str,
) -> Result<(), ArrowError> {
    let items: Vec<Result<CallLogEntry<'_>, ParseError>> =
        plumlogs::CallLogEntries::new(text).collect();
    // Where each item's text starts: the start of the line holding a field the parser
    // borrowed from the text (or the error's offset). An item's text runs to the next
    // item's start.
    let base = text.as_ptr() as usize;
    let mut starts = Vec::with_capacity(items.len());
    let mut previous = 0;
    for item in &items {
        let anchor = match item {
            Ok(e) => {
                let p = e.zone.as_ptr() as usize;
                if (base..=base + text.len()).contains(&p) {
                    p - base
                } else {
                    previous
                }
            }
            Err(e) => e.offset.min(text.len()),
        };
        let anchor = anchor.max(previous);
        let start = text[..anchor]
            .rfind('\n')
            .map_or(0, |i| i + 1)
            .max(previous);
        starts.push(start);
        previous = start;
    }
    for (n, item) in items.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let raw = text[starts[n]..end].trim_end_matches(['\r', '\n']);
        let index = V::UInt(n as u64);
        match item {
            Ok(e) => {
                let [ts, off] = instant(&e.timestamp);
                rows.push(&[
                    V::UInt(log_id),
                    index,
                    ts,
                    off,
                    V::Int(e.timestamp.local_seconds()),
                    V::Str(&e.zone),
                    V::Str(&e.module),
                    V::Str(e.session_id.as_str()),
                    V::Str(&e.level),
                    V::Str(&e.message),
                    V::Str(raw),
                    V::Null,
                ])?;
            }
            Err(e) => {
                let why = describe(e);
                let mut cells = vec![V::UInt(log_id), index];
                cells.extend(std::iter::repeat_n(V::Null, schema::CALL_LOG_ENTRY.len()));
                cells.extend([V::Str(raw), V::Str(&why)]);
                rows.push(&cells)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    #[test]
    fn a_bad_line_is_kept_with_its_error_and_a_good_one_parses() {
        let good = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
        let mut rows = TableRows::new(Table::Sessions);
        push_session(&mut rows, good).unwrap();
        push_session(&mut rows, "inbound 7185551234 x").unwrap();
        let batch = rows.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let raw = batch.column_by_name("raw").unwrap();
        let raw = raw
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert_eq!(raw.value(0), good);
        assert_eq!(raw.value(1), "inbound 7185551234 x");
        let err = batch.column_by_name("parse_error").unwrap();
        assert!(err.is_null(0));
        let err = err
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert!(err.value(1).starts_with("column "), "{}", err.value(1));
        let kind = batch.column_by_name("kind").unwrap();
        assert!(kind.is_valid(0) && kind.is_null(1));
        let dur = batch.column_by_name("duration").unwrap();
        let dur = dur
            .as_any()
            .downcast_ref::<arrow_array::UInt64Array>()
            .unwrap();
        assert_eq!(dur.value(0), 29);
    }

    #[test]
    fn entries_keep_their_text_including_continuations_and_bad_lines() {
        let text = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (200035;003;1509734279) EVENT: first\n\
                    second line\n\
                    stray\n\
                    Wed 28 Aug 2002 10:17:00 AM EDT [vxi] (200035;003;1509734279) DEBUG: next\n";
        // "stray" continues the first entry; make an orphan by a leading continuation.
        let text2 = format!("orphan\n{text}");
        let mut rows = TableRows::new(Table::CallLogEntries);
        push_entries(&mut rows, 5, &text2).unwrap();
        let batch = rows.finish().unwrap();
        let raw = batch.column_by_name("raw").unwrap();
        let raw = raw
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        let got: Vec<&str> = (0..raw.len()).map(|i| raw.value(i)).collect();
        assert_eq!(
            got,
            [
                "orphan",
                "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (200035;003;1509734279) EVENT: first\nsecond line\nstray",
                "Wed 28 Aug 2002 10:17:00 AM EDT [vxi] (200035;003;1509734279) DEBUG: next",
            ]
        );
        let err = batch.column_by_name("parse_error").unwrap();
        assert!(err.is_valid(0) && err.is_null(1) && err.is_null(2));
    }
}
