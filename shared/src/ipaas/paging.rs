//! One page of a list answer and its `X-Pagination` header.

use serde::{Deserialize, Serialize};

/// Page size used when following every page (the API's cap).
pub const MAX_PAGE_SIZE: u32 = 100;

/// The `X-Pagination` header: `{"total_Count":N,"page_Size":S,"current_Page":P,
/// "total_Pages":T,"has_Next":bool,"has_Previous":bool}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pagination {
    #[serde(rename = "total_Count")]
    pub total_count: u64,
    #[serde(rename = "page_Size")]
    pub page_size: u32,
    #[serde(rename = "current_Page")]
    pub current_page: u32,
    #[serde(rename = "total_Pages")]
    pub total_pages: u32,
    #[serde(rename = "has_Next")]
    pub has_next: bool,
    #[serde(rename = "has_Previous")]
    pub has_previous: bool,
}

impl Pagination {
    /// Parses the header value; a missing or unreadable header yields `None` (the caller then
    /// judges by the page's length instead of failing a read that otherwise succeeded).
    pub fn parse(header: Option<&str>) -> Option<Pagination> {
        serde_json::from_str(header?.trim()).ok()
    }
}

/// One page of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page_number: u32,
    pub page_size: u32,
    /// `None` when iPaaS.com sent no usable `X-Pagination` header.
    pub pagination: Option<Pagination>,
}

impl<T> Page<T> {
    /// Whether another page follows. Without the header, a full page is assumed to have a
    /// successor; an empty page never does, so a confused server cannot loop us forever.
    pub fn has_next(&self) -> bool {
        if self.items.is_empty() {
            return false;
        }
        match self.pagination {
            Some(p) => p.has_next,
            None => self.items.len() >= self.page_size as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, size: u32, p: Option<Pagination>) -> Page<u8> {
        Page {
            items: vec![0; n],
            page_number: 1,
            page_size: size,
            pagination: p,
        }
    }

    #[test]
    fn parses_the_documented_header() {
        let h = r#"{"total_Count":7,"page_Size":3,"current_Page":2,"total_Pages":3,"has_Next":true,"has_Previous":true}"#;
        assert_eq!(
            Pagination::parse(Some(h)),
            Some(Pagination {
                total_count: 7,
                page_size: 3,
                current_page: 2,
                total_pages: 3,
                has_next: true,
                has_previous: true,
            })
        );
        let partial = Pagination::parse(Some(r#" {"has_Next":false,"extra":1} "#)).unwrap();
        assert!(!partial.has_next);
        assert_eq!(Pagination::parse(Some("not json")), None);
        assert_eq!(Pagination::parse(Some(r#"{"total_Count":-1}"#)), None);
        assert_eq!(Pagination::parse(None), None);
    }

    #[test]
    fn next_page_follows_the_header_or_the_page_length() {
        let yes = Pagination {
            has_next: true,
            ..Default::default()
        };
        assert!(page(3, 3, Some(yes)).has_next());
        assert!(!page(3, 3, Some(Pagination::default())).has_next());
        assert!(!page(0, 3, Some(yes)).has_next());
        assert!(page(3, 3, None).has_next());
        assert!(!page(2, 3, None).has_next());
    }
}
