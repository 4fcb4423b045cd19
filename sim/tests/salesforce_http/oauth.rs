//! Token grants (refresh, rotation, authorization code with PKCE) and token expiry.

use super::*;

async fn authorize(org: &Org, challenge: &str, method: &str) -> String {
    let r = org
        .http
        .get(format!("{}/services/oauth2/authorize", org.sim.url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", "sim-consumer-key"),
            ("redirect_uri", "http://localhost:9999/callback"),
            ("state", "xyz 1"),
            ("code_challenge", challenge),
            ("code_challenge_method", method),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().expect("ascii").to_string();
    let url = reqwest::Url::parse(&location).expect("url");
    assert_eq!(url.path(), "/callback");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), Some("xyz 1"));
    q.get("code").expect("code").clone()
}

fn code_form(code: &str, verifier: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "authorization_code".into()),
        ("code", code.into()),
        ("redirect_uri", "http://localhost:9999/callback".into()),
        ("client_id", "sim-consumer-key".into()),
        ("client_secret", "sim-consumer-secret".into()),
        ("code_verifier", verifier.into()),
    ]
}

#[tokio::test]
async fn refresh_token_grant_and_its_errors() {
    let org = Org::default().await;
    let (sim, http) = (&org.sim, &org.http);
    let refresh = sim.issue_refresh_token();
    let body = token(http, sim, &refresh_form(sim, &refresh)).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], sim.url());
    assert_eq!(body["scope"], "api refresh_token");
    assert!(body["id"]
        .as_str()
        .is_some_and(|id| id.starts_with(&format!("{}/id/00D", sim.url()))));
    assert!(body["issued_at"]
        .as_str()
        .is_some_and(|t| t.parse::<i64>().is_ok()));
    assert!(body["signature"].is_string());
    assert!(
        body.get("refresh_token").is_none(),
        "no rotation by default"
    );

    let mut bad = refresh_form(sim, &refresh);
    bad[1].1 = "wrong".into();
    let e = token_error(http, sim, &bad).await;
    assert_eq!(
        e,
        json!({"error": "invalid_client_id", "error_description": "client identifier invalid"})
    );
    let mut bad = refresh_form(sim, &refresh);
    bad[2].1 = "wrong".into();
    let e = token_error(http, sim, &bad).await;
    assert_eq!(
        e,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );
    let e = token_error(http, sim, &refresh_form(sim, "nonsense")).await;
    assert_eq!(
        e,
        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
    );
    sim.revoke_refresh_token(&refresh);
    let e = token_error(http, sim, &refresh_form(sim, &refresh)).await;
    assert_eq!(e["error"], "invalid_grant");
    let e = token_error(http, sim, &[("grant_type", "password".into())]).await;
    assert_eq!(e["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn rotation_issues_a_new_refresh_token_and_kills_the_old() {
    let config = SalesforceSimConfig {
        rotate_refresh_tokens: true,
        ..SalesforceSimConfig::default()
    };
    let org = Org::start(config).await;
    let (sim, http) = (&org.sim, &org.http);
    let first = sim.issue_refresh_token();
    let body = token(http, sim, &refresh_form(sim, &first)).await;
    let second = body["refresh_token"].as_str().expect("rotated").to_string();
    assert_ne!(first, second);
    assert!(sim.live_refresh_tokens().contains(&second));
    assert!(!sim.live_refresh_tokens().contains(&first));
    let e = token_error(http, sim, &refresh_form(sim, &first)).await;
    assert_eq!(e["error"], "invalid_grant");
    token(http, sim, &refresh_form(sim, &second)).await;
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let org = Org::default().await;
    let (sim, http) = (&org.sim, &org.http);
    // RFC 7636 appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let code = authorize(&org, challenge, "S256").await;
    let body = token(http, sim, &code_form(&code, verifier)).await;
    let refresh = body["refresh_token"].as_str().expect("refresh token");
    assert!(sim.live_refresh_tokens().contains(&refresh.to_string()));
    token(http, sim, &refresh_form(sim, refresh)).await;
    let e = token_error(http, sim, &code_form(&code, verifier)).await;
    assert_eq!(e["error"], "invalid_grant", "codes are single-use");

    let code = authorize(&org, challenge, "S256").await;
    let e = token_error(http, sim, &code_form(&code, "wrong-verifier")).await;
    assert_eq!(e["error"], "invalid_grant");

    let code = authorize(&org, "plain-secret-verifier", "plain").await;
    token(http, sim, &code_form(&code, "plain-secret-verifier")).await;

    let r = http
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=http://x",
            sim.url()
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sim.counters().get("authorize"), 4);
}

#[tokio::test]
async fn access_tokens_expire_after_their_ttl() {
    let config = SalesforceSimConfig {
        access_token_ttl: Duration::from_millis(200),
        ..SalesforceSimConfig::default()
    };
    let org = Org::start(config).await;
    assert_eq!(
        org.query("SELECT Id FROM Account").await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        org.query("SELECT Id FROM Account").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
