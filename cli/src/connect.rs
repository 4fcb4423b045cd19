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
use shared::secrets::{SecretError, SecretStore};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub struct ConnectOptions {
    pub login_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub secret_id: String,
    /// Where the callback listener binds; the redirect URI registered on the Connected App
    /// must be `http://localhost:{port}/oauth/callback`.
    pub callback_addr: SocketAddr,
    pub timeout: Duration,
    /// Create the secret when `secret_id` names none (otherwise an unknown id is refused:
    /// a typo must not quietly make a second secret the functions never read).
    pub create: bool,
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

/// The login URL, checked: https, or plain http to a loopback address only (the simulator),
/// since the code exchange sends the consumer secret.
pub fn checked_login_url(login_url: &str) -> anyhow::Result<String> {
    let login = login_url.trim().trim_end_matches('/').to_string();
    let url =
        url::Url::parse(&login).with_context(|| format!("the login URL {login:?} is not a URL"))?;
    let ok = match url.scheme() {
        "https" => url.has_host(),
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    };
    if !ok {
        bail!(
            "The login URL {login:?} is not https. Salesforce logins use https \
             (https://login.salesforce.com, https://test.salesforce.com or your My Domain); \
             plain http is accepted only for a loopback address (the simulator)."
        );
    }
    Ok(login)
}

/// What the browser is shown once the terminal knows the outcome.
const CONNECTED_PAGE: &str =
    "<h1>sfsync is connected to Salesforce.</h1><p>You can close this tab.</p>";
const FAILED_PAGE: &str =
    "<h1>sfsync is not connected.</h1><p>See the terminal for the reason and what to do.</p>";

type Callback = (HashMap<String, String>, oneshot::Sender<bool>);

/// Runs the flow. `open` receives the authorize URL (print it, open a browser, or in tests
/// follow it with an HTTP client). AWS access and the secret are checked before the login,
/// and the browser is told the outcome only after the code is exchanged and stored.
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
    let login = checked_login_url(&opts.login_url)?;
    check_secret(store, &opts.secret_id, opts.create).await?;

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

    let (tx, mut rx) = mpsc::channel::<Callback>(1);
    let app = Router::new().route(
        "/oauth/callback",
        get(move |Query(params): Query<HashMap<String, String>>| {
            let tx = tx.clone();
            async move {
                let (reply, outcome) = oneshot::channel();
                // Only the first callback is worked; a reload finds the channel full or closed.
                if tx.try_send((params, reply)).is_err() {
                    return Html(
                        "<h1>This login was already handled.</h1><p>See the terminal.</p>",
                    );
                }
                Html(match outcome.await {
                    Ok(true) => CONNECTED_PAGE,
                    _ => FAILED_PAGE,
                })
            }
        }),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
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

    let waited = tokio::time::timeout(opts.timeout, rx.recv()).await;
    // A reload of the page now finds the channel closed and is told the login was handled.
    drop(rx);
    let Ok(Some((params, reply))) = waited else {
        server.abort();
        bail!(
            "No answer from the browser within {} s. Run `sfsync connect` again and finish the Salesforce login.",
            opts.timeout.as_secs()
        );
    };
    let exchange = Exchange {
        opts,
        login: &login,
        redirect_uri: &redirect_uri,
        verifier: &verifier,
        state: &state,
    };
    let result = exchange.finish(&params, store).await;
    let _ = reply.send(result.is_ok());
    // Let the page reach the browser, then stop listening (bounded: a stuck browser must
    // not keep the command open).
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    result
}

/// Checks AWS access and the secret before anyone logs in: an unknown id is refused unless
/// `create`, and an AWS problem (no region, no credentials, no permission) is said now.
async fn check_secret(
    store: &dyn SecretStore,
    secret_id: &str,
    create: bool,
) -> anyhow::Result<()> {
    match store.read(secret_id).await {
        Ok(_) => Ok(()),
        Err(SecretError::NotFound(_)) if create => Ok(()),
        Err(SecretError::NotFound(_)) => bail!(
            "Secret {secret_id} was not found (or holds no value yet). Pass the stack's \
             SalesforceSecretArn output as --secret-id, or add --create to create a new secret \
             with this name."
        ),
        Err(e) => Err(anyhow!(
            "Cannot use AWS Secrets Manager ({e}). Set the AWS region and credentials \
             (AWS_REGION, AWS_PROFILE or AWS_ACCESS_KEY_ID...) for the account of the stack and \
             run `sfsync connect` again; nothing was changed."
        )),
    }
}

/// The second half of the flow: the callback's answer checked, the code exchanged, the
/// connection stored.
struct Exchange<'a> {
    opts: &'a ConnectOptions,
    login: &'a str,
    redirect_uri: &'a str,
    verifier: &'a str,
    state: &'a str,
}

impl Exchange<'_> {
    async fn finish(
        &self,
        params: &HashMap<String, String>,
        store: &dyn SecretStore,
    ) -> anyhow::Result<Connected> {
        let opts = self.opts;
        if let Some(err) = params.get("error") {
            bail!(
                "Salesforce did not authorize sfsync: {err} {}",
                params
                    .get("error_description")
                    .map(String::as_str)
                    .unwrap_or("")
            );
        }
        if params.get("state").map(String::as_str) != Some(self.state) {
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
            .post(format!("{}/services/oauth2/token", self.login))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("client_id", opts.consumer_key.as_str()),
                ("client_secret", opts.consumer_secret.as_str()),
                ("redirect_uri", self.redirect_uri),
                ("code_verifier", self.verifier),
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
            "login_url": self.login,
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
}
