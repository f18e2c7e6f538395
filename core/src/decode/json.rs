//! JSON envelopes, read in one streaming pass with serde visitors: no
//! `serde_json::Value` of the body is ever built.
//!
//! Line items are taken as `&RawValue` (the literal as written, quotes included) so
//! that the common item, whose only escapes are the `\/` of its timestamp, can be
//! lent out as is: serde's own `Cow<str>` would borrow only strings with no escape
//! at all, and every documented item has four.

use super::{DecodeError, Found, Outcome, Want, failure};
use crate::call_summary::CallSummary;
use crate::service::Wire;
use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub(crate) fn decode(body: &[u8], want: Want) -> Result<Found<'_>, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let strict = EnvelopeSeed {
        want,
        body_len: body.len(),
    }
    .deserialize(&mut de)
    .and_then(|env| de.end().map(|()| env));
    match strict {
        Ok(env) => verdict(env, want, body),
        Err(e) => match failure::scan_json_failure(body) {
            Some(message) => Err(failure::failure(message, body)),
            None => Err(convert(&e, body)),
        },
    }
}

/// The three parts of the envelope, as found.
struct Envelope<'a> {
    status: Option<&'a RawValue>,
    error: Option<&'a RawValue>,
    result: Option<Outcome<'a>>,
}

/// A raw JSON value as text: strings unescaped, `null` as nothing, anything else
/// (a number, an object) as written.
fn raw_text(raw: &RawValue) -> Option<String> {
    let s = raw.get();
    if s == "null" {
        None
    } else if s.starts_with('"') {
        serde_json::from_str::<String>(s).ok()
    } else {
        Some(s.to_owned())
    }
}

fn verdict<'a>(env: Envelope<'a>, want: Want, body: &[u8]) -> Result<Found<'a>, DecodeError> {
    let status = env.status.and_then(raw_text);
    let message = env.error.and_then(raw_text);
    super::verdict(
        Wire::Json,
        status.as_deref(),
        message,
        env.result,
        want,
        body,
    )
}

/// serde_json reports the line and 1-based column of the offending byte; callers
/// get its byte offset (the body's length when it ended too soon).
fn convert(e: &serde_json::Error, body: &[u8]) -> DecodeError {
    let mut offset = 0;
    if e.line() > 1 {
        let nl = memchr::memchr_iter(b'\n', body).nth(e.line() - 2);
        offset = nl.map_or(body.len(), |p| p + 1);
    }
    let offset = match e.classify() {
        serde_json::error::Category::Eof => body.len(),
        _ => (offset + e.column().saturating_sub(1)).min(body.len()),
    };
    let full = e.to_string();
    let reason = match full.rfind(" at line ") {
        Some(p) => full[..p].to_owned(),
        None => full,
    };
    match e.classify() {
        serde_json::error::Category::Data => DecodeError::Shape {
            wire: Wire::Json,
            offset,
            reason,
        },
        serde_json::error::Category::Eof => DecodeError::Syntax {
            wire: Some(Wire::Json),
            offset,
            reason: format!("body cut off: {reason}"),
            excerpt: failure::excerpt(body, offset),
        },
        _ => DecodeError::Syntax {
            wire: Some(Wire::Json),
            offset,
            reason,
            excerpt: failure::excerpt(body, offset),
        },
    }
}

