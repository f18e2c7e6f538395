//! Byte-level building blocks shared by the three line grammars.
//!
//! Each is a nom parser — a function of nom's `IResult` shape over `&[u8]`, so
//! nom's combinators compose them — written by hand at the byte level: the hot path
//! has to run at the speed of a scan of the bytes, which nom's generic byte parsers
//! (`take_while`, `tag`, …) do not reach. The line grammars (`session.rs`,
//! `error_line.rs`, `call_log.rs`) are nom combinators over these. Each failure
//! carries how much input was left, so the caller can turn it into a column
//! without any allocation.
//!
//! This is the one module of the crate that may use `unsafe`: three
//! `from_utf8_unchecked` calls on bytes just checked to be ASCII, and the SSE2
//! loads and compares of [`blank_or_and_ascii`]'s 16-byte step and of
//! [`block_mask`] (x86-64 only).

use super::error::{ErrorKind, LineError};
use nom::{IResult, Mode, OutputMode, Parser};

/// A grammar failure: what, and how many bytes of the line were still unread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fail {
    pub kind: ErrorKind,
    pub remaining: usize,
}

impl Fail {
    #[inline]
    pub fn at(kind: ErrorKind, input: &[u8]) -> nom::Err<Fail> {
        nom::Err::Error(Fail {
            kind,
            remaining: input.len(),
        })
    }

    /// Turn into a [`LineError`] for a line of `line_len` bytes.
    #[inline]
    pub fn into_line_error(self, line_len: usize) -> LineError {
        LineError::new(self.kind, line_len.saturating_sub(self.remaining))
    }
}

/// What nom's own combinators need of an error type. Ours says where; when one of
/// nom's parsers is the one that failed (the grammars use `alt` and `tuple`s, whose
/// own failures are the failures of our primitives), the kind is `Truncated` at
/// end of input and `TrailingInput` otherwise.
impl<'a> nom::error::ParseError<&'a [u8]> for Fail {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        Fail {
            kind: if input.is_empty() {
                ErrorKind::Truncated
            } else {
                ErrorKind::TrailingInput
            },
            remaining: input.len(),
        }
    }
    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub type PResult<'a, T> = IResult<&'a [u8], T, Fail>;

/// A hand-written primitive (any function of nom's `IResult` shape) as a nom
/// [`Parser`] whose `process` is always inlined. nom's own blanket impl for
/// functions is not `#[inline]`: through it every field was a call that moved its
/// `IResult` through memory, and session lines parsed about 30 % slower
/// (measured against the hand-written grammar this replaced, in an A/B since
/// retired; compare builds with `benches/ab/` now).
#[derive(Clone, Copy)]
pub struct Prim<F>(F);

/// `f` as an always-inlined nom parser.
#[inline(always)]
pub const fn p<F>(f: F) -> Prim<F> {
    Prim(f)
}

impl<'a, O, F> Parser<&'a [u8]> for Prim<F>
where
    F: FnMut(&'a [u8]) -> PResult<'a, O>,
{
    type Output = O;
    type Error = Fail;

    #[inline(always)]
    fn process<OM: OutputMode>(&mut self, i: &'a [u8]) -> nom::PResult<OM, &'a [u8], O, Fail> {
        match (self.0)(i) {
            Ok((rest, o)) => Ok((rest, OM::Output::bind(|| o))),
            Err(nom::Err::Error(e)) => Err(nom::Err::Error(OM::Error::bind(|| e))),
            Err(nom::Err::Failure(e)) => Err(nom::Err::Failure(e)),
            Err(nom::Err::Incomplete(n)) => Err(nom::Err::Incomplete(n)),
        }
    }
}

/// Run a line parser over a whole line (nom's complete mode) and map its failure to
/// a [`LineError`]. Every parser here reads complete input: none asks for more
/// (`Incomplete`), and a failure is where the line went wrong whether nom calls it
/// an `Error` or (past a `cut`) a `Failure`.
#[inline]
pub fn run<'a, T>(
    line: &'a [u8],
    mut parser: impl Parser<&'a [u8], Output = T, Error = Fail>,
) -> Result<T, LineError> {
    match parser.parse_complete(line) {
        Ok((_, value)) => Ok(value),
        Err(nom::Err::Error(f) | nom::Err::Failure(f)) => Err(f.into_line_error(line.len())),
        // Complete input: "needs more" means the line ended first.
        Err(nom::Err::Incomplete(_)) => Err(LineError::new(ErrorKind::Truncated, line.len())),
    }
}

/// `parser`, with any failure reported as `kind` at the start of its input: for
/// fields whose every failure means one thing ("this is not a month").
#[inline(always)]
pub fn expect<'a, O>(
    kind: ErrorKind,
    mut parser: impl Parser<&'a [u8], Output = O, Error = Fail>,
) -> impl Parser<&'a [u8], Output = O, Error = Fail> {
    p(move |i: &'a [u8]| parser.parse(i).map_err(|_| Fail::at(kind, i)))
}

