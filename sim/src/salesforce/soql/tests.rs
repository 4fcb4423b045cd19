//! The SOQL subset, table-driven: parsing, checking and evaluation over a small org.

use super::*;
use crate::salesforce::schema::Schema;
use crate::salesforce::store::{Record, Store, Writer};
use serde_json::{json, Value};

fn org() -> (Store, Vec<String>) {
    let mut s = Store::default();
    let rows = [
        json!({"Name": "Acme", "AccountNumber": "A-1", "BillingCity": "Paris", "SystemModstamp": "2024-01-01T00:00:00.000+0000"}),
        json!({"Name": "acme", "AccountNumber": "A-2", "SystemModstamp": "2024-01-02T00:00:00.000+0000"}),
        json!({"Name": "O'Brien & Sons", "AccountNumber": "B-1", "BillingCity": "Dublin", "SystemModstamp": "2024-01-03T00:00:00.000+0000"}),
        json!({"Name": "100% Juice_Co", "AccountNumber": "C-1", "BillingCity": "paris", "SystemModstamp": "2024-01-04T00:00:00.000+0000"}),
        json!({"Name": "Back\\slash \"Q\"\nline", "SystemModstamp": "2024-01-05T12:30:00.000+0000"}),
    ];
    let ids = rows
        .iter()
        .map(|r| {
            let rec = r.as_object().cloned().unwrap_or_default();
            s.put("Account", None, &rec, Writer::Seed("005"))
                .to_string()
        })
        .collect();
    (s, ids)
}

