//! Corporate networks: the proxy and the certificates trusted.
//!
//! - Proxy: the builder's [`proxy`](super::ClientBuilder::proxy) if set, else the
//!   environment as ureq reads it (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, lowercase
//!   too, with `NO_PROXY`). `http://` proxies are HTTP `CONNECT` tunnels: TLS runs end
//!   to end through them.
//!   `NO_PROXY` (or `no_proxy`) applies to an explicit proxy too, as in curl: a host
//!   it lists is reached directly whichever way the proxy was named.
//! - Trust: the builder's [`ca_bundle`](super::ClientBuilder::ca_bundle) or
//!   [`tls_roots`](super::ClientBuilder::tls_roots) if set (not both with
//!   `platform`), else `PLUM_CA_BUNDLE` or `PLUM_TLS_ROOTS` (the same rule), else the
//!   PEM file named by `SSL_CERT_FILE`, else the webpki roots built in. A bundle
//!   *replaces* the built-in roots (as curl's `--cacert` does): for a TLS-intercepting
//!   proxy, it holds that proxy's CA. [`TlsRoots::Platform`] verifies with the
//!   operating system's trust store (rustls-platform-verifier: the keychain on macOS,
//!   the certificate store on Windows; on Linux the PEM files of `SSL_CERT_FILE`/
//!   `SSL_CERT_DIR` if either is set, else the distribution's bundle).

use crate::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ureq::tls::{Certificate, PemItem, RootCerts};

/// Which certificates a client trusts when no CA bundle is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsRoots {
    /// The Mozilla roots built into the library (webpki-roots): the same everywhere.
    Builtin,
    /// The operating system's trust store, where a corporate CA is usually installed.
    Platform,
}

impl TlsRoots {
    /// Parse `"builtin"` or `"platform"`; `argument` names the option in the error.
    pub fn parse(value: &str, argument: &str) -> Result<TlsRoots, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "builtin" => Ok(TlsRoots::Builtin),
            "platform" => Ok(TlsRoots::Platform),
            _ => {
                let shown: String = value.chars().take(40).collect();
                Err(Error::invalid_argument(
                    argument,
                    format!("{shown:?} is not \"builtin\" or \"platform\""),
                ))
            }
        }
    }
}

impl std::str::FromStr for TlsRoots {
    type Err = Error;
    fn from_str(value: &str) -> Result<TlsRoots, Error> {
        TlsRoots::parse(value, "tls_roots")
    }
}

/// The proxy and roots a client's agent is built with.
pub(crate) struct Network {
    pub(crate) proxy: Option<ureq::Proxy>,
    pub(crate) roots: RootCerts,
}

/// A proxy URL for a message: scheme, host and port only (never its user info).
fn shown(url: &str) -> String {
    match url.rsplit_once('@') {
        Some((before, host)) => {
            let scheme = before.split_once("://").map_or("", |(s, _)| s);
            if scheme.is_empty() {
                format!("<credentials>@{host}")
            } else {
                format!("{scheme}://<credentials>@{host}")
            }
        }
        None => url.to_owned(),
    }
}

