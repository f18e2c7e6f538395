//! Session ids: `serverid;channel;starttime`, kept as written.

use super::error::ErrorKind;
use super::scan::{Fail, PResult};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// A raw session id such as `000020;000;1483968637`. The text is kept exactly as
/// written (leading zeros are part of the id); [`SessionId::parts`] splits it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SessionId<'a>(pub Cow<'a, str>);

/// The three parts of a session id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SessionIdParts<'a> {
    /// The server id, as written (`000020`).
    pub server: &'a str,
    /// The channel the call used.
    pub channel: u32,
    /// The session's start, UNIX seconds.
    pub start: i64,
}

impl<'a> SessionId<'a> {
    /// Validate and wrap a raw id.
    pub fn parse(raw: &'a str) -> Result<SessionId<'a>, ErrorKind> {
        split(raw.as_bytes()).ok_or(ErrorKind::BadSessionId)?;
        Ok(SessionId(Cow::Borrowed(raw)))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Split into server, channel and start. Ids from this crate's parsers were
    /// validated when read, so this only fails for ids built by hand.
    pub fn parts(&self) -> Result<SessionIdParts<'_>, ErrorKind> {
        let (server, channel, start) = split(self.0.as_bytes()).ok_or(ErrorKind::BadSessionId)?;
        Ok(SessionIdParts {
            // The server part is a prefix ending at an ASCII ';', so it is valid UTF-8.
            server: &self.0[..server.len()],
            channel,
            start,
        })
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> SessionId<'static> {
        SessionId(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Display for SessionId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A session id at the start of `input`, ending at a blank or the end: its length
/// and parts, or `None` if malformed. One pass; the one rule for every caller.
/// Also whether the server part (and so the whole id: the rest is digits and `;`)
/// is ASCII, found in the same pass.
#[inline(always)]
fn scan_id(input: &[u8]) -> Option<(usize, &[u8], u32, i64, bool)> {
    let (server_len, ascii) = super::scan::blank_or_and_ascii(input, b';');
    if server_len == 0 || input.get(server_len) != Some(&b';') {
        return None;
    }
    let after_server = &input[server_len + 1..];
    let (channel_len, channel) = super::scan::leading_digits(after_server);
    if channel_len == 0 || after_server.get(channel_len) != Some(&b';') {
        return None;
    }
    let channel = u32::try_from(channel?).ok()?;
    let after_channel = &after_server[channel_len + 1..];
    let (start_len, start) = super::scan::leading_digits(after_channel);
    if start_len == 0
        || after_channel
            .get(start_len)
            .is_some_and(|&b| !super::scan::is_blank(b))
    {
        return None;
    }
    let start = i64::try_from(start?).ok()?;
    Some((
        server_len + 1 + channel_len + 1 + start_len,
        &input[..server_len],
        channel,
        start,
        ascii,
    ))
}

/// `raw` as a session id when it is one and is ASCII (as every id the service
/// writes is): one scan, no separate UTF-8 check. `None` otherwise, for the caller
/// to take the general path (and its errors).
#[inline(always)]
pub(crate) fn ascii_session_id(raw: &[u8]) -> Option<SessionId<'_>> {
    match scan_id(raw)? {
        (len, _, _, _, true) if len == raw.len() => {
            let text = super::scan::scanned_text(raw, true, raw).ok()?;
            Some(SessionId(Cow::Borrowed(text)))
        }
        _ => None,
    }
}

/// `server;channel;start` as a whole → its parts, or `None` if malformed.
fn split(raw: &[u8]) -> Option<(&[u8], u32, i64)> {
    match scan_id(raw)? {
        (len, server, channel, start, _) if len == raw.len() => Some((server, channel, start)),
        _ => None,
    }
}

/// A session-id field of a line (a non-blank token, validated).
#[inline(always)]
pub(crate) fn session_id_field(input: &[u8]) -> PResult<'_, SessionId<'_>> {
    if service_form(input) {
        let (raw, rest) = input.split_at(SERVICE_FORM_LEN);
        let text = super::scan::scanned_text(raw, true, input)?;
        return Ok((rest, SessionId(Cow::Borrowed(text))));
    }
    session_id_field_general(input)
}

/// How long an id in [`service_form`] is.
const SERVICE_FORM_LEN: usize = 21;

/// Whether `input` starts with an id in the form the service writes and a blank
/// (see [`service_form_then`]); anything else takes [`session_id_field_general`].
#[inline(always)]
fn service_form(input: &[u8]) -> bool {
    service_form_then(input, super::scan::is_blank)
}

/// The id at the start of `input` when it is in the form the service writes and
/// the byte after it is `close` (a call log's `(sessionID)`).
#[inline(always)]
pub(crate) fn service_form_before(input: &[u8], close: u8) -> Option<SessionId<'_>> {
    if !service_form_then(input, |b| b == close) {
        return None;
    }
    let text = super::scan::scanned_text(&input[..SERVICE_FORM_LEN], true, input).ok()?;
    Some(SessionId(Cow::Borrowed(text)))
}

/// Whether `input` starts with an id in the form the service writes,
/// `SSSSSS;CCC;TTTTTTTTTT` (a six-digit server, a three-digit channel, a ten-digit
/// start), and a byte that `ends` accepts: checked as three 8-byte words at fixed
/// places (`SSSSSS;C`, `CC;TTTTT`, `TTTTTTTT`) with no scan for where a part ends.
/// Such an id is ASCII and its channel and start fit, so nothing more need be read.
#[inline(always)]
fn service_form_then(input: &[u8], ends: impl Fn(u8) -> bool) -> bool {
    use super::scan::{byte_mask, text_word, word_shape};
    let Some(b) = input.get(..SERVICE_FORM_LEN + 1) else {
        return false;
    };
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let (_, bad_a) = word_shape(
        word(0),
        byte_mask(&[0, 1, 2, 3, 4, 5, 7]),
        byte_mask(&[6]),
        text_word(b"000000;0"),
    );
    let (_, bad_b) = word_shape(
        word(8),
        byte_mask(&[0, 1, 3, 4, 5, 6, 7]),
        byte_mask(&[2]),
        text_word(b"00;00000"),
    );
    let (_, bad_c) = word_shape(word(13), u64::MAX, 0, 0);
    bad_a | bad_b | bad_c == 0 && ends(b[SERVICE_FORM_LEN])
}

/// [`session_id_field`] in any form: the server part to its `;`, then the numbers.
#[inline]
fn session_id_field_general(input: &[u8]) -> PResult<'_, SessionId<'_>> {
    if input.is_empty() {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let (len, _, _, _, ascii) =
        scan_id(input).ok_or_else(|| Fail::at(ErrorKind::BadSessionId, input))?;
    let raw = &input[..len];
    // Past the server part there are only digits and `;`: an ASCII server part
    // makes the whole id ASCII, anything else gets the full UTF-8 check.
    let text = super::scan::scanned_text(raw, ascii, input)?;
    Ok((&input[len..], SessionId(Cow::Borrowed(text))))
}

#[cfg(test)]
mod tests {
    use super::super::scan::testing::each_one_byte_change;
    use super::*;

    #[test]
    fn parts_keep_leading_zeros() {
        let id = SessionId::parse("000020;000;1483968637").unwrap();
        let p = id.parts().unwrap();
        assert_eq!(p.server, "000020");
        assert_eq!(p.channel, 0);
        assert_eq!(p.start, 1_483_968_637);
        assert_eq!(id.as_str(), "000020;000;1483968637");
    }

    /// The fixed-place check of an id in the service's form gives what the general
    /// reading gives, for every byte value at every position of ids of that form
    /// (and of ids a byte shorter or longer), followed by a blank.
    #[test]
    fn service_form_agrees_with_the_general_reading() {
        let mut fast = 0;
        let bases: [&[u8]; 5] = [
            b"200035;003;1509734279 1",
            b"999999;999;9999999999\t",
            b"20003;003;1509734279 1",
            b"2000355;003;1509734279 1",
            b"200035;003;15097342790 1",
        ];
        each_one_byte_change(&bases, |s| {
            let lossy = String::from_utf8_lossy(s);
            assert_eq!(
                session_id_field(s),
                session_id_field_general(s),
                "{lossy:?}"
            );
            fast += usize::from(service_form(s));
        });
        // Each of the two service-form ids' 19 digits takes ten values (one its own),
        // each `;` and the blank one; a space or tab at the end.
        assert!(fast > 2 * 19 * 9, "only {fast} ids read at fixed places");
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            ";1;2",
            "1;2",
            "1;x;2",
            "1;2;",
            "1;2;3;4",
            "a;99999999999;1",
            "a;1;2 ",
            "a b;1;2",
            "a;1;99999999999999999999",
        ] {
            assert_eq!(SessionId::parse(bad), Err(ErrorKind::BadSessionId), "{bad}");
        }
    }
}
