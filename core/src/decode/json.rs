//! JSON envelopes, read in one streaming pass with serde visitors: no
//! `serde_json::Value` of the body is ever built.
//!
//! Line items are taken as `&RawValue` (the literal as written, quotes included) so
//! that the common item, whose only escapes are the `\/` of its timestamp, can be
//! lent out as is: serde's own `Cow<str>` would borrow only strings with no escape
//! at all, and every documented item has four.

mod items;

use super::{DecodeError, Found, Outcome, Want, failure};
use crate::service::Wire;
#[cfg(test)]
pub(crate) use items::ascii_escaped;
use items::{Num, SummarySeed, line_item, split_lines, string_text, string_text_deferred};
pub(crate) use items::{log_cut, unescape, unescape_in_place, unescape_mapped, written_range};
use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// `in_place`: a log text with escapes is lent out still escaped, for the caller to
/// unescape in the body's own buffer ([`unescape_in_place`] accepts it); an item or
/// summary is read as ever.
pub(crate) fn decode(body: &[u8], want: Want, in_place: bool) -> Result<Found<'_>, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let strict = EnvelopeSeed {
        want,
        body_len: body.len(),
        in_place,
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
                    k if k.starts_with("total") => Key::Total,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

// ---------------------------------------------------------------------------------
// The envelope and its result.

struct EnvelopeSeed {
    want: Want,
    body_len: usize,
    in_place: bool,
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
                        in_place: self.in_place,
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
    /// See [`decode`].
    in_place: bool,
}

impl ResultSeed {
    /// A log's text from its literal (see [`decode`] for `in_place`).
    fn log_text(self, lit: &str) -> Option<Result<Cow<'_, str>, String>> {
        if self.in_place {
            string_text_deferred(lit)
        } else {
            string_text(lit)
        }
    }

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
        if self.want != Want::Log {
            return d.deserialize_any(self);
        }
        // A log may be hundreds of MB: it is read as written and unescaped once
        // (serde_json would unescape it into its scratch buffer and copy that).
        let raw = <&'de RawValue as de::Deserialize<'de>>::deserialize(d)?.get();
        if let Some(text) = self.log_text(raw) {
            return Ok(Outcome::Log {
                text: text.map_err(D::Error::custom)?,
            });
        }
        let mut de = serde_json::Deserializer::from_str(raw);
        de.deserialize_any(self)
            .map_err(|e| D::Error::custom(reason_of(e)))
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
                let raw = map.next_value::<&'de RawValue>()?.get();
                let value = self.log_text(raw).transpose().map_err(A::Error::custom)?;
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