/// The effective proxy and roots, from the builder's settings and `env`.
pub(crate) fn resolve(
    proxy: Option<&str>,
    ca_bundle: Option<&Path>,
    tls_roots: Option<TlsRoots>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Network, Error> {
    let proxy = match proxy.map(str::trim) {
        Some("") => {
            return Err(Error::invalid_argument(
                "proxy",
                "is empty (leave it unset to use HTTPS_PROXY/HTTP_PROXY)",
            ));
        }
        Some(url) => Some(explicit_proxy(url, env)?),
        None => ureq::Proxy::try_from_env(),
    };
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let source = match (ca_bundle, tls_roots) {
        (Some(_), Some(TlsRoots::Platform)) => {
            return Err(Error::invalid_argument(
                "tls_roots",
                "\"platform\" cannot be combined with ca_bundle (a bundle replaces the roots): pass one",
            ));
        }
        (Some(p), _) => Some(Trust::Bundle(p.to_owned(), "ca_bundle")),
        (None, Some(r)) => Some(Trust::Roots(r)),
        (None, None) => {
            let roots = set("PLUM_TLS_ROOTS")
                .map(|v| TlsRoots::parse(&v, "PLUM_TLS_ROOTS"))
                .transpose()?;
            match (set("PLUM_CA_BUNDLE"), roots) {
                (Some(_), Some(TlsRoots::Platform)) => {
                    return Err(Error::invalid_argument(
                        "PLUM_TLS_ROOTS",
                        "\"platform\" cannot be combined with PLUM_CA_BUNDLE (a bundle replaces the roots): unset one",
                    ));
                }
                (Some(p), _) => Some(Trust::Bundle(PathBuf::from(p), "PLUM_CA_BUNDLE")),
                (None, Some(r)) => Some(Trust::Roots(r)),
                (None, None) => None,
            }
        }
    };
    // SSL_CERT_FILE is the last resort for the built-in verifier only: the platform
    // verifier reads it (and SSL_CERT_DIR) itself on Linux.
    let source = source
        .or_else(|| set("SSL_CERT_FILE").map(|v| Trust::Bundle(PathBuf::from(v), "SSL_CERT_FILE")));
    let roots = match source {
        None | Some(Trust::Roots(TlsRoots::Builtin)) => RootCerts::WebPki,
        Some(Trust::Roots(TlsRoots::Platform)) => RootCerts::PlatformVerifier,
        Some(Trust::Bundle(path, origin)) => {
            RootCerts::Specific(Arc::new(read_bundle(&path, origin)?))
        }
    };
    Ok(Network { proxy, roots })
}

/// Where the trusted certificates come from.
enum Trust {
    Bundle(PathBuf, &'static str),
    Roots(TlsRoots),
}

/// The builder's proxy, checked, with `NO_PROXY`/`no_proxy` from `env` attached.
fn explicit_proxy(url: &str, env: &impl Fn(&str) -> Option<String>) -> Result<ureq::Proxy, Error> {
    let parsed = ureq::Proxy::new(url).map_err(|e| {
        Error::invalid_argument(
            "proxy",
            format!(
                "{:?} is not a proxy URL such as http://proxy.example:3128 ({})",
                shown(url),
                match e {
                    ureq::Error::InvalidProxyUrl => "invalid URL".to_owned(),
                    other => other.to_string(),
                }
            ),
        )
    })?;
    // Same names and precedence as ureq's own reading of the environment.
    let Some(list) = env("NO_PROXY").or_else(|| env("no_proxy")) else {
        return Ok(parsed);
    };
    let mut b = ureq::Proxy::builder(parsed.protocol())
        .host(parsed.host())
        .port(parsed.port());
    if let Some(u) = parsed.username() {
        b = b.username(u);
    }
    if let Some(p) = parsed.password() {
        b = b.password(p);
    }
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        b = b.no_proxy(entry);
    }
    b.build().map_err(|e| {
        Error::invalid_argument("proxy", format!("{:?} cannot be used ({e})", shown(url)))
    })
}

/// Every certificate of a PEM file; a file without one is refused.
fn read_bundle(path: &Path, origin: &str) -> Result<Vec<Certificate<'static>>, Error> {
    let bad = |why: String| {
        Err(Error::invalid_argument(
            origin,
            format!("{}: {why}", path.display()),
        ))
    };
    let pem = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return bad(format!("cannot be read ({e})")),
    };
    let mut certs = Vec::new();
    for (n, item) in ureq::tls::parse_pem(&pem).enumerate() {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return bad(format!("PEM item {} does not parse ({e})", n + 1)),
        }
    }
    if certs.is_empty() {
        return bad("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_bad_proxy_is_refused_without_its_credentials() {
        let e = match resolve(Some("ftp://me:hunter2@[::1"), None, None, &no_env) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(e.contains("proxy"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(matches!(
            resolve(Some(" "), None, None, &no_env),
            Err(Error::InvalidArgument { .. })
        ));
        let n = resolve(Some("http://127.0.0.1:3128"), None, None, &no_env).unwrap();
        assert_eq!(n.proxy.unwrap().port(), 3128);
    }

    #[test]
    fn bundles_come_from_the_builder_then_plum_ca_bundle_then_ssl_cert_file() {
        let dir = std::env::temp_dir().join(format!("plumlogs-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let env = |name: &str| match name {
            "SSL_CERT_FILE" => Some(empty.display().to_string()),
            _ => None,
        };
        let e = resolve(None, None, None, &env).err().unwrap().to_string();
        assert!(
            e.contains("invalid argument SSL_CERT_FILE: ") && e.contains("no PEM certificate"),
            "{e}"
        );
        let env2 = |name: &str| match name {
            "PLUM_CA_BUNDLE" => Some(dir.join("missing.pem").display().to_string()),
            "SSL_CERT_FILE" => Some(empty.display().to_string()),
            _ => None,
        };
        let e = resolve(None, None, None, &env2).err().unwrap().to_string();
        assert!(
            e.contains("invalid argument PLUM_CA_BUNDLE: ") && e.contains("cannot be read"),
            "{e}"
        );
        let e = resolve(None, Some(&empty), None, &env2)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("invalid argument ca_bundle: "), "{e}");
        assert!(matches!(
            resolve(None, None, None, &no_env).unwrap().roots,
            RootCerts::WebPki
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
