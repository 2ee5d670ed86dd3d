//! Japanese text analysis.
pub mod dictionary;
