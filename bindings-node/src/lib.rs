//! Node bindings (being built: see issue 7).
