//! Item scanning for JSON bodies: line items lent out as written when the grammar
//! says their escapes are only their timestamp's `\/`, the memchr splitter of a
//! checked list of them, and `calls/logs` summaries with their scalar fields.
//! [`super`] reads the envelope and finds the list; this reads what is in it.

use crate::call_summary::CallSummary;
use crate::decode::{SummaryField, failure};
use crate::timestamp::escaped_timestamp_end;
use serde::de::{self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A key of a `calls/logs` item, compared without allocating (an escaped key
/// arrives through `visit_str`); `None` for a key that is not a summary field.
struct Key(Option<SummaryField>);

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Key, E> {
                Ok(Key(SummaryField::of(k)))
            }
        }
        d.deserialize_identifier(V)
    }
}

// ---------------------------------------------------------------------------------
// Scalars: numbers as numbers or as strings, text borrowed when it has no escape.

/// A count or id: a JSON integer, or a string of digits. `null` and `""` are none.
pub(super) struct Num<T>(pub(super) Option<T>);

impl<'de, T: TryFrom<u64> + TryFrom<i64> + std::str::FromStr> de::Deserialize<'de> for Num<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<T: TryFrom<u64> + TryFrom<i64> + std::str::FromStr> Visitor<'_> for V<T> {
            type Value = Num<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer, or a string of digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num<T>, E> {
                T::try_from(v)
                    .map(|n| Num(Some(n)))
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num<T>, E> {
                T::try_from(v)
                    .map(|n| Num(Some(n)))
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num<T>, E> {
                Err(E::custom(format!("expected an integer, found {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num<T>, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(Num(None));
                }
                t.parse()
                    .map(|n| Num(Some(n)))
                    .map_err(|_| E::custom(format!("expected an integer, found {v:?}")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Num<T>, E> {
                Ok(Num(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A text field of a `calls/logs` item: borrowed when unescaped; numbers accepted
/// too (a phone number may arrive unquoted).
struct Text<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A line item: the raw literal is lent out when its escapes are only the `\/` of
/// its bracketed timestamp, which the line parser reads as `/`; otherwise unescaped.
pub(super) fn line_item<'a, E: de::Error>(
    raw: &'a RawValue,
    index: usize,
) -> Result<Cow<'a, str>, E> {
    let lit = raw.get();
    if !lit.starts_with('"') {
        return Err(E::custom(format!(
            "item {} is not a string (found `{}`)",
            index + 1,
            failure::excerpt(lit.as_bytes(), 0)
        )));
    }
    let inner = &lit[1..lit.len() - 1];
    match memchr::memchr(b'\\', inner.as_bytes()) {
        None => Ok(Cow::Borrowed(inner)),
        Some(first) if only_timestamp_slashes(inner.as_bytes(), first) => Ok(Cow::Borrowed(inner)),
        Some(_) => serde_json::from_str::<String>(lit)
            .map(Cow::Owned)
            .map_err(E::custom),
    }
}

/// The text of a JSON string literal `lit` (quotes included) that serde_json has
/// already checked: borrowed when it has no escape, else unescaped into one string
/// of its size. `None` when `lit` is not a string.
pub(super) fn string_text(lit: &str) -> Option<Result<Cow<'_, str>, String>> {
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(Ok(Cow::Borrowed(inner)));
    }
    Some(match unescape(inner) {
        Some(text) => Ok(Cow::Owned(text)),
        // Anything unusual (a lone surrogate) is serde_json's to judge.
        None => serde_json::from_str::<String>(lit)
            .map(Cow::Owned)
            .map_err(|e| e.to_string()),
    })
}

/// The contents of a JSON string unescaped, plain runs copied whole (memchr to
/// each backslash); `None` on an escape it does not know or a lone surrogate.
pub(crate) fn unescape(inner: &str) -> Option<String> {
    // Sized exactly: a big log's text beside its body is the decoder's peak.
    let mut out = String::with_capacity(unescaped_len(inner.as_bytes()).unwrap_or(inner.len()));
    unescape_into(inner, &mut out, |_, _, _| {})?;
    Some(out)
}

/// [`unescape`] appended to `out`; `undone(start, end, next)` is told of each
/// escape once its character is written: where in `out` that character lies
/// (`start..end`) and where in `inner` the text goes on (`next`). `None` where [`unescape`] would refuse (`out` then holds
/// a part of the text).
fn unescape_into(
    inner: &str,
    out: &mut String,
    mut undone: impl FnMut(usize, usize, usize),
) -> Option<()> {
    let b = inner.as_bytes();
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]).map(|k| i + k) {
        out.push_str(&inner[i..k]);
        let (c, next) = escape_at(b, k)?;
        let start = out.len();
        out.push(c);
        undone(start, out.len(), next);
        i = next;
    }
    out.push_str(&inner[i..]);
    Some(())
}

/// The escapes of a piece of a JSON string's contents unescaped by
/// [`unescape_mapped`], in order: where each one's character lies in the text, and
/// how far the written form is ahead of the text after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Undone {
    /// Where in the text the escape's character starts.
    pub(crate) start: usize,
    /// Where it ends.
    pub(crate) end: usize,
    /// Bytes of the written form minus bytes of the text, from the piece's start
    /// to `end`: a text offset `t` at or after `end` (and before the next escape)
    /// is written at `t + shift`.
    pub(crate) shift: usize,
}

/// The contents `inner` of a JSON string (or a piece of them cut between escapes)
/// unescaped into `out` (cleared first), each escape noted in `map` (cleared
/// first) when there is one: what lets a caller tell which stretches of the text
/// are written as is, and where ([`written_range`]). `None` where [`unescape`] would
/// refuse.
pub(crate) fn unescape_mapped(
    inner: &str,
    out: &mut String,
    mut map: Option<&mut Vec<Undone>>,
) -> Option<()> {
    out.clear();
    if let Some(map) = map.as_deref_mut() {
        map.clear();
    }
    unescape_into(inner, out, |start, end, next| {
        if let Some(map) = map.as_deref_mut() {
            map.push(Undone {
                start,
                end,
                shift: next - end,
            })
        }
    })
}

/// The character the escape at `b[k]` (a backslash) stands for, and where the text
/// goes on after it (a surrogate pair is one escape); `None` on an escape JSON
/// does not have or a lone surrogate. Never further on than what it stands for
/// is long: what unescaping in place relies on.
fn escape_at(b: &[u8], k: usize) -> Option<(char, usize)> {
    let hex = |at: usize| {
        let h = b.get(at..at + 4)?;
        h.iter()
            .all(u8::is_ascii_hexdigit)
            .then(|| u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())?
    };
    let c = match *b.get(k + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex(k + 2)?;
            if (0xD800..0xDC00).contains(&hi) {
                let lo = (b.get(k + 6..k + 8) == Some(b"\\u")).then(|| hex(k + 8))??;
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10 | (lo - 0xDC00)))?;
                return Some((c, k + 12));
            }
            return Some((char::from_u32(hi)?, k + 6));
        }
        _ => return None,
    };
    Some((c, k + 2))
}

