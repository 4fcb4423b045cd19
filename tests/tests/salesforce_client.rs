//! The Salesforce client against the simulated org over real HTTP: records, paged SOQL,
//! Collections, every typed error, session refresh, retries under injected faults and the
//! exact catalog message when retries run out.

use e2e::salesforce::{quick_retry, Org};
use serde_json::{json, Map, Value};
use shared::salesforce::{DuplicateRuleHeader, SalesforceError, SalesforceId};
use sim::faults::Faults;
use sim::salesforce::{Condition, Operation, SalesforceSimConfig, ValidationRule};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

async fn org() -> Org {
    Org::start(SalesforceSimConfig::default()).await
}

#[tokio::test]
async fn creates_reads_and_updates_records_partially() {
    let org = org().await;
    let sf = org.client();
    let id = sf
        .create(
            "Account",
            &fields(json!({"Name": "Acme", "Phone": "555-0100", "Website": "acme.example"})),
        )
        .await
        .unwrap();
    assert_eq!(id.key_prefix(), "001");
    let before = sf
        .get(
            "Account",
            &id,
            &["Name", "Phone", "Website", "SystemModstamp"],
        )
        .await
        .unwrap();
    assert_eq!(before["Name"], "Acme");

    sf.update("Account", &id, &fields(json!({"Phone": "555-0199"})))
        .await
        .unwrap();
    let after = sf.get("Account", &id, &[]).await.unwrap();
    assert_eq!(after["Phone"], "555-0199");
    assert_eq!(after["Website"], "acme.example", "fields not sent are kept");
    assert_eq!(
        after["LastModifiedById"],
        org.sim.config().integration_user_id.as_str()
    );
    assert!(after["SystemModstamp"].as_str() >= before["SystemModstamp"].as_str());

    let contact = sf
        .create(
            "Contact",
            &fields(json!({"LastName": "Lovelace", "AccountId": id.as_str()})),
        )
        .await
        .unwrap();
    assert_eq!(contact.key_prefix(), "003");
    assert_eq!(
        org.sim.counters().get("token"),
        1,
        "one token for the whole session"
    );
}

