//! The system's root certificates, read once per container for both API clients.
//!
//! reqwest reads and parses the system's store anew for every client it builds, twice per
//! cold start (the Salesforce and the iPaaS.com client); the clients take this one copy
//! instead (docs/benchmarks.md, cold start).
//! Certificates the TLS library could not use as a root (ancient or malformed entries that
//! system stores often hold) are left out, as reqwest's own loading does.

use std::sync::LazyLock;

static ROOTS: LazyLock<Vec<reqwest::Certificate>> = LazyLock::new(|| {
    let found = rustls_native_certs::load_native_certs();
    if !found.errors.is_empty() {
        tracing::warn!(errors = ?found.errors, "some of the system's root certificates could not be read");
    }
    let roots: Vec<reqwest::Certificate> = found
        .certs
        .iter()
        .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok())
        .filter_map(|der| reqwest::Certificate::from_der(der).ok())
        .collect();
    if roots.is_empty() {
        tracing::warn!("no usable root certificate in the system's store: HTTPS calls will fail");
    }
    roots
});

/// A client builder trusting the system's root certificates (and nothing built in).
pub fn client_builder() -> reqwest::ClientBuilder {
    ROOTS.iter().cloned().fold(
        reqwest::Client::builder().tls_built_in_root_certs(false),
        |builder, root| builder.add_root_certificate(root),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same roots as reqwest's own loading would trust, and a client builds on them.
    #[test]
    fn the_clients_trust_every_usable_root_of_the_system() {
        let usable = rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok())
            .count();
        assert!(
            usable > 0,
            "this machine has no root certificates to test with"
        );
        assert_eq!(ROOTS.len(), usable);
        client_builder()
            .build()
            .expect("a client on the system's roots");
    }
}
