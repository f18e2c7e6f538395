//! `Emulator`: the Rust emulator (a real HTTP server on loopback, on its own
//! threads) started and steered from JS.

use crate::error::IntoNapi;
use napi::bindgen_prelude::{AsyncTask, Object};
use napi::{Env, Task};
use napi_derive::napi;
use plumlogs::Error;
use plumlogs::client::options;
use plumlogs_emulator::{Emulator, EmulatorConfig, Fault};
use std::sync::{Arc, Mutex};

#[napi(object)]
pub struct EmulatorOptions {
    pub seed: Option<f64>,
    pub calls_per_day: Option<u32>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub port: Option<u32>,
    /// A fixed "now" in UNIX seconds.
    pub clock: Option<f64>,
}

fn config(o: EmulatorOptions) -> Result<EmulatorConfig, Error> {
    let mut c = EmulatorConfig::default();
    if let Some(seed) = o.seed {
        let seed = options::whole("options.seed", seed)?;
        c.seed = u64::try_from(seed).map_err(|_| {
            Error::invalid_argument("options.seed", format!("must be at least 0, got {seed}"))
        })?;
    }
    if let Some(n) = o.calls_per_day {
        if n > plumlogs_emulator::MAX_CALLS_PER_DAY {
            return Err(Error::invalid_argument(
                "options.callsPerDay",
                format!(
                    "must be at most {}, got {n}",
                    plumlogs_emulator::MAX_CALLS_PER_DAY
                ),
            ));
        }
        c.calls_per_day = n;
    }
    if let Some(u) = o.username {
        c.username = u;
    }
    if let Some(p) = o.password {
        c.password = p;
    }
    if let Some(p) = o.port {
        c.port = u16::try_from(p).map_err(|_| {
            Error::invalid_argument("options.port", format!("must be 0..65535, got {p}"))
        })?;
    }
    c.clock = o.clock.map(|t| unix(t, "options.clock")).transpose()?;
    Ok(c)
}

/// Whole UNIX seconds (exact in a JS number, so within `i64`).
fn unix(t: f64, what: &str) -> Result<i64, Error> {
    options::whole(what, t).map(|t| t as i64)
}

fn io_error(e: std::io::Error) -> Error {
    Error::Transport {
        message: format!("cannot start the emulator: {e}"),
    }
}

/// Binding the socket and starting the server threads, off the JS thread.
pub struct StartTask {
    config: Option<EmulatorConfig>,
}

#[napi]
impl Task for StartTask {
    type Output = Emulator;
    type JsValue = NativeEmulator;

    fn compute(&mut self) -> napi::Result<Emulator> {
        let config = self.config.take().unwrap_or_default();
        Emulator::start(config).map_err(io_error).js()
    }

    fn resolve(&mut self, _env: Env, emu: Emulator) -> napi::Result<NativeEmulator> {
        Ok(NativeEmulator {
            base_url: emu.base_url().to_owned(),
            username: emu.username().to_owned(),
            password: emu.password().to_owned(),
            inner: Arc::new(Mutex::new(Some(emu))),
        })
    }
}

#[napi(catch_unwind)]
pub fn native_start_emulator(options: EmulatorOptions) -> napi::Result<AsyncTask<StartTask>> {
    Ok(AsyncTask::new(StartTask {
        config: Some(config(options).js()?),
    }))
}

#[napi]
pub struct NativeEmulator {
    base_url: String,
    username: String,
    password: String,
    inner: Arc<Mutex<Option<Emulator>>>,
}

fn stopped() -> napi::Error {
    crate::error::to_napi(&Error::invalid_argument("this", "the emulator is stopped"))
}

impl NativeEmulator {
    fn with<T>(&self, f: impl FnOnce(&Emulator) -> T) -> napi::Result<T> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.as_ref().map(f).ok_or_else(stopped)
    }
}

#[napi]
impl NativeEmulator {
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    #[napi(getter, catch_unwind)]
    pub fn username(&self) -> String {
        self.username.clone()
    }

    #[napi(getter, catch_unwind)]
    pub fn password(&self) -> String {
        self.password.clone()
    }

    #[napi(catch_unwind)]
    pub fn now(&self) -> napi::Result<f64> {
        self.with(|e| e.now() as f64)
    }

    #[napi(catch_unwind)]
    pub fn set_clock(&self, unix_seconds: Option<f64>) -> napi::Result<()> {
        let t = unix_seconds.map(|t| unix(t, "clock")).transpose().js()?;
        self.with(|e| e.set_clock(t))
    }

    /// `fault` is the JSON of the control API (`{"kind":"status","status":503,...}`).
    #[napi(catch_unwind)]
    /// `every` (default 1) makes it answer every `every`-th matching request.
    pub fn inject(&self, fault: String) -> napi::Result<()> {
        let not_a_fault =
            |e: serde_json::Error| Error::invalid_argument("fault", format!("not a fault: {e}"));
        let mut v: serde_json::Value = serde_json::from_str(&fault).map_err(not_a_fault).js()?;
        let every = match v.as_object_mut().and_then(|o| o.remove("every")) {
            None => 1,
            Some(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    Error::invalid_argument(
                        "fault.every",
                        format!("must be a whole number from 1 to {}, got {n}", u32::MAX),
                    )
                })
                .js()?,
        };
        let f: Fault = serde_json::from_value(v).map_err(not_a_fault).js()?;
        // The emulator validates the fault (`every` at least 1 too); its own field and
        // reason are passed on, as the Python binding passes them on.
        self.with(|e| e.try_inject_every(f, every))?
            .map_err(|e| Error::invalid_argument(e.field, e.reason))
            .js()
    }

    #[napi(catch_unwind)]
    pub fn clear_faults(&self) -> napi::Result<()> {
        self.with(|e| e.clear_faults())
    }

    /// The recorded requests as a JSON array.
    #[napi(catch_unwind)]
    pub fn requests(&self) -> napi::Result<String> {
        let reqs = self.with(|e| e.requests())?;
        serde_json::to_string(&reqs)
            .map_err(|e| Error::Transport {
                message: format!("cannot serialise requests: {e}"),
            })
            .js()
    }

    #[napi(catch_unwind)]
    pub fn clear_requests(&self) -> napi::Result<()> {
        self.with(|e| e.clear_requests())
    }

    #[napi(getter, catch_unwind)]
    pub fn running(&self) -> bool {
        self.inner.lock().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Stops the server (joining its threads happens off the JS thread).
    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn stop<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let emu = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        crate::spawn::spawn_promise(
            env,
            move || {
                if let Some(emu) = emu {
                    emu.stop();
                }
                Ok(())
            },
            |()| (),
        )
    }
}
