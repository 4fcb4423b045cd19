//! The daily allowance, its header, and injected faults.

use super::*;

#[tokio::test]
async fn limit_header_and_daily_allowance() {
    let config = SalesforceSimConfig {
        daily_api_limit: 10,
        ..SalesforceSimConfig::default()
    };
    let org = Org::start(config).await;
    let r = org.query("SELECT Id FROM Account").await;
    assert_eq!(r.headers()["sforce-limit-info"], "api-usage=1/10");
    org.sim.set_api_usage(9);
    let r = org.query("SELECT Id FROM Account").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["sforce-limit-info"], "api-usage=10/10");
    let r = org.query("SELECT Id FROM Account").await;
    assert_eq!(r.headers()["sforce-limit-info"], "api-usage=10/10");
    let (status, body) = parts(r).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(org.sim.api_usage(), (10, 10));
    let r = org
        .http
        .get(org.url("/query?q=x"))
        .send()
        .await
        .expect("sent");
    assert!(
        r.headers().contains_key("sforce-limit-info"),
        "errors carry it too"
    );
}

#[tokio::test]
async fn injected_faults() {
    let config = SalesforceSimConfig {
        retry_after_secs: 0,
        ..SalesforceSimConfig::default()
    };
    let org = Org::start(config).await;
    org.sim.set_faults(Faults {
        rate_503: 1.0,
        ..Faults::default()
    });
    let r = org.query("SELECT Id FROM Account").await;
    assert_eq!(r.headers()["retry-after"], "0");
    assert_eq!(
        error_code(r).await,
        (StatusCode::SERVICE_UNAVAILABLE, "SERVER_UNAVAILABLE".into())
    );
    let r = org
        .http
        .post(format!("{}/services/oauth2/token", org.sim.url()))
        .form(&refresh_form(&org.sim, "x"))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);

    org.sim.set_faults(Faults {
        rate_500: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        error_code(org.query("SELECT Id FROM Account").await).await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION".into()
        )
    );
    org.sim.set_faults(Faults {
        rate_429: 1.0,
        ..Faults::default()
    });
    let r = org.query("SELECT Id FROM Account").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));

    org.sim.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let outcome = tokio::time::timeout(Duration::from_secs(5), async {
        let r = org
            .http
            .get(org.url("/query"))
            .query(&[("q", "SELECT Id FROM Account")])
            .bearer_auth(&org.token)
            .send()
            .await?;
        r.bytes().await
    })
    .await
    .expect("a dropped connection must not hang");
    assert!(outcome.is_err(), "a dropped connection is a client error");

    org.sim.set_faults(Faults {
        force_401: 2,
        ..Faults::default()
    });
    for _ in 0..2 {
        let r = org.query("SELECT Id FROM Account").await;
        assert_eq!(
            error_code(r).await,
            (StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID".into())
        );
    }
    assert_eq!(
        org.query("SELECT Id FROM Account").await.status(),
        StatusCode::OK
    );

    org.sim.set_faults(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    });
    let t = std::time::Instant::now();
    assert_eq!(
        org.query("SELECT Id FROM Account").await.status(),
        StatusCode::OK
    );
    assert!(t.elapsed() >= Duration::from_millis(150));
    org.sim.set_faults(Faults::default());
    assert_eq!(
        org.sim.counters().get("query"),
        8,
        "faulted calls count as calls"
    );
}
