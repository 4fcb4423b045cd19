//! Secrets never reach a log line, a queue message or an Error Log entry. Every log line of a
//! run is captured (all levels, every crate) while the system syncs both ways, refreshes an
//! expired session with refresh-token rotation, meets a revoked refresh token, a wrong
//! iPaaS.com API key and webhook calls with a wrong key or a broken body. Then every
//! secret that existed (consumer key and secret, every access and refresh token the org
//! issued, the API key, the webhook key, the wrong key) is searched for in all of it.

use serde_json::json;
use sfsync::stack::{
    salesforce_secret, LocalStack, StackOptions, IPAAS_SECRET, SALESFORCE_SECRET, WEBHOOK_KEY,
};
use sim::ipaas::IpaasSimConfig;
use sim::salesforce::SalesforceSimConfig;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_logs_messages_or_error_entries() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let sf_config = SalesforceSimConfig {
        rotate_refresh_tokens: true,
        ..Default::default()
    };
    let mut s = LocalStack::start_with(
        sf_config,
        IpaasSimConfig::default(),
        StackOptions::default(),
    )
    .await
    .unwrap();
    let mut messages = Vec::new();

    // Both ways, with people's records.
    let account = s.person_creates("Account", json!({"Name": "Secretive"}));
    s.person_creates("Contact", json!({"LastName": "Quiet", "Email": "quiet@secret.example", "AccountId": account.as_str()}));
    let company = s
        .ipaas
        .edit_company_as_person(None, json!({"name": "Hush Co"}));
    s.ipaas.edit_customer_as_person(
        None,
        json!({"last_name": "Mum", "email_address": "mum@hush.example", "company_id": company}),
    );
    s.sync().await.unwrap();
    messages.extend(s.queue.take(shared::flow::Flow::AccountToIpaas, usize::MAX));

    // Expired session: refresh with rotation (the new refresh token is written back).
    s.salesforce.expire_access_tokens();
    s.salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "1"}));
    s.sync().await.unwrap();

    // A wrong iPaaS.com API key.
    let wrong_key = "wrong-ipaas-key-d3adb33f";
    s.secrets.insert(
        IPAAS_SECRET,
        &json!({"api_key": wrong_key, "webhook_key": WEBHOOK_KEY}).to_string(),
    );
    s.restart_clients().unwrap();
    s.salesforce
        .edit_as_person("Account", account.as_str(), json!({"Phone": "2"}));
    s.sync().await.unwrap();

    // Webhook calls with a wrong key and with a broken body.
    let http = reqwest::Client::new();
    let wrong = http
        .post(&s.webhook_url)
        .bearer_auth("not-the-webhook-key")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let broken = http
        .post(&s.webhook_url)
        .bearer_auth(WEBHOOK_KEY)
        .body("{\"notifications\":[{")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);

    // A revoked refresh token.
    for t in s.salesforce.live_refresh_tokens() {
        s.salesforce.revoke_refresh_token(&t);
    }
    s.salesforce.expire_access_tokens();
    s.secrets.insert(
        IPAAS_SECRET,
        &json!({"api_key": s.ipaas.config().api_key, "webhook_key": WEBHOOK_KEY}).to_string(),
    );
    s.restart_clients().unwrap();
    s.poll().await.unwrap();
    // …and the reconnect.
    let token = s.salesforce.issue_refresh_token();
    s.secrets
        .insert(SALESFORCE_SECRET, &salesforce_secret(&s.salesforce, &token));
    s.restart_clients().unwrap();
    s.sync().await.unwrap();

    let mut haystack = String::from_utf8_lossy(&captured.0.lock().unwrap()).to_string();
    for e in s.error_log() {
        haystack.push_str(&format!("{e:?}\n{}\n", e.to_wire()));
    }
    for e in s.ipaas.error_logs() {
        haystack.push_str(&e.to_string());
    }
    for m in messages.iter().chain(s.dead_letters().iter()) {
        haystack.push_str(&m.to_json());
    }
    assert!(
        haystack.lines().count() > 300,
        "the capture is real: {} lines",
        haystack.lines().count()
    );
    assert!(
        s.error_log()
            .iter()
            .any(|e| e.message.starts_with("Refresh token value")),
        "the revoked token was met"
    );
    assert!(
        s.error_log()
            .iter()
            .any(|e| e.message == "An iPaaS.com API error was returned."),
        "the wrong key was met"
    );

    let mut secrets = vec![
        s.salesforce.config().consumer_key.clone(),
        s.salesforce.config().consumer_secret.clone(),
        s.ipaas.config().api_key.clone(),
        WEBHOOK_KEY.to_string(),
        wrong_key.to_string(),
    ];
    secrets.extend(s.salesforce.issued_tokens());
    assert!(
        secrets.len() > 8,
        "tokens were issued and rotated: {}",
        secrets.len()
    );
    for secret in &secrets {
        assert!(
            !haystack.contains(secret.as_str()),
            "a secret leaked ({} chars, starts {:?})",
            secret.len(),
            &secret[..4]
        );
    }
}
