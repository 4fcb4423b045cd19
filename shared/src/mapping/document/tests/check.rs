//! The checker on describes as Salesforce sends them: types, lengths, picklists, access,
//! required fields and the iPaaS.com field list. (Against the simulated org: tests/tests.)

use crate::mapping::document::{check, Finding, IpaasFields, Mapping, Severity, DEFAULT_DOCUMENT};
use crate::salesforce::Describe;
use serde_json::{json, Value};

fn field(name: &str, ty: &str, length: u32) -> Value {
    json!({"name": name, "type": ty, "length": length, "createable": true, "updateable": true,
           "nillable": true, "defaultedOnCreate": false})
}

fn describe(object: &str, extra: Vec<Value>) -> Describe {
    let mut fields = vec![
        json!({"name": "Id", "type": "id", "length": 18, "createable": false, "updateable": false, "nillable": false, "defaultedOnCreate": true}),
    ];
    let standard: &[(&str, &str, u32)] = match object {
        "Account" => &[
            ("Name", "string", 255),
            ("AccountNumber", "string", 40),
            ("Phone", "phone", 40),
            ("Fax", "phone", 40),
            ("Website", "url", 255),
            ("Description", "textarea", 32000),
            ("BillingStreet", "textarea", 255),
            ("BillingCity", "string", 40),
            ("BillingState", "string", 80),
            ("BillingPostalCode", "string", 20),
            ("BillingCountry", "string", 80),
            ("ShippingStreet", "textarea", 255),
            ("ShippingCity", "string", 40),
            ("ShippingState", "string", 80),
            ("ShippingPostalCode", "string", 20),
            ("ShippingCountry", "string", 80),
        ],
        _ => &[
            ("FirstName", "string", 40),
            ("LastName", "string", 80),
            ("Email", "email", 80),
            ("MailingStreet", "textarea", 255),
            ("MailingCity", "string", 40),
            ("MailingState", "string", 80),
            ("MailingPostalCode", "string", 20),
            ("MailingCountry", "string", 80),
        ],
    };
    for (n, t, l) in standard {
        let mut f = field(n, t, *l);
        if ["Name", "LastName"].contains(n) {
            f["nillable"] = json!(false);
        }
        fields.push(f);
    }
    fields.push(json!({"name": "AccountId", "type": "reference", "createable": true, "updateable": true, "nillable": true}));
    fields.extend(extra);
    serde_json::from_value(json!({"name": object, "fields": fields})).unwrap()
}

/// The built-in document with `extra` (inline tables, one per line) added to the Account
/// fields.
fn mapping(extra: &str) -> Mapping {
    let end = "  { salesforce = \"Description\", ipaas = \"description\" },\n";
    let doc = DEFAULT_DOCUMENT.replace(end, &format!("{end}{extra}\n"));
    Mapping::parse(&doc).unwrap()
}

fn findings(account: &str, extra: Vec<Value>) -> Vec<Finding> {
    check(
        &mapping(account),
        &describe("Account", extra),
        &describe("Contact", vec![]),
        &IpaasFields::known(),
    )
}

fn said(found: &[Finding], severity: Severity, text: &str) -> bool {
    found
        .iter()
        .any(|f| f.severity == severity && f.to_string() == text)
}

#[test]
fn the_default_fits_the_standard_objects() {
    let found = check(
        &Mapping::builtin(),
        &describe("Account", vec![]),
        &describe("Contact", vec![]),
        &IpaasFields::known(),
    );
    assert!(found.is_empty(), "{found:?}");
    assert!(Finding::stop_on_errors(&found).is_ok());
}

#[test]
fn types_that_text_cannot_fill() {
    let n = json!({"name": "NumberOfEmployees", "type": "int", "length": 0, "createable": true, "updateable": true, "nillable": true});
    let b = json!({"name": "Active__c", "type": "boolean", "createable": true, "updateable": true, "nillable": false, "defaultedOnCreate": true});
    let found = findings(
        r#"{ salesforce = "NumberOfEmployees", ipaas = "custom_fields.Staff" },
           { salesforce = "Active__c", ipaas = "custom_fields.Active", table = { "true" = "Y", "no" = "N" }, unknown = "skip" },
           { salesforce = "AnnualRevenue", ipaas = "custom_fields.Revenue", direction = "to_ipaas" },"#,
        vec![n, b, field("AnnualRevenue", "currency", 0)],
    );
    assert!(said(&found, Severity::Error, "Account.NumberOfEmployees holds int values, and text from iPaaS.com custom_fields.Staff cannot go into it; map it to_ipaas only, or give a value table of int values."), "{found:#?}");
    assert!(said(&found, Severity::Error, "Account.Active__c holds boolean values, and \"no\" from iPaaS.com custom_fields.Active is not one."), "{found:#?}");
    // "true" is a boolean value, and reading a number to iPaaS.com is fine.
    assert_eq!(found.len(), 2, "{found:#?}");
    let e = Finding::stop_on_errors(&found).unwrap_err().to_string();
    assert!(e.starts_with("environment variable MAPPING_PARAMETER has an unusable value: the mapping does not fit this org: Account.NumberOfEmployees"), "{e}");
}

