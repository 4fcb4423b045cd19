//! Error Log entries reach iPaaS.com's error-log endpoint (the simulator) and the structured
//! log; when iPaaS.com cannot take them, the structured log still has them and the caller
//! gets the error.

use serde_json::{json, Value};
use shared::catalog::{MessageId, Raised};
use shared::error_log::{ErrorLog, ErrorLogEntry, IpaasErrorLog, MemoryErrorLog};
use shared::flow::{Flow, RecordRef, System};
use shared::ipaas::{IpaasClient, IpaasConfig, RetryPolicy};
use shared::secrets::InMemorySecretStore;
use sim::faults::Faults;
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Collects what the JSON log formatter writes.
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

impl Captured {
    /// Sets a JSON subscriber for this thread (tests run on a current-thread runtime).
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    /// The events written with the error-log target.
    fn entries(&self) -> Vec<Value> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["target"] == "error_log")
            .collect()
    }
}

fn client(sim: &IpaasSim) -> IpaasClient {
    let secret = json!({"api_key": sim.config().api_key, "webhook_key": "wh"}).to_string();
    let secrets = Arc::new(InMemorySecretStore::with("ipaas-secret", &secret));
    let mut config = IpaasConfig::new(sim.url(), "ipaas-secret", 31);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
    };
    IpaasClient::new(secrets, config).unwrap()
}

fn entry() -> ErrorLogEntry {
    let raised = Raised::with(MessageId::AccountNotFound, &[("id", "001000000000777AAA")])
        .detail("Salesforce: NOT_FOUND: The requested resource does not exist");
    ErrorLogEntry::from_raised(
        raised,
        Some(Flow::ContactFromIpaas),
        Some(RecordRef::new(System::Ipaas, "Customer", "42")),
    )
}

const MESSAGE: &str = "Could not locate account by Id: 001000000000777AAA in Salesforce. Account must exist in Salesforce before attempting to create the contact under it.";

#[tokio::test]
async fn entries_reach_ipaas_and_the_structured_log() {
    let logs = Captured::default();
    let _guard = logs.install();
    let sim = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();
    let log = IpaasErrorLog::new(client(&sim));
    let entry = entry();
    let time = entry.time_rfc3339();
    log.record(entry).await.unwrap();

    let stored = sim.error_logs();
    assert_eq!(stored.len(), 1);
    let stored = serde_json::to_value(&stored[0]).unwrap();
    assert_eq!(stored["message"], MESSAGE);
    assert_eq!(stored["severity"], "error");
    assert_eq!(stored["flow"], "contact-from-ipaas");
    assert_eq!(
        stored["record"],
        json!({"system": "ipaas", "kind": "Customer", "id": "42"})
    );
    let stored_time = stored["time"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(stored_time).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&time).unwrap()
    );
    assert_eq!(
        stored["detail"],
        "Salesforce: NOT_FOUND: The requested resource does not exist"
    );

    let events = logs.entries();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["level"], "ERROR");
    assert_eq!(e["message"], MESSAGE);
    assert_eq!(e["message_id"], "account-not-found");
    assert_eq!(e["severity"], "error");
    assert_eq!(e["flow"], "contact-from-ipaas");
    assert_eq!(e["record"], "iPaaS.com Customer 42");
    assert_eq!(e["time"], time);
}

#[tokio::test]
async fn when_ipaas_refuses_the_entry_is_still_logged_and_the_caller_told() {
    let logs = Captured::default();
    let _guard = logs.install();
    let sim = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();
    sim.set_faults(Faults {
        rate_503: 1.0,
        ..Default::default()
    });
    let log = IpaasErrorLog::new(client(&sim));
    let warning = ErrorLogEntry::from_raised(
        Raised::new(MessageId::EmailLinkFailed).detail("2 contacts share ada@example.com"),
        Some(Flow::ContactFromIpaas),
        None,
    );
    let e = log.record(warning).await.unwrap_err().to_string();
    assert!(e.contains("HTTP 503"), "{e}");
    sim.set_faults(Faults::default());
    assert!(sim.error_logs().is_empty());

    let events = logs.entries();
    let entry = events
        .iter()
        .find(|e| e["message_id"] == "email-link-failed")
        .expect("the entry is in the structured log");
    assert_eq!(entry["level"], "WARN");
    assert_eq!(
        entry["message"],
        "Unable to dynamically link to existing Salesforce customer using email address. This may result in duplicate customer records."
    );
    assert_eq!(entry["detail"], "2 contacts share ada@example.com");
    assert!(
        events.iter().any(|e| e["level"] == "ERROR"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("could not be written to iPaaS.com"))),
        "{events:?}"
    );
}

#[tokio::test]
async fn memory_log_keeps_entries_and_logs_them() {
    let logs = Captured::default();
    let _guard = logs.install();
    let log = MemoryErrorLog::new();
    log.record(entry()).await.unwrap();
    assert_eq!(log.entries().len(), 1);
    assert_eq!(log.take()[0].message, MESSAGE);
    assert!(log.entries().is_empty());
    assert_eq!(logs.entries().len(), 1);
}
