//! A row's cells back into its record, and the record into its line with core's
//! formatter (the records' `Display`, the same one the emulator serves lines with).
//!
//! The writer keeps `raw` only where the line differs from what this gives for the
//! row's own cells; the reader ([`crate::read`]) rebuilds the rest the same way.
//! Both go through [`formatted`], so what is written can always be read back.

use crate::Table;
use crate::rows::V;
use plumlogs::{CallLogEntry, ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp};
use std::borrow::Cow;

/// The value of a column by name (`None`: the table has no such column).
pub(crate) type Cells<'c, 'a> = &'c dyn Fn(&str) -> Option<V<'a>>;

fn text<'a>(cell: Cells<'_, 'a>, name: &str) -> Option<&'a str> {
    match cell(name)? {
        V::Str(s) => Some(s),
        _ => None,
    }
}

fn int(cell: Cells<'_, '_>, name: &str) -> Option<i64> {
    match cell(name)? {
        V::Int(n) => Some(n),
        V::UInt(n) => i64::try_from(n).ok(),
        _ => None,
    }
}

fn uint(cell: Cells<'_, '_>, name: &str) -> Option<u64> {
    match cell(name)? {
        V::UInt(n) => Some(n),
        V::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

fn offset(cell: Cells<'_, '_>) -> Option<i16> {
    int(cell, "utc_offset_minutes").and_then(|m| i16::try_from(m).ok())
}

/// A line's timestamp: the instant at its own offset.
fn instant(cell: Cells<'_, '_>) -> Option<Timestamp> {
    Some(Timestamp::from_unix(int(cell, "timestamp")?, offset(cell)?))
}

fn session<'a>(cell: Cells<'_, 'a>) -> Option<SessionRecord<'a>> {
    let detail = match (
        int(cell, "call_start"),
        int(cell, "call_end"),
        uint(cell, "duration"),
    ) {
        (Some(start), Some(end), Some(duration)) => SessionDetail::Call {
            start,
            end,
            duration,
        },
        _ => SessionDetail::Tag {
            label: Cow::Borrowed(text(cell, "label")?),
            message: Cow::Borrowed(text(cell, "message")?),
        },
    };
    Some(SessionRecord {
        kind: Cow::Borrowed(text(cell, "kind")?),
        ani: Cow::Borrowed(text(cell, "ani")?),
        channel: u32::try_from(uint(cell, "channel")?).ok()?,
        timestamp: instant(cell)?,
        dnis: Cow::Borrowed(text(cell, "dnis")?),
        session_id: SessionId(Cow::Borrowed(text(cell, "session_id")?)),
        detail,
    })
}

fn error<'a>(cell: Cells<'_, 'a>) -> Option<ErrorRecord<'a>> {
    Some(ErrorRecord {
        ani: Cow::Borrowed(text(cell, "ani")?),
        channel: u32::try_from(uint(cell, "channel")?).ok()?,
        timestamp: instant(cell)?,
        dnis: Cow::Borrowed(text(cell, "dnis")?),
        session_id: SessionId(Cow::Borrowed(text(cell, "session_id")?)),
        message: Cow::Borrowed(text(cell, "message")?),
    })
}

fn entry<'a>(cell: Cells<'_, 'a>) -> Option<CallLogEntry<'a>> {
    // The wall clock as written, and the zone's offset where it is known.
    let mut timestamp = Timestamp::from_unix(int(cell, "local_timestamp")?, 0);
    timestamp.offset_minutes = offset(cell);
    Some(CallLogEntry {
        timestamp,
        zone: Cow::Borrowed(text(cell, "zone")?),
        module: Cow::Borrowed(text(cell, "module")?),
        session_id: SessionId(Cow::Borrowed(text(cell, "session_id")?)),
        level: Cow::Borrowed(text(cell, "level")?),
        message: Cow::Borrowed(text(cell, "message")?),
    })
}

/// The line (for `call_log_entries`: the entry's lines) core formats for a row's
/// record columns; `None` when they hold no record (a line that did not parse) or
/// for `calls`, which has no line.
pub(crate) fn formatted<'a>(table: Table, cell: Cells<'_, 'a>) -> Option<String> {
    match table {
        Table::Sessions => session(cell).map(|r| r.to_string()),
        Table::Errors => error(cell).map(|r| r.to_string()),
        Table::CallLogEntries => entry(cell).map(|r| r.to_string()),
        Table::Calls => None,
    }
}
