//! The mapping checked against the org and the iPaaS.com field list before any record is
//! touched: every Salesforce field exists for the integration user and can be written where
//! the mapping writes it, values fit the field (type, length, picklist), and every
//! iPaaS.com field is one the record has. Each finding names the object, the field and the
//! problem in one sentence.

use super::ipaas_fields::{IpaasFieldKind, IpaasFields};
use super::model::{Chain, FieldMap, IpaasField, PairMapping, Side, Unknown};
use super::{Direction, Mapping, Pair};
use crate::config::ConfigError;
use crate::salesforce::{Describe, DescribeField, FieldKind, SalesforceClient, SalesforceError};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The mapping cannot run: the functions stop at start.
    Error,
    /// It runs, but some records may be refused.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub pair: Pair,
    /// The line of the mapping entry in the document (0: the pair as a whole).
    pub line: usize,
    /// `Account`, `Contact`, `Company` or `Customer`.
    pub object: &'static str,
    pub field: String,
    /// What is wrong, a sentence that follows `object.field`.
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{} {}.", self.object, self.field, self.problem)
    }
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// At start: the findings that stop the function, as one configuration error naming
    /// each field and its problem (warnings are only logged by the caller).
    pub fn stop_on_errors(findings: &[Finding]) -> Result<(), ConfigError> {
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.is_error())
            .map(|f| f.to_string())
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            name: super::MAPPING_PARAMETER,
            reason: format!(
                "the mapping does not fit this org: {} (check it with `sfsync mapping check`)",
                errors.join(" ")
            ),
        })
    }
}

/// Describes Account and Contact through `client`, then `check`s.
pub async fn check_org(
    mapping: &Mapping,
    client: &SalesforceClient,
) -> Result<Vec<Finding>, SalesforceError> {
    let (account, contact) = tokio::join!(client.describe("Account"), client.describe("Contact"));
    Ok(check(mapping, &account?, &contact?, &IpaasFields::known()))
}

/// Every problem of `mapping` against the two describes and the iPaaS.com fields, errors
/// first, in document order.
pub fn check(
    mapping: &Mapping,
    account: &Describe,
    contact: &Describe,
    ipaas: &IpaasFields,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (pair, describe) in [(Pair::Account, account), (Pair::Contact, contact)] {
        let c = Checker {
            pair,
            describe,
            ipaas,
            out: &mut out,
        };
        c.run(mapping.pair(pair));
    }
    out.sort_by_key(|f| (f.severity, f.pair, f.line));
    out
}

struct Checker<'a> {
    pair: Pair,
    describe: &'a Describe,
    ipaas: &'a IpaasFields,
    out: &'a mut Vec<Finding>,
}

/// What the mapping writes into a Salesforce field.
struct Written<'a> {
    /// Where the values come from, for the sentence ("iPaaS.com custom_fields.Tier").
    source: String,
    /// Every value that can arrive, when they are known (a value table, a constant).
    values: Vec<&'a str>,
    /// Whether any text can arrive (no value table, or one whose unknown values pass).
    free: bool,
    max_length: Option<usize>,
}

