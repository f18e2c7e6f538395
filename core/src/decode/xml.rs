//! XML envelopes, read as a stream of quick-xml events borrowed from the body.
//!
//! `<status>` and `<error>` are the root's direct children; items are elements named
//! after the service's item (`session`, `error`, `log`) at any depth under `<result>`.
//! So the error items of `calls/errors` (inside `<result>`) never mix with the
//! envelope's own `<error>` message (outside it). Text made of one piece (no entity
//! reference, no CDATA next to text, no `\r`) is borrowed from the body.
//!
//! A run of items written exactly `<session>text</session>` (the canonical page) is
//! read with memchr instead of three quick-xml events per item; quick-xml resumes
//! after the run, so closing tags are matched here rather than by quick-xml.

use super::SummaryField as Field;
use super::{DecodeError, Found, Outcome, Want, checked_session_id, failure};
use crate::call_summary::CallSummary;
use crate::service::Wire;
use quick_xml::events::{BytesRef, Event};
use quick_xml::reader::Reader;
use std::borrow::Cow;

pub(crate) fn decode(body: &[u8], want: Want) -> Result<Found<'_>, DecodeError> {
    match Walk::new(want, body.len()).run(body) {
        Ok(outcome) => Ok(outcome),
        // A failure answer is recognised even in a body the parser rejects.
        Err(e) => match failure::scan_xml_failure(body) {
            Some(message) => Err(failure::failure(message, body)),
            None => Err(e),
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Status,
    Error,
    Total,
    Item,
    Field(Field),
}

/// The element whose text is being collected.
struct Capture<'a> {
    slot: Slot,
    depth: usize,
    text: Option<Cow<'a, str>>,
}

/// The fields of one `calls/logs` item, as text.
#[derive(Default)]
struct Partial<'a> {
    fields: [Option<Cow<'a, str>>; 7],
}

struct Walk<'a> {
    want: Want,
    /// The names of the open elements, back to back, and where each ends.
    names: Vec<u8>,
    name_ends: Vec<usize>,
    body_len: usize,
    depth: usize,
    root_done: bool,
    result_depth: Option<usize>,
    result_seen: bool,
    /// Whether an item, or an element named as the list of items (`<sessions>`),
    /// was met under `<result>`.
    list_seen: bool,
    capture: Option<Capture<'a>>,
    summary: Option<(usize, Partial<'a>)>,
    status: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    total: Option<u64>,
    lines: Vec<Cow<'a, str>>,
    logs: Vec<CallSummary<'a>>,
    log_text: Option<Cow<'a, str>>,
}

fn shape(offset: usize, reason: String) -> DecodeError {
    DecodeError::Shape {
        wire: Wire::Xml,
        offset,
        reason,
    }
}

fn syntax(body: &[u8], offset: usize, reason: String) -> DecodeError {
    DecodeError::Syntax {
        wire: Some(Wire::Xml),
        offset,
        reason,
        excerpt: failure::excerpt(body, offset),
    }
}

/// A body that is not a Plum answer at all.
fn foreign(body: &[u8]) -> DecodeError {
    DecodeError::Foreign {
        excerpt: failure::excerpt(body, 0),
    }
}

/// `<!DOCTYPE html …>`, in any case.
fn is_html_doctype(d: &quick_xml::events::BytesText<'_>) -> bool {
    let t: &str = d;
    let t = t.trim_start().as_bytes();
    t.len() >= 4 && t[..4].eq_ignore_ascii_case(b"html")
}

fn trim_cow(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

/// An item's text without the line breaks and indentation a pretty-printer puts
/// around it: a leading run of white space is dropped if it holds a line break, a
/// trailing one from its first line break on. Other blanks belong to the line.
fn trim_layout(c: Cow<'_, str>) -> Cow<'_, str> {
    fn cut(s: &str) -> (usize, usize) {
        let lead = s.len() - s.trim_start().len();
        let start = if s[..lead].contains('\n') { lead } else { 0 };
        // Blanks before the first line break of the trailing run end the line itself.
        let body_end = s.trim_end().len();
        let end = s[body_end..].find('\n').map_or(s.len(), |n| body_end + n);
        (start, end.max(start))
    }
    match c {
        Cow::Borrowed(s) => {
            let (a, b) = cut(s);
            Cow::Borrowed(&s[a..b])
        }
        Cow::Owned(s) => {
            let (a, b) = cut(&s);
            if a == 0 && b == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(s[a..b].to_owned())
            }
        }
    }
}

/// The text of an entity or character reference.
fn resolve(r: &BytesRef<'_>) -> Result<Cow<'static, str>, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
            _ => Err(format!("bad character reference `&{};`", &**r)),
        };
    }
    Ok(Cow::Borrowed(match &**r {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(format!("unknown entity `&{other};`")),
    }))
}

