//! Field mapping between the two systems (DESIGN.md §3): the mapping document the flows run
//! with (`document`). `legacy` keeps the mapping as it was written in code before the
//! document, for tests only: the built-in document is proved to reproduce it exactly.

pub mod document;
#[cfg(test)]
pub(crate) mod legacy;
