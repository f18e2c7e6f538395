//! The synthetic account: calls generated day by day from (seed, day index,
//! calls per day) alone, so any window can be produced on demand and a year of data
//! never has to sit in memory.
//!
//! Calls are stored compactly (numbers as indices into the account's tables, texts
//! as template numbers) and only turned into `core` records — whose `Display` is
//! the one log-line grammar — when a page is encoded.

use plumlogs::session::write_call_length;
use plumlogs::{
    CallLogEntry, CallSummary, ErrorRecord, SessionDetail, SessionId, SessionRecord, Timestamp,
};
use std::borrow::Cow;
use std::fmt::Write as _;

pub(crate) const DAY: i64 = 86_400;
/// `log_id = day index × LOG_IDS_PER_DAY + call index + 1`, so an id names its day
/// without any lookup table. Also the ceiling on calls per day.
pub(crate) const LOG_IDS_PER_DAY: u64 = 1_000_000;
/// Longest ring delay (an outbound call's): a session can begin this long before
/// its `callStart`, so up to this long before its day.
pub(crate) const MAX_RING: i64 = 900;
/// Longest ring delay plus longest call: a day's calls have all ended this long
/// after the day is over.
pub(crate) const MAX_SPILL: i64 = MAX_RING + 1800;
/// Channels of a server (`000` to `047`): the allocator hands out higher numbers only
/// when all of a second's channels on every server are taken.
const CHANNELS: u32 = 48;

/// SplitMix64: tiny, fast, and fully specified here, so data never changes with a
/// dependency's version.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let mut r = Rng::new(a ^ b.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03);
    r.next_u64()
}

/// US Eastern time: minutes east of UTC at `unix` (-240 in daylight time, else -300).
pub(crate) fn eastern_offset(unix: i64) -> i16 {
    let year = Timestamp::from_unix(unix, -300).year;
    let date = |month: u8, day: u8| Timestamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        offset_minutes: Some(0),
    };
    let first_sunday = |month: u8| {
        let wd = date(month, 1).weekday(); // 0 = Monday
        1 + (6 + 7 - wd) % 7
    };
    // 2:00 local: 07:00 UTC in March (EST), 06:00 UTC in November (EDT).
    let begin = date(3, first_sunday(3) + 7).unix_seconds().unwrap_or(0) + 7 * 3600;
    let end = date(11, first_sunday(11)).unix_seconds().unwrap_or(0) + 6 * 3600;
    if (begin..end).contains(&unix) {
        -240
    } else {
        -300
    }
}

pub(crate) struct Server {
    pub id: String,
    /// Writes `-0500` all year, as the documented samples show some servers doing
    /// while daylight time is in force (wall clock right, offset wrong).
    pub stale_offset: bool,
}

/// The account every day's calls are drawn from: depends on the seed only.
pub(crate) struct Account {
    pub seed: u64,
    pub dnis: Vec<String>,
    pub logins: Vec<String>,
    pub callers: Vec<String>,
    pub servers: Vec<Server>,
    pub app_urls: Vec<String>,
}

const AREA_CODES: [u32; 10] = [212, 718, 617, 646, 781, 508, 860, 203, 917, 413];