fn names(q: &str) -> Result<Vec<String>, String> {
    let (store, _) = org();
    let parsed = parse(q)
        .and_then(|q| check(q, &Schema::default()))
        .map_err(|e| e.code.to_string())?;
    let (object, query) = parsed;
    Ok(run(&store.schema, object, &query, store.all(object))
        .iter()
        .map(|r: &&Record| {
            r.get("Name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect())
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn filters() {
    let table: &[(&str, &[&str])] = &[
        (
            "SELECT Id FROM Account WHERE Name = 'ACME'",
            &["Acme", "acme"],
        ),
        (
            "SELECT Id FROM Account WHERE Name != 'acme'",
            &["O'Brien & Sons", "100% Juice_Co", "Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE Name <> 'acme' AND BillingCity = null",
            &["Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'O\\'Brien & Sons'",
            &["O'Brien & Sons"],
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'Back\\\\slash \\\"Q\\\"\\nline'",
            &["Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE Name IN ('acme', 'o\\'brien & sons')",
            &["Acme", "acme", "O'Brien & Sons"],
        ),
        (
            "SELECT Id FROM Account WHERE AccountNumber NOT IN ('A-1', 'A-2')",
            &["O'Brien & Sons", "100% Juice_Co", "Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE Name LIKE 'ac%'",
            &["Acme", "acme"],
        ),
        (
            "SELECT Id FROM Account WHERE Name LIKE '_cme'",
            &["Acme", "acme"],
        ),
        (
            "SELECT Id FROM Account WHERE Name LIKE '100\\% Juice\\_Co'",
            &["100% Juice_Co"],
        ),
        (
            "SELECT Id FROM Account WHERE Name LIKE '100\\%%'",
            &["100% Juice_Co"],
        ),
        (
            "SELECT Id FROM Account WHERE Name LIKE '%\\_%'",
            &["100% Juice_Co"],
        ),
        ("SELECT Id FROM Account WHERE Name LIKE '1_0\\_%'", &[]),
        (
            "SELECT Id FROM Account WHERE BillingCity = 'PARIS' OR AccountNumber = 'B-1'",
            &["Acme", "O'Brien & Sons", "100% Juice_Co"],
        ),
        (
            "SELECT Id FROM Account WHERE NOT (BillingCity = 'paris') AND BillingCity != null",
            &["O'Brien & Sons"],
        ),
        (
            "SELECT Id FROM Account WHERE (Name = 'Acme' OR Name = 'x') AND AccountNumber = 'A-2'",
            &["acme"],
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'acme' OR Name = 'x' AND AccountNumber = 'none'",
            &["Acme", "acme"],
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > 2024-01-03T00:00:00Z",
            &["100% Juice_Co", "Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-03T00:00:00.000Z",
            &["O'Brien & Sons", "100% Juice_Co", "Back\\slash \"Q\"\nline"],
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp < 2024-01-02T01:00:00+01:00",
            &["Acme"],
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp <= 2024-01-01T00:00:00Z",
            &["Acme"],
        ),
        (
            "SELECT Id FROM Account WHERE IsDeleted = false AND Name = 'acme' LIMIT 1",
            &["Acme"],
        ),
        ("SELECT Id FROM Account WHERE Name = 'nobody'", &[]),
        ("SELECT Id FROM Account WHERE Name = '%'", &[]),
        (
            "select id from account where name = 'acme'",
            &["Acme", "acme"],
        ),
    ];
    for (q, want) in table {
        assert_eq!(names(q), Ok(owned(want)), "{q}");
    }
}

#[test]
fn ordering_and_limit() {
    let table: &[(&str, &[&str])] = &[
        (
            "SELECT Name FROM Account ORDER BY SystemModstamp DESC LIMIT 2",
            &["Back\\slash \"Q\"\nline", "100% Juice_Co"],
        ),
        (
            "SELECT Name FROM Account ORDER BY BillingCity, AccountNumber DESC LIMIT 3",
            &["Back\\slash \"Q\"\nline", "acme", "O'Brien & Sons"],
        ),
        (
            "SELECT Name FROM Account ORDER BY BillingCity ASC NULLS LAST, Name",
            &[
                "O'Brien & Sons",
                "100% Juice_Co",
                "Acme",
                "acme",
                "Back\\slash \"Q\"\nline",
            ],
        ),
        (
            "SELECT Name FROM Account ORDER BY BillingCity DESC NULLS FIRST LIMIT 2",
            &["acme", "Back\\slash \"Q\"\nline"],
        ),
        ("SELECT Name FROM Account LIMIT 0", &[]),
    ];
    for (q, want) in table {
        let got = names(q);
        assert_eq!(got.as_ref().map(Vec::len), Ok(want.len()), "{q}");
        // Text sorts case-insensitively; full ties keep creation order (a stable sort).
        assert_eq!(got, Ok(owned(want)), "{q}");
    }
}

#[test]
fn id_filters_accept_15_and_18_chars() {
    let (store, ids) = org();
    for id in [ids[2].clone(), ids[2][..15].to_string()] {
        let q = format!("SELECT Name FROM Account WHERE Id = '{id}'");
        let (object, query) = parse(&q)
            .and_then(|q| check(q, &Schema::default()))
            .expect("valid");
        let hits = run(&store.schema, object, &query, store.all(object));
        assert_eq!(hits.len(), 1, "{q}");
    }
    // Ids compare exactly: another case is another Id.
    let lower = ids[2][..15].to_lowercase();
    let q = format!("SELECT Name FROM Account WHERE Id IN ('{lower}')");
    let (object, query) = parse(&q)
        .and_then(|q| check(q, &Schema::default()))
        .expect("valid");
    assert!(run(&store.schema, object, &query, store.all(object)).is_empty());
}

#[test]
fn count_and_select_shapes() {
    let q = parse("SELECT COUNT() FROM Contact WHERE Email != null").expect("parses");
    assert_eq!(q.select, Select::Count);
    let q = parse("SELECT Id, name FROM Account")
        .and_then(|q| check(q, &Schema::default()))
        .expect("checks")
        .1;
    let Select::Fields(f) = q.select else {
        panic!("fields")
    };
    assert_eq!(f[1].name, "Name", "canonical casing");
}

#[test]
fn rejections() {
    let table: &[(&str, &str)] = &[
        ("", "MALFORMED_QUERY"),
        ("SELECT FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id Account", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE Name = 'unterminated",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'bad \\q escape'",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' garbage",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE (Name = 'x'",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE Name == 'x'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Account WHERE Name ! 'x'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name IN ()", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE Name NOT 'x'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Account LIMIT -1", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account LIMIT 1.5", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > 2024-13-01T00:00:00Z",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account; DELETE FROM Account",
            "MALFORMED_QUERY",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' -- comment",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id, Name, name FROM Account", "DUPLICATE_FIELD"),
        ("SELECT Id FROM Opportunity", "INVALID_TYPE"),
        ("SELECT Id, Bogus__c FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Bogus = 'x'", "INVALID_FIELD"),
        ("SELECT Id FROM Account ORDER BY Bogus", "INVALID_FIELD"),
        (
            "SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'",
            "INVALID_FIELD",
        ),
        ("SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD"),
        (
            "SELECT Id FROM Account WHERE IsDeleted = 'false'",
            "INVALID_FIELD",
        ),
        (
            "SELECT Id FROM Account WHERE SystemModstamp LIKE '2024%'",
            "INVALID_FIELD",
        ),
        (
            "SELECT Id FROM Account WHERE Id = 'not-an-id'",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        (
            "SELECT Id FROM Account WHERE Account.Name = 'x'",
            "INVALID_FIELD",
        ),
    ];
    for (q, code) in table {
        assert_eq!(names(q).err().as_deref(), Some(*code), "{q}");
    }
}

#[test]
fn errors_point_at_the_problem() {
    let q = "SELECT Id, Bogus FROM Account";
    let e = parse(q)
        .and_then(|q| check(q, &Schema::default()))
        .expect_err("bad field");
    let msg = e.message(q);
    assert!(msg.contains("ERROR at Row:1:Column:12"), "{msg}");
    assert!(
        msg.contains("No such column 'Bogus' on entity 'Account'"),
        "{msg}"
    );
    assert!(msg.contains("\n           ^\n"), "{msg}");
}

#[test]
fn hostile_literals_never_panic() {
    for q in [
        "SELECT Id FROM Account WHERE Name = '\\",
        "SELECT Id FROM Account WHERE Name = '\u{e000}\u{e001}'",
        "SELECT Id FROM Account WHERE Name LIKE '%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%b'",
        "SELECT Id FROM Account WHERE Name = 'é漢字🎉'",
        "SELECT Id FROM Account WHERE Name IN ('a',",
        "SELECT Id FROM Account WHERE SystemModstamp > 9999-99-99T99:99:99Z",
        "SELECT Id FROM Account WHERE Name = 1e400",
        "SELECT Id FROM Account LIMIT 99999999999999999999999",
        "((((((((((",
        "SELECT Id FROM Account WHERE NOT NOT NOT Name = 'x'",
    ] {
        let _ = names(q);
    }
    assert_eq!(
        names("SELECT Id FROM Account WHERE Name = 'é漢字🎉'"),
        Ok(vec![])
    );
}