/// Where the stretch `start..start + len` of a text unescaped by [`unescape_mapped`]
/// lies in the written form it came from: `start..end` there, which unescapes to
/// exactly that stretch (its ends are not inside an escape). It is written as is,
/// byte for byte, when `end - start == len` (every escape is longer than what it
/// stands for). `None` when an end of the stretch falls inside an escape's
/// character (never for a stretch cut at character boundaries).
pub(crate) fn written_range(map: &[Undone], start: usize, len: usize) -> Option<(usize, usize)> {
    let at = |t: usize| {
        let j = map.partition_point(|e| e.end <= t);
        if map.get(j).is_some_and(|e| e.start < t) {
            return None;
        }
        Some(t + j.checked_sub(1).map_or(0, |i| map[i].shift))
    };
    Some((at(start)?, at(start.checked_add(len)?)?))
}

/// The first place at or after `from` in the contents `b` of a JSON string that
/// is not inside an escape (`from` may be): the first backslash from there that
/// starts one (a backslash is the second byte of `\\` after an odd run of them),
/// or the end.
fn escape_boundary(b: &[u8], from: usize) -> usize {
    let Some(k) = b.get(from..).and_then(|r| memchr::memchr(b'\\', r)) else {
        return b.len();
    };
    let k = from + k;
    let run = b[..k].iter().rev().take_while(|&&c| c == b'\\').count();
    if run % 2 == 0 { k } else { k + 1 }
}

