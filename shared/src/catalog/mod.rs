//! The error catalog: every message the integration raises, defined once, verbatim from the
//! customer-facing article, with the article's cause and resolution, and, for the operator
//! of this deployment, where it is raised here, the situations that raise it and what to do.
//! Everything a user reads about a failure comes from here (CLI, Error Log entries,
//! `docs/errors.md`).

mod entries;
mod find;
mod render;

pub use entries::CATALOG;
pub use find::find;
pub use render::{render_markdown, Raised};

use serde::Serialize;

/// Stable identifier of one catalog message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageId {
    RefreshTokenMissing,
    AccountRejected,
    DuplicatesDetected,
    AccountIdMissing,
    SalesforceHttpError,
    ContactRejected,
    CustomerCompanyMissing,
    AccountNotFound,
    EmailLinkFailed,
    IpaasApiError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// The article's grouping of messages ("Supported Flows").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Section {
    Authentication,
    AccountToIpaas,
    AccountFromIpaas,
    ContactToIpaas,
    ContactFromIpaas,
    GeneralPlatform,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Authentication => "Authentication",
            Section::AccountToIpaas => "Account TO iPaaS.com (Salesforce → iPaaS.com)",
            Section::AccountFromIpaas => "Account FROM iPaaS.com (iPaaS.com → Salesforce)",
            Section::ContactToIpaas => "Contact TO iPaaS.com (Salesforce → iPaaS.com)",
            Section::ContactFromIpaas => "Contact FROM iPaaS.com (iPaaS.com → Salesforce)",
            Section::GeneralPlatform => "General platform errors",
        }
    }
}

/// One message of the catalog.
#[derive(Debug, Serialize)]
pub struct CatalogEntry {
    pub id: MessageId,
    /// Short name used on the command line (`sfsync errors refresh-token-missing`).
    pub slug: &'static str,
    /// The article's heading for the message.
    pub title: &'static str,
    /// Exact text; `{code}` and `{id}` are filled at run time.
    pub text: &'static str,
    pub severity: Severity,
    /// Where the article lists it (some messages appear under two flows). The article
    /// files create-path errors under "TO iPaaS.com"; here they are raised in the FROM
    /// flows: `raised_in` says where.
    pub sections: &'static [Section],
    /// The article's cause.
    pub cause: &'static str,
    /// The article's resolution (its wording: iPaaS.com's pages).
    pub resolution: &'static str,
    /// Where this system raises it (flow and step).
    pub raised_in: &'static str,
    /// Each situation that raises it here (and, where it helps, one that does not).
    pub situations: &'static [&'static str],
    /// What to do in this deployment (`sfsync`, template parameters, data to fix).
    pub here: &'static str,
}

impl MessageId {
    pub fn entry(self) -> &'static CatalogEntry {
        CATALOG
            .iter()
            .find(|e| e.id == self)
            .expect("every MessageId has a catalog entry (checked by tests)")
    }

    /// The message text with its placeholders filled, e.g. `("code", "503")`.
    /// A placeholder without a value is left visible rather than silently dropped.
    pub fn render(self, params: &[(&str, &str)]) -> String {
        let mut text = self.entry().text.to_string();
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The text of a message that has no placeholders.
    pub fn text(self) -> &'static str {
        self.entry().text
    }
}
