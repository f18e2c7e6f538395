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

/// A one-trick HTTP server on loopback: answers every request (up to `max` of them)
/// with `status` and `body` as JSON, like a hostile or broken service would.
pub fn fake_server(status: u16, body: Vec<u8>, max: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            // The request head, up to its blank line (bounded).
            for _ in 0..200 {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

/// `plumlogs sessions` over the last day of `emu` in `format`, `page_size` records a
/// page, every page `delay_ms` slow (so the whole pull would take minutes), with
/// stdout and stderr piped.
pub fn slow_sessions_pull(emu: &Emulator, delay_ms: u64, page_size: u32, format: &str) -> Reap {
    use plumlogs_emulator::{Fault, FaultKind};
    emu.inject(Fault::times(FaultKind::Slow { delay_ms }, 100).on_path("/ws/calls/sessions"));
    let (from, to) = day(emu);
    let mut c = cli(emu);
    c.args(["sessions", "--from", &from, "--to", &to, "-o", format])
        .args(["--page-size", &page_size.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Reap(c.spawn().expect("start plumlogs"))
}