impl Checker<'_> {
    fn say(
        &mut self,
        severity: Severity,
        line: usize,
        object: &'static str,
        field: &str,
        problem: String,
    ) {
        self.out.push(Finding {
            severity,
            pair: self.pair,
            line,
            object,
            field: field.to_string(),
            problem,
        });
    }

    fn run(mut self, m: &PairMapping) {
        for f in &m.fields {
            let written = f
                .runs
                .includes(Direction::FromIpaas)
                .then(|| written_from(f, &f.from_ipaas));
            let sf = self.salesforce(
                &f.salesforce,
                f.line,
                f.runs.includes(Direction::ToIpaas),
                written,
            );
            self.ipaas_field(&f.ipaas, f.line, f.runs.includes(Direction::ToIpaas), sf);
        }
        for a in &m.addresses {
            for name in a.fields() {
                let written = a.runs.includes(Direction::FromIpaas).then(|| Written {
                    source: format!("the iPaaS.com {} address", a.flag.name()),
                    values: Vec::new(),
                    free: true,
                    max_length: None,
                });
                self.salesforce(&name, a.line, a.runs.includes(Direction::ToIpaas), written);
            }
        }
        for c in &m.constants {
            match &c.side {
                Side::Salesforce(name) => {
                    let written = Written {
                        source: "the constant".into(),
                        values: vec![c.value.as_str()],
                        free: false,
                        max_length: None,
                    };
                    self.salesforce(name, c.line, false, Some(written));
                }
                Side::Ipaas(field) => self.ipaas_field(field, c.line, true, None),
            }
        }
        self.required(m);
    }

    /// Checks one Salesforce field; its describe when it exists.
    fn salesforce(
        &mut self,
        name: &str,
        line: usize,
        reads: bool,
        written: Option<Written<'_>>,
    ) -> Option<DescribeField> {
        let object = self.pair.salesforce_object();
        let Some(d) = self.describe.field(name).cloned() else {
            self.say(Severity::Error, line, object, name, "does not exist in the org, or the integration user cannot see it (field-level security)".into());
            return None;
        };
        if d.name != name {
            self.say(
                Severity::Warning,
                line,
                object,
                name,
                format!("is spelt {} in the org", d.name),
            );
        }
        let kind = d.kind();
        if reads && kind == FieldKind::Compound {
            self.say(
                Severity::Error,
                line,
                object,
                name,
                format!(
                    "is a compound field ({}) and cannot be read as one value; map its parts",
                    d.field_type
                ),
            );
        }
        if let Some(w) = written {
            self.writable(&d, name, line, &w);
        }
        Some(d)
    }

    fn writable(&mut self, d: &DescribeField, name: &str, line: usize, w: &Written<'_>) {
        let object = self.pair.salesforce_object();
        let missing = match (d.createable, d.updateable) {
            (true, true) => None,
            (false, true) => Some("createable"),
            (true, false) => Some("updateable"),
            (false, false) => Some("createable or updateable"),
        };
        if let Some(what) = missing {
            self.say(
                Severity::Error,
                line,
                object,
                name,
                format!(
                    "is not {what} for the integration user, and the mapping writes it with {}",
                    w.source
                ),
            );
        }
        let ty = d.field_type.as_str();
        match d.kind() {
            FieldKind::Reference => {
                self.say(Severity::Error, line, object, name, "is a lookup (an Id); relationships are the flows' own and a mapping cannot write Ids".into());
            }
            FieldKind::Compound | FieldKind::Other => {
                self.say(
                    Severity::Error,
                    line,
                    object,
                    name,
                    format!("is of type {ty}, which a mapping cannot write"),
                );
            }
            kind @ (FieldKind::Number
            | FieldKind::Boolean
            | FieldKind::Date
            | FieldKind::DateTime
            | FieldKind::Time) => {
                if w.free {
                    self.say(Severity::Error, line, object, name, format!("holds {ty} values, and text from {} cannot go into it; map it to_ipaas only, or give a value table of {ty} values", w.source));
                }
                for v in &w.values {
                    if !fits(kind, v) {
                        self.say(
                            Severity::Error,
                            line,
                            object,
                            name,
                            format!("holds {ty} values, and {v:?} from {} is not one", w.source),
                        );
                    }
                }
            }
            FieldKind::Picklist | FieldKind::MultiPicklist => {
                let known: HashSet<&str> = d.active_values().collect();
                let severity = if d.restricted_picklist {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                for v in &w.values {
                    let parts: Vec<&str> = if d.kind() == FieldKind::MultiPicklist {
                        v.split(';').map(str::trim).collect()
                    } else {
                        vec![v]
                    };
                    for p in parts.into_iter().filter(|p| !known.contains(p)) {
                        self.say(
                            severity,
                            line,
                            object,
                            name,
                            format!(
                                "is a picklist without the value {p:?}, which {} can write",
                                w.source
                            ),
                        );
                    }
                }
                if w.free && d.restricted_picklist {
                    self.say(Severity::Warning, line, object, name, format!("is a restricted picklist: values from {} outside it will be refused (a value table keeps them in)", w.source));
                }
                self.length(d, name, line, w);
            }
            FieldKind::Text => self.length(d, name, line, w),
        }
    }

    fn length(&mut self, d: &DescribeField, name: &str, line: usize, w: &Written<'_>) {
        let object = self.pair.salesforce_object();
        let len = d.length as usize;
        if len == 0 {
            return;
        }
        if let Some(max) = w.max_length.filter(|m| *m > len) {
            self.say(
                Severity::Error,
                line,
                object,
                name,
                format!("holds at most {len} characters, fewer than max_length = {max}"),
            );
        }
        for v in w.values.iter().filter(|v| v.chars().count() > len) {
            self.say(
                Severity::Error,
                line,
                object,
                name,
                format!(
                    "holds at most {len} characters, and {v:?} from {} is longer",
                    w.source
                ),
            );
        }
    }

    fn ipaas_field(
        &mut self,
        field: &IpaasField,
        line: usize,
        writes: bool,
        sf: Option<DescribeField>,
    ) {
        let kind = self.pair.ipaas_kind();
        let IpaasField::Top(name) = field else {
            return;
        };
        let known = self.ipaas.of(kind).iter().find(|f| f.name == name);
        match known.map(|f| f.kind) {
            None => self.say(Severity::Error, line, kind, name, format!("is not a field of an iPaaS.com {kind} (a custom field is named custom_fields.<Name>)")),
            Some(IpaasFieldKind::Opaque) => self.say(Severity::Error, line, kind, name, "holds a value whose type is not part of the iPaaS.com contract; it cannot be mapped".into()),
            Some(IpaasFieldKind::Email) if writes => {
                if let Some(d) = sf.filter(|d| d.field_type != "email") {
                    self.say(Severity::Warning, line, kind, name, format!("must hold an e-mail address, and {}.{} is a {} field: other values will be refused", self.pair.salesforce_object(), d.name, d.field_type));
                }
            }
            Some(_) => {}
        }
    }

    /// A field Salesforce needs on create that the mapping never fills.
    fn required(&mut self, m: &PairMapping) {
        let object = self.pair.salesforce_object();
        let written: HashSet<String> = m
            .fields(Direction::FromIpaas)
            .into_iter()
            .chain(m.constants.iter().filter_map(|c| match &c.side {
                Side::Salesforce(n) => Some(n.clone()),
                Side::Ipaas(_) => None,
            }))
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let describe = self.describe;
        for d in &describe.fields {
            let needed = d.createable && !d.nillable && !d.defaulted_on_create;
            if needed && !written.contains(&d.name.to_ascii_lowercase()) {
                self.say(Severity::Warning, 0, object, &d.name, format!("is required to create a {object}, and the mapping writes nothing to it from iPaaS.com: every create will be refused"));
            }
        }
    }
}

