//! The standard equations, clause by clause.

use super::*;
use serde_json::json;

fn rec(v: Value) -> Record {
    v.as_object().cloned().unwrap_or_default()
}

fn person(v: &Record) -> Person<'_> {
    Person {
        rec: v,
        account: "",
    }
}

#[test]
fn contacts_match_on_names_plus_one_more_thing() {
    let old = rec(
        json!({"FirstName": "Robert", "LastName": "Smith", "Email": "bob@acme.io",
                         "Phone": "415-555-1234", "MailingStreet": "12 Main Street",
                         "MailingCity": "Springfield", "Title": "Vice President"}),
    );
    let matches = [
        json!({"FirstName": "Bob", "LastName": "smith", "Email": "BOB@acme.io"}),
        json!({"LastName": "Smith", "Email": "bob@acme.io"}),
        json!({"FirstName": "Rob", "LastName": "Smith", "Phone": "(415) 555 1234"}),
        json!({"FirstName": "R", "LastName": "Smith", "MailingStreet": "12 main st", "MailingCity": "SPRINGFIELD"}),
        json!({"FirstName": "Robert", "LastName": "Smith", "MailingStreet": "12 Main St", "Title": "VP"}),
        json!({"FirstName": "Smith", "LastName": "Robert", "Email": "bob@acme.io"}),
    ];
    for m in matches {
        assert!(same_person(&person(&rec(m.clone())), &person(&old)), "{m}");
    }
    let misses = [
        json!({"FirstName": "Alice", "LastName": "Smith", "Email": "bob@acme.io"}),
        json!({"FirstName": "Robert", "LastName": "Smyth", "Email": "bob@acme.io"}),
        json!({"FirstName": "Robert", "LastName": "Smith"}),
        json!({"FirstName": "Robert", "LastName": "Smith", "MailingStreet": "12 Main Street"}),
        json!({"FirstName": "Robert", "LastName": "Smith", "Email": "other@acme.io"}),
        json!({"Email": "bob@acme.io", "LastName": "Jones"}),
    ];
    for m in misses {
        assert!(!same_person(&person(&rec(m.clone())), &person(&old)), "{m}");
    }
}

#[test]
fn title_and_account_name_confirm_a_name() {
    let old = rec(json!({"FirstName": "Ada", "LastName": "Byron", "Title": "Director"}));
    let new = rec(json!({"FirstName": "Ada", "LastName": "Byron", "Title": "director"}));
    let at = |rec, account| Person { rec, account };
    assert!(same_person(&at(&new, "Acme Inc"), &at(&old, "ACME")));
    assert!(!same_person(&at(&new, "Acme Inc"), &at(&old, "Globex")));
    assert!(!same_person(&at(&new, ""), &at(&old, "")));
}

#[test]
fn accounts_match_on_a_similar_name_plus_an_address_or_contact_point() {
    let old = rec(
        json!({"Name": "Acme, Inc.", "BillingCity": "Paris", "Phone": "+1 415 555 0100",
                         "Website": "https://www.acme.example", "BillingStreet": "1 Rue de la Paix"}),
    );
    for m in [
        json!({"Name": "ACME Incorporated", "BillingCity": "paris"}),
        json!({"Name": "Acme", "Phone": "415-555-0100"}),
        json!({"Name": "Acme Corp", "Website": "acme.example/contact"}),
        json!({"Name": "acme", "BillingStreet": "1 rue de la paix"}),
    ] {
        assert!(same_account(&rec(m.clone()), &old), "{m}");
    }
    for m in [
        json!({"Name": "Acme"}),
        json!({"Name": "Apex", "BillingCity": "Paris"}),
        json!({"Name": "Acme", "BillingCity": "Lyon", "Website": "acme.test"}),
    ] {
        assert!(!same_account(&rec(m.clone()), &old), "{m}");
    }
}

#[test]
fn custom_rules_need_every_field() {
    let old = rec(json!({"Email": "A@x.io", "LastName": "L"}));
    assert!(same_fields(
        &["Email"],
        &rec(json!({"Email": "a@X.io "})),
        &old
    ));
    assert!(!same_fields(
        &["Email", "LastName"],
        &rec(json!({"Email": "a@x.io"})),
        &old
    ));
    assert!(!same_fields(&["Email"], &rec(json!({})), &rec(json!({}))));
}

#[test]
fn index_keys_meet_probe_keys() {
    let old = rec(json!({"FirstName": "Ada", "LastName": "Lovelace"}));
    let new = rec(json!({"FirstName": "Lovelace", "LastName": "Ada"}));
    let stored = keys("Contact", &old);
    assert_eq!(stored, vec!["Contact|lovelace".to_string()]);
    assert!(probe_keys("Contact", &new)
        .iter()
        .any(|k| stored.contains(k)));
    assert!(probe_keys("Lead", &new)
        .iter()
        .all(|k| k.starts_with("Lead|")));
    assert_eq!(
        keys("Account", &rec(json!({"Name": "The Acme Co"}))),
        vec!["Account|acm".to_string()]
    );
}
