//! Node bindings for plumlogs: a thin translation layer over the `plumlogs` crate.
//!
//! The native module is not the public API (`lib/index.js` is). Records cross into
//! JS once per batch (columns for sessions and errors, one JSON string otherwise),
//! every `plumlogs::Error` becomes one structured payload (`error.rs`) that the JS
//! wrapper turns into an `Error` with `code` and fields, and every network wait runs
//! on a thread of its own (`spawn.rs`).

mod client;
pub mod columns;
mod emulator;
mod error;
mod parse;
mod spawn;
mod sync;
mod text;
