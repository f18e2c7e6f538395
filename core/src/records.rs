//! Records of one response held compactly: the text they were parsed from, once,
//! and per record only its numbers and the spans of its text fields in that text.
//!
//! A borrowed grammar record ([`SessionRecord`], [`ErrorRecord`], [`CallLogEntry`])
//! is a handful of `Cow<str>` of 24 bytes each; made `'static` it becomes a
//! handful of small heap strings besides. Kept by the hundred thousand (a whole
//! response body), that is two to three times the text they describe. A
//! [`Records`] holds the text (borrowed from the body, or owned: a call log's
//! unescaped text; or a JSON call log's still escaped, see below) and, per record,
//! a packed form of 56–64 bytes: each text field is an offset and length from the
//! record's start. [`Records::get`] and [`Records::iter`] hand out the grammar's
//! own borrowed records, built from the spans without parsing again.
//!
//! Text that is not a slice of the source (an item the decoder had to unescape, a
//! call-log message the grammar joined across `\r\n` line ends, a field beyond
//! 4 GiB from its record's start) is kept beside it, one boxed string each.
//!
//! A JSON call log with escapes (every line of one ends in a written `\n`) is not
//! unescaped whole: its source is the JSON string's contents in the body, still
//! escaped. It is unescaped a piece of about 64 KiB at a time into one reused
//! buffer (pieces cut just before a line that starts an entry, so no entry spans
//! two), each piece's entries parsed by the grammar, and each field kept as a span
//! into the body: a plain one when it is written there as is (no escape in it: a
//! zone, module, session id, level, a one-line message without quotes), else an
//! escaped one (a flag bit in the span) over the stretch of the body that
//! unescapes to exactly the field (a message over several lines joined by `\n`,
//! one with `\"`, `\/` or `\u` escapes), unescaped again each time it is read
//! (the record's field is then `Cow::Owned`). Only a field that is no one stretch
//! of the body (a message the grammar joined across `\r\n` line ends, dropping
//! the `\r`) is an extra string. A piece of more than
//! twice that (an entry longer than 64 KiB) is kept whole as one extra string, its
//! fields spans into it, rather than copied field by field. The unescaped text
//! ([`CallLogEntryRecords::text`]) is then made on first asking, and kept.

use crate::call_log::{CallLogEntries, CallLogEntry};
use crate::error::Error;
use crate::error_line::ErrorRecord;
use crate::grammar::LineError;
use crate::session::{SessionDetail, SessionRecord};
use crate::session_id::SessionId;
use crate::timestamp::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

/// A text field: `len` bytes at `start` from its record's start, or (when `start`
/// is [`Span::EXTRA`]) the whole of the `len`-th extra string. With
/// [`Span::ESCAPED`] set in `len`, the bytes are a stretch of a JSON string's
/// contents still escaped, which stand for the field once unescaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    const EXTRA: u32 = u32::MAX;
    /// In `len`: the stretch is written escaped (see [`Span::read`]).
    const ESCAPED: u32 = 1 << 31;
    const EMPTY: Span = Span { start: 0, len: 0 };

    /// The stretch the span names as it lies in `base` or `extra` (still escaped
    /// when the span is [`ESCAPED`](Span::ESCAPED)); `""` where there is none.
    #[inline]
    fn get<'r>(self, base: &'r str, extra: &'r [Box<str>]) -> &'r str {
        if self.start == Span::EXTRA {
            return extra.get(self.len as usize).map_or("", |s| s);
        }
        let start = self.start as usize;
        (start.checked_add((self.len & !Span::ESCAPED) as usize))
            .and_then(|end| base.get(start..end))
            .unwrap_or("")
    }

    /// The field: [`get`](Span::get), unescaped when the span is
    /// [`ESCAPED`](Span::ESCAPED).
    ///
    /// Invariant: an escaped span is only made (by [`Packer::escaped`]) for a
    /// stretch of a piece of a call log's JSON contents that
    /// [`unescape_mapped`](crate::decode::unescape_mapped) undid at decode time, cut
    /// where no escape is (both its ends are escape boundaries, see
    /// [`written_range`](crate::decode::written_range)); so the same unescaper
    /// undoes it again, to the same field. Were it ever not so, the field would
    /// read as `""` (as an out-of-range span does), never a panic.
    #[inline]
    fn read<'r>(self, base: &'r str, extra: &'r [Box<str>]) -> Cow<'r, str> {
        let s = self.get(base, extra);
        if self.start == Span::EXTRA || self.len & Span::ESCAPED == 0 {
            return Cow::Borrowed(s);
        }
        Cow::Owned(crate::decode::unescape(s).unwrap_or_default())
    }
}

/// Where a record's fields are measured from: an offset into the source text, or
/// (top bit set) the index of an extra string holding the whole item. Two more
/// bits mark a session record's shape ([`SessionPack`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Origin(u64);

impl Origin {
    const IN_EXTRA: u64 = 1 << 63;
    /// A session record of a tag line (else a call line).
    const TAG: u64 = 1 << 62;
    /// A session record whose tokens are extra strings (else short spans).
    const BIG: u64 = 1 << 61;
    const PLACE: u64 = Origin::BIG - 1;

    #[inline]
    fn base<'r>(self, text: &'r str, extra: &'r [Box<str>]) -> &'r str {
        let at = (self.0 & Origin::PLACE) as usize;
        if self.0 & Origin::IN_EXTRA != 0 {
            return extra.get(at).map_or("", |s| s);
        }
        text.get(at..).unwrap_or("")
    }

    fn is(self, bit: u64) -> bool {
        self.0 & bit != 0
    }
}

/// More extra strings than a span can index (about four billion).
#[derive(Debug)]
pub(crate) struct TooMany;

/// Builds the spans of one record against its base.
pub(crate) struct Packer<'b, 'x> {
    base: &'b str,
    extra: &'x mut Vec<Box<str>>,
}

