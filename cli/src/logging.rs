//! `PLUM_LOG=warn|info|debug` and `--verbose`: core's `log` lines on stderr.
//!
//! Only the `plumlogs` targets are shown: the HTTP stack's own trace output dumps
//! raw requests (credentials included), so it never reaches this logger.

use crate::output::stderr_line;
use log::{LevelFilter, Log, Metadata, Record};

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        m.target().starts_with("plumlogs") && m.level() <= log::max_level()
    }
    fn log(&self, r: &Record<'_>) {
        if self.enabled(r.metadata()) {
            stderr_line(&format!(
                "{}: {}",
                r.level().as_str().to_ascii_lowercase(),
                r.args()
            ));
        }
    }
    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

/// The level asked for: `--verbose` (once: info, twice: debug) wins over `PLUM_LOG`.
pub fn level(verbose: u8, env: Option<&str>) -> Result<LevelFilter, String> {
    match verbose {
        0 => {}
        1 => return Ok(LevelFilter::Info),
        _ => return Ok(LevelFilter::Debug),
    }
    plumlogs::client::plum_log_level(env)
}

/// Install the logger at `level` (nothing is installed for `Off`).
pub fn init(level: LevelFilter) {
    if level == LevelFilter::Off {
        return;
    }
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_wins_and_bad_values_are_named() {
        assert_eq!(level(0, None), Ok(LevelFilter::Off));
        assert_eq!(level(0, Some("")), Ok(LevelFilter::Off));
        assert_eq!(level(0, Some("DEBUG")), Ok(LevelFilter::Debug));
        assert_eq!(level(0, Some("info")), Ok(LevelFilter::Info));
        assert_eq!(level(1, Some("off")), Ok(LevelFilter::Info));
        assert_eq!(level(2, None), Ok(LevelFilter::Debug));
        assert!(level(0, Some("loud")).unwrap_err().contains("PLUM_LOG"));
        assert!(!Stderr.enabled(&Metadata::builder().target("ureq_proto::util").build()));
    }
}
