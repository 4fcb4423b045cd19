//! The SAM template as `sam build` built it (`scripts/test` builds it before the tests, in
//! the dev profile for x86_64), deployed to moto server by `tools/moto_deploy.py` (package,
//! the Serverless transform by aws-sam-translator, create-stack), and checked from what was
//! created: the six functions (their zip and handler), each worker's event source mapping,
//! the queues' redrive policies, the table, every function's environment and the roles'
//! policies, the dashboard. moto's CloudFormation cannot create some types; the test names
//! them, checks their translated definitions instead, and fails if the list changes.

use e2e::{moto_endpoint, unique};
use serde_json::Value;
use shared::flow::Flow;
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

const SYSTEM_ID: &str = "4242";
const MAX_RECEIVES: u64 = 7;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Deployed {
    stack: String,
    doc: Value,
}

/// One deployment shared by the tests of this file (a deployment takes about 30 s); a failed
/// one fails each test with its reason, without deploying again.
fn deployed() -> &'static Deployed {
    static DEPLOYED: OnceLock<Result<Deployed, String>> = OnceLock::new();
    match DEPLOYED.get_or_init(|| std::panic::catch_unwind(deploy).map_err(panic_text)) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn panic_text(e: Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "the deployment panicked".into())
}

fn deploy() -> Deployed {
    {
        let built = workspace().join("infra/.aws-sam/build/template.yaml");
        assert!(
            built.exists(),
            "{} is missing: run scripts/test, which runs `sam build` before the tests",
            built.display()
        );
        let python = workspace().join(".venv-sam/bin/python");
        assert!(
            python.exists(),
            "the SAM venv is missing: run scripts/test-tools"
        );
        // Short: moto names roles `<stack>-<logical id>-<suffix>`, and IAM allows 64 characters.
        let stack = unique("sfsync")[..15].to_string();
        let out = Command::new(python)
            .current_dir(workspace())
            .arg("tools/moto_deploy.py")
            .arg("--json")
            .arg(&built)
            .arg(&stack)
            .arg(format!("IpaasSystemId={SYSTEM_ID}"))
            .arg(format!("MaxReceiveCount={MAX_RECEIVES}"))
            .arg("Architecture=x86_64")
            .env("AWS_ENDPOINT_URL", moto_endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .output()
            .expect("run tools/moto_deploy.py");
        assert!(
            out.status.success(),
            "deployment failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).expect("the deployment's JSON");
        assert_eq!(doc["status"], "CREATE_COMPLETE", "{}", doc["status_reason"]);
        Deployed { stack, doc }
    }
}

/// `account-to-ipaas` → `AccountToIpaas` (the template's logical id prefix).
fn pascal(flow: Flow) -> String {
    flow.slug()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The six functions: logical id, name after the stack's, the flow a worker works.
fn functions() -> Vec<(String, &'static str, Option<Flow>)> {
    let mut all = vec![
        (
            "SalesforcePollerFunction".to_string(),
            "salesforce-poller",
            None,
        ),
        ("IpaasWebhookFunction".to_string(), "ipaas-webhook", None),
    ];
    for flow in Flow::ALL {
        all.push((format!("{}Function", pascal(flow)), flow.slug(), Some(flow)));
    }
    all
}

/// The flows whose queues a function sends to.
fn sends_to(name: &str, flow: Option<Flow>) -> Vec<Flow> {
    match (name, flow) {
        ("salesforce-poller", _) => vec![Flow::AccountToIpaas, Flow::ContactToIpaas],
        ("ipaas-webhook", _) => vec![Flow::AccountFromIpaas, Flow::ContactFromIpaas],
        (_, Some(f)) => vec![f],
        _ => vec![],
    }
}

/// Whether a function reads the mapping document: the workers map records, the poller reads
/// the fields they map.
fn reads_mapping(name: &str, flow: Option<Flow>) -> bool {
    flow.is_some() || name == "salesforce-poller"
}

fn queue(d: &Deployed, flow: Flow) -> &Value {
    &d.doc["queues"][format!("{}Queue", pascal(flow))]
}

fn translated<'a>(d: &'a Deployed, logical: &str) -> &'a Value {
    &d.doc["translated"]["Resources"][logical]
}

fn table_name(d: &Deployed) -> String {
    d.doc["tables"]["StateTable"]["TableName"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn what_moto_cannot_create_is_named_and_everything_else_is_created() {
    let d = deployed();
    let cannot: BTreeSet<&str> = d.doc["moto_cannot_create"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let created: HashSet<&str> = d.doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ResourceStatus"] == "CREATE_COMPLETE")
        .filter_map(|r| r["LogicalResourceId"].as_str())
        .collect();
    let mut missing = BTreeSet::new();
    for (logical, res) in d.doc["translated"]["Resources"].as_object().unwrap() {
        let kind = res["Type"].as_str().unwrap();
        if created.contains(logical.as_str()) {
            assert!(
                !cannot.contains(kind),
                "moto now creates {kind}: move its checks to the created resources"
            );
        } else {
            // The only other resource left out is the alarm e-mail subscription, whose
            // condition is false without AlarmEmail.
            assert!(
                cannot.contains(kind) || res["Condition"] == "HasAlarmEmail",
                "{logical} ({kind}) was not created"
            );
            missing.insert(format!("{logical} ({kind})"));
        }
    }
    eprintln!("moto cannot create (checked in the translated template instead): {missing:#?}");
    let kinds: BTreeSet<&str> = missing
        .iter()
        .filter_map(|m| m.split(" (").nth(1))
        .map(|k| k.trim_end_matches(')'))
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "AWS::CloudWatch::Alarm",
            "AWS::Lambda::Url",
            "AWS::SNS::Subscription",
            "AWS::Scheduler::Schedule",
            "AWS::SecretsManager::Secret",
        ])
    );
}

#[test]
fn every_parameter_is_described() {
    let d = deployed();
    for (name, p) in d.doc["translated"]["Parameters"].as_object().unwrap() {
        let text = p["Description"].as_str().unwrap_or("");
        assert!(text.len() > 10, "parameter {name} has no description");
    }
}

#[test]
fn six_functions_run_their_built_bootstrap() {
    let d = deployed();
    let mut names = BTreeSet::new();
    for (logical, name, _) in functions() {
        let f = &d.doc["functions"][&logical];
        assert_eq!(
            f["FunctionName"],
            format!("{}-{name}", d.stack),
            "{logical}"
        );
        assert_eq!(f["Handler"], "bootstrap", "{logical}");
        assert_eq!(f["Runtime"], "provided.al2023", "{logical}");
        assert_eq!(
            f["Architectures"],
            serde_json::json!(["x86_64"]),
            "{logical}"
        );
        assert_eq!(f["PackageType"], "Zip", "{logical}");
        // The code is the zip of what `sam build` put in the function's build directory.
        assert_eq!(
            f["CodeSha256"], d.doc["code"][&logical]["sha256"],
            "{logical}"
        );
        assert_eq!(f["MemorySize"], 256, "{logical}");
        assert_eq!(f["Timeout"], 120, "{logical}");
        // `cargo lambda deploy` reads the same timeout from the function's Cargo.toml.
        let manifest =
            std::fs::read_to_string(workspace().join("functions").join(name).join("Cargo.toml"))
                .unwrap();
        if manifest.contains("[package.metadata.lambda.deploy]") {
            assert!(manifest.contains("timeout = 120"), "{name}/Cargo.toml");
        }
        names.insert(name);
    }
    assert_eq!(d.doc["functions"].as_object().unwrap().len(), 6);
    assert_eq!(names.len(), 6);
    for entry in std::fs::read_dir(workspace().join("infra/.aws-sam/build")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.is_dir() {
            assert!(dir.join("bootstrap").exists(), "{}", dir.display());
        }
    }
}

#[test]
fn each_worker_reads_its_own_queue_and_reports_batch_item_failures() {
    let d = deployed();
    let mappings = d.doc["mappings"].as_array().unwrap();
    for (logical, name, flow) in functions() {
        let arn = &d.doc["functions"][&logical]["FunctionArn"];
        let mine: Vec<&Value> = mappings
            .iter()
            .filter(|m| &m["FunctionArn"] == arn)
            .collect();
        let Some(flow) = flow else {
            assert!(mine.is_empty(), "{name} is not driven by a queue");
            continue;
        };
        assert_eq!(mine.len(), 1, "{name}: {mine:?}");
        let m = mine[0];
        assert_eq!(m["EventSourceArn"], queue(d, flow)["QueueArn"], "{name}");
        assert_eq!(
            m["FunctionResponseTypes"],
            serde_json::json!(["ReportBatchItemFailures"]),
            "{name}"
        );
        assert_eq!(m["BatchSize"], 10, "{name}");
        assert_eq!(m["State"], "Enabled", "{name}");
    }
}

#[test]
fn each_queue_sends_its_dead_letters_to_its_own_dlq() {
    let d = deployed();
    let key_id = d.doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["LogicalResourceId"] == "DataKey")
        .map(|r| r["PhysicalResourceId"].clone())
        .unwrap();
    for flow in Flow::ALL {
        let q = queue(d, flow);
        let dlq = &d.doc["queues"][format!("{}DeadLetterQueue", pascal(flow))];
        let redrive: Value = serde_json::from_str(q["RedrivePolicy"].as_str().unwrap()).unwrap();
        assert_eq!(redrive["deadLetterTargetArn"], dlq["QueueArn"], "{flow}");
        assert_eq!(
            redrive["maxReceiveCount"]
                .as_u64()
                .or_else(|| redrive["maxReceiveCount"]
                    .as_str()
                    .and_then(|s| s.parse().ok())),
            Some(MAX_RECEIVES),
            "{flow}: the MaxReceiveCount parameter"
        );
        assert_eq!(q["VisibilityTimeout"], "720", "{flow}");
        assert_eq!(dlq["MessageRetentionPeriod"], "1209600", "{flow}");
        assert_eq!(q["KmsMasterKeyId"], key_id, "{flow}");
        assert_eq!(dlq["KmsMasterKeyId"], key_id, "{flow}");
    }
}

