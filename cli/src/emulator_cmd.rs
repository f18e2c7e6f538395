//! `plumlogs emulator`: the Call Log API emulator in the foreground, until SIGINT
//! or SIGTERM. The banner goes to stdout once the port is bound, so a script (or a
//! test) can start it on port 0 and read the URL from the `PLUM_BASE_URL=` line.

use crate::EmulatorArgs;
use crate::fail::Fail;
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::io::{self, Write};
use std::sync::mpsc;

/// Quote a value for a POSIX shell when it needs it.
fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub fn run(a: &EmulatorArgs) -> Result<(), Fail> {
    let mut config = EmulatorConfig {
        port: a.port,
        seed: a.seed,
        calls_per_day: a.calls_per_day,
        clock: a.clock.map(crate::timearg::clock).transpose()?,
        ..EmulatorConfig::default()
    };
    if let Some(u) = &a.username {
        config.username = u.clone();
    }
    if let Some(p) = &a.password {
        config.password = p.clone();
    }

    // The handler is in place before the port is bound, so a signal that arrives
    // right after the banner still ends the process through the clean path.
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| Fail::Service(format!("cannot install the signal handler: {e}")))?;

    let emu = Emulator::start(config).map_err(|e| {
        let msg = format!("cannot start the emulator on 127.0.0.1:{}: {e}", a.port);
        // A rejected setting is bad usage; a busy port or other OS refusal is not.
        if e.kind() == io::ErrorKind::InvalidInput {
            Fail::Usage(msg)
        } else {
            Fail::Service(msg)
        }
    })?;

    let banner = format!(
        "Plum Call Log API emulator listening on {url} (seed {seed}, {cpd} calls per day)\n\
         username: {user}\n\
         password: {pass}\n\
         Point the clients at it with:\n\
         export PLUM_BASE_URL={url}\n\
         export PLUM_USERNAME={quser}\n\
         export PLUM_PASSWORD={qpass}\n",
        url = emu.base_url(),
        seed = a.seed,
        cpd = a.calls_per_day,
        user = emu.username(),
        pass = emu.password(),
        quser = sh_quote(emu.username()),
        qpass = sh_quote(emu.password()),
    );
    // A closed stdout must not stop the server: the banner is a courtesy.
    let mut out = io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|_| out.flush());
    drop(out);
    eprintln!("plumlogs emulator: serving; Ctrl-C (SIGINT) or SIGTERM stops it");

    // Err means the sender is gone, which cannot happen while the handler lives;
    // either way the server is stopped below.
    let _ = stop_rx.recv();
    emu.stop();
    eprintln!("plumlogs emulator: stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sh_quote;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("emulator@plumlogs.test"), "emulator@plumlogs.test");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
    }
}
