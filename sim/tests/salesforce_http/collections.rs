//! sObject Collections: per-record results, allOrNone, the 200-record cap.

use super::*;

#[tokio::test]
async fn collections_report_per_record_and_honour_all_or_none() {
    let org = Org::default().await;
    org.sim
        .insert("Account", json!({"Name": "Taken", "BillingCity": "Oslo"}));
    let body = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Name": "One"},
        {"attributes": {"type": "Account"}, "Name": "taken", "BillingCity": "OSLO"},
        {"attributes": {"type": "Account"}, "Phone": "no name"},
    ]});
    let (status, results) = parts(org.post("/composite/sobjects", &body).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(results[0]["success"], true);
    assert!(results[0]["id"]
        .as_str()
        .is_some_and(|id| id.starts_with("001")));
    assert_eq!(results[1]["success"], false);
    assert_eq!(results[1]["errors"][0]["statusCode"], "DUPLICATES_DETECTED");
    assert_eq!(
        results[2]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(results[2]["errors"][0]["fields"], json!(["Name"]));
    assert_eq!(org.sim.records("Account").len(), 2);

    let mut all = body.clone();
    all["allOrNone"] = json!(true);
    all["records"][0]["Name"] = json!("Two");
    let (_, results) = parts(org.post("/composite/sobjects", &all).await).await;
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(results[1]["errors"][0]["statusCode"], "DUPLICATES_DETECTED");
    assert_eq!(org.sim.records("Account").len(), 2, "rolled back");

    let one = org.sim.records("Account")[0]["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let upd = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "id": one, "Phone": "123"},
        {"attributes": {"type": "Account"}, "Phone": "no id"},
        {"attributes": {"type": "Account"}, "id": "001bad", "Phone": "1"},
    ]});
    let (status, results) = parts(org.patch("/composite/sobjects", &upd).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        results[0],
        json!({"id": one, "success": true, "errors": []})
    );
    assert_eq!(results[1]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(results[2]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(
        org.sim.record("Account", &one).expect("stored")["Phone"],
        "123"
    );

    let many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Account"}, "Name": format!("N{i}")}))
        .collect();
    let r = org
        .post("/composite/sobjects", &json!({"records": many}))
        .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "EXCEEDED_ID_LIMIT".into())
    );
    let c = org.sim.counters();
    assert_eq!(
        (c.get("collections_create"), c.get("collections_update")),
        (3, 1)
    );
}
