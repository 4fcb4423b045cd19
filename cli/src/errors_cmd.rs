//! `sfsync errors`: lists the catalog, or explains the messages matching an id or some words.

use shared::catalog::{self, CatalogEntry, CATALOG};
use std::fmt::Write;

/// What `sfsync errors [QUERY]` prints. `Err` carries the text for an unmatched query.
pub fn run(query: Option<&str>) -> Result<String, String> {
    match query {
        None => {
            let mut out = String::new();
            for (i, e) in CATALOG.iter().enumerate() {
                out.push_str(&explain(i + 1, e));
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{} messages. `sfsync errors <id or words>` shows one.",
                CATALOG.len()
            );
            Ok(out)
        }
        Some(q) => {
            let found = catalog::find(q);
            if found.is_empty() {
                let ids: Vec<&str> = CATALOG.iter().map(|e| e.slug).collect();
                return Err(format!(
                    "No message matches {q:?}. Try an id ({}) or words from the message.",
                    ids.join(", ")
                ));
            }
            let mut out = String::new();
            for e in found {
                let n = CATALOG.iter().position(|c| c.id == e.id).unwrap_or(0) + 1;
                out.push_str(&explain(n, e));
                out.push('\n');
            }
            Ok(out)
        }
    }
}

fn explain(n: usize, e: &CatalogEntry) -> String {
    let sections: Vec<&str> = e.sections.iter().map(|s| s.title()).collect();
    let mut out = format!(
        "{n}. {title}  [{slug}, {severity}]\n   \"{text}\"\n   Where: {raised_in} (The article lists it under: {sections}.)\n   Raised when:\n",
        title = e.title,
        slug = e.slug,
        severity = e.severity,
        text = e.text,
        raised_in = e.raised_in,
        sections = sections.join("; "),
    );
    for situation in e.situations {
        let _ = writeln!(out, "     - {situation}");
    }
    let _ = write!(
        out,
        "   Cause: {cause}\n   Resolution: {resolution}\n   In this deployment: {here}\n",
        cause = e.cause,
        resolution = e.resolution,
        here = e.here,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_query_is_a_clear_error() {
        let err = run(Some("no such thing at all")).unwrap_err();
        assert!(err.contains("No message matches"));
        assert!(err.contains("refresh-token-missing"));
    }

    #[test]
    fn explains_by_id_and_by_words() {
        let one = run(Some("account-not-found")).unwrap();
        assert!(one.contains("Could not locate account by Id: {id} in Salesforce."));
        let words = run(Some("email link")).unwrap();
        assert!(words.contains("Unable to dynamically link"));
        assert!(!words.contains("Refresh token value"));
        let pasted = run(Some("Error calling SalesForce (Http Code: 503)")).unwrap();
        assert!(
            pasted.contains("[salesforce-http-error, error]"),
            "{pasted}"
        );
    }
}
