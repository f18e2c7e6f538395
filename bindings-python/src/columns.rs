//! The rows of each record type, column by column, in Arrow's own layouts.
//!
//! A bulk parse writes every field straight into its column (text fields as string
//! views into the input, see `store`), so `to_arrow()` shares these vectors with
//! Arrow instead of converting anything; a record object is an index into them.
//! Core records are rebuilt from a row on demand: serialisation, `Display` and
//! equality stay the core's, never re-implemented here.

use crate::store::{Columns, Store, View, Views};
use plumlogs::{
    CallLogEntry, CallSummary, ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp,
};
use std::borrow::Cow;

/// A struct of one `Vec` per column, and the row-wise operations on it. Every
/// column always holds the same number of rows, so one capacity check covers a row.
macro_rules! columns {
    ($(#[$doc:meta])* $name:ident => $record:ident { $first:ident: $first_ty:ty, $($col:ident: $t:ty),* $(,)? }) => {
        $(#[$doc])*
        pub struct $name {
            pub $first: Vec<$first_ty>,
            $(pub $col: Vec<$t>,)*
            /// Rows every column has capacity for.
            room: usize,
        }

        impl $name {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn push_row(&mut self, $first: $first_ty, $($col: $t),*) {
                let n = self.$first.len();
                if n == self.room {
                    self.grow();
                }
                // SAFETY: every column holds `n` rows and has capacity for `room > n`.
                unsafe {
                    self.$first.as_mut_ptr().add(n).write($first);
                    self.$first.set_len(n + 1);
                    $(
                        self.$col.as_mut_ptr().add(n).write($col);
                        self.$col.set_len(n + 1);
                    )*
                }
            }

            #[cold]
            fn grow(&mut self) {
                let more = self.$first.len().max(16);
                self.$first.reserve(more);
                $(self.$col.reserve(more);)*
                self.room = self.$first.capacity() $(.min(self.$col.capacity()))*;
            }
        }

        // The type's own `push` and `record` (below each `columns!`) are the trait's.
        impl Columns for $name {
            type Record<'s> = $record<'s>;
            #[inline(always)]
            fn push_record(&mut self, v: &mut Views<'_>, r: &$record<'_>) {
                <$name>::push(self, v, r)
            }
            fn record<'s>(&'s self, st: &'s Store, i: usize) -> $record<'s> {
                <$name>::record(self, st, i)
            }
            fn with_capacity(n: usize) -> Self {
                let mut c = $name { $first: Vec::with_capacity(n), $($col: Vec::with_capacity(n),)* room: 0 };
                c.room = c.$first.capacity() $(.min(c.$col.capacity()))*;
                c
            }
            fn len(&self) -> usize {
                self.$first.len()
            }
            fn copy_row(&mut self, from: &Self, i: usize) {
                self.push_row(from.$first[i], $(from.$col[i]),*);
            }
        }
    };
}

fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

columns!(
    /// Session lines. `label`/`message` are empty views on call lines and the call
    /// columns are 0 on `local` lines: `is_call` says which half is real.
    SessionCols => SessionRecord {
        kind: View,
        ani: View,
        channel: u32,
        ts: Timestamp,
        unix: i64,
        offset: i16,
        dnis: View,
        sid: View,
        is_call: bool,
        start: i64,
        end: i64,
        duration: u64,
        label: View,
        message: View,
    }
);

impl SessionCols {
    #[inline(always)]
    pub fn push(&mut self, v: &mut Views<'_>, r: &SessionRecord<'_>) {
        let (is_call, start, end, duration, label, message) = match &r.detail {
            SessionDetail::Call {
                start,
                end,
                duration,
            } => (true, *start, *end, *duration, 0, 0),
            SessionDetail::Tag { label, message } => {
                (false, 0, 0, 0, v.view(label), v.view(message))
            }
        };
        let (kind, ani, dnis, sid) = (
            v.view(&r.kind),
            v.view(&r.ani),
            v.view(&r.dnis),
            v.view(r.session_id.as_str()),
        );
        self.push_row(
            kind,
            ani,
            r.channel,
            r.timestamp,
            v.days.unix_seconds(&r.timestamp).unwrap_or(0),
            r.timestamp.offset_minutes.unwrap_or(0),
            dnis,
            sid,
            is_call,
            start,
            end,
            duration,
            label,
            message,
        );
    }

    pub fn record<'s>(&'s self, st: &'s Store, i: usize) -> SessionRecord<'s> {
        SessionRecord {
            kind: b(st.get(&self.kind[i])),
            ani: b(st.get(&self.ani[i])),
            channel: self.channel[i],
            timestamp: self.ts[i],
            dnis: b(st.get(&self.dnis[i])),
            session_id: SessionId(b(st.get(&self.sid[i]))),
            detail: if self.is_call[i] {
                SessionDetail::Call {
                    start: self.start[i],
                    end: self.end[i],
                    duration: self.duration[i],
                }
            } else {
                SessionDetail::Tag {
                    label: b(st.get(&self.label[i])),
                    message: b(st.get(&self.message[i])),
                }
            },
        }
    }
}

columns!(
    /// Error lines.
    ErrorCols => ErrorRecord {
        ani: View,
        channel: u32,
        ts: Timestamp,
        unix: i64,
        offset: i16,
        dnis: View,
        sid: View,
        message: View,
    }
);

impl ErrorCols {
    #[inline(always)]
    pub fn push(&mut self, v: &mut Views<'_>, r: &ErrorRecord<'_>) {
        let (ani, dnis, sid, message) = (
            v.view(&r.ani),
            v.view(&r.dnis),
            v.view(r.session_id.as_str()),
            v.view(&r.message),
        );
        self.push_row(
            ani,
            r.channel,
            r.timestamp,
            v.days.unix_seconds(&r.timestamp).unwrap_or(0),
            r.timestamp.offset_minutes.unwrap_or(0),
            dnis,
            sid,
            message,
        );
    }

    pub fn record<'s>(&'s self, st: &'s Store, i: usize) -> ErrorRecord<'s> {
        ErrorRecord {
            ani: b(st.get(&self.ani[i])),
            channel: self.channel[i],
            timestamp: self.ts[i],
            dnis: b(st.get(&self.dnis[i])),
            session_id: SessionId(b(st.get(&self.sid[i]))),
            message: b(st.get(&self.message[i])),
        }
    }
}

columns!(
    /// Call-log entries. `unix`/`offset` are 0 where the zone is unknown
    /// (`has_offset` false); `local` is the wall-clock reading either way.
    EntryCols => CallLogEntry {
        ts: Timestamp,
        unix: i64,
        offset: i16,
        has_offset: bool,
        local: i64,
        zone: View,
        module: View,
        sid: View,
        level: View,
        message: View,
    }
);

impl EntryCols {
    pub fn push(&mut self, v: &mut Views<'_>, r: &CallLogEntry<'_>) {
        let t = r.timestamp;
        let (zone, module, sid, level, message) = (
            v.view(&r.zone),
            v.view(&r.module),
            v.view(r.session_id.as_str()),
            v.view(&r.level),
            v.view(&r.message),
        );
        self.push_row(
            t,
            v.days.unix_seconds(&t).unwrap_or(0),
            t.offset_minutes.unwrap_or(0),
            t.offset_minutes.is_some(),
            v.days.local_seconds(&t),
            zone,
            module,
            sid,
            level,
            message,
        );
    }

    pub fn record<'s>(&'s self, st: &'s Store, i: usize) -> CallLogEntry<'s> {
        CallLogEntry {
            timestamp: self.ts[i],
            zone: b(st.get(&self.zone[i])),
            module: b(st.get(&self.module[i])),
            session_id: SessionId(b(st.get(&self.sid[i]))),
            level: b(st.get(&self.level[i])),
            message: b(st.get(&self.message[i])),
        }
    }
}

columns!(
    /// Items of the `calls/logs` listing.
    SummaryCols => CallSummary {
        log_id: u64,
        sid: View,
        dest: View,
        call_type: View,
        src: View,
        start: i64,
        end: i64,
    }
);

impl SummaryCols {
    pub fn push(&mut self, v: &mut Views<'_>, r: &CallSummary<'_>) {
        let (sid, dest, call_type, src) = (
            v.view(r.session_id.as_str()),
            v.view(&r.dest),
            v.view(&r.call_type),
            v.view(&r.src),
        );
        self.push_row(r.log_id, sid, dest, call_type, src, r.start, r.end);
    }

    pub fn record<'s>(&'s self, st: &'s Store, i: usize) -> CallSummary<'s> {
        CallSummary {
            log_id: self.log_id[i],
            session_id: SessionId(b(st.get(&self.sid[i]))),
            dest: b(st.get(&self.dest[i])),
            call_type: b(st.get(&self.call_type[i])),
            src: b(st.get(&self.src[i])),
            start: self.start[i],
            end: self.end[i],
        }
    }
}
