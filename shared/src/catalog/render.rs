use super::{MessageId, Severity, CATALOG};
use serde::Serialize;
use std::fmt::Write;

/// A catalog message raised at run time: the exact text a user sees plus the detail that
/// explains this occurrence (e.g. Salesforce's own errorCode/message). Never holds secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raised {
    pub id: MessageId,
    pub message: String,
    pub severity: Severity,
    pub detail: Option<String>,
}

impl Raised {
    pub fn new(id: MessageId) -> Self {
        Self::with(id, &[])
    }

    pub fn with(id: MessageId, params: &[(&str, &str)]) -> Self {
        Raised {
            id,
            message: id.render(params),
            severity: id.entry().severity,
            detail: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl std::fmt::Display for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Raised {}

/// `docs/errors.md`, generated from the catalog (a test fails when the file drifts).
pub fn render_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Error messages\n\n");
    out.push_str("<!-- Generated from shared/src/catalog by `sfsync errors --markdown`. Do not edit by hand. -->\n\n");
    out.push_str("Every message the integration raises. Each appears in iPaaS.com under Integration Monitoring → Error Logs, with the affected record, the time and a detail line. `sfsync errors <words>` explains one from the command line; a message pasted with its values filled in finds its entry.\n\n");
    out.push_str("For each message: where this system raises it and the situations that do, the customer-facing article's own cause and resolution (and the article section it is listed under: the article files create-path errors under \"TO iPaaS.com\", while here every Salesforce write happens in the FROM flows), and what to do in this deployment.\n\n");
    out.push_str("| # | id | severity | raised in | message |\n|---|---|---|---|---|\n");
    for (i, e) in CATALOG.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            i + 1,
            e.slug,
            e.severity,
            e.raised_in,
            e.text
        );
    }
    for (i, e) in CATALOG.iter().enumerate() {
        let sections: Vec<&str> = e.sections.iter().map(|s| s.title()).collect();
        let _ = write!(
            out,
            "\n## {}. {}\n\n> {}\n\n- **id:** `{}`\n- **severity:** {}\n- **raised here:** {}\n- **article section:** {}\n\n**Raised when:**\n\n",
            i + 1,
            e.title,
            e.text,
            e.slug,
            e.severity,
            e.raised_in,
            sections.join("; "),
        );
        for situation in e.situations {
            let _ = writeln!(out, "- {situation}");
        }
        let _ = write!(
            out,
            "\n**Cause (article).** {}\n\n**Resolution (article).** {}\n\n**In this deployment.** {}\n",
            e.cause, e.resolution, e.here
        );
    }
    out
}
