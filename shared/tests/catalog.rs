//! The catalog holds the spec's ten messages verbatim, and docs/errors.md matches it.

use shared::catalog::{render_markdown, MessageId, Raised, Severity, CATALOG};

/// Our own copy of `spec/messages.txt`, so a clone without `../shared` still tests.
const EXPECTED: [&str; 10] = [
    "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.",
    "Salesforce rejected the new account.",
    "DUPLICATES_DETECTED. This means that the record sent in the request already exists in Salesforce.",
    "Account Id is null or empty and it is required for the account update.",
    "Error calling SalesForce (Http Code: {code})",
    "Salesforce rejected the new contact.",
    "AccountId is null or empty on the iPaaS Customer record, and it is required for linking the contact to the account.",
    "Could not locate account by Id: {id} in Salesforce. Account must exist in Salesforce before attempting to create the contact under it.",
    "Unable to dynamically link to existing Salesforce customer using email address. This may result in duplicate customer records.",
    "An iPaaS.com API error was returned.",
];

#[test]
fn every_spec_message_is_in_the_catalog_verbatim_and_once() {
    assert_eq!(CATALOG.len(), EXPECTED.len());
    for text in EXPECTED {
        let n = CATALOG.iter().filter(|e| e.text == text).count();
        assert_eq!(n, 1, "message must appear exactly once: {text}");
    }
}

#[test]
fn matches_the_shared_spec_when_present() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/messages.txt"
    );
    let Ok(spec) = std::fs::read_to_string(path) else {
        // The spec lives beside the repo, not in it; EXPECTED above covers a bare clone.
        return;
    };
    let lines: Vec<&str> = spec.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines, EXPECTED,
        "tests' copy drifted from spec/messages.txt"
    );
}

#[test]
fn every_entry_is_complete_and_unique() {
    let mut slugs: Vec<&str> = CATALOG.iter().map(|e| e.slug).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), CATALOG.len(), "slugs must be unique");
    for e in CATALOG.iter() {
        assert!(!e.cause.is_empty() && !e.resolution.is_empty() && !e.sections.is_empty());
        assert!(
            !e.raised_in.is_empty() && !e.situations.is_empty() && !e.here.is_empty(),
            "{} says where, when and what to do here",
            e.slug
        );
        assert!(
            std::ptr::eq(e.id.entry(), e),
            "MessageId::entry must find its own entry"
        );
    }
    assert_eq!(
        MessageId::EmailLinkFailed.entry().severity,
        Severity::Warning
    );
    let warnings = CATALOG
        .iter()
        .filter(|e| e.severity == Severity::Warning)
        .count();
    assert_eq!(warnings, 1, "only the email-link message is a warning");
}

#[test]
fn placeholders_are_filled() {
    assert_eq!(
        MessageId::SalesforceHttpError.render(&[("code", "503")]),
        "Error calling SalesForce (Http Code: 503)"
    );
    let r = Raised::with(MessageId::AccountNotFound, &[("id", "001M000000qfPySIAU")])
        .detail("looked up by Id");
    assert_eq!(
        r.message,
        "Could not locate account by Id: 001M000000qfPySIAU in Salesforce. Account must exist in Salesforce before attempting to create the contact under it."
    );
    assert_eq!(r.detail.as_deref(), Some("looked up by Id"));
}

#[test]
fn docs_errors_md_is_generated_from_the_catalog() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == render_markdown(),
        "docs/errors.md drifted from the catalog; regenerate it with:\n  cargo run -p sfsync -- errors --markdown > docs/errors.md"
    );
}

/// Fails on the old code (no such fields): the six messages the article files under "TO
/// iPaaS.com" are raised here in the FROM flows, and the catalog says so.
#[test]
fn where_each_message_is_raised_here() {
    for slug in [
        "account-rejected",
        "duplicates-detected",
        "contact-rejected",
        "customer-company-missing",
        "account-not-found",
        "email-link-failed",
    ] {
        let e = CATALOG.iter().find(|e| e.slug == slug).unwrap();
        assert!(
            e.raised_in.contains("FROM iPaaS.com") && !e.raised_in.contains("TO iPaaS.com"),
            "{slug}: {}",
            e.raised_in
        );
        assert!(
            e.sections
                .iter()
                .any(|s| s.title().contains("TO iPaaS.com")),
            "{slug}: the article's section is kept"
        );
    }
    // What to do here names this deployment's tools, not only iPaaS.com's pages.
    let here: String = CATALOG.iter().map(|e| e.here).collect();
    for tool in [
        "sfsync connect",
        "sfsync replay",
        "CollisionMethodAccount",
        "SyncTypeAccountFrom",
    ] {
        assert!(here.contains(tool), "{tool}");
    }
}

#[test]
fn docs_state_the_situations_of_each_message() {
    let md = render_markdown();
    for e in CATALOG.iter() {
        for s in e.situations {
            assert!(md.contains(&format!("- {s}\n")), "{}: {s}", e.slug);
        }
        assert!(md.contains(e.here) && md.contains(e.resolution) && md.contains(e.cause));
    }
}