/// Where to cut the contents `b` of the JSON string holding a call log, at least
/// `min` bytes after `from` (0 or a cut): just after the first `\n` escape from
/// there whose next line starts an entry as written (its first bytes need no
/// unescaping), so that no entry spans two pieces and each piece unescapes on its
/// own; the end of `b` when there is no such place. A line that starts an entry
/// only once unescaped is never cut before: its piece just runs on.
pub(crate) fn log_cut(b: &[u8], from: usize, min: usize) -> usize {
    let mut i = escape_boundary(b, from.saturating_add(min));
    while let Some(k) = b.get(i..).and_then(|r| memchr::memchr(b'\\', r)) {
        let k = i + k;
        if b.get(k + 1) == Some(&b'n') && crate::call_log::starts_entry(&b[k + 2..]) {
            return k + 2;
        }
        // Past the escape (a `\u` escape's hex digits hold no backslash).
        i = k + 2;
    }
    b.len()
}

/// [`string_text`] for a text the caller will unescape in its own buffer
/// ([`unescape_in_place`]): a literal with escapes that [`unescape_in_place`]
/// accepts is lent out still escaped (its contents, quotes stripped); anything it
/// would refuse goes through [`string_text`] (serde_json's judgment, its error).
pub(super) fn string_text_deferred(lit: &str) -> Option<Result<Cow<'_, str>, String>> {
    let inner = lit.strip_prefix('"')?.strip_suffix('"')?;
    if unescape_pass(&mut Dry(inner.as_bytes())).is_some() {
        return Some(Ok(Cow::Borrowed(inner)));
    }
    string_text(lit)
}

/// The contents `b` of a JSON string unescaped into the start of `b` itself, which
/// the text never outgrows (no escape is shorter than what it stands for): the
/// text's length. The same reading as [`unescape`]; `None`, with `b` untouched,
/// where that would refuse (the whole string is checked before a byte is written).
pub(crate) fn unescape_in_place(b: &mut [u8]) -> Option<usize> {
    unescape_pass(&mut Dry(b))?;
    unescape_pass(&mut Wet(b))
}

/// A buffer an unescaping pass reads, and writes back into when it is [`Wet`].
trait Buf {
    fn bytes(&self) -> &[u8];
    fn copy_within(&mut self, from: std::ops::Range<usize>, to: usize);
    fn put(&mut self, at: usize, s: &[u8]);
}

/// A checking pass: nothing is written.
struct Dry<'b>(&'b [u8]);
/// The writing pass.
struct Wet<'b>(&'b mut [u8]);

impl Buf for Dry<'_> {
    fn bytes(&self) -> &[u8] {
        self.0
    }
    fn copy_within(&mut self, _: std::ops::Range<usize>, _: usize) {}
    fn put(&mut self, _: usize, _: &[u8]) {}
}

impl Buf for Wet<'_> {
    fn bytes(&self) -> &[u8] {
        self.0
    }
    fn copy_within(&mut self, from: std::ops::Range<usize>, to: usize) {
        self.0.copy_within(from, to);
    }
    fn put(&mut self, at: usize, s: &[u8]) {
        self.0[at..at + s.len()].copy_from_slice(s);
    }
}