impl Account {
    pub fn new(seed: u64) -> Account {
        let mut rng = Rng::new(mix(seed, 0xACC0));
        let number = |rng: &mut Rng, area: u32| {
            format!("{area}{}{:04}", rng.range(201, 999), rng.below(10_000))
        };
        // The two documented numbers, then two of the seed's own.
        let dnis = vec![
            "6177123000".to_string(),
            "8009957586".to_string(),
            number(&mut rng, 617),
            number(&mut rng, 888),
        ];
        let logins = vec![
            "test@login.com".to_string(),
            "dialer@acme-health.example".to_string(),
        ];
        let callers = (0..400)
            .map(|_| {
                let area = AREA_CODES[rng.below(AREA_CODES.len() as u64) as usize];
                number(&mut rng, area)
            })
            .collect();
        // Leading zeros are part of a server id; two of six have them.
        let servers = vec![
            Server {
                id: format!("{:06}", 10 + rng.below(90)),
                stale_offset: false,
            },
            Server {
                id: format!("{:06}", 300_000 + rng.below(100)),
                stale_offset: true,
            },
            Server {
                id: format!("{:06}", 10_000 + rng.below(90_000)),
                stale_offset: false,
            },
            Server {
                id: format!("{:06}", 200_000 + rng.below(100)),
                stale_offset: true,
            },
            Server {
                id: format!("{:06}", 400_000 + rng.below(100)),
                stale_offset: false,
            },
            Server {
                id: format!("{:06}", 100_000 + rng.below(100)),
                stale_offset: false,
            },
        ];
        let app_urls = vec![
            "https://ivr.acme-health.example/vxml/main.php".to_string(),
            "https://ivr.acme-health.example/vxml/after-hours.php?lang=en-US".to_string(),
            "http://apps.acme-health.example/plum/survey/start.vxml".to_string(),
            "https://ivr.acme-health.example/vxml/pharmacy.php".to_string(),
        ];
        Account {
            seed,
            dnis,
            logins,
            callers,
            servers,
            app_urls,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Inbound,
    Outbound,
    Transfer,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Inbound => "inbound",
            Kind::Outbound => "outbound",
            Kind::Transfer => "transfer",
        }
    }
}

/// A `<log>` tag or an error during a call: a template, when (seconds after the
/// call started) and a number the template's text uses.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Event {
    pub template: u8,
    pub at: u32,
    pub param: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// `callStart`, UNIX seconds.
    pub start: i64,
    /// Seconds from the session's start to `callStart`.
    pub ring: u32,
    pub duration: u32,
    pub kind: Kind,
    pub dnis: u8,
    pub ani: u16,
    pub server: u8,
    /// Unique with `server` among the sessions that begin in the same second (see
    /// [`allocate_channels`]), so that no two sessions share a session id.
    pub channel: u32,
    pub has_log: bool,
    pub n_tags: u8,
    pub tags: [Event; 3],
    pub error: Option<Event>,
    /// Index within its day (the log id's low part).
    pub seq: u32,
}

impl Call {
    pub fn end(&self) -> i64 {
        self.start + self.duration as i64
    }
    pub fn session_start(&self) -> i64 {
        self.start - self.ring as i64
    }
    pub fn tags(&self) -> &[Event] {
        &self.tags[..self.n_tags as usize]
    }
    /// Session lines this call contributes: the call line, `fetchurl`, its tags.
    pub fn session_lines(&self) -> usize {
        2 + self.n_tags as usize
    }
}

pub(crate) struct Day {
    pub index: i64,
    /// Ascending `callStart`.
    pub calls: Vec<Call>,
}

/// Relative call volume per Eastern local hour: quiet nights, busy business hours.
const HOUR_WEIGHTS: [u64; 24] = [
    1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 20, 18, 19, 20, 18, 14, 10, 7, 5, 4, 3, 2, 1,
];