/// `parser`, failing with `kind` at the start of its input when `ok` refuses its value.
#[inline(always)]
pub fn check<'a, O>(
    kind: ErrorKind,
    mut parser: impl Parser<&'a [u8], Output = O, Error = Fail>,
    ok: impl Fn(&O) -> bool,
) -> impl Parser<&'a [u8], Output = O, Error = Fail> {
    p(move |i: &'a [u8]| match parser.parse(i)? {
        (rest, v) if ok(&v) => Ok((rest, v)),
        _ => Err(Fail::at(kind, i)),
    })
}

#[inline(always)]
pub const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Index of the first blank (space or tab) in `s`, or `s.len()`.
#[inline(always)]
pub fn find_blank(s: &[u8]) -> usize {
    blank_and_ascii(s).0
}

/// Index of the first blank (space or tab) in `s` (or `s.len()`), and whether every
/// byte before it is ASCII.
///
/// Eight bytes at a time (SWAR): fields are 2–20 bytes long, so this takes one to
/// three word steps where a byte loop takes up to twenty compare-and-branch rounds,
/// and the ASCII check rides along instead of taking a second pass.
#[inline(always)]
pub fn blank_and_ascii(s: &[u8]) -> (usize, bool) {
    // A space as the extra stop byte adds nothing: the compiler folds the repeated
    // test away.
    blank_or_and_ascii(s, b' ')
}

/// Index of the first blank or `stop` byte in `s` (or `s.len()`), and whether every
/// byte before it is ASCII: where a `label:`, a `TYPE:` or a session id's server
/// part ends and whether it needs the full UTF-8 check, in one pass. Eight bytes
/// at a time (SWAR), see [`blank_and_ascii`].
#[inline(always)]
pub fn blank_or_and_ascii(s: &[u8], stop: u8) -> (usize, bool) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut seen = 0u64; // OR of every byte before the end: its high bits say non-ASCII
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= s.len() {
        let (hits, high) = sse2_stops_and_high(s[i..i + 16].try_into().expect("16 bytes"), stop);
        if hits != 0 {
            let k = hits.trailing_zeros();
            return (i + k as usize, seen == 0 && high & ((1 << k) - 1) == 0);
        }
        seen |= u64::from(high != 0) << 7;
        i += 16;
    }
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        // A zero byte in `w ^ c * LO` marks a byte `c`. The lowest flagged byte is
        // exact (borrows only propagate upwards), which is the one we want.
        let hits = zero_bytes(w ^ (b' ' as u64 * LO))
            | zero_bytes(w ^ (b'\t' as u64 * LO))
            | zero_bytes(w ^ (stop as u64 * LO));
        if hits != 0 {
            let k = hits.trailing_zeros() / 8;
            let before = if k == 0 {
                0
            } else {
                w & (u64::MAX >> (64 - 8 * k))
            };
            return (i + k as usize, (seen | before) & HI == 0);
        }
        seen |= w;
        i += 8;
    }
    let mut high = (seen & HI) != 0;
    while i < s.len() && !is_blank(s[i]) && s[i] != stop {
        high |= s[i] >= 0x80;
        i += 1;
    }
    (i, !high)
}

/// For 16 bytes: a bit for each blank or `stop` byte, and one for each byte with its
/// high bit set (not ASCII). SSE2: three compares and two mask moves.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sse2_stops_and_high(bytes: &[u8; 16], stop: u8) -> (u32, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2, which these intrinsics need, is part of every x86-64 CPU; the
    // load reads the 16 bytes of `bytes`, and `loadu` needs no alignment.
    unsafe {
        let v = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
        let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
        let hits = _mm_or_si128(_mm_or_si128(is(b' '), is(b'\t')), is(stop));
        (_mm_movemask_epi8(hits) as u32, _mm_movemask_epi8(v) as u32)
    }
}

