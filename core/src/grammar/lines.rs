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

/// Splits a text at `\n` (a `\r` before it is dropped too).
///
/// Line ends are found 64 bytes at a time: `scan::block_mask` marks every `\n`
/// of a block in one word, and each line takes the lowest mark left, so a block is
/// read once however many lines it holds or cuts.
#[derive(Clone, Debug)]
pub struct LineSplitter<'a> {
    text: &'a [u8],
    pos: usize,
    number: usize,
    /// Where the block that `ends` marks starts.
    block: usize,
    /// Bit `k`: `text[block + k]` is a `\n` not yet passed.
    ends: u64,
}

impl<'a> LineSplitter<'a> {
    /// The lines of a whole text; a UTF-8 byte-order mark at its start is skipped
    /// (line starts stay byte offsets into `text`, BOM included).
    pub fn new(text: &'a [u8]) -> Self {
        Self::from(text, text.len() - strip_bom(text).len())
    }

    /// The lines of a piece cut from inside a text at a line end: no byte-order
    /// mark is looked for.
    pub fn piece(text: &'a [u8]) -> Self {
        Self::from(text, 0)
    }

    fn from(text: &'a [u8], pos: usize) -> Self {
        LineSplitter {
            text,
            pos,
            number: 0,
            block: pos,
            ends: line_ends(text, pos),
        }
    }
}

/// The `\n` marks of the 64 bytes of `text` from `block` (zero past its end).
#[inline(always)]
fn line_ends(text: &[u8], block: usize) -> u64 {
    let rest = text.get(block..).unwrap_or_default();
    match rest.first_chunk::<64>() {
        Some(whole) => scan::block_mask(whole, b'\n'),
        None => {
            let mut tail = [0u8; 64];
            tail[..rest.len()].copy_from_slice(rest);
            scan::block_mask(&tail, b'\n')
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
        // The line ends at the lowest mark left, else at the first mark of a later
        // block, else at the end of the text.
        let end = loop {
            if self.ends != 0 {
                let end = self.block + self.ends.trailing_zeros() as usize;
                self.ends &= self.ends - 1;
                break end;
            }
            self.block += 64;
            if self.block >= self.text.len() {
                break self.text.len();
            }
            self.ends = line_ends(self.text, self.block);
        };
        let start = self.pos;
        self.pos = end + 1;
        self.number += 1;
        Some(RawLine {
            bytes: strip_line_end(&self.text[start..end]),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of `text` from `pos`, found a byte at a time.
    fn bytewise(text: &[u8], mut pos: usize) -> Vec<(Vec<u8>, usize, usize)> {
        let mut out = Vec::new();
        while pos < text.len() {
            let end = text[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |n| pos + n);
            out.push((strip_line_end(&text[pos..end]).to_vec(), out.len() + 1, pos));
            pos = end + 1;
        }
        out
    }

    fn split(lines: LineSplitter<'_>) -> Vec<(Vec<u8>, usize, usize)> {
        lines
            .map(|l| (l.bytes.to_vec(), l.number, l.start))
            .collect()
    }

    /// Texts of every length to 200 bytes, with line ends every `gap` bytes from
    /// every start (so across and at every 64-byte block edge), `\r\n` and bare
    /// `\n`, with and without a BOM and a last line end: the block search finds
    /// what a byte loop finds.
    #[test]
    fn block_search_agrees_with_a_byte_loop() {
        let mut texts = 0;
        for len in 0..200usize {
            for gap in [1usize, 2, 7, 63, 64, 65, 130] {
                for first in [0usize, 1, 5, 62, 63] {
                    let mut text: Vec<u8> = (0..len).map(|k| b'a' + (k % 26) as u8).collect();
                    let mut at = first;
                    while at < len {
                        text[at] = b'\n';
                        if at > 0 && gap % 2 == 1 {
                            text[at - 1] = b'\r';
                        }
                        at += gap;
                    }
                    assert_eq!(split(LineSplitter::piece(&text)), bytewise(&text, 0));
                    let mut with_bom = BOM.to_vec();
                    with_bom.extend_from_slice(&text);
                    assert_eq!(
                        split(LineSplitter::new(&with_bom)),
                        bytewise(&with_bom, BOM.len())
                    );
                    texts += 1;
                }
            }
        }
        assert_eq!(texts, 200 * 7 * 5);
    }
}
