//! Splits a SOQL statement into tokens, decoding string literal escapes.

use super::{LikeTok, SoqlError};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Word(String),
    /// A string literal: its value, and the same text read as a LIKE pattern.
    Str(String, Vec<LikeTok>),
    Num(f64),
    Time(i64),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

/// A token and the char index where it starts.
pub type Spanned = (Tok, usize);

pub fn lex(q: &str) -> Result<Vec<Spanned>, SoqlError> {
    let c: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let start = i;
        let tok = match ch {
            _ if ch.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '\'' => {
                let (tok, next) = string(&c, i)?;
                out.push((tok, start));
                i = next;
                continue;
            }
            '=' | '!' | '<' | '>' => {
                let next = c.get(i + 1).copied();
                let op = match (ch, next) {
                    ('!', Some('=')) => "!=",
                    ('<', Some('>')) => "<>",
                    ('<', Some('=')) => "<=",
                    ('>', Some('=')) => ">=",
                    ('=', _) => "=",
                    ('<', _) => "<",
                    ('>', _) => ">",
                    _ => return Err(SoqlError::malformed(Some(i), "unexpected token: '!'")),
                };
                i += op.len();
                out.push((Tok::Op(op), start));
                continue;
            }
            _ if ch.is_ascii_alphabetic() || ch == '_' => {
                while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_' || c[i] == '.') {
                    i += 1;
                }
                out.push((Tok::Word(c[start..i].iter().collect()), start));
                continue;
            }
            _ if ch.is_ascii_digit() || ch == '-' || ch == '+' || ch == '.' => {
                i += 1;
                while i < c.len() && (c[i].is_ascii_alphanumeric() || ".:+-".contains(c[i])) {
                    i += 1;
                }
                let w: String = c[start..i].iter().collect();
                out.push((literal(&w, start)?, start));
                continue;
            }
            other => {
                return Err(SoqlError::malformed(
                    Some(i),
                    format!("unexpected token: '{other}'"),
                ))
            }
        };
        out.push((tok, start));
        i += 1;
    }
    Ok(out)
}

/// A number or an unquoted datetime (`2024-01-01T00:00:00Z`, `…T00:00:00.000+01:00`).
fn literal(w: &str, pos: usize) -> Result<Tok, SoqlError> {
    if w.contains('T') && w.contains(':') {
        return chrono::DateTime::parse_from_rfc3339(w)
            .map(|t| Tok::Time(t.timestamp_millis()))
            .map_err(|_| {
                SoqlError::malformed(
                    Some(pos),
                    format!("line 1:{pos} no viable alternative at character '{w}'"),
                )
            });
    }
    match w.parse::<f64>() {
        Ok(n) if n.is_finite() && !w.contains(['e', 'E']) => Ok(Tok::Num(n)),
        _ => Err(SoqlError::malformed(
            Some(pos),
            format!("unexpected token: '{w}'"),
        )),
    }
}

/// Reads a quoted literal starting at `c[open]`; returns the token and the index after it.
fn string(c: &[char], open: usize) -> Result<(Tok, usize), SoqlError> {
    let mut text = String::new();
    let mut like = Vec::new();
    let mut i = open + 1;
    loop {
        let Some(&x) = c.get(i) else {
            return Err(SoqlError::malformed(
                Some(open),
                "line 1:0 mismatched character '<EOF>' expecting '''",
            ));
        };
        match x {
            '\'' => return Ok((Tok::Str(text, like), i + 1)),
            '\\' => {
                let Some(&e) = c.get(i + 1) else {
                    return Err(SoqlError::malformed(
                        Some(i),
                        "Invalid string literal: unterminated escape sequence",
                    ));
                };
                let decoded = match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    '"' | '\'' | '\\' | '%' | '_' => e,
                    other => {
                        return Err(SoqlError::malformed(
                            Some(i),
                            format!("Invalid string literal '\\{other}'. Illegal character sequence '\\{other}' in string literal."),
                        ))
                    }
                };
                // An escaped % or _ is a literal character even inside a LIKE pattern.
                text.push(decoded);
                like.push(LikeTok::Ch(decoded));
                i += 2;
            }
            x => {
                text.push(x);
                like.push(match x {
                    '%' => LikeTok::Any,
                    '_' => LikeTok::One,
                    x => LikeTok::Ch(x),
                });
                i += 1;
            }
        }
    }
}
