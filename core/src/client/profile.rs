//! Named profiles: several Plum accounts in one config file.
//!
//! The file is `config.toml` in the platform's config directory, under `plumlogs/`:
//! `$XDG_CONFIG_HOME/plumlogs/config.toml` (default `~/.config/plumlogs/config.toml`)
//! on Linux and other Unixes, `~/Library/Application Support/plumlogs/config.toml` on
//! macOS, `%APPDATA%\plumlogs\config.toml` on Windows; `PLUM_CONFIG` names another
//! file. It never holds a password: that comes from the environment variable the
//! profile names (`password_env`, default `PLUM_PASSWORD`), or from the caller.
//!
//! ```toml
//! default_profile = "prod"
//!
//! [profiles.prod]
//! username = "ops@example.com"
//! base_url = "https://hosting.plumvoice.com"   # optional
//! password_env = "PLUM_PROD_PASSWORD"          # optional
//! ```

use super::ClientBuilder;
use crate::error::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest config file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// One account of the config file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The profile's name (its table's key).
    #[serde(skip)]
    pub name: String,
    /// The Plum DEV login.
    pub username: String,
    /// The service's base URL; unset means the client's default.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The environment variable holding the password; unset means `PLUM_PASSWORD`.
    #[serde(default)]
    pub password_env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// Where the config file is: `PLUM_CONFIG`, else the platform's config directory
/// (see the module docs). `None` when no home directory is known.
pub fn config_path() -> Option<PathBuf> {
    config_path_with(&|n| std::env::var_os(n).map(|v| v.to_string_lossy().into_owned()))
}

fn config_path_with(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let var = |n: &str| env(n).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var("PLUM_CONFIG") {
        return Some(p);
    }
    let dir = if cfg!(windows) {
        var("APPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Application Support")
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))?
    };
    Some(dir.join("plumlogs").join("config.toml"))
}

impl Profile {
    /// The profile `name`, else `PLUM_PROFILE`, else the file's `default_profile`,
    /// else the only profile, read from [`config_path`].
    pub fn load(name: Option<&str>) -> Result<Profile, Error> {
        Self::load_with(name, &|n| std::env::var(n).ok())
    }

    fn load_with(
        name: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, Error> {
        let bad = |m: String| Err(Error::invalid_argument("profile", m));
        let Some(path) = config_path_with(env) else {
            return bad(
                "no config file: neither PLUM_CONFIG nor a home directory (HOME/APPDATA) is set"
                    .into(),
            );
        };
        let file = read_config(&path)?;
        let asked = name
            .map(str::to_owned)
            .or_else(|| env("PLUM_PROFILE").filter(|v| !v.is_empty()));
        let names = || {
            let v: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
            if v.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", v.join(", "))
            }
        };
        let chosen = match asked.or_else(|| file.default_profile.clone()) {
            Some(n) => n,
            None if file.profiles.len() == 1 => {
                file.profiles.keys().next().cloned().unwrap_or_default()
            }
            None => {
                return bad(format!(
                    "{}: which profile? Name one (--profile, PLUM_PROFILE) or set default_profile; {}",
                    path.display(),
                    names()
                ));
            }
        };
        let Some(p) = file.profiles.get(&chosen) else {
            return bad(format!(
                "{}: no profile {chosen:?}; {}",
                path.display(),
                names()
            ));
        };
        if p.username.trim().is_empty() {
            return bad(format!(
                "{}: profile {chosen:?} has an empty username",
                path.display()
            ));
        }
        Ok(Profile {
            name: chosen,
            ..p.clone()
        })
    }

    /// The environment variable the password is read from.
    pub fn password_var(&self) -> &str {
        self.password_env.as_deref().unwrap_or("PLUM_PASSWORD")
    }
}

