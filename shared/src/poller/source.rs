use crate::catalog::Raised;
use crate::records::sf_time;
use crate::state::Cursor;
use async_trait::async_trait;
use serde_json::Value;

/// One changed record as the poller needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRecord {
    pub id: String,
    pub modstamp: chrono::DateTime<chrono::Utc>,
    /// For Contacts: whether AccountId is set.
    pub has_account: bool,
    /// The row as read (the flow's fields), handed on in the message so the worker need not
    /// read the record again; `None` from a source that reads Ids only.
    pub row: Option<serde_json::Map<String, Value>>,
}

/// One page of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangesPage {
    /// The readable rows, oldest first.
    pub rows: Vec<ChangedRecord>,
    /// Rows that came back without a usable Id or SystemModstamp, described
    /// (`"<Id or ?>: why"`); each becomes an Error Log entry.
    pub unreadable: Vec<String>,
    /// The page held as many rows as asked for: more may follow.
    pub full: bool,
}

/// Where the poller reads changes from: records of `object` strictly after `cursor` in
/// `(SystemModstamp, Id)` order (at or after the time when the cursor has no Id), oldest
/// first, whoever changed them.
#[async_trait]
pub trait ChangeSource: Send + Sync {
    async fn changed_after(
        &self,
        object: &str,
        cursor: &Cursor,
        limit: usize,
    ) -> Result<ChangesPage, Raised>;

    /// Whether the org's API usage is above the budget: the poll stops for this tick.
    fn over_budget(&self) -> bool {
        false
    }
}

/// The SOQL the poller sends, reading `fields` too (the flow's, from the mapping). Ties on
/// SystemModstamp are ordered by Id, so a page boundary inside a tie loses nothing.
pub fn changes_soql(object: &str, cursor: &Cursor, limit: usize, fields: &[String]) -> String {
    let ts = sf_time::soql_literal(&cursor.modstamp);
    let mut select: Vec<&str> = vec!["Id", "SystemModstamp"];
    if object == "Contact" {
        select.push("AccountId");
    }
    for f in fields {
        if !select.iter().any(|s| s.eq_ignore_ascii_case(f)) {
            select.push(f);
        }
    }
    // A window that starts at a time has no Id to compare (Salesforce refuses `Id > ''`).
    let window = if cursor.id.is_empty() {
        format!("SystemModstamp >= {ts}")
    } else {
        format!(
            "(SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > {id}))",
            id = crate::salesforce::soql::quote(&cursor.id).unwrap_or_else(|_| "''".into()),
        )
    };
    format!(
        "SELECT {} FROM {object} WHERE {window} ORDER BY SystemModstamp ASC, Id ASC LIMIT {limit}",
        select.join(", ")
    )
}

/// The production source: SOQL through the Salesforce client.
pub struct SoqlChangeSource {
    pub client: crate::salesforce::SalesforceClient,
    /// Per polled object, the fields its flow reads (from the mapping); the rows are handed
    /// on whole. None listed: Ids and SystemModstamps only, and the workers read the rows.
    pub fields: std::collections::HashMap<String, Vec<String>>,
    /// Share of the daily API allowance above which polling pauses.
    pub budget_share: f64,
    /// Readings older than this are not trusted (the tick makes a call and reads again).
    pub budget_window: std::time::Duration,
}

#[async_trait]
impl ChangeSource for SoqlChangeSource {
    fn over_budget(&self) -> bool {
        self.client
            .recent_api_usage(self.budget_window)
            .is_some_and(|u| u.share() >= self.budget_share)
    }

    async fn changed_after(
        &self,
        object: &str,
        cursor: &Cursor,
        limit: usize,
    ) -> Result<ChangesPage, Raised> {
        let fields = self
            .fields
            .get(object)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let soql = changes_soql(object, cursor, limit, fields);
        let rows = self.client.query(&soql).await.map_err(|e| e.to_raised())?;
        let mut page = ChangesPage {
            full: rows.len() >= limit,
            ..Default::default()
        };
        for r in &rows {
            match read_row(r) {
                Ok(mut row) => {
                    if !fields.is_empty() {
                        row.row = Some(r.clone());
                    }
                    page.rows.push(row)
                }
                Err(why) => {
                    tracing::error!(object, %why, "a changed row could not be read");
                    page.unreadable.push(why);
                }
            }
        }
        Ok(page)
    }
}

fn read_row(r: &serde_json::Map<String, Value>) -> Result<ChangedRecord, String> {
    let id = r.get("Id").and_then(Value::as_str).unwrap_or("").trim();
    let shown = if id.is_empty() { "?" } else { id };
    if crate::salesforce::SalesforceId::parse(id).is_err() {
        return Err(format!("{shown}: the row has no valid Id"));
    }
    let stamp = r.get("SystemModstamp");
    let Some(modstamp) = stamp.and_then(Value::as_str).and_then(sf_time::parse) else {
        let raw = stamp.map_or_else(|| "missing".to_string(), Value::to_string);
        return Err(format!("{id}: SystemModstamp {raw} is not a date and time"));
    };
    let has_account = r
        .get("AccountId")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    Ok(ChangedRecord {
        id: id.to_string(),
        modstamp,
        has_account,
        row: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unreadable_rows_are_described_not_dropped() {
        let ok =
            json!({"Id": "001M000000qfPySIAU", "SystemModstamp": "2024-01-01T00:00:00.000+0000"});
        assert!(read_row(ok.as_object().unwrap()).is_ok());
        let no_stamp = json!({"Id": "001M000000qfPySIAU", "SystemModstamp": "soon"});
        let why = read_row(no_stamp.as_object().unwrap()).unwrap_err();
        assert!(
            why.starts_with("001M000000qfPySIAU:") && why.contains("soon"),
            "{why}"
        );
        let no_id = json!({"SystemModstamp": "2024-01-01T00:00:00.000+0000"});
        assert!(read_row(no_id.as_object().unwrap())
            .unwrap_err()
            .starts_with("?:"));
    }

    #[test]
    fn the_query_leaves_no_writer_out() {
        let q = changes_soql(
            "Contact",
            &Cursor::at(chrono::DateTime::UNIX_EPOCH, "003M000000qfPyS"),
            200,
            &[],
        );
        assert!(!q.contains("LastModifiedById"), "{q}");
        assert!(q.contains("AccountId") && q.ends_with("LIMIT 200"), "{q}");
    }

    #[test]
    fn the_flows_fields_are_read_once_each() {
        let fields: Vec<String> = ["Id", "LastName", "accountid", "Email", "LastName"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let q = changes_soql(
            "Contact",
            &Cursor::at(chrono::DateTime::UNIX_EPOCH, ""),
            10,
            &fields,
        );
        assert!(
            q.starts_with("SELECT Id, SystemModstamp, AccountId, LastName, Email FROM Contact "),
            "{q}"
        );
    }
}
