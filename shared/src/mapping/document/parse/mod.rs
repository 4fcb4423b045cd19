//! From TOML text to a checked `PairMapping` per object pair. Every rule the engine relies
//! on is enforced here, with the line of the offending entry: a field is mapped at most once
//! per direction (the merge compares values by Salesforce field name), a value table read
//! backwards must be reversible, a table says what to do with an unknown value, and fields
//! the flows own (Id, the Contact's AccountId, customer_number, company_id, links, addresses
//! as a whole) are not for the document.

mod names;
mod rules;
mod unique;

use super::error::DocumentError;
use super::model::*;
use super::schema::*;
use super::{Mapping, Pair};
use toml::Spanned;

/// The format version this engine reads.
pub const VERSION: i64 = 1;

pub(super) fn parse(text: &str) -> Result<Mapping, DocumentError> {
    let raw: RawDocument = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        let quoted = text
            .lines()
            .nth(line.wrapping_sub(1))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| format!(" (in `{}`)", super::error::shown(l)))
            .unwrap_or_default();
        let mut message = format!("{}{quoted}", e.message().trim());
        if message.starts_with("duplicate key") {
            // The usual cause: entries added as [[account.fields]] to a `fields = [ … ]` list.
            message.push_str("; a pair's fields (or addresses) are written either as one `fields = [ … ]` list or as [[account.fields]] tables, not both");
        }
        DocumentError::new(line, message)
    })?;
    if let Some(v) = &raw.version {
        if *v.get_ref() != VERSION {
            return Err(DocumentError::new(
                line_of(text, v.span().start),
                format!(
                    "version = {} is not a format this sfsync reads (it reads version = {VERSION})",
                    v.get_ref()
                ),
            ));
        }
    }
    let pair = |p: Pair, raw: Option<Spanned<RawPair>>| {
        let raw = raw.ok_or_else(|| {
            DocumentError::new(
                0,
                format!(
                    "the document has no [{}] table ({} ⇄ {}); copy it from the built-in default (docs/mapping.md) to keep today's mapping",
                    p.key(),
                    p.salesforce_object(),
                    p.ipaas_kind()
                ),
            )
        })?;
        Reader { text, pair: p }.pair(raw.into_inner())
    };
    Ok(Mapping {
        account: pair(Pair::Account, raw.account)?,
        contact: pair(Pair::Contact, raw.contact)?,
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

pub(super) struct Reader<'a> {
    text: &'a str,
    pair: Pair,
}

impl Reader<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        line_of(self.text, s.span().start)
    }

    fn pair(&self, raw: RawPair) -> Result<PairMapping, DocumentError> {
        let mut fields = Vec::new();
        let mut constants = Vec::new();
        for f in raw.fields {
            let line = self.line(&f);
            match self.field(f.into_inner(), line)? {
                Entry::Field(m) => fields.push(m),
                Entry::Constant(c) => constants.push(c),
            }
        }
        let mut addresses = Vec::new();
        for a in raw.addresses {
            let line = self.line(&a);
            addresses.push(self.address(a.into_inner(), line)?);
        }
        let m = PairMapping {
            pair: self.pair,
            fields,
            addresses,
            constants,
        };
        unique::unique(&m)?;
        Ok(m)
    }

    fn field(&self, raw: RawField, line: usize) -> Result<Entry, DocumentError> {
        let err = |m: String| Err(DocumentError::new(line, m));
        if let Some(value) = &raw.constant {
            return self.constant(&raw, value, line).map(Entry::Constant);
        }
        let (Some(sf), Some(ip)) = (&raw.salesforce, &raw.ipaas) else {
            return err(
                "a field mapping names both sides: salesforce = \"…\" and ipaas = \"…\" (or one side and a constant)".into(),
            );
        };
        let salesforce = self.salesforce_field(sf)?;
        let ipaas = self.ipaas_field(ip)?;
        let runs = raw
            .direction
            .as_ref()
            .map_or(Runs::Both, |d| runs(*d.get_ref()));
        if runs == Runs::ToIpaas && raw.from_ipaas.is_some() {
            return err(
                "this mapping runs to_ipaas only: [from_ipaas] rules would never apply".into(),
            );
        }
        if runs == Runs::FromIpaas && raw.to_ipaas.is_some() {
            return err(
                "this mapping runs from_ipaas only: [to_ipaas] rules would never apply".into(),
            );
        }
        let shared = raw.shared();
        let default_shared = shared
            .unknown
            .as_ref()
            .is_some_and(|u| matches!(u.get_ref(), RawUnknown::Default(_)));
        if runs == Runs::Both && default_shared {
            return err("unknown = { default = … } writes a value to one side; put it under [to_ipaas] or [from_ipaas] of this mapping".into());
        }
        let none = RawRules::default();
        let to_over = raw.to_ipaas.as_ref().map_or(&none, |r| r.get_ref());
        let from_over = raw.from_ipaas.as_ref().map_or(&none, |r| r.get_ref());
        let to_ipaas = self.chain(&shared, to_over, false, line)?;
        // Read backwards: the shared table reversed (a per-direction table is already in
        // iPaaS.com → Salesforce terms). A to_ipaas mapping reads iPaaS.com values back only
        // to compare them, where an unknown value simply counts as none.
        let reversed = match (&shared.table, &from_over.table) {
            (Some(t), None) => match rules::reverse(t.get_ref()) {
                Ok(r) => Some(r),
                Err((a, b, v)) if runs != Runs::ToIpaas => {
                    return Err(DocumentError::new(
                        self.line(t),
                        format!(
                            "the value table maps both {a:?} and {b:?} to {v:?}, so it cannot be read from iPaaS.com back to Salesforce; give [from_ipaas] its own table, or make the direction to_ipaas"
                        ),
                    ))
                }
                Err(_) => None,
            },
            _ => None,
        };
        let from_ipaas = if runs == Runs::ToIpaas {
            let back = RawRules {
                transform: shared.transform.clone(),
                ..RawRules::default()
            };
            let mut c = self.chain(&back, &none, true, line)?;
            c.table = reversed.map(|entries| ValueTable {
                entries,
                unknown: Unknown::Skip,
            });
            c
        } else {
            let mut c = self.chain(&shared, from_over, false, line)?;
            if from_over.table.is_none() {
                if let (Some(entries), Some(t)) = (reversed, c.table.as_mut()) {
                    t.entries = entries;
                }
            }
            c
        };
        Ok(Entry::Field(FieldMap {
            salesforce,
            ipaas,
            runs,
            to_ipaas,
            from_ipaas,
            line,
        }))
    }

    fn constant(
        &self,
        raw: &RawField,
        value: &Spanned<String>,
        line: usize,
    ) -> Result<Constant, DocumentError> {
        let err = |m: &str| Err(DocumentError::new(line, m.to_string()));
        let rules = raw.transform.is_some()
            || raw.table.is_some()
            || raw.unknown.is_some()
            || raw.max_length.is_some()
            || raw.overflow.is_some()
            || raw.to_ipaas.is_some()
            || raw.from_ipaas.is_some();
        if rules {
            return err("a constant takes no transforms: write the value as it should arrive");
        }
        let side = match (&raw.salesforce, &raw.ipaas) {
            (Some(sf), None) => Side::Salesforce(self.salesforce_field(sf)?),
            (None, Some(ip)) => Side::Ipaas(self.ipaas_field(ip)?),
            (Some(_), Some(_)) => {
                return err("a constant is written to one side: name salesforce = \"…\" or ipaas = \"…\", not both")
            }
            (None, None) => {
                return err("a constant names the side it is written to: salesforce = \"…\" or ipaas = \"…\"")
            }
        };
        let implied = match side {
            Side::Salesforce(_) => RawRuns::FromIpaas,
            Side::Ipaas(_) => RawRuns::ToIpaas,
        };
        if raw
            .direction
            .as_ref()
            .is_some_and(|d| *d.get_ref() != implied)
        {
            return err("a constant written to Salesforce runs from_ipaas, one written to iPaaS.com runs to_ipaas; leave direction out");
        }
        let v = value.get_ref().trim();
        if v.is_empty() {
            return err("a constant cannot be empty (a write never clears a field)");
        }
        Ok(Constant {
            side,
            value: v.to_string(),
            line,
        })
    }

    fn address(&self, raw: RawAddress, line: usize) -> Result<AddressMap, DocumentError> {
        let prefix = raw.salesforce.get_ref().trim();
        let prefixes = self.pair.address_prefixes();
        let Some(prefix) = prefixes.iter().find(|p| p.eq_ignore_ascii_case(prefix)) else {
            return Err(DocumentError::new(
                line,
                format!(
                    "{prefix:?} is not a {} address; use one of {}",
                    self.pair.salesforce_object(),
                    prefixes.join(", ")
                ),
            ));
        };
        let flag = match raw.ipaas.get_ref().trim() {
            "primary_billing" => Flag::PrimaryBilling,
            "primary_shipping" => Flag::PrimaryShipping,
            other => {
                return Err(DocumentError::new(
                    line,
                    format!("{other:?} is not an iPaaS.com address; use primary_billing or primary_shipping (the address so flagged)"),
                ))
            }
        };
        if raw.copy_names && self.pair != Pair::Contact {
            return Err(DocumentError::new(
                line,
                "copy_names copies a Customer's first_name and last_name; a Company has none",
            ));
        }
        Ok(AddressMap {
            prefix: prefix.to_string(),
            flag,
            runs: raw.direction.map_or(Runs::Both, |d| runs(d.into_inner())),
            copy_names: raw.copy_names,
            line,
        })
    }
}

enum Entry {
    Field(FieldMap),
    Constant(Constant),
}

fn runs(r: RawRuns) -> Runs {
    match r {
        RawRuns::Both => Runs::Both,
        RawRuns::ToIpaas => Runs::ToIpaas,
        RawRuns::FromIpaas => Runs::FromIpaas,
    }
}

fn case(c: RawCase) -> Case {
    match c {
        RawCase::Trim => Case::Trim,
        RawCase::Lower => Case::Lower,
        RawCase::Upper => Case::Upper,
    }
}