fn reader_at(body: &[u8], at: usize) -> Reader<&[u8]> {
    let mut reader = Reader::from_reader(&body[at..]);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    reader
}

impl<'a> Walk<'a> {
    fn new(want: Want, body_len: usize) -> Self {
        Walk {
            want,
            names: Vec::new(),
            name_ends: Vec::new(),
            body_len,
            depth: 0,
            root_done: false,
            result_depth: None,
            result_seen: false,
            list_seen: false,
            capture: None,
            summary: None,
            status: None,
            message: None,
            total: None,
            lines: Vec::new(),
            logs: Vec::new(),
            log_text: None,
        }
    }

    fn item_name(&self) -> &'static str {
        match self.want {
            Want::Lines { item } => item,
            Want::Logs | Want::Log => "log",
        }
    }

    fn run(mut self, body: &'a [u8]) -> Result<Found<'a>, DecodeError> {
        // `base`: where the current reader starts in the body (runs of plain items
        // are read without quick-xml, which then resumes on the rest).
        let mut base = 0;
        let mut reader = reader_at(body, base);
        loop {
            let at = base + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let offset = base + reader.error_position() as usize;
                    return Err(syntax(body, offset, e.to_string()));
                }
            };
            match event {
                Event::Start(e) => {
                    if self.at_plain_item(e.name().as_ref()) {
                        let next = self.item_run(body, at);
                        if next > at {
                            base = next;
                            reader = reader_at(body, base);
                            continue;
                        }
                    }
                    self.open(e.local_name().as_ref(), at, body)?;
                    self.names.extend_from_slice(e.name().as_ref().as_bytes());
                    self.name_ends.push(self.names.len());
                }
                Event::Empty(e) => {
                    self.open(e.local_name().as_ref(), at, body)?;
                    self.close(at)?;
                }
                Event::End(e) => {
                    self.check_end(e.name().as_ref(), at, body)?;
                    self.close(at)?;
                }
                Event::Text(t) => self.text(t.xml10_content(), at, body)?,
                Event::CData(c) => self.text(c.xml10_content(), at, body)?,
                Event::GeneralRef(r) => {
                    let piece = resolve(&r).map_err(|reason| syntax(body, at, reason))?;
                    self.text(piece, at, body)?;
                }
                Event::Eof => break,
                Event::DocType(d) if self.depth == 0 && is_html_doctype(&d) => {
                    return Err(foreign(body));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if !self.root_done {
            let reason = if self.depth == 0 {
                "no root element".to_owned()
            } else {
                format!("body cut off: {} element(s) still open", self.depth)
            };
            return Err(syntax(body, body.len(), reason));
        }
        // A count with nothing to count is a shape this decoder does not know, not
        // an empty page: the caller would silently lose the records.
        if let Some(t) = self.total.filter(|&t| t > 0)
            && self.result_seen
            && !self.list_seen
            && self.want != Want::Log
        {
            return Err(shape(
                body.len(),
                format!(
                    "<result> counts {t} records but holds no <{}s> or <{}> element",
                    self.item_name(),
                    self.item_name()
                ),
            ));
        }
        let status = self.status.as_deref().map(str::to_owned);
        let message = self.message.map(Cow::into_owned);
        let result = self.result_seen.then(|| match self.want {
            Want::Lines { .. } => Outcome::Lines {
                total: self.total,
                items: self.lines,
            },
            Want::Logs => Outcome::Logs {
                total: self.total,
                items: self.logs,
            },
            Want::Log => Outcome::Log {
                text: self.log_text.unwrap_or(Cow::Borrowed("")),
            },
        });
        super::verdict(
            Wire::Xml,
            status.as_deref(),
            message,
            result,
            self.want,
            body,
        )
    }

    /// Whether a start tag named `name` opens a line item read by [`Walk::item_run`].
    fn at_plain_item(&mut self, name: &str) -> bool {
        let yes = matches!(self.want, Want::Lines { .. })
            && self.result_depth.is_some()
            && self.capture.is_none()
            && name == self.item_name();
        self.list_seen |= yes;
        yes
    }

    /// Read the run of items starting at `at` written exactly `<item>text</item>`
    /// (blanks between them), whose text has no reference and no `\r`: quick-xml
    /// would yield the same borrowed text, three events per item. Returns where the
    /// run ends (`at` if the first item is not that plain).
    fn item_run(&mut self, body: &'a [u8], at: usize) -> usize {
        let item = self.item_name().as_bytes();
        let n = item.len();
        let mut q = at;
        loop {
            let open = &body[q..];
            if !(open.len() > n + 1
                && open[0] == b'<'
                && open[1..].starts_with(item)
                && open[n + 1] == b'>')
            {
                break;
            }
            let t0 = q + n + 2;
            let Some(t1) = memchr::memchr3(b'<', b'&', b'\r', &body[t0..]).map(|k| t0 + k) else {
                break;
            };
            let close = &body[t1..];
            if !(close.len() > n + 2
                && close.starts_with(b"</")
                && close[2..].starts_with(item)
                && close[n + 2] == b'>')
            {
                break;
            }
            let Ok(text) = std::str::from_utf8(&body[t0..t1]) else {
                break;
            };
            self.lines.push(trim_layout(Cow::Borrowed(text)));
            q = t1 + n + 3;
            while body
                .get(q)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                q += 1;
            }
        }
        q
    }

    /// Closing tags must match their opening ones (checked here rather than by
    /// quick-xml, whose reader restarts after a run of plain items).
    fn check_end(&mut self, name: &str, at: usize, body: &[u8]) -> Result<(), DecodeError> {
        let Some(end) = self.name_ends.pop() else {
            return Err(syntax(
                body,
                at,
                format!("closing tag </{name}> without an opening tag"),
            ));
        };
        let start = self.name_ends.last().copied().unwrap_or(0);
        if &self.names[start..end] != name.as_bytes() {
            let open = String::from_utf8_lossy(&self.names[start..end]).into_owned();
            return Err(syntax(
                body,
                at,
                format!("expected </{open}>, found </{name}>"),
            ));
        }
        self.names.truncate(start);
        Ok(())
    }

    fn capture(&mut self, slot: Slot) {
        self.capture = Some(Capture {
            slot,
            depth: self.depth,
            text: None,
        });
    }

    fn open(&mut self, name: &str, at: usize, body: &[u8]) -> Result<(), DecodeError> {
        if self.root_done {
            return Err(syntax(
                body,
                at,
                format!("element <{name}> after the root element"),
            ));
        }
        self.depth += 1;
        let depth = self.depth;
        if depth == 1 {
            // An HTML page (a proxy's error page, a captive portal) is not Plum's.
            if name.eq_ignore_ascii_case("html") {
                return Err(foreign(body));
            }
            return Ok(());
        }
        if let Some(c) = &self.capture {
            if c.slot == Slot::Item {
                return Err(shape(
                    at,
                    format!("element <{name}> inside an item, which must be text"),
                ));
            }
            // Markup inside a scalar (say, <error><b>x</b></error>): only the
            // scalar's own text counts.
            return Ok(());
        }
        if depth == 2 {
            match name {
                "status" => self.capture(Slot::Status),
                "error" => self.capture(Slot::Error),
                "result" => {
                    if self.result_seen {
                        return Err(shape(at, "<result> appears twice".to_owned()));
                    }
                    self.result_depth = Some(depth);
                    self.result_seen = true;
                }
                _ => {}
            }
            return Ok(());
        }
        if self.result_depth.is_none() {
            return Ok(());
        }
        if let Some((item_depth, _)) = &self.summary {
            if depth == item_depth + 1
                && let Some(f) = Field::of(name)
            {
                self.capture(Slot::Field(f));
            }
            return Ok(());
        }
        if name.len() == self.item_name().len() + 1
            && name.starts_with(self.item_name())
            && name.ends_with('s')
        {
            self.list_seen = true;
        }
        if name == self.item_name() {
            self.list_seen = true;
            match self.want {
                Want::Logs => self.summary = Some((depth, Partial::default())),
                _ => self.capture(Slot::Item),
            }
        } else if name.starts_with("total") {
            self.capture(Slot::Total);
        }
        Ok(())
    }

    fn text(&mut self, piece: Cow<'a, str>, at: usize, body: &[u8]) -> Result<(), DecodeError> {
        match &mut self.capture {
            Some(c) if c.depth == self.depth => match &mut c.text {
                None => c.text = Some(piece),
                Some(t) => t.to_mut().push_str(&piece),
            },
            _ if self.depth == 0 && !piece.trim().is_empty() => {
                return Err(syntax(body, at, "text outside the root element".to_owned()));
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<(), DecodeError> {
        let depth = self.depth;
        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            let c = self.capture.take().expect("checked");
            let text = c.text.unwrap_or(Cow::Borrowed(""));
            match c.slot {
                Slot::Status => self.status = Some(trim_cow(text)),
                Slot::Error => self.message = Some(trim_cow(text)),
                Slot::Total => {
                    let t = trim_cow(text);
                    self.total = if t.is_empty() {
                        None
                    } else {
                        Some(
                            t.parse()
                                .map_err(|_| shape(at, format!("count {t:?} is not a number")))?,
                        )
                    };
                    // Room for the items, bounded by what the body could hold (the
                    // count may cover every match, not just this page).
                    if let Some(n) = self.total {
                        let fit = self.body_len / 64;
                        let room = usize::try_from(n).unwrap_or(usize::MAX).min(fit);
                        match self.want {
                            Want::Lines { .. } => self.lines.reserve(room),
                            Want::Logs => self.logs.reserve(room),
                            Want::Log => {}
                        }
                    }
                }
                Slot::Item => match self.want {
                    Want::Log if self.log_text.is_some() => {
                        return Err(shape(at, "more than one <log> under <result>".to_owned()));
                    }
                    Want::Log => self.log_text = Some(text),
                    _ => self.lines.push(trim_layout(text)),
                },
                Slot::Field(f) => {
                    if let Some((_, partial)) = &mut self.summary {
                        partial.fields[f as usize] = Some(trim_cow(text));
                    }
                }
            }
        }
        if self.summary.as_ref().is_some_and(|(d, _)| *d == depth) {
            let (_, partial) = self.summary.take().expect("checked");
            let item = self.summary_of(partial, at)?;
            self.logs.push(item);
        }
        if self.result_depth == Some(depth) {
            self.result_depth = None;
        }
        if depth == 1 {
            self.root_done = true;
        }
        self.depth -= 1;
        Ok(())
    }

    fn summary_of(&self, p: Partial<'a>, at: usize) -> Result<CallSummary<'a>, DecodeError> {
        let n = self.logs.len() + 1;
        let [log_id, sid, dest, kind, src, start, end] = p.fields;
        let need = |v: Option<Cow<'a, str>>, f: Field| {
            v.ok_or_else(|| shape(at, format!("log item {n} has no <{}>", f.name())))
        };
        fn num<T: std::str::FromStr>(
            v: Cow<'_, str>,
            f: Field,
            n: usize,
            at: usize,
        ) -> Result<T, DecodeError> {
            v.parse().map_err(|_| {
                shape(
                    at,
                    format!("log item {n}: <{}> {v:?} is not an integer", f.name()),
                )
            })
        }
        let session_id = checked_session_id(need(sid, Field::SessionId)?)
            .map_err(|raw| shape(at, format!("log item {n}: bad session id {raw:?}")))?;
        Ok(CallSummary {
            log_id: num(need(log_id, Field::LogId)?, Field::LogId, n, at)?,
            session_id,
            dest: need(dest, Field::Dest)?,
            call_type: need(kind, Field::Type)?,
            src: need(src, Field::Src)?,
            start: num(need(start, Field::Start)?, Field::Start, n, at)?,
            end: num(need(end, Field::End)?, Field::End, n, at)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_around_items_is_not_part_of_the_line() {
        assert_eq!(trim_layout(Cow::Borrowed("\n    a b  \n  ")), "a b  ");
        assert_eq!(trim_layout(Cow::Borrowed("  a b  ")), "  a b  ");
        assert_eq!(trim_layout(Cow::Borrowed("\n \n")), "");
        assert!(matches!(
            trim_layout(Cow::Borrowed("\na\n")),
            Cow::Borrowed("a")
        ));
    }
}
