//! The README's Rust quick start, kept compiling: parse lines, decode a body, and
//! pull a day of logs through the client from the emulator.
//!
//! `cargo run -p plumlogs --example quickstart`

use plumlogs::{Client, Query, Service};
use plumlogs_emulator::{Emulator, EmulatorConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Lines you already have: borrowed records, no allocation per line.
    let text = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29\n";
    for rec in plumlogs::sessions(text) {
        let rec = rec?; // a ParseError names the line, column, byte offset and the line
        println!("{} {} {:?}", rec.kind, rec.timestamp, rec.duration());
    }

    // A response body, JSON or XML, success or failure.
    let body = br#"{"status":"failure","error":"Unauthorized access to sample service",}"#;
    match plumlogs::decode_response(body, Service::Errors) {
        Err(plumlogs::Error::Api { message, .. }) => println!("the server said: {message}"),
        other => println!("{other:?}"),
    }

    // The client, against the emulator (with a Plum account: `Client::builder().build()`
    // reads PLUM_USERNAME / PLUM_PASSWORD / PLUM_BASE_URL).
    let emu = Emulator::start(EmulatorConfig::default())?;
    let client = Client::builder()
        .username(emu.username())
        .password(emu.password())
        .base_url(emu.base_url())
        .build()?;
    let (start, end) = (emu.now() - 86_400, emu.now());
    let sessions: Vec<_> = client
        .sessions(&Query::new(start, end).page_size(10_000))?
        .collect::<Result<_, _>>()?;
    let calls: Vec<_> = client
        .call_logs(&Query::new(start, end).limit(1))?
        .collect::<Result<_, _>>()?;
    println!("{} session lines in the last day", sessions.len());
    if let Some(call) = calls.first() {
        let log = client.call_log(call.log_id)?; // .text and the parsed .entries
        println!(
            "call {} has {} log entries",
            log.log_id,
            log.entries().len()
        );
    }
    Ok(())
}