impl Day {
    pub fn generate(account: &Account, index: i64, calls_per_day: u32) -> Day {
        let mut rng = Rng::new(mix(mix(account.seed, index as u64), calls_per_day as u64));
        let day_start = index * DAY;
        let offset = eastern_offset(day_start + DAY / 2) as i64 * 60;
        let total_weight: u64 = HOUR_WEIGHTS.iter().sum();
        let mut starts: Vec<i64> = (0..calls_per_day)
            .map(|_| {
                let mut w = rng.below(total_weight);
                let mut hour = 0;
                while w >= HOUR_WEIGHTS[hour] {
                    w -= HOUR_WEIGHTS[hour];
                    hour += 1;
                }
                let local = hour as i64 * 3600 + rng.below(3600) as i64;
                day_start + (local - offset).rem_euclid(DAY)
            })
            .collect();
        starts.sort_unstable();
        let calls = starts
            .into_iter()
            .enumerate()
            .map(|(seq, start)| {
                let kind = match rng.below(100) {
                    0..70 => Kind::Inbound,
                    70..90 => Kind::Outbound,
                    _ => Kind::Transfer,
                };
                let dnis = match kind {
                    Kind::Outbound => rng.below(account.logins.len() as u64) as u8,
                    // The main number takes most calls.
                    _ => match rng.below(10) {
                        0..6 => 0,
                        6..8 => 1,
                        8 => 2,
                        _ => 3,
                    },
                };
                let ring = match kind {
                    Kind::Inbound => rng.range(1, 40),
                    Kind::Transfer => rng.range(1, 20),
                    Kind::Outbound => rng.range(2, 900),
                } as u32;
                let duration = match rng.below(10) {
                    0 => rng.range(1, 14),
                    1 | 2 => rng.range(240, 1800),
                    _ => rng.range(15, 239),
                } as u32;
                let n_tags = rng.below(4) as u8;
                let mut tags = [Event::default(); 3];
                for t in tags.iter_mut().take(n_tags as usize) {
                    *t = Event {
                        template: rng.below(TAGS.len() as u64) as u8,
                        at: rng.below(duration as u64 + 1) as u32,
                        param: rng.next_u64() as u32,
                    };
                }
                tags[..n_tags as usize].sort_by_key(|t| t.at);
                let error = rng.percent(4).then(|| Event {
                    template: rng.below(ERRORS.len() as u64) as u8,
                    at: rng.below(duration as u64 + 1) as u32,
                    param: rng.next_u64() as u32,
                });
                Call {
                    start,
                    ring,
                    duration,
                    kind,
                    dnis,
                    ani: rng.below(account.callers.len() as u64) as u16,
                    server: rng.below(account.servers.len() as u64) as u8,
                    channel: rng.below(CHANNELS as u64) as u32,
                    has_log: rng.percent(95),
                    n_tags,
                    tags,
                    error,
                    seq: seq as u32,
                }
            })
            .collect::<Vec<_>>();
        let mut calls = calls;
        allocate_channels(&mut calls, day_start, account.servers.len());
        Day { index, calls }
    }
}

/// Make every session id (`server;channel;session start`) unique, as the real
/// service's are: a call keeps its drawn server and channel unless a session that
/// begins in the same second already holds them, in which case it takes the next
/// free channel of that server (then of the next server, then channels past the 48).
///
/// Sessions can begin up to [`MAX_RING`] before their call's day, in the last
/// minutes of the day before, which is generated on its own: there a day's early
/// sessions take odd channels and the day before's late sessions even ones, so the
/// two days never meet. Deterministic: it depends only on the calls, in their order.
fn allocate_channels(calls: &mut [Call], day_start: i64, servers: usize) {
    let mut taken: std::collections::HashSet<(i64, u8, u32)> =
        std::collections::HashSet::with_capacity(calls.len());
    let servers = servers.max(1) as u32;
    for c in calls.iter_mut() {
        let second = c.session_start();
        let parity = if second < day_start {
            Some(1) // in the day before: odd channels
        } else if second >= day_start + DAY - MAX_RING {
            Some(0) // where the next day's early sessions may begin: even channels
        } else {
            None
        };
        let fits = |ch: u32| parity.is_none_or(|p| ch % 2 == p);
        let drawn = (c.server as u32, c.channel);
        // The drawn server's 48 channels from the drawn one on, then the other
        // servers', then higher channels: the first free one that fits.
        let candidates = (0..servers)
            .flat_map(move |k| {
                let server = (drawn.0 + k) % servers;
                (0..CHANNELS).map(move |i| (server, (drawn.1 + i) % CHANNELS))
            })
            .chain(
                (CHANNELS..)
                    .flat_map(move |ch| (0..servers).map(move |k| ((drawn.0 + k) % servers, ch))),
            );
        for (server, ch) in candidates {
            if fits(ch) && taken.insert((second, server as u8, ch)) {
                c.server = server as u8;
                c.channel = ch;
                break;
            }
        }
    }
}