impl Packer<'_, '_> {
    /// `field` as a span: its place in the base when it is a slice of it and
    /// within reach of 32 bits, else a copy kept as an extra string.
    fn span(&mut self, field: &str) -> Result<Span, TooMany> {
        if let Some(start) = self.reach(field) {
            return Ok(Span {
                start,
                len: field.len() as u32,
            });
        }
        if field.is_empty() {
            return Ok(Span::EMPTY);
        }
        push_extra(self.extra, field.into()).map(|k| Span {
            start: Span::EXTRA,
            len: k,
        })
    }
}

impl Packer<'_, '_> {
    /// `field` as an [escaped span](Span::ESCAPED) of `written`, the stretch of
    /// the base that unescapes to exactly `field` (see [`Span::read`] for what it
    /// must be), when it is a slice of the base within reach of 31 bits; else
    /// `field` as [`span`](Self::span) keeps it.
    fn escaped(&mut self, written: &str, field: &str) -> Result<Span, TooMany> {
        if let Some(start) = self.reach(written) {
            return Ok(Span {
                start,
                len: written.len() as u32 | Span::ESCAPED,
            });
        }
        self.span(field)
    }

    /// Where `s` starts in the base, when it is a slice of it that a span can name
    /// (an offset below [`Span::EXTRA`], a length below [`Span::ESCAPED`]).
    fn reach(&self, s: &str) -> Option<u32> {
        offset_in(self.base, s)
            .filter(|&off| off < Span::EXTRA as usize && s.len() < Span::ESCAPED as usize)
            .map(|off| off as u32)
    }

    /// `field` as a short span (offset and length in 16 bits each, packed in a
    /// `u32`) when it is a slice of the base that near its start.
    fn short(&self, field: &str) -> Option<u32> {
        match offset_in(self.base, field) {
            Some(off) if off <= 0xFFFF && field.len() <= 0xFFFF => {
                Some((off as u32) << 16 | field.len() as u32)
            }
            _ if field.is_empty() => Some(0),
            _ => None,
        }
    }

    /// `field` copied as an extra string: its index.
    fn copy(&mut self, field: &str) -> Result<u32, TooMany> {
        push_extra(self.extra, field.into())
    }
}

impl Span {
    fn to_bits(self) -> u64 {
        u64::from(self.start) << 32 | u64::from(self.len)
    }
    fn from_bits(v: u64) -> Span {
        Span {
            start: (v >> 32) as u32,
            len: v as u32,
        }
    }
}

fn push_extra(extra: &mut Vec<Box<str>>, s: Box<str>) -> Result<u32, TooMany> {
    let k = u32::try_from(extra.len()).map_err(|_| TooMany)?;
    if k == u32::MAX {
        return Err(TooMany);
    }
    extra.push(s);
    Ok(k)
}

/// Where `part` starts in `whole`, if it is a slice of it (compared by address).
#[inline]
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let off = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    (off <= whole.len() && part.len() <= whole.len() - off).then_some(off)
}

mod sealed {
    pub trait Sealed {}
}

/// The packed form of one kind of record (implemented by [`SessionPack`],
/// [`ErrorPack`] and [`EntryPack`] only).
pub trait Pack: sealed::Sealed + Clone + Send + Sync + 'static {
    /// The grammar's borrowed record this stands for.
    type Record<'r>;
    /// The record, its text borrowed from `text` and `extra`.
    #[doc(hidden)]
    fn unpack<'r>(&self, text: &'r str, extra: &'r [Box<str>]) -> Self::Record<'r>;
}

/// A session line, packed (see [`Records`]): 64 bytes. Opaque.
///
/// The four tokens (kind, ANI, DNIS, session id) are short spans (16-bit offset
/// and length) into the item; a line whose tokens lie beyond 64 KiB of its start
/// keeps them as extra strings instead (`Origin::BIG`). `detail` holds a call's
/// start, end and duration, or a tag's label and message as 32-bit spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionPack {
    origin: Origin,
    tokens: [u32; 4],
    timestamp: Timestamp,
    channel: u32,
    detail: [u64; 3],
}

/// An error line, packed (see [`Records`]). Opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorPack {
    origin: Origin,
    ani: Span,
    dnis: Span,
    session_id: Span,
    message: Span,
    timestamp: Timestamp,
    channel: u32,
}

/// A call-log entry, packed (see [`Records`]). Opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPack {
    origin: Origin,
    zone: Span,
    module: Span,
    session_id: Span,
    level: Span,
    message: Span,
    timestamp: Timestamp,
}

impl sealed::Sealed for SessionPack {}
impl sealed::Sealed for ErrorPack {}
impl sealed::Sealed for EntryPack {}

impl Pack for SessionPack {
    type Record<'r> = SessionRecord<'r>;
    #[inline]
    fn unpack<'r>(&self, text: &'r str, extra: &'r [Box<str>]) -> SessionRecord<'r> {
        let base = self.origin.base(text, extra);
        let big = self.origin.is(Origin::BIG);
        let token = |v: u32| {
            Cow::Borrowed(if big {
                extra.get(v as usize).map_or("", |s| s)
            } else {
                let (start, len) = ((v >> 16) as usize, (v & 0xFFFF) as usize);
                base.get(start..start + len).unwrap_or("")
            })
        };
        let [kind, ani, dnis, session_id] = self.tokens;
        let d = self.detail;
        SessionRecord {
            kind: token(kind),
            ani: token(ani),
            channel: self.channel,
            timestamp: self.timestamp,
            dnis: token(dnis),
            session_id: SessionId(token(session_id)),
            detail: if self.origin.is(Origin::TAG) {
                SessionDetail::Tag {
                    label: Span::from_bits(d[0]).read(base, extra),
                    message: Span::from_bits(d[1]).read(base, extra),
                }
            } else {
                SessionDetail::Call {
                    start: d[0] as i64,
                    end: d[1] as i64,
                    duration: d[2],
                }
            },
        }
    }
}

