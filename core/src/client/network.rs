//! Corporate networks: the proxy and the certificates trusted.
//!
//! - Proxy: the builder's [`proxy`](super::ClientBuilder::proxy) if set, else the
//!   environment as ureq reads it (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, lowercase
//!   too, with `NO_PROXY`). `http://` proxies are HTTP `CONNECT` tunnels: TLS runs end
//!   to end through them.
//! - Trust: the builder's [`ca_bundle`](super::ClientBuilder::ca_bundle) if set, else
//!   the PEM file named by `PLUM_CA_BUNDLE`, else by `SSL_CERT_FILE`, else the
//!   webpki roots built in. A bundle *replaces* the built-in roots (as curl's
//!   `--cacert` does): for a TLS-intercepting proxy, it holds that proxy's CA.

use crate::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ureq::tls::{Certificate, PemItem, RootCerts};

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
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Network, Error> {
    let proxy = match proxy.map(str::trim) {
        Some("") => {
            return Err(Error::invalid_argument(
                "proxy",
                "is empty (leave it unset to use HTTPS_PROXY/HTTP_PROXY)",
            ));
        }
        Some(url) => Some(ureq::Proxy::new(url).map_err(|e| {
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
        })?),
        None => ureq::Proxy::try_from_env(),
    };
    let bundle: Option<(PathBuf, &str)> = match ca_bundle {
        Some(p) => Some((p.to_owned(), "ca_bundle")),
        None => env("PLUM_CA_BUNDLE")
            .filter(|v| !v.is_empty())
            .map(|v| (PathBuf::from(v), "PLUM_CA_BUNDLE"))
            .or_else(|| {
                env("SSL_CERT_FILE")
                    .filter(|v| !v.is_empty())
                    .map(|v| (PathBuf::from(v), "SSL_CERT_FILE"))
            }),
    };
    let roots = match bundle {
        None => RootCerts::WebPki,
        Some((path, origin)) => RootCerts::Specific(Arc::new(read_bundle(&path, origin)?)),
    };
    Ok(Network { proxy, roots })
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
        let e = match resolve(Some("ftp://me:hunter2@[::1"), None, &no_env) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        };
        assert!(e.contains("proxy"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(matches!(
            resolve(Some(" "), None, &no_env),
            Err(Error::InvalidArgument { .. })
        ));
        let n = resolve(Some("http://127.0.0.1:3128"), None, &no_env).unwrap();
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
        let e = resolve(None, None, &env).err().unwrap().to_string();
        assert!(
            e.contains("invalid argument SSL_CERT_FILE: ") && e.contains("no PEM certificate"),
            "{e}"
        );
        let env2 = |name: &str| match name {
            "PLUM_CA_BUNDLE" => Some(dir.join("missing.pem").display().to_string()),
            "SSL_CERT_FILE" => Some(empty.display().to_string()),
            _ => None,
        };
        let e = resolve(None, None, &env2).err().unwrap().to_string();
        assert!(
            e.contains("invalid argument PLUM_CA_BUNDLE: ") && e.contains("cannot be read"),
            "{e}"
        );
        let e = resolve(None, Some(&empty), &env2)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("invalid argument ca_bundle: "), "{e}");
        assert!(matches!(
            resolve(None, None, &no_env).unwrap().roots,
            RootCerts::WebPki
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