/// `<log>` tags an application of this kind writes: label and message template.
const TAGS: [(&str, &str); 7] = [
    ("menu", "main menu selection: {d4}"),
    ("caller_lookup", "account [{acct}] found: status=active"),
    (
        "transfer",
        "transferring to queue billing (estimated wait {w}s)",
    ),
    ("survey", "question {d5} answer={d10}"),
    (
        "debug",
        "vars: lang=en-US; attempts={d3}; last_event=noinput",
    ),
    ("payment", "authorization code: A{code} [approved]"),
    (
        "appointment",
        "reminder confirmed for slot #{d10} (press 1)",
    ),
];

/// Error messages: the documented ones and others of their kind.
const ERRORS: [&str; 8] = [
    "Max Disconnect Count Exceeded",
    "errno: 210 message Maximum loop count exceeded",
    "ReferenceError: d is not defined line {line}",
    "error.badfetch: https://ivr.acme-health.example/vxml/next.php returned HTTP 404 Not Found",
    "error.semantic: undefined variable 'acct_num' line {line}",
    "Max Noinput Count Exceeded",
    "error.noresource: ASR license unavailable",
    "TypeError: Cannot read property 'length' of undefined line {line}",
];

/// The template with its `{name}` placeholders filled from `param`, in one pass.
fn fill(template: &str, param: u32) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let _ = match &rest[open + 1..close] {
            "d3" => write!(out, "{}", param % 3),
            "d4" => write!(out, "{}", param % 4 + 1),
            "d5" => write!(out, "{}", param % 5 + 1),
            "d10" => write!(out, "{}", param % 10),
            "w" => write!(out, "{}", param % 300),
            "acct" => write!(out, "{:08}", param % 100_000_000),
            "code" => write!(out, "{:06}", param % 1_000_000),
            "line" => write!(out, "{}", param % 300 + 1),
            _ => {
                out.push_str(&rest[open..=close]);
                Ok(())
            }
        };
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A view of one call against its account: every text the services show.
#[derive(Clone, Copy)]
pub(crate) struct CallView<'a> {
    pub account: &'a Account,
    pub day: i64,
    pub call: &'a Call,
}