/// Bit `k` set for each byte `k` of a 64-byte block equal to `byte`: where the line
/// splitter finds every line end of a block in one go. SSE2 on x86-64 (four
/// compares and mask moves), a plain loop elsewhere.
#[inline(always)]
pub fn block_mask(block: &[u8; 64], byte: u8) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let mut mask = 0u64;
        for k in 0..4 {
            // SAFETY: SSE2, which these intrinsics need, is part of every x86-64
            // CPU; the load reads bytes `16 * k .. 16 * k + 16` of the 64 of
            // `block`, and `loadu` needs no alignment.
            let hits = unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8)))
            };
            mask |= u64::from(hits as u16) << (16 * k);
        }
        mask
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut mask = 0u64;
        for (k, &b) in block.iter().enumerate() {
            mask |= u64::from(b == byte) << k;
        }
        mask
    }
}

/// `bytes` as text: without a second look when a scan already found them ASCII,
/// else through the full UTF-8 check (failing at `at`'s offset of the first bad
/// byte).
#[inline(always)]
pub fn scanned_text<'a>(
    bytes: &'a [u8],
    ascii: bool,
    at: &'a [u8],
) -> Result<&'a str, nom::Err<Fail>> {
    if ascii {
        debug_assert!(bytes.is_ascii());
        // SAFETY: the caller's scan found every byte ASCII, hence valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        utf8(bytes, at)
    }
}

/// Zero or more blanks (never fails).
#[inline(always)]
pub fn blanks(input: &[u8]) -> PResult<'_, ()> {
    Ok((blanks0(input), ()))
}

/// Optional blanks, then the end of the line (else `TrailingInput`).
#[inline(always)]
pub fn end_of_line(input: &[u8]) -> PResult<'_, ()> {
    let i = blanks0(input);
    if i.is_empty() {
        Ok((i, ()))
    } else {
        Err(Fail::at(ErrorKind::TrailingInput, i))
    }
}

/// The rest of the line as text, as written (a message: may be empty).
#[inline(always)]
pub fn rest_of_line(input: &[u8]) -> PResult<'_, &str> {
    Ok((&input[input.len()..], rest_text(input)?))
}

/// One byte `b`, else `kind` (`Truncated` at the end of the line).
#[inline(always)]
pub fn byte<'a>(b: u8, kind: ErrorKind) -> impl Parser<&'a [u8], Output = (), Error = Fail> {
    p(move |input: &'a [u8]| match input.first() {
        Some(&c) if c == b => Ok((&input[1..], ())),
        None => Err(Fail::at(ErrorKind::Truncated, input)),
        Some(_) => Err(Fail::at(kind, input)),
    })
}

/// Skip a run of zero or more blanks.
#[inline(always)]
pub fn blanks0(input: &[u8]) -> &[u8] {
    match input.first() {
        // No blank at all: the common case, one compare.
        Some(&b) if !is_blank(b) => input,
        _ => blank_run(input),
    }
}

/// The general case of [`blanks0`]: a run of any length.
#[inline]
fn blank_run(input: &[u8]) -> &[u8] {
    let n = input
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(input.len());
    &input[n..]
}

/// One or more blanks: the field separator.
#[inline(always)]
pub fn sep(input: &[u8]) -> PResult<'_, ()> {
    match input {
        // One space and then the field: how the service writes every separator.
        [b' ', next, ..] if !is_blank(*next) => Ok((&input[1..], ())),
        [b, ..] if is_blank(*b) => Ok((blank_run(&input[1..]), ())),
        [] => Err(Fail::at(ErrorKind::Truncated, input)),
        _ => Err(Fail::at(ErrorKind::TrailingInput, input)),
    }
}

/// Bytes to `&str`, with a fast path for ASCII (the common case).
#[inline(always)]
pub fn utf8<'a>(bytes: &'a [u8], at: &'a [u8]) -> Result<&'a str, nom::Err<Fail>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => Err(Fail::at(ErrorKind::InvalidUtf8, &at[e.valid_up_to()..])),
    }
}

