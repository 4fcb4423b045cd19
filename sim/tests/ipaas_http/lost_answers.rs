//! Faults after a write is applied, on the tenant: the record exists although the client saw
//! a 504, a dropped connection or no answer.

use super::*;
use sim::faults::{Faults, LostAnswer};

fn lose(kinds: Vec<LostAnswer>) -> Faults {
    Faults {
        lost_answer_rate: 1.0,
        lost_answer_kinds: kinds,
        ..Faults::default()
    }
}

#[tokio::test]
async fn a_lost_answer_hides_an_applied_create_and_update() {
    let t = Tenant::default().await;
    t.sim.set_faults(lose(vec![LostAnswer::Status504]));
    let resp = t.post("/customers/v2/Customer", &ada()).await;
    assert_eq!(resp.status(), StatusCode::GATEWAY_TIMEOUT);
    let (_, body) = json_of(resp).await;
    assert_eq!(body["status"], 504, "problem details: {body}");
    assert_eq!(t.sim.customers().len(), 1, "the create was applied");

    t.sim.set_faults(lose(vec![LostAnswer::Drop]));
    let outcome = async {
        let r = t
            .http
            .put(t.url("/customers/v2/Customer/1"))
            .bearer_auth(t.key())
            .json(&json!({"last_name": "Byron"}))
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "the client saw a broken connection");
    assert_eq!(
        t.sim.customer(1).expect("kept")["last_name"],
        "Byron",
        "the update was applied"
    );

    t.sim.set_faults(Faults {
        hang: Duration::from_secs(30),
        ..lose(vec![LostAnswer::Hang])
    });
    let impatient = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = impatient
        .post(t.url("/customers/v2/Customer/Company"))
        .bearer_auth(t.key())
        .json(&json!({"name": "Hung Ltd"}))
        .send()
        .await
        .expect_err("no answer before the timeout");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(t.sim.companies().len(), 1, "applied all the same");

    t.sim.set_faults(lose(vec![LostAnswer::Status500]));
    let resp = t
        .post(
            "/customers/v2/External/UpdateExternalId",
            &json!({"table_name": "Customer", "system_id": 7, "external_id": "003X", "internal_id": 1}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    t.sim.set_faults(Faults::default());
    let (status, link) = json_of(
        t.post(
            "/customers/v2/External/LookupSpecial",
            &json!({"table_name": "Customer", "system_id": 7, "external_id": "003X"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, link["internal_id"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let c = t.sim.counters();
    assert_eq!(
        (
            c.get("customer_create"),
            c.get("customer_update"),
            c.get("link")
        ),
        (1, 1, 1),
        "each call counted once"
    );
}

#[tokio::test]
async fn reads_never_lose_answers() {
    let t = Tenant::default().await;
    t.sim.set_faults(lose(Vec::new()));
    assert_eq!(
        t.get("/customers/v2/Customers").await.status(),
        StatusCode::OK
    );
}
