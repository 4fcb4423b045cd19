//! `sfsync connect`: the OAuth 2.0 web-server flow with PKCE. Opens a loopback listener for
//! the callback, sends the person to Salesforce's authorize page, exchanges the code for a
//! refresh token and stores the connection in the configured secret. Nothing secret is
//! printed.

use anyhow::{anyhow, bail, Context};
use axum::{extract::Query, response::Html, routing::get, Router};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{distributions::Alphanumeric, Rng};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::secrets::SecretStore;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct ConnectOptions {
    pub login_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub secret_id: String,
    /// Where the callback listener binds; the redirect URI registered on the Connected App
    /// must be `http://localhost:{port}/oauth/callback`.
    pub callback_addr: SocketAddr,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct Connected {
    pub instance_url: String,
    pub identity_url: Option<String>,
    pub secret_id: String,
}

/// PKCE pair (RFC 7636): a high-entropy verifier and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    let verifier: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

#[derive(Deserialize)]
struct TokenResponse {
    refresh_token: Option<String>,
    instance_url: String,
    id: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    error_description: Option<String>,
}

/// Runs the flow. `open` receives the authorize URL (print it, open a browser, or in tests
/// follow it with an HTTP client).
pub async fn connect(
    opts: &ConnectOptions,
    store: &dyn SecretStore,
    open: impl FnOnce(&str),
) -> anyhow::Result<Connected> {
    for (name, value) in [
        ("consumer key", &opts.consumer_key),
        ("consumer secret", &opts.consumer_secret),
        ("secret id", &opts.secret_id),
    ] {
        if value.trim().is_empty() {
            bail!("The {name} is empty. Copy it from the Connected App in Salesforce Setup and try again.");
        }
    }
    let login = opts.login_url.trim_end_matches('/').to_string();
    url::Url::parse(&login).with_context(|| format!("login URL {login:?} is not a URL"))?;

    let listener = tokio::net::TcpListener::bind(opts.callback_addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen for the OAuth callback on {}",
                opts.callback_addr
            )
        })?;
    let port = listener.local_addr()?.port();
    let redirect_uri = format!("http://localhost:{port}/oauth/callback");

    let (verifier, challenge) = pkce_pair();
    let state: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();

    let (tx, rx) = oneshot::channel::<HashMap<String, String>>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let app = Router::new().route(
        "/oauth/callback",
        get(move |Query(params): Query<HashMap<String, String>>| {
            let tx = tx.clone();
            async move {
                let ok = !params.contains_key("error");
                if let Some(tx) = tx.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    let _ = tx.send(params);
                }
                Html(if ok {
                    "<h1>sfsync is connected to Salesforce.</h1><p>You can close this tab.</p>"
                } else {
                    "<h1>Salesforce did not authorize sfsync.</h1><p>See the terminal for the reason.</p>"
                })
            }
        }),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let mut authorize = url::Url::parse(&format!("{login}/services/oauth2/authorize"))?;
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &opts.consumer_key)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scope", "api refresh_token");
    open(authorize.as_str());

    let params = tokio::time::timeout(opts.timeout, rx)
        .await
        .map_err(|_| anyhow!("No answer from the browser within {:?}. Run `sfsync connect` again and finish the Salesforce login.", opts.timeout))?
        .map_err(|_| anyhow!("the callback listener stopped unexpectedly"))?;
    server.abort();

    if let Some(err) = params.get("error") {
        bail!(
            "Salesforce did not authorize sfsync: {err} {}",
            params
                .get("error_description")
                .map(String::as_str)
                .unwrap_or("")
        );
    }
    if params.get("state") != Some(&state) {
        bail!("The OAuth callback carried the wrong state; it did not come from this login. Try again.");
    }
    let code = params
        .get("code")
        .ok_or_else(|| anyhow!("the OAuth callback carried no authorization code"))?;

    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()?;
    let resp = http
        .post(format!("{login}/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", opts.consumer_key.as_str()),
            ("client_secret", opts.consumer_secret.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .context("could not reach the Salesforce token endpoint")?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        let reason = serde_json::from_str::<OAuthError>(&body)
            .map(|e| format!("{}: {}", e.error, e.error_description.unwrap_or_default()))
            .unwrap_or_else(|_| format!("HTTP {status}"));
        bail!("Salesforce refused the authorization code ({reason}). Check the consumer key and secret, then run `sfsync connect` again.");
    }
    let token: TokenResponse =
        serde_json::from_str(&body).context("Salesforce's token answer was not understood")?;
    let refresh_token = token.refresh_token.ok_or_else(|| {
        anyhow!("Salesforce issued no refresh token. Add the \"refresh_token, offline_access\" scope to the Connected App and connect again.")
    })?;

    let doc = serde_json::json!({
        "consumer_key": opts.consumer_key,
        "consumer_secret": opts.consumer_secret,
        "refresh_token": refresh_token,
        "login_url": login,
        "instance_url": token.instance_url,
    });
    store
        .write(&opts.secret_id, &doc.to_string())
        .await
        .with_context(|| {
            format!(
                "could not store the connection in secret {}",
                opts.secret_id
            )
        })?;
    Ok(Connected {
        instance_url: token.instance_url,
        identity_url: token.id,
        secret_id: opts.secret_id.clone(),
    })
}
