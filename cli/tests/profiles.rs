//! `--profile` / `PLUM_PROFILE` with a config file in a temporary config directory.

mod common;

use common::*;

#[test]
fn a_profile_gives_username_base_url_and_password_variable() {
    let emu = emulator(200);
    let dir = std::env::temp_dir().join(format!("plumlogs-cli-profiles-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("plumlogs")).unwrap();
    std::fs::write(
        dir.join("plumlogs/config.toml"),
        format!(
            "[profiles.emu]\nusername = \"{}\"\nbase_url = \"{}\"\npassword_env = \"EMU_PW\"\n\n\
             [profiles.other]\nusername = \"nobody@example.com\"\n",
            emu.username(),
            emu.base_url()
        ),
    )
    .unwrap();
    let (from, to) = day(&emu);
    let args = ["errors", "--from", &from, "--to", &to, "-o", "jsonl"];
    let direct = run(cli(&emu), &args);
    assert!(direct.status.success());
    assert!(!direct.stdout.is_empty());
    let profiled = |extra: &[&str], env: &[(&str, &str)]| {
        let mut c = bin();
        c.env("XDG_CONFIG_HOME", &dir)
            .env_remove("PLUM_CONFIG")
            .env_remove("PLUM_PROFILE");
        for (k, v) in env {
            c.env(k, v);
        }
        run(c, &[&args[..], extra].concat())
    };
    let pw = emu.password();
    let by_flag = profiled(&["--profile", "emu"], &[("EMU_PW", pw)]);
    assert!(by_flag.status.success(), "{}", text(&by_flag.stderr));
    assert_eq!(by_flag.stdout, direct.stdout);
    let by_env = profiled(&[], &[("EMU_PW", pw), ("PLUM_PROFILE", "emu")]);
    assert!(by_env.status.success(), "{}", text(&by_env.stderr));
    assert_eq!(by_env.stdout, direct.stdout);

    // The core's one order: --base-url, then PLUM_BASE_URL, then the profile's.
    let dead = "http://127.0.0.1:9";
    let env_first = profiled(
        &["--profile", "emu", "--max-retries", "0"],
        &[("EMU_PW", pw), ("PLUM_BASE_URL", dead)],
    );
    assert!(!env_first.status.success());
    assert!(
        text(&env_first.stderr).contains("request to 127.0.0.1:9 failed"),
        "{}",
        text(&env_first.stderr)
    );
    let flag_first = profiled(
        &["--profile", "emu", "--base-url", emu.base_url()],
        &[("EMU_PW", pw), ("PLUM_BASE_URL", dead)],
    );
    assert!(flag_first.status.success(), "{}", text(&flag_first.stderr));
    assert_eq!(flag_first.stdout, direct.stdout);

    // An empty --base-url is an error naming it, not "none given".
    let empty = profiled(&["--profile", "emu", "--base-url", ""], &[("EMU_PW", pw)]);
    assert_eq!(empty.status.code(), Some(2), "{}", text(&empty.stderr));
    assert!(
        text(&empty.stderr).contains("base_url") && text(&empty.stderr).contains("is empty"),
        "{}",
        text(&empty.stderr)
    );

    let no_pw = profiled(&["--profile", "emu"], &[]);
    assert_eq!(no_pw.status.code(), Some(2), "{}", text(&no_pw.stderr));
    assert!(
        text(&no_pw.stderr).contains("EMU_PW is not set"),
        "{}",
        text(&no_pw.stderr)
    );
    let unknown = profiled(&["--profile", "nope"], &[("EMU_PW", pw)]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("no profile \"nope\"; it has emu, other"),
        "{}",
        text(&unknown.stderr)
    );
    // PLUM_CONFIG names another file.
    let missing = dir.join("missing.toml");
    let elsewhere = profiled(
        &["--profile", "emu"],
        &[("EMU_PW", pw), ("PLUM_CONFIG", missing.to_str().unwrap())],
    );
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(
        text(&elsewhere.stderr).contains("missing.toml"),
        "{}",
        text(&elsewhere.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
