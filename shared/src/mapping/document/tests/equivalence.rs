//! The built-in document reproduces today's mapping functions exactly, over a generated
//! corpus: the iPaaS.com record written (with and without the merge's field choice), the
//! Salesforce fields written, and the values the merge compares on both sides.

use super::corpus;
use crate::flows::merge::values;
use crate::ipaas::{Company, Customer};
use crate::mapping::document::{Direction, Mapping};
use crate::mapping::legacy::{
    account_to_company, company_to_account, contact_to_customer, customer_to_contact,
};
use crate::records::{Account, Contact};
use crate::salesforce::SalesforceId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const CASES: usize = 3000;

/// A record as the typed code would send it (absent and null alike are left out).
fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Value {
    let t: T = serde_json::from_value(v.clone()).expect("a record the typed code reads");
    serde_json::to_value(t).unwrap()
}

fn sf_fields(fields: Vec<String>) -> Vec<String> {
    let system = ["Id", "SystemModstamp", "CreatedById", "CreatedDate"];
    fields
        .into_iter()
        .filter(|f| !system.contains(&f.as_str()))
        .collect()
}

#[test]
fn account_to_company_is_reproduced() {
    let m = Mapping::builtin();
    let pair = m.account();
    let mut rng = StdRng::seed_from_u64(12);
    let names = sf_fields(Account::soql_fields());
    for case in 0..CASES {
        let row = corpus::account_row(&mut rng);
        let existing = rng.gen_bool(0.7).then(|| corpus::company(&mut rng));
        let only = corpus::only(&mut rng, &names);
        let account = Account::from_fields(&row);
        let existing_typed: Option<Company> = existing
            .as_ref()
            .map(|e| serde_json::from_value(e.clone()).unwrap());
        let want = serde_json::to_value(account_to_company(
            &account,
            existing_typed.as_ref(),
            only.as_ref(),
        ))
        .unwrap();

        let source = pair.salesforce_values(&row, Direction::ToIpaas);
        assert_eq!(
            source,
            values(&account.to_fields()),
            "case {case}: source values of {row:?}"
        );
        let got = pair
            .write_ipaas(existing.as_ref(), &source, only.as_ref())
            .unwrap();
        assert_eq!(
            typed::<Company>(&got),
            want,
            "case {case}: {row:?} over {existing:?} with {only:?}"
        );
    }
}

#[test]
fn company_to_account_is_reproduced() {
    let m = Mapping::builtin();
    let pair = m.account();
    let mut rng = StdRng::seed_from_u64(13);
    let names = sf_fields(Account::soql_fields());
    for case in 0..CASES {
        let record = corpus::company(&mut rng);
        let company: Company = serde_json::from_value(record.clone()).unwrap();
        let fields = company_to_account(&company).to_fields();
        for d in [Direction::FromIpaas, Direction::ToIpaas] {
            let got = pair.ipaas_values(&record, d).unwrap();
            assert_eq!(got, values(&fields), "case {case} {d}: {record}");
        }
        let source = pair.ipaas_values(&record, Direction::FromIpaas).unwrap();
        assert_eq!(
            pair.write_salesforce(&source, None).unwrap(),
            fields,
            "case {case}"
        );
        let only: BTreeSet<String> = corpus::only(&mut rng, &names).unwrap_or_default();
        let mut want = fields.clone();
        want.retain(|k, _| only.contains(k));
        assert_eq!(
            pair.write_salesforce(&source, Some(&only)).unwrap(),
            want,
            "case {case}"
        );
    }
}

