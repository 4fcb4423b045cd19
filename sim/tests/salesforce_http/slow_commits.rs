//! Slow commits: a write stamped now becomes visible later (behind rows a poll already read),
//! holds its row's lock until then, and its API caller is answered only after the commit.

use super::*;

fn slow(only: &str) -> Faults {
    Faults {
        slow_commit_rate: 1.0,
        slow_commit_delay: Duration::from_secs(600),
        only_paths: vec![only.into()],
        ..Faults::default()
    }
}

/// Waits for a condition (never for a fixed time), failing after 10 s.
async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn rows(org: &Org, q: &str) -> Vec<Value> {
    let (status, body) = parts(org.query(q).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["records"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_slow_person_edit_appears_late_behind_rows_already_polled() {
    let org = Org::default().await;
    let a = org
        .sim
        .insert("Account", json!({"Name": "Slow", "Phone": "0"}));
    org.sim.set_faults(slow("/__sim/records/"));
    org.sim
        .edit_as_person("Account", a.as_str(), json!({"Phone": "1"}));
    assert_eq!(org.sim.pending_commits(), 1);
    // Another change commits at once, after the slow one was stamped.
    let (_, b) = parts(
        org.post("/sobjects/Account", &json!({"Name": "Fast"}))
            .await,
    )
    .await;
    let b = b["id"].as_str().expect("created").to_string();

    let q = "SELECT Id, Name, Phone, SystemModstamp FROM Account ORDER BY SystemModstamp";
    let before = rows(&org, q).await;
    assert_eq!(before.len(), 2);
    assert_eq!(before[0]["Phone"], "0", "the edit is not visible yet");
    assert_eq!(before[1]["Id"], b.as_str());
    let cursor = before[1]["SystemModstamp"]
        .as_str()
        .expect("stamp")
        .to_string();
    assert_eq!(
        org.sim.record("Account", a.as_str()).expect("kept")["Phone"],
        "0"
    );

    assert_eq!(org.sim.commit_pending_now(), 1);
    assert_eq!(org.sim.pending_commits(), 0);
    let after = rows(&org, q).await;
    let edited = &after[0];
    assert_eq!(edited["Id"], a.as_str());
    assert_eq!(edited["Phone"], "1", "visible once committed");
    assert!(
        edited["SystemModstamp"].as_str().expect("stamp") < cursor.as_str(),
        "its SystemModstamp is behind a row the poll already returned"
    );
    assert_eq!(
        org.sim.record("Account", a.as_str()).expect("kept")["LastModifiedById"],
        org.sim.person_user_id()
    );
}

#[tokio::test]
async fn a_slow_commit_becomes_visible_by_itself_when_due() {
    let org = Org::default().await;
    let a = org
        .sim
        .insert("Account", json!({"Name": "Due", "Phone": "0"}));
    org.sim.set_faults(Faults {
        slow_commit_delay: Duration::from_millis(50),
        ..slow("/__sim/records/")
    });
    org.sim
        .edit_as_person("Account", a.as_str(), json!({"Phone": "1"}));
    until("the edit commits when due", || {
        org.sim.record("Account", a.as_str()).expect("kept")["Phone"] == "1"
    })
    .await;
    assert_eq!(org.sim.pending_commits(), 0);
}

#[tokio::test]
async fn a_locked_row_refuses_other_writes_until_its_commit() {
    let org = std::sync::Arc::new(Org::default().await);
    let a = org.sim.insert("Account", json!({"Name": "Locked"}));
    org.sim.set_faults(slow("/sobjects/Account/"));
    let first = {
        let org = org.clone();
        let path = format!("/sobjects/Account/{a}");
        tokio::spawn(async move { org.patch(&path, &json!({"Phone": "first"})).await.status() })
    };
    until("the first write waits for its commit", || {
        org.sim.pending_commits() == 1
    })
    .await;
    org.sim.set_faults(Faults::default());

    let (status, body) = parts(
        org.patch(
            &format!("/sobjects/Account/{a}"),
            &json!({"Phone": "second"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!([{"errorCode": "UNABLE_TO_LOCK_ROW",
                "message": format!("unable to obtain exclusive access to this record or 1 records: {a}")}])
    );
    let upd = json!({"records": [{"attributes": {"type": "Account"}, "id": a.as_str(), "Phone": "third"}]});
    let (status, results) = parts(org.patch("/composite/sobjects", &upd).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(results[0]["success"], false);
    assert_eq!(results[0]["id"], a.as_str());
    assert_eq!(results[0]["errors"][0]["statusCode"], "UNABLE_TO_LOCK_ROW");
    assert!(
        !first.is_finished(),
        "the slow write is answered only after its commit"
    );

    assert_eq!(org.sim.commit_pending_now(), 1);
    assert_eq!(first.await.expect("joined"), StatusCode::NO_CONTENT);
    assert_eq!(
        org.sim.record("Account", a.as_str()).expect("kept")["Phone"],
        "first"
    );
    let r = org
        .patch(
            &format!("/sobjects/Account/{a}"),
            &json!({"Phone": "second"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "the lock is gone");
}

#[tokio::test]
async fn a_slow_api_create_is_invisible_until_committed_and_then_answered() {
    let org = std::sync::Arc::new(Org::default().await);
    org.sim.set_faults(slow("/sobjects/Account"));
    let create = {
        let org = org.clone();
        tokio::spawn(async move {
            parts(
                org.post("/sobjects/Account", &json!({"Name": "Pending Co"}))
                    .await,
            )
            .await
        })
    };
    until("the create waits for its commit", || {
        org.sim.pending_commits() == 1
    })
    .await;
    assert!(rows(&org, "SELECT Id FROM Account").await.is_empty());
    // Not visible to the duplicate rule either: a second create of the same name passes.
    org.sim.set_faults(Faults::default());
    let (status, _) = parts(
        org.post("/sobjects/Account", &json!({"Name": "Pending Co"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    org.sim.commit_pending_now();
    let (status, body) = create.await.expect("joined");
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_str().expect("id");
    assert!(org.sim.record("Account", id).is_some());
    assert_eq!(rows(&org, "SELECT Id FROM Account").await.len(), 2);
}

#[tokio::test]
async fn a_person_edit_on_a_locked_row_forces_its_commit_first() {
    let org = std::sync::Arc::new(Org::default().await);
    let a = org.sim.insert("Account", json!({"Name": "Both"}));
    org.sim.set_faults(slow("/sobjects/Account/"));
    let api = {
        let org = org.clone();
        let path = format!("/sobjects/Account/{a}");
        tokio::spawn(async move { org.patch(&path, &json!({"Phone": "api"})).await.status() })
    };
    until("the API write waits", || org.sim.pending_commits() == 1).await;
    org.sim
        .edit_as_person("Account", a.as_str(), json!({"Fax": "person"}));
    assert_eq!(org.sim.pending_commits(), 0);
    assert_eq!(api.await.expect("joined"), StatusCode::NO_CONTENT);
    let rec = org.sim.record("Account", a.as_str()).expect("kept");
    assert_eq!(
        (rec["Phone"].clone(), rec["Fax"].clone()),
        (json!("api"), json!("person"))
    );
    assert_eq!(rec["LastModifiedById"], org.sim.person_user_id());
}
