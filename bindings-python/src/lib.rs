//! Python bindings (being built: see issue 6).
