//! One `GET` with retries, and the mapping of every way it can fail onto [`Error`].

use super::{Client, MAX_RETRY_AFTER};
use crate::decode::{self, DecodeError};
use crate::error::Error;
use crate::service::Service;
use base64::Engine as _;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The most a response body may hold. A page of 10,000 session lines is about 2 MB;
/// this leaves room for long call logs while stopping a runaway body.
const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// How often a backoff of a clone with a stop flag looks at the flag: how late, at
/// most, a parallel listing that has ended sees its workers' retries give up.
const STOP_POLL: Duration = Duration::from_millis(20);

/// The connection pool and its settings, shared by every clone of a [`Client`].
pub(super) fn agent(
    timeout: Duration,
    user_agent: &str,
    net: super::network::Network,
) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Non-2xx answers are read and mapped here: their body carries the server's message.
        .http_status_as_error(false)
        // Redirects are never followed: ureq would not resend our Authorization to the
        // new place anyway (its default), and a silent hop to another host is not
        // something a log client should do. A 3xx becomes an `Api` error naming it.
        .max_redirects(0)
        // One attempt, connect to last body byte, within `timeout`.
        .timeout_global(Some(timeout))
        .user_agent(user_agent)
        // call_logs_with_text keeps up to MAX_CONCURRENCY requests in flight; a pool
        // smaller than that would close and reopen connections (and TLS sessions).
        .max_idle_connections(super::call_logs::MAX_CONCURRENCY)
        .max_idle_connections_per_host(super::call_logs::MAX_CONCURRENCY)
        // Certificate checks stay on (webpki roots or a CA bundle, always verified).
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(net.roots)
                .build(),
        )
        .proxy(net.proxy)
        .build()
        .new_agent()
}

pub(super) fn basic_auth(username: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {token}")
}

/// `scheme://host[:port][/prefix]` without a trailing slash. HTTPS unless the host
/// is loopback or `allow_insecure_http`. Never echoes a URL that holds user info.
pub(super) fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let bad = |why: &str| {
        let shown = if url.contains('@') {
            "<a URL with user info>".to_owned()
        } else {
            format!("{url:?}")
        };
        Err(Error::invalid_argument(
            "base_url",
            format!("{shown}: {why}"),
        ))
    };
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return bad("is empty (leave it out for PLUM_BASE_URL or the default)");
    }
    let uri: ureq::http::Uri = match trimmed.parse() {
        Ok(u) => u,
        Err(_) => return bad("not a valid URL"),
    };
    let Some(scheme) = uri.scheme_str() else {
        return bad("must start with https:// (or http:// for loopback)");
    };
    let Some(authority) = uri.authority() else {
        return bad("has no host");
    };
    if authority.as_str().contains('@') {
        return bad("must not carry credentials; use username/password");
    }
    if uri.query().is_some() || trimmed.contains('#') {
        return bad("must not have a query or fragment");
    }
    let host = authority.host();
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return bad(
                "plain http:// sends the password in clear; use https://, a loopback host, or allow_insecure_http(true)",
            );
        }
        _ => return bad("the scheme must be https:// or http://"),
    }
    Ok(trimmed.to_owned())
}

pub(super) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// What one attempt came to.
enum Attempt<R> {
    Done(Result<R, Error>),
    /// Worth another try; the error stands if the retries run out.
    Retry {
        error: Error,
        retry_after: Option<Duration>,
    },
}

impl Client {
    /// `GET base_url + path_and_query`, retried per the policy; `decode` turns a 2xx
    /// body into the result. From `decode`, a syntax error or a body that is not
    /// Plum's is retried like a dropped connection (ending as `Error::Transport`),
    /// and so is `Error::Incomplete` (a page contradicting its listing's count,
    /// ending as itself); a shape error, a failure envelope or a bad line is final.
    pub(super) fn get<R>(
        &self,
        service: Service,
        path_and_query: &str,
        mut decode: impl FnMut(&[u8]) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.get_body(service, path_and_query, |body| decode(body))
    }