#[tokio::test]
async fn query_follows_next_records_url_across_pages() {
    let org = org().await;
    for i in 0..4_500 {
        org.sim.insert(
            "Account",
            json!({"Name": format!("Paged {i:04}"), "Description": "paging"}),
        );
    }
    org.sim.insert(
        "Account",
        json!({"Name": "Other", "Description": "not paged"}),
    );
    let sf = org.client();
    let rows = sf
        .query("SELECT Id, Name FROM Account WHERE Description = 'paging' ORDER BY Name")
        .await
        .unwrap();
    assert_eq!(rows.len(), 4_500);
    assert_eq!(rows[0]["Name"], "Paged 0000");
    assert_eq!(rows[4_499]["Name"], "Paged 4499");
    let mut ids: Vec<&str> = rows.iter().map(|r| r["Id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4_500, "no row twice across pages");
    assert_eq!(
        org.sim.counters().get("query"),
        3,
        "2,000 + 2,000 + 500 rows"
    );

    let page = sf
        .query_page("SELECT Id FROM Account", Some(200))
        .await
        .unwrap();
    assert_eq!(page.records.len(), 200, "batchSize asks for smaller pages");
    assert!(!page.done && page.total_size == 4_501);
    let bad = sf
        .query_more("https://elsewhere.example/services/data/v64.0/query/x-2000")
        .await;
    assert!(matches!(bad, Err(SalesforceError::Invalid(_))), "{bad:?}");
}

#[tokio::test]
async fn collections_report_each_record_in_a_mixed_batch() {
    let org = org().await;
    let sf = org.client();
    let batch: Vec<_> = (0..250)
        .map(|i| match i % 50 {
            7 => fields(json!({"Description": "no name"})),
            9 => fields(json!({"Name": "x".repeat(300)})),
            _ => fields(json!({"Name": format!("Bulk {i}")})),
        })
        .collect();
    let results = sf.create_many("Account", &batch, None).await.unwrap();
    assert_eq!(results.len(), 250);
    assert_eq!(org.sim.counters().get("collections_create"), 2, "200 + 50");
    let mut created = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match (i % 50, r.into_result()) {
            (7, Err(SalesforceError::Rejected { errors, .. })) => {
                assert_eq!(errors[0].error_code, "REQUIRED_FIELD_MISSING");
                assert_eq!(errors[0].fields, vec!["Name"]);
            }
            (9, Err(SalesforceError::Rejected { errors, .. })) => {
                assert_eq!(errors[0].error_code, "STRING_TOO_LONG", "{errors:?}");
            }
            (7 | 9, other) => panic!("record {i} should fail: {other:?}"),
            (_, Ok(id)) => created.push(id),
            (_, Err(e)) => panic!("record {i} should succeed: {e}"),
        }
    }
    assert_eq!(created.len(), 240);

    let missing = SalesforceId::from_parts("001", "8M0", 999_999);
    let updates = vec![
        (created[0].clone(), fields(json!({"Phone": "1"}))),
        (missing, fields(json!({"Phone": "2"}))),
        (created[1].clone(), fields(json!({"Phone": "3"}))),
    ];
    let results = sf.update_many("Account", &updates, None).await.unwrap();
    assert!(results[0].success && !results[1].success && results[2].success);
    assert!(results[1].clone().into_result().is_err());
    assert_eq!(
        org.sim.record("Account", created[1].as_str()).unwrap()["Phone"],
        "3"
    );
}

#[tokio::test]
async fn salesforce_errors_become_typed_errors() {
    let org = org().await;
    let sf = org.client();
    let first = sf
        .create(
            "Account",
            &fields(json!({"Name": "Twin Co", "Website": "twin.example"})),
        )
        .await
        .unwrap();

    // Duplicate rule (a new org's standard one: a similar name and the same website): the
    // matched record's Id comes back.
    match sf
        .create(
            "Account",
            &fields(json!({"Name": "Twin Co", "Website": "twin.example"})),
        )
        .await
    {
        Err(SalesforceError::Duplicates { matches, .. }) => {
            assert_eq!(matches, vec![first.to_string()])
        }
        other => panic!("expected duplicates, got {other:?}"),
    }
    // The duplicate-rule header lets it through when asked.
    let allow = DuplicateRuleHeader {
        allow_save: true,
        include_record_details: false,
        run_as_current_user: false,
    };
    sf.create_with(
        "Account",
        &fields(json!({"Name": "Twin Co", "Website": "twin.example"})),
        Some(allow),
    )
    .await
    .unwrap();

    // Required field, validation rule, permission.
    match sf
        .create("Contact", &fields(json!({"FirstName": "Ada"})))
        .await
    {
        Err(SalesforceError::Rejected { errors, .. }) => {
            assert_eq!(errors[0].error_code, "REQUIRED_FIELD_MISSING");
            assert_eq!(errors[0].fields, vec!["LastName"]);
        }
        other => panic!("{other:?}"),
    }
    org.sim.add_validation_rule(ValidationRule {
        object: "Account".into(),
        field: "Phone".into(),
        condition: Condition::StartsWith("000".into()),
        message: "Phone must be a real number".into(),
        error_field: Some("Phone".into()),
    });
    match sf
        .update("Account", &first, &fields(json!({"Phone": "000-1"})))
        .await
    {
        Err(SalesforceError::Rejected { errors, .. }) => {
            assert_eq!(errors[0].error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
            assert_eq!(errors[0].message, "Phone must be a real number");
        }
        other => panic!("{other:?}"),
    }
    org.sim.deny("Contact", Operation::Create);
    match sf
        .create("Contact", &fields(json!({"LastName": "Hopper"})))
        .await
    {
        Err(SalesforceError::Rejected { errors, .. }) => {
            assert_eq!(errors[0].error_code, "INSUFFICIENT_ACCESS_OR_READONLY")
        }
        other => panic!("{other:?}"),
    }

    // A record that is not there.
    let ghost = SalesforceId::from_parts("001", "8M0", 424_242);
    assert!(matches!(
        sf.get("Account", &ghost, &[]).await,
        Err(SalesforceError::NotFound { .. })
    ));

    // The daily allowance spent: retried, then a limit error with the real status.
    let (_, max) = org.sim.api_usage();
    org.sim.set_api_usage(max);
    let err = sf.get("Account", &first, &[]).await.unwrap_err();
    assert!(
        matches!(err, SalesforceError::LimitExceeded { attempts: 5, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_raised().message,
        "Error calling SalesForce (Http Code: 403)"
    );
}

#[tokio::test]
async fn usage_from_sforce_limit_info_is_exposed() {
    let org = org().await;
    let sf = org.client();
    assert_eq!(sf.api_usage(), None, "nothing seen before the first call");
    sf.query("SELECT Id FROM Account").await.unwrap();
    let usage = sf.api_usage().unwrap();
    assert_eq!((usage.used, usage.max), org.sim.api_usage());
    org.sim.set_api_usage(90_000);
    sf.query("SELECT Id FROM Account").await.unwrap();
    assert!(sf.api_usage().unwrap().share() > 0.9);
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_the_call_succeeds() {
    let org = org().await;
    let sf = org.client();
    sf.query("SELECT Id FROM Account").await.unwrap();
    org.sim.expire_access_tokens();
    let id = sf
        .create("Account", &fields(json!({"Name": "After expiry"})))
        .await
        .unwrap();
    assert!(org.sim.record("Account", id.as_str()).is_some());
    assert_eq!(org.sim.counters().get("token"), 2);

    // A 401 right after the refresh is passing trouble (a new session can take a moment to
    // be honoured): retried with backoff on that session, never a refresh per 401.
    org.sim.set_faults(Faults {
        force_401: 2,
        ..Default::default()
    });
    sf.query("SELECT Id FROM Account").await.unwrap();
    assert_eq!(
        org.sim.counters().get("token"),
        3,
        "exactly one refresh per 401"
    );
    // One that keeps coming is reported with its code, not as "re-authenticate".
    org.sim.set_faults(Faults {
        force_401: 1000,
        ..Default::default()
    });
    let err = sf.query("SELECT Id FROM Account").await.unwrap_err();
    assert_eq!(
        err.to_raised().message,
        "Error calling SalesForce (Http Code: 401)"
    );
    assert_eq!(org.sim.counters().get("token"), 4, "not a loop");
}

#[tokio::test]
async fn retries_ride_out_thirty_percent_503s_and_dropped_connections() {
    let org = org().await;
    let mut config = org.config();
    // Ten tries: the chance that one call meets ten faults in a row at 30% is 6e-6.
    config.retry = quick_retry(10);
    let sf = org.client_with(config);
    sf.query("SELECT Id FROM Account").await.unwrap();
    org.sim.set_faults(Faults {
        rate_503: 0.3,
        seed: Some(7),
        ..Default::default()
    });
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            sf.create("Account", &fields(json!({"Name": format!("Flaky {i}")})))
                .await
                .unwrap(),
        );
    }
    for id in &ids {
        sf.update("Account", id, &fields(json!({"Phone": "1"})))
            .await
            .unwrap();
    }
    let creates = org.sim.counters().get("create");
    assert!(
        creates > 30,
        "some creates were answered 503 and retried ({creates})"
    );
    let stored = org.sim.records("Account");
    assert_eq!(
        stored.len(),
        30,
        "a retried create never made a second record"
    );

    org.sim.set_faults(Faults {
        drop_rate: 0.3,
        seed: Some(11),
        ..Default::default()
    });
    for id in &ids {
        sf.get("Account", id, &["Name"]).await.unwrap();
    }
}

#[tokio::test]
async fn when_retries_never_succeed_the_message_carries_the_real_code() {
    let org = org().await;
    let sf = org.client();
    sf.query("SELECT Id FROM Account").await.unwrap();
    org.sim.reset_counters();
    org.sim.set_faults(Faults {
        rate_503: 1.0,
        ..Default::default()
    });
    let err = sf
        .create("Account", &fields(json!({"Name": "Never"})))
        .await
        .unwrap_err();
    let raised = err.to_raised();
    assert_eq!(raised.message, "Error calling SalesForce (Http Code: 503)");
    assert!(
        raised.detail.as_deref().unwrap().contains("5 attempt(s)"),
        "{raised:?}"
    );
    assert_eq!(
        org.sim.counters().get("create"),
        5,
        "max_attempts tries, no more"
    );

    org.sim.set_faults(Faults {
        rate_500: 1.0,
        ..Default::default()
    });
    let err = sf.query("SELECT Id FROM Account").await.unwrap_err();
    assert_eq!(
        err.to_raised().message,
        "Error calling SalesForce (Http Code: 500)"
    );
}