impl<'a> CallView<'a> {
    pub fn ani(&self) -> Cow<'a, str> {
        let n = &self.account.callers[self.call.ani as usize];
        // Outbound lines carry the dialled number with its country code.
        if self.call.kind == Kind::Outbound {
            Cow::Owned(format!("1{n}"))
        } else {
            Cow::Borrowed(n)
        }
    }
    pub fn dnis(&self) -> &'a str {
        match self.call.kind {
            Kind::Outbound => &self.account.logins[self.call.dnis as usize],
            _ => &self.account.dnis[self.call.dnis as usize],
        }
    }
    fn server(&self) -> &'a Server {
        &self.account.servers[self.call.server as usize]
    }
    pub fn session_id(&self) -> String {
        format!(
            "{};{:03};{}",
            self.server().id,
            self.call.channel,
            self.call.session_start()
        )
    }
    pub fn log_id(&self) -> Option<u64> {
        self.call
            .has_log
            .then(|| self.day as u64 * LOG_IDS_PER_DAY + self.call.seq as u64 + 1)
    }
    fn app_url(&self) -> &'a str {
        let urls = &self.account.app_urls;
        match self.call.kind {
            Kind::Outbound => &urls[2],
            _ => &urls[self.call.dnis as usize % urls.len()],
        }
    }
    /// The bracketed time of a session or error line written at `unix`.
    fn line_time(&self, unix: i64) -> Timestamp {
        let mut t = Timestamp::from_unix(unix, eastern_offset(unix));
        if self.server().stale_offset {
            t.offset_minutes = Some(-300);
        }
        t
    }

    /// The texts its lines share, made once per call rather than once per line.
    pub fn text(self) -> CallText<'a> {
        CallText {
            ani: self.ani(),
            sid: self.session_id(),
            view: self,
        }
    }

    /// The call's session lines (owned), in the order the service lists them.
    #[cfg(test)]
    pub fn session_records(&self) -> Vec<SessionRecord<'static>> {
        self.text()
            .session_records()
            .map(SessionRecord::into_owned)
            .collect()
    }

    pub fn error_record(&self) -> Option<ErrorRecord<'static>> {
        let e = self.call.error?;
        Some(ErrorRecord {
            ani: Cow::Owned(self.ani().into_owned()),
            channel: self.call.channel,
            timestamp: self.line_time(self.call.start + e.at as i64),
            dnis: Cow::Owned(self.dnis().to_string()),
            session_id: SessionId(Cow::Owned(self.session_id())),
            message: Cow::Owned(fill(ERRORS[e.template as usize], e.param)),
        })
    }

    pub fn summary(&self) -> Option<CallSummary<'static>> {
        Some(CallSummary {
            log_id: self.log_id()?,
            session_id: SessionId(Cow::Owned(self.session_id())),
            dest: Cow::Owned(self.dnis().to_string()),
            call_type: Cow::Borrowed(self.call.kind.name()),
            src: Cow::Owned(self.ani().into_owned()),
            start: self.call.start,
            end: self.call.end(),
        })
    }

    /// The call's detailed log: entries matching its session id, times and events.
    pub fn call_log_entries(&self) -> Vec<CallLogEntry<'static>> {
        let c = self.call;
        let sid = self.session_id();
        let s0 = c.session_start();
        let mut entries: Vec<(i64, &'static str, &'static str, String)> = Vec::with_capacity(16);
        let ani = self.ani();
        let dnis = self.dnis().to_string();
        let url = self.app_url().to_string();
        let mut p = c.seq.wrapping_mul(2_654_435_761) ^ c.start as u32;
        let mut next = || {
            p ^= p << 13;
            p ^= p >> 17;
            p ^= p << 5;
            p
        };
        match c.kind {
            Kind::Inbound => entries.push((
                s0,
                "tel",
                "EVENT",
                format!(
                    "incoming call on channel {} from {ani} to {dnis}",
                    c.channel
                ),
            )),
            Kind::Transfer => entries.push((
                s0,
                "tel",
                "EVENT",
                format!(
                    "transferred call on channel {} from {ani} to {dnis}",
                    c.channel
                ),
            )),
            Kind::Outbound => {
                entries.push((
                    s0,
                    "tel",
                    "EVENT",
                    format!("outbound call requested by {dnis} to {ani}"),
                ));
                entries.push((
                    s0,
                    "tel",
                    "DEBUG",
                    format!("dialing {ani} on channel {}", c.channel),
                ));
            }
        }
        entries.push((c.start, "tel", "EVENT", "call connected".to_string()));
        entries.push((c.start, "vxi", "EVENT", format!("fetching start URL {url}")));
        entries.push((
            c.start,
            "inet",
            "DEBUG",
            format!("GET {url} 200 OK ({} ms)", next() % 400 + 20),
        ));
        if next() % 5 == 0 {
            // A multi-line message: continuation lines do not start like an entry.
            entries.push((
                c.start,
                "vxi",
                "DEBUG",
                "document parsed:\n  <form id=\"main\">\n    <field name=\"choice\"/>\n  </form>"
                    .to_string(),
            ));
        }
        entries.push((
            c.start,
            "prompt",
            "EVENT",
            "playing prompt welcome.wav".to_string(),
        ));
        if c.duration > 10 {
            let words = ["billing", "pharmacy", "appointments", "operator"];
            entries.push((
                c.start + (c.duration / 3) as i64,
                "rec",
                "EVENT",
                format!(
                    "recognition result \"{}\" confidence 0.{:02}",
                    words[(next() % 4) as usize],
                    next() % 50 + 50
                ),
            ));
        }
        for t in c.tags() {
            let (label, template) = TAGS[t.template as usize];
            entries.push((
                c.start + t.at as i64,
                "jsi",
                "LOCAL",
                format!("{label}: {}", fill(template, t.param)),
            ));
        }
        if let Some(e) = c.error {
            entries.push((
                c.start + e.at as i64,
                "vxi",
                "ERROR",
                fill(ERRORS[e.template as usize], e.param),
            ));
        }
        let mut length = String::new();
        let _ = write_call_length(&mut length, c.duration as u64);
        entries.push((
            c.end(),
            "tel",
            "EVENT",
            "call ended: caller hangup".to_string(),
        ));
        entries.push((
            c.end(),
            "tel",
            "USAGE",
            format!("call length {length} ({} seconds)", c.duration),
        ));
        entries.sort_by_key(|e| e.0); // stable: same-second entries keep their order
        entries
            .into_iter()
            .map(|(t, module, level, message)| {
                let offset = eastern_offset(t);
                CallLogEntry {
                    timestamp: Timestamp::from_unix(t, offset),
                    zone: Cow::Borrowed(if offset == -240 { "EDT" } else { "EST" }),
                    module: Cow::Borrowed(module),
                    session_id: SessionId(Cow::Owned(sid.clone())),
                    level: Cow::Borrowed(level),
                    message: Cow::Owned(message),
                }
            })
            .collect()
    }

    pub fn call_log_text(&self) -> String {
        let mut text = String::with_capacity(2048);
        for e in self.call_log_entries() {
            let _ = writeln!(text, "{e}");
        }
        text
    }
}

