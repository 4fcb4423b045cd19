//! Salesforce record Ids: 15-char case-sensitive or 18-char with a 3-char checksum.

use std::fmt;

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// A valid Salesforce Id, always held in its 18-character form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SalesforceId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a Salesforce Id has 15 or 18 characters; {0:?} has {1}")]
    Length(String, usize),
    #[error("a Salesforce Id holds only letters and digits; {0:?} does not")]
    Charset(String),
    #[error("the last three characters of {0:?} are not its checksum (expected {1})")]
    Checksum(String, String),
}

/// The 3-character suffix that turns a 15-character Id into its 18-character form.
pub fn checksum(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            CHECKSUM_ALPHABET[bits] as char
        })
        .collect()
}

impl SalesforceId {
    /// Accepts either form; an 18-character Id must carry the right checksum
    /// (compared case-insensitively, as Salesforce does).
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let shown: String = raw.chars().take(40).collect();
        let len = raw.chars().count();
        if len != 15 && len != 18 {
            return Err(IdError::Length(shown, len));
        }
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdError::Charset(shown));
        }
        let expected = checksum(&raw[..15]);
        if len == 18 && !raw[15..].eq_ignore_ascii_case(&expected) {
            return Err(IdError::Checksum(shown, expected));
        }
        Ok(SalesforceId(format!("{}{}", &raw[..15], expected)))
    }

    /// Builds an Id from a 3-character key prefix and a sequence number (simulators, tests).
    pub fn from_parts(prefix: &str, pod: &str, seq: u64) -> Self {
        const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut body = [b'0'; 9];
        let mut n = seq;
        for slot in body.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        let id15 = format!(
            "{:0<3.3}{:0<3.3}{}",
            prefix,
            pod,
            std::str::from_utf8(&body).unwrap_or("000000000")
        );
        let sum = checksum(&id15);
        SalesforceId(id15 + &sum)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_15(&self) -> &str {
        &self.0[..15]
    }

    /// The key prefix naming the object: 001 Account, 003 Contact, 005 User.
    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for SalesforceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SalesforceId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for SalesforceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SalesforceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        SalesforceId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        for (short, long) in [
            ("001M000000qfPyS", "001M000000qfPySIAU"),
            ("0038M0000016Wv8", "0038M0000016Wv8QAE"),
        ] {
            assert_eq!(SalesforceId::parse(short).unwrap().as_str(), long);
            assert_eq!(SalesforceId::parse(long).unwrap().as_str(), long);
        }
    }

    #[test]
    fn rejects_bad_ids() {
        assert!(matches!(
            SalesforceId::parse("001"),
            Err(IdError::Length(..))
        ));
        assert!(matches!(
            SalesforceId::parse("001M000000qfPy'"),
            Err(IdError::Charset(_))
        ));
        assert!(matches!(
            SalesforceId::parse("001M000000qfPySAAA"),
            Err(IdError::Checksum(..))
        ));
        assert!(matches!(
            SalesforceId::parse("001M000000qfPyé"),
            Err(IdError::Length(..) | IdError::Charset(_))
        ));
    }

    #[test]
    fn generated_ids_are_valid() {
        for seq in [0, 1, 61, 62, 1_000_000, u64::MAX] {
            let id = SalesforceId::from_parts("001", "8M0", seq);
            assert_eq!(SalesforceId::parse(id.as_str()).unwrap(), id);
            assert_eq!(id.key_prefix(), "001");
        }
    }
}
