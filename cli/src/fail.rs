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

/// A table from the core's error code to an exit status; the message is the core's.
impl From<plumlogs::Error> for Fail {
    fn from(e: plumlogs::Error) -> Self {
        use plumlogs::error::code;
        let text = e.to_string();
        match e.code() {
            code::INVALID_ARGUMENT => Fail::Usage(text),
            code::PARSE_ERROR => Fail::Service(format!(
                "the service sent a line that does not parse: {text}"
            )),
            code::AUTH_ERROR => Fail::Service(format!(
                "{text}\nhint: check PLUM_USERNAME and PLUM_PASSWORD"
            )),
            // API_ERROR, TRANSPORT_ERROR, and any code added later.
            _ => Fail::Service(text),
        }
    }
}
