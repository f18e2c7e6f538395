//! Compact record storage: every text field of a bulk result is a span into one shared
//! buffer, so a parsed record is a few machine words and no Python object exists until
//! someone asks for one.

use plumlogs::{
    CallLogEntry, CallSummary, ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::borrow::Cow;

/// Where a text field lives: `start` indexes the concatenation `base ++ extra`.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    start: usize,
    len: usize,
}

impl Span {
    #[inline]
    pub fn len(self) -> usize {
        self.len
    }
}

/// The caller's input: a Python `bytes` object kept alive and read in place (a `str`
/// argument is encoded once into one), or bytes we own.
pub enum Text {
    Owned(Vec<u8>),
    Py { _owner: Py<PyBytes>, ptr: *const u8, len: usize },
}

// SAFETY: a `bytes` object is immutable and `_owner` keeps it alive for as long as
// the pointer is used; reading it needs no GIL.
unsafe impl Send for Text {}
unsafe impl Sync for Text {}

impl Text {
    pub fn from_bytes(b: &Bound<'_, PyBytes>) -> Text {
        let s = b.as_bytes();
        Text::Py { ptr: s.as_ptr(), len: s.len(), _owner: b.clone().unbind() }
    }
}

impl std::ops::Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Text::Owned(v) => v,
            // SAFETY: see the Send/Sync note above.
            Text::Py { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::Owned(Vec::new())
    }
}

/// The text behind a batch of records: the caller's input (`base`), plus `extra` for
/// any field the parser had to build (an unescaped JSON string, a joined message).
#[derive(Default)]
pub struct Store {
    base: Text,
    extra: String,
}

impl Store {
    #[inline]
    pub fn get(&self, s: Span) -> &str {
        if s.start < self.base.len() {
            // SAFETY: base spans are only made from `&str` fields the core parser
            // borrowed out of `base` (see `Builder::span`), so they are valid UTF-8.
            unsafe { std::str::from_utf8_unchecked(&self.base[s.start..s.start + s.len]) }
        } else {
            let at = s.start - self.base.len();
            &self.extra[at..at + s.len]
        }
    }

    pub fn new(base: Text, extra: String) -> Store {
        Store { base, extra }
    }

    /// A store holding only built text (client pages, owned records).
    pub fn owned(extra: String) -> Store {
        Store { base: Text::default(), extra }
    }
}

/// Turns the borrowed fields of core records into spans while `base` is borrowed.
pub struct Builder<'b> {
    base: &'b [u8],
    pub extra: String,
}

impl<'b> Builder<'b> {
    pub fn new(base: &'b [u8]) -> Self {
        Builder { base, extra: String::new() }
    }

    #[inline]
    pub fn span(&mut self, s: &str) -> Span {
        let b = self.base.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        if p >= b && p + s.len() <= b + self.base.len() {
            Span { start: p - b, len: s.len() }
        } else {
            let start = self.base.len() + self.extra.len();
            self.extra.push_str(s);
            Span { start, len: s.len() }
        }
    }

    pub fn session(&mut self, r: &SessionRecord<'_>) -> SessionRow {
        SessionRow {
            kind: self.span(&r.kind),
            ani: self.span(&r.ani),
            channel: r.channel,
            ts: r.timestamp,
            dnis: self.span(&r.dnis),
            sid: self.span(r.session_id.as_str()),
            detail: match &r.detail {
                SessionDetail::Call { start, end, duration } => {
                    Detail::Call { start: *start, end: *end, duration: *duration }
                }
                SessionDetail::Tag { label, message } => {
                    Detail::Tag { label: self.span(label), message: self.span(message) }
                }
            },
        }
    }

    pub fn error(&mut self, r: &ErrorRecord<'_>) -> ErrorRow {
        ErrorRow {
            ani: self.span(&r.ani),
            channel: r.channel,
            ts: r.timestamp,
            dnis: self.span(&r.dnis),
            sid: self.span(r.session_id.as_str()),
            message: self.span(&r.message),
        }
    }

    pub fn entry(&mut self, r: &CallLogEntry<'_>) -> EntryRow {
        EntryRow {
            ts: r.timestamp,
            zone: self.span(&r.zone),
            module: self.span(&r.module),
            sid: self.span(r.session_id.as_str()),
            level: self.span(&r.level),
            message: self.span(&r.message),
        }
    }

    pub fn summary(&mut self, r: &CallSummary<'_>) -> SummaryRow {
        SummaryRow {
            log_id: r.log_id,
            sid: self.span(r.session_id.as_str()),
            dest: self.span(&r.dest),
            call_type: self.span(&r.call_type),
            src: self.span(&r.src),
            start: r.start,
            end: r.end,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Detail {
    Call { start: i64, end: i64, duration: u64 },
    Tag { label: Span, message: Span },
}

#[derive(Clone, Copy, Debug)]
pub struct SessionRow {
    pub kind: Span,
    pub ani: Span,
    pub channel: u32,
    pub ts: Timestamp,
    pub dnis: Span,
    pub sid: Span,
    pub detail: Detail,
}

#[derive(Clone, Copy, Debug)]
pub struct ErrorRow {
    pub ani: Span,
    pub channel: u32,
    pub ts: Timestamp,
    pub dnis: Span,
    pub sid: Span,
    pub message: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct EntryRow {
    pub ts: Timestamp,
    pub zone: Span,
    pub module: Span,
    pub sid: Span,
    pub level: Span,
    pub message: Span,
}

#[derive(Clone, Copy, Debug)]
pub struct SummaryRow {
    pub log_id: u64,
    pub sid: Span,
    pub dest: Span,
    pub call_type: Span,
    pub src: Span,
    pub start: i64,
    pub end: i64,
}

// Rows back into borrowed core records: serialisation, `Display` and equality are
// the core's, never re-implemented here.
fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

impl SessionRow {
    pub fn record<'s>(&self, st: &'s Store) -> SessionRecord<'s> {
        SessionRecord {
            kind: b(st.get(self.kind)),
            ani: b(st.get(self.ani)),
            channel: self.channel,
            timestamp: self.ts,
            dnis: b(st.get(self.dnis)),
            session_id: SessionId(b(st.get(self.sid))),
            detail: match self.detail {
                Detail::Call { start, end, duration } => SessionDetail::Call { start, end, duration },
                Detail::Tag { label, message } => {
                    SessionDetail::Tag { label: b(st.get(label)), message: b(st.get(message)) }
                }
            },
        }
    }
}

impl ErrorRow {
    pub fn record<'s>(&self, st: &'s Store) -> ErrorRecord<'s> {
        ErrorRecord {
            ani: b(st.get(self.ani)),
            channel: self.channel,
            timestamp: self.ts,
            dnis: b(st.get(self.dnis)),
            session_id: SessionId(b(st.get(self.sid))),
            message: b(st.get(self.message)),
        }
    }
}

impl EntryRow {
    pub fn record<'s>(&self, st: &'s Store) -> CallLogEntry<'s> {
        CallLogEntry {
            timestamp: self.ts,
            zone: b(st.get(self.zone)),
            module: b(st.get(self.module)),
            session_id: SessionId(b(st.get(self.sid))),
            level: b(st.get(self.level)),
            message: b(st.get(self.message)),
        }
    }
}

impl SummaryRow {
    pub fn record<'s>(&self, st: &'s Store) -> CallSummary<'s> {
        CallSummary {
            log_id: self.log_id,
            session_id: SessionId(b(st.get(self.sid))),
            dest: b(st.get(self.dest)),
            call_type: b(st.get(self.call_type)),
            src: b(st.get(self.src)),
            start: self.start,
            end: self.end,
        }
    }
}