#[test]
fn picklists_lengths_and_access() {
    let tier = json!({"name": "Customer_Tier__c", "type": "picklist", "length": 255, "createable": true, "updateable": true, "nillable": true, "restrictedPicklist": true,
                      "picklistValues": [{"value": "Gold", "active": true}, {"value": "Silver", "active": true}, {"value": "Bronze", "active": false}]});
    let code = field("Code__c", "string", 10);
    let formula = json!({"name": "Score__c", "type": "string", "length": 10, "createable": false, "updateable": false, "nillable": true});
    let found = findings(
        r#"{ salesforce = "Customer_Tier__c", ipaas = "custom_fields.Tier", table = { Gold = "G", Bronze = "B" }, unknown = "skip" },
           { salesforce = "Code__c", ipaas = "custom_fields.Code", max_length = 12 },
           { salesforce = "Score__c", ipaas = "custom_fields.Score" },
           { salesforce = "Missing__c", ipaas = "custom_fields.X" },
           { salesforce = "Source__c", constant = "far too long a value" },"#,
        vec![tier, code, formula, field("Source__c", "string", 5)],
    );
    for (severity, text) in [
        (Severity::Error, "Account.Customer_Tier__c is a picklist without the value \"Bronze\", which iPaaS.com custom_fields.Tier can write."),
        (Severity::Error, "Account.Code__c holds at most 10 characters, fewer than max_length = 12."),
        (Severity::Error, "Account.Score__c is not createable or updateable for the integration user, and the mapping writes it with iPaaS.com custom_fields.Score."),
        (Severity::Error, "Account.Missing__c does not exist in the org, or the integration user cannot see it (field-level security)."),
        (Severity::Error, "Account.Source__c holds at most 5 characters, and \"far too long a value\" from the constant is longer."),
    ] {
        assert!(said(&found, severity, text), "{text}\n{found:#?}");
    }
    assert_eq!(found.len(), 5, "{found:#?}");
    // Findings carry the entry's line, errors first.
    assert!(found.iter().all(|f| f.line > 0 && f.is_error()));
}

#[test]
fn ipaas_fields_and_required_salesforce_fields() {
    let required = json!({"name": "Region__c", "type": "string", "length": 20, "createable": true, "updateable": true, "nillable": false, "defaultedOnCreate": false});
    let found = findings(
        r#"{ salesforce = "Site", ipaas = "telephone", direction = "to_ipaas" },
           { salesforce = "Main_Phone__c", ipaas = "email_address", direction = "to_ipaas" },"#,
        vec![
            required,
            field("Site", "string", 80),
            field("Main_Phone__c", "phone", 40),
        ],
    );
    assert!(said(&found, Severity::Error, "Company.telephone is not a field of an iPaaS.com Company (a custom field is named custom_fields.<Name>)."), "{found:#?}");
    assert!(said(&found, Severity::Warning, "Company.email_address must hold an e-mail address, and Account.Main_Phone__c is a phone field: other values will be refused."), "{found:#?}");
    assert!(said(&found, Severity::Warning, "Account.Region__c is required to create a Account, and the mapping writes nothing to it from iPaaS.com: every create will be refused."), "{found:#?}");
    assert_eq!(found.len(), 3, "{found:#?}");
    // An iPaaS.com field list without the field: the check reads the list it is given.
    let mut ipaas = IpaasFields::known();
    ipaas.company.retain(|f| f.name != "url");
    let found = check(
        &Mapping::builtin(),
        &describe("Account", vec![]),
        &describe("Contact", vec![]),
        &ipaas,
    );
    assert_eq!(found.iter().map(|f| f.to_string()).collect::<Vec<_>>(), ["Company.url is not a field of an iPaaS.com Company (a custom field is named custom_fields.<Name>)."]);
}
