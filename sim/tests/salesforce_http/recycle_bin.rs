//! Deleted records: the recycle bin, queryAll, ENTITY_IS_DELETED on read, write and lookup,
//! and Account deletes taking their Contacts along.

use super::*;

async fn rows(org: &Org, path: &str, q: &str) -> Vec<Value> {
    let r = org
        .http
        .get(org.url(path))
        .query(&[("q", q)])
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    let (status, body) = parts(r).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["records"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_deleted_record_is_in_the_recycle_bin_for_every_call() {
    let org = Org::default().await;
    let acct = org.sim.insert("Account", json!({"Name": "Doomed"}));
    let keep = org.sim.insert("Account", json!({"Name": "Kept"}));
    let r = org
        .http
        .delete(org.url(&format!("/sobjects/Account/{acct}")))
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let rec = org
        .sim
        .record("Account", acct.as_str())
        .expect("in the bin");
    assert_eq!(rec["IsDeleted"], true);
    assert_eq!(
        rec["LastModifiedById"],
        org.sim.config().integration_user_id
    );

    let live = rows(&org, "/query", "SELECT Id FROM Account").await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["Id"], keep.as_str());
    let all = rows(
        &org,
        "/queryAll",
        "SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true",
    )
    .await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        (&all[0]["Id"], &all[0]["IsDeleted"]),
        (&json!(acct.as_str()), &json!(true))
    );
    assert!(rows(
        &org,
        "/query",
        "SELECT Id FROM Account WHERE IsDeleted = true"
    )
    .await
    .is_empty());

    let deleted = json!([{"errorCode": "ENTITY_IS_DELETED", "message": "entity is deleted"}]);
    let (status, body) = parts(org.get(&format!("/sobjects/Account/{acct}")).await).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, deleted.clone()));
    let (status, body) = parts(
        org.patch(&format!("/sobjects/Account/{acct}"), &json!({"Phone": "1"}))
            .await,
    )
    .await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, deleted.clone()));
    let upd = json!({"records": [{"attributes": {"type": "Account"}, "id": acct.as_str(), "Phone": "1"}]});
    let (_, results) = parts(org.patch("/composite/sobjects", &upd).await).await;
    assert_eq!(
        results[0],
        json!({"id": acct.as_str(), "success": false,
               "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}]})
    );
    let r = org
        .http
        .delete(org.url(&format!("/sobjects/Account/{acct}")))
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "ENTITY_IS_DELETED".into())
    );
    let ghost = shared::salesforce::SalesforceId::from_parts("001", "8M0", 777_777);
    let r = org
        .http
        .delete(org.url(&format!("/sobjects/Account/{ghost}")))
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "NOT_FOUND".into())
    );
    assert_eq!(org.sim.counters().get("delete"), 3);
    assert_eq!(org.sim.counters().get("query_all"), 1);
}

#[tokio::test]
async fn a_contact_under_a_deleted_account_is_entity_is_deleted() {
    let org = Org::default().await;
    let acct = org.sim.insert("Account", json!({"Name": "Recycled"}));
    assert!(org.sim.delete("Account", acct.as_str()));
    let (status, body) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"LastName": "Orphan", "AccountId": acct.as_str()}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": ["AccountId"]}])
    );
    let batch = json!({"records": [
        {"attributes": {"type": "Contact"}, "LastName": "Orphan", "AccountId": acct.as_str()},
    ]});
    let (_, results) = parts(org.post("/composite/sobjects", &batch).await).await;
    assert_eq!(results[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
    assert_eq!(results[0]["errors"][0]["fields"], json!(["AccountId"]));
    let ghost = shared::salesforce::SalesforceId::from_parts("001", "8M0", 424_242);
    let (_, body) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"LastName": "Lost", "AccountId": ghost}),
        )
        .await,
    )
    .await;
    assert_eq!(
        body[0]["errorCode"], "INVALID_CROSS_REFERENCE_KEY",
        "never existed"
    );
    assert!(org.sim.records("Contact").is_empty());
}

#[tokio::test]
async fn deleting_an_account_takes_its_contacts_and_undelete_brings_them_back() {
    let org = Org::default().await;
    let acct = org.sim.insert("Account", json!({"Name": "Parent"}));
    let kids: Vec<String> = (0..2)
        .map(|i| {
            org.sim
                .insert(
                    "Contact",
                    json!({"LastName": format!("Kid {i}"), "AccountId": acct.as_str()}),
                )
                .to_string()
        })
        .collect();
    let other = org.sim.insert("Contact", json!({"LastName": "Unrelated"}));
    let url = format!("{}/__sim/records/Account/{acct}", org.sim.url());
    let r = org.http.delete(&url).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for k in &kids {
        assert_eq!(
            org.sim.record("Contact", k).expect("kept")["IsDeleted"],
            true
        );
    }
    assert_eq!(
        org.sim.record("Contact", other.as_str()).expect("kept")["IsDeleted"],
        false
    );
    assert!(!org.sim.delete("Account", acct.as_str()), "already deleted");
    let r = org.http.delete(&url).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = org
        .http
        .post(format!("{url}/undelete"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for k in &kids {
        assert_eq!(
            org.sim.record("Contact", k).expect("kept")["IsDeleted"],
            false
        );
    }
    assert_eq!(
        rows(&org, "/query", "SELECT Id FROM Contact").await.len(),
        3
    );
    assert!(
        !org.sim.undelete("Account", acct.as_str()),
        "not in the bin"
    );
    assert!(org.sim.delete("Contact", &kids[0]));
    assert!(org.sim.undelete("Contact", &kids[0]));
}

#[tokio::test]
async fn query_all_pages_like_query() {
    let org = Org::default().await;
    let ids: Vec<String> = (0..250)
        .map(|i| {
            org.sim
                .insert("Account", json!({"Name": format!("N{i:03}")}))
                .to_string()
        })
        .collect();
    for id in ids.iter().step_by(2) {
        assert!(org.sim.delete("Account", id));
    }
    let first = org
        .http
        .get(org.url("/queryAll"))
        .query(&[("q", "SELECT Id, IsDeleted FROM Account ORDER BY Name")])
        .bearer_auth(&org.token)
        .header("Sforce-Query-Options", "batchSize=200")
        .send()
        .await
        .expect("sent");
    let (_, page) = parts(first).await;
    assert_eq!(page["totalSize"], 250);
    assert_eq!(page["records"].as_array().map(Vec::len), Some(200));
    let next = page["nextRecordsUrl"].as_str().expect("more");
    let r = org
        .http
        .get(format!("{}{next}", org.sim.url()))
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    let (_, rest) = parts(r).await;
    assert_eq!(rest["records"].as_array().map(Vec::len), Some(50));
    assert_eq!(rest["done"], true);
    let (_, live) = parts(org.query("SELECT COUNT() FROM Account").await).await;
    assert_eq!(live["totalSize"], 125);
}
