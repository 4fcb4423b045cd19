//! SOQL literals. Every value that goes into a query passes through one of these helpers, so
//! a quote, backslash or LIKE wildcard in a record field can never change what a query means.

use super::id::SalesforceId;
use crate::records::sf_time;

/// Longest string literal we put in a query; Salesforce caps a whole SOQL statement at
/// 100,000 characters, and no field the flows look up by is anywhere near this.
pub const MAX_LITERAL_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoqlError {
    #[error(
        "the value has a control character (U+{0:04X}) that a SOQL string literal cannot hold"
    )]
    ControlCharacter(u32),
    #[error(
        "the value is {0} characters long; a SOQL literal here holds at most {MAX_LITERAL_CHARS}"
    )]
    TooLong(usize),
    #[error("an Id list must not be empty")]
    EmptyList,
}

/// `'value'` for `=`, `!=` and `IN` comparisons. Escapes `\` and `'` (and the characters that
/// have escape sequences); `%` and `_` stay as they are because they only mean something in
/// LIKE. Other control characters have no SOQL escape, so they are refused, not mangled.
pub fn quote(value: &str) -> Result<String, SoqlError> {
    escape(value, false)
}

/// `'value'` for a LIKE pattern that must match `value` literally: as `quote`, plus `%` and
/// `_` escaped. Callers add their own unescaped wildcards around the result's inside.
pub fn quote_like(value: &str) -> Result<String, SoqlError> {
    escape(value, true)
}

fn escape(value: &str, like: bool) -> Result<String, SoqlError> {
    let len = value.chars().count();
    if len > MAX_LITERAL_CHARS {
        return Err(SoqlError::TooLong(len));
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '%' if like => out.push_str("\\%"),
            '_' if like => out.push_str("\\_"),
            c if c.is_control() => return Err(SoqlError::ControlCharacter(c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A datetime literal (unquoted, UTC): `2024-01-01T00:00:00Z`.
pub fn datetime(at: &chrono::DateTime<chrono::Utc>) -> String {
    sf_time::soql_literal(at)
}

/// `('001…','001…')` for `Id IN …`. Ids are validated already, so they need no escaping,
/// but they go through `quote` anyway to keep one path for every literal.
pub fn id_list<'a>(ids: impl IntoIterator<Item = &'a SalesforceId>) -> Result<String, SoqlError> {
    let quoted: Vec<String> = ids
        .into_iter()
        .map(|id| quote(id.as_str()))
        .collect::<Result<_, _>>()?;
    list(quoted)
}

/// `('a','b')` for `Field IN …` over arbitrary strings.
pub fn string_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<String, SoqlError> {
    let quoted: Vec<String> = values.into_iter().map(quote).collect::<Result<_, _>>()?;
    list(quoted)
}

fn list(quoted: Vec<String>) -> Result<String, SoqlError> {
    if quoted.is_empty() {
        return Err(SoqlError::EmptyList);
    }
    Ok(format!("({})", quoted.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote("O'Brien").unwrap(), r"'O\'Brien'");
        assert_eq!(quote(r"a\b").unwrap(), r"'a\\b'");
        assert_eq!(quote(r"\'").unwrap(), r"'\\\''");
        assert_eq!(quote("line\nbreak").unwrap(), r"'line\nbreak'");
        assert_eq!(quote("50%_off").unwrap(), "'50%_off'");
        assert_eq!(quote("Zoë 東京").unwrap(), "'Zoë 東京'");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(quote_like("50%_off").unwrap(), r"'50\%\_off'");
    }

    #[test]
    fn control_characters_and_huge_values_are_refused() {
        assert_eq!(quote("a\u{0}b"), Err(SoqlError::ControlCharacter(0)));
        assert_eq!(quote("\u{1b}[31m"), Err(SoqlError::ControlCharacter(0x1b)));
        let long = "x".repeat(MAX_LITERAL_CHARS + 1);
        assert_eq!(quote(&long), Err(SoqlError::TooLong(MAX_LITERAL_CHARS + 1)));
    }

    #[test]
    fn lists() {
        let a = SalesforceId::parse("001M000000qfPyS").unwrap();
        let b = SalesforceId::parse("0038M0000016Wv8").unwrap();
        assert_eq!(
            id_list([&a, &b]).unwrap(),
            "('001M000000qfPySIAU','0038M0000016Wv8QAE')"
        );
        assert_eq!(id_list([]), Err(SoqlError::EmptyList));
        assert_eq!(string_list(["a'b", "c"]).unwrap(), r"('a\'b','c')");
    }
}