#[test]
fn contact_to_customer_is_reproduced() {
    let m = Mapping::builtin();
    let pair = m.contact();
    let mut rng = StdRng::seed_from_u64(14);
    let names = sf_fields(Contact::soql_fields());
    for case in 0..CASES {
        let row = corpus::contact_row(&mut rng);
        let existing = rng.gen_bool(0.7).then(|| corpus::customer(&mut rng));
        let only = corpus::only(&mut rng, &names);
        let company_id = rng.gen_bool(0.8).then(|| rng.gen_range(1..50u64));
        let contact = Contact::from_fields(&row);
        let existing_typed: Option<Customer> = existing
            .as_ref()
            .map(|e| serde_json::from_value(e.clone()).unwrap());
        let want = serde_json::to_value(contact_to_customer(
            &contact,
            existing_typed.as_ref(),
            company_id,
            only.as_ref(),
        ))
        .unwrap();

        let source = pair.salesforce_values(&row, Direction::ToIpaas);
        assert_eq!(
            source,
            values(&contact.to_fields()),
            "case {case}: source values of {row:?}"
        );
        let mut got = pair
            .write_ipaas(existing.as_ref(), &source, only.as_ref())
            .unwrap();
        // The relationship, as the flows set it beside the document.
        if let Some(id) = row.get("Id").and_then(Value::as_str) {
            got["customer_number"] = json!(SalesforceId::parse(id).unwrap().to_string());
        }
        let wants_account = only.as_ref().is_none_or(|o| o.contains("AccountId"));
        if let (Some(c), true) = (company_id, wants_account) {
            got["company_id"] = json!(c);
        }
        assert_eq!(
            typed::<Customer>(&got),
            want,
            "case {case}: {row:?} over {existing:?} with {only:?}"
        );
    }
}

#[test]
fn customer_to_contact_is_reproduced() {
    let m = Mapping::builtin();
    let pair = m.contact();
    let mut rng = StdRng::seed_from_u64(15);
    let names = sf_fields(Contact::soql_fields());
    for case in 0..CASES {
        let record = corpus::customer(&mut rng);
        let customer: Customer = serde_json::from_value(record.clone()).unwrap();
        // The flows find the Account through the Company's link; here, sometimes one.
        let account = rng
            .gen_bool(0.6)
            .then(|| SalesforceId::parse(&corpus::sf_id(&mut rng, "001")).unwrap());
        let fields = customer_to_contact(&customer, account.clone()).to_fields();
        let without = customer_to_contact(&customer, None).to_fields();
        for d in [Direction::FromIpaas, Direction::ToIpaas] {
            assert_eq!(
                pair.ipaas_values(&record, d).unwrap(),
                values(&without),
                "case {case} {d}: {record}"
            );
        }
        let mut source = pair.ipaas_values(&record, Direction::FromIpaas).unwrap();
        if let Some(a) = &account {
            source.insert("AccountId".into(), a.to_string());
        }
        assert_eq!(
            pair.write_salesforce(&source, None).unwrap(),
            fields,
            "case {case}"
        );
        let only: BTreeSet<String> = corpus::only(&mut rng, &names).unwrap_or_default();
        let mut want = fields.clone();
        want.retain(|k, _| only.contains(k));
        assert_eq!(
            pair.write_salesforce(&source, Some(&only)).unwrap(),
            want,
            "case {case}"
        );
    }
}

#[test]
fn field_lists_are_todays() {
    let m = Mapping::builtin();
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(set(m.account().soql_fields()), set(Account::soql_fields()));
    assert_eq!(set(m.contact().soql_fields()), set(Contact::soql_fields()));
    for d in [Direction::ToIpaas, Direction::FromIpaas] {
        assert_eq!(
            set(m.account().fields(d)),
            set(sf_fields(Account::soql_fields()))
        );
        assert_eq!(
            set(m.contact().fields(d)),
            set(sf_fields(Contact::soql_fields()))
        );
    }
}

/// The records whose shape today's typed code could not read are refused with the field
/// named, never a panic.
#[test]
fn malformed_records_name_the_field() {
    let m = Mapping::builtin();
    let e = m
        .account()
        .ipaas_values(&json!([1]), Direction::FromIpaas)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Company record cannot be mapped: the record is not a JSON object"),
        "{e}"
    );
    let e = m
        .account()
        .ipaas_values(&json!({"addresses": "x"}), Direction::FromIpaas)
        .unwrap_err();
    assert!(e.to_string().contains("addresses is not a list"), "{e}");
    let values = [("BillingCity".to_string(), "Oslo".to_string())].into();
    let e = m
        .account()
        .write_ipaas(Some(&json!({"addresses": 3})), &values, None)
        .unwrap_err();
    assert!(e.to_string().contains("addresses is not a list"), "{e}");
}
