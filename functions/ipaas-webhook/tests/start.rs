//! The receiver binary started with unusable settings: it stops before serving anything, with
//! one sentence naming the variable (not a Rust debug dump), and exit status 1.

use std::process::Command;

fn start(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ipaas-webhook"))
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("run the receiver");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const QUEUE: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/q";

/// Fails on the old code: the start error was `Error: Missing("IPAAS_SECRET_ID", …)`, and a
/// queue URL that is not one, a bad path or LOG_LEVEL were not checked at all.
#[test]
fn bad_settings_stop_the_start_with_a_sentence_naming_the_variable() {
    let good = [
        ("IPAAS_SECRET_ID", "ipaas"),
        ("ACCOUNT_FROM_IPAAS_QUEUE_URL", QUEUE),
        ("CONTACT_FROM_IPAAS_QUEUE_URL", QUEUE),
    ];
    for (name, value) in [
        ("IPAAS_SECRET_ID", None),
        ("ACCOUNT_FROM_IPAAS_QUEUE_URL", Some("account-from-ipaas")),
        ("CONTACT_FROM_IPAAS_QUEUE_URL", None),
        ("WEBHOOK_PATH", Some("webhook")),
        ("LOG_LEVEL", Some("verbose")),
    ] {
        let mut env: Vec<(&str, &str)> = good.iter().copied().filter(|(k, _)| *k != name).collect();
        if let Some(v) = value {
            env.push((name, v));
        }
        let (code, stderr) = start(&env);
        assert_eq!(code, Some(1), "{name}={value:?}: {stderr}");
        let line = stderr
            .lines()
            .find(|l| l.starts_with("configuration error: "))
            .unwrap_or_else(|| panic!("{name}={value:?}: {stderr}"));
        assert!(
            line.contains(&format!("environment variable {name} ")),
            "{line}"
        );
        assert!(
            !line.contains("Missing(") && !line.contains("Invalid {"),
            "{line}"
        );
    }
}

/// Fails on the old code in wording only: the secret that does not exist was reported as
/// a debug dump. Needs moto server (`scripts/test` sets MOTO_ENDPOINT).
#[test]
fn a_secret_that_does_not_exist_stops_the_start_naming_ipaas_secret_id() {
    let moto = std::env::var("MOTO_ENDPOINT")
        .expect("MOTO_ENDPOINT is not set: run the tests with scripts/test");
    let (code, stderr) = start(&[
        ("AWS_ENDPOINT_URL", &moto),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("IPAAS_SECRET_ID", "sfsync/no-such-secret-anywhere"),
        ("ACCOUNT_FROM_IPAAS_QUEUE_URL", QUEUE),
        ("CONTACT_FROM_IPAAS_QUEUE_URL", QUEUE),
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("configuration error: "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.contains("environment variable IPAAS_SECRET_ID ")
            && line.contains("sfsync/no-such-secret-anywhere"),
        "{line}"
    );
}