/// One pass of [`unescape_in_place`]: reads at `r`, writes at `w <= r` (each
/// escape is read whole before what it stands for is written over its start).
fn unescape_pass(buf: &mut impl Buf) -> Option<usize> {
    let (mut r, mut w) = (0, 0);
    while let Some(k) = memchr::memchr(b'\\', &buf.bytes()[r..]).map(|k| r + k) {
        buf.copy_within(r..k, w);
        w += k - r;
        let (c, next) = escape_at(buf.bytes(), k)?;
        r = next;
        let mut utf8 = [0; 4];
        let s = c.encode_utf8(&mut utf8).as_bytes();
        buf.put(w, s);
        w += s.len();
    }
    let len = buf.bytes().len();
    buf.copy_within(r..len, w);
    Some(w + (len - r))
}

/// How long the contents `b` of a JSON string are once unescaped (`None` on an
/// escape [`unescape`] would refuse; then the length is only a capacity hint).
fn unescaped_len(b: &[u8]) -> Option<usize> {
    let hex = |at: usize| {
        let h = b.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let (mut n, mut i) = (0, 0);
    while let Some(k) = memchr::memchr(b'\\', b.get(i..)?).map(|k| i + k) {
        n += k - i;
        if *b.get(k + 1)? == b'u' {
            let hi = hex(k + 2)?;
            if (0xD800..0xDC00).contains(&hi) {
                n += 4;
                i = k + 12;
            } else {
                n += char::from_u32(hi)?.len_utf8();
                i = k + 6;
            }
        } else {
            n += 1;
            i = k + 2;
        }
    }
    Some(n + b.len().checked_sub(i)?)
}

/// Whether every backslash of `s` (the first at `first`) starts a `\/` inside the
/// line's timestamp, where the line grammar reads it as `/` (the grammar says
/// where that is: [`escaped_timestamp_end`]).
#[inline]
fn only_timestamp_slashes(s: &[u8], first: usize) -> bool {
    escaped_timestamp_end(s, first).is_some_and(|end| memchr::memchr(b'\\', &s[end..]).is_none())
}

/// The index of the quote closing the string whose contents start at `from`: the
/// first `"` preceded by an even run of backslashes (one memchr for most items).
#[inline]
fn string_end(b: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let k = from + memchr::memchr(b'"', b.get(from..)?)?;
        let run = b[from..k].iter().rev().take_while(|&&c| c == b'\\').count();
        if run % 2 == 0 {
            return Some(k);
        }
        from = k + 1;
    }
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The string items of a JSON list that serde_json has already checked, each
/// borrowed when its only escapes are its timestamp's `\/` (see [`line_item`]).
pub(super) fn split_lines(list: &str, capacity: usize) -> Result<Vec<Cow<'_, str>>, String> {
    let b = list.as_bytes();
    let mut items = Vec::with_capacity(capacity);
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return Err("expected a list".to_owned());
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b']') => break,
            Some(b'"') => {}
            _ => {
                let found = failure::excerpt(&b[i.min(b.len())..], 0);
                return Err(format!(
                    "item {} is not a string (found `{found}`)",
                    items.len() + 1
                ));
            }
        }
        let start = i + 1;
        // One memchr to the first quote or backslash; when that is the timestamp's
        // `\/`, a second one from the end of the timestamp.
        let mut plain_end = None;
        let mut from = start;
        if let Some(k) = memchr::memchr2(b'"', b'\\', &b[start..]).map(|n| start + n) {
            if b[k] == b'"' {
                plain_end = Some(k);
            } else if let Some(end) = escaped_timestamp_end(&b[start..], k - start) {
                from = start + end;
                if let Some(k) = memchr::memchr2(b'"', b'\\', &b[from..]).map(|n| from + n)
                    && b[k] == b'"'
                {
                    plain_end = Some(k);
                }
            }
        }
        let end = match plain_end {
            Some(end) => end,
            None => string_end(b, from)
                .ok_or_else(|| format!("item {} is not terminated", items.len() + 1))?,
        };
        let inner = list.get(start..end).ok_or("item is not UTF-8")?;
        items.push(match plain_end {
            Some(_) => Cow::Borrowed(inner),
            None => Cow::Owned(
                serde_json::from_str::<String>(&list[start - 1..=end])
                    .map_err(|e| e.to_string())?,
            ),
        });
        i = skip_ws(b, end + 1);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => break,
            _ => return Err(format!("expected `,` or `]` after item {}", items.len())),
        }
    }
    Ok(items)
}