impl Pack for ErrorPack {
    type Record<'r> = ErrorRecord<'r>;
    #[inline]
    fn unpack<'r>(&self, text: &'r str, extra: &'r [Box<str>]) -> ErrorRecord<'r> {
        let base = self.origin.base(text, extra);
        let s = |span: Span| span.read(base, extra);
        ErrorRecord {
            ani: s(self.ani),
            channel: self.channel,
            timestamp: self.timestamp,
            dnis: s(self.dnis),
            session_id: SessionId(s(self.session_id)),
            message: s(self.message),
        }
    }
}

impl Pack for EntryPack {
    type Record<'r> = CallLogEntry<'r>;
    #[inline]
    fn unpack<'r>(&self, text: &'r str, extra: &'r [Box<str>]) -> CallLogEntry<'r> {
        let base = self.origin.base(text, extra);
        let s = |span: Span| span.read(base, extra);
        CallLogEntry {
            timestamp: self.timestamp,
            zone: s(self.zone),
            module: s(self.module),
            session_id: SessionId(s(self.session_id)),
            level: s(self.level),
            message: s(self.message),
        }
    }
}

/// The records of one response (a sessions or errors page, a call log), held
/// compactly: the text once, and per record its numbers and the places of its
/// text fields (see the [module docs](self)). [`get`](Records::get) and
/// [`iter`](Records::iter) give the grammar's borrowed records.
///
/// ```
/// let body = br#"{"status":"success","error":"","result":{"total_errors":"1","errors":[
///   "error 2125551234 6 [17\/Nov\/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded"]}}"#;
/// let plumlogs::Decoded::Errors(records) = plumlogs::decode_response(body, plumlogs::Service::Errors)? else {
///     unreachable!()
/// };
/// assert_eq!(records.len(), 1);
/// assert_eq!(records.get(0).unwrap().message, "Max Disconnect Count Exceeded");
/// for rec in &records {
///     assert_eq!(rec.channel, 6);
/// }
/// # Ok::<(), plumlogs::Error>(())
/// ```
#[derive(Clone)]
pub struct Records<'a, P: Pack> {
    /// What the spans point into: a body (borrowed), a log text, or a JSON log
    /// still escaped.
    text: Source<'a>,
    /// Text that is not a slice of `text` (see the module docs).
    extra: Vec<Box<str>>,
    packed: Vec<P>,
}

/// What the spans of a [`Records`] point into.
#[derive(Clone)]
enum Source<'a> {
    /// The text itself (a body, or a call log's text).
    Text(Cow<'a, str>),
    /// The contents of the JSON string holding a call log, still escaped (spans
    /// point into them), and the text they stand for, unescaped when first asked.
    Escaped {
        raw: Cow<'a, str>,
        text: OnceLock<String>,
    },
}

impl Source<'_> {
    /// What the spans point into.
    #[inline]
    fn spanned(&self) -> &str {
        match self {
            Source::Text(t) => t,
            Source::Escaped { raw, .. } => raw,
        }
    }
}

/// About how many bytes of an escaped JSON call log are unescaped at a time (see
/// the [module docs](self)).
pub(crate) const LOG_PIECE: usize = 64 << 10;

/// The session records of a `calls/sessions` body.
pub type SessionRecords<'a> = Records<'a, SessionPack>;
/// The error records of a `calls/errors` body.
pub type ErrorRecords<'a> = Records<'a, ErrorPack>;
/// The entries of a call log, with the log's text ([`Records::text`]).
pub type CallLogEntryRecords<'a> = Records<'a, EntryPack>;

impl<'a, P: Pack> Records<'a, P> {
    /// How many records there are.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Record `i` (0-based), its text borrowed from `self`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<P::Record<'_>> {
        self.packed
            .get(i)
            .map(|p| p.unpack(self.text.spanned(), &self.extra))
    }

    /// The records in order, their text borrowed from `self`.
    pub fn iter(&self) -> Iter<'_, P> {
        Iter {
            packed: self.packed.iter(),
            text: self.text.spanned(),
            extra: &self.extra,
        }
    }

    /// Every record as the grammar's borrowed record, in a `Vec`.
    pub fn to_vec(&self) -> Vec<P::Record<'_>> {
        self.iter().collect()
    }

    /// The same records, owning their text (a borrowed source is copied once).
    pub fn into_owned(self) -> Records<'static, P> {
        let text = match self.text {
            Source::Text(t) => Source::Text(Cow::Owned(t.into_owned())),
            Source::Escaped { raw, text } => Source::Escaped {
                raw: Cow::Owned(raw.into_owned()),
                text,
            },
        };
        Records {
            text,
            extra: self.extra,
            packed: self.packed,
        }
    }

    fn empty(text: Source<'a>) -> Self {
        Records {
            text,
            extra: Vec::new(),
            packed: Vec::new(),
        }
    }
}

impl<'a> CallLogEntryRecords<'a> {
    /// The call-log text the entries were parsed from.
    ///
    /// Entries that [`decode_response`](crate::decode_response) read from a JSON
    /// body with escapes span into the body, still escaped (see the
    /// [module docs](self)): their text is unescaped on the first call (a copy
    /// about the size of the log, kept from then on). Otherwise it is the text
    /// they were parsed from, at no cost.
    pub fn text(&self) -> &str {
        match &self.text {
            Source::Text(t) => t,
            Source::Escaped { raw, text } => text.get_or_init(|| unescaped(raw)),
        }
    }

