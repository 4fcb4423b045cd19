//! Company calls: get, create, update, search by name, list.

use super::client::{Call, IpaasClient};
use super::config::IpaasPaths;
use super::error::IpaasError;
use super::pager::Pager;
use super::paging::{Page, MAX_PAGE_SIZE};
use super::records::Company;
use reqwest::Method;

impl IpaasClient {
    /// The company, or `None` when iPaaS.com has no company with that id.
    pub async fn get_company(&self, id: u64) -> Result<Option<Company>, IpaasError> {
        let path = IpaasPaths::with_id(&self.config().paths.company_by_id, id);
        self.json_or_none(&Call::new(Method::GET, path)).await
    }

    /// Creates the company (addresses included) and returns it as stored, with its id.
    pub async fn create_company(&self, company: &Company) -> Result<Company, IpaasError> {
        let path = self.config().paths.company_create.clone();
        self.json(&Call::new(Method::POST, path).json(company)?.once())
            .await
    }

    /// Replaces company `id` (its address list too) and returns it as stored.
    pub async fn update_company(&self, id: u64, company: &Company) -> Result<Company, IpaasError> {
        let path = IpaasPaths::with_id(&self.config().paths.company_by_id, id);
        self.json(&Call::new(Method::PUT, path).json(company)?)
            .await
    }

    /// Every company whose name equals `name` (case-insensitive), across all pages.
    pub async fn find_companies_by_name(&self, name: &str) -> Result<Vec<Company>, IpaasError> {
        let filter = vec![("Name", name.to_string())];
        self.pager(&self.config().paths.companies, filter, MAX_PAGE_SIZE)
            .collect_all()
            .await
    }

    pub async fn list_companies(
        &self,
        page_number: u32,
        page_size: u32,
    ) -> Result<Page<Company>, IpaasError> {
        self.list_page(
            &self.config().paths.companies,
            &Vec::new(),
            page_number,
            page_size,
        )
        .await
    }

    /// Walks all companies, `page_size` at a time.
    pub fn all_companies(&self, page_size: u32) -> Pager<Company> {
        self.pager(&self.config().paths.companies, Vec::new(), page_size)
    }
}