#[test]
fn the_table_has_its_key_and_point_in_time_recovery() {
    let d = deployed();
    let t = &d.doc["tables"]["StateTable"];
    assert_eq!(
        t["KeySchema"],
        serde_json::json!([{"AttributeName": "pk", "KeyType": "HASH"}])
    );
    assert_eq!(
        t["AttributeDefinitions"],
        serde_json::json!([{"AttributeName": "pk", "AttributeType": "S"}])
    );
    assert_eq!(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
    // moto's CloudFormation does not apply PointInTimeRecoverySpecification (the created
    // table reports it off), so the translated definition is what is checked.
    let props = &translated(d, "StateTable")["Properties"];
    assert_eq!(
        props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(props["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(translated(d, "StateTable")["DeletionPolicy"], "Retain");
}

#[test]
fn every_function_environment_resolves_to_the_created_resources() {
    let d = deployed();
    for (logical, name, flow) in functions() {
        let env = &d.doc["functions"][&logical]["Environment"]["Variables"];
        assert_eq!(env["STATE_TABLE"], table_name(d), "{name}");
        assert_eq!(env["IPAAS_SYSTEM_ID"], SYSTEM_ID, "{name}");
        assert_eq!(
            env["METRICS_NAMESPACE"],
            format!("sfsync/{}", d.stack),
            "{name}"
        );
        // The workers and the poller read the mapping document from the parameter the stack
        // creates (the poller reads the fields the TO flows map).
        let mapping = reads_mapping(name, flow).then(|| format!("/{}/mapping", d.stack));
        assert_eq!(
            env["MAPPING_PARAMETER"].as_str(),
            mapping.as_deref(),
            "{name}"
        );
        let sends = sends_to(name, flow);
        for f in Flow::ALL {
            let var = shared::lambda::queue_variable(f);
            if sends.contains(&f) {
                assert_eq!(env[var], queue(d, f)["url"], "{name}: {var}");
            } else {
                assert!(env[var].is_null(), "{name} must not know {var}");
            }
        }
        // The secrets are not created by moto: their ids are checked where they come from.
        let vars = &translated(d, &logical)["Properties"]["Environment"]["Variables"];
        assert_eq!(
            vars["SALESFORCE_SECRET_ID"]["Ref"], "SalesforceSecret",
            "{name}"
        );
        assert_eq!(vars["IPAAS_SECRET_ID"]["Ref"], "IpaasSecret", "{name}");
    }
    for (logical, fields) in [
        (
            "SalesforceSecret",
            &[
                "consumer_key",
                "consumer_secret",
                "refresh_token",
                "login_url",
            ][..],
        ),
        ("IpaasSecret", &["api_key", "webhook_key"][..]),
    ] {
        let props = &translated(d, logical)["Properties"];
        assert_eq!(props["KmsKeyId"]["Ref"], "DataKey", "{logical}");
        let placeholder: Value =
            serde_json::from_str(props["SecretString"].as_str().unwrap()).unwrap();
        for f in fields {
            assert!(placeholder.get(*f).is_some(), "{logical}.{f}");
        }
    }
}

/// Each function's own policies name only the resources it uses: its queues, the table,
/// the data key, and (by reference, as moto does not create them) its secrets.
#[test]
fn the_roles_name_only_the_stack_resources_each_function_uses() {
    let d = deployed();
    let table_arn = d.doc["tables"]["StateTable"]["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    let key_id = d.doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["LogicalResourceId"] == "DataKey")
        .and_then(|r| r["PhysicalResourceId"].as_str())
        .unwrap();
    for (logical, name, flow) in functions() {
        let role_id = role_of(&logical, flow);
        let role = &d.doc["roles"][&role_id];
        assert_eq!(d.doc["functions"][&logical]["Role"], role["arn"], "{name}");
        let mut allowed: HashSet<String> = [
            table_arn.clone(),
            format!("{table_arn}/index/*"),
            format!("arn:aws:kms:us-east-1:123456789012:key/{key_id}"),
        ]
        .into();
        for f in sends_to(name, flow) {
            allowed.insert(queue(d, f)["QueueArn"].as_str().unwrap().to_string());
        }
        if reads_mapping(name, flow) {
            // The workers map records, the poller reads their fields: the mapping parameter.
            allowed.insert(format!(
                "arn:aws:ssm:us-east-1:123456789012:parameter/{}/mapping",
                d.stack
            ));
        }
        let mut secret_statements = 0;
        for (policy, doc) in role["inline"].as_object().unwrap() {
            for st in doc["Statement"].as_array().unwrap() {
                let resources: Vec<&str> = match &st["Resource"] {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    Value::Null => {
                        // A reference to a secret moto did not create.
                        let actions = st["Action"].to_string();
                        assert!(actions.contains("secretsmanager:"), "{name} {policy}: {st}");
                        secret_statements += 1;
                        continue;
                    }
                    other => panic!("{name} {policy}: {other}"),
                };
                for r in resources {
                    assert!(allowed.contains(r), "{name} {policy} names {r}");
                }
            }
        }
        // Which secrets, as written in the translated role.
        let policies = translated(d, &role_id)["Properties"]["Policies"].to_string();
        let (sf, ip) = (
            policies.contains(r#"{"Ref":"SalesforceSecret"}"#),
            policies.contains(r#"{"Ref":"IpaasSecret"}"#),
        );
        let want = match name {
            "salesforce-poller" => (true, false),
            "ipaas-webhook" => (false, true),
            _ => (true, true),
        };
        assert_eq!((sf, ip), want, "{name}: Salesforce / iPaaS.com secret");
        assert_eq!(
            secret_statements,
            usize::from(sf) + usize::from(ip),
            "{name}"
        );
        // Beyond its own policies only AWS's execution policies (logs, X-Ray); not the one
        // SAM adds for an SQS event source, which may read any queue.
        let managed: BTreeSet<String> = translated(d, &role_id)["Properties"]["ManagedPolicyArns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let arn = a.as_str().or_else(|| a["Fn::Sub"].as_str()).unwrap();
                arn.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            managed,
            BTreeSet::from([
                "AWSLambdaBasicExecutionRole".to_string(),
                "AWSXrayWriteOnlyAccess".to_string()
            ]),
            "{name}"
        );
    }
}

/// The role of a function: SAM's for the poller and the webhook, the template's own for a
/// worker.
fn role_of(logical: &str, flow: Option<Flow>) -> String {
    match flow {
        Some(f) => format!("{}WorkerRole", pascal(f)),
        None => format!("{logical}Role"),
    }
}

#[test]
fn the_schedule_runs_the_poller_and_the_url_serves_the_webhook() {
    let d = deployed();
    let schedule = &translated(d, "SalesforcePollerFunctionSchedule")["Properties"];
    assert_eq!(
        schedule["Target"]["Arn"]["Fn::GetAtt"],
        serde_json::json!(["SalesforcePollerFunction", "Arn"])
    );
    assert_eq!(schedule["ScheduleExpression"]["Ref"], "PollSchedule");
    assert_eq!(schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"], 0);
    // The schedule's role is created: it may invoke the poller and nothing else.
    let role = &d.doc["roles"]["SalesforcePollerFunctionScheduleRole"]["inline"];
    let statements: Vec<&Value> = role
        .as_object()
        .unwrap()
        .values()
        .flat_map(|doc| doc["Statement"].as_array().unwrap())
        .collect();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Action"], "lambda:InvokeFunction");
    assert_eq!(
        statements[0]["Resource"],
        d.doc["functions"]["SalesforcePollerFunction"]["FunctionArn"]
    );
    let url = &translated(d, "IpaasWebhookFunctionUrl")["Properties"];
    assert_eq!(url["AuthType"], "NONE");
    assert_eq!(url["TargetFunctionArn"]["Ref"], "IpaasWebhookFunction");
}

/// The dashboard and the alarms read only metrics the functions write (names, dimensions,
/// namespace), and the queues and functions of this stack.
#[test]
fn the_dashboard_and_alarms_read_what_the_functions_write() {
    let d = deployed();
    let namespace = format!("sfsync/{}", d.stack);
    let names: HashSet<&str> = shared::metrics::names().into_iter().collect();
    let flows: HashSet<&str> = Flow::ALL.iter().map(|f| f.slug()).collect();
    let queue_names: HashSet<String> = d.doc["queues"]
        .as_object()
        .unwrap()
        .values()
        .map(|q| {
            q["url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let function_names: HashSet<&str> = d.doc["functions"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|f| f["FunctionName"].as_str())
        .collect();
    // moto creates the dashboard but cannot hand it back to this boto3, so its body is
    // resolved here the way CloudFormation's Fn::Sub does.
    let created = translated(d, "Dashboard");
    assert!(
        d.doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["LogicalResourceId"] == "Dashboard"
                && r["ResourceStatus"] == "CREATE_COMPLETE")
    );
    let mut body = created["Properties"]["DashboardBody"]["Fn::Sub"]
        .as_str()
        .unwrap()
        .replace("${AWS::StackName}", &d.stack)
        .replace("${AWS::Region}", "us-east-1")
        .replace("${FailureRatePercent}", "10");
    for (logical, q) in d.doc["queues"].as_object().unwrap() {
        let name = q["url"].as_str().unwrap().rsplit('/').next().unwrap();
        body = body.replace(&format!("${{{logical}.QueueName}}"), name);
    }
    assert!(!body.contains("${"), "unresolved: {body}");
    let dashboard: Value = serde_json::from_str(&body).expect("the dashboard body is JSON");
    let mut seen = HashSet::new();
    for widget in dashboard["widgets"].as_array().unwrap() {
        for m in widget["properties"]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let parts: Vec<&str> = m
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if parts.is_empty() {
                continue; // a math expression
            }
            match parts[0] {
                ns if ns == namespace => {
                    assert!(names.contains(parts[1]), "{m}");
                    match parts[2] {
                        "Flow" => assert!(flows.contains(parts[3]), "{m}"),
                        "Function" => assert_eq!(parts[3], shared::metrics::POLLER_FUNCTION),
                        other => panic!("dimension {other} in {m}"),
                    }
                    seen.insert(parts[1]);
                }
                "AWS/SQS" => assert!(queue_names.contains(parts[3]), "{m}"),
                "AWS/Lambda" => assert!(function_names.contains(parts[3]), "{m}"),
                other => panic!("namespace {other} in {m}"),
            }
        }
    }
    assert_eq!(seen, names, "the dashboard shows every metric");

    let alarm = &translated(d, "FailureRateAlarm")["Properties"];
    for q in alarm["Metrics"].as_array().unwrap() {
        let Some(stat) = q.get("MetricStat") else {
            continue;
        };
        assert_eq!(
            stat["Metric"]["Namespace"]["Fn::Sub"],
            "sfsync/${AWS::StackName}"
        );
        assert!(
            names.contains(stat["Metric"]["MetricName"].as_str().unwrap()),
            "{q}"
        );
        let dim = &stat["Metric"]["Dimensions"][0];
        assert_eq!(dim["Name"], "Flow");
        assert!(flows.contains(dim["Value"].as_str().unwrap()), "{q}");
    }
    for flow in Flow::ALL {
        let dlq_alarm = &translated(d, &format!("{}DeadLetterAlarm", pascal(flow)))["Properties"];
        assert_eq!(
            dlq_alarm["Dimensions"][0]["Value"]["Fn::GetAtt"],
            serde_json::json!([format!("{}DeadLetterQueue", pascal(flow)), "QueueName"])
        );
        assert_eq!(dlq_alarm["AlarmActions"][0]["Ref"], "AlarmTopic");
    }
}
