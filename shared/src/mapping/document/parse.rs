//! From TOML text to a checked `PairMapping` per object pair. Every rule the engine relies
//! on is enforced here, with the line of the offending entry: a field is mapped at most once
//! per direction (the merge compares values by Salesforce field name), a value table read
//! backwards must be reversible, a table says what to do with an unknown value, and fields
//! the flows own (Id, the Contact's AccountId, customer_number, company_id, links, addresses
//! as a whole) are not for the document.

use super::error::DocumentError;
use super::model::*;
use super::schema::*;
use super::{Direction, Mapping, Pair};
use std::collections::{BTreeMap, HashMap};
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

struct Reader<'a> {
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
        unique(&m)?;
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
            (Some(t), None) => match reverse(t.get_ref()) {
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

    /// One direction's transforms: `over` (the direction's own rules) key by key over
    /// `shared`. `lenient`: no table/unknown pairing is required (a read-back chain).
    fn chain(
        &self,
        shared: &RawRules,
        over: &RawRules,
        lenient: bool,
        line: usize,
    ) -> Result<Chain, DocumentError> {
        let cases = over
            .transform
            .as_ref()
            .or(shared.transform.as_ref())
            .map(|t| t.iter().map(|c| case(*c)).collect())
            .unwrap_or_default();
        let table = over.table.as_ref().or(shared.table.as_ref());
        let unknown = over.unknown.as_ref().or(shared.unknown.as_ref());
        let table = match (table, unknown) {
            (Some(t), Some(u)) => Some(ValueTable {
                entries: self.table(t)?,
                unknown: match u.get_ref() {
                    RawUnknown::Skip => Unknown::Skip,
                    RawUnknown::Fail => Unknown::Fail,
                    RawUnknown::Default(d) if d.trim().is_empty() => {
                        return Err(DocumentError::new(
                            self.line(u),
                            "unknown = { default = \"\" } would write nothing; use unknown = \"skip\"",
                        ))
                    }
                    RawUnknown::Default(d) => Unknown::Default(d.trim().to_string()),
                },
            }),
            (Some(t), None) if lenient => Some(ValueTable {
                entries: self.table(t)?,
                unknown: Unknown::Skip,
            }),
            (Some(t), None) => {
                return Err(DocumentError::new(
                    self.line(t),
                    "a value table needs unknown = \"skip\", \"fail\" or { default = \"…\" }: what to do with a value it does not list",
                ))
            }
            (None, Some(u)) => {
                return Err(DocumentError::new(
                    self.line(u),
                    "unknown = … applies to a value table, and this mapping has none",
                ))
            }
            (None, None) => None,
        };
        let max = over.max_length.as_ref().or(shared.max_length.as_ref());
        let overflow = over.overflow.or(shared.overflow);
        let max_length = match (max, overflow) {
            (Some(m), _) if *m.get_ref() < 1 => {
                return Err(DocumentError::new(
                    self.line(m),
                    format!("max_length = {} must be at least 1", m.get_ref()),
                ))
            }
            (Some(m), o) => Some(MaxLength {
                length: usize::try_from(*m.get_ref()).unwrap_or(usize::MAX),
                overflow: match o {
                    Some(RawOverflow::Truncate) => Overflow::Truncate,
                    Some(RawOverflow::Fail) | None => Overflow::Fail,
                },
            }),
            (None, Some(_)) => {
                return Err(DocumentError::new(
                    line,
                    "overflow = … applies to max_length, and this mapping has none",
                ))
            }
            (None, None) => None,
        };
        Ok(Chain {
            cases,
            table,
            max_length,
        })
    }

    fn table(
        &self,
        t: &Spanned<BTreeMap<String, String>>,
    ) -> Result<BTreeMap<String, String>, DocumentError> {
        let line = self.line(t);
        if t.get_ref().is_empty() {
            return Err(DocumentError::new(line, "the value table is empty"));
        }
        for (k, v) in t.get_ref() {
            for s in [k, v] {
                if s.trim().is_empty() {
                    return Err(DocumentError::new(
                        line,
                        format!("the value table holds an empty value ({k:?} = {v:?}); values are never empty"),
                    ));
                }
                if s.trim() != s {
                    return Err(DocumentError::new(
                        line,
                        format!("the value table's {s:?} has spaces at an end; values are compared and written trimmed"),
                    ));
                }
            }
        }
        Ok(t.get_ref().clone())
    }

    fn salesforce_field(&self, s: &Spanned<String>) -> Result<String, DocumentError> {
        let name = s.get_ref().trim();
        let line = self.line(s);
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(DocumentError::new(
                line,
                format!("{name:?} is not a Salesforce field API name (letters, digits and underscores, e.g. Phone or Customer_Tier__c)"),
            ));
        }
        let owned = [
            "Id",
            "SystemModstamp",
            "CreatedById",
            "CreatedDate",
            "LastModifiedDate",
            "LastModifiedById",
            "IsDeleted",
        ];
        if owned.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            return Err(DocumentError::new(
                line,
                format!("{}.{name} is set by Salesforce and read by the flows themselves; it cannot be mapped", self.pair.salesforce_object()),
            ));
        }
        if let Some(rel) = self.pair.relationship() {
            if rel.eq_ignore_ascii_case(name) {
                return Err(DocumentError::new(
                    line,
                    format!("Contact.{rel} follows the Customer's company through the Company's link; the flows keep it, not the document"),
                ));
            }
        }
        Ok(name.to_string())
    }

    fn ipaas_field(&self, s: &Spanned<String>) -> Result<IpaasField, DocumentError> {
        let raw = s.get_ref().trim();
        let line = self.line(s);
        if let Some(name) = raw.strip_prefix("custom_fields.") {
            let name = name.trim();
            if name.is_empty() {
                return Err(DocumentError::new(
                    line,
                    "custom_fields. needs the custom field's name, e.g. custom_fields.Tier",
                ));
            }
            return Ok(IpaasField::Custom(name.to_string()));
        }
        let valid = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(DocumentError::new(
                line,
                format!("{raw:?} is not an iPaaS.com field: name a top-level field (snake_case, e.g. phone_number) or custom_fields.<Name>"),
            ));
        }
        let kind = self.pair.ipaas_kind();
        let why = match raw {
            "id" | "last_modified_date" => Some("is set by iPaaS.com"),
            "external_ids" => Some("holds the links, which the flows keep"),
            "addresses" => {
                Some("is mapped with [[…addresses]] entries (primary_billing, primary_shipping)")
            }
            "custom_fields" => Some("holds the custom fields: name one as custom_fields.<Name>"),
            "customer_number" if self.pair == Pair::Contact => {
                Some("is the Contact Id, which the flows set to find the pair again")
            }
            "company_id" if self.pair == Pair::Contact => Some(
                "follows the Contact's AccountId through the Account's link; the flows keep it",
            ),
            _ => None,
        };
        match why {
            Some(w) => Err(DocumentError::new(
                line,
                format!("{kind}.{raw} {w}; it cannot be mapped"),
            )),
            None => Ok(IpaasField::Top(raw.to_string())),
        }
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