    /// The text, giving up the entries (for entries read from an escaped JSON
    /// body, unescaped now unless [`text`](Self::text) already made it).
    pub fn into_text(self) -> Cow<'a, str> {
        match self.text {
            Source::Text(t) => t,
            Source::Escaped { raw, text } => {
                Cow::Owned(text.into_inner().unwrap_or_else(|| unescaped(&raw)))
            }
        }
    }

    /// Parse every entry of `text` (strictly; a UTF-8 byte-order mark at its start is
    /// skipped) and keep them packed beside it.
    pub fn parse(text: Cow<'a, str>) -> Result<Self, Error> {
        let mut out = Records::empty(Source::Text(text));
        let text: &str = out.text.spanned();
        // Sized once: entries start at lines that start like one.
        let count = crate::lines::LineSplitter::new(text.as_bytes())
            .filter(|l| crate::call_log::starts_entry(l.bytes))
            .count();
        out.packed.reserve_exact(count);
        for entry in CallLogEntries::new(text) {
            let e = entry?;
            let fields = fields_of(&e);
            let at = first_offset(text, fields[..4].iter().copied());
            let base = text.get(at..).unwrap_or("");
            let packed = pack_entry(
                &e,
                fields,
                [None; 5],
                Origin(at as u64),
                base,
                &mut out.extra,
            )
            .map_err(|TooMany| too_many())?;
            out.packed.push(packed);
        }
        Ok(out)
    }
}

impl<'a> CallLogEntryRecords<'a> {
    /// Parse every entry of a call log given as `raw`, the contents of the JSON
    /// string holding it in a body, still escaped (which the decoder checked
    /// [`unescape_in_place`](crate::decode) would accept): a piece at a time, the
    /// fields written as is kept as spans into `raw` (see the [module docs](self)).
    /// The same entries and the same errors as [`parse`](Self::parse) of the
    /// unescaped text, positions counted in that text.
    pub(crate) fn parse_escaped_json(raw: &'a str) -> Result<Self, Error> {
        Self::parse_escaped_json_in(raw, LOG_PIECE)
    }

    /// [`parse_escaped_json`](Self::parse_escaped_json) in pieces of about `piece`
    /// bytes.
    fn parse_escaped_json_in(raw: &'a str, piece_bytes: usize) -> Result<Self, Error> {
        use crate::decode::{log_cut, unescape_mapped, written_range};
        let b = raw.as_bytes();
        let mut out = Records::empty(Source::Escaped {
            raw: Cow::Borrowed(raw),
            text: OnceLock::new(),
        });
        // Sized once: an entry starts at the text's start or just after a cut (an
        // entry whose first line is written with an escape is not counted: the
        // room then grows by an eighth at a time, not twice over).
        let mut count = 1;
        let mut at = 0;
        loop {
            at = log_cut(b, at, 0);
            if at >= b.len() {
                break;
            }
            count += 1;
        }
        out.packed.reserve_exact(count);
        let (mut buf, mut map) = (String::new(), Vec::new());
        // Where the piece starts in `raw`.
        let mut from = 0;
        while from < b.len() {
            let to = log_cut(b, from, piece_bytes);
            let piece = raw.get(from..to).unwrap_or("");
            // A piece that is one long entry is kept whole (a copy of each of its
            // escaped fields would take as much again), so where its escapes were
            // is not needed.
            let whole = piece.len() > piece_bytes.saturating_mul(2);
            let mapped = (!whole).then_some(&mut map);
            if unescape_mapped(piece, &mut buf, mapped).is_none() {
                return Err(Error::Decode(crate::decode::DecodeError::Shape {
                    wire: crate::service::Wire::Json,
                    offset: 0,
                    reason: "the log text's escapes could not be undone".to_owned(),
                }));
            }
            let slot = match whole {
                true => {
                    Some(push_extra(&mut out.extra, Box::default()).map_err(|TooMany| too_many())?)
                }
                false => None,
            };
            let text = buf.as_str();
            let entries = match from {
                0 => CallLogEntries::new(text),
                _ => CallLogEntries::piece(text.as_bytes()),
            };
            for entry in entries {
                // Counted from the start of the text: the pieces before this one,
                // unescaped again only for the error.
                let e = entry.map_err(|mut e| {
                    let before =
                        crate::decode::unescape(raw.get(..from).unwrap_or("")).unwrap_or_default();
                    e.line += memchr::memchr_iter(b'\n', before.as_bytes()).count();
                    e.offset += before.len();
                    e
                })?;
                let fields = fields_of(&e);
                let packed = match slot {
                    Some(k) => pack_entry(
                        &e,
                        fields,
                        [None; 5],
                        Origin(Origin::IN_EXTRA | u64::from(k)),
                        text,
                        &mut out.extra,
                    ),
                    None => {
                        // A field that is a slice of the piece's text: the stretch
                        // of `raw` it was unescaped from (a message the grammar
                        // joined across `\r\n` is not one).
                        let lent = fields.map(|f| {
                            let u = offset_in(text, f)?;
                            let (w, end) = written_range(&map, u, f.len())?;
                            raw.get(from + w..from + end)
                        });
                        let at = first_offset(raw, lent[..4].iter().flatten().copied());
                        // Written as is: a plain span; else an escaped one.
                        let plain = |i: usize| lent[i].filter(|w| w.len() == fields[i].len());
                        let written = std::array::from_fn(|i| match plain(i) {
                            Some(_) => None,
                            None => lent[i],
                        });
                        let fields = std::array::from_fn(|i| plain(i).unwrap_or(fields[i]));
                        pack_entry(
                            &e,
                            fields,
                            written,
                            Origin(at as u64),
                            raw.get(at..).unwrap_or(""),
                            &mut out.extra,
                        )
                    }
                }
                .map_err(|TooMany| too_many())?;
                if out.packed.len() == out.packed.capacity() {
                    out.packed.reserve_exact((out.packed.len() / 8).max(16));
                }
                out.packed.push(packed);
            }
            if let Some(k) = slot {
                out.extra[k as usize] = std::mem::take(&mut buf).into_boxed_str();
            }
            from = to;
        }
        Ok(out)
    }
}

/// An entry's text fields in text order: zone, module, session id, level, message.
fn fields_of<'e>(e: &'e CallLogEntry<'_>) -> [&'e str; 5] {
    [&e.zone, &e.module, &e.session_id.0, &e.level, &e.message]
}

