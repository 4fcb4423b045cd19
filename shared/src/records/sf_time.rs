//! Salesforce's JSON datetimes: `2024-01-01T00:00:00.000+0000` (RFC 3339 also accepted).

use chrono::{DateTime, SecondsFormat, Utc};

pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn format(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// A SOQL datetime literal (unquoted).
pub fn soql_literal(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let a = parse("2024-01-02T03:04:05.678+0000").unwrap();
        assert_eq!(format(&a), "2024-01-02T03:04:05.678+0000");
        assert_eq!(parse("2024-01-02T03:04:05.678Z"), Some(a));
        assert_eq!(soql_literal(&a), "2024-01-02T03:04:05.678Z");
        assert_eq!(parse("yesterday"), None);
    }
}