/// A run of one or more non-blank bytes, as text.
#[inline(always)]
pub fn token(input: &[u8]) -> PResult<'_, &str> {
    let (n, ascii) = blank_and_ascii(input);
    if n == 0 {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let (field, rest) = input.split_at(n);
    // Only a field with a high bit set needs the full UTF-8 check.
    Ok((rest, scanned_text(field, ascii, input)?))
}

/// How many ASCII lowercase letters start `s`.
///
/// Eight bytes at a time (SWAR): with each byte's high bit cleared, adding
/// `0x80 - b'a'` sets the high bit of the bytes from `a` up and adding
/// `0x80 - b'z' - 1` that of the bytes past `z`, and no byte carries into the next
/// (at most `0x7F + 0x1F`); a byte whose own high bit was set is no letter.
#[inline(always)]
pub fn lowercase_run(s: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        let low7 = w & !HI;
        let from_a = low7 + (0x80 - b'a' as u64) * LO;
        let past_z = low7 + (0x80 - b'z' as u64 - 1) * LO;
        let not_letter = !(from_a & !past_z & !w) & HI;
        if not_letter != 0 {
            return i + (not_letter.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() && s[i].is_ascii_lowercase() {
        i += 1;
    }
    i
}

/// A lowercase ASCII word ending at a blank: the kind of a session line.
#[inline(always)]
pub fn lowercase_word(input: &[u8]) -> PResult<'_, &str> {
    let n = lowercase_run(input);
    if n == 0 {
        return Err(Fail::at(
            if input.is_empty() {
                ErrorKind::Truncated
            } else {
                ErrorKind::BadKind
            },
            input,
        ));
    }
    match input.get(n) {
        None => Err(Fail::at(ErrorKind::Truncated, &input[n..])),
        Some(&b) if is_blank(b) => {
            // SAFETY: the first `n` bytes are lowercase ASCII letters.
            Ok((&input[n..], unsafe {
                std::str::from_utf8_unchecked(&input[..n])
            }))
        }
        Some(_) => Err(Fail::at(ErrorKind::BadKind, input)),
    }
}

/// A run of one or more non-blank bytes as raw bytes.
#[inline(always)]
pub fn raw_token(input: &[u8]) -> (&[u8], &[u8]) {
    let n = find_blank(input);
    let (field, rest) = input.split_at(n);
    (rest, field)
}

/// Decimal digits into a `u64`; `None` on empty, a non-digit, or overflow.
#[inline(always)]
pub fn digits_u64(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    if field.len() <= 19 {
        // 19 digits cannot overflow a u64: skip the checked arithmetic.
        let mut value: u64 = 0;
        for &b in field {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value = value * 10 + d as u64;
        }
        return Some(value);
    }
    let mut value: u64 = 0;
    for &b in field {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(value)
}

/// Exactly `N` digits at the start of `input`.
#[inline(always)]
pub fn fixed_digits<const N: usize>(input: &[u8]) -> Option<u32> {
    if input.len() < N {
        return None;
    }
    let mut value = 0u32;
    for &b in &input[..N] {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + d as u32;
    }
    Some(value)
}

/// A byte mask with `0xFF` at each of `bytes` (indices into a word).
pub const fn byte_mask(bytes: &[usize]) -> u64 {
    let mut m = 0u64;
    let mut k = 0;
    while k < bytes.len() {
        m |= 0xFF << (8 * bytes[k]);
        k += 1;
    }
    m
}

/// `text` (at most 8 bytes) as a word, first byte lowest.
pub const fn text_word(text: &[u8]) -> u64 {
    let mut w = 0u64;
    let mut k = 0;
    while k < text.len() {
        w |= (text[k] as u64) << (8 * k);
        k += 1;
    }
    w
}

/// One 8-byte word read as a fixed shape (a timestamp's, a call length's): the bytes at `digits` must be ASCII digits
/// and the bytes at `fixed` must equal the same bytes of `pattern`. Returns the
/// digits' values (every other byte zero) and a word that is non-zero if the
/// shape does not match.
///
/// SWAR: non-digit positions are set to `'0'` first, so no byte can borrow from or
/// carry into a neighbour when every digit is a digit; when one is not, the lowest
/// such byte is flagged exactly (borrows and carries only move upwards), which is
/// all a yes/no check needs.
#[inline(always)]
pub fn word_shape(w: u64, digits: u64, fixed: u64, pattern: u64) -> (u64, u64) {
    const LO: u64 = 0x0101_0101_0101_0101;
    let w_digits = (w & digits) | ((b'0' as u64 * LO) & !digits);
    let d = w_digits.wrapping_sub(b'0' as u64 * LO);
    let not_digit = (d | w_digits.wrapping_add(0x46 * LO)) & (0x80 * LO);
    (d, not_digit | ((w ^ pattern) & fixed))
}

/// Every two-digit number in a word of digit values: byte `k` of the result is
/// `10 * d[k] + d[k + 1]` (no byte overflows: at most 99).
#[inline(always)]
pub fn digit_pairs(d: u64) -> u64 {
    d.wrapping_mul(10).wrapping_add(d >> 8)
}

/// A word of byte limits for [`pairs_over`]: `max` at each listed byte, `0x7F` (no
/// limit) at every other.
pub const fn limit_word(limits: &[(usize, u8)]) -> u64 {
    let mut w = 0x7F7F_7F7F_7F7F_7F7F_u64;
    let mut k = 0;
    while k < limits.len() {
        let (at, max) = limits[k];
        w = (w & !(0xFF << (8 * at))) | (max as u64) << (8 * at);
        k += 1;
    }
    w
}

/// Non-zero if a byte of `pairs` (each at most 99, as [`digit_pairs`] gives) is
/// above the same byte of `limits` ([`limit_word`]): every range check of a word
/// at once. SWAR: `0x80 + limit - value` keeps its high bit exactly when the value
/// is within the limit, and no byte borrows from the next (the values are under
/// `0x80`).
#[inline(always)]
pub fn pairs_over(pairs: u64, limits: u64) -> u64 {
    const HI: u64 = 0x8080_8080_8080_8080;
    !(limits | HI).wrapping_sub(pairs) & HI
}

/// Byte `k` of `w`.
#[inline(always)]
pub fn byte_at(w: u64, k: u32) -> u32 {
    (w >> (8 * k)) as u32 & 0xFF
}

/// Powers of ten up to 10^8: the weight of a word of digits read before more digits.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The digits at the start of an 8-byte word (first byte lowest): how many lead it
/// (0–8), and their value.
///
/// SWAR: one subtract and one add flag every byte outside `0`..=`9` (its high bit
/// in `d | w + 0x46`; carries and borrows only move upwards, so the lowest flagged
/// byte is exact), and the value of the leading digits is three multiplications
/// (Lemire's eight-digit conversion) after shifting them to the top of the word,
/// where the vacated low bytes read as leading zeros.
#[inline(always)]
fn word_digits(w: u64) -> (usize, u64) {
    const LO: u64 = 0x0101_0101_0101_0101;
    let d = w.wrapping_sub(b'0' as u64 * LO);
    let flags = (d | w.wrapping_add(0x46 * LO)) & (0x80 * LO);
    let k = (flags.trailing_zeros() / 8) as usize;
    if k == 0 {
        return (0, 0);
    }
    (k, eight_digits(d << (8 * (8 - k))))
}

/// The number that a word of eight digit values spells (byte 0 the most
/// significant digit): Lemire's conversion, three multiplications. Bytes shifted in
/// as zeros read as leading zeros.
#[inline(always)]
pub fn eight_digits(d: u64) -> u64 {
    let v = digit_pairs(d);
    let v = ((v & 0x0000_00FF_0000_00FF).wrapping_mul(0x000F_4240_0000_0064)
        + ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(0x0000_2710_0000_0001))
        >> 32;
    v & 0xFFFF_FFFF
}

/// The run of ASCII digits at the start of `input`: its length, and its value
/// (`None` when it does not fit in a u64). One pass, no separate field split;
/// eight bytes at a time while a whole word is left (UNIX times and session-id
/// starts are ten digits: two word steps instead of ten multiply-add rounds).
#[inline(always)]
pub fn leading_digits(input: &[u8]) -> (usize, Option<u64>) {
    let mut value: u64 = 0;
    let mut n = 0;
    // At most two words (16 digits): the value cannot overflow.
    while n <= 8 && n + 8 <= input.len() {
        let w = u64::from_le_bytes(input[n..n + 8].try_into().expect("8 bytes"));
        let (k, v) = word_digits(w);
        value = value * POW10[k] + v;
        n += k;
        if k < 8 {
            return (n, Some(value));
        }
    }
    // Up to 19 digits cannot overflow: no checked arithmetic on the common path.
    while n < input.len() && n < 19 {
        let d = input[n].wrapping_sub(b'0');
        if d > 9 {
            return (n, Some(value));
        }
        value = value * 10 + d as u64;
        n += 1;
    }
    let mut fits = Some(value);
    while n < input.len() {
        let d = input[n].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        fits = fits.and_then(|v| v.checked_mul(10)?.checked_add(d as u64));
        n += 1;
    }
    (n, fits)
}

/// A whole field of digits (ending at a blank or the end of the line).
#[inline(always)]
fn number_field(
    input: &[u8],
    not_digits: ErrorKind,
) -> Result<(&[u8], Option<u64>), nom::Err<Fail>> {
    let (n, value) = leading_digits(input);
    match input.get(n) {
        _ if n == 0 && input.is_empty() => Err(Fail::at(ErrorKind::Truncated, input)),
        Some(&b) if !is_blank(b) => Err(Fail::at(not_digits, input)),
        _ if n == 0 => Err(Fail::at(not_digits, input)),
        _ => Ok((&input[n..], value)),
    }
}

/// Non-blank field of digits as a channel number.
#[inline(always)]
pub fn channel(input: &[u8]) -> PResult<'_, u32> {
    let (rest, value) = number_field(input, ErrorKind::BadChannel)?;
    match value.and_then(|v| u32::try_from(v).ok()) {
        Some(v) => Ok((rest, v)),
        None => Err(Fail::at(ErrorKind::ChannelOverflow, input)),
    }
}

/// Non-blank field of digits as UNIX seconds.
#[inline(always)]
pub fn unix_seconds(input: &[u8]) -> PResult<'_, i64> {
    let (rest, value) = number_field(input, ErrorKind::BadUnixTime)?;
    match value.and_then(|v| i64::try_from(v).ok()) {
        Some(v) => Ok((rest, v)),
        None => Err(Fail::at(ErrorKind::BadUnixTime, input)),
    }
}

