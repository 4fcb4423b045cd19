use super::{SecretError, SecretStore};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;

/// Secrets held in process memory, for unit tests and the local demo.
#[derive(Default)]
pub struct InMemorySecretStore {
    values: Mutex<HashMap<String, String>>,
}

impl InMemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(secret_id: &str, value: &str) -> Self {
        let s = Self::new();
        s.insert(secret_id, value);
        s
    }

    pub fn insert(&self, secret_id: &str, value: &str) {
        self.lock().insert(secret_id.to_string(), value.to_string());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A poisoned lock only means another test thread panicked; the map is still whole.
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl SecretStore for InMemorySecretStore {
    async fn read(&self, secret_id: &str) -> Result<String, SecretError> {
        self.lock()
            .get(secret_id)
            .cloned()
            .ok_or_else(|| SecretError::NotFound(secret_id.to_string()))
    }

    async fn write(&self, secret_id: &str, value: &str) -> Result<(), SecretError> {
        self.insert(secret_id, value);
        Ok(())
    }
}
