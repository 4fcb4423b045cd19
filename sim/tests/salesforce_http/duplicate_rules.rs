//! Duplicate rules as a new org has them (standard Contact and Account matching), custom
//! rules set per test, Leads matched by the Contact rule, and upserts under the rules.

use super::*;
use sim::salesforce::{CustomField, CustomKind, DuplicateRuleKind};

fn results(body: &Value) -> Vec<Value> {
    body[0]["duplicateResult"]["matchResults"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_standard_contact_rule_needs_a_name_and_more_than_an_email() {
    let org = Org::default().await;
    let bob = org.sim.insert(
        "Contact",
        json!({"FirstName": "Robert", "LastName": "Smith", "Email": "bob@acme.io", "Phone": "415 555 1234"}),
    );
    let (status, body) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"FirstName": "Bob", "LastName": "SMITH", "Email": "Bob@Acme.io"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "DUPLICATES_DETECTED");
    let m = &results(&body)[0];
    assert_eq!(
        (&m["entityType"], &m["rule"], &m["size"]),
        (
            &json!("Contact"),
            &json!("Standard_Contact_Match_Rule_v1_1"),
            &json!(1)
        )
    );
    assert_eq!(m["matchRecords"][0]["record"]["Id"], bob.as_str());
    let (status, _) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"FirstName": "Rob", "LastName": "Smith", "Phone": "+1 (415) 555-1234"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "names and phone");
    // Two people sharing one address: no duplicate for a new org (email alone was, before).
    let (status, body) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"FirstName": "Alice", "LastName": "Smith", "Email": "bob@acme.io"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The old behaviour, set explicitly as a test would.
    let r = org
        .http
        .post(format!("{}/__sim/duplicate-rules", org.sim.url()))
        .json(&json!({"object": "Contact", "kind": {"custom": {"fields": ["Email"]}}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"FirstName": "Carol", "LastName": "Jones", "Email": "BOB@acme.io"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let m = &results(&body)[0];
    assert_eq!(
        (&m["rule"], &m["size"]),
        (&json!("Custom_Contact_Match_Rule"), &json!(2))
    );
    let r = org
        .http
        .post(format!("{}/__sim/duplicate-rules", org.sim.url()))
        .json(&json!({"object": "Contact", "kind": {"custom": {"fields": ["Nope"]}}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "unknown field");
}

#[tokio::test]
async fn the_standard_account_rule_needs_a_similar_name_and_a_confirming_field() {
    let org = Org::default().await;
    org.sim.insert(
        "Account",
        json!({"Name": "Globex Corporation", "BillingCity": "Springfield", "Phone": "555-0100"}),
    );
    for (body, refused) in [
        (json!({"Name": "Globex"}), false),
        (
            json!({"Name": "Globex Corp", "BillingCity": "Shelbyville"}),
            false,
        ),
        (
            json!({"Name": "Globex Corp", "BillingCity": "springfield"}),
            true,
        ),
        (json!({"Name": "GLOBEX, INC.", "Phone": "(555) 0100"}), true),
        (
            json!({"Name": "GLOBEX, INC.", "Phone": "+1 555 555 0100"}),
            false,
        ),
    ] {
        let status = org.post("/sobjects/Account", &body).await.status();
        let want = if refused {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::CREATED
        };
        assert_eq!(status, want, "{body}");
    }
    org.sim.set_duplicate_rule_kind(
        "Account",
        DuplicateRuleKind::Custom {
            fields: vec!["Name".into()],
        },
    );
    let r = org
        .post("/sobjects/Account", &json!({"Name": "globex"}))
        .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "DUPLICATES_DETECTED".into())
    );
    org.sim.set_duplicate_rule("Account", false);
    let r = org
        .post("/sobjects/Account", &json!({"Name": "globex"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn leads_are_seeded_queried_and_matched_by_the_contact_rule_when_asked() {
    let org = Org::default().await;
    let lead = org.sim.insert(
        "Lead",
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@engine.io", "Company": "Analytical Engines"}),
    );
    assert!(lead.as_str().starts_with("00Q"));
    let (status, page) = parts(
        org.query("SELECT Id, Name, Company FROM Lead WHERE Email = 'ADA@engine.io'")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&page["records"][0]["Name"], &page["records"][0]["Company"]),
        (&json!("Ada Lovelace"), &json!("Analytical Engines"))
    );
    let (status, body) = parts(
        org.post("/sobjects/Lead", &json!({"LastName": "NoCo"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["fields"], json!(["Company"]));

    let ada = json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@engine.io"});
    org.sim.insert(
        "Contact",
        json!({"FirstName": "A", "LastName": "Lovelace", "Email": "ada@engine.io"}),
    );
    let r = org
        .http
        .post(format!("{}/__sim/duplicate-rules", org.sim.url()))
        .json(&json!({"object": "Contact", "match_leads": true}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = parts(org.post("/sobjects/Contact", &ada).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let found = results(&body);
    assert_eq!(found.len(), 2, "one entry per entity type: {body}");
    assert_eq!(
        (&found[0]["entityType"], &found[0]["size"]),
        (&json!("Contact"), &json!(1))
    );
    assert_eq!(
        (&found[1]["entityType"], &found[1]["size"]),
        (&json!("Lead"), &json!(1))
    );
    assert_eq!(found[1]["rule"], "Standard_Lead_Match_Rule_v1_0");
    assert_eq!(found[1]["matchRecords"][0]["record"]["Id"], lead.as_str());
    assert_eq!(
        found[1]["matchRecords"][0]["record"]["attributes"]["type"],
        "Lead"
    );
    org.sim.set_contact_rule_matches_leads(false);
    let (_, body) = parts(org.post("/sobjects/Contact", &ada).await).await;
    assert_eq!(results(&body).len(), 1);
}

#[tokio::test]
async fn upserts_meet_the_duplicate_rules_and_the_header() {
    let org = Org::default().await;
    org.sim
        .add_custom_field(
            "Contact",
            CustomField {
                name: "Ipaas_Id__c".into(),
                label: "iPaaS.com Id".into(),
                kind: CustomKind::Text { length: 20 },
                external_id: true,
                unique: false,
                required: false,
            },
        )
        .expect("added");
    org.sim.insert(
        "Contact",
        json!({"FirstName": "Grace", "LastName": "Hopper", "Email": "grace@navy.mil"}),
    );
    let grace = json!({"FirstName": "Grace", "LastName": "Hopper", "Email": "grace@navy.mil"});
    let r = org.patch("/sobjects/Contact/Ipaas_Id__c/K-1", &grace).await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "DUPLICATES_DETECTED".into())
    );
    let mut record = grace.clone();
    record["attributes"] = json!({"type": "Contact"});
    record["Ipaas_Id__c"] = json!("K-1");
    let batch = json!({"records": [record]});
    let (_, res) = parts(
        org.patch("/composite/sobjects/Contact/Ipaas_Id__c", &batch)
            .await,
    )
    .await;
    assert_eq!(res[0]["errors"][0]["statusCode"], "DUPLICATES_DETECTED");
    let r = org
        .http
        .patch(org.url("/composite/sobjects/Contact/Ipaas_Id__c"))
        .bearer_auth(&org.token)
        .header("Sforce-Duplicate-Rule-Header", "allowSave=true")
        .json(&batch)
        .send()
        .await
        .expect("sent");
    let (_, res) = parts(r).await;
    assert_eq!(
        (&res[0]["success"], &res[0]["created"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(org.sim.records("Contact").len(), 2);
}
