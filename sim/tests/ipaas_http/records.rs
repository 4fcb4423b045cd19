//! Customers and Companies: create, get, update, validation, 404s, search.

use super::*;

#[tokio::test]
async fn customers_are_created_read_and_updated_with_addresses() {
    let t = Tenant::default().await;
    let company = t
        .sim
        .insert_company(json!({"name": "Analytical Engines Ltd"}));
    let mut body = ada();
    body["company_id"] = json!(company);
    body["shoe_size"] = json!(38);
    let resp = t.post("/customers/v2/Customer", &body).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert!(header(&resp, "content-type")
        .unwrap()
        .starts_with("application/json"));
    let (_, created) = json_of(resp).await;
    let id = created["id"].as_u64().expect("integer id");
    assert_eq!(created["email_address"], "Ada@Example.com");
    assert_eq!(created["company_id"], company);
    assert_eq!(created["company"], "Analytical Engines Ltd");
    assert!(
        created.get("shoe_size").is_none(),
        "unknown fields are ignored"
    );
    assert_eq!(created["external_ids"], json!([]));
    assert_eq!(created["custom_fields"], json!([]));
    let addr = &created["addresses"][0];
    assert!(addr["id"].as_u64().is_some());
    assert_eq!(
        (addr["city"].as_str(), addr["is_primary_billing"].as_bool()),
        (Some("London"), Some(true))
    );
    assert_eq!(addr["is_primary_shipping"], false);
    let stamp = created["last_modified_date"]
        .as_str()
        .expect("stamped")
        .to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&stamp).is_ok() && stamp.ends_with('Z'));

    let (status, got) = json_of(t.get(&format!("/customers/v2/Customer/{id}")).await).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));

    let change = json!({"comment": "Wrote the first program", "addresses": [
        {"type": "Shipping", "city": "Marylebone", "is_primary_shipping": true}]});
    let (status, updated) = json_of(
        t.put(&format!("/customers/v2/Customer/{id}"), &change)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["comment"], "Wrote the first program");
    assert_eq!(
        updated["last_name"], "Lovelace",
        "an update keeps what it leaves out"
    );
    let addresses = updated["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 1, "an update replaces the address list");
    assert_eq!(addresses[0]["city"], "Marylebone");
    // Never earlier (two changes within one millisecond may share a stamp).
    assert!(updated["last_modified_date"].as_str().unwrap() >= stamp.as_str());
    assert_eq!(t.sim.customer(id).unwrap(), updated);
}

