//! SOQL escaping against hostile values: each value is stored as an Account name among
//! look-alike decoys, then looked up with `=` and with LIKE through the escaping helpers.
//! The simulator parses the query as Salesforce would, so a wrong escape shows up as a
//! malformed query or as the wrong rows.

use e2e::salesforce::Org;
use serde_json::json;
use shared::salesforce::soql::{quote, quote_like, string_list, SoqlError};
use sim::salesforce::SalesforceSimConfig;

const HOSTILE: &[&str] = &[
    "O'Brien",
    "'",
    "''",
    "\\",
    "\\'",
    "trailing\\",
    "\\\\'",
    "x' OR Name != 'x",
    "x' OR '1'='1",
    "%' OR Name LIKE '%",
    "100%",
    "%",
    "%%",
    "_",
    "a_b",
    "\"quoted\"",
    "line\nbreak",
    "tab\there",
    "cr\rhere",
    "bell\u{8}back",
    "form\u{c}feed",
    "Zoë Ångström",
    "東京都",
    "emoji 🎉 party",
    "\u{202e}reversed",
    "Ω≈ç√∫",
    " spaced ",
    "a;DELETE FROM Account",
    ") OR (Name != '",
];

/// Names that a broken escape would match instead of (or as well as) the intended one.
const DECOYS: &[&str] = &[
    "OBrien",
    "O",
    "x",
    "1",
    "100",
    "1000",
    "axb",
    "ab",
    "quoted",
    "linebreak",
    "anything",
];

#[tokio::test]
async fn hostile_values_find_exactly_their_own_record() {
    let org = Org::start(SalesforceSimConfig::default()).await;
    org.sim.set_duplicate_rule("Account", false);
    let mut expected = std::collections::HashMap::new();
    for name in HOSTILE.iter().chain(DECOYS) {
        let id = org.sim.insert(
            "Account",
            json!({"Name": name, "Description": "soql corpus"}),
        );
        expected.insert(name.to_string(), id.to_string());
    }
    let sf = org.client();
    for name in HOSTILE {
        let soql = format!(
            "SELECT Id, Name FROM Account WHERE Name = {}",
            quote(name).unwrap()
        );
        let rows = sf
            .query(&soql)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {soql}: {e}"));
        let ids: Vec<&str> = rows.iter().map(|r| r["Id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![expected[*name].as_str()], "= {name:?}");
        assert_eq!(rows[0]["Name"], *name);

        let soql = format!(
            "SELECT Id FROM Account WHERE Name LIKE {} AND Description = 'soql corpus'",
            quote_like(name).unwrap()
        );
        let rows = sf
            .query(&soql)
            .await
            .unwrap_or_else(|e| panic!("{name:?}: {soql}: {e}"));
        let ids: Vec<&str> = rows.iter().map(|r| r["Id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![expected[*name].as_str()], "LIKE {name:?}");
    }

    // IN over all of them at once: exactly the hostile rows, none of the decoys.
    let soql = format!(
        "SELECT Id FROM Account WHERE Name IN {}",
        string_list(HOSTILE.iter().copied()).unwrap()
    );
    let rows = sf.query(&soql).await.unwrap();
    assert_eq!(rows.len(), HOSTILE.len());
}

#[test]
fn values_a_literal_cannot_hold_are_refused_not_mangled() {
    assert_eq!(quote("nul\u{0}byte"), Err(SoqlError::ControlCharacter(0)));
    assert_eq!(
        quote("esc\u{1b}[0m"),
        Err(SoqlError::ControlCharacter(0x1b))
    );
    assert!(matches!(
        quote(&"y".repeat(5_000)),
        Err(SoqlError::TooLong(5_000))
    ));
}
