//! JSON parsing that refuses an object holding the same key twice. serde_json keeps the last
//! value silently, so `{"notifications":[…],"notifications":[…]}` would drop the first
//! array without a word; a receiver must not guess which one the sender meant.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Why a body could not be read as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrictJsonError {
    /// Not JSON at all (syntax, encoding, truncation).
    Syntax(String),
    /// Valid JSON apart from an object that repeats a key.
    DuplicateKey(String),
}

/// Parses `bytes` into a `Value`, refusing duplicate keys at any depth.
pub fn parse(bytes: &[u8]) -> Result<Value, StrictJsonError> {
    serde_json::from_slice::<Strict>(bytes)
        .map(|Strict(v)| v)
        .map_err(|e| {
            if e.is_data() {
                StrictJsonError::DuplicateKey(e.to_string())
            } else {
                StrictJsonError::Syntax(e.to_string())
            }
        })
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let shown: String = key.chars().take(60).collect();
                return Err(de::Error::custom(format!(
                    "the key {shown:?} appears twice"
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":"é\u0041"}"#;
        assert_eq!(
            parse(text.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn refuses_repeated_keys_at_any_depth_and_tells_syntax_apart() {
        for text in [
            r#"{"notifications":[],"notifications":[]}"#,
            r#"{"n":[{"id":"1","id":"2"}]}"#,
        ] {
            match parse(text.as_bytes()) {
                Err(StrictJsonError::DuplicateKey(m)) => assert!(m.contains("twice"), "{m}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(parse(b"{\"a\":"), Err(StrictJsonError::Syntax(_))));
        // Same key in sibling objects is fine.
        assert!(parse(br#"[{"id":1},{"id":2}]"#).is_ok());
    }
}
