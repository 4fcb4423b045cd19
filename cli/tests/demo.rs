//! `sfsync demo` as a person runs it: the binary exits 0 and its report shows every message
//! of the catalog (this file's own copy of spec/messages.txt, placeholders as prefixes).

use std::process::Command;

const MESSAGES: [&str; 10] = [
    "Refresh token value is either null or empty and is required for obtaining an AccessToken. Please re-authenticate from the Subscription Settings page in iPaaS.",
    "Salesforce rejected the new account.",
    "DUPLICATES_DETECTED. This means that the record sent in the request already exists in Salesforce.",
    "Account Id is null or empty and it is required for the account update.",
    "Error calling SalesForce (Http Code: 503)",
    "Salesforce rejected the new contact.",
    "AccountId is null or empty on the iPaaS Customer record, and it is required for linking the contact to the account.",
    "Could not locate account by Id: ",
    "Unable to dynamically link to existing Salesforce customer using email address. This may result in duplicate customer records.",
    "An iPaaS.com API error was returned.",
];

#[test]
fn the_demo_runs_and_its_report_lists_all_ten_messages() {
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args(["demo", "--accounts", "30", "--contacts", "60"])
        .output()
        .expect("sfsync runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for m in MESSAGES {
        assert!(stdout.contains(m), "missing {m:?} in\n{stdout}");
    }
    assert!(
        stdout.contains("Catalog messages raised: 10 of 10"),
        "{stdout}"
    );
    for flow in [
        "Account TO iPaaS.com",
        "Contact TO iPaaS.com",
        "Account FROM iPaaS.com",
        "Contact FROM iPaaS.com",
    ] {
        assert!(stdout.contains(flow), "{flow}");
    }
    assert!(stdout.contains("API calls for the"), "{stdout}");
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args(["demo", "--faults", "3"])
        .output()
        .expect("sfsync runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--faults is a share of calls between 0 and 1"));
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args(["demo", "--data", "/nonexistent/data.json"])
        .output()
        .expect("sfsync runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/data.json"));
}

/// `sfsync demo --mapping examples/mapping-custom.toml` (issue 12): the custom fields of the
/// example document reach the other side, both ways, and the stories still raise every
/// message.
#[test]
fn the_demo_with_a_custom_mapping_shows_the_custom_values_on_both_sides() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/mapping-custom.toml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sfsync"))
        .args([
            "demo",
            "--accounts",
            "20",
            "--contacts",
            "40",
            "--mapping",
            example,
        ])
        .output()
        .expect("sfsync runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Custom fields of the mapping, on both sides"),
        "{stdout}"
    );
    // The picklist table: Gold ⇄ A, Silver ⇄ B, Bronze ⇄ C, from either side.
    for pair in [
        r#"Customer_Tier__c = "Gold"  ⇄  Company"#,
        r#"Tier = "A""#,
        r#"Customer_Tier__c = "Silver""#,
        r#"Tier = "B""#,
        r#"Loyalty_Number__c = "DEMO-SF-0""#,
        r#"LoyaltyNumber = "DEMO-SF-0""#,
    ] {
        assert!(stdout.contains(pair), "missing {pair:?} in\n{stdout}");
    }
    assert!(
        stdout.contains("Catalog messages raised: 10 of 10"),
        "{stdout}"
    );
}