    /// [`get`](Self::get) for a `decode` that may reuse the body's buffer: it must
    /// leave the body as it was when it answers a decode error (the error paths
    /// quote it), and may take or rewrite it otherwise.
    pub(super) fn get_body<R>(
        &self,
        service: Service,
        path_and_query: &str,
        mut decode: impl FnMut(&mut Vec<u8>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let inner = &self.inner;
        let url = format!("{}{}", inner.base_url, path_and_query);
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            if self.stopped() {
                // A worker's next request after its listing ended: nobody reads it.
                return Err(Error::Transport {
                    message: "not sent: the listing it was for has ended".into(),
                });
            }
            let left = inner.deadline.map(|d| d.saturating_sub(started.elapsed()));
            super::observe::begin_attempt();
            let sent = Instant::now();
            let outcome = self.attempt(service, &url, &mut decode, left);
            let meta = super::observe::end_attempt(
                &inner.hooks,
                path_and_query,
                attempt + 1,
                sent.elapsed(),
            );
            match outcome {
                Attempt::Done(r) => return r,
                Attempt::Retry { error, retry_after } => {
                    let wait = self.delay(attempt, retry_after);
                    let deadline = inner.deadline.filter(|&d| started.elapsed() + wait >= d);
                    if attempt >= inner.max_retries || deadline.is_some() || self.stopped() {
                        return Err(match error {
                            Error::Transport { message } => {
                                let at = deadline
                                    .map(|d| format!(", at the {d:?} deadline"))
                                    .unwrap_or_default();
                                Error::Transport {
                                    message: format!(
                                        "{message} (gave up after {} attempt{}{at})",
                                        attempt + 1,
                                        if attempt == 0 { "" } else { "s" }
                                    ),
                                }
                            }
                            Error::Incomplete {
                                reported,
                                received,
                                message,
                            } => Error::Incomplete {
                                reported,
                                received,
                                message: format!("{message} (asked {} times)", attempt + 1),
                            },
                            other => other,
                        });
                    }
                    super::observe::retrying(&inner.hooks, meta, &error, wait);
                    if !self.pause(wait) {
                        return Err(error);
                    }
                    attempt += 1;
                }
            }
        }
    }

    /// Sleeps `wait`, in steps of at most [`STOP_POLL`] while this clone has a stop
    /// flag; `false` if the flag was set meanwhile (the retry is not wanted).
    fn pause(&self, wait: Duration) -> bool {
        if self.stop.is_none() {
            std::thread::sleep(wait);
            return true;
        }
        let until = Instant::now() + wait;
        loop {
            if self.stopped() {
                return false;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(STOP_POLL));
        }
    }

