//! What can go wrong: a document that cannot be used (found when it is read, with the line),
//! and a record that cannot be mapped (found when it is, with the field).

use super::Direction;

/// A mapping document that cannot be used. `line` is 1-based; 0 when the problem is the
/// document as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", at(*line))]
pub struct DocumentError {
    pub line: usize,
    pub message: String,
}

fn at(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    }
}

impl DocumentError {
    pub(super) fn new(line: usize, message: impl Into<String>) -> Self {
        DocumentError {
            line,
            message: message.into(),
        }
    }
}

/// A record the mapping cannot translate. Each names the Salesforce object and field of the
/// mapping (and its iPaaS.com field), so the Error Log entry says exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A value table met a value it does not list, and its policy is `unknown = "fail"`.
    #[error("{object}.{field} ⇄ {ipaas}: the value {value:?} is not in the value table ({direction}), and the mapping says unknown = \"fail\"")]
    UnknownValue {
        object: &'static str,
        field: String,
        ipaas: String,
        direction: Direction,
        value: String,
    },
    /// A value longer than `max_length`, and its policy is `overflow = "fail"`.
    #[error("{object}.{field} ⇄ {ipaas}: the value is {length} characters, more than max_length = {max} ({direction}), and the mapping says overflow = \"fail\"")]
    TooLong {
        object: &'static str,
        field: String,
        ipaas: String,
        direction: Direction,
        length: usize,
        max: usize,
    },
    /// The iPaaS.com record does not have the shape the mapping reads or writes.
    #[error("the iPaaS.com {kind} record cannot be mapped: {field} {problem}")]
    Malformed {
        kind: &'static str,
        field: String,
        problem: String,
    },
}

/// A value cut short for a message (a value table's unknown value may be anything).
pub(super) fn shown(value: &str) -> String {
    const MAX: usize = 60;
    let mut s: String = value.chars().take(MAX).collect();
    if value.chars().count() > MAX {
        s.push('…');
    }
    s
}