/// The month abbreviation `Jan` … `Dec` as 1..=12.
#[inline(always)]
pub fn month_number(name: &[u8]) -> Option<u8> {
    MONTHS.find(name).map(|m| m + 1)
}

/// The weekday abbreviation `Mon` … `Sun` as 0..=6.
#[inline(always)]
pub fn weekday_number(name: &[u8]) -> Option<u8> {
    WEEKDAYS.find(name)
}

/// [`MONTH_NAMES`] for [`month_number`] (the multiplier found by search).
const MONTHS: NameTable<16> = NameTable::new(&MONTH_NAMES, 0x67e4);

/// [`WEEKDAY_NAMES`] for [`weekday_number`] (the multiplier found by search).
const WEEKDAYS: NameTable<16> = NameTable::new(&WEEKDAY_NAMES, 0x4ed);

/// A perfect hash of up to `SLOTS` (a power of two) names of one to four bytes,
/// none of them zero: a name's bytes as a number (zero-padded), times `hash`, give
/// different top bits for each name, which pick the one slot the name can be in; one
/// compare says if it is. (A `match` on the names compiled to a jump on the first
/// letter and compares, a search of the list to a compare per name.)
pub(crate) struct NameTable<const SLOTS: usize> {
    hash: u32,
    /// Each name's key and index in its slot; `(0, 0)` where no name falls (the key
    /// of no name: names are not empty and have no zero byte).
    slots: [(u32, u8); SLOTS],
    /// The length of the shortest name: a longer text that ends in a zero byte has
    /// the key of a shorter one, and is none.
    shortest: usize,
}

