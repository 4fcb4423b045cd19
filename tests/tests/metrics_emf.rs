//! The CloudWatch Embedded Metric Format lines of a real run: the poller and a worker run as
//! Lambdas under `cargo lambda watch` against both simulators and moto server, are invoked
//! with their fixtures, and every `_aws` line they print is checked against the EMF
//! specification (the structure CloudWatch Logs requires to extract metrics) and against
//! what the invocation did.
//! Specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

use e2e::lambda_watch::{fixture, Watch};
use e2e::moto_endpoint;
use serde_json::{Map, Value};
use sfsync::local_aws::{provision, seed_fixture_records};
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::collections::BTreeMap;

/// The units CloudWatch accepts (MetricDatum.Unit).
const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// One EMF line, read back: its namespace, dimensions and metrics (unit, value) by name.
struct EmfLine {
    namespace: String,
    dimensions: BTreeMap<String, String>,
    metrics: BTreeMap<String, (String, f64)>,
}

/// Checks one log line against the EMF specification and reads it back.
fn check_emf(line: &str) -> EmfLine {
    let root: Map<String, Value> =
        serde_json::from_str(line).expect("an EMF line is a JSON object");
    let aws = root["_aws"].as_object().expect("_aws is an object");
    // Timestamp: milliseconds since the epoch, an integer; CloudWatch refuses one more than
    // two weeks old or two hours ahead.
    let ts = aws["Timestamp"].as_u64().expect("Timestamp is an integer");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        ts <= now + 2 * 3600 * 1000 && ts + 14 * 24 * 3600 * 1000 >= now,
        "{line}"
    );
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics is an array");
    assert_eq!(directives.len(), 1, "one namespace per line: {line}");
    let d = directives[0].as_object().unwrap();
    let namespace = d["Namespace"].as_str().expect("Namespace is a string");
    assert!((1..=255).contains(&namespace.len()), "{line}");
    let mut dimensions = BTreeMap::new();
    for set in d["Dimensions"].as_array().expect("Dimensions is an array") {
        let set = set.as_array().expect("a dimension set is an array");
        assert!((1..=30).contains(&set.len()), "{line}");
        for name in set {
            let name = name.as_str().expect("a dimension name is a string");
            // Each dimension is a member of the root holding a string value.
            let value = root[name]
                .as_str()
                .unwrap_or_else(|| panic!("dimension {name} has no string value: {line}"));
            assert!((1..=1024).contains(&value.len()), "{line}");
            dimensions.insert(name.to_string(), value.to_string());
        }
    }
    let defs = d["Metrics"].as_array().expect("Metrics is an array");
    assert!((1..=100).contains(&defs.len()), "{line}");
    let mut metrics = BTreeMap::new();
    for m in defs {
        let name = m["Name"].as_str().expect("a metric Name is a string");
        assert!((1..=255).contains(&name.len()), "{line}");
        let unit = m
            .get("Unit")
            .map_or("None", |u| u.as_str().expect("Unit is a string"));
        assert!(UNITS.contains(&unit), "unit {unit}: {line}");
        if let Some(res) = m.get("StorageResolution") {
            assert!(res == 1 || res == 60, "{line}");
        }
        // The value is a root member: a number, or an array of up to 100 numbers.
        let value = match &root[name] {
            Value::Number(n) => n.as_f64().unwrap(),
            Value::Array(a) => {
                assert!(a.len() <= 100 && a.iter().all(Value::is_number), "{line}");
                a.iter().filter_map(Value::as_f64).sum()
            }
            other => panic!("metric {name} has value {other}: {line}"),
        };
        assert!(
            !dimensions.contains_key(name),
            "{name} is both dimension and metric"
        );
        metrics.insert(name.to_string(), (unit.to_string(), value));
    }
    EmfLine {
        namespace: namespace.to_string(),
        dimensions,
        metrics,
    }
}

fn emf_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter_map(|l| l.find("{\"_aws\"").map(|i| &l[i..]))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_invocation_writes_emf_lines_that_follow_the_specification() {
    let sf = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    let ipaas = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();
    seed_fixture_records(&sf, &ipaas);
    let prefix = e2e::unique("emf");
    let mut env = provision(&moto_endpoint(), &prefix, &sf, &ipaas)
        .await
        .unwrap();
    let namespace = format!("sfsync/{prefix}");
    env.push(("METRICS_NAMESPACE".into(), namespace.clone()));
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let watch = Watch::start_all(&env);

    let answer = watch
        .invoke("account-to-ipaas", &fixture("account-to-ipaas", "sqs.json"))
        .await;
    assert_eq!(
        answer["batchItemFailures"],
        serde_json::json!([]),
        "{answer}"
    );
    let answer = watch
        .invoke(
            "salesforce-poller",
            &fixture("salesforce-poller", "schedule.json"),
        )
        .await;
    assert!(
        answer["contact-to-ipaas"]["enqueued"].is_number(),
        "{answer}"
    );

    let output = watch.output();
    let lines = emf_lines(&output);
    eprintln!("EMF lines of the run:\n{}", lines.join("\n"));
    let parsed: Vec<_> = lines.iter().map(|l| check_emf(l)).collect();
    assert!(!parsed.is_empty(), "no EMF line in:\n{output}");
    for line in &parsed {
        assert_eq!(line.namespace, namespace);
    }

    // The worker: one line, its flow, every outcome counted, the calls it made.
    let worker: Vec<_> = parsed
        .iter()
        .filter(|l| {
            l.dimensions.get("Flow").map(String::as_str) == Some("account-to-ipaas")
                && l.metrics.contains_key("Messages")
        })
        .collect();
    assert_eq!(worker.len(), 1, "{lines:#?}");
    let (dims, m) = (&worker[0].dimensions, &worker[0].metrics);
    assert_eq!(dims.len(), 1, "{dims:?}");
    for name in shared::metrics::OUTCOMES {
        assert_eq!(m[name].0, "Count", "{name}");
    }
    assert_eq!(m["Messages"].1, 1.0);
    assert_eq!(
        m["Created"].1, 1.0,
        "the fixture Account was created in iPaaS.com: {m:?}"
    );
    assert_eq!(m["Failed"].1, 0.0);
    assert!(
        m["SalesforceCalls"].1 >= 1.0 && m["IpaasCalls"].1 >= 1.0,
        "{m:?}"
    );
    assert_eq!(m["ApiBudgetUsed"].0, "Percent");
    assert!((0.0..=100.0).contains(&m["ApiBudgetUsed"].1));

    // The poller: one line per TO flow (queued, skipped) and one for its own API calls.
    for flow in ["account-to-ipaas", "contact-to-ipaas"] {
        let of_flow: Vec<_> = parsed
            .iter()
            .filter(|l| {
                l.dimensions.get("Flow").map(String::as_str) == Some(flow)
                    && l.metrics.contains_key("Enqueued")
            })
            .collect();
        assert_eq!(of_flow.len(), 1, "{flow}: {lines:#?}");
        assert!(of_flow[0].metrics.contains_key("Skipped"));
    }
    let own: Vec<_> = parsed
        .iter()
        .filter(|l| l.dimensions.get("Function").map(String::as_str) == Some("salesforce-poller"))
        .collect();
    assert_eq!(own.len(), 1, "{lines:#?}");
    let calls = &own[0].metrics["SalesforceCalls"];
    assert!(calls.1 >= 1.0, "{calls:?}");
}
