//! Upsert by external id: single record and Collections, created/updated, ambiguous keys,
//! and the same upsert sent twice (also after a lost answer) creating once.

use super::*;
use sim::faults::LostAnswer;
use sim::salesforce::{CustomField, CustomKind};

async fn org_with_key() -> Org {
    let org = Org::default().await;
    for object in ["Account", "Contact"] {
        org.sim
            .add_custom_field(
                object,
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
    }
    org
}

fn accounts(org: &Org) -> Vec<Value> {
    org.sim.records("Account")
}

#[tokio::test]
async fn single_upsert_creates_then_updates() {
    let org = org_with_key().await;
    let (status, first) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-1",
            &json!({"Name": "Acme"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let id = first["id"].as_str().expect("id").to_string();
    assert_eq!(
        first,
        json!({"id": id, "success": true, "errors": [], "created": true})
    );
    let (status, second) = parts(
        org.patch(
            "/sobjects/Account/ipaas_id__c/c-1",
            &json!({"Name": "Acme Corp", "Ipaas_Id__c": "C-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(
        second,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let all = accounts(&org);
    assert_eq!(all.len(), 1);
    assert_eq!(
        (&all[0]["Name"], &all[0]["Ipaas_Id__c"]),
        (&json!("Acme Corp"), &json!("C-1"))
    );

    let (status, err) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-2",
            &json!({"Name": "x", "Ipaas_Id__c": "C-3"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err[0]["errorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("INVALID_FIELD"))
    );
    for field in ["Bogus__c", "Name"] {
        let (status, err) = parts(
            org.patch(
                &format!("/sobjects/Account/{field}/C-1"),
                &json!({"Name": "x"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            err,
            json!([{"errorCode": "NOT_FOUND", "message": format!("Provided external ID field does not exist or is not accessible: {field}")}])
        );
    }
    let (status, err) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-4",
            &json!({"Phone": "no name"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err[0]["errorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("REQUIRED_FIELD_MISSING"))
    );

    // Two records holding one value (loaded before the field was an external id): 300.
    let a = org
        .sim
        .insert("Account", json!({"Name": "Twin A", "Ipaas_Id__c": "C-9"}));
    let b = org
        .sim
        .insert("Account", json!({"Name": "Twin B", "Ipaas_Id__c": "c-9"}));
    let (status, urls) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-9",
            &json!({"Name": "Which"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(
        urls,
        json!([
            format!("{V}/sobjects/Account/{a}"),
            format!("{V}/sobjects/Account/{b}")
        ])
    );
    assert_eq!(org.sim.counters().get("upsert"), 7);
}

#[tokio::test]
async fn an_upsert_sent_again_after_a_lost_answer_creates_once() {
    let org = org_with_key().await;
    org.sim.set_faults(Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: vec![LostAnswer::Status502],
        ..Faults::default()
    });
    let body = json!({"Name": "Lost Answer Inc"});
    let r = org.patch("/sobjects/Account/Ipaas_Id__c/C-7", &body).await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_GATEWAY,
        "the client cannot tell"
    );
    org.sim.set_faults(Faults::default());
    let (status, again) = parts(org.patch("/sobjects/Account/Ipaas_Id__c/C-7", &body).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["created"], false);
    assert_eq!(accounts(&org).len(), 1, "created once");

    let records = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-8", "Name": "Batch Lost"},
    ]});
    org.sim.set_faults(Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: vec![LostAnswer::Drop],
        ..Faults::default()
    });
    let outcome = async {
        let r = org
            .http
            .patch(org.url("/composite/sobjects/Account/Ipaas_Id__c"))
            .bearer_auth(&org.token)
            .json(&records)
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(outcome.is_err());
    org.sim.set_faults(Faults::default());
    let (_, results) = parts(
        org.patch("/composite/sobjects/Account/Ipaas_Id__c", &records)
            .await,
    )
    .await;
    assert_eq!(results[0]["created"], false);
    assert_eq!(accounts(&org).len(), 2, "one per external id");
}

#[tokio::test]
async fn collections_upsert_reports_per_record_in_order() {
    let org = org_with_key().await;
    let existing = org
        .sim
        .insert("Account", json!({"Name": "Old", "Ipaas_Id__c": "C-1"}));
    org.sim
        .insert("Account", json!({"Name": "Dup A", "Ipaas_Id__c": "C-5"}));
    org.sim
        .insert("Account", json!({"Name": "Dup B", "Ipaas_Id__c": "C-5"}));
    let body = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-1", "Phone": "1"},
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-2", "Name": "New"},
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-3", "Name": "Twice"},
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "c-3", "Name": "Twice"},
        {"attributes": {"type": "Account"}, "Name": "No key"},
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-5", "Name": "Ambiguous"},
        {"attributes": {"type": "Account"}, "Ipaas_Id__c": "C-6"},
    ]});
    let (status, results) = parts(
        org.patch("/composite/sobjects/Account/Ipaas_Id__c", &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(
        results[0],
        json!({"id": existing.as_str(), "success": true, "errors": [], "created": false})
    );
    assert_eq!(
        (&results[1]["success"], &results[1]["created"]),
        (&json!(true), &json!(true))
    );
    for i in [2, 3] {
        assert_eq!(results[i]["success"], false);
        assert_eq!(
            results[i]["errors"][0]["statusCode"],
            "DUPLICATE_EXTERNAL_ID"
        );
    }
    assert_eq!(
        results[2]["errors"][0]["message"],
        "Duplicate external id specified: C-3"
    );
    assert_eq!(results[4]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(
        results[5]["errors"][0]["statusCode"],
        "DUPLICATE_EXTERNAL_ID"
    );
    assert_eq!(
        results[6]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(
        org.sim.record("Account", existing.as_str()).expect("kept")["Phone"],
        "1"
    );
    assert_eq!(accounts(&org).len(), 4, "one created");

    let mut all = body.clone();
    all["allOrNone"] = json!(true);
    let (_, results) = parts(
        org.patch("/composite/sobjects/Account/Ipaas_Id__c", &all)
            .await,
    )
    .await;
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(results[0]["id"], existing.as_str());
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(accounts(&org).len(), 4, "rolled back");

    let many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Account"}, "Ipaas_Id__c": format!("K{i}"), "Name": "n"}))
        .collect();
    let r = org
        .patch(
            "/composite/sobjects/Account/Ipaas_Id__c",
            &json!({"records": many}),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "EXCEEDED_ID_LIMIT".into())
    );
    let r = org
        .patch("/composite/sobjects/Account/Name", &json!({"records": []}))
        .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "NOT_FOUND".into())
    );
    assert_eq!(org.sim.counters().get("collections_upsert"), 4);
}

#[tokio::test]
async fn an_external_id_held_by_an_uncommitted_write_is_locked() {
    let org = std::sync::Arc::new(org_with_key().await);
    org.sim.set_faults(Faults {
        slow_commit_rate: 1.0,
        slow_commit_delay: Duration::from_secs(600),
        ..Faults::default()
    });
    let first = {
        let org = org.clone();
        tokio::spawn(async move {
            org.patch(
                "/sobjects/Account/Ipaas_Id__c/C-1",
                &json!({"Name": "First"}),
            )
            .await
            .status()
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while org.sim.pending_commits() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first upsert never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    org.sim.set_faults(Faults::default());
    let (status, err) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-1",
            &json!({"Name": "Second"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err[0]["errorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("UNABLE_TO_LOCK_ROW"))
    );
    org.sim.commit_pending_now();
    assert_eq!(first.await.expect("joined"), StatusCode::CREATED);
    let (status, _) = parts(
        org.patch(
            "/sobjects/Account/Ipaas_Id__c/C-1",
            &json!({"Name": "Second"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accounts(&org).len(), 1);
}
