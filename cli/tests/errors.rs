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

/// Fails on the old code: a message pasted with its value filled in matched nothing.
#[test]
fn a_pasted_message_finds_its_entry() {
    for (pasted, slug) in [
        (
            "Error calling SalesForce (Http Code: 503)",
            "salesforce-http-error",
        ),
        (
            "Could not locate account by Id: 0018M00000Fx001QAB in Salesforce. Account must exist in Salesforce before attempting to create the contact under it.",
            "account-not-found",
        ),
        (
            "Could not locate account by Id: 0018… in Salesforce. …",
            "account-not-found",
        ),
    ] {
        let (ok, out, err) = sfsync(&["errors", pasted]);
        assert!(ok, "{pasted}: {err}");
        assert!(out.contains(&format!("[{slug}, error]")), "{pasted}: {out}");
        assert_eq!(out.matches("Cause: ").count(), 1, "{pasted}");
    }
}

/// Fails on the old code: "Where:" gave the article's section ("Contact TO iPaaS.com") for
/// messages this system raises in the FROM flows, and there was no resolution for this
/// deployment.
#[test]
fn where_and_what_to_do_are_this_deployments() {
    let (ok, out, _) = sfsync(&["errors", "account-not-found"]);
    assert!(ok);
    let where_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("Where: "))
        .unwrap();
    let (here, article) = where_line
        .split_once("(The article lists it under:")
        .unwrap();
    assert!(here.contains("Contact FROM iPaaS.com"), "{where_line}");
    assert!(article.contains("Contact TO iPaaS.com"), "{where_line}");
    assert!(
        out.contains("ENTITY_IS_DELETED"),
        "the situations are listed: {out}"
    );
    assert!(out.contains("In this deployment: "), "{out}");
    assert!(out.contains("sfsync replay contact-from-ipaas"), "{out}");
}
