//! The blocking HTTP client (feature `client`). Being built: see issue 5.