// ---------------------------------------------------------------------------------
// Keys, compared without allocating (an escaped key arrives through `visit_str`).

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Status,
    Error,
    Result,
    Total,
    Log,
    LogId,
    SessionId,
    Dest,
    Type,
    Src,
    Start,
    End,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Key, E> {
                Ok(match k {
                    "status" => Key::Status,
                    "error" => Key::Error,
                    "result" => Key::Result,
                    "log" => Key::Log,
                    "log_id" => Key::LogId,
                    "session_id" => Key::SessionId,
                    "dest" => Key::Dest,
                    "type" => Key::Type,
                    "src" => Key::Src,
                    "start" => Key::Start,
                    "end" => Key::End,
                    k if k.starts_with("total") => Key::Total,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

// ---------------------------------------------------------------------------------
// Scalars: numbers as numbers or as strings, text borrowed when it has no escape.

/// A count or id: a JSON integer, or a string of digits. `null` and `""` are none.
struct Num<T>(Option<T>);

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
fn line_item<'a, E: de::Error>(raw: &'a RawValue, index: usize) -> Result<Cow<'a, str>, E> {
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

/// Whether every backslash of `s` (the first at `first`) starts a `\/` that lies
/// inside the bracketed timestamp, the fourth field of a session or error line.
/// Raw JSON string contents hold no tab, so fields are separated by spaces here.
#[inline]
fn only_timestamp_slashes(s: &[u8], first: usize) -> bool {
    timestamp_span_end(s, first).is_some_and(|close| memchr::memchr(b'\\', &s[close..]).is_none())
}

/// With the first backslash of a string's contents `s` at `first`: the index of
/// the `]` closing its bracketed timestamp, if every backslash up to there starts a
/// `\/` inside that timestamp, and the timestamp opens at the first `[` of the
/// line, at the start of its fourth field (an ANI holding `[` sends the item down
/// the unescaping path). `s` may run past the string; its closing quote stops the walk.
#[inline]
fn timestamp_span_end(s: &[u8], first: usize) -> Option<usize> {
    let open = memchr::memchr(b'[', &s[..first])?;
    // The form every Plum line has, `[03\/Nov\/2017:00:10:42 -0500]`, checked
    // without branching per byte. Its one blank cannot sit inside a field, so if
    // such a span began before the fourth field it would end inside the channel
    // number, and the line parser rejects the item (whose error is then reported
    // on the unescaped text).
    if first == open + 3
        && let Some(span) = s
            .get(open..open + 30)
            .and_then(|t| <&[u8; 30]>::try_from(t).ok())
        && span[29] == b']'
        && span[4] == b'/'
        && span[8] == b'\\'
        && span[9] == b'/'
        && span[23] == b' '
    {
        let (mut slashes, mut blanks, mut stop) = (0u8, 0u8, false);
        for &c in &span[1..29] {
            slashes += u8::from(c == b'\\');
            blanks += u8::from(c == b' ');
            stop |= (c == b'"') | (c == b']');
        }
        if slashes == 2 && blanks == 1 && !stop {
            return Some(open + 29);
        }
    }
    // Otherwise: the timestamp must open the fourth field (an ANI holding `[`
    // sends the item down the unescaping path), and is walked to its `]`.
    let mut fields = 0u32;
    let mut after_blank = true;
    for &c in &s[..open] {
        let blank = c == b' ';
        fields += u32::from(!blank && after_blank);
        after_blank = blank;
    }
    if fields != 3 || !after_blank || memchr::memchr(b']', &s[open..first]).is_some() {
        return None;
    }
    let mut k = first;
    loop {
        match *s.get(k)? {
            b']' => return Some(k),
            b'\\' if s.get(k + 1) == Some(&b'/') => k += 2,
            b'\\' | b'"' => return None,
            _ => k += 1,
        }
        if k - open > 64 {
            return None;
        }
    }
}

// ---------------------------------------------------------------------------------
// The envelope and its result.

struct EnvelopeSeed {
    want: Want,
    body_len: usize,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed {
    type Value = Envelope<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Envelope<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed {
    type Value = Envelope<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `status`, `error` and `result`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut env = Envelope {
            status: None,
            error: None,
            result: None,
        };
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Status => env.status = Some(map.next_value()?),
                Key::Error => env.error = Some(map.next_value()?),
                Key::Result if env.result.is_none() => {
                    env.result = Some(map.next_value_seed(ResultSeed {
                        want: self.want,
                        body_len: self.body_len,
                    })?)
                }
                Key::Result => return Err(A::Error::custom("`result` appears twice")),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

#[derive(Clone, Copy)]
struct ResultSeed {
    want: Want,
    body_len: usize,
}

impl ResultSeed {
    fn empty<'a>(self) -> Outcome<'a> {
        match self.want {
            Want::Lines { .. } => Outcome::Lines {
                total: None,
                items: Vec::new(),
            },
            Want::Logs => Outcome::Logs {
                total: None,
                items: Vec::new(),
            },
            Want::Log => Outcome::Log {
                text: Cow::Borrowed(""),
            },
        }
    }

    /// Room for the items of a list: the count when it came first, bounded by what
    /// the body could hold (a count may cover every match, not this page).
    fn capacity(self, total: Option<u64>, min_item_bytes: usize) -> usize {
        let fit = self.body_len / min_item_bytes;
        total.map_or(0, |t| usize::try_from(t).unwrap_or(usize::MAX).min(fit))
    }
}

impl<'de> DeserializeSeed<'de> for ResultSeed {
    type Value = Outcome<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Outcome<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

/// The lists found under a `result` object: several non-empty lists would make the
/// answer ambiguous, so that is an error rather than a guess.
struct Lists<'a> {
    total: Option<u64>,
    outcome: Outcome<'a>,
    nonempty: usize,
    /// Whether any list (even an empty one) was found.
    found: bool,
}

impl<'a> Lists<'a> {
    fn new(outcome: Outcome<'a>, total: Option<u64>) -> Self {
        Lists {
            total,
            outcome,
            nonempty: 0,
            found: false,
        }
    }

    /// Take what a value held: a list (possibly empty), or nothing list-like.
    fn add(&mut self, found: Option<Outcome<'a>>) {
        let Some(found) = found else { return };
        self.found = true;
        if outcome_len(&found) > 0 {
            self.nonempty += 1;
            self.outcome = found;
        }
    }
}

fn outcome_len(o: &Outcome<'_>) -> usize {
    match o {
        Outcome::Lines { items, .. } => items.len(),
        Outcome::Logs { items, .. } => items.len(),
        Outcome::Log { .. } => 0,
    }
}

/// How many wrapper objects deep under a key of `result` a list is looked for:
/// `"sessions": {"session": [...]}` is one; two allow one more wrapper.
const WRAPPER_DEPTH: usize = 2;

impl<'de> Visitor<'de> for ResultSeed {
    type Value = Outcome<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.want {
            Want::Log => f.write_str("the log text, or an object holding it under `log`"),
            _ => f.write_str("a list of items, or an object holding one"),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Outcome<'de>, E> {
        Ok(self.empty())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Outcome<'de>, E> {
        match self.want {
            Want::Log => Ok(Outcome::Log {
                text: Cow::Borrowed(v),
            }),
            _ if v.is_empty() => Ok(self.empty()),
            _ => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Outcome<'de>, E> {
        match self.want {
            Want::Log => Ok(Outcome::Log {
                text: Cow::Owned(v.to_owned()),
            }),
            _ if v.is_empty() => Ok(self.empty()),
            _ => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Outcome<'de>, A::Error> {
        match self.want {
            Want::Log => Err(A::Error::invalid_type(de::Unexpected::Seq, &self)),
            _ => self.read_list(seq, None),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outcome<'de>, A::Error> {
        if self.want == Want::Log {
            let mut text: Option<Cow<'de, str>> = None;
            let mut other: Option<Cow<'de, str>> = None;
            while let Some(key) = map.next_key::<Key>()? {
                let value = map.next_value::<StrOrSkip>()?.0;
                match key {
                    Key::Log => text = value.or(text),
                    _ if other.is_none() => other = value,
                    _ => {}
                }
            }
            return Ok(Outcome::Log {
                text: text.or(other).unwrap_or(Cow::Borrowed("")),
            });
        }
        let mut lists = Lists::new(self.empty(), None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Total => lists.total = map.next_value::<Num<u64>>()?.0,
                _ => map.next_value_seed(ListOrSkip {
                    seed: self,
                    lists: &mut lists,
                })?,
            }
        }
        if lists.nonempty > 1 {
            return Err(A::Error::custom(
                "`result` holds more than one non-empty list",
            ));
        }
        // A count with nothing to count is a shape this decoder does not know, not
        // an empty page: the caller would silently lose the records.
        if let Some(t) = lists.total.filter(|&t| t > 0)
            && !lists.found
        {
            return Err(A::Error::custom(format!(
                "`result` counts {t} records but holds no list of them"
            )));
        }
        let total = lists.total;
        Ok(match lists.outcome {
            Outcome::Lines { items, .. } => Outcome::Lines { total, items },
            Outcome::Logs { items, .. } => Outcome::Logs { total, items },
            log => log,
        })
    }
}

impl ResultSeed {
    fn read_list<'de, A: SeqAccess<'de>>(
        self,
        mut seq: A,
        total: Option<u64>,
    ) -> Result<Outcome<'de>, A::Error> {
        match self.want {
            Want::Lines { .. } => {
                let mut items = Vec::with_capacity(self.capacity(total, 64));
                while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                    items.push(line_item(raw, items.len())?);
                }
                Ok(Outcome::Lines { total, items })
            }
            Want::Logs => {
                let mut items = Vec::with_capacity(self.capacity(total, 96));
                while let Some(item) = seq.next_element_seed(SummarySeed { index: items.len() })? {
                    items.push(item);
                }
                Ok(Outcome::Logs { total, items })
            }
            Want::Log => unreachable!("a log result is not a list"),
        }
    }
}

/// A value under a key of `result`: a list is the items, anything else is skipped.
struct ListOrSkip<'s, 'de> {
    seed: ResultSeed,
    lists: &'s mut Lists<'de>,
}

impl<'de> DeserializeSeed<'de> for ListOrSkip<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let (seed, total) = (self.seed, self.lists.total);
        let found = if matches!(seed.want, Want::Lines { .. }) {
            // The hot path: serde_json checks the whole value once (escapes, control
            // characters, UTF-8) and lends it out; a list's strings are then split
            // with memchr instead of one raw-value round trip per item.
            let raw = <&'de RawValue as de::Deserialize<'de>>::deserialize(d)?.get();
            look_into(raw, seed, total, 1).map_err(D::Error::custom)?
        } else {
            d.deserialize_any(Direct { seed, total })?
        };
        self.lists.add(found);
        Ok(())
    }
}

/// A key of an object under `result`: a non-negative integer (a PHP array with
/// gaps, which `json_encode` writes as an object) or a name.
#[derive(Clone, Copy)]
enum MapKey {
    Index(u64),
    Name,
}

impl<'de> de::Deserialize<'de> for MapKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MapKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<MapKey, E> {
                let digits = !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit());
                Ok(match k.parse() {
                    Ok(n) if digits => MapKey::Index(n),
                    _ => MapKey::Name,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// An object's entries, values lent out as written.
type Entries<'de> = Vec<(MapKey, &'de RawValue)>;

fn entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Entries<'de>, A::Error> {
    let mut out = Vec::new();
    while let Some(k) = map.next_key::<MapKey>()? {
        out.push((k, map.next_value::<&'de RawValue>()?));
    }
    Ok(out)
}

/// A serde_json error's message without its position (which would be relative
/// to a value read again on its own; the caller reports its own position).
fn reason_of(e: serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(p) => full[..p].to_owned(),
        None => full,
    }
}

/// The byte that opens an item of `want`: `"` for a line, `{` for a summary.
fn item_open(want: Want) -> u8 {
    match want {
        Want::Lines { .. } => b'"',
        _ => b'{',
    }
}

/// A value under `result`, looked into for the items, `depth` objects down (1: the
/// value of a key of `result`). A list is the items (below depth 1 only if its
/// first element is an item: `"meta": {"ids": [1, 2]}` is not the sessions); an
/// object is read by [`object_items`] up to [`WRAPPER_DEPTH`]; anything else holds
/// no list (`None`).
fn look_into<'de>(
    raw: &'de str,
    seed: ResultSeed,
    total: Option<u64>,
    depth: usize,
) -> Result<Option<Outcome<'de>>, String> {
    match raw.as_bytes().first() {
        Some(b'[') => {
            let first = raw.as_bytes()[1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace());
            if depth > 1 && !matches!(first, Some(&c) if c == b']' || c == item_open(seed.want)) {
                return Ok(None);
            }
            match seed.want {
                Want::Lines { .. } => split_lines(raw, seed.capacity(total, 64))
                    .map(|items| Some(Outcome::Lines { total: None, items })),
                _ => {
                    let mut de = serde_json::Deserializer::from_str(raw);
                    de.deserialize_any(Direct { seed, total })
                        .map_err(reason_of)
                }
            }
        }
        Some(b'{') if depth <= WRAPPER_DEPTH => {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Entries<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entries<'de>, A::Error> {
                    entries(map)
                }
            }
            let mut de = serde_json::Deserializer::from_str(raw);
            let found = de.deserialize_map(V).map_err(reason_of)?;
            object_items(found, seed, total, depth)
        }
        _ => Ok(None),
    }
}

