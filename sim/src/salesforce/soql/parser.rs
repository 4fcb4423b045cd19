//! Recursive-descent parser: tokens to a `Query`. Precedence: NOT, then AND, then OR.

use super::lexer::{lex, Spanned, Tok};
use super::{CmpOp, Cond, Ident, Lit, OrderBy, Query, Select, SoqlError};

/// Parses one SOQL statement.
pub fn parse(q: &str) -> Result<Query, SoqlError> {
    let mut p = Parser {
        toks: lex(q)?,
        i: 0,
        end: q.chars().count(),
        depth: 0,
    };
    p.query()
}

/// Words that end a field list or a condition, never field names.
const RESERVED: [&str; 13] = [
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "NULLS",
    "OFFSET",
];

/// Deeper nesting of parentheses and NOT is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<Spanned>,
    i: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |(_, p)| *p)
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "<EOF>".into(),
            Some(Tok::Word(w)) => w.clone(),
            Some(Tok::Str(s, _)) => format!("'{s}'"),
            Some(Tok::Num(n)) => n.to_string(),
            Some(Tok::Time(_)) => "datetime".into(),
            Some(Tok::Op(o)) => (*o).into(),
            Some(Tok::LParen) => "(".into(),
            Some(Tok::RParen) => ")".into(),
            Some(Tok::Comma) => ",".into(),
        }
    }

    fn unexpected(&self) -> SoqlError {
        SoqlError::malformed(
            Some(self.pos()),
            format!("unexpected token: '{}'", self.describe()),
        )
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn eat(&mut self, t: &Tok) -> bool {
        let hit = self.peek() == Some(t);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn ident(&mut self) -> Result<Ident, SoqlError> {
        match self.toks.get(self.i) {
            Some((Tok::Word(w), pos)) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w)) => {
                let id = Ident {
                    name: w.clone(),
                    pos: *pos,
                };
                self.i += 1;
                Ok(id)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn lit(&mut self) -> Result<Lit, SoqlError> {
        let lit = match self.peek() {
            Some(Tok::Str(s, _)) => Lit::Str(s.clone()),
            Some(Tok::Num(n)) => Lit::Num(*n),
            Some(Tok::Time(t)) => Lit::Time(*t),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Lit::Null,
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Lit::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Lit::Bool(false),
            _ => return Err(self.unexpected()),
        };
        self.i += 1;
        Ok(lit)
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.expect_kw("SELECT")?;
        let select = self.select()?;
        self.expect_kw("FROM")?;
        let object = self.ident()?;
        let filter = if self.kw("WHERE") {
            Some(self.or()?)
        } else {
            None
        };
        let order = if self.kw("ORDER") {
            self.expect_kw("BY")?;
            self.order()?
        } else {
            Vec::new()
        };
        let limit = if self.kw("LIMIT") {
            Some(self.limit()?)
        } else {
            None
        };
        if self.peek().is_some() {
            return Err(self.unexpected());
        }
        Ok(Query {
            select,
            object,
            filter,
            order,
            limit,
        })
    }

    fn select(&mut self) -> Result<Select, SoqlError> {
        let is_count =
            self.is_kw("COUNT") && matches!(self.toks.get(self.i + 1), Some((Tok::LParen, _)));
        if is_count {
            self.i += 2;
            if !self.eat(&Tok::RParen) {
                return Err(self.unexpected());
            }
            return Ok(Select::Count);
        }
        let mut fields = vec![self.ident()?];
        while self.eat(&Tok::Comma) {
            let f = self.ident()?;
            if fields.iter().any(|x| x.name.eq_ignore_ascii_case(&f.name)) {
                return Err(SoqlError {
                    code: "DUPLICATE_FIELD",
                    pos: Some(f.pos),
                    detail: format!("duplicate field selected: {}", f.name),
                });
            }
            fields.push(f);
        }
        Ok(Select::Fields(fields))
    }

    fn order(&mut self) -> Result<Vec<OrderBy>, SoqlError> {
        let mut order = Vec::new();
        loop {
            let field = self.ident()?;
            let descending = if self.kw("DESC") {
                true
            } else {
                self.kw("ASC");
                false
            };
            // Salesforce sorts nulls first unless told otherwise, in either direction.
            let nulls_last = if self.kw("NULLS") {
                if self.kw("LAST") {
                    true
                } else {
                    self.expect_kw("FIRST")?;
                    false
                }
            } else {
                false
            };
            order.push(OrderBy {
                field,
                descending,
                nulls_last,
            });
            if !self.eat(&Tok::Comma) {
                return Ok(order);
            }
        }
    }

    fn limit(&mut self) -> Result<usize, SoqlError> {
        match self.peek() {
            Some(Tok::Num(n)) if *n >= 0.0 && n.fract() == 0.0 && *n <= 50_000_000.0 => {
                let n = *n as usize;
                self.i += 1;
                Ok(n)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn or(&mut self) -> Result<Cond, SoqlError> {
        let mut terms = vec![self.and()?];
        while self.kw("OR") {
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Cond::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Cond, SoqlError> {
        let mut terms = vec![self.not()?];
        while self.kw("AND") {
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Cond::And(terms)
        })
    }

    fn not(&mut self) -> Result<Cond, SoqlError> {
        if self.depth >= MAX_DEPTH {
            return Err(SoqlError::malformed(
                Some(self.pos()),
                "the condition is nested too deeply",
            ));
        }
        self.depth += 1;
        let c = self.nested();
        self.depth -= 1;
        c
    }

    fn nested(&mut self) -> Result<Cond, SoqlError> {
        if self.kw("NOT") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.eat(&Tok::LParen) {
            let c = self.or()?;
            if !self.eat(&Tok::RParen) {
                return Err(self.unexpected());
            }
            return Ok(c);
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Cond, SoqlError> {
        let field = self.ident()?;
        let negated = self.kw("NOT");
        if self.kw("IN") {
            return Ok(Cond::In(field, negated, self.list()?));
        }
        if negated {
            return Err(self.unexpected());
        }
        if self.kw("LIKE") {
            return match self.peek() {
                Some(Tok::Str(_, pattern)) => {
                    let c = Cond::Like(field, pattern.clone());
                    self.i += 1;
                    Ok(c)
                }
                _ => Err(self.unexpected()),
            };
        }
        let op = match self.peek() {
            Some(Tok::Op(op)) => match *op {
                "=" => CmpOp::Eq,
                "!=" | "<>" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                ">" => CmpOp::Gt,
                "<=" => CmpOp::Le,
                _ => CmpOp::Ge,
            },
            _ => return Err(self.unexpected()),
        };
        self.i += 1;
        Ok(Cond::Cmp(field, op, self.lit()?))
    }

    fn list(&mut self) -> Result<Vec<Lit>, SoqlError> {
        if !self.eat(&Tok::LParen) {
            return Err(self.unexpected());
        }
        let mut vals = vec![self.lit()?];
        while self.eat(&Tok::Comma) {
            vals.push(self.lit()?);
        }
        if !self.eat(&Tok::RParen) {
            return Err(self.unexpected());
        }
        Ok(vals)
    }
}
