//! Faults after a write is applied: the record exists although the client saw a 502, a
//! dropped connection or no answer before its timeout.

use super::*;
use sim::faults::LostAnswer;

fn lose(kinds: Vec<LostAnswer>) -> Faults {
    Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: kinds,
        ..Faults::default()
    }
}

fn names(org: &Org) -> Vec<String> {
    org.sim
        .records("Account")
        .iter()
        .filter_map(|r| r["Name"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_lost_5xx_answer_hides_an_applied_create_and_update() {
    let org = Org::default().await;
    for (i, kind) in [
        LostAnswer::Status500,
        LostAnswer::Status502,
        LostAnswer::Status504,
    ]
    .into_iter()
    .enumerate()
    {
        org.sim.set_faults(lose(vec![kind]));
        let name = format!("Applied {i}");
        let r = org.post("/sobjects/Account", &json!({"Name": name})).await;
        let status = kind.status().expect("a status kind");
        let (got, body) = parts(r).await;
        assert_eq!(got, status, "{kind:?}");
        assert!(
            body[0]["errorCode"].is_string(),
            "Salesforce's own body: {body}"
        );
        assert!(
            names(&org).contains(&name),
            "{kind:?}: the create was applied"
        );
    }
    org.sim.set_faults(Faults::default());
    let id = org.sim.records("Account")[0]["Id"]
        .as_str()
        .expect("id")
        .to_string();
    org.sim.set_faults(lose(vec![LostAnswer::Status502]));
    let r = org
        .patch(&format!("/sobjects/Account/{id}"), &json!({"Phone": "555"}))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        org.sim.record("Account", &id).expect("kept")["Phone"],
        "555"
    );
    let c = org.sim.counters();
    assert_eq!(
        (c.get("create"), c.get("update")),
        (3, 1),
        "each call counted once"
    );
}

#[tokio::test]
async fn a_dropped_or_hung_answer_hides_an_applied_collections_create() {
    let org = Org::default().await;
    org.sim.set_faults(lose(vec![LostAnswer::Drop]));
    let body = json!({"records": [
        {"attributes": {"type": "Account"}, "Name": "Dropped One"},
        {"attributes": {"type": "Account"}, "Name": "Dropped Two"},
    ]});
    let outcome = async {
        let r = org
            .http
            .post(org.url("/composite/sobjects"))
            .bearer_auth(&org.token)
            .json(&body)
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "the client saw a broken connection");
    assert_eq!(names(&org).len(), 2, "both records were committed");

    org.sim.set_faults(Faults {
        hang: Duration::from_secs(30),
        ..lose(vec![LostAnswer::Hang])
    });
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let outcome = impatient
        .post(org.url("/sobjects/Account"))
        .bearer_auth(&org.token)
        .json(&json!({"Name": "Hung"}))
        .send()
        .await;
    let err = outcome.expect_err("no answer before the client's timeout");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        names(&org).contains(&"Hung".to_string()),
        "applied all the same"
    );
}

#[tokio::test]
async fn reads_and_the_token_endpoint_never_lose_answers() {
    let org = Org::default().await;
    org.sim.set_faults(lose(Vec::new()));
    assert_eq!(
        org.query("SELECT Id FROM Account").await.status(),
        StatusCode::OK
    );
    let refresh = org.sim.issue_refresh_token();
    let body = token(&org.http, &org.sim, &refresh_form(&org.sim, &refresh)).await;
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn a_refused_write_whose_answer_is_lost_changed_nothing() {
    let org = Org::default().await;
    org.sim.set_faults(lose(vec![LostAnswer::Status502]));
    let r = org
        .post("/sobjects/Account", &json!({"Phone": "no name"}))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert!(org.sim.records("Account").is_empty());
}