fn read_config(path: &Path) -> Result<ConfigFile, Error> {
    let bad = |why: String| {
        Err(Error::invalid_argument(
            "profile",
            format!("{}: {why}", path.display()),
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return bad(format!("cannot read the config file ({e})")),
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return bad(format!("{} bytes is too big for a config file", meta.len()));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return bad(format!("cannot read the config file ({e})")),
    };
    match toml::from_str::<ConfigFile>(&text) {
        Ok(f) => Ok(f),
        // toml's message names the line and column and shows that one line.
        Err(e) => bad(format!(
            "not a valid config file: {}",
            e.to_string().trim_end()
        )),
    }
}

impl ClientBuilder {
    /// A builder with a profile's username and base URL, and its password from the
    /// environment variable it names (if set; [`password`](Self::password) still
    /// overrides it). What `Client.from_profile()` in the bindings and the CLI's
    /// `--profile` call; `name` `None` picks `PLUM_PROFILE`, then the file's
    /// `default_profile`.
    ///
    /// The base URL, most specific first: one given to the builder
    /// ([`base_url`](Self::base_url), the CLI's `--base-url`), then `PLUM_BASE_URL`,
    /// then the profile's, then [`DEFAULT_BASE_URL`](super::DEFAULT_BASE_URL). The
    /// variable overrides the file as it does for every other tool that reads both
    /// (a shell that exported the emulator's URL sends a profile's requests there).
    pub fn from_profile(name: Option<&str>) -> Result<ClientBuilder, Error> {
        Self::from_profile_with(name, &|n| std::env::var(n).ok())
    }

    fn from_profile_with(
        name: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ClientBuilder, Error> {
        let p = Profile::load_with(name, env)?;
        let mut b = ClientBuilder::default().username(p.username.clone());
        // Below the builder's own and PLUM_BASE_URL, both read by `build`, once.
        b.profile_base_url = p.base_url.clone();
        match env(p.password_var()).filter(|v| !v.is_empty()) {
            Some(pw) => b = b.password(pw),
            // Say which variable was missing, not just "no password".
            None if p.password_env.is_some() => {
                return Err(Error::Auth {
                    message: format!(
                        "profile {:?}: its password variable {} is not set",
                        p.name,
                        p.password_var()
                    ),
                    http_status: None,
                });
            }
            None => {}
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("plumlogs-profile-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(d.join("plumlogs")).unwrap();
        Dir(d)
    }

    fn env(map: HashMap<&'static str, String>) -> impl Fn(&str) -> Option<String> {
        move |n| map.get(n).cloned()
    }

    const CONFIG: &str = r#"
default_profile = "prod"
[profiles.prod]
username = "ops@example.com"
base_url = "https://prod.example.com"
password_env = "PLUM_PROD_PASSWORD"
[profiles.lab]
username = "lab@example.com"
"#;

    #[test]
    fn profiles_by_name_env_and_default_with_their_passwords() {
        let d = dir("a");
        std::fs::write(d.0.join("plumlogs/config.toml"), CONFIG).unwrap();
        let base = || {
            HashMap::from([
                ("XDG_CONFIG_HOME", d.0.display().to_string()),
                ("HOME", "/nonexistent".to_owned()),
                ("PLUM_PROD_PASSWORD", "prod-secret".to_owned()),
                ("PLUM_PASSWORD", "generic-secret".to_owned()),
            ])
        };
        if !cfg!(windows) && !cfg!(target_os = "macos") {
            let e = env(base());
            let p = Profile::load_with(None, &e).unwrap();
            assert_eq!(p.name, "prod");
            assert_eq!(p.base_url.as_deref(), Some("https://prod.example.com"));
            let c = ClientBuilder::from_profile_with(None, &e)
                .unwrap()
                .build_with_env(|_| None)
                .unwrap();
            assert_eq!(c.username(), "ops@example.com");
            assert_eq!(c.base_url(), "https://prod.example.com");
            // PLUM_BASE_URL overrides the profile's base URL (an empty one does not),
            // and the builder's own overrides both: the CLI and the bindings alike.
            for (var, want) in [
                ("http://127.0.0.1:9/emu", "http://127.0.0.1:9/emu"),
                ("", "https://prod.example.com"),
            ] {
                let mut m = base();
                m.insert("PLUM_BASE_URL", var.into());
                let e = env(m);
                let c = ClientBuilder::from_profile_with(None, &e)
                    .unwrap()
                    .build_with_env(&e)
                    .unwrap();
                assert_eq!(c.base_url(), want, "PLUM_BASE_URL={var:?}");
                let c = ClientBuilder::from_profile_with(None, &e)
                    .unwrap()
                    .base_url("https://given.example.com")
                    .build_with_env(&e)
                    .unwrap();
                assert_eq!(c.base_url(), "https://given.example.com");
            }
            // The variable is read once, by `build`: not when the profile is loaded.
            let mut m = base();
            m.insert("PLUM_BASE_URL", "http://127.0.0.1:9/emu".into());
            let with_var = env(m);
            let c = ClientBuilder::from_profile_with(None, &env(base()))
                .unwrap()
                .build_with_env(&with_var)
                .unwrap();
            assert_eq!(c.base_url(), "http://127.0.0.1:9/emu");
            let c = ClientBuilder::from_profile_with(None, &with_var)
                .unwrap()
                .build_with_env(|_| None)
                .unwrap();
            assert_eq!(c.base_url(), "https://prod.example.com");
            let mut m = base();
            m.insert("PLUM_PROFILE", "lab".into());
            let e = env(m);
            let c = ClientBuilder::from_profile_with(None, &e)
                .unwrap()
                .build_with_env(|_| None)
                .unwrap();
            assert_eq!(c.username(), "lab@example.com");
            assert_eq!(c.base_url(), super::super::DEFAULT_BASE_URL);
            // The name given wins over PLUM_PROFILE.
            assert_eq!(Profile::load_with(Some("prod"), &e).unwrap().name, "prod");
            match Profile::load_with(Some("staging"), &e) {
                Err(e @ Error::InvalidArgument { .. }) => {
                    let m = e.to_string();
                    assert!(
                        m.contains("no profile \"staging\"") && m.contains("lab, prod"),
                        "{m}"
                    )
                }
                other => panic!("{other:?}"),
            }
            let mut m = base();
            m.remove("PLUM_PROD_PASSWORD");
            match ClientBuilder::from_profile_with(None, &env(m)) {
                Err(Error::Auth { message, .. }) => {
                    assert!(message.contains("PLUM_PROD_PASSWORD"), "{message}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn plum_config_names_the_file_and_mistakes_say_where() {
        let d = dir("b");
        let f = d.0.join("other.toml");
        let e = env(HashMap::from([("PLUM_CONFIG", f.display().to_string())]));
        match Profile::load_with(None, &e) {
            Err(e @ Error::InvalidArgument { .. }) => {
                let m = e.to_string();
                assert!(m.contains("cannot read the config file"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&f, "[profiles.a]\nusername = \"a\"\npassword = \"oops\"\n").unwrap();
        match Profile::load_with(None, &e) {
            Err(e @ Error::InvalidArgument { .. }) => {
                let m = e.to_string();
                assert!(
                    m.contains("other.toml") && m.contains("password") && m.contains("line 3"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&f, "[profiles.a]\nusername = \"a\"\n").unwrap();
        assert_eq!(
            Profile::load_with(None, &e).unwrap().name,
            "a",
            "the only profile"
        );
        std::fs::write(
            &f,
            "[profiles.a]\nusername = \"a\"\n[profiles.b]\nusername = \"b\"\n",
        )
        .unwrap();
        match Profile::load_with(None, &e) {
            Err(e @ Error::InvalidArgument { .. }) => {
                let m = e.to_string();
                assert!(m.contains("which profile?"), "{m}")
            }
            other => panic!("{other:?}"),
        }
    }
}