impl<const SLOTS: usize> NameTable<SLOTS> {
    /// The table of `names`, built at compile time, which fails if two names share
    /// a slot under `hash`.
    pub(crate) const fn new(names: &[&str], hash: u32) -> Self {
        assert!(SLOTS.is_power_of_two() && SLOTS > 1 && SLOTS <= 256);
        let mut slots = [(0u32, 0u8); SLOTS];
        let mut shortest = 4;
        let mut k = 0;
        while k < names.len() {
            let n = names[k].as_bytes();
            assert!(!n.is_empty() && n.len() <= 4, "names of one to four bytes");
            let mut bytes = [0u8; 4];
            let mut j = 0;
            while j < n.len() {
                assert!(n[j] != 0, "names without zero bytes");
                bytes[j] = n[j];
                j += 1;
            }
            if n.len() < shortest {
                shortest = n.len();
            }
            let key = u32::from_le_bytes(bytes);
            let slot = Self::slot(key, hash);
            assert!(slots[slot].0 == 0, "two names share a slot");
            slots[slot] = (key, k as u8);
            k += 1;
        }
        NameTable {
            hash,
            slots,
            shortest,
        }
    }

    #[inline(always)]
    const fn slot(key: u32, hash: u32) -> usize {
        (key.wrapping_mul(hash) >> (32 - SLOTS.trailing_zeros())) as usize
    }

