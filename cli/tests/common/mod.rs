//! What the shell-level tests share: the binary, an emulator, and running one against
//! the other with a bounded wait.
#![allow(dead_code)]

use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::process::{Child, Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An emulator with its clock frozen at the system time, so a window's data stays put.
pub fn emulator(calls_per_day: u32) -> Emulator {
    Emulator::start(EmulatorConfig {
        calls_per_day,
        clock: Some(system_now()),
        ..EmulatorConfig::default()
    })
    .expect("start the emulator")
}

/// The binary, pointed at `emu`.
pub fn cli(emu: &Emulator) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumlogs"));
    c.env("PLUM_BASE_URL", emu.base_url())
        .env("PLUM_USERNAME", emu.username())
        .env("PLUM_PASSWORD", emu.password())
        .env_remove("PLUM_LOG")
        .stdin(Stdio::null());
    c
}

/// The binary with no service configured.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumlogs"));
    c.env_remove("PLUM_BASE_URL")
        .env_remove("PLUM_USERNAME")
        .env_remove("PLUM_PASSWORD")
        .stdin(Stdio::null());
    c
}

pub fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().expect("run plumlogs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The window of the last day of `emu`'s clock, as `--from`/`--to` values.
pub fn day(emu: &Emulator) -> (String, String) {
    let now = emu.now();
    ((now - 86_400).to_string(), now.to_string())
}

/// Kill a child we started if a test fails before it is reaped.
pub struct Reap(pub Child);
impl Drop for Reap {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
