//! Splitting a text into lines: the one rule for line ends (`\n`, or `\r\n`) and
//! for the UTF-8 byte-order mark a text may start with.

use super::scan;

/// One line of a text: its bytes (without the line end), 1-based number, byte start.
#[derive(Clone, Copy, Debug)]
pub struct RawLine<'a> {
    /// The line without its line end.
    pub bytes: &'a [u8],
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the line's start in the text.
    pub start: usize,
}

/// Splits a text at `\n` (a `\r` before it is dropped too), with memchr.
#[derive(Clone, Debug)]
pub struct LineSplitter<'a> {
    text: &'a [u8],
    pos: usize,
    number: usize,
}

impl<'a> LineSplitter<'a> {
    /// The lines of a whole text; a UTF-8 byte-order mark at its start is skipped
    /// (line starts stay byte offsets into `text`, BOM included).
    pub fn new(text: &'a [u8]) -> Self {
        LineSplitter {
            text,
            pos: text.len() - strip_bom(text).len(),
            number: 0,
        }
    }

    /// The lines of a piece cut from inside a text at a line end: no byte-order
    /// mark is looked for.
    pub fn piece(text: &'a [u8]) -> Self {
        LineSplitter {
            text,
            pos: 0,
            number: 0,
        }
    }
}

/// The UTF-8 byte-order mark some editors put at the start of a text.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `text` without a UTF-8 byte-order mark at its start (the bulk parsers skip it, as
/// the JSON decoder does).
#[inline]
pub fn strip_bom(text: &[u8]) -> &[u8] {
    text.strip_prefix(BOM).unwrap_or(text)
}

impl<'a> Iterator for LineSplitter<'a> {
    type Item = RawLine<'a>;

    #[inline]
    fn next(&mut self) -> Option<RawLine<'a>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (line, advance) = match memchr::memchr(b'\n', rest) {
            Some(n) => (&rest[..n], n + 1),
            None => (rest, rest.len()),
        };
        let start = self.pos;
        self.pos += advance;
        self.number += 1;
        Some(RawLine {
            bytes: strip_line_end(line),
            number: self.number,
            start,
        })
    }
}

#[inline(always)]
pub(crate) fn is_blank_line(line: &[u8]) -> bool {
    line.iter().all(|&b| scan::is_blank(b))
}

/// Strip one trailing `\n`, and then one `\r` (of a `\r\n` line end): the line as
/// the line parsers see it.
#[inline]
pub fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = match line.last() {
        Some(b'\n') => &line[..line.len() - 1],
        _ => line,
    };
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}