/// A parsed entry packed against `base` (where `origin` points): `fields` are
/// its zone, module, session id, level and message, each a slice of `base` or
/// copied, or (where `written` has it) an [escaped span](Packer::escaped) of the
/// stretch of `base` that unescapes to it.
fn pack_entry(
    e: &CallLogEntry<'_>,
    fields: [&str; 5],
    written: [Option<&str>; 5],
    origin: Origin,
    base: &str,
    extra: &mut Vec<Box<str>>,
) -> Result<EntryPack, TooMany> {
    let mut p = Packer { base, extra };
    let mut span = |i: usize| match written[i] {
        Some(w) => p.escaped(w, fields[i]),
        None => p.span(fields[i]),
    };
    Ok(EntryPack {
        origin,
        zone: span(0)?,
        module: span(1)?,
        session_id: span(2)?,
        level: span(3)?,
        message: span(4)?,
        timestamp: e.timestamp,
    })
}

/// The text an escaped JSON log's contents `raw` stand for ([`Source::Escaped`]
/// holds only contents whose every piece was unescaped when the entries were
/// parsed, so this reads them the same way).
fn unescaped(raw: &str) -> String {
    crate::decode::unescape(raw).expect("the escapes were undone when the entries were parsed")
}

/// The offset in `text` of the first of `fields` that is a slice of it (fields
/// are in text order), or the end of `text` when none is.
fn first_offset<'f>(text: &str, fields: impl IntoIterator<Item = &'f str>) -> usize {
    fields
        .into_iter()
        .find_map(|f| offset_in(text, f))
        .unwrap_or(text.len())
}

fn too_many() -> Error {
    Error::Decode(crate::decode::DecodeError::Shape {
        wire: crate::service::Wire::default(),
        offset: 0,
        reason: "more than 4,294,967,294 fields needed a copy of their own".to_owned(),
    })
}

/// The records of a page's items (as the decoder handed them over: slices of
/// `body`, or unescaped strings), each parsed and packed by `pack` against the
/// item as its base. `lift` turns a parse failure of item `n` (its text, and
/// whether it is a slice of the body) into the error to return.
pub(crate) fn from_items<'a, P: Pack>(
    body: &'a [u8],
    items: Vec<Cow<'a, str>>,
    mut pack: impl FnMut(&mut Packer<'_, '_>, Origin) -> Result<Result<P, LineError>, TooMany>,
    mut lift: impl FnMut(usize, &str, bool, LineError) -> Error,
) -> Result<Records<'a, P>, Error> {
    // A body that is not UTF-8 throughout (possible outside XML text) lends
    // nothing: its items are copied.
    let text = std::str::from_utf8(body).unwrap_or("");
    let mut out = Records::empty(Source::Text(Cow::Borrowed(text)));
    out.packed.reserve_exact(items.len());
    for (n, item) in items.into_iter().enumerate() {
        let extra = &mut out.extra;
        // An item that is not a slice of the body is kept whole as an extra string:
        // its slot is taken first, filled once its fields are packed.
        let lent = match &item {
            Cow::Borrowed(s) => offset_in(text, s),
            Cow::Owned(_) => None,
        };
        let (origin, local, lent): (Origin, Option<Box<str>>, &'a str) = match (item, lent) {
            (Cow::Borrowed(s), Some(off)) => (Origin(off as u64), None, s),
            (item, _) => {
                let k = push_extra(extra, Box::default()).map_err(|TooMany| too_many())?;
                let boxed = match item {
                    Cow::Borrowed(s) => Box::from(s),
                    Cow::Owned(s) => s.into_boxed_str(),
                };
                (Origin(Origin::IN_EXTRA | u64::from(k)), Some(boxed), "")
            }
        };
        let base: &str = match &local {
            Some(b) => b,
            None => lent,
        };
        let mut p = Packer { base, extra };
        match pack(&mut p, origin).map_err(|TooMany| too_many())? {
            Ok(packed) => out.packed.push(packed),
            Err(e) => return Err(lift(n, base, local.is_none(), e)),
        }
        if let (Some(b), Origin(o)) = (local, origin) {
            out.extra[(o & Origin::PLACE) as usize] = b;
        }
    }
    Ok(out)
}

/// Packs a parsed session line (see [`from_items`]).
pub(crate) fn pack_session(
    p: &mut Packer<'_, '_>,
    origin: Origin,
) -> Result<Result<SessionPack, LineError>, TooMany> {
    let rec = match crate::session::parse_session_line(p.base) {
        Ok(rec) => rec,
        Err(e) => return Ok(Err(e)),
    };
    let fields = [&*rec.kind, &*rec.ani, &*rec.dnis, &*rec.session_id.0];
    let mut bits = origin.0;
    let tokens = match fields.map(|f| p.short(f)) {
        [Some(a), Some(b), Some(c), Some(d)] => [a, b, c, d],
        _ => {
            bits |= Origin::BIG;
            [
                p.copy(fields[0])?,
                p.copy(fields[1])?,
                p.copy(fields[2])?,
                p.copy(fields[3])?,
            ]
        }
    };
    let detail = match &rec.detail {
        SessionDetail::Call {
            start,
            end,
            duration,
        } => [*start as u64, *end as u64, *duration],
        SessionDetail::Tag { label, message } => {
            bits |= Origin::TAG;
            [p.span(label)?.to_bits(), p.span(message)?.to_bits(), 0]
        }
    };
    Ok(Ok(SessionPack {
        origin: Origin(bits),
        tokens,
        timestamp: rec.timestamp,
        channel: rec.channel,
        detail,
    }))
}

/// Packs a parsed error line (see [`from_items`]).
pub(crate) fn pack_error(
    p: &mut Packer<'_, '_>,
    origin: Origin,
) -> Result<Result<ErrorPack, LineError>, TooMany> {
    let rec = match crate::error_line::parse_error_line(p.base) {
        Ok(rec) => rec,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(ErrorPack {
        origin,
        ani: p.span(&rec.ani)?,
        dnis: p.span(&rec.dnis)?,
        session_id: p.span(&rec.session_id.0)?,
        message: p.span(&rec.message)?,
        timestamp: rec.timestamp,
        channel: rec.channel,
    }))
}