    /// Exponential backoff with jitter (half to all of the step), at least `Retry-After`.
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let inner = &self.inner;
        let step = inner
            .backoff_base
            .checked_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(inner.backoff_cap)
            .min(inner.backoff_cap);
        let half = step / 2;
        let jitter = Duration::from_nanos(fastrand::u64(
            0..=half.as_nanos().min(u64::MAX as u128) as u64,
        ));
        let backoff = half + jitter;
        match retry_after {
            Some(ra) => backoff.max(ra.min(MAX_RETRY_AFTER)),
            None => backoff,
        }
    }

    /// One request; `left` is what remains of the deadline, if there is one.
    fn attempt<R>(
        &self,
        service: Service,
        url: &str,
        decode: &mut impl FnMut(&mut Vec<u8>) -> Result<R, Error>,
        left: Option<Duration>,
    ) -> Attempt<R> {
        let inner = &self.inner;
        let request = match left {
            Some(left) if left < inner.timeout => inner
                .agent
                .get(url)
                .config()
                .timeout_global(Some(left))
                .build(),
            _ => inner.agent.get(url),
        };
        let sent = request
            .header("Authorization", &inner.authorization)
            .header("Accept", inner.wire.media_type())
            // The documentation lists it for these GETs; harmless without a body.
            .header("Content-Type", "application/x-www-form-urlencoded")
            .call();
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return transport_failure(e, &format!("request to {}", authority(url))),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, std::time::SystemTime::now()));
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let kept = super::observe::kept_headers(response.headers());
        super::observe::note_answer(status, kept.clone(), 0);
        // Sized from `Content-Length` (within the limit), so that a big body is not
        // read into a buffer grown by doubling: up to twice its size at the peak.
        let mut body = Vec::with_capacity(
            response
                .body()
                .content_length()
                .unwrap_or(0)
                .min(BODY_LIMIT) as usize,
        );
        let read = std::io::Read::read_to_end(
            &mut response.body_mut().with_config().limit(BODY_LIMIT).reader(),
            &mut body,
        );
        if let Err(e) = read {
            return transport_failure(ureq::Error::from(e), "response body");
        }
        if body.capacity() - body.len() > 64 * 1024 {
            // No (or a wrong) length: what doubling left spare is given back.
            body.shrink_to_fit();
        }
        super::observe::note_answer(status, kept, body.len() as u64);
        let status_text = match response.status().canonical_reason() {
            Some(reason) => format!("HTTP {status} {reason}"),
            None => format!("HTTP {status}"),
        };
        if (200..300).contains(&status) {
            return match decode(&mut body) {
                // A failure envelope without a message is still the server's answer.
                Err(Error::Decode(DecodeError::NoMessage { excerpt })) => {
                    Attempt::Done(Err(api_error(
                        format!(
                            "the server answered failure without a message; body starts {excerpt:?}"
                        ),
                        status,
                    )))
                }
                // Not Plum's at all (a proxy, a captive portal): the network's problem.
                Err(Error::Decode(DecodeError::Foreign { .. })) => Attempt::Retry {
                    error: Error::Transport {
                        message: foreign_message(&status_text, &body),
                    },
                    retry_after: None,
                },
                // The same request would get the same well-formed body: not retried.
                Err(e @ Error::Decode(DecodeError::Shape { .. })) => Attempt::Done(Err(e)),
                // Cut short or malformed: a broken body, retried.
                Err(Error::Decode(d)) => Attempt::Retry {
                    error: Error::Transport {
                        message: format!("broken {} body: {d}", service.name()),
                    },
                    retry_after: None,
                },
                // A page that contradicts the listing's count: asked again, and the
                // error stands if every attempt says the same.
                Err(e @ Error::Incomplete { .. }) => Attempt::Retry {
                    error: e,
                    retry_after: None,
                },
                Err(Error::Api { message, .. }) => Attempt::Done(Err(api_error(message, status))),
                other => Attempt::Done(other),
            };
        }
        let retriable = matches!(status, 429 | 500 | 502 | 503 | 504);
        let message = match failure_message(&body, service) {
            Failure::Message(m) => m,
            _ if (300..400).contains(&status) => format!(
                "HTTP {status}: redirect to {} not followed (credentials go only to the configured base URL)",
                location.as_deref().unwrap_or("an unnamed location")
            ),
            // A proxy's or portal's page: not the Plum service saying no (401/403
            // still mean credentials, whoever says it).
            Failure::Foreign if !matches!(status, 401 | 403) => {
                let error = Error::Transport {
                    message: foreign_message(&status_text, &body),
                };
                return if retriable {
                    Attempt::Retry { error, retry_after }
                } else {
                    Attempt::Done(Err(error))
                };
            }
            _ => format!("HTTP {status}; body starts {:?}", excerpt(&body)),
        };
        let error = api_error(message, status);
        if retriable {
            Attempt::Retry { error, retry_after }
        } else {
            Attempt::Done(Err(error))
        }
    }
}

