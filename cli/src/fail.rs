//! How a command fails: a message for stderr and the exit status of the spec
//! (1 API or transport failure, 2 bad usage or bad input).

use std::fmt;
use std::io;

#[derive(Debug)]
pub enum Fail {
    /// Bad arguments, missing credentials, bad input: exit 2.
    Usage(String),
    /// The service failed or could not be reached: exit 1.
    Service(String),
    /// The reader went away (`plumlogs … | head`): stop quietly.
    BrokenPipe,
    /// Messages were already printed (lenient/strict parse); only the status is left.
    Silent(u8),
}

impl Fail {
    pub fn exit_code(&self) -> u8 {
        match self {
            Fail::Usage(_) => 2,
            Fail::Service(_) => 1,
            Fail::BrokenPipe => 0,
            Fail::Silent(code) => *code,
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Usage(m) | Fail::Service(m) => f.write_str(m),
            Fail::BrokenPipe | Fail::Silent(_) => Ok(()),
        }
    }
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Fail::BrokenPipe
        } else {
            Fail::Service(format!("cannot write the output: {e}"))
        }
    }
}

impl From<plumlogs::Error> for Fail {
    fn from(e: plumlogs::Error) -> Self {
        use plumlogs::Error as E;
        match e {
            E::InvalidArgument(m) => Fail::Usage(format!("invalid argument: {m}")),
            E::Parse(p) => {
                Fail::Service(format!("the service sent a line that does not parse: {p}"))
            }
            E::Auth {
                message,
                http_status,
            } => Fail::Service(format!(
                "authentication failed (HTTP {http_status}): {message}\n\
                 hint: check PLUM_USERNAME and PLUM_PASSWORD"
            )),
            other => Fail::Service(other.to_string()),
        }
    }
}
