//! External-id links both ways, and paging with `X-Pagination`.

use super::*;

const LOOKUP: &str = "/customers/v2/External/LookupSpecial";
const LINK: &str = "/customers/v2/External/UpdateExternalId";

#[tokio::test]
async fn links_are_written_looked_up_and_kept_on_the_record() {
    let t = Tenant::default().await;
    let company = t.sim.insert_company(json!({"name": "Acme"}));
    let before = t.sim.company(company).unwrap()["last_modified_date"].clone();
    let ask = json!({"table_name": "Company", "system_id": 7, "external_id": "001AAA"});

    let (status, body) = json_of(t.post(LOOKUP, &ask).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["title"], "Not Found");

    let mut write = ask.clone();
    write["internal_id"] = json!(company);
    let (status, link) = json_of(t.post(LINK, &write).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(link["internal_id"], company);
    assert_eq!(
        (link["table_name"].as_str(), link["system_id"].as_u64()),
        (Some("Company"), Some(7))
    );
    assert_eq!(link["external_id"], "001AAA");
    assert!(link["id"].as_u64().is_some());

    let (status, found) = json_of(t.post(LOOKUP, &ask).await).await;
    assert_eq!((status, &found), (StatusCode::OK, &link));

    let record = t.sim.company(company).unwrap();
    let ids = record["external_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        (ids[0]["system_id"].as_u64(), ids[0]["external_id"].as_str()),
        (Some(7), Some("001AAA"))
    );
    assert_eq!(ids[0]["internal_id"], company);
    assert_ne!(
        record["last_modified_date"], before,
        "a new link is a change to the record"
    );
    let (_, via_api) = json_of(
        t.get(&format!("/customers/v2/Customer/Company/{company}"))
            .await,
    )
    .await;
    assert_eq!(via_api["external_ids"], record["external_ids"]);

    // Writing again for the same record and system replaces its link.
    write["external_id"] = json!("001BBB");
    assert_eq!(t.post(LINK, &write).await.status(), StatusCode::OK);
    assert_eq!(t.post(LOOKUP, &ask).await.status(), StatusCode::NOT_FOUND);
    let ids = t.sim.company(company).unwrap()["external_ids"].clone();
    assert_eq!(ids.as_array().map(Vec::len), Some(1));
    assert_eq!(ids[0]["external_id"], "001BBB");

    // The same external id is a different link for the other table.
    let other = json!({"table_name": "Customer", "system_id": 7, "external_id": "001BBB"});
    assert_eq!(t.post(LOOKUP, &other).await.status(), StatusCode::NOT_FOUND);
    // Linking a record that does not exist is a 404; a bad body a 400.
    let ghost =
        json!({"table_name": "Customer", "system_id": 7, "external_id": "003", "internal_id": 999});
    assert_eq!(t.post(LINK, &ghost).await.status(), StatusCode::NOT_FOUND);
    let (status, bad) = json_of(
        t.post(LINK, &json!({"table_name": "Product", "external_id": ""}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["table_name", "system_id", "external_id", "internal_id"] {
        assert!(bad["errors"][field].is_array(), "{field}: {bad}");
    }
    let c = t.sim.counters();
    assert_eq!((c.get("lookup"), c.get("link")), (4, 4));
}

#[tokio::test]
async fn seeded_links_are_found() {
    let t = Tenant::default().await;
    let id = t
        .sim
        .insert_customer(json!({"last_name": "L", "email_address": "l@x.io",
        "external_ids": [{"system_id": 7, "external_id": "003SEED"}]}));
    let ask = json!({"table_name": "Customer", "system_id": 7, "external_id": "003SEED"});
    let (status, link) = json_of(t.post(LOOKUP, &ask).await).await;
    assert_eq!(
        (status, link["internal_id"].as_u64()),
        (StatusCode::OK, Some(id))
    );
}

fn pagination(resp: &Response) -> Value {
    let raw = header(resp, "x-pagination").expect("X-Pagination on every list answer");
    serde_json::from_str(&raw).expect("X-Pagination is JSON")
}

#[tokio::test]
async fn lists_page_with_x_pagination() {
    let t = Tenant::default().await;
    for i in 0..250 {
        t.sim.insert_customer(
            json!({"last_name": format!("L{i}"), "email_address": format!("p{i}@x.io")}),
        );
    }
    let mut seen = Vec::new();
    for page in 1..=3u64 {
        let resp = t
            .get(&format!(
                "/customers/v2/Customers?pageNumber={page}&pageSize=100"
            ))
            .await;
        let p = pagination(&resp);
        let (status, items) = json_of(resp).await;
        assert_eq!(status, StatusCode::OK);
        let want = if page < 3 { 100 } else { 50 };
        assert_eq!(items.as_array().map(Vec::len), Some(want), "page {page}");
        assert_eq!(
            p,
            json!({"total_Count": 250, "page_Size": 100, "current_Page": page,
            "total_Pages": 3, "has_Next": page < 3, "has_Previous": page > 1})
        );
        seen.extend(
            items
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_u64().unwrap()),
        );
    }
    seen.dedup();
    assert_eq!(seen.len(), 250, "pages neither overlap nor skip");

    let resp = t
        .get("/customers/v2/Customers?pageNumber=4&pageSize=100")
        .await;
    assert_eq!(pagination(&resp)["has_Next"], false);
    assert_eq!(
        json_of(resp).await.1,
        json!([]),
        "a page past the end is empty"
    );

    let resp = t.get("/customers/v2/Customers").await;
    assert_eq!(pagination(&resp)["page_Size"], 50);
    assert_eq!(json_of(resp).await.1.as_array().map(Vec::len), Some(50));

    let resp = t.get("/customers/v2/Customers?pageSize=1000").await;
    assert_eq!(
        pagination(&resp)["page_Size"],
        100,
        "pageSize is capped at 100"
    );
    assert_eq!(json_of(resp).await.1.as_array().map(Vec::len), Some(100));

    let (status, body) = json_of(t.get("/customers/v2/Customers?pageNumber=0").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["pageNumber"].is_array());
}

#[tokio::test]
async fn a_create_is_linked_by_the_external_ids_it_carries_an_update_by_none() {
    let t = Tenant::default().await;
    let body = json!({"name": "Linked Ltd", "external_ids": [
        {"system_id": 7, "external_id": "001CCC", "system_name": "ignored"}]});
    let (status, created) = json_of(t.post("/customers/v2/Customer/Company", &body).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_u64().unwrap();
    assert_eq!(created["external_ids"][0]["external_id"], "001CCC");
    assert_eq!(created["external_ids"][0]["internal_id"], id);
    let ask = json!({"table_name": "Company", "system_id": 7, "external_id": "001CCC"});
    let (status, found) = json_of(t.post(LOOKUP, &ask).await).await;
    assert_eq!(
        (status, found["internal_id"].as_u64()),
        (StatusCode::OK, Some(id))
    );

    // On an update they are ignored: links change only through UpdateExternalId.
    let change =
        json!({"name": "Linked Ltd", "external_ids": [{"system_id": 7, "external_id": "001DDD"}]});
    let path = format!("/customers/v2/Customer/Company/{id}");
    let (status, updated) = json_of(t.put(&path, &change).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["external_ids"], created["external_ids"]);

    // A malformed link refuses the create, naming the entry; nothing is created.
    let before = t.sim.companies().len();
    let bad = json!({"name": "Bad", "external_ids": [{"system_id": 7, "external_id": "ok"}, {"external_id": "x"}]});
    let (status, problem) = json_of(t.post("/customers/v2/Customer/Company", &bad).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["errors"]["external_ids[1].system_id"].is_array(),
        "{problem}"
    );
    assert_eq!(t.sim.companies().len(), before);
}
