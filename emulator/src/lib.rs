//! The Plum Call Log API emulator (being built: see issue 4).
