//! `pageNumber` / `pageSize` and the `X-Pagination` header of every list answer.

use super::problem::{json_response, FieldErrors, Problem};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 100;

/// The query string as name/value pairs; ASP.NET matches parameter names case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        Params(serde_urlencoded::from_str(raw.unwrap_or_default()).unwrap_or_default())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u64,
    pub size: u64,
}

impl PageRequest {
    /// Reads `pageNumber` (from 1) and `pageSize` (default 50, capped at 100).
    pub fn from_params(p: &Params) -> Result<PageRequest, Problem> {
        let mut errors = FieldErrors::new();
        let number = positive(p, "pageNumber", 1, &mut errors);
        let size = positive(p, "pageSize", DEFAULT_PAGE_SIZE, &mut errors);
        if !errors.is_empty() {
            return Err(Problem::Validation(errors));
        }
        Ok(PageRequest {
            number,
            size: size.min(MAX_PAGE_SIZE),
        })
    }

    /// This page of `items` and the pagination that describes it.
    pub fn slice<T>(&self, items: Vec<T>) -> (Vec<T>, Pagination) {
        let total = items.len() as u64;
        let size = self.size.max(1);
        let skip = self.number.saturating_sub(1).saturating_mul(size);
        let page: Vec<T> = items
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(size).unwrap_or(usize::MAX))
            .collect();
        let total_pages = total.div_ceil(size);
        let p = Pagination {
            total_count: total,
            page_size: size,
            current_page: self.number,
            total_pages,
            has_next: self.number < total_pages,
            has_previous: self.number > 1,
        };
        (page, p)
    }
}

fn positive(p: &Params, name: &str, default: u64, errors: &mut FieldErrors) -> u64 {
    let Some(raw) = p.get(name).filter(|s| !s.is_empty()) else {
        return default;
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if n >= 1 => n,
        Ok(_) => {
            let msg = format!("The field {name} must be 1 or greater.");
            errors.insert(name.to_string(), vec![msg]);
            default
        }
        Err(_) => {
            errors.insert(
                name.to_string(),
                vec![format!("The value '{raw}' is not valid.")],
            );
            default
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub total_count: u64,
    pub page_size: u64,
    pub current_page: u64,
    pub total_pages: u64,
    pub has_next: bool,
    pub has_previous: bool,
}

impl Pagination {
    /// The header value, with iPaaS.com's spelling of the keys.
    pub fn header(&self) -> Value {
        json!({
            "total_Count": self.total_count,
            "page_Size": self.page_size,
            "current_Page": self.current_page,
            "total_Pages": self.total_pages,
            "has_Next": self.has_next,
            "has_Previous": self.has_previous,
        })
    }
}

/// A 200 list answer: the page as a JSON array plus `X-Pagination`.
pub fn list_response(req: PageRequest, items: Vec<Value>) -> Response {
    let (page, pagination) = req.slice(items);
    let mut resp = json_response(StatusCode::OK, &Value::Array(page));
    if let Ok(v) = HeaderValue::from_str(&pagination.header().to_string()) {
        resp.headers_mut()
            .insert(HeaderName::from_static("x-pagination"), v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: &str) -> Result<PageRequest, Problem> {
        PageRequest::from_params(&Params::parse(Some(q)))
    }

    #[test]
    fn defaults_cap_and_rejects() {
        assert_eq!(
            req("").unwrap(),
            PageRequest {
                number: 1,
                size: 50
            }
        );
        assert_eq!(
            req("PAGENUMBER=3&pagesize=500").unwrap(),
            PageRequest {
                number: 3,
                size: 100
            }
        );
        let Err(Problem::Validation(e)) = req("pageNumber=0&pageSize=x") else {
            panic!("expected a 400");
        };
        assert!(e.contains_key("pageNumber") && e.contains_key("pageSize"));
        assert!(req("pageNumber=-1").is_err());
    }

    #[test]
    fn slices_and_describes_pages() {
        let r = PageRequest { number: 2, size: 2 };
        let (page, p) = r.slice((1..=5).collect::<Vec<_>>());
        assert_eq!(page, vec![3, 4]);
        assert_eq!(
            (p.total_count, p.total_pages, p.has_next, p.has_previous),
            (5, 3, true, true)
        );
        let (page, p) = PageRequest { number: 9, size: 2 }.slice((1..=5).collect::<Vec<_>>());
        assert!(page.is_empty() && !p.has_next);
        let (page, p) = PageRequest {
            number: 1,
            size: 50,
        }
        .slice(Vec::<u8>::new());
        assert!(page.is_empty());
        assert_eq!(
            (p.total_pages, p.has_next, p.has_previous),
            (0, false, false)
        );
        assert_eq!(p.header()["total_Count"], 0);
        let huge = PageRequest {
            number: u64::MAX,
            size: 100,
        };
        assert!(huge.slice(vec![1]).0.is_empty());
    }
}
