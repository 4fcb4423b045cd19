//! Customer calls: get, create, update, search by email, list.

use super::client::{Call, IpaasClient};
use super::config::IpaasPaths;
use super::error::IpaasError;
use super::pager::Pager;
use super::paging::{Page, MAX_PAGE_SIZE};
use super::records::Customer;
use reqwest::Method;

impl IpaasClient {
    /// The customer, or `None` when iPaaS.com has no customer with that id.
    pub async fn get_customer(&self, id: u64) -> Result<Option<Customer>, IpaasError> {
        let path = IpaasPaths::with_id(&self.config().paths.customer_by_id, id);
        self.json_or_none(&Call::new(Method::GET, path)).await
    }

    /// Creates the customer (addresses included) and returns it as stored, with its id.
    pub async fn create_customer(&self, customer: &Customer) -> Result<Customer, IpaasError> {
        let path = self.config().paths.customer_create.clone();
        self.json(&Call::new(Method::POST, path).json(customer)?.once())
            .await
    }

    /// Replaces customer `id` (its address list too) and returns it as stored.
    pub async fn update_customer(
        &self,
        id: u64,
        customer: &Customer,
    ) -> Result<Customer, IpaasError> {
        let path = IpaasPaths::with_id(&self.config().paths.customer_by_id, id);
        self.json(&Call::new(Method::PUT, path).json(customer)?)
            .await
    }

    /// Every customer whose email equals `email` (case-insensitive), across all pages.
    pub async fn find_customers_by_email(&self, email: &str) -> Result<Vec<Customer>, IpaasError> {
        let filter = vec![("EmailAddress", email.to_string())];
        self.pager(&self.config().paths.customers, filter, MAX_PAGE_SIZE)
            .collect_all()
            .await
    }

    /// Every customer whose customer_number equals `number` (case-insensitive). The Contact
    /// TO flow writes the Salesforce Contact Id there, so this finds the Customer a create
    /// made even when the Contact has no email.
    pub async fn find_customers_by_number(
        &self,
        number: &str,
    ) -> Result<Vec<Customer>, IpaasError> {
        let filter = vec![("CustomerNumber", number.to_string())];
        self.pager(&self.config().paths.customers, filter, MAX_PAGE_SIZE)
            .collect_all()
            .await
    }

    pub async fn list_customers(
        &self,
        page_number: u32,
        page_size: u32,
    ) -> Result<Page<Customer>, IpaasError> {
        self.list_page(
            &self.config().paths.customers,
            &Vec::new(),
            page_number,
            page_size,
        )
        .await
    }

    /// Walks all customers, `page_size` at a time.
    pub fn all_customers(&self, page_size: u32) -> Pager<Customer> {
        self.pager(&self.config().paths.customers, Vec::new(), page_size)
    }
}
