//! Single-record create/get/update, their errors, and the org's rules.

use super::*;

#[tokio::test]
async fn create_get_update_and_audit_fields() {
    let org = Org::default().await;
    let r = org
        .post(
            "/sobjects/Account/",
            &json!({"Name": "Acme", "Phone": "555"}),
        )
        .await;
    let (status, body) = parts(r).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["success"], true);
    assert_eq!(body["errors"], json!([]));
    let id = body["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("001"));
    assert_eq!(
        shared::salesforce::SalesforceId::parse(&id).map(|i| i.to_string()),
        Ok(id.clone())
    );

    let (status, rec) = parts(
        org.get(&format!(
            "/sobjects/Account/{}?fields=Name,Phone",
            &id[..15]
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec["attributes"]["type"], "Account");
    assert_eq!(
        rec["attributes"]["url"],
        format!("{V}/sobjects/Account/{id}")
    );
    assert_eq!(rec["Name"], "Acme");
    assert!(rec.get("Website").is_none());
    let (_, full) = parts(org.get(&format!("/sobjects/Account/{id}")).await).await;
    assert_eq!(full["Website"], Value::Null);
    assert_eq!(
        full["LastModifiedById"],
        org.sim.config().integration_user_id
    );
    let stamp1 = full["SystemModstamp"].as_str().expect("stamp").to_string();
    assert_eq!(stamp1.len(), "2024-01-01T00:00:00.000+0000".len());
    assert!(stamp1.ends_with("+0000"));

    let r = org
        .patch(
            &format!("/sobjects/Account/{id}"),
            &json!({"Website": "https://acme.example"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let rec = org.sim.record("Account", &id).expect("stored");
    assert_eq!(rec["Website"], "https://acme.example");
    let stamp2 = rec["SystemModstamp"].as_str().expect("stamp").to_string();
    assert!(stamp2 > stamp1);

    org.sim
        .edit_as_person("Account", &id, json!({"Phone": "999"}));
    let rec = org.sim.record("Account", &id).expect("stored");
    assert_eq!(rec["LastModifiedById"], org.sim.person_user_id());
    assert_ne!(
        rec["LastModifiedById"],
        org.sim.config().integration_user_id
    );
    assert!(rec["SystemModstamp"].as_str().expect("stamp") > stamp2.as_str());

    let acct = id.clone();
    let r = org
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "Lovelace", "AccountId": &acct[..15]}),
        )
        .await;
    let (status, body) = parts(r).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cid = body["id"].as_str().expect("id");
    assert!(cid.starts_with("003"));
    assert_eq!(
        org.sim.record("Contact", cid).expect("stored")["AccountId"],
        acct
    );
}

#[tokio::test]
async fn session_version_and_id_errors() {
    let org = Org::default().await;
    let url = org.url("/sobjects/Account/");
    let r = org
        .http
        .post(&url)
        .json(&json!({"Name": "x"}))
        .send()
        .await
        .expect("sent");
    let (status, body) = parts(r).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
    let r = org
        .http
        .get(&url)
        .bearer_auth("forged")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = org
        .http
        .get(format!("{}/services/data/64/query?q=x", org.sim.url()))
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "NOT_FOUND".into())
    );
    assert_eq!(
        error_code(org.get("/sobjects/Account/not-an-id").await).await,
        (StatusCode::NOT_FOUND, "NOT_FOUND".into())
    );
    let absent = shared::salesforce::SalesforceId::from_parts("001", "8M0", 999_999);
    let (status, body) = parts(org.get(&format!("/sobjects/Account/{absent}")).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );
    let r = org
        .patch(
            &format!("/sobjects/Account/{absent}"),
            &json!({"Name": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        error_code(org.get("/sobjects/Opportunity/x").await).await.0,
        StatusCode::NOT_FOUND
    );

    org.sim.expire_access_tokens();
    let r = org.get(&format!("/sobjects/Account/{absent}")).await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID".into())
    );
}

#[tokio::test]
async fn write_errors_look_like_salesforce() {
    let org = Org::default().await;
    let cases = [
        (
            json!({"Phone": "1"}),
            "REQUIRED_FIELD_MISSING",
            Some("Required fields are missing: [Name]"),
        ),
        (json!({"Name": "x".repeat(256)}), "STRING_TOO_LONG", None),
        (
            json!({"Name": "x", "Bogus": 1}),
            "INVALID_FIELD",
            Some("No such column 'Bogus' on sobject of type Account"),
        ),
        (
            json!({"Name": "x", "CreatedDate": "2024-01-01T00:00:00.000+0000"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            None,
        ),
    ];
    for (body, code, message) in cases {
        let (status, err) = parts(org.post("/sobjects/Account", &body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err[0]["errorCode"], code, "{body}");
        if let Some(m) = message {
            assert_eq!(err[0]["message"], m);
        }
    }
    let (_, err) = parts(org.post("/sobjects/Account", &json!({"Phone": "1"})).await).await;
    assert_eq!(err[0]["fields"], json!(["Name"]));
    let (_, err) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"LastName": "x", "Email": "not an email"}),
        )
        .await,
    )
    .await;
    assert_eq!(err[0]["errorCode"], "INVALID_EMAIL_ADDRESS");
    let ghost = shared::salesforce::SalesforceId::from_parts("001", "8M0", 424_242);
    let (_, err) = parts(
        org.post(
            "/sobjects/Contact",
            &json!({"LastName": "x", "AccountId": ghost}),
        )
        .await,
    )
    .await;
    assert_eq!(err[0]["errorCode"], "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(err[0]["fields"], json!(["AccountId"]));
    let r = org
        .http
        .post(org.url("/sobjects/Account"))
        .bearer_auth(&org.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR".into())
    );
    assert!(org.sim.records("Account").is_empty(), "nothing was saved");
}

#[tokio::test]
async fn duplicate_rules_validation_rules_and_denials() {
    let org = Org::default().await;
    let existing = org.sim.insert(
        "Account",
        json!({"Name": "Acme", "Website": "acme.example"}),
    );
    let dup = json!({"Name": "ACME Inc.", "Website": "https://www.acme.example/"});
    let (status, body) = parts(org.post("/sobjects/Account", &dup).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let e = &body[0];
    assert_eq!(e["errorCode"], "DUPLICATES_DETECTED");
    assert_eq!(e["message"], "Use one of these records?");
    let d = &e["duplicateResult"];
    assert_eq!(d["allowSave"], false);
    assert_eq!(d["duplicateRule"], "Standard_Account_Duplicate_Rule");
    assert_eq!(d["duplicateRuleEntityType"], "Account");
    assert_eq!(
        d["errorMessage"],
        "You're creating a duplicate record. We recommend you use an existing record instead."
    );
    let m = &d["matchResults"][0];
    assert_eq!(m["entityType"], "Account");
    assert_eq!(m["matchEngine"], "FuzzyMatchEngine");
    assert_eq!(m["size"], 1);
    assert_eq!(m["success"], true);
    assert_eq!(m["matchRecords"][0]["matchConfidence"], 100.0);
    assert_eq!(m["matchRecords"][0]["record"]["Id"], existing.as_str());
    assert_eq!(
        m["matchRecords"][0]["record"]["attributes"]["type"],
        "Account"
    );

    let r = org
        .http
        .post(org.url("/sobjects/Account"))
        .bearer_auth(&org.token)
        .header(
            "Sforce-Duplicate-Rule-Header",
            "allowSave=true; includeRecordDetails=true; runAsCurrentUser=true",
        )
        .json(&dup)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::CREATED);

    org.sim.set_duplicate_rule("Contact", false);
    org.sim
        .insert("Contact", json!({"LastName": "A", "Email": "a@x.com"}));
    let r = org
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "B", "Email": "A@X.COM"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    org.sim.add_validation_rule(ValidationRule {
        object: "Account".into(),
        field: "AccountNumber".into(),
        condition: Condition::StartsWith("X".into()),
        message: "Account number may not start with X".into(),
        error_field: Some("AccountNumber".into()),
    });
    let (_, body) = parts(
        org.post(
            "/sobjects/Account",
            &json!({"Name": "V", "AccountNumber": "X1"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        body,
        json!([{"message": "Account number may not start with X", "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["AccountNumber"]}])
    );

    org.sim.deny("Account", Operation::Update);
    let r = org
        .patch(
            &format!("/sobjects/Account/{existing}"),
            &json!({"Phone": "1"}),
        )
        .await;
    assert_eq!(
        error_code(r).await,
        (
            StatusCode::BAD_REQUEST,
            "INSUFFICIENT_ACCESS_OR_READONLY".into()
        )
    );
    org.sim.deny("Contact", Operation::Read);
    let (status, body) = parts(org.query("SELECT Id FROM Contact").await).await;
    assert_eq!(
        (status, body[0]["errorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("INVALID_TYPE"))
    );
}