/// A call with the texts all its session lines repeat.
pub(crate) struct CallText<'a> {
    view: CallView<'a>,
    ani: Cow<'a, str>,
    sid: String,
}

impl CallText<'_> {
    fn line<'s>(
        &'s self,
        t: i64,
        kind: &'static str,
        detail: SessionDetail<'s>,
    ) -> SessionRecord<'s> {
        let v = self.view;
        SessionRecord {
            kind: Cow::Borrowed(kind),
            ani: Cow::Borrowed(&*self.ani),
            channel: v.call.channel,
            timestamp: v.line_time(t),
            dnis: Cow::Borrowed(v.dnis()),
            session_id: SessionId(Cow::Borrowed(&self.sid)),
            detail,
        }
    }

    /// The call line, its `fetchurl` line, then its `<log>`-tag lines; text fields
    /// borrow from `self` and the account, only tag messages are built.
    pub fn session_records(&self) -> impl Iterator<Item = SessionRecord<'_>> + '_ {
        let v = self.view;
        let c = v.call;
        let call = self.line(
            c.start,
            c.kind.name(),
            SessionDetail::Call {
                start: c.start,
                end: c.end(),
                duration: c.duration as u64,
            },
        );
        let url = self.line(
            c.start,
            "local",
            SessionDetail::Tag {
                label: Cow::Borrowed("fetchurl"),
                message: Cow::Borrowed(v.app_url()),
            },
        );
        let tags = c.tags().iter().map(move |t| {
            let (label, template) = TAGS[t.template as usize];
            self.line(
                c.start + t.at as i64,
                "local",
                SessionDetail::Tag {
                    label: Cow::Borrowed(label),
                    message: Cow::Owned(fill(template, t.param)),
                },
            )
        });
        [call, url].into_iter().chain(tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eastern_dst_boundaries() {
        // 2026-03-08 07:00 UTC is 2:00 EST: daylight time begins.
        assert_eq!(eastern_offset(1_772_953_200 - 1), -300);
        assert_eq!(eastern_offset(1_772_953_200), -240);
        // 2026-11-01 06:00 UTC is 2:00 EDT: daylight time ends.
        assert_eq!(eastern_offset(1_793_512_800 - 1), -240);
        assert_eq!(eastern_offset(1_793_512_800), -300);
    }

    #[test]
    fn days_are_deterministic_and_sized() {
        let a = Account::new(7);
        let d1 = Day::generate(&a, 20_000, 500);
        let d2 = Day::generate(&a, 20_000, 500);
        assert_eq!(d1.calls.len(), 500);
        let starts: Vec<i64> = d1.calls.iter().map(|c| c.start).collect();
        assert_eq!(starts, d2.calls.iter().map(|c| c.start).collect::<Vec<_>>());
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            starts
                .iter()
                .all(|s| (20_000 * DAY..20_001 * DAY).contains(s))
        );
        let other = Day::generate(&a, 20_001, 500);
        assert_ne!(
            starts,
            other.calls.iter().map(|c| c.start).collect::<Vec<_>>()
        );
    }

    fn session_ids(a: &Account, days: std::ops::Range<i64>, per_day: u32) -> Vec<String> {
        days.flat_map(|d| {
            let day = Day::generate(a, d, per_day);
            day.calls
                .iter()
                .map(|call| {
                    CallView {
                        account: a,
                        day: d,
                        call,
                    }
                    .session_id()
                })
                .collect::<Vec<_>>()
        })
        .collect()
    }

    #[test]
    fn session_ids_never_repeat_within_or_across_days() {
        for seed in [7, 1, 2, 3] {
            let a = Account::new(seed);
            // Eight days: a week and the edges between its days.
            let ids = session_ids(&a, 20_600..20_608, 2000);
            let unique: std::collections::HashSet<_> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "seed {seed}");
        }
    }

    #[test]
    fn a_full_second_moves_to_other_servers_then_past_channel_047() {
        let a = Account::new(7);
        let day = Day::generate(&a, 20_600, 2000);
        // 400 sessions in one second of mid-day: 6 servers × 48 channels, then more.
        let mut one = day.calls[1000].clone();
        one.start = 20_600 * DAY + DAY / 2;
        let mut calls = vec![one; 400];
        allocate_channels(&mut calls, 20_600 * DAY, a.servers.len());
        let slots: std::collections::HashSet<_> =
            calls.iter().map(|c| (c.server, c.channel)).collect();
        assert_eq!(slots.len(), 400);
        assert!(calls[..288].iter().all(|c| c.channel < CHANNELS));
        assert!(calls[288..].iter().all(|c| c.channel >= CHANNELS));
        let servers: std::collections::HashSet<_> = calls.iter().map(|c| c.server).collect();
        assert_eq!(servers.len(), 6);
    }

    #[test]
    fn channel_allocation_is_deterministic_and_moves_few_calls() {
        let a = Account::new(7);
        let d1 = Day::generate(&a, 20_600, 2000);
        let d2 = Day::generate(&a, 20_600, 2000);
        let key = |d: &Day| {
            d.calls
                .iter()
                .map(|c| (c.server, c.channel))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&d1), key(&d2));
        assert!(d1.calls.iter().all(|c| c.channel < CHANNELS));
        // Odd channels for sessions that begin the day before, even ones where the
        // next day's may begin.
        for c in &d1.calls {
            let s = c.session_start();
            if s < d1.index * DAY {
                assert_eq!(c.channel % 2, 1);
            } else if s >= (d1.index + 1) * DAY - MAX_RING {
                assert_eq!(c.channel % 2, 0);
            }
        }
    }

    #[test]
    fn generated_lines_parse_back_equal() {
        let a = Account::new(3);
        let day = Day::generate(&a, 20_500, 300);
        for call in &day.calls {
            let v = CallView {
                account: &a,
                day: day.index,
                call,
            };
            for rec in v.session_records() {
                let line = rec.to_string();
                assert_eq!(plumlogs::parse_session_line(&line).unwrap(), rec, "{line}");
            }
            if let Some(e) = v.error_record() {
                let line = e.to_string();
                assert_eq!(plumlogs::parse_error_line(&line).unwrap(), e, "{line}");
            }
            let text = v.call_log_text();
            assert_eq!(
                plumlogs::parse_call_log(&text).unwrap(),
                v.call_log_entries(),
                "{text}"
            );
        }
    }
}
