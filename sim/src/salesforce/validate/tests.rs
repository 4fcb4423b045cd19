//! Field errors of a write body, standard and custom fields.

use super::*;
use crate::salesforce::store::Writer;
use serde_json::json;

fn body(v: Value) -> Record {
    v.as_object().cloned().unwrap_or_default()
}

fn code(store: &Store, object: &str, v: Value) -> &'static str {
    fields(store, object, &body(v), Operation::Create).map_or_else(|e| e.code, |_| "OK")
}

#[test]
fn field_errors() {
    let s = Store::default();
    assert_eq!(code(&s, "Account", json!({"Name": "a"})), "OK");
    assert_eq!(code(&s, "Account", json!({"Nmae": "a"})), "INVALID_FIELD");
    assert_eq!(
        code(&s, "Account", json!({"SystemModstamp": "x"})),
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );
    assert_eq!(
        code(&s, "Account", json!({"Name": "x".repeat(256)})),
        "STRING_TOO_LONG"
    );
    assert_eq!(code(&s, "Account", json!({"Name": "é".repeat(255)})), "OK");
    assert_eq!(
        code(&s, "Account", json!({"AccountNumber": "1".repeat(41)})),
        "STRING_TOO_LONG"
    );
    assert_eq!(
        code(&s, "Contact", json!({"Email": "nobody"})),
        "INVALID_EMAIL_ADDRESS"
    );
    assert_eq!(code(&s, "Contact", json!({"Email": "a@b.co"})), "OK");
    assert_eq!(
        code(&s, "Contact", json!({"Email": ["a"]})),
        "JSON_PARSER_ERROR"
    );
    assert_eq!(code(&s, "Account", json!({"Phone": 5551234})), "OK");
}

#[test]
fn lookups() {
    let mut s = Store::default();
    let acct = s.put(
        "Account",
        None,
        &body(json!({"Name": "A"})),
        Writer::User("005"),
    );
    assert_eq!(
        code(&s, "Contact", json!({"AccountId": acct.as_str()})),
        "OK"
    );
    assert_eq!(
        code(&s, "Contact", json!({"AccountId": acct.to_15()})),
        "OK"
    );
    assert_eq!(
        code(&s, "Contact", json!({"AccountId": "NotReal"})),
        "MALFORMED_ID"
    );
    let contact = SalesforceId::from_parts("003", "8M0", 99);
    assert_eq!(
        code(&s, "Contact", json!({"AccountId": contact.as_str()})),
        "FIELD_INTEGRITY_EXCEPTION"
    );
    let ghost = SalesforceId::from_parts("001", "8M0", 99);
    assert_eq!(
        code(&s, "Contact", json!({"AccountId": ghost.as_str()})),
        "INVALID_CROSS_REFERENCE_KEY"
    );
}

fn custom(s: &mut Store, name: &str, kind: crate::salesforce::schema::CustomKind) {
    let f = crate::salesforce::schema::CustomField {
        name: name.into(),
        label: name.trim_end_matches("__c").into(),
        kind,
        external_id: false,
        unique: false,
        required: false,
    };
    s.schema.add_custom("Account", f).unwrap();
}

#[test]
fn custom_fields_are_validated_like_standard_ones() {
    use crate::salesforce::schema::CustomKind as K;
    let mut s = Store::default();
    custom(&mut s, "Code__c", K::Text { length: 5 });
    custom(
        &mut s,
        "Score__c",
        K::Number {
            precision: 5,
            scale: 2,
        },
    );
    custom(&mut s, "Vip__c", K::Checkbox);
    custom(
        &mut s,
        "Tier__c",
        K::Picklist {
            values: vec!["Gold".into(), "Silver".into()],
            restricted: true,
        },
    );
    custom(
        &mut s,
        "Tag__c",
        K::Picklist {
            values: vec!["A".into()],
            restricted: false,
        },
    );
    custom(&mut s, "Mail__c", K::Email);
    let table = [
        (json!({"Code__c": "12345"}), "OK"),
        (json!({"code__c": "123456"}), "STRING_TOO_LONG"),
        (json!({"Score__c": 999.994}), "OK"),
        (json!({"Score__c": "12.5"}), "OK"),
        (json!({"Score__c": 1000}), "NUMBER_OUTSIDE_VALID_RANGE"),
        (json!({"Score__c": "lots"}), "JSON_PARSER_ERROR"),
        (json!({"Score__c": true}), "JSON_PARSER_ERROR"),
        (json!({"Vip__c": true}), "OK"),
        (json!({"Vip__c": "FALSE"}), "OK"),
        (json!({"Vip__c": "yes"}), "JSON_PARSER_ERROR"),
        (json!({"Tier__c": "Gold"}), "OK"),
        (
            json!({"Tier__c": "Bronze"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (json!({"Tag__c": "anything"}), "OK"),
        (json!({"Mail__c": "not-mail"}), "INVALID_EMAIL_ADDRESS"),
        (json!({"Other__c": "x"}), "INVALID_FIELD"),
    ];
    for (b, want) in table {
        assert_eq!(code(&s, "Account", b.clone()), want, "{b}");
    }
    let out = fields(
        &s,
        "Account",
        &body(json!({"Score__c": "1.239", "Vip__c": null})),
        Operation::Create,
    )
    .unwrap();
    assert_eq!(out["Score__c"], json!(1.24));
    assert_eq!(out["Vip__c"], json!(false));
}

#[test]
fn field_security_hides_and_locks_fields() {
    use crate::salesforce::schema::FieldAccess;
    let mut s = Store::default();
    s.schema
        .set_access("Account", "Phone", FieldAccess::Hidden)
        .unwrap();
    s.schema
        .set_access("Account", "Fax", FieldAccess::ReadOnly)
        .unwrap();
    assert_eq!(code(&s, "Account", json!({"Phone": "1"})), "INVALID_FIELD");
    let e = fields(&s, "Account", &body(json!({"Fax": "1"})), Operation::Update).unwrap_err();
    assert_eq!(e.code, "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(e.fields, vec!["Fax".to_string()]);
    assert!(e.message.starts_with("Unable to update fields: Fax."));
}

#[test]
fn a_lookup_to_a_deleted_record_is_entity_is_deleted() {
    let mut s = Store::default();
    let acct = s.put(
        "Account",
        None,
        &body(json!({"Name": "A"})),
        Writer::User("005"),
    );
    let rec = s.stage_deleted("Account", &acct, true, "005").unwrap();
    s.commit("Account", rec);
    let e = fields(
        &s,
        "Contact",
        &body(json!({"AccountId": acct.as_str()})),
        Operation::Create,
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str(), e.fields.clone()),
        (
            "ENTITY_IS_DELETED",
            "entity is deleted",
            vec!["AccountId".to_string()]
        )
    );
}