/// An iterator over the records of a [`Records`], in order.
#[derive(Clone)]
pub struct Iter<'r, P: Pack> {
    packed: std::slice::Iter<'r, P>,
    text: &'r str,
    extra: &'r [Box<str>],
}

impl<'r, P: Pack> Iterator for Iter<'r, P> {
    type Item = P::Record<'r>;
    #[inline]
    fn next(&mut self) -> Option<P::Record<'r>> {
        self.packed.next().map(|p| p.unpack(self.text, self.extra))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.packed.size_hint()
    }
}

impl<P: Pack> DoubleEndedIterator for Iter<'_, P> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.packed
            .next_back()
            .map(|p| p.unpack(self.text, self.extra))
    }
}

impl<P: Pack> ExactSizeIterator for Iter<'_, P> {}
impl<P: Pack> std::iter::FusedIterator for Iter<'_, P> {}

impl<'r, 'a, P: Pack> IntoIterator for &'r Records<'a, P> {
    type Item = P::Record<'r>;
    type IntoIter = Iter<'r, P>;
    fn into_iter(self) -> Iter<'r, P> {
        self.iter()
    }
}

/// Debug, equality (record by record, whatever the layout), serde (a sequence of
/// records: the canonical JSON) and comparison with a slice of records.
macro_rules! record_traits {
    ($pack:ty, $record:ident) => {
        impl fmt::Debug for Records<'_, $pack> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }
        impl<'b, P2> PartialEq<Records<'b, P2>> for Records<'_, $pack>
        where
            P2: for<'r> Pack<Record<'r> = $record<'r>>,
        {
            fn eq(&self, other: &Records<'b, P2>) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }
        impl Eq for Records<'_, $pack> {}
        impl<'b> PartialEq<[$record<'b>]> for Records<'_, $pack> {
            fn eq(&self, other: &[$record<'b>]) -> bool {
                self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
            }
        }
        impl<'b> PartialEq<Vec<$record<'b>>> for Records<'_, $pack> {
            fn eq(&self, other: &Vec<$record<'b>>) -> bool {
                *self == other[..]
            }
        }
        impl<'b> PartialEq<Records<'b, $pack>> for Vec<$record<'_>> {
            fn eq(&self, other: &Records<'b, $pack>) -> bool {
                *other == self[..]
            }
        }
        impl Serialize for Records<'_, $pack> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.iter())
            }
        }
    };
}