    /// The index of `name` among the names, if it is one.
    #[inline(always)]
    pub(crate) fn find(&self, name: &[u8]) -> Option<u8> {
        let key = match *name {
            [a] => u32::from(a),
            [a, b] => u32::from_le_bytes([a, b, 0, 0]),
            [a, b, c] => u32::from_le_bytes([a, b, c, 0]),
            [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
            _ => return None,
        };
        // (For a table of names of one length, and a text of that length, this folds
        // away.)
        if name.len() > self.shortest && name.last() == Some(&0) {
            return None;
        }
        let (slot_key, index) = self.slots[Self::slot(key, self.hash)];
        (slot_key == key).then_some(index)
    }
}

pub const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The rest of the line as text (a message: may be empty, spaces kept as written).
#[inline(always)]
pub fn rest_text(input: &[u8]) -> Result<&str, nom::Err<Fail>> {
    if input.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(input) })
    } else {
        utf8(input, input)
    }
}

/// Test support shared by the grammars' fast-path tests.
#[cfg(test)]
pub(crate) mod testing {
    /// `check` on every text that differs from one of `bases` in one byte (every
    /// value at every position): how each word-at-a-time reading is held to the
    /// general reading it stands in for.
    pub(crate) fn each_one_byte_change(bases: &[&[u8]], mut check: impl FnMut(&[u8])) {
        for base in bases {
            for at in 0..base.len() {
                for b in 0..=255u8 {
                    let mut s = base.to_vec();
                    s[at] = b;
                    check(&s);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time reading `leading_digits` must agree with.
    fn leading_digits_bytewise(input: &[u8]) -> (usize, Option<u64>) {
        let n = input.iter().take_while(|b| b.is_ascii_digit()).count();
        let value = input[..n].iter().try_fold(0u64, |v, &b| {
            v.checked_mul(10)?.checked_add((b - b'0') as u64)
        });
        (n, value)
    }

    #[test]
    fn digit_words_agree_with_a_byte_loop() {
        let samples: [&[u8]; 12] = [
            b"",
            b"7",
            b"1509734310 1509734339 00:00:29",
            b"12345678",
            b"123456789",
            b"0000000000000000000000000042;",
            b"18446744073709551615 x",
            b"18446744073709551616 x",
            b"99999999999999999999999",
            b"12/34:56 x",
            b"123\xb0456789",
            b"9\x3a8\x2f7\x80\xff\x39\x30",
        ];
        for s in samples {
            for start in 0..=s.len() {
                for end in start..=s.len() {
                    let s = &s[start..end];
                    assert_eq!(leading_digits(s), leading_digits_bytewise(s), "{s:?}");
                }
            }
        }
        // Every byte value right after a run of each length.
        for len in 0..12 {
            for b in 0..=255u8 {
                let mut s = vec![b'5'; len];
                s.push(b);
                s.extend_from_slice(b"12345678");
                assert_eq!(leading_digits(&s), leading_digits_bytewise(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn lowercase_run_agrees_with_a_byte_loop() {
        let words: [&[u8]; 6] = [
            b"inbound 7185551234",
            b"outbound",
            b"transfer\t",
            b"abcdefghijklmnopqrstuvwxyz{`@[",
            b"local:",
            b"",
        ];
        let check = |s: &[u8]| {
            let n = s.iter().take_while(|b| b.is_ascii_lowercase()).count();
            assert_eq!(lowercase_run(s), n, "{s:?}");
        };
        for w in words {
            for start in 0..=w.len() {
                check(&w[start..]);
            }
        }
        // Every byte value at every position of a 12-byte run of letters.
        for at in 0..12 {
            for b in 0..=255u8 {
                let mut s = *b"abcdefghijkl";
                s[at] = b;
                check(&s);
            }
        }
    }

    /// Every field length up to 40 bytes (so every mix of the 16-byte, 8-byte and
    /// byte steps), with a stop of each kind and a non-ASCII byte at every place.
    #[test]
    fn blank_search_agrees_with_a_byte_loop_at_every_place() {
        let mut checked = 0;
        for len in 0..40usize {
            for stop_at in 0..=len {
                for high_at in 0..=len {
                    for stop in [b' ', b'\t', b';'] {
                        let mut s: Vec<u8> = (0..len).map(|k| b'a' + (k % 26) as u8).collect();
                        if high_at < len {
                            s[high_at] = 0xC3;
                        }
                        if stop_at < len {
                            s[stop_at] = stop;
                        }
                        let m = s
                            .iter()
                            .position(|&b| is_blank(b) || b == b';')
                            .unwrap_or(len);
                        assert_eq!(
                            blank_or_and_ascii(&s, b';'),
                            (m, s[..m].is_ascii()),
                            "{s:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 3 * (1..=40).map(|n: usize| n * n).sum::<usize>());
    }

    /// Every value a pair can take against every limit, at every byte, with the
    /// other bytes at their highest.
    #[test]
    fn pairs_over_agrees_with_compares() {
        for at in 0..8 {
            for limit in 0..=99u8 {
                let limits = limit_word(&[(at, limit)]);
                for v in 0..=99u8 {
                    let pairs = (0x6363_6363_6363_6363_u64 & !(0xFF << (8 * at)))
                        | u64::from(v) << (8 * at);
                    assert_eq!(
                        pairs_over(pairs, limits) != 0,
                        v > limit,
                        "{at} {limit} {v}"
                    );
                }
            }
        }
    }

    /// Every three ASCII bytes (and each with a high byte at each place): the hashes
    /// find exactly the month and weekday names.
    #[test]
    fn name_hashes_find_exactly_the_names() {
        let mut found = 0;
        for a in 0..=128u8 {
            for b in 0..=128u8 {
                for c in 0..=128u8 {
                    let name = [a, b, c];
                    let want = MONTH_NAMES
                        .iter()
                        .position(|m| m.as_bytes() == name)
                        .map(|m| m as u8 + 1);
                    assert_eq!(month_number(&name), want, "{name:?}");
                    let day = WEEKDAY_NAMES
                        .iter()
                        .position(|w| w.as_bytes() == name)
                        .map(|w| w as u8);
                    assert_eq!(weekday_number(&name), day, "{name:?}");
                    found += usize::from(want.is_some()) + usize::from(day.is_some());
                }
            }
        }
        assert_eq!(found, 12 + 7);
        assert_eq!(weekday_number(b"Mo"), None);
        assert_eq!(month_number(b"Ja"), None);
        assert_eq!(month_number(b"Janu"), None);
        assert_eq!(month_number(&[0xFF; 3]), None);
    }

    #[test]
    fn blank_search_agrees_with_a_byte_loop() {
        let samples: [&[u8]; 12] = [
            b"",
            b" ",
            b"200035;003;1509734279 1509734310",
            b"transfer_target: x",
            b"abcdefghijklmnopq;\tr",
            b"abc",
            b"abcdefgh ijk",
            b"abcdefghijklmnop\t",
            b"\xc3\xa9t\xc3\xa9 x",
            b"abcdefg\xff rest",
            b"abcdefgh\xffz",
            b"0123456\t\x80",
        ];
        for s in samples {
            for start in 0..s.len().max(1) {
                let s = &s[start.min(s.len())..];
                let n = s.iter().position(|&b| is_blank(b)).unwrap_or(s.len());
                assert_eq!(blank_and_ascii(s), (n, s[..n].is_ascii()), "{s:?}");
                for stop in [b';', b':'] {
                    let m = s
                        .iter()
                        .position(|&b| is_blank(b) || b == stop)
                        .unwrap_or(s.len());
                    assert_eq!(
                        blank_or_and_ascii(s, stop),
                        (m, s[..m].is_ascii()),
                        "{s:?} {stop}"
                    );
                }
            }
        }
    }
}
