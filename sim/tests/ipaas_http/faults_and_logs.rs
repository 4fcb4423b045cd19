//! Fault injection, counters, the Error Log and its dashboard page.

use super::*;
use sim::faults::Faults;

#[tokio::test]
async fn injected_faults_answer_problem_details() {
    let t = Tenant::start(IpaasSimConfig {
        retry_after_secs: 3,
        ..IpaasSimConfig::default()
    })
    .await;
    t.sim.set_faults(Faults {
        rate_503: 1.0,
        ..Faults::default()
    });
    let resp = t.get("/customers/v2/Customers").await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(header(&resp, "content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let (_, body) = json_of(resp).await;
    assert_eq!(
        (body["title"].as_str(), body["status"].as_u64()),
        (Some("Service Unavailable"), Some(503))
    );

    t.sim.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    let resp = t.post("/customers/v2/Customer", &ada()).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&resp, "retry-after").as_deref(), Some("3"));
    assert_eq!(json_of(resp).await.1["status"], 429);
    assert!(
        t.sim.customers().is_empty(),
        "a faulted call changes nothing"
    );

    t.sim.set_faults(Faults {
        force_401: 1,
        ..Faults::default()
    });
    let resp = t.get("/customers/v2/Customers").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&resp, "www-authenticate").as_deref(), Some("Bearer"));
    assert_eq!(
        t.get("/customers/v2/Customers").await.status(),
        StatusCode::OK
    );

    t.sim.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let dropped = t
        .http
        .get(t.url("/customers/v2/Customers"))
        .bearer_auth(t.key())
        .send()
        .await;
    assert!(dropped.is_err() || dropped.unwrap().text().await.is_err());

    // The admin surface and the dashboard are never faulted.
    t.sim.set_faults(Faults {
        rate_500: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        t.http
            .get(t.url("/__sim/counters"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        t.http
            .get(t.url(sim::ipaas::DASHBOARD_PATH))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Faults are set over HTTP too.
    let off = t
        .http
        .post(t.url("/__sim/faults"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/customers/v2/Customers").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        t.sim.counters().get("customer_search"),
        5,
        "faulted calls count too"
    );
}

#[tokio::test]
async fn every_endpoint_has_its_counter() {
    let t = Tenant::default().await;
    let c = t.sim.insert_company(json!({"name": "C"}));
    let p = t
        .sim
        .insert_customer(json!({"last_name": "L", "email_address": "l@x.io"}));
    t.get(&format!("/customers/v2/Customer/{p}")).await;
    t.post("/customers/v2/Customer", &ada()).await;
    t.put(&format!("/customers/v2/Customer/{p}"), &json!({}))
        .await;
    t.get("/customers/v2/Customers").await;
    t.get(&format!("/customers/v2/Customer/Company/{c}")).await;
    t.post("/customers/v2/Customer/Company", &json!({"name": "D"}))
        .await;
    t.put(&format!("/customers/v2/Customer/Company/{c}"), &json!({}))
        .await;
    t.get("/customers/v2/Customer/Companies").await;
    t.post("/customers/v2/External/LookupSpecial", &json!({}))
        .await;
    t.post("/customers/v2/External/UpdateExternalId", &json!({}))
        .await;
    t.post("/integrations/v2/ErrorLog", &json!({})).await;
    t.get("/integrations/v2/ErrorLogs").await;
    let names = [
        "customer_get",
        "customer_create",
        "customer_update",
        "customer_search",
        "company_get",
        "company_create",
        "company_update",
        "company_search",
        "lookup",
        "link",
    ];
    let counters = t.sim.counters();
    for name in names {
        assert_eq!(counters.get(name), 1, "{name}");
    }
    assert_eq!(counters.get("error_log"), 2);
    assert_eq!(
        counters.total(),
        12,
        "seeding and admin calls are not counted"
    );
    let (_, over_http) = json_of(t.http.get(t.url("/__sim/counters")).send().await.unwrap()).await;
    assert_eq!(over_http["customer_get"], 1);
    t.sim.reset_counters();
    assert_eq!(t.sim.counters().total(), 0);
}

#[tokio::test]
async fn error_log_entries_are_stored_listed_and_shown() {
    let t = Tenant::default().await;
    let entry = |message: &str, time: &str| {
        json!({
            "message": message, "severity": "error", "flow": "contact-to-ipaas",
            "record": {"system": "salesforce", "kind": "Contact", "id": "003XYZ"},
            "time": time, "detail": "REQUIRED_FIELD_MISSING: [LastName]",
        })
    };
    let (status, first) = json_of(
        t.post(
            "/integrations/v2/ErrorLog",
            &entry("First failure", "2024-05-01T10:00:00Z"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(first["id"].as_u64().is_some());
    assert_eq!(first["message"], "First failure");
    let hostile = entry("<script>alert('x')</script> & more", "2024-05-02T10:00:00Z");
    assert_eq!(
        t.post("/integrations/v2/ErrorLog", &hostile).await.status(),
        StatusCode::CREATED
    );
    let (status, bad) = json_of(
        t.post("/integrations/v2/ErrorLog", &json!({"severity": "panic"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["errors"]["message"].is_array() && bad["errors"]["severity"].is_array());

    let resp = t.get("/integrations/v2/ErrorLogs?pageSize=1").await;
    assert_eq!(
        serde_json::from_str::<Value>(&header(&resp, "x-pagination").unwrap()).unwrap()
            ["total_Count"],
        2
    );
    let (_, page) = json_of(resp).await;
    assert_eq!(
        page[0]["message"], "<script>alert('x')</script> & more",
        "newest first"
    );
    let (_, all) = json_of(t.get("/integrations/v2/ErrorLogs").await).await;
    assert_eq!(all[1]["message"], "First failure");
    assert_eq!(t.sim.error_logs(), all.as_array().unwrap().clone());

    let resp = t
        .http
        .get(t.url(sim::ipaas::DASHBOARD_PATH))
        .send()
        .await
        .unwrap();
    assert!(header(&resp, "content-type")
        .unwrap()
        .starts_with("text/html"));
    let html = resp.text().await.unwrap();
    for col in ["Time", "Flow", "Record", "Message", "Severity", "Detail"] {
        assert!(html.contains(&format!("<th>{col}</th>")), "{col}");
    }
    assert!(!html.contains("<script>"), "hostile text is escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
    assert!(html.contains("salesforce Contact 003XYZ"));
    assert!(html.contains("REQUIRED_FIELD_MISSING: [LastName]"));
    let newest = html.find("&lt;script&gt;").unwrap();
    assert!(
        newest < html.find("First failure").unwrap(),
        "newest row first"
    );
    assert_eq!(html.matches("<tr class=").count(), 2);
}