record_traits!(SessionPack, SessionRecord);
record_traits!(ErrorPack, ErrorRecord);
record_traits!(EntryPack, CallLogEntry);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_forms_are_small() {
        assert!(size_of::<SessionPack>() <= 88);
        assert!(size_of::<ErrorPack>() <= 56);
        assert!(size_of::<EntryPack>() <= 64);
    }

    #[test]
    fn spans_fall_back_to_copies() {
        let base = "inbound 1 2";
        let mut extra = Vec::new();
        let mut p = Packer {
            base,
            extra: &mut extra,
        };
        let inside = p.span(&base[8..9]).unwrap();
        assert_eq!(inside, Span { start: 8, len: 1 });
        // Not a slice of the base: copied; empty text needs no copy.
        let copied = p.span("elsewhere").unwrap();
        assert_eq!(copied.start, Span::EXTRA);
        assert_eq!(p.span("").unwrap(), Span::EMPTY);
        assert_eq!(inside.get(base, &extra), "1");
        assert_eq!(copied.get(base, &extra), "elsewhere");
        // Out of range reads as empty, never a panic.
        assert_eq!(Span { start: 10, len: 5 }.get(base, &extra), "");
        assert_eq!(
            Span {
                start: Span::EXTRA,
                len: 7
            }
            .get(base, &extra),
            ""
        );
    }

    /// Items as `from_items` gets them: slices of the body, or unescaped copies.
    fn sessions_of(body: &str, owned: bool) -> SessionRecords<'_> {
        let items: Vec<Cow<'_, str>> = body
            .lines()
            .map(|l| match owned {
                true => Cow::Owned(l.to_owned()),
                false => Cow::Borrowed(l),
            })
            .collect();
        from_items(body.as_bytes(), items, pack_session, |n, _, _, e| {
            panic!("item {n}: {e:?}")
        })
        .unwrap()
    }

    #[test]
    fn session_records_read_back_as_parsed_in_every_shape() {
        let call = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
        let tag = "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 fetchurl: http://a.example/x";
        let empty_tag = "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 menu:";
        // Tokens beyond 64 KiB of the line's start: kept as copies.
        let far = format!(
            "inbound {} 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
            "7".repeat(70_000)
        );
        let body = [call, tag, empty_tag, &far].join("\n");
        let direct: Vec<SessionRecord<'_>> = body
            .lines()
            .map(|l| crate::parse_session_line(l).unwrap())
            .collect();
        for owned in [false, true] {
            let recs = sessions_of(&body, owned);
            assert_eq!(recs, direct, "owned items: {owned}");
            assert_eq!(recs.iter().next_back().unwrap(), direct[3]);
            assert!(recs.packed[3].origin.is(Origin::BIG));
            assert!(recs.packed[1].origin.is(Origin::TAG));
            assert_eq!(recs.clone().into_owned(), direct);
        }
    }

    #[test]
    fn call_log_entries_joined_across_crlf_are_kept() {
        let text = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: one\r\n  two\r\nWed 28 Aug 2002 10:16:59 AM EDT [vxi] (100025;006;1479411625) DEBUG: three\r\n";
        let recs = CallLogEntryRecords::parse(Cow::Borrowed(text)).unwrap();
        let direct = crate::parse_call_log(text).unwrap();
        assert_eq!(recs, direct);
        assert_eq!(recs.get(0).unwrap().message, "one\n  two");
        // The joined message is the grammar's own string: kept beside the text.
        assert_eq!(recs.extra.len(), 1);
        assert_eq!(recs.text(), text);
        assert_eq!(recs.into_owned().to_vec(), direct);
    }

    const HEAD: &str = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT:";

    /// `text` as the contents of a JSON string as serde_json writes it; `/` as
    /// `\/` when `slashes`, every non-ASCII character as `\u` escapes when `ascii`.
    fn json_contents(text: &str, slashes: bool, ascii: bool) -> String {
        let lit = serde_json::to_string(text).unwrap();
        let mut inner = lit[1..lit.len() - 1].to_owned();
        if slashes {
            inner = inner.replace('/', "\\/");
        }
        if ascii {
            inner = crate::decode::ascii_escaped(&inner);
        }
        inner
    }

    /// What both paths make of a log: parsed from its escaped contents `raw` in
    /// pieces of about `piece` bytes, and from its text whole. The same entries and
    /// text, or the same error.
    fn same_as_whole(
        text: &str,
        raw: &str,
        piece: usize,
    ) -> Result<CallLogEntryRecords<'static>, String> {
        let pieces = CallLogEntryRecords::parse_escaped_json_in(raw, piece);
        let whole = CallLogEntryRecords::parse(Cow::Borrowed(text));
        match (pieces, whole) {
            (Ok(p), Ok(w)) => {
                if p != w {
                    return Err(format!("entries differ:\n{p:?}\n{w:?}"));
                }
                if p.text() != text || p.clone().into_text() != text {
                    return Err(format!("text differs: {:?}", p.text()));
                }
                let owned = p.into_owned();
                if owned != w {
                    return Err("entries differ once owned".to_owned());
                }
                Ok(owned)
            }
            (Err(Error::Parse(p)), Err(Error::Parse(w))) if p == w => Err(format!("parse: {p}")),
            (p, w) => Err(format!("different answers: {p:?} / {w:?}")),
        }
    }

    #[test]
    fn fields_written_as_is_span_into_the_body() {
        let text = format!(
            "{HEAD} fetched http://a.example/x\n{HEAD} said \"hi\"\n{HEAD} caf\u{e9}\n{HEAD} two\n\tlines\n"
        );
        let raw = json_contents(&text, true, true);
        let recs = CallLogEntryRecords::parse_escaped_json_in(&raw, LOG_PIECE).unwrap();
        assert_eq!(recs, crate::parse_call_log(&text).unwrap());
        // No unescaped copy of the text until it is asked for.
        assert!(matches!(&recs.text, Source::Escaped { text, .. } if text.get().is_none()));
        for e in &recs {
            for f in [&e.zone, &e.module, &e.session_id.0, &e.level] {
                assert!(
                    offset_in(&raw, f).is_some(),
                    "{f:?} is not a span of the body"
                );
            }
        }
        // The four messages with escapes (`\/`, `\"`, `\u00e9`, a line end) are
        // escaped spans of the body, read as owned strings; nothing is copied.
        assert!(recs.extra.is_empty());
        for (i, e) in recs.iter().enumerate() {
            assert!(recs.packed[i].message.len & Span::ESCAPED != 0);
            assert!(matches!(e.message, Cow::Owned(_)), "{:?}", e.message);
        }
        let plain = format!("{HEAD} one\n{HEAD} two");
        let raw = json_contents(&plain, false, false);
        let recs = CallLogEntryRecords::parse_escaped_json_in(&raw, LOG_PIECE).unwrap();
        assert!(recs.extra.is_empty());
        assert!(recs.iter().all(|e| offset_in(&raw, &e.message).is_some()));
        assert_eq!(recs.text(), plain);
    }

    #[test]
    fn an_escaped_field_reads_the_same_every_time() {
        let text = format!("{HEAD} a \"quoted\" \u{1F600} /x\n\tmore\n{HEAD} two\n");
        let raw = json_contents(&text, true, true);
        let recs = CallLogEntryRecords::parse_escaped_json_in(&raw, LOG_PIECE).unwrap();
        let (first, second) = (recs.get(0).unwrap(), recs.get(0).unwrap());
        assert_eq!(first.message, "a \"quoted\" \u{1F600} /x\n\tmore");
        assert_eq!(first.message, second.message);
        assert_eq!(recs.iter().next().unwrap(), first);
        assert!(matches!(first.message, Cow::Owned(_)));
        assert!(matches!(recs.get(1).unwrap().message, Cow::Borrowed("two")));
        let owned = recs.clone().into_owned();
        assert_eq!(owned.get(0).unwrap(), first);
        assert!(recs.extra.is_empty());
    }

    #[test]
    fn a_message_joined_across_crlf_is_still_a_copy() {
        let text = format!("{HEAD} one \"q\"\r\n  two\r\n{HEAD} three\r\n");
        let raw = json_contents(&text, false, false);
        let recs = same_as_whole(&text, &raw, LOG_PIECE).unwrap();
        assert_eq!(recs.get(0).unwrap().message, "one \"q\"\n  two");
        // The joined message is no stretch of the body: the one extra string.
        assert_eq!(recs.extra.len(), 1);
        assert_eq!(recs.packed[0].message.start, Span::EXTRA);
        assert_eq!(recs.packed[1].message.len & Span::ESCAPED, 0);
    }

    #[test]
    fn pieces_cut_before_entries_only() {
        // A long entry (continuation lines, `\r\n` joins) across where the pieces
        // would be cut; one-line entries around it.
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("{HEAD} entry {i}\r\n"));
            if i == 7 {
                for k in 0..200 {
                    text.push_str(&format!("  continued \"{k}\" / \u{e9}\r\n"));
                }
            }
        }
        for piece in [0, 1, 50, 300, 1000, 100_000] {
            for (slashes, ascii) in [(false, false), (true, true)] {
                let raw = json_contents(&text, slashes, ascii);
                let recs = same_as_whole(&text, &raw, piece).unwrap();
                assert_eq!(recs.len(), 40);
                assert_eq!(recs.get(7).unwrap().message.lines().count(), 201);
            }
        }
        // The long entry's piece is kept whole, not copied field by field.
        let raw = json_contents(&text, false, false);
        let recs = CallLogEntryRecords::parse_escaped_json_in(&raw, 300).unwrap();
        assert!(recs.packed[7].origin.is(Origin::IN_EXTRA));
        assert!(!recs.packed[0].origin.is(Origin::IN_EXTRA));
    }

    #[test]
    fn byte_order_mark_empty_and_blank_logs() {
        let text = format!("\u{feff}{HEAD} one\n{HEAD} two\n");
        for ascii in [false, true] {
            let raw = json_contents(&text, false, ascii);
            assert_eq!(raw.starts_with("\\uFEFF"), ascii);
            for piece in [0, 10, LOG_PIECE] {
                assert_eq!(same_as_whole(&text, &raw, piece).unwrap().len(), 2);
            }
        }
        for text in ["", "\n\n", " \r\n\t\n"] {
            let raw = json_contents(text, false, false);
            let recs = same_as_whole(text, &raw, 0).unwrap();
            assert!(recs.is_empty());
            assert_eq!(recs.text(), text);
        }
    }

    #[test]
    fn errors_in_a_later_piece_count_from_the_start_of_the_text() {
        let mut text = String::from("\u{feff}");
        for i in 0..30 {
            text.push_str(&format!("{HEAD} entry \"{i}\"\n\tmore\n"));
        }
        let bad = "Wed 32 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: bad day";
        text.push_str(bad);
        text.push_str("\n\tits continuation\n");
        text.push_str(&format!("{HEAD} after\n"));
        let raw = json_contents(&text, true, true);
        for piece in [0, 100, 400] {
            let err = same_as_whole(&text, &raw, piece).unwrap_err();
            let Err(Error::Parse(e)) = CallLogEntryRecords::parse_escaped_json_in(&raw, piece)
            else {
                panic!("{err}")
            };
            assert_eq!(
                (e.kind, e.line, e.column),
                (crate::ErrorKind::BadDay, 61, 5)
            );
            assert_eq!(e.offset, text.find(bad).unwrap() + 4);
            assert_eq!(e.input, bad);
        }
        // An excerpt of a long bad line stays bounded.
        let long = format!(
            "{}\n{bad} {}\n",
            &text[..text.find(bad).unwrap()],
            "x".repeat(5000)
        );
        let raw = json_contents(&long, false, false);
        let Err(Error::Parse(e)) = CallLogEntryRecords::parse_escaped_json_in(&raw, 100) else {
            panic!("parses")
        };
        assert!(e.is_excerpt() && e.input.len() <= crate::grammar::error::MAX_EXCERPT + 6);
        assert_eq!(e.line, 62);
        same_as_whole(&long, &raw, 100).unwrap_err();
    }

    /// A head line whose fields hold what JSON escapes, or a continuation line, a
    /// blank line, or a malformed head line.
    fn log_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let field = "[a-z/\"\\\\é\u{1}]{1,4}";
        prop_oneof![
            4 => (field, field, "[A-Z/\"é]{1,5}", "[ a-zA-Z/\"\\\\é\t]{0,12}", any::<bool>())
                .prop_map(|(zone, module, level, msg, zoned)| {
                    let zone = if zoned { format!("{zone} ") } else { String::new() };
                    format!("Thu 29 Aug 2002 1:02:03 PM {zone}[{module}] (1;2;3) {level}: {msg}")
                }),
            2 => "[ \t][a-z/\"\\\\é ]{0,12}",
            1 => Just(String::new()),
            1 => Just("Thu 29 Aug 2002 1:02:03 XM [m] (1;2;3) EVENT: bad".to_owned()),
        ]
    }

    proptest::proptest! {
        /// Parsed a piece at a time from the escaped contents, a log reads as its text
        /// parsed whole: the same entries, text and errors (positions in the text).
        #[test]
        fn escaped_pieces_agree_with_the_whole_text(
            lines in proptest::collection::vec(log_line(), 0..16),
            crlf in proptest::bool::ANY,
            bom in proptest::bool::ANY,
            trailing in proptest::bool::ANY,
            slashes in proptest::bool::ANY,
            ascii in proptest::bool::ANY,
            piece in 0usize..160,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = if bom { "\u{feff}".to_owned() } else { String::new() };
            text.push_str(&lines.join(end));
            if trailing {
                text.push_str(end);
            }
            let raw = json_contents(&text, slashes, ascii);
            match same_as_whole(&text, &raw, piece) {
                Err(e) => proptest::prop_assert!(e.starts_with("parse: "), "{}", e),
                Ok(_) => {
                    // Field by field, each read twice, as the text parsed whole.
                    let recs = CallLogEntryRecords::parse_escaped_json_in(&raw, piece).unwrap();
                    let whole = crate::parse_call_log(&text).unwrap();
                    proptest::prop_assert_eq!(recs.len(), whole.len());
                    for (i, w) in whole.iter().enumerate() {
                        for e in [recs.get(i).unwrap(), recs.get(i).unwrap()] {
                            proptest::prop_assert_eq!(fields_of(&e), fields_of(w));
                            proptest::prop_assert_eq!(e.timestamp, w.timestamp);
                        }
                    }
                    // Without `\r\n` joins nothing is copied field by field:
                    // outside pieces kept whole, every field is a span of the body.
                    if !crlf {
                        for p in recs.packed.iter().filter(|p| !p.origin.is(Origin::IN_EXTRA)) {
                            let spans = [p.zone, p.module, p.session_id, p.level, p.message];
                            proptest::prop_assert!(spans.iter().all(|s| s.start != Span::EXTRA), "{:?}", p);
                        }
                    }
                }
            }
        }
    }
}
