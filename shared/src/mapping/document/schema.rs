//! The document as TOML spells it (docs/mapping.md). Every key is known (a misspelt key is
//! an error with its line); positions are kept so later checks can name the line too.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDocument {
    pub version: Option<Spanned<i64>>,
    pub account: Option<Spanned<RawPair>>,
    pub contact: Option<Spanned<RawPair>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPair {
    #[serde(default)]
    pub fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    pub addresses: Vec<Spanned<RawAddress>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawRuns {
    Both,
    ToIpaas,
    FromIpaas,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawCase {
    Trim,
    Lower,
    Upper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawOverflow {
    Truncate,
    Fail,
}

/// `unknown = "skip"`, `unknown = "fail"` or `unknown = { default = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawUnknown {
    Skip,
    Fail,
    Default(String),
}

impl<'de> Deserialize<'de> for RawUnknown {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UnknownVisitor)
    }
}

struct UnknownVisitor;

const UNKNOWN_EXPECTED: &str = r#""skip", "fail" or { default = "…" }"#;

impl<'de> Visitor<'de> for UnknownVisitor {
    type Value = RawUnknown;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(UNKNOWN_EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawUnknown, E> {
        match v {
            "skip" => Ok(RawUnknown::Skip),
            "fail" => Ok(RawUnknown::Fail),
            other => Err(E::custom(format!(
                "unknown = {other:?} is not a policy; use {UNKNOWN_EXPECTED}"
            ))),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawUnknown, A::Error> {
        let mut default = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "default" {
                return Err(de::Error::custom(format!(
                    "unknown = {{ {key} = … }}: the only key is `default`"
                )));
            }
            default = Some(map.next_value::<String>()?);
        }
        default
            .map(RawUnknown::Default)
            .ok_or_else(|| de::Error::custom("unknown = { } needs a `default` value"))
    }
}

/// The transforms of one direction (`[…to_ipaas]`, `[…from_ipaas]`), or of both when
/// written on the field mapping itself.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    pub transform: Option<Vec<RawCase>>,
    pub table: Option<Spanned<BTreeMap<String, String>>>,
    pub unknown: Option<Spanned<RawUnknown>>,
    pub max_length: Option<Spanned<i64>>,
    pub overflow: Option<RawOverflow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    pub salesforce: Option<Spanned<String>>,
    pub ipaas: Option<Spanned<String>>,
    pub direction: Option<Spanned<RawRuns>>,
    pub constant: Option<Spanned<String>>,
    // The rules for both directions, spelt out (serde cannot flatten with unknown keys denied).
    pub transform: Option<Vec<RawCase>>,
    pub table: Option<Spanned<BTreeMap<String, String>>>,
    pub unknown: Option<Spanned<RawUnknown>>,
    pub max_length: Option<Spanned<i64>>,
    pub overflow: Option<RawOverflow>,
    pub to_ipaas: Option<Spanned<RawRules>>,
    pub from_ipaas: Option<Spanned<RawRules>>,
}

impl RawField {
    /// The rules written on the mapping itself (they apply to both directions).
    pub fn shared(&self) -> RawRules {
        RawRules {
            transform: self.transform.clone(),
            table: self.table.clone(),
            unknown: self.unknown.clone(),
            max_length: self.max_length.clone(),
            overflow: self.overflow,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAddress {
    pub salesforce: Spanned<String>,
    pub ipaas: Spanned<String>,
    pub direction: Option<Spanned<RawRuns>>,
    #[serde(default)]
    pub copy_names: bool,
}