#[tokio::test]
async fn companies_are_created_read_and_updated_with_addresses() {
    let t = Tenant::default().await;
    let parent = t.sim.insert_company(json!({"name": "Parent"}));
    let body = json!({"name": "Acme", "url": "https://acme.example", "parent_company_id": parent,
        "addresses": [{"type": "Billing", "city": "Springfield", "is_primary_billing": true}]});
    let (status, created) = json_of(t.post("/customers/v2/Customer/Company", &body).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_u64().unwrap();
    assert_eq!(
        (
            created["name"].as_str(),
            created["parent_company_id"].as_u64()
        ),
        (Some("Acme"), Some(parent))
    );
    assert_eq!(created["addresses"][0]["city"], "Springfield");
    let path = format!("/customers/v2/Customer/Company/{id}");
    let (status, got) = json_of(t.get(&path).await).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));
    let (status, updated) = json_of(
        t.put(&path, &json!({"name": "Acme Inc", "addresses": []}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (updated["name"].as_str(), updated["url"].as_str()),
        (Some("Acme Inc"), Some("https://acme.example"))
    );
    assert_eq!(updated["addresses"], json!([]));
    assert_eq!(t.sim.companies().len(), 2);
}

/// Asserts a 400 problem-details answer naming `field`.
async fn rejects(resp: Response, field: &str) {
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{field}");
    assert!(header(&resp, "content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let (_, body) = json_of(resp).await;
    assert_eq!(body["title"], "One or more validation errors occurred.");
    assert_eq!(body["status"], 400);
    let messages = body["errors"][field]
        .as_array()
        .unwrap_or_else(|| panic!("{field}: {body}"));
    assert!(messages
        .iter()
        .all(|m| m.as_str().is_some_and(|m| !m.is_empty())));
}

#[tokio::test]
async fn each_validation_rule_answers_400_problem_details() {
    let t = Tenant::default().await;
    let with = |k: &str, v: Value| {
        let mut b = ada();
        b[k] = v;
        b
    };
    let c = "/customers/v2/Customer";
    rejects(
        t.post(c, &with("last_name", Value::Null)).await,
        "last_name",
    )
    .await;
    // A Customer without an email address is a customer too.
    assert_eq!(
        t.post(c, &json!({"last_name": "L"})).await.status(),
        StatusCode::CREATED
    );
    rejects(
        t.post(c, &with("email_address", json!("not-an-email")))
            .await,
        "email_address",
    )
    .await;
    rejects(
        t.post(c, &with("first_name", json!("x".repeat(256)))).await,
        "first_name",
    )
    .await;
    rejects(
        t.post(
            c,
            &with("email_address", json!(format!("{}@x.io", "a".repeat(251)))),
        )
        .await,
        "email_address",
    )
    .await;
    rejects(
        t.post(c, &with("comment", json!("x".repeat(1001)))).await,
        "comment",
    )
    .await;
    rejects(
        t.post(c, &with("company_id", json!(4242))).await,
        "company_id",
    )
    .await;
    rejects(
        t.post(c, &with("addresses", json!([{"city": "y".repeat(1001)}])))
            .await,
        "addresses[0].city",
    )
    .await;
    let not_json = t
        .http
        .post(t.url(c))
        .bearer_auth(t.key())
        .header("content-type", "application/json")
        .body("{nope");
    rejects(not_json.send().await.unwrap(), "$").await;
    let co = "/customers/v2/Customer/Company";
    rejects(t.post(co, &json!({"description": "no name"})).await, "name").await;
    rejects(t.post(co, &json!({"name": "n".repeat(256)})).await, "name").await;
    rejects(
        t.post(co, &json!({"name": "N", "email_address": "x@"}))
            .await,
        "email_address",
    )
    .await;
    // Exactly at the limits is fine.
    let ok = with("first_name", json!("x".repeat(255)));
    assert_eq!(t.post(c, &ok).await.status(), StatusCode::CREATED);
    // An update is judged on the record it leaves.
    let (_, made) = json_of(t.post(co, &json!({"name": "N"})).await).await;
    let path = format!("{co}/{}", made["id"]);
    rejects(t.put(&path, &json!({"name": ""})).await, "name").await;
    assert_eq!(
        t.sim.customers().len(),
        2,
        "nothing rejected was stored (the emailless one is valid)"
    );
}

#[tokio::test]
async fn absent_records_are_404_problem_details() {
    let t = Tenant::default().await;
    for path in [
        "/customers/v2/Customer/77",
        "/customers/v2/Customer/Company/77",
    ] {
        let (status, body) = json_of(t.get(path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            (body["title"].as_str(), body["status"].as_u64()),
            (Some("Not Found"), Some(404))
        );
        assert!(body["detail"].as_str().unwrap().contains("77"));
        let put = t
            .put(
                path,
                &json!({"name": "N", "last_name": "L", "email_address": "a@b.co"}),
            )
            .await;
        assert_eq!(put.status(), StatusCode::NOT_FOUND);
    }
    let (status, body) = json_of(t.get("/customers/v2/Customer/abc").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["id"].is_array());
}

#[tokio::test]
async fn search_by_email_and_name_is_case_insensitive() {
    let t = Tenant::default().await;
    let ada = t
        .sim
        .insert_customer(json!({"last_name": "Lovelace", "email_address": "Ada@Example.com"}));
    t.sim
        .insert_customer(json!({"last_name": "Other", "email_address": "ada@example.com.au"}));
    let acme = t.sim.insert_company(json!({"name": "Acme Widgets"}));
    t.sim.insert_company(json!({"name": "Acme"}));

    let resp = t
        .get("/customers/v2/Customers?action=equals&EmailAddress=ADA%40example.COM")
        .await;
    assert!(header(&resp, "x-pagination").is_some());
    let (status, hits) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hits.as_array().map(Vec::len), Some(1));
    assert_eq!(hits[0]["id"], ada);

    let (_, hits) = json_of(
        t.get("/customers/v2/Customer/Companies?action=equals&Name=acme%20WIDGETS")
            .await,
    )
    .await;
    assert_eq!(hits.as_array().map(Vec::len), Some(1));
    assert_eq!(hits[0]["id"], acme);

    let (_, none) = json_of(
        t.get("/customers/v2/Customers?action=equals&EmailAddress=nobody%40x.io")
            .await,
    )
    .await;
    assert_eq!(none, json!([]));
    let (_, all) = json_of(t.get("/customers/v2/Customers").await).await;
    assert_eq!(all.as_array().map(Vec::len), Some(2));

    let no_action = t
        .get("/customers/v2/Customers?EmailAddress=ada%40example.com")
        .await;
    rejects(no_action, "action").await;
    rejects(
        t.get("/customers/v2/Customers?action=contains&EmailAddress=ada")
            .await,
        "action",
    )
    .await;
    assert_eq!(t.sim.counters().get("customer_search"), 5);
    assert_eq!(t.sim.counters().get("company_search"), 1);
}

#[tokio::test]
async fn custom_fields_are_named_text_values_kept_as_sent() {
    let t = Tenant::default().await;
    let body = json!({"name": "Acme", "custom_fields": [
        {"name": "Tier", "value": "Gold"}, {"name": "Region", "value": null, "color": "x"}]});
    let (status, created) = json_of(t.post("/customers/v2/Customer/Company", &body).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        created["custom_fields"],
        json!([{"name": "Tier", "value": "Gold"}, {"name": "Region", "value": null}])
    );
    let id = created["id"].as_u64().unwrap();
    let path = format!("/customers/v2/Customer/Company/{id}");
    // An update that leaves them out keeps them; one that sends them replaces the list.
    let (_, kept) = json_of(t.put(&path, &json!({"url": "u"})).await).await;
    assert_eq!(kept["custom_fields"], created["custom_fields"]);
    let change = json!({"custom_fields": [{"name": "Tier", "value": "Silver"}]});
    let (status, updated) = json_of(t.put(&path, &change).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        updated["custom_fields"],
        json!([{"name": "Tier", "value": "Silver"}])
    );
    let (_, got) = json_of(t.get(&path).await).await;
    assert_eq!(got["custom_fields"], updated["custom_fields"]);
    // A value that is not text, and a name given twice, are refused with their place.
    let bad =
        json!({"custom_fields": [{"name": "Tier", "value": 3}, {"name": "x"}, {"name": "X"}]});
    let (status, problem) = json_of(t.put(&path, &bad).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["errors"]["custom_fields[0].value"],
        json!(["The JSON value of value must be a string."])
    );
    assert_eq!(
        problem["errors"]["custom_fields[2].name"],
        json!(["The custom field X appears more than once."])
    );
}
