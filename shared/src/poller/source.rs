use crate::catalog::Raised;
use crate::records::sf_time;
use crate::state::Cursor;
use async_trait::async_trait;

/// One changed record as the poller needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRecord {
    pub id: String,
    pub modstamp: chrono::DateTime<chrono::Utc>,
    /// For Contacts: whether AccountId is set.
    pub has_account: bool,
}

/// Where the poller reads changes from: records of `object` strictly after `cursor` in
/// `(SystemModstamp, Id)` order, not last modified by the integration user, oldest first.
#[async_trait]
pub trait ChangeSource: Send + Sync {
    async fn changed_after(
        &self,
        object: &str,
        cursor: &Cursor,
        limit: usize,
    ) -> Result<Vec<ChangedRecord>, Raised>;

    /// Whether the org's API usage is above the budget: the poll stops for this tick.
    fn over_budget(&self) -> bool {
        false
    }
}

/// The SOQL the poller sends. Ties on SystemModstamp are ordered by Id, so a page boundary
/// inside a tie loses nothing.
pub fn changes_soql(object: &str, cursor: &Cursor, integration_user: &str, limit: usize) -> String {
    let ts = sf_time::soql_literal(&cursor.modstamp);
    let extra = if object == "Contact" {
        ", AccountId"
    } else {
        ""
    };
    // A first run has no Id to compare (Salesforce refuses `Id > ''`): start at the time.
    let window = if cursor.id.is_empty() {
        format!("SystemModstamp >= {ts}")
    } else {
        format!(
            "(SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > {id}))",
            id = crate::salesforce::soql::quote(&cursor.id).unwrap_or_else(|_| "''".into()),
        )
    };
    let mut soql = format!("SELECT Id, SystemModstamp{extra} FROM {object} WHERE {window}");
    if !integration_user.is_empty() {
        soql.push_str(&format!(
            " AND LastModifiedById != {}",
            crate::salesforce::soql::quote(integration_user).unwrap_or_else(|_| "''".into())
        ));
    }
    soql.push_str(&format!(
        " ORDER BY SystemModstamp ASC, Id ASC LIMIT {limit}"
    ));
    soql
}

/// The production source: SOQL through the Salesforce client.
pub struct SoqlChangeSource {
    pub client: crate::salesforce::SalesforceClient,
    /// The Salesforce User the integration writes as (its own changes are not polled).
    pub integration_user: String,
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
    ) -> Result<Vec<ChangedRecord>, Raised> {
        let soql = changes_soql(object, cursor, &self.integration_user, limit);
        let rows = self.client.query(&soql).await.map_err(|e| e.to_raised())?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let id = r.get("Id")?.as_str()?.to_string();
                let modstamp = sf_time::parse(r.get("SystemModstamp")?.as_str()?)?;
                let has_account = r
                    .get("AccountId")
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| !s.is_empty());
                Some(ChangedRecord {
                    id,
                    modstamp,
                    has_account,
                })
            })
            .collect())
    }
}
