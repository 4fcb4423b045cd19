//! Finding catalog entries from what a person types or pastes: a slug, a number, words, or a
//! message copied from an Error Log with its values filled in (`Error calling SalesForce
//! (Http Code: 503)`), possibly cut short with `…`.

use super::{CatalogEntry, CATALOG};

/// Letters of message text a pasted fragment must match (outside placeholders) to count as
/// a paste: less could be any message ("Id: 0018…" alone is not enough).
const MIN_LITERAL_CHARS: usize = 12;

/// Finds entries by slug, number, a pasted message (placeholders filled with any value,
/// `…` or `...` for left-out text), or words from the slug, title or text (case-insensitive,
/// all words must match).
pub fn find(query: &str) -> Vec<&'static CatalogEntry> {
    let q = query
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '“' || c == '”')
        .trim();
    if q.is_empty() {
        return Vec::new();
    }
    let lower = q.to_lowercase();
    if let Some(e) = CATALOG.iter().find(|e| e.slug == lower) {
        return vec![e];
    }
    if let Ok(n) = lower.parse::<usize>() {
        return CATALOG.get(n.wrapping_sub(1)).into_iter().collect();
    }
    let pasted: Vec<_> = CATALOG.iter().filter(|e| pasted_from(e.text, q)).collect();
    if !pasted.is_empty() {
        return pasted;
    }
    let words: Vec<&str> = lower.split_whitespace().collect();
    CATALOG
        .iter()
        .filter(|e| {
            let hay = format!("{} {} {}", e.slug, e.title, e.text).to_lowercase();
            words.iter().all(|w| hay.contains(w))
        })
        .collect()
}

/// One character of a message template: literal text, or a placeholder standing for any
/// value.
#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Lit(char),
    Any,
}

fn tokens(template: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.extend(normalize(&rest[..start]).chars().map(Tok::Lit));
        out.push(Tok::Any);
        rest = &rest[start + len + 1..];
    }
    out.extend(normalize(rest).chars().map(Tok::Lit));
    out
}

/// Lower case, whitespace runs as one space, so line breaks and case in a paste do not matter.
fn normalize(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Whether `query` reads as (parts of) `template` with its placeholders filled: every piece
/// between `…` must match somewhere in the template, and together they must match enough of
/// the template's own words.
fn pasted_from(template: &str, query: &str) -> bool {
    let toks = tokens(template);
    let mut literal = 0;
    for piece in query.split(['…']).flat_map(|p| p.split("...")) {
        let piece: Vec<char> = normalize(piece).chars().collect();
        if piece.is_empty() {
            continue;
        }
        match best_match(&toks, &piece) {
            Some(n) => literal += n,
            None => return false,
        }
    }
    literal >= MIN_LITERAL_CHARS
}

/// Matches `piece` against any stretch of `toks` (a placeholder takes any run of characters)
/// and returns the most literal characters a match uses, or `None` without a match.
fn best_match(toks: &[Tok], piece: &[char]) -> Option<usize> {
    // best[a][b]: most literal characters matched with piece[..b] ending at toks[a].
    let (n, m) = (toks.len(), piece.len());
    let mut best = vec![vec![None::<usize>; m + 1]; n + 1];
    for row in best.iter_mut() {
        row[0] = Some(0); // a match may start anywhere in the template
    }
    for a in 0..=n {
        for b in 0..=m {
            let Some(here) = best[a][b] else {
                continue;
            };
            let better = |slot: &mut Option<usize>, v: usize| {
                if slot.is_none_or(|s| s < v) {
                    *slot = Some(v);
                }
            };
            match toks.get(a) {
                Some(Tok::Lit(c)) if b < m && piece[b] == *c => {
                    better(&mut best[a + 1][b + 1], here + 1);
                }
                Some(Tok::Any) => {
                    // The placeholder takes nothing more, or one more character of the value.
                    better(&mut best[a + 1][b], here);
                    if b < m {
                        better(&mut best[a][b + 1], here);
                    }
                }
                _ => {}
            }
        }
    }
    best.iter().filter_map(|row| row[m]).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(q: &str) -> Vec<&'static str> {
        find(q).iter().map(|e| e.slug).collect()
    }

    /// Fails on the old code: a message with its value filled in matched nothing.
    #[test]
    fn a_pasted_message_with_values_finds_its_entry() {
        assert_eq!(
            slugs("Error calling SalesForce (Http Code: 503)"),
            ["salesforce-http-error"]
        );
        assert_eq!(
            slugs("\"Error calling SalesForce (Http Code: 0)\""),
            ["salesforce-http-error"]
        );
        assert_eq!(
            slugs("Could not locate account by Id: 0018M00000Fx001QAB in Salesforce. Account must exist in Salesforce before attempting to create the contact under it."),
            ["account-not-found"]
        );
        assert_eq!(
            slugs("Could not locate account by Id: 0018… in Salesforce. …"),
            ["account-not-found"]
        );
        assert_eq!(
            slugs("could not locate account by id: 0018M00000Fx001QAB in salesforce..."),
            ["account-not-found"]
        );
        assert_eq!(
            slugs("Salesforce rejected the new contact."),
            ["contact-rejected"]
        );
        assert_eq!(
            slugs("DUPLICATES_DETECTED. This means"),
            ["duplicates-detected"]
        );
    }

    #[test]
    fn slugs_numbers_and_words_still_work_and_nonsense_finds_nothing() {
        assert_eq!(slugs("account-not-found"), ["account-not-found"]);
        assert_eq!(slugs("5"), ["salesforce-http-error"]);
        assert_eq!(slugs("email link"), ["email-link-failed"]);
        assert!(slugs("Error calling iPaaS (Http Code: 503)").is_empty());
        assert!(slugs("0018…").is_empty());
        assert!(slugs("zebra").is_empty());
    }
}