/// An object under `result`: integer keys whose values are all items are the
/// items in key order (a key twice is an error); otherwise its named values are
/// looked into one level down. Two non-empty lists are ambiguous: an error.
fn object_items<'de>(
    entries: Entries<'de>,
    seed: ResultSeed,
    total: Option<u64>,
    depth: usize,
) -> Result<Option<Outcome<'de>>, String> {
    let open = item_open(seed.want);
    let mut numbered: Vec<(u64, &'de RawValue)> = Vec::new();
    let mut numbered_ok = true;
    let mut nested = Lists::new(seed.empty(), total);
    for (key, value) in entries {
        match key {
            MapKey::Index(k) => {
                numbered_ok &= value.get().as_bytes().first() == Some(&open);
                numbered.push((k, value));
            }
            MapKey::Name => nested.add(look_into(value.get(), seed, total, depth + 1)?),
        }
    }
    let numbered_ok = numbered_ok && !numbered.is_empty();
    if nested.nonempty > 1 || (numbered_ok && nested.nonempty > 0) {
        return Err("`result` holds more than one non-empty list".to_owned());
    }
    if !numbered_ok {
        return Ok(nested.found.then_some(nested.outcome));
    }
    numbered.sort_by_key(|(k, _)| *k);
    if let Some(w) = numbered.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("item key \"{}\" appears twice", w[0].0));
    }
    Ok(Some(match seed.want {
        Want::Lines { .. } => {
            let mut items = Vec::with_capacity(numbered.len());
            for (n, (_, raw)) in numbered.into_iter().enumerate() {
                items.push(line_item::<serde_json::Error>(raw, n).map_err(reason_of)?);
            }
            Outcome::Lines { total: None, items }
        }
        _ => {
            let mut items = Vec::with_capacity(numbered.len());
            for (index, (_, raw)) in numbered.into_iter().enumerate() {
                let mut de = serde_json::Deserializer::from_str(raw.get());
                items.push(
                    SummarySeed { index }
                        .deserialize(&mut de)
                        .map_err(reason_of)?,
                );
            }
            Outcome::Logs { total: None, items }
        }
    }))
}