/// What a from-iPaaS.com chain can write.
fn written_from<'a>(f: &'a FieldMap, chain: &'a Chain) -> Written<'a> {
    let (values, free) = match &chain.table {
        Some(t) => {
            let mut v: Vec<&str> = t.entries.values().map(String::as_str).collect();
            let free = match &t.unknown {
                Unknown::Default(d) => {
                    v.push(d.as_str());
                    false
                }
                Unknown::Skip | Unknown::Fail => false,
            };
            (v, free)
        }
        None => (Vec::new(), true),
    };
    Written {
        source: format!("iPaaS.com {}", f.ipaas),
        values,
        free,
        max_length: chain.max_length.map(|m| m.length),
    }
}

/// Whether a text value is a value of the field's type, as Salesforce reads JSON text.
fn fits(kind: FieldKind, v: &str) -> bool {
    use chrono::{NaiveDate, NaiveTime};
    let v = v.trim();
    match kind {
        FieldKind::Number => v.parse::<f64>().is_ok_and(f64::is_finite),
        FieldKind::Boolean => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        FieldKind::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
        FieldKind::DateTime => crate::records::sf_time::parse(v).is_some(),
        FieldKind::Time => {
            NaiveTime::parse_from_str(v.trim_end_matches('Z'), "%H:%M:%S%.f").is_ok()
        }
        _ => true,
    }
}
