//! The verdict's shape, and which records a rule sends back.

use super::*;
use crate::salesforce::store::Writer;

fn rec(v: Value) -> Record {
    v.as_object().cloned().unwrap_or_default()
}

fn put(store: &mut Store, object: &'static str, v: Value) -> String {
    store
        .put(object, None, &rec(v), Writer::User("005"))
        .to_string()
}

const NONE: DuplicateOptions = DuplicateOptions {
    allow_save: false,
    include_record_details: false,
};

#[test]
fn body_matches_the_documented_shape() {
    let mut store = Store::default();
    let id = put(
        &mut store,
        "Account",
        json!({"Name": "Acme", "Phone": "415 555 0100"}),
    );
    let rules = Rules::default();
    let new = rec(json!({"Name": "ACME Inc", "Phone": "4155550100"}));
    let e = check(&rules, &store, "Account", &new, &new, NONE).unwrap_err();
    let body = e.rest_json();
    assert_eq!(body["errorCode"], "DUPLICATES_DETECTED");
    assert_eq!(body["message"], "Use one of these records?");
    let d = &body["duplicateResult"];
    assert_eq!(d["allowSave"], false);
    assert_eq!(d["duplicateRule"], "Standard_Account_Duplicate_Rule");
    assert_eq!(d["errorMessage"], ERROR_MESSAGE);
    let m = &d["matchResults"][0];
    assert_eq!(m["size"], 1);
    assert_eq!(m["rule"], "Standard_Account_Match_Rule_v1_0");
    assert_eq!(m["matchEngine"], "FuzzyMatchEngine");
    assert_eq!(m["matchRecords"][0]["matchConfidence"], 100.0);
    assert_eq!(m["matchRecords"][0]["record"]["Id"], id.as_str());
    assert!(m["matchRecords"][0]["record"].get("Name").is_none());
    let with = DuplicateOptions {
        include_record_details: true,
        ..NONE
    };
    let e = check(&rules, &store, "Account", &new, &new, with).unwrap_err();
    assert_eq!(
        e.rest_json()["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"]["Name"],
        "Acme"
    );
    let allow = DuplicateOptions {
        allow_save: true,
        ..NONE
    };
    assert!(check(&rules, &store, "Account", &new, &new, allow).is_ok());
}

#[test]
fn a_name_alone_is_no_duplicate_under_the_standard_rule_but_is_under_a_custom_one() {
    let mut store = Store::default();
    put(&mut store, "Account", json!({"Name": "Twin Industries"}));
    put(
        &mut store,
        "Contact",
        json!({"FirstName": "Pat", "LastName": "Shared", "Email": "s@x.io"}),
    );
    let mut rules = Rules::default();
    let twin = rec(json!({"Name": "Twin Industries"}));
    assert!(check(&rules, &store, "Account", &twin, &twin, NONE).is_ok());
    let other_person = rec(json!({"FirstName": "Alex", "LastName": "Shared", "Email": "S@X.io"}));
    assert!(check(
        &rules,
        &store,
        "Contact",
        &other_person,
        &other_person,
        NONE
    )
    .is_ok());
    rules.set_duplicate_rule_kind(
        "Contact",
        DuplicateRuleKind::Custom {
            fields: vec!["Email".into()],
        },
    );
    let e = check(
        &rules,
        &store,
        "Contact",
        &other_person,
        &other_person,
        NONE,
    )
    .unwrap_err();
    let d = e.duplicate_result.expect("verdict");
    assert_eq!(d["duplicateRule"], "Custom_Contact_Duplicate_Rule");
    assert_eq!(d["matchResults"][0]["matchEngine"], "ExactMatchEngine");
    rules.set_duplicate_rule_kind("Contact", DuplicateRuleKind::Off);
    assert!(check(
        &rules,
        &store,
        "Contact",
        &other_person,
        &other_person,
        NONE
    )
    .is_ok());
}

#[test]
fn the_contact_rule_can_match_leads_with_one_entry_per_type() {
    let mut store = Store::default();
    let lead = put(
        &mut store,
        "Lead",
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@x.io", "Company": "Analytical"}),
    );
    let mut rules = Rules::default();
    let new = rec(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@x.io"}));
    assert!(
        check(&rules, &store, "Contact", &new, &new, NONE).is_ok(),
        "Contacts only"
    );
    rules.set_contact_matches_leads(true);
    let e = check(&rules, &store, "Contact", &new, &new, NONE).unwrap_err();
    let results = e.duplicate_result.expect("verdict")["matchResults"].clone();
    assert_eq!(results[0]["entityType"], "Contact");
    assert_eq!(results[0]["rule"], "Standard_Contact_Match_Rule_v1_1");
    assert_eq!(results[0]["size"], 0);
    assert_eq!(results[1]["entityType"], "Lead");
    assert_eq!(results[1]["rule"], "Standard_Lead_Match_Rule_v1_0");
    assert_eq!(results[1]["size"], 1);
    assert_eq!(results[1]["matchRecords"][0]["record"]["Id"], lead.as_str());
    assert!(lead.starts_with("00Q"));
}

#[test]
fn updates_run_the_rule_only_when_a_matched_field_changes() {
    let mut store = Store::default();
    put(
        &mut store,
        "Contact",
        json!({"FirstName": "Ada", "LastName": "King", "Email": "ada@x.io"}),
    );
    let other = put(
        &mut store,
        "Contact",
        json!({"FirstName": "Ada", "LastName": "King"}),
    );
    let rules = Rules::default();
    let mut saved = store.get("Contact", &other).cloned().unwrap_or_default();
    saved.insert("Email".into(), json!("ada@x.io"));
    saved.insert("Description".into(), json!("notes"));
    let description = rec(json!({"Description": "notes"}));
    assert!(check(&rules, &store, "Contact", &saved, &description, NONE).is_ok());
    let email = rec(json!({"Email": "ada@x.io"}));
    assert!(check(&rules, &store, "Contact", &saved, &email, NONE).is_err());
    // A record never duplicates itself.
    let first = store
        .all_live("Contact")
        .next()
        .cloned()
        .unwrap_or_default();
    assert!(check(&rules, &store, "Contact", &first, &email, NONE).is_ok());
}

#[test]
fn deleted_records_are_no_duplicates() {
    let mut store = Store::default();
    let id = put(
        &mut store,
        "Account",
        json!({"Name": "Gone", "BillingCity": "Oslo"}),
    );
    let sid = shared::salesforce::SalesforceId::parse(&id).unwrap();
    let gone = store.stage_deleted("Account", &sid, true, "005").unwrap();
    store.commit("Account", gone);
    let new = rec(json!({"Name": "Gone", "BillingCity": "Oslo"}));
    assert!(check(&Rules::default(), &store, "Account", &new, &new, NONE).is_ok());
}