/// A `calls/logs` value read straight from the body: a list is the items (each
/// must be a summary), an object is looked into, anything else is no list.
#[derive(Clone, Copy)]
struct Direct {
    seed: ResultSeed,
    total: Option<u64>,
}

impl<'de> Visitor<'de> for Direct {
    type Value = Option<Outcome<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.seed.read_list(seq, self.total).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        object_items(entries(map)?, self.seed, self.total, 1).map_err(A::Error::custom)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
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
fn split_lines(list: &str, capacity: usize) -> Result<Vec<Cow<'_, str>>, String> {
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
            } else if let Some(close) = timestamp_span_end(&b[start..], k - start) {
                from = start + close;
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

/// A string value kept, any other value skipped.
struct StrOrSkip<'a>(Option<Cow<'a, str>>);

impl<'de> de::Deserialize<'de> for StrOrSkip<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrOrSkip<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrOrSkip<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StrOrSkip(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrOrSkip<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StrOrSkip(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(None))
            }
            fn visit_unit<E>(self) -> Result<StrOrSkip<'de>, E> {
                Ok(StrOrSkip(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One `calls/logs` item.
struct SummarySeed {
    index: usize,
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
                Key::LogId => log_id = map.next_value::<Num<u64>>()?.0,
                Key::Start => start = map.next_value::<Num<i64>>()?.0,
                Key::End => end = map.next_value::<Num<i64>>()?.0,
                Key::SessionId => sid = Some(map.next_value::<Text>()?.0),
                Key::Dest => dest = Some(map.next_value::<Text>()?.0),
                Key::Type => kind = Some(map.next_value::<Text>()?.0),
                Key::Src => src = Some(map.next_value::<Text>()?.0),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let n = self.index + 1;
        let missing = |field: &str| A::Error::custom(format!("log item {n} has no `{field}`"));
        let sid = sid.ok_or_else(|| missing("session_id"))?;
        let session_id = super::checked_session_id(sid)
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
