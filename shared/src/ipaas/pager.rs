//! Reading list endpoints: one page at a time, or every page in turn.

use super::client::{decode, Call, IpaasClient};
use super::error::IpaasError;
use super::paging::{Page, Pagination, MAX_PAGE_SIZE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// Search filter of a list call, e.g. `[("EmailAddress", "a@b.c")]`; sent with `action=equals`.
pub(super) type Filter = Vec<(&'static str, String)>;

impl IpaasClient {
    /// One page of `path` (1-based `page_number`, `page_size` clamped to 1..=100).
    pub(super) async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        filter: &Filter,
        page_number: u32,
        page_size: u32,
    ) -> Result<Page<T>, IpaasError> {
        let page_number = page_number.max(1);
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut call = Call::new(Method::GET, path.to_string());
        if !filter.is_empty() {
            call = call.query("action", "equals");
        }
        for (name, value) in filter {
            call = call.query(name, value);
        }
        let call = call
            .query("pageNumber", page_number)
            .query("pageSize", page_size);
        let answer = self.send(&call).await?;
        let pagination = Pagination::parse(
            answer
                .headers
                .get("x-pagination")
                .and_then(|v| v.to_str().ok()),
        );
        Ok(Page {
            items: decode(&call, &answer)?,
            page_number,
            page_size,
            pagination,
        })
    }

    pub(super) fn pager<T: DeserializeOwned>(
        &self,
        path: &str,
        filter: Filter,
        page_size: u32,
    ) -> Pager<T> {
        Pager {
            client: self.clone(),
            path: path.to_string(),
            filter,
            page_size: page_size.clamp(1, MAX_PAGE_SIZE),
            next: Some(1),
            _records: PhantomData,
        }
    }
}

/// Walks every page of a list, one request per `next_page`.
pub struct Pager<T> {
    client: IpaasClient,
    path: String,
    filter: Filter,
    page_size: u32,
    next: Option<u32>,
    _records: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    /// The next page's records; `None` once the last page has been read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, IpaasError> {
        let Some(number) = self.next else {
            return Ok(None);
        };
        let page: Page<T> = self
            .client
            .list_page(&self.path, &self.filter, number, self.page_size)
            .await?;
        self.next = page.has_next().then(|| number.checked_add(1)).flatten();
        if page.items.is_empty() {
            return Ok(None);
        }
        Ok(Some(page.items))
    }

    /// Every record of every page.
    pub async fn collect_all(mut self) -> Result<Vec<T>, IpaasError> {
        let mut all = Vec::new();
        while let Some(items) = self.next_page().await? {
            all.extend(items);
        }
        Ok(all)
    }
}