/// The message of a body that is not Plum's: the status and the body's start,
/// bounded and escaped.
fn foreign_message(status_text: &str, body: &[u8]) -> String {
    let size = if body.len() > 120 {
        format!(" ({} bytes)", body.len())
    } else {
        String::new()
    };
    format!(
        "{status_text} with a body that is not a Plum answer (a proxy or portal page?); it starts {:?}{size}",
        excerpt(body)
    )
}

/// 401/403, or a failure whose text says so (the documented failure sample is
/// "Unauthorized access to sample service", status unknown), is an auth error.
fn api_error(message: String, http_status: u16) -> Error {
    let lower = message.to_ascii_lowercase();
    if matches!(http_status, 401 | 403)
        || lower.contains("unauthorized")
        || lower.contains("unauthorised")
    {
        Error::Auth {
            message,
            http_status: Some(http_status),
        }
    } else {
        Error::Api {
            message,
            http_status: Some(http_status),
        }
    }
}

/// What a non-2xx body says.
enum Failure {
    /// The server's own text.
    Message(String),
    /// Not Plum's: HTML, an empty body, neither JSON nor XML, or no envelope.
    Foreign,
    /// A Plum-looking body without a usable message.
    Other,
}

/// The server's own text in a failure body of any service, if it has one.
fn failure_message(body: &[u8], service: Service) -> Failure {
    let err = match service {
        Service::Sessions | Service::Errors => decode::decode_lines(body, service).err(),
        Service::Logs => decode::decode_logs(body).err(),
        Service::Log => decode::decode_log(body).err(),
    };
    match err {
        Some(DecodeError::Api { message }) if !message.trim().is_empty() => {
            Failure::Message(message)
        }
        Some(DecodeError::Foreign { .. } | DecodeError::Syntax { wire: None, .. }) => {
            Failure::Foreign
        }
        _ => Failure::Other,
    }
}

/// The start of a body, for a message: at most 120 characters, lossily decoded.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(480)]);
    text.chars().take(120).collect()
}

fn transport_failure<R>(e: ureq::Error, stage: &str) -> Attempt<R> {
    let message = format!("{stage} failed: {}", describe(&e));
    let retriable = matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
            | ureq::Error::BodyStalled
    );
    if retriable {
        Attempt::Retry {
            error: Error::Transport { message },
            retry_after: None,
        }
    } else {
        // TLS failures (a bad certificate), an oversized body, a bad URL: trying
        // again would only repeat them.
        Attempt::Done(Err(Error::Transport { message }))
    }
}

