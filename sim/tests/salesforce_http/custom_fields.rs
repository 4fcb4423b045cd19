//! Custom fields, describe, field-level security and the limits resource.

use super::*;
use sim::salesforce::{CustomField, CustomKind, FieldAccess};

fn field(name: &str, kind: CustomKind) -> CustomField {
    CustomField {
        name: name.into(),
        label: name.trim_end_matches("__c").replace('_', " "),
        kind,
        external_id: false,
        unique: false,
        required: false,
    }
}

async fn add_account_fields(org: &Org) {
    let fields = [
        field(
            "Tier__c",
            CustomKind::Picklist {
                values: vec!["Gold".into(), "Silver".into()],
                restricted: true,
            },
        ),
        field(
            "Score__c",
            CustomKind::Number {
                precision: 5,
                scale: 2,
            },
        ),
        field("Vip__c", CustomKind::Checkbox),
        CustomField {
            unique: true,
            ..field("Code__c", CustomKind::Text { length: 5 })
        },
    ];
    for f in fields {
        org.sim.add_custom_field("Account", f).expect("added");
    }
}

#[tokio::test]
async fn custom_fields_are_readable_writable_and_validated() {
    let org = Org::default().await;
    add_account_fields(&org).await;
    let body = json!({"Name": "Acme", "Tier__c": "Gold", "Score__c": "12.345", "Vip__c": true, "Code__c": "AC-1"});
    let (status, created) = parts(org.post("/sobjects/Account", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let (_, rec) = parts(
        org.get(&format!(
            "/sobjects/Account/{id}?fields=tier__c,Score__c,Vip__c"
        ))
        .await,
    )
    .await;
    assert_eq!(
        (&rec["Tier__c"], &rec["Score__c"], &rec["Vip__c"]),
        (&json!("Gold"), &json!(12.35), &json!(true))
    );
    let (status, page) = parts(
        org.query("SELECT Id, Code__c FROM Account WHERE Tier__c = 'Gold' AND Score__c > 12 AND Vip__c = true")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["records"][0]["Code__c"], "AC-1");

    let cases = [
        (
            json!({"Name": "x", "Code__c": "TOO-LONG"}),
            "STRING_TOO_LONG",
        ),
        (
            json!({"Name": "x", "Tier__c": "Bronze"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (
            json!({"Name": "x", "Score__c": "high"}),
            "JSON_PARSER_ERROR",
        ),
        (
            json!({"Name": "x", "Score__c": 1000}),
            "NUMBER_OUTSIDE_VALID_RANGE",
        ),
        (json!({"Name": "x", "Nope__c": 1}), "INVALID_FIELD"),
        (json!({"Name": "x", "Code__c": "ac-1"}), "DUPLICATE_VALUE"),
    ];
    for (body, code) in cases {
        let (status, err) = parts(org.post("/sobjects/Account", &body).await).await;
        assert_eq!(
            (status, err[0]["errorCode"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }
    let (_, err) = parts(
        org.post(
            "/sobjects/Account",
            &json!({"Name": "Other", "Code__c": "AC-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        err[0]["message"],
        format!("duplicate value found: Code__c duplicates value on record with id: {id}")
    );
    let (_, other) = parts(
        org.post("/sobjects/Account", &json!({"Name": "Other"}))
            .await,
    )
    .await;
    let other = other["id"].as_str().expect("id");
    let r = org
        .patch(
            &format!("/sobjects/Account/{other}"),
            &json!({"Code__c": "AC-1"}),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "DUPLICATE_VALUE".into())
    );
    assert_eq!(
        error_code(org.query("SELECT Nope__c FROM Account").await)
            .await
            .1,
        "INVALID_FIELD"
    );
}

#[tokio::test]
async fn custom_fields_come_in_through_the_admin_api_too() {
    let org = Org::default().await;
    let url = format!("{}/__sim/fields/Contact", org.sim.url());
    let body = json!({"name": "Tier__c", "label": "Tier", "required": true,
                      "kind": {"type": "text", "length": 10}});
    let r = org.http.post(&url).json(&body).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, err) = parts(org.http.post(&url).json(&body).send().await.expect("sent")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"]
            .as_str()
            .is_some_and(|e| e.contains("already has")),
        "{err}"
    );
    let bad = json!({"name": "NoSuffix", "label": "x", "kind": {"type": "email"}});
    let r = org.http.post(&url).json(&bad).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (status, err) = parts(
        org.post("/sobjects/Contact", &json!({"LastName": "L"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(err[0]["fields"], json!(["Tier__c"]));
}

fn by_name<'a>(describe: &'a Value, name: &str) -> Option<&'a Value> {
    describe["fields"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)
}

#[tokio::test]
async fn describe_reports_types_lengths_and_security() {
    let org = Org::default().await;
    add_account_fields(&org).await;
    org.sim
        .add_custom_field(
            "Account",
            CustomField {
                external_id: true,
                ..field("Ext__c", CustomKind::Text { length: 40 })
            },
        )
        .expect("added");
    let (status, d) = parts(org.get("/sobjects/Account/describe").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            &d["name"],
            &d["keyPrefix"],
            &d["custom"],
            &d["createable"],
            &d["queryable"]
        ),
        (
            &json!("Account"),
            &json!("001"),
            &json!(false),
            &json!(true),
            &json!(true)
        )
    );
    let types = [
        ("Id", "id"),
        ("Name", "string"),
        ("Phone", "phone"),
        ("Fax", "phone"),
        ("Website", "url"),
        ("Description", "textarea"),
        ("BillingStreet", "textarea"),
        ("BillingCity", "string"),
        ("SystemModstamp", "datetime"),
        ("IsDeleted", "boolean"),
        ("CreatedById", "reference"),
        ("Tier__c", "picklist"),
        ("Score__c", "double"),
        ("Vip__c", "boolean"),
    ];
    for (name, ty) in types {
        assert_eq!(
            by_name(&d, name).map(|f| f["type"].clone()),
            Some(json!(ty)),
            "{name}"
        );
    }
    let name = by_name(&d, "Name").expect("Name");
    assert_eq!(
        (
            &name["length"],
            &name["nillable"],
            &name["createable"],
            &name["custom"]
        ),
        (&json!(255), &json!(false), &json!(true), &json!(false))
    );
    let id = by_name(&d, "Id").expect("Id");
    assert_eq!(
        (&id["createable"], &id["idLookup"]),
        (&json!(false), &json!(true))
    );
    let score = by_name(&d, "Score__c").expect("Score__c");
    assert_eq!(
        (&score["precision"], &score["scale"], &score["custom"]),
        (&json!(5), &json!(2), &json!(true))
    );
    let tier = by_name(&d, "Tier__c").expect("Tier__c");
    assert_eq!(tier["picklistValues"][1]["value"], "Silver");
    let ext = by_name(&d, "Ext__c").expect("Ext__c");
    assert_eq!(
        (&ext["externalId"], &ext["idLookup"], &ext["length"]),
        (&json!(true), &json!(true), &json!(40))
    );
    assert_eq!(by_name(&d, "Code__c").expect("Code__c")["unique"], true);

    let (_, c) = parts(org.get("/sobjects/Contact/describe").await).await;
    assert_eq!(c["keyPrefix"], "003");
    let account_id = by_name(&c, "AccountId").expect("AccountId");
    assert_eq!(
        (&account_id["type"], &account_id["referenceTo"]),
        (&json!("reference"), &json!(["Account"]))
    );
    assert_eq!(by_name(&c, "Email").expect("Email")["type"], "email");
    assert_eq!(
        by_name(&c, "MailingStreet").expect("street")["type"],
        "textarea"
    );

    org.sim
        .set_field_access("Account", "Phone", FieldAccess::Hidden);
    org.sim
        .set_field_access("Account", "fax", FieldAccess::ReadOnly);
    org.sim.deny("Account", Operation::Create);
    let (_, d) = parts(org.get("/sobjects/Account/describe").await).await;
    assert!(
        by_name(&d, "Phone").is_none(),
        "hidden fields are not described"
    );
    let fax = by_name(&d, "Fax").expect("Fax");
    assert_eq!(
        (&fax["createable"], &fax["updateable"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        (&d["createable"], &d["updateable"]),
        (&json!(false), &json!(true))
    );
    assert_eq!(
        error_code(org.query("SELECT Phone FROM Account").await)
            .await
            .1,
        "INVALID_FIELD"
    );
    let a = org.sim.insert("Account", json!({"Name": "Secure"}));
    let (status, err) = parts(
        org.patch(&format!("/sobjects/Account/{a}"), &json!({"Fax": "1"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(err[0]["fields"], json!(["Fax"]));
    let r = org
        .patch(&format!("/sobjects/Account/{a}"), &json!({"Phone": "1"}))
        .await;
    assert_eq!(error_code(r).await.1, "INVALID_FIELD");
    let (_, rec) = parts(org.get(&format!("/sobjects/Account/{a}")).await).await;
    assert!(rec.get("Phone").is_none() && rec.get("Fax").is_some());
    assert_eq!(
        error_code(org.get("/sobjects/Opportunity/describe").await)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(org.sim.counters().get("describe"), 4);
}

#[tokio::test]
async fn limits_report_the_daily_allowance() {
    let org = Org::start(SalesforceSimConfig {
        daily_api_limit: 500,
        ..SalesforceSimConfig::default()
    })
    .await;
    org.sim.set_api_usage(120);
    let (status, body) = parts(org.get("/limits").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["DailyApiRequests"],
        json!({"Max": 500, "Remaining": 379}),
        "the limits call counts itself"
    );
    assert_eq!(org.sim.counters().get("limits"), 1);
}

#[tokio::test]
async fn a_unique_value_twice_in_one_collections_request_fails_the_second() {
    let org = Org::default().await;
    add_account_fields(&org).await;
    let body = json!({"records": [
        {"attributes": {"type": "Account"}, "Name": "One", "Code__c": "U-1"},
        {"attributes": {"type": "Account"}, "Name": "Two", "Code__c": "u-1"},
    ]});
    let (_, results) = parts(org.post("/composite/sobjects", &body).await).await;
    let first = results[0]["id"].as_str().expect("created");
    assert_eq!(results[1]["errors"][0]["statusCode"], "DUPLICATE_VALUE");
    assert_eq!(
        results[1]["errors"][0]["message"],
        format!("duplicate value found: Code__c duplicates value on record with id: {first}")
    );
    assert!(org.sim.record("Account", first).is_some());
}

#[tokio::test]
async fn field_access_is_settable_over_the_admin_api() {
    let org = Org::default().await;
    let url = format!("{}/__sim/field-access", org.sim.url());
    let r = org
        .http
        .post(&url)
        .json(&json!({"object": "Contact", "field": "Email", "access": "hidden"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        error_code(org.query("SELECT Email FROM Contact").await)
            .await
            .1,
        "INVALID_FIELD"
    );
    let r = org
        .http
        .post(&url)
        .json(&json!({"object": "Contact", "field": "Nope", "access": "read_only"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
