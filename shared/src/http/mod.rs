//! What both HTTP clients share: retry timing and the text of failures.

pub mod retry;
pub mod roots;
pub mod text;
