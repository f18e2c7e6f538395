//! The parameters of the three list services, and their checks.

use super::WINDOW_GRACE_SECONDS;
use crate::error::Error;
use crate::service::Service;

/// The most the API returns per request (and the most `page_size` may be).
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// What to list: calls starting in `[start, end)` (UNIX seconds), optionally only to
/// one number, at most `limit` records in all, fetched `page_size` at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The window's start, UNIX seconds (inclusive); must lie within the service's
    /// retention of now.
    pub start: i64,
    /// The window's end, UNIX seconds (exclusive); must be after `start`.
    pub end: i64,
    /// Only calls to this phone number; `None` lists every number. Must not be blank
    /// or hold control characters.
    pub number: Option<String>,
    /// Caps the total number of records returned (not the page size).
    pub limit: Option<u64>,
    /// The `limit` sent per request, 1..=10000; default 1000.
    pub page_size: u32,
}

impl Query {
    /// Every call in `[start, end)` (UNIX seconds), no limit, the default page size.
    /// The parameters are checked when the query is run, not here.
    pub fn new(start: i64, end: i64) -> Self {
        Query {
            start,
            end,
            number: None,
            limit: None,
            page_size: super::options::DEFAULT_PAGE_SIZE,
        }
    }
    /// Only calls to this phone number.
    pub fn number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }
    /// At most this many records in all.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }
    /// Records asked for per request (1..=10000).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Everything the documentation says about the parameters, checked against `now`.
    pub(crate) fn validate(&self, service: Service, now: i64) -> Result<(), Error> {
        if self.end <= self.start {
            return bad(
                "end",
                format!("end ({}) must be after start ({})", self.end, self.start),
            );
        }
        let retention = service.retention_seconds();
        let oldest = now.saturating_sub(retention);
        if self.start < oldest.saturating_sub(WINDOW_GRACE_SECONDS) {
            return bad(
                "start",
                format!(
                    "start ({}) is older than calls/{} keeps data ({} days): the oldest allowed start is {} (now {})",
                    self.start,
                    service.name(),
                    retention / 86_400,
                    oldest,
                    now
                ),
            );
        }
        super::options::check_page_size(self.page_size)?;
        if let Some(limit) = self.limit {
            super::options::check_limit(limit)?;
        }
        if let Some(n) = &self.number {
            if n.trim().is_empty() {
                return bad(
                    "number",
                    "is empty (leave it unset to list every number)".into(),
                );
            }
            if n.chars().any(char::is_control) {
                return bad("number", format!("{n:?} contains a control character"));
            }
        }
        Ok(())
    }
}

fn bad(field: &str, reason: String) -> Result<(), Error> {
    Err(Error::invalid_argument(field, reason))
}

/// Percent-encode a query value: everything but unreserved characters.
pub(crate) fn encode_component(s: &str, out: &mut String) {
    for b in s.trim().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(
                char::from_digit((b >> 4) as u32, 16)
                    .unwrap()
                    .to_ascii_uppercase(),
            );
            out.push(
                char::from_digit((b & 15) as u32, 16)
                    .unwrap()
                    .to_ascii_uppercase(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn err(q: Query, s: Service) -> String {
        match q.validate(s, NOW) {
            Err(Error::InvalidArgument { field, reason }) => format!("{field}: {reason}"),
            other => panic!("expected InvalidArgument for {q:?}, got {other:?}"),
        }
    }

    #[test]
    fn window_rules() {
        assert!(err(Query::new(NOW, NOW), Service::Sessions).contains("must be after start"));
        assert!(err(Query::new(NOW, NOW - 1), Service::Sessions).contains("must be after start"));
        let year = 365 * 86_400;
        Query::new(NOW - year, NOW)
            .validate(Service::Sessions, NOW)
            .unwrap();
        Query::new(NOW - year - WINDOW_GRACE_SECONDS, NOW)
            .validate(Service::Errors, NOW)
            .unwrap();
        assert!(
            err(
                Query::new(NOW - year - WINDOW_GRACE_SECONDS - 1, NOW),
                Service::Sessions
            )
            .contains("365 days")
        );
        // calls/logs keeps only 5 days.
        Query::new(NOW - 5 * 86_400, NOW)
            .validate(Service::Logs, NOW)
            .unwrap();
        assert!(err(Query::new(NOW - 6 * 86_400, NOW), Service::Logs).contains("5 days"));
        Query::new(NOW - 6 * 86_400, NOW)
            .validate(Service::Sessions, NOW)
            .unwrap();
    }

    #[test]
    fn size_and_number_rules() {
        let q = || Query::new(NOW - 10, NOW);
        assert!(err(q().page_size(0), Service::Sessions).contains("page_size"));
        assert!(err(q().page_size(10_001), Service::Sessions).contains("page_size"));
        q().page_size(1).validate(Service::Sessions, NOW).unwrap();
        q().page_size(10_000)
            .validate(Service::Sessions, NOW)
            .unwrap();
        assert!(err(q().limit(0), Service::Errors).contains("limit"));
        q().limit(1).validate(Service::Errors, NOW).unwrap();
        q().limit(u64::MAX).validate(Service::Errors, NOW).unwrap();
        assert!(err(q().number(""), Service::Logs).contains("empty"));
        assert!(err(q().number("  "), Service::Logs).contains("empty"));
        assert!(err(q().number("617\n"), Service::Logs).contains("control"));
        q().number("6177123000")
            .validate(Service::Logs, NOW)
            .unwrap();
    }

    #[test]
    fn components_are_percent_encoded() {
        let mut s = String::new();
        encode_component("+1 617&x=y", &mut s);
        assert_eq!(s, "%2B1%20617%26x%3Dy");
    }
}
