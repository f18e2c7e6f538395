//! The four services of the Call Log API and the two wire formats.

use std::fmt;
use std::str::FromStr;

/// One of the four `GET` services under `/ws/calls/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// `calls/logs/{start}/{end}`: calls that have a detailed log.
    Logs,
    /// `calls/log/{log_id}`: one call's log text.
    Log,
    /// `calls/sessions/{start}/{end}`: session log lines.
    Sessions,
    /// `calls/errors/{start}/{end}`: error log lines.
    Errors,
}

impl Service {
    /// The name used by `decode_response` in every language: `logs`, `log`, `sessions`, `errors`.
    pub const fn name(self) -> &'static str {
        match self {
            Service::Logs => "logs",
            Service::Log => "log",
            Service::Sessions => "sessions",
            Service::Errors => "errors",
        }
    }

    /// The element that names one item in XML (`<log>`, `<session>`, `<error>`).
    pub const fn item_name(self) -> &'static str {
        match self {
            Service::Logs | Service::Log => "log",
            Service::Sessions => "session",
            Service::Errors => "error",
        }
    }

    /// How long the service keeps data, in seconds (calls/logs: 5 days; others: 1 year).
    pub const fn retention_seconds(self) -> i64 {
        match self {
            Service::Logs | Service::Log => 5 * 86_400,
            Service::Sessions | Service::Errors => 365 * 86_400,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A service name that is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownService(pub String);

impl fmt::Display for UnknownService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown service {:?}: expected one of logs, log, sessions, errors",
            self.0
        )
    }
}

impl std::error::Error for UnknownService {}

impl FromStr for Service {
    type Err = UnknownService;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "logs" => Service::Logs,
            "log" => Service::Log,
            "sessions" => Service::Sessions,
            "errors" => Service::Errors,
            other => return Err(UnknownService(other.to_owned())),
        })
    }
}

/// The wire format asked for with `Accept`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Wire {
    /// JSON (`application/json`), the default.
    #[default]
    Json,
    /// XML (`application/xml`).
    Xml,
}

impl Wire {
    /// The media type sent in `Accept` (`application/json`, `application/xml`).
    pub const fn media_type(self) -> &'static str {
        match self {
            Wire::Json => "application/json",
            Wire::Xml => "application/xml",
        }
    }
    /// The short lowercase name (`json`, `xml`), as error messages spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Wire::Json => "json",
            Wire::Xml => "xml",
        }
    }
}

impl FromStr for Wire {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Wire::Json),
            "xml" => Ok(Wire::Xml),
            other => Err(format!(
                "unknown wire format {other:?}: expected json or xml"
            )),
        }
    }
}