/// The `host[:port]` of a URL, for messages: which server a request failed to reach
/// (a base URL from a profile, `PLUM_BASE_URL` or a flag), never its path, query or
/// any user info.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    auth.rsplit_once('@').map_or(auth, |(_, host)| host)
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("timed out ({e})"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            format!("connection closed early ({e})")
        }
        _ => e.to_string(),
    }
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (a date already past is no
/// wait at all). `None` when it is neither.
fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_request_names_its_server_and_nothing_else_of_the_url() {
        for (url, want) in [
            (
                "https://hosting.plumvoice.com/ws/calls/log/5",
                "hosting.plumvoice.com",
            ),
            (
                "http://127.0.0.1:9/prefix/ws/calls/errors/1/2?x=1",
                "127.0.0.1:9",
            ),
            ("http://[::1]:99", "[::1]:99"),
            ("https://user:secret@example.com:8443/p", "example.com:8443"),
            ("https://example.com?q", "example.com"),
        ] {
            assert_eq!(authority(url), want, "{url}");
        }
    }

    #[test]
    fn https_is_required_except_for_loopback() {
        for ok in [
            "https://hosting.plumvoice.com",
            "https://hosting.plumvoice.com/",
            "https://example.com:8443/prefix/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:1234",
            "http://LOCALHOST",
            "http://[::1]:99",
        ] {
            check_base_url(ok, false).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(
            check_base_url("https://a.example/p/", false).unwrap(),
            "https://a.example/p"
        );
        for bad in [
            "http://hosting.plumvoice.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "ftp://127.0.0.1",
            "hosting.plumvoice.com",
            "https://",
            "https://a.example/?x=1",
            "",
        ] {
            assert!(
                matches!(
                    check_base_url(bad, false),
                    Err(Error::InvalidArgument { .. })
                ),
                "{bad}"
            );
        }
        check_base_url("http://hosting.plumvoice.com", true).unwrap();
        // An empty one given on purpose is refused, not read as "none given".
        let e = check_base_url(" ", false).unwrap_err().to_string();
        assert!(e.contains("base_url") && e.contains("is empty"), "{e}");
    }

    #[test]
    fn base_url_with_credentials_is_refused_without_echoing_them() {
        let e = check_base_url("https://me:hunter2@example.com", false).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(!format!("{e:?}").contains("hunter2"));
    }

    #[test]
    fn auth_mapping() {
        assert!(matches!(
            api_error("x".into(), 401),
            Error::Auth {
                http_status: Some(401),
                ..
            }
        ));
        assert!(matches!(
            api_error("x".into(), 403),
            Error::Auth {
                http_status: Some(403),
                ..
            }
        ));
        assert!(matches!(
            api_error("Unauthorized access to sample service".into(), 200),
            Error::Auth {
                http_status: Some(200),
                ..
            }
        ));
        assert!(matches!(
            api_error("bad start".into(), 400),
            Error::Api {
                http_status: Some(400),
                ..
            }
        ));
    }

    #[test]
    fn certificates_are_checked_and_redirects_not_followed() {
        let net = super::super::network::resolve(None, None, None, &|_: &str| None).unwrap();
        let agent = agent(Duration::from_secs(1), "t", net);
        let tls = agent.config().tls_config();
        assert!(!tls.disable_verification());
        assert!(matches!(tls.root_certs(), ureq::tls::RootCerts::WebPki));
        assert_eq!(agent.config().max_redirects(), 0);
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        use std::time::UNIX_EPOCH;
        // Sun, 06 Nov 1994 08:49:37 GMT
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        // The two obsolete forms HTTP still asks recipients to read.
        assert_eq!(
            retry_after("Sunday, 06-Nov-94 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Sun Nov  6 08:49:38 1994", now),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "already past"
        );
        for bad in ["", "soon", "-5", "1.5", "Sun, 06 Nov 1994"] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap_and_honours_retry_after() {
        let c = Client::builder()
            .username("u")
            .password("p")
            .backoff(Duration::from_millis(100), Duration::from_secs(1))
            .build()
            .unwrap();
        let ms = |d: Duration| d.as_millis() as u64;
        for _ in 0..200 {
            let d0 = ms(c.delay(0, None));
            assert!((50..=100).contains(&d0), "{d0}");
            let d3 = ms(c.delay(3, None));
            assert!((400..=800).contains(&d3), "{d3}");
            for retry in [4, 10, 31, 32, 1000, u32::MAX] {
                let d = ms(c.delay(retry, None));
                assert!((500..=1000).contains(&d), "retry {retry}: {d}");
            }
            // Retry-After is a floor above the backoff, itself capped.
            assert_eq!(ms(c.delay(0, Some(Duration::from_secs(2)))), 2000);
            assert!(ms(c.delay(3, Some(Duration::from_millis(10)))) >= 400);
            assert_eq!(c.delay(0, Some(Duration::from_secs(3600))), MAX_RETRY_AFTER);
        }
        // Jitter: not every draw is the same.
        let draws: std::collections::BTreeSet<_> = (0..50).map(|_| c.delay(2, None)).collect();
        assert!(draws.len() > 1);
    }

    #[test]
    fn basic_auth_header() {
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
