//! SOQL over HTTP: paging with batchSize, COUNT(), locators and query errors.

use super::*;

#[tokio::test]
async fn query_pages_through_three_batches() {
    let org = Org::default().await;
    for i in 0..450 {
        org.sim.insert(
            "Account",
            json!({"Name": format!("Bulk {i:03}"), "BillingCity": "Paris"}),
        );
    }
    let q = "SELECT Id, Name FROM Account WHERE BillingCity = 'paris' ORDER BY Name DESC";
    let first = org
        .http
        .get(org.url("/query"))
        .query(&[("q", q)])
        .bearer_auth(&org.token)
        .header("Sforce-Query-Options", "batchSize=200")
        .send()
        .await
        .expect("sent");
    let (status, mut page) = parts(first).await;
    assert_eq!(status, StatusCode::OK);
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(page["totalSize"], 450);
        for r in page["records"].as_array().expect("records") {
            assert_eq!(r["attributes"]["type"], "Account");
            names.push(r["Name"].as_str().expect("name").to_string());
        }
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            assert_eq!(page["done"], true);
            break;
        };
        assert_eq!(page["done"], false);
        assert!(next.starts_with(&format!("{V}/query/")));
        let r = org
            .http
            .get(format!("{}{next}", org.sim.url()))
            .bearer_auth(&org.token)
            .send()
            .await
            .expect("sent");
        page = parts(r).await.1;
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 450);
    assert_eq!(names.first().map(String::as_str), Some("Bulk 449"));
    assert_eq!(names.last().map(String::as_str), Some("Bulk 000"));
    assert_eq!(org.sim.counters().get("query"), 3);

    let (status, body) = parts(org.query("SELECT COUNT() FROM Account").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["totalSize"], 450);
    assert_eq!(body["records"], json!([]));
    let r = org.get("/query/01gXXXXXXXXXXXXXXX-200").await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR".into())
    );
    let (status, body) = parts(org.query("SELECT Id FROM Account WHERE Name = 'x").await).await;
    assert_eq!(
        (status, body[0]["errorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("MALFORMED_QUERY"))
    );
    assert_eq!(
        error_code(org.query("SELECT Nope FROM Account").await)
            .await
            .1,
        "INVALID_FIELD"
    );
    assert_eq!(
        error_code(org.query("SELECT Id FROM Nope").await).await.1,
        "INVALID_TYPE"
    );
}
