//! The client against a scripted HTTP server on loopback: what goes on the wire (key,
//! encoding) and how answers are handled (retries, key re-read, errors). The simulator-based
//! tests in `tests/tests/ipaas_client.rs` cover the contract itself.

use super::*;
use crate::secrets::InMemorySecretStore;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const KEY: &str = "key-that-must-stay-secret";

/// What the scripted server does with one request.
enum Reply {
    Http(
        &'static str,
        Vec<(&'static str, &'static str)>,
        &'static str,
    ),
    /// Close the connection without answering.
    Drop,
}

fn ok(body: &'static str) -> Reply {
    Reply::Http("200 OK", vec![], body)
}

/// Serves `replies` in order (one per connection); returns the base URL and the raw heads of
/// the requests it saw.
async fn serve(replies: Vec<Reply>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/prefix", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for reply in replies {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 65536];
            let mut len = 0;
            while !String::from_utf8_lossy(&buf[..len]).contains("\r\n\r\n") {
                match socket.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..len]).to_string());
            if let Reply::Http(status, headers, body) = reply {
                let mut head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                let _ = socket
                    .write_all(format!("{head}\r\n{body}").as_bytes())
                    .await;
            }
        }
    });
    (url, seen)
}

fn client(url: &str, secrets: Arc<InMemorySecretStore>) -> IpaasClient {
    let mut config = IpaasConfig::new(url, "ipaas", 7);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
    };
    config.request_timeout = Duration::from_secs(5);
    IpaasClient::new(secrets, config).unwrap()
}

fn secrets(key: &str) -> Arc<InMemorySecretStore> {
    Arc::new(InMemorySecretStore::with(
        "ipaas",
        &format!(r#"{{"api_key":"{key}","webhook_key":"w"}}"#),
    ))
}

#[tokio::test]
async fn sends_the_key_and_encodes_query_values() {
    let (url, seen) = serve(vec![Reply::Http(
        "200 OK",
        vec![("x-pagination", r#"{"has_Next":false}"#)],
        r#"[{"id":1,"email_address":"a+b&c#d@exämple.com"}]"#,
    )])
    .await;
    let found = client(&url, secrets(KEY))
        .find_customers_by_email("a+b&c#d@exämple.com")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let head = seen.lock().unwrap()[0].clone();
    assert!(
        head.starts_with(
            "GET /prefix/customers/v2/Customers?action=equals&EmailAddress=a%2Bb%26c%23d%40ex%C3%A4mple.com&pageNumber=1&pageSize=100 "
        ),
        "{head}"
    );
    assert!(
        head.contains(&format!("authorization: Bearer {KEY}")),
        "{head}"
    );
}

#[tokio::test]
async fn retries_transient_answers_and_dropped_connections() {
    let (url, seen) = serve(vec![
        Reply::Http(
            "503 Service Unavailable",
            vec![("retry-after", "0")],
            "busy",
        ),
        Reply::Drop,
        ok(r#"{"id":5,"name":"Acme"}"#),
    ])
    .await;
    let company = client(&url, secrets(KEY)).get_company(5).await.unwrap();
    assert_eq!(company.unwrap().name.as_deref(), Some("Acme"));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn gives_up_with_the_catalog_message_and_no_key() {
    let busy = || Reply::Http("503 Service Unavailable", vec![], "{\"title\":\"Busy\"}");
    let (url, _) = serve(vec![busy(), busy(), busy()]).await;
    let c = client(&url, secrets(KEY));
    let e = c.get_customer(9).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    let raised = e.to_raised();
    assert_eq!(raised.message, "An iPaaS.com API error was returned.");
    let detail = raised.detail.unwrap();
    assert_eq!(
        detail,
        "GET /customers/v2/Customer/9 answered HTTP 503 after 3 attempt(s): Busy"
    );
    for shown in [detail, format!("{e:?}"), format!("{c:?}")] {
        assert!(!shown.contains(KEY), "{shown}");
    }
}

#[tokio::test]
async fn a_rejected_key_is_reread_once() {
    let unauthorized = || Reply::Http("401 Unauthorized", vec![], r#"{"title":"Unauthorized"}"#);
    let (url, seen) = serve(vec![
        ok("{\"id\":1}"),
        unauthorized(),
        ok("{\"id\":1}"),
        unauthorized(),
        unauthorized(),
    ])
    .await;
    let store = secrets("old-key");
    let c = client(&url, store.clone());
    assert!(c.get_customer(1).await.unwrap().is_some());
    // The key is rotated: the cached one is rejected, the secret re-read, the call repeated.
    store.insert("ipaas", r#"{"api_key":"new-key"}"#);
    assert!(c.get_customer(1).await.unwrap().is_some());
    // Rejected again after the one re-read: the 401 is the answer.
    let e = c.get_customer(1).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    let keys: Vec<bool> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|h| h.contains("Bearer new-key"))
        .collect();
    assert_eq!(keys, [false, false, true, true, true]);
}

#[tokio::test]
async fn lookups_treat_404_as_not_linked_and_other_failures_as_errors() {
    let (url, seen) = serve(vec![
        Reply::Http("404 Not Found", vec![], r#"{"title":"Not Found"}"#),
        ok(r#"{"id":3,"table_name":"Customer","internal_id":"42"}"#),
        Reply::Http(
            "400 Bad Request",
            vec![],
            r#"{"title":"One or more validation errors occurred.","errors":{"external_id":["too long"]}}"#,
        ),
    ])
    .await;
    let c = client(&url, secrets(KEY));
    assert_eq!(
        c.lookup_link(LinkTable::Customer, "003A").await.unwrap(),
        None
    );
    assert_eq!(
        c.lookup_link(LinkTable::Customer, "003A").await.unwrap(),
        Some(42)
    );
    let e = c
        .write_link(LinkTable::Company, "001B", 8)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("external_id: too long"), "{e}");
    assert!(c
        .lookup_link(LinkTable::Company, " ")
        .await
        .unwrap()
        .is_none());
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 3, "an empty external id is never sent");
}

#[tokio::test]
async fn garbage_success_bodies_are_decode_errors() {
    let (url, _) = serve(vec![ok("<html>oops</html>")]).await;
    let e = client(&url, secrets(KEY)).get_company(1).await.unwrap_err();
    assert!(matches!(e, IpaasError::Decode { status: 200, .. }), "{e:?}");
    assert!(e.to_string().contains("<html>oops</html>"));
}

#[tokio::test]
async fn bad_configuration_is_an_error_not_a_panic() {
    let e = IpaasClient::new(secrets(KEY), IpaasConfig::new("not a url", "s", 1)).unwrap_err();
    assert!(matches!(e, IpaasError::Invalid(_)));
    let (url, _) = serve(vec![]).await;
    let e = client(&url, Arc::new(InMemorySecretStore::new()))
        .get_customer(1)
        .await
        .unwrap_err();
    assert!(matches!(e, IpaasError::Secret { .. }), "{e:?}");
}
