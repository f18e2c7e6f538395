//! Records (or the lines that failed to parse) into Arrow columns, and a day's batch
//! into a Parquet file.

use crate::Table;
use crate::schema::{self, Column};
use arrow_array::builder::{
    Int16Builder, StringBuilder, TimestampMicrosecondBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use plumlogs::schema::LogicalType;
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
    Ts(TimestampMicrosecondBuilder, bool),
}

impl Col {
    fn new(ty: LogicalType) -> Col {
        match ty {
            LogicalType::Int16 => Col::I16(Int16Builder::new()),
            LogicalType::UInt32 => Col::U32(UInt32Builder::new()),
            LogicalType::UInt64 | LogicalType::DurationSeconds => Col::U64(UInt64Builder::new()),
            LogicalType::UnixSeconds => Col::Ts(TimestampMicrosecondBuilder::new(), true),
            LogicalType::LocalSeconds => Col::Ts(TimestampMicrosecondBuilder::new(), false),
            // Text, session ids (and, checked by the schema's tests, nothing else).
            _ => Col::Text(StringBuilder::new()),
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
            // Whole seconds, stored as microseconds (see `schema`).
            (Col::Ts(b, _), V::Int(n)) => {
                b.append_value(n.checked_mul(1_000_000).ok_or_else(wrong)?)
            }
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
    columns: Vec<Column>,
    cols: Vec<Col>,
    len: usize,
}

impl TableRows {
    pub(crate) fn new(table: Table) -> TableRows {
        let columns = schema::columns(table);
        TableRows {
            table,
            cols: columns.iter().map(|c| Col::new(c.ty)).collect(),
            columns,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// One row: `cell` gives each column's value by name (`None`: a column this
    /// table's rows do not know, a bug the tests catch).
    fn push<'a>(&mut self, cell: impl Fn(&str) -> Option<V<'a>>) -> Result<(), ArrowError> {
        for (col, c) in self.cols.iter_mut().zip(&self.columns) {
            let v = cell(c.name).ok_or_else(|| {
                ArrowError::InvalidArgumentError(format!(
                    "no value for column {}.{}",
                    self.table, c.name
                ))
            })?;
            col.push(v, c.name)?;
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

fn instant<'a>(t: &Timestamp, name: &str) -> Option<V<'a>> {
    Some(match name {
        "utc_offset_minutes" => t.offset_minutes.map_or(V::Null, |m| V::Int(m as i64)),
        "local_timestamp" => V::Int(t.local_seconds()),
        _ => V::opt_i(t.unix_seconds()),
    })
}

/// The value of a line table's own columns, or of a record column when the line
/// did not parse (null).
fn line_cell<'a>(name: &str, raw: &'a str, error: Option<&'a str>) -> V<'a> {
    match name {
        "raw" => V::Str(raw),
        "parse_error" => error.map_or(V::Null, V::Str),
        _ => V::Null,
    }
}

fn session_value<'a>(r: &'a SessionRecord<'_>, name: &str) -> Option<V<'a>> {
    Some(match name {
        "kind" => V::Str(&r.kind),
        "ani" => V::Str(&r.ani),
        "channel" => V::UInt(r.channel as u64),
        "timestamp" | "utc_offset_minutes" => return instant(&r.timestamp, name),
        "dnis" => V::Str(&r.dnis),
        "session_id" => V::Str(r.session_id.as_str()),
        "call_start" => V::opt_i(r.call_start()),
        "call_end" => V::opt_i(r.call_end()),
        "duration" => r.duration().map_or(V::Null, V::UInt),
        "label" => r.label().map_or(V::Null, V::Str),
        "message" => r.message().map_or(V::Null, V::Str),
        _ => return None,
    })
}

fn error_value<'a>(r: &'a ErrorRecord<'_>, name: &str) -> Option<V<'a>> {
    Some(match name {
        "ani" => V::Str(&r.ani),
        "channel" => V::UInt(r.channel as u64),
        "timestamp" | "utc_offset_minutes" => return instant(&r.timestamp, name),
        "dnis" => V::Str(&r.dnis),
        "session_id" => V::Str(r.session_id.as_str()),
        "message" => V::Str(&r.message),
        _ => return None,
    })
}

fn entry_value<'a>(e: &'a CallLogEntry<'_>, name: &str) -> Option<V<'a>> {
    Some(match name {
        "timestamp" | "utc_offset_minutes" | "local_timestamp" => {
            return instant(&e.timestamp, name);
        }
        "zone" => V::Str(&e.zone),
        "module" => V::Str(&e.module),
        "session_id" => V::Str(e.session_id.as_str()),
        "level" => V::Str(&e.level),
        "message" => V::Str(&e.message),
        _ => return None,
    })
}

fn summary_value<'a>(s: &'a CallSummary<'_>, name: &str) -> Option<V<'a>> {
    Some(match name {
        "log_id" => V::UInt(s.log_id),
        "session_id" => V::Str(s.session_id.as_str()),
        "dest" => V::Str(&s.dest),
        "type" => V::Str(&s.call_type),
        "src" => V::Str(&s.src),
        "start" => V::Int(s.start),
        "end" => V::Int(s.end),
        _ => return None,
    })
}

/// `raw` for a parsed line: the line itself where it differs from what core
/// formats for the record as its cells store it (`canonical::formatted`), null
/// where it is exactly that (most lines: the reader formats them back).
fn kept_raw<'a>(table: Table, raw: &'a str, cell: crate::canonical::Cells<'_, '_>) -> V<'a> {
    if crate::canonical::formatted(table, cell).as_deref() == Some(raw) {
        V::Null
    } else {
        V::Str(raw)
    }
}

/// A line of a line table: its record's cells (and `raw` where the line is not
/// the record's own formatting), or nulls, the line and the parse error.
fn push_line<'r, R>(
    rows: &mut TableRows,
    raw: &'r str,
    parsed: Result<R, plumlogs::LineError>,
    value: impl for<'a> Fn(&'a R, &str) -> Option<V<'a>>,
) -> Result<(), ArrowError> {
    match parsed {
        Ok(r) => {
            let kept = kept_raw(rows.table, raw, &|name| value(&r, name));
            rows.push(|name| match name {
                "raw" => Some(kept),
                "parse_error" => Some(V::Null),
                _ => value(&r, name),
            })
        }
        Err(e) => {
            let why = describe(&ParseError::from_line(e, raw.as_bytes(), 1, 0));
            rows.push(|name| Some(line_cell(name, raw, Some(&why))))
        }
    }
}

/// A session line.
pub(crate) fn push_session(rows: &mut TableRows, raw: &str) -> Result<(), ArrowError> {
    push_line(rows, raw, plumlogs::parse_session_line(raw), session_value)
}

/// An error line.
pub(crate) fn push_error(rows: &mut TableRows, raw: &str) -> Result<(), ArrowError> {
    push_line(rows, raw, plumlogs::parse_error_line(raw), error_value)
}

/// A call: its summary and its log text (`None`: the text is its entries', see
/// [`push_entries`]).
pub(crate) fn push_call(
    rows: &mut TableRows,
    s: &CallSummary<'_>,
    text: Option<&str>,
) -> Result<(), ArrowError> {
    rows.push(|name| match name {
        "text" => Some(text.map_or(V::Null, V::Str)),
        _ => summary_value(s, name),
    })
}

/// Every entry of a call's log (and every piece that is not one, with its parse
/// error), each with the text it was read from (`raw`, where that is not the
/// entry's own formatting). Returns whether the log text is exactly its entries'
/// texts, each followed by `\n` ([`crate::read`] then rebuilds it from them).
pub(crate) fn push_entries(
    rows: &mut TableRows,
    log_id: u64,
    text: &str,
) -> Result<bool, ArrowError> {
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
    // The text is its entries' when every entry's text is followed by exactly one
    // `\n` and nothing else is left over.
    let mut assembled = starts.first().is_none_or(|&s| s == 0);
    let mut assembled_len = 0;
    for (n, item) in items.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let raw = text[starts[n]..end].trim_end_matches(['\r', '\n']);
        assembled &= text[starts[n] + raw.len()..end] == *"\n";
        assembled_len += raw.len() + 1;
        let own = |name: &str| match name {
            "log_id" => V::UInt(log_id),
            _ => V::UInt(n as u64),
        };
        match item {
            Ok(e) => {
                let cell = |name: &str| match name {
                    "log_id" | "entry" => Some(own(name)),
                    _ => entry_value(e, name),
                };
                let kept = kept_raw(Table::CallLogEntries, raw, &cell);
                rows.push(|name| match name {
                    "raw" => Some(kept),
                    "parse_error" => Some(V::Null),
                    _ => cell(name),
                })?
            }
            Err(e) => {
                let why = describe(e);
                rows.push(|name| match name {
                    "log_id" | "entry" => Some(own(name)),
                    _ => Some(line_cell(name, raw, Some(&why))),
                })?
            }
        }
    }
    Ok(assembled && assembled_len == text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    #[test]
    fn a_bad_line_is_kept_with_its_error_and_a_good_one_parses() {
        let good = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
        let mut rows = TableRows::new(Table::Sessions);
        // The same record with two blanks and a `\/`: not core's formatting.
        let spaced = good.replace(" 3 [03/", "  3 [03\\/");
        push_session(&mut rows, good).unwrap();
        push_session(&mut rows, "inbound 7185551234 x").unwrap();
        push_session(&mut rows, &spaced).unwrap();
        let batch = rows.finish().unwrap();
        assert_eq!(batch.num_rows(), 3);
        let raw = batch.column_by_name("raw").unwrap();
        // The canonical line is not stored: it is formatted back.
        assert!(raw.is_null(0));
        let raw = raw
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert_eq!(raw.value(1), "inbound 7185551234 x");
        assert_eq!(raw.value(2), spaced);
        let back: Vec<String> = (0..3)
            .map(|i| crate::read::line_text(&batch, i, Table::Sessions).unwrap())
            .collect();
        assert_eq!(back, [good, "inbound 7185551234 x", &spaced]);
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
        // Every line ends in one `\n`: the text is its entries' texts.
        assert!(push_entries(&mut rows, 5, &text2).unwrap());
        // A blank line between entries is not: the calls table keeps the text.
        assert!(!push_entries(&mut rows, 6, &text.replace("stray\n", "stray\n\n")).unwrap());
        assert!(!push_entries(&mut rows, 7, text.trim_end()).unwrap());
        let batch = rows.finish().unwrap();
        let raw = batch.column_by_name("raw").unwrap();
        // Only the orphan is stored; the entries are core's formatting.
        assert!(raw.is_valid(0) && raw.is_null(1) && raw.is_null(2));
        let got: Vec<String> = (0..3)
            .map(|i| crate::read::line_text(&batch, i, Table::CallLogEntries).unwrap())
            .collect();
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