/// One `calls/logs` item.
pub(super) struct SummarySeed {
    pub(super) index: usize,
}

impl<'de> DeserializeSeed<'de> for SummarySeed {
    type Value = CallSummary<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CallSummary<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SummarySeed {
    type Value = CallSummary<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "log item {} as an object", self.index + 1)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CallSummary<'de>, A::Error> {
        let (mut log_id, mut start, mut end) = (None, None, None);
        let (mut sid, mut dest, mut kind, mut src) = (None, None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key(Some(SummaryField::LogId)) => log_id = map.next_value::<Num<u64>>()?.0,
                Key(Some(SummaryField::Start)) => start = map.next_value::<Num<i64>>()?.0,
                Key(Some(SummaryField::End)) => end = map.next_value::<Num<i64>>()?.0,
                Key(Some(SummaryField::SessionId)) => sid = Some(map.next_value::<Text>()?.0),
                Key(Some(SummaryField::Dest)) => dest = Some(map.next_value::<Text>()?.0),
                Key(Some(SummaryField::Type)) => kind = Some(map.next_value::<Text>()?.0),
                Key(Some(SummaryField::Src)) => src = Some(map.next_value::<Text>()?.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let n = self.index + 1;
        let missing = |field: &str| A::Error::custom(format!("log item {n} has no `{field}`"));
        let sid = sid.ok_or_else(|| missing("session_id"))?;
        let session_id = crate::decode::checked_session_id(sid)
            .map_err(|raw| A::Error::custom(format!("log item {n}: bad session id {raw:?}")))?;
        Ok(CallSummary {
            log_id: log_id.ok_or_else(|| missing("log_id"))?,
            session_id,
            dest: dest.ok_or_else(|| missing("dest"))?,
            call_type: kind.ok_or_else(|| missing("type"))?,
            src: src.ok_or_else(|| missing("src"))?,
            start: start.ok_or_else(|| missing("start"))?,
            end: end.ok_or_else(|| missing("end"))?,
        })
    }
}

/// `s` (JSON text) with every non-ASCII character written as `\u` escapes
/// (surrogate pairs beyond the BMP), for tests.
#[cfg(test)]
pub(crate) fn ascii_escaped(s: &str) -> String {
    let mut esc = String::new();
    for c in s.chars() {
        if c.is_ascii() {
            esc.push(c);
        } else {
            for u in c.encode_utf16(&mut [0; 2]) {
                esc.push_str(&format!("\\u{u:04X}"));
            }
        }
    }
    esc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_slashes_only_inside_the_brackets() {
        let ok = br"inbound 1 3 [03\/Nov\/2017:14:38:30 -0500] 6 2;3;1 1 2 00:00:01";
        let first = memchr::memchr(b'\\', ok).unwrap();
        assert!(only_timestamp_slashes(ok, first));
        let url = br"local 1 3 [03\/Nov\/2017:14:38:30 -0500] 6 2;3;1 fetchurl: http:\/\/x";
        assert!(!only_timestamp_slashes(
            url,
            memchr::memchr(b'\\', url).unwrap()
        ));
        let ani = br"inbound a\/b 3 [03/Nov/2017:14:38:30 -0500] 6 2;3;1 1 2 00:00:01";
        assert!(!only_timestamp_slashes(
            ani,
            memchr::memchr(b'\\', ani).unwrap()
        ));
        let other = br"inbound 1 3 [03\\Nov/2017:14:38:30 -0500] 6 2;3;1 1 2 00:00:01";
        assert!(!only_timestamp_slashes(
            other,
            memchr::memchr(b'\\', other).unwrap()
        ));
        let after = br"inbound 1 3 [03/Nov/2017:14:38:30 -0500]\/ 6 2;3;1 1 2 00:00:01";
        assert!(!only_timestamp_slashes(
            after,
            memchr::memchr(b'\\', after).unwrap()
        ));
        let fake = br"inbound [ab\/cde\/fghijklmnopqrstuvwx] 3 [03/Nov/2017:14:38:30 -0500] 6 2;3;1 1 2 00:00:01";
        assert!(!only_timestamp_slashes(
            fake,
            memchr::memchr(b'\\', fake).unwrap()
        ));
        let late = br"inbound 1 3 [03\/Nov\/2017:14:38:30 -0500] 6 2;3;1 1 2 00:00:01 \/";
        assert!(!only_timestamp_slashes(
            late,
            memchr::memchr(b'\\', late).unwrap()
        ));
        assert!(!only_timestamp_slashes(
            other,
            memchr::memchr(b'\\', other).unwrap()
        ));
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// The one-copy unescaper reads every JSON string as serde_json does.
        #[test]
        fn unescape_agrees_with_serde_json(
            text in "(\\PC|[\\\\\"/\n\t\u{1}\u{10000}-\u{10FFFF}])*",
            ascii_only in proptest::bool::ANY,
        ) {
            let mut lit = serde_json::to_string(&text).unwrap();
            if ascii_only {
                lit = ascii_escaped(&lit);
            }
            let got = string_text(&lit).unwrap().unwrap();
            proptest::prop_assert_eq!(got.as_ref(), text.as_str());
            let inner = &lit[1..lit.len() - 1];
            proptest::prop_assert_eq!(unescaped_len(inner.as_bytes()), Some(text.len()));
        }
    }

    /// What [`unescape_in_place`] makes of `inner`: the text, or `None` with the
    /// buffer checked untouched.
    fn in_place(inner: &str) -> Option<String> {
        let mut buf = inner.as_bytes().to_vec();
        match unescape_in_place(&mut buf) {
            Some(n) => {
                buf.truncate(n);
                Some(String::from_utf8(buf).expect("unescaped text is UTF-8"))
            }
            None => {
                assert_eq!(buf, inner.as_bytes(), "a refused string is left as it was");
                None
            }
        }
    }

    /// A JSON string's contents built from pieces that exercise every escape: plain
    /// text, each short escape, `\u` of any code unit (lone and paired surrogates),
    /// broken escapes (short hex, signs, unknown letters, a trailing backslash).
    fn escaped_contents() -> impl Strategy<Value = String> {
        let piece = proptest::prop_oneof![
            "[a-z é😀/]{0,6}",
            proptest::sample::select(vec![
                r"\\",
                r#"\""#,
                r"\/",
                r"\b",
                r"\f",
                r"\n",
                r"\r",
                r"\t",
                r"\x",
                r"\u+0aa",
                r"\u12",
                r"\ud83d\ude00",
                r"\uD800\uDFFF",
                r"\ud83dx",
                r"\ude00",
                r"\ud83d\u0041",
            ])
            .prop_map(str::to_owned),
            (0u32..=0xFFFF).prop_map(|u| format!("\\u{u:04x}")),
            (0xD800u32..0xDC00, 0xDC00u32..0xE000)
                .prop_map(|(h, l)| format!("\\u{h:04X}\\u{l:04x}")),
        ];
        (proptest::collection::vec(piece, 0..12), proptest::bool::ANY).prop_map(|(p, cut)| {
            let s = p.concat();
            if cut { format!("{s}\\") } else { s }
        })
    }

    proptest::proptest! {
        /// Unescaping in place reads every string as the one-copy unescaper does,
        /// refuses the same ones (leaving them untouched), and through the
        /// deferred decoder path ends in the same text or the same error.
        #[test]
        fn unescape_in_place_agrees_with_unescape(inner in escaped_contents()) {
            let want = unescape(&inner);
            proptest::prop_assert_eq!(in_place(&inner), want.clone());
            let lit = format!("\"{inner}\"");
            let deferred = string_text_deferred(&lit).unwrap();
            match (&want, deferred) {
                (Some(_), Ok(Cow::Borrowed(b))) => proptest::prop_assert_eq!(b, inner.as_str()),
                (Some(_), other) => proptest::prop_assert!(false, "lent out as {other:?}"),
                (None, got) => {
                    let old = string_text(&lit).unwrap();
                    proptest::prop_assert_eq!(got, old);
                }
            }
        }

        /// Every string serde_json writes (escaped or not) comes back whole.
        #[test]
        fn unescape_in_place_reads_serde_json_strings(
            text in "(\\PC|[\\\\\"/\n\t\u{1}\u{10000}-\u{10FFFF}])*",
        ) {
            let lit = serde_json::to_string(&text).unwrap();
            proptest::prop_assert_eq!(in_place(&lit[1..lit.len() - 1]), Some(text));
        }
    }

    #[test]
    fn unescape_in_place_undoes_each_escape() {
        assert_eq!(
            in_place(r"a\u00e9\/\ud83d\ude00b\n").as_deref(),
            Some("aé/😀b\n")
        );
        assert_eq!(
            in_place(r#"\"\\\b\f\r\t"#).as_deref(),
            Some("\"\\\u{8}\u{c}\r\t")
        );
        for bad in [
            r"\ud83d", r"\ud83dx", r"\u+0aa", r"\ude00", r"\q", r"ab\", r"\u12",
        ] {
            assert_eq!(in_place(bad), None, "{bad}");
            assert_eq!(unescape(bad), None, "{bad}");
        }
    }

    #[test]
    fn unescape_leaves_the_unusual_to_serde_json() {
        assert_eq!(
            unescape(r"a\u00e9\/\ud83d\ude00b").as_deref(),
            Some("aé/😀b")
        );
        assert_eq!(unescape(r"\ud83d"), None);
        assert_eq!(unescape(r"\ud83dx"), None);
        assert_eq!(unescape(r"\u+0aa"), None);
        assert!(string_text(r#""\ud83d""#).unwrap().is_err());
        assert!(string_text("12").is_none());
    }

    proptest::proptest! {
        /// The memchr splitter and the per-item raw-value path agree, and a
        /// borrowed item differs from its string only by timestamp `\/`.
        #[test]
        fn splitter_agrees_with_raw_values(
            lines in proptest::collection::vec(proptest::prop_oneof![
                "[a-z0-9 /\\\\\"\\[\\]:é]{0,40}",
                // Shaped like a line: three fields, then a bracketed part.
                ("[a-z/\\[\\]]{1,5}", "[0-9/\\\\\\[]{1,5}", "[0-9]{1,3}", "[0-9A-Za-z:/ \\\\]{0,12}", "[a-z /\\\\\"\\]]{0,20}")
                    .prop_map(|(k, a, c, ts, rest): (String, String, String, String, String)| format!("{k} {a} {c} [{ts}] {rest}")),
            ], 0..6),
            slash_escape in proptest::bool::ANY,
        ) {
            let mut list = String::from("[ ");
            for (n, l) in lines.iter().enumerate() {
                if n > 0 {
                    list.push_str(" ,\n");
                }
                let mut lit = serde_json::to_string(l).unwrap();
                if slash_escape {
                    lit = lit.replace('/', "\\/");
                }
                list.push_str(&lit);
            }
            list.push(']');
            let split = split_lines(&list, 0).unwrap();
            let raws: Vec<&RawValue> = serde_json::from_str(&list).unwrap();
            proptest::prop_assert_eq!(split.len(), lines.len());
            for ((item, raw), line) in split.iter().zip(&raws).zip(&lines) {
                let one: Cow<'_, str> = line_item::<serde_json::Error>(raw, 0).unwrap();
                proptest::prop_assert_eq!(item, &one);
                match item {
                    Cow::Borrowed(b) => proptest::prop_assert_eq!(&b.replace("\\/", "/"), line),
                    Cow::Owned(o) => proptest::prop_assert_eq!(o, line),
                }
            }
        }
    }
}
