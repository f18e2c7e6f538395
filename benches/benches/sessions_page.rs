//! Placeholder until its owner lands it.
fn main() {}
