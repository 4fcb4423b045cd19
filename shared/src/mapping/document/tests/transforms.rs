//! Every transform, both directions, the three policies for a value the table does not
//! list, max_length's two policies, constants, and custom fields on the wire.

use crate::mapping::document::{Direction, Mapping, MappingError, Values, DEFAULT_DOCUMENT};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn mapping(account_fields: &str) -> Mapping {
    let contact = &DEFAULT_DOCUMENT[DEFAULT_DOCUMENT.find("[contact]").unwrap()..];
    Mapping::parse(&format!(
        "version = 1\n[account]\n{account_fields}\n{contact}"
    ))
    .unwrap()
}

fn v(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn tier(rules: &str) -> Mapping {
    mapping(&format!(
        "[[account.fields]]\nsalesforce = \"Customer_Tier__c\"\nipaas = \"custom_fields.Tier\"\n{rules}"
    ))
}

fn company_with_tier(value: &str) -> Value {
    json!({"name": "Acme", "custom_fields": [{"id": 9, "name": "tier", "value": value}]})
}

#[test]
fn case_transforms_run_in_their_direction() {
    let m = mapping(
        "fields = [\n\
         { salesforce = \"Name\", ipaas = \"name\", to_ipaas = { transform = [\"upper\"] }, from_ipaas = { transform = [\"trim\", \"lower\"] } },\n\
         { salesforce = \"Description\", ipaas = \"description\", transform = [\"lower\"] },\n]",
    );
    let p = m.account();
    let out = p
        .write_ipaas(
            None,
            &v(&[("Name", "Acme ünï"), ("Description", "MiXeD")]),
            None,
        )
        .unwrap();
    assert_eq!(out["name"], "ACME ÜNÏ");
    assert_eq!(out["description"], "mixed");
    let back = p
        .ipaas_values(
            &json!({"name": "  ACME Corp ", "description": "ÄBC"}),
            Direction::FromIpaas,
        )
        .unwrap();
    assert_eq!(back, v(&[("Name", "acme corp"), ("Description", "äbc")]));
}

#[test]
fn a_value_table_reads_both_ways_and_custom_fields_keep_their_shape() {
    let m = tier("table = { Gold = \"G\", Silver = \"S\" }\nunknown = \"skip\"");
    let p = m.account();
    // Salesforce → iPaaS.com: the existing custom field (its name in any case) is updated
    // in place, its other keys and the other custom fields kept.
    let existing = json!({"name": "Acme", "custom_fields": [
        {"name": "Shoe", "value": "38"}, {"id": 9, "name": "TIER", "value": "S"}]});
    let out = p
        .write_ipaas(Some(&existing), &v(&[("Customer_Tier__c", "Gold")]), None)
        .unwrap();
    assert_eq!(
        out["custom_fields"],
        json!([{"name": "Shoe", "value": "38"}, {"id": 9, "name": "TIER", "value": "G"}])
    );
    // A record without it gets one.
    let out = p
        .write_ipaas(None, &v(&[("Customer_Tier__c", "Silver")]), None)
        .unwrap();
    assert_eq!(
        out["custom_fields"],
        json!([{"name": "Tier", "value": "S"}])
    );
    // iPaaS.com → Salesforce: the table read backwards.
    let back = p
        .ipaas_values(&company_with_tier(" S "), Direction::FromIpaas)
        .unwrap();
    assert_eq!(
        back.get("Customer_Tier__c").map(String::as_str),
        Some("Silver")
    );
    assert_eq!(
        p.write_salesforce(&back, None).unwrap()["Customer_Tier__c"],
        "Silver"
    );
    // Not a list: refused with the field named.
    let e = p
        .write_ipaas(
            Some(&json!({"custom_fields": {"Tier": "G"}})),
            &v(&[("Customer_Tier__c", "Gold")]),
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("custom_fields is not a list"), "{e}");
}

#[test]
fn unknown_values_skip_fail_or_default() {
    // skip: the field is left out, both ways.
    let m = tier("table = { Gold = \"G\" }\nunknown = \"skip\"");
    let p = m.account();
    let back = p
        .ipaas_values(&company_with_tier("X"), Direction::FromIpaas)
        .unwrap();
    assert!(!back.contains_key("Customer_Tier__c"), "{back:?}");
    let out = p
        .write_ipaas(None, &v(&[("Customer_Tier__c", "Bronze")]), None)
        .unwrap();
    assert!(out.get("custom_fields").is_none(), "{out}");

    // fail: an error naming the object, the field, the iPaaS.com field and the value.
    let m = tier("table = { Gold = \"G\" }\nunknown = \"fail\"");
    let p = m.account();
    let e = p
        .ipaas_values(&company_with_tier("X"), Direction::FromIpaas)
        .unwrap_err();
    assert!(
        matches!(&e, MappingError::UnknownValue { field, value, direction: Direction::FromIpaas, .. } if field == "Customer_Tier__c" && value == "X"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "Account.Customer_Tier__c ⇄ Company.custom_fields.Tier: the value \"X\" is not in the value table (from iPaaS.com), and the mapping says unknown = \"fail\""
    );
    let e = p
        .write_ipaas(None, &v(&[("Customer_Tier__c", "Bronze")]), None)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("\"Bronze\" is not in the value table (to iPaaS.com)"),
        "{e}"
    );

    // default: per direction, in that direction's terms.
    let m = tier(
        "table = { Gold = \"G\" }\nunknown = \"fail\"\n\
         [account.fields.to_ipaas]\nunknown = { default = \"OTHER\" }\n\
         [account.fields.from_ipaas]\nunknown = { default = \"Standard\" }",
    );
    let p = m.account();
    let back = p
        .ipaas_values(&company_with_tier("X"), Direction::FromIpaas)
        .unwrap();
    assert_eq!(back["Customer_Tier__c"], "Standard");
    let back = p
        .ipaas_values(&company_with_tier("G"), Direction::FromIpaas)
        .unwrap();
    assert_eq!(back["Customer_Tier__c"], "Gold");
    let out = p
        .write_ipaas(None, &v(&[("Customer_Tier__c", "Bronze")]), None)
        .unwrap();
    assert_eq!(out["custom_fields"][0]["value"], "OTHER");
}

#[test]
fn transforms_run_before_the_table_and_max_length_last() {
    let m = tier(
        "direction = \"from_ipaas\"\n[account.fields.from_ipaas]\ntransform = [\"lower\"]\n\
         table = { gold = \"Gold Level Customer\" }\nunknown = \"skip\"\nmax_length = 10\noverflow = \"truncate\"",
    );
    let back = m
        .account()
        .ipaas_values(&company_with_tier("GOLD"), Direction::FromIpaas)
        .unwrap();
    // Cut to 10 ("Gold Level") and trimmed.
    assert_eq!(back["Customer_Tier__c"], "Gold Level");
}

#[test]
fn max_length_truncates_or_fails_and_guards_salesforce_writes() {
    let m = mapping("fields = [{ salesforce = \"Name\", ipaas = \"name\", max_length = 5, overflow = \"truncate\" }]");
    let p = m.account();
    let out = p
        .write_ipaas(None, &v(&[("Name", "Ünïcødé Co")]), None)
        .unwrap();
    assert_eq!(out["name"], "Ünïcø");
    let back = p
        .ipaas_values(&json!({"name": "日本語の会社名"}), Direction::FromIpaas)
        .unwrap();
    assert_eq!(back["Name"], "日本語の会");

    let m = mapping("fields = [{ salesforce = \"Name\", ipaas = \"name\", max_length = 5 }]");
    let p = m.account();
    let e = p
        .write_ipaas(None, &v(&[("Name", "Too long")]), None)
        .unwrap_err();
    assert!(
        matches!(
            e,
            MappingError::TooLong {
                length: 8,
                max: 5,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("Account.Name ⇄ Company.name: the value is 8 characters, more than max_length = 5 (to iPaaS.com)"), "{e}");
    let e = p
        .write_salesforce(&v(&[("Name", "Too long")]), None)
        .unwrap_err();
    assert!(e.to_string().contains("(from iPaaS.com)"), "{e}");
    // Exactly the limit passes.
    assert_eq!(
        p.write_salesforce(&v(&[("Name", "Fives")]), None).unwrap()["Name"],
        "Fives"
    );
}

#[test]
fn constants_go_with_every_write_of_their_side() {
    let m = mapping(
        "fields = [\n{ salesforce = \"Name\", ipaas = \"name\" },\n\
         { salesforce = \"Source__c\", constant = \"iPaaS.com\" },\n\
         { ipaas = \"custom_fields.Origin\", constant = \"Salesforce\" },\n]",
    );
    let p = m.account();
    let only: BTreeSet<String> = ["Name".to_string()].into();
    let sf = p
        .write_salesforce(&v(&[("Name", "Acme")]), Some(&only))
        .unwrap();
    assert_eq!(
        sf,
        json!({"Name": "Acme", "Source__c": "iPaaS.com"})
            .as_object()
            .unwrap()
            .clone()
    );
    let out = p
        .write_ipaas(
            Some(&json!({"name": "Old", "url": "u"})),
            &v(&[("Name", "Acme")]),
            Some(&BTreeSet::new()),
        )
        .unwrap();
    assert_eq!(
        out,
        json!({"name": "Old", "url": "u", "custom_fields": [{"name": "Origin", "value": "Salesforce"}]})
    );
    // Constants are written, never compared.
    assert_eq!(p.fields(Direction::FromIpaas), ["Name"]);
    assert!(!p.soql_fields().contains(&"Source__c".to_string()));
}

#[test]
fn one_way_mappings_read_back_for_comparison_only() {
    // A one-way, many-to-one table: the iPaaS.com value is read back through the reversed
    // table where it can be, and left out where it cannot (it never fails a TO sync).
    let m = tier(
        "direction = \"to_ipaas\"\ntable = { Gold = \"G\", Silver = \"S\" }\nunknown = \"fail\"",
    );
    let p = m.account();
    assert_eq!(
        p.ipaas_values(&company_with_tier("G"), Direction::ToIpaas)
            .unwrap()["Customer_Tier__c"],
        "Gold"
    );
    assert!(!p
        .ipaas_values(&company_with_tier("Z"), Direction::ToIpaas)
        .unwrap()
        .contains_key("Customer_Tier__c"));
    assert!(!p
        .ipaas_values(&company_with_tier("G"), Direction::FromIpaas)
        .unwrap()
        .contains_key("Customer_Tier__c"));
    assert!(p
        .write_salesforce(&v(&[("Customer_Tier__c", "Gold")]), None)
        .unwrap()
        .is_empty());
    assert_eq!(p.fields(Direction::FromIpaas), Vec::<String>::new());
}

#[test]
fn salesforce_values_read_any_case_and_scalars() {
    let m = mapping("fields = [\n{ salesforce = \"Customer_Tier__c\", ipaas = \"custom_fields.Tier\" },\n{ salesforce = \"NumberOfEmployees\", ipaas = \"custom_fields.Staff\", direction = \"to_ipaas\" },\n{ salesforce = \"Active__c\", ipaas = \"custom_fields.Active\", direction = \"to_ipaas\" },\n]");
    let row = json!({"Id": "001000000000001", "customer_tier__c": " Gold ", "NumberOfEmployees": 250, "Active__c": false});
    let got = m
        .account()
        .salesforce_values(row.as_object().unwrap(), Direction::ToIpaas);
    assert_eq!(
        got,
        v(&[
            ("Customer_Tier__c", "Gold"),
            ("NumberOfEmployees", "250"),
            ("Active__c", "false")
        ])
    );
    let got = m
        .account()
        .salesforce_values(row.as_object().unwrap(), Direction::FromIpaas);
    assert_eq!(got, v(&[("Customer_Tier__c", "Gold")]));
}
