//! `sfsync errors` as a person runs it.

use std::process::Command;

fn sfsync(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args(args)
        .output()
        .expect("run sfsync");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lists_all_ten_with_cause_and_resolution() {
    let (ok, out, _) = sfsync(&["errors"]);
    assert!(ok);
    for e in shared::catalog::CATALOG.iter() {
        assert!(out.contains(e.text), "missing message: {}", e.text);
        assert!(out.contains(e.cause), "missing cause of {}", e.slug);
        assert!(
            out.contains(e.resolution),
            "missing resolution of {}",
            e.slug
        );
    }
    assert_eq!(out.matches("Cause: ").count(), 10);
    assert_eq!(out.matches("Resolution: ").count(), 10);
}

#[test]
fn explains_one_by_id_or_words() {
    let (ok, out, _) = sfsync(&["errors", "salesforce-http-error"]);
    assert!(ok);
    assert!(out.contains("Error calling SalesForce (Http Code: {code})"));
    assert_eq!(out.matches("Cause: ").count(), 1);

    let (ok, out, _) = sfsync(&["errors", "refresh", "token"]);
    assert!(ok);
    assert!(out.contains("Re-authenticate from the Subscription Settings page"));
}

#[test]
fn unknown_query_fails_with_a_hint() {
    let (ok, _, err) = sfsync(&["errors", "zebra"]);
    assert!(!ok);
    assert!(err.contains("No message matches"), "{err}");
}
