//! The engine's tests: the built-in document against today's mapping functions over a
//! generated corpus, the document's rules, every transform and policy, and the checker.

mod check;
mod corpus;
mod equivalence;
mod parse;
mod transforms;
