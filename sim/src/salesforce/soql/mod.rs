//! The SOQL subset the integration uses:
//! `SELECT f, … | COUNT() FROM object [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …]
//! [LIMIT n]`, with = != <> < > <= >= [NOT] IN LIKE, AND OR NOT, parentheses, and string,
//! number, boolean, null and datetime literals.

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod typecheck;

pub use eval::{named_ids, named_values, run};
pub use parser::parse;
pub use typecheck::check;

/// A name in the query and where it starts (a char index), for error carets.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    /// Milliseconds since the epoch.
    Time(i64),
    /// An 18-character record Id (compared exactly, unlike text).
    Id(String),
}

/// One piece of a LIKE pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LikeTok {
    Ch(char),
    /// `%`: any run of characters.
    Any,
    /// `_`: exactly one character.
    One,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp(Ident, CmpOp, Lit),
    In(Ident, bool, Vec<Lit>),
    Like(Ident, Vec<LikeTok>),
    /// Held flat (not as nested pairs) so long chains never recurse deeply.
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    Count,
    Fields(Vec<Ident>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub field: Ident,
    pub descending: bool,
    pub nulls_last: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Select,
    pub object: Ident,
    pub filter: Option<Cond>,
    pub order: Vec<OrderBy>,
    pub limit: Option<usize>,
}

/// A rejected query: the Salesforce error code, where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SoqlError {
    pub code: &'static str,
    pub pos: Option<usize>,
    pub detail: String,
}

impl SoqlError {
    pub fn malformed(pos: Option<usize>, detail: impl Into<String>) -> Self {
        SoqlError {
            code: "MALFORMED_QUERY",
            pos,
            detail: detail.into(),
        }
    }

    /// Salesforce's message: the offending line, a caret, the row and column, the reason.
    pub fn message(&self, query: &str) -> String {
        let Some(pos) = self.pos else {
            return self.detail.clone();
        };
        let before: Vec<char> = query.chars().take(pos).collect();
        let row = before.iter().filter(|c| **c == '\n').count() + 1;
        let col = before.iter().rev().take_while(|c| **c != '\n').count() + 1;
        let line = query.lines().nth(row - 1).unwrap_or("");
        format!(
            "\n{line}\n{}^\nERROR at Row:{row}:Column:{col}\n{}",
            " ".repeat(col - 1),
            self.detail
        )
    }
}