/// The table read backwards, or the two keys that share a value.
fn reverse(
    t: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, (String, String, String)> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in t {
        if let Some(first) = out.get(v) {
            return Err((first.clone(), k.clone(), v.clone()));
        }
        out.insert(v.clone(), k.clone());
    }
    Ok(out)
}

/// Each Salesforce field is compared (and written) once per direction, each iPaaS.com
/// field written once, each address flag and prefix used once.
fn unique(m: &PairMapping) -> Result<(), DocumentError> {
    let object = m.pair.salesforce_object();
    for d in [Direction::ToIpaas, Direction::FromIpaas] {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut claim = |name: &str, line: usize| {
            match seen.insert(name.to_ascii_lowercase(), line) {
                Some(first) => Err(DocumentError::new(
                    line,
                    format!("{object}.{name} is already mapped {d} on line {first}; the merge compares values by Salesforce field, so each is mapped once per direction"),
                )),
                None => Ok(()),
            }
        };
        for f in m.fields.iter().filter(|f| f.runs.includes(d)) {
            claim(&f.salesforce, f.line)?;
        }
        for a in m.addresses.iter().filter(|a| a.runs.includes(d)) {
            for name in a.fields() {
                claim(&name, a.line)?;
            }
        }
        if d == Direction::FromIpaas {
            for c in &m.constants {
                if let Side::Salesforce(name) = &c.side {
                    claim(name, c.line)?;
                }
            }
        }
    }
    let mut written: HashMap<String, usize> = HashMap::new();
    let kind = m.pair.ipaas_kind();
    let targets = m
        .fields
        .iter()
        .filter(|f| f.runs.includes(Direction::ToIpaas))
        .map(|f| (&f.ipaas, f.line))
        .chain(m.constants.iter().filter_map(|c| match &c.side {
            Side::Ipaas(f) => Some((f, c.line)),
            Side::Salesforce(_) => None,
        }));
    for (field, line) in targets {
        let key = match field {
            IpaasField::Top(n) => n.clone(),
            IpaasField::Custom(n) => format!("custom_fields.{}", n.to_lowercase()),
        };
        if let Some(first) = written.insert(key, line) {
            return Err(DocumentError::new(
                line,
                format!("{kind}.{field} is already written on line {first}; two values cannot go to one field"),
            ));
        }
    }
    for (i, a) in m.addresses.iter().enumerate() {
        if let Some(b) = m.addresses[..i]
            .iter()
            .find(|b| b.flag == a.flag || b.prefix == a.prefix)
        {
            let what = if b.flag == a.flag {
                format!("the {} address", a.flag.name())
            } else {
                format!("the {} address fields", a.prefix)
            };
            return Err(DocumentError::new(
                a.line,
                format!("{what} are already mapped on line {}", b.line),
            ));
        }
    }
    Ok(())
}
