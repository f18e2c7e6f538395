//! Run the emulator in the foreground: `cargo run -p plumlogs-emulator --example serve -- [PORT] [SEED] [CALLS_PER_DAY]`.
//! Prints the base URL and credentials once it is listening, plus how long start-up
//! took and the resident memory at that point (from /proc/self/status).
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::time::Instant;

fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| {
        args.get(i)
            .map(|a| a.parse().expect("numeric argument"))
            .unwrap_or(default)
    };
    let before = rss_kb();
    let t0 = Instant::now();
    let emu = Emulator::start(EmulatorConfig {
        port: arg(0, 0) as u16,
        seed: arg(1, 7),
        calls_per_day: arg(2, 2000) as u32,
        ..Default::default()
    })
    .unwrap_or_else(|e| {
        eprintln!("cannot start the emulator: {e}");
        std::process::exit(1)
    });
    let took = t0.elapsed();
    println!("base_url {}", emu.base_url());
    println!("username {}", emu.username());
    println!("password {}", emu.password());
    println!(
        "started in {:.3} ms; VmRSS before {} kB, after {} kB",
        took.as_secs_f64() * 1e3,
        before.map_or("?".into(), |v| v.to_string()),
        rss_kb().map_or("?".into(), |v| v.to_string())
    );
    loop {
        std::thread::park();
    }
}
