//! Per-endpoint counters and the /__sim admin routes.

use super::*;

#[tokio::test]
async fn counters_and_admin_routes() {
    let org = Org::default().await;
    assert_eq!(org.sim.counters().get("token"), 1);
    let base = org.sim.url();
    let r = org.post("/sobjects/Account", &json!({"Name": "A"})).await;
    let id = parts(r).await.1["id"].as_str().expect("id").to_string();
    org.get(&format!("/sobjects/Account/{id}")).await;
    org.patch(&format!("/sobjects/Account/{id}"), &json!({"Phone": "1"}))
        .await;
    let c = org.sim.counters();
    assert_eq!((c.get("create"), c.get("get"), c.get("update")), (1, 1, 1));

    let http = &org.http;
    let counters: Value = http
        .get(format!("{base}/__sim/counters"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(counters["create"], 1);
    let r = http
        .post(format!("{base}/__sim/reset-counters"))
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    assert_eq!(org.sim.counters().total(), 0);

    let t: Value = http
        .post(format!("{base}/__sim/refresh-token"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let refresh = t["refresh_token"].as_str().expect("token");
    token(http, &org.sim, &refresh_form(&org.sim, refresh)).await;

    let r = http
        .post(format!("{base}/__sim/records/Contact"))
        .json(&json!([{"LastName": "Seed", "Email": "s@x.com"}]))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::CREATED);
    let listed: Value = http
        .get(format!("{base}/__sim/records/Contact"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["LastName"], "Seed");
    let r = http
        .post(format!("{base}/__sim/duplicate-rules"))
        .json(&json!({"object": "Contact", "enabled": false}))
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    assert_eq!(
        org.post(
            "/sobjects/Contact",
            &json!({"LastName": "Dup", "Email": "s@x.com"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );

    let r = http
        .post(format!("{base}/__sim/faults"))
        .json(&json!({"rate_503": 1.0}))
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    assert_eq!(
        org.query("SELECT Id FROM Contact").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let r = http
        .get(format!("{base}/__sim/counters"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK, "admin routes are never faulted");
    let r = http
        .post(format!("{base}/__sim/faults"))
        .body("nonsense")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    http.post(format!("{base}/__sim/faults"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    let r = http
        .post(format!("{base}/__sim/expire-tokens"))
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    assert_eq!(
        org.query("SELECT Id FROM Contact").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let c = org.sim.counters();
    assert_eq!((c.get("token"), c.get("create"), c.get("query")), (1, 1, 2));
}
