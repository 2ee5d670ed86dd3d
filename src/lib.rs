//! hyoka: search and comparison of Japanese 特定個人情報保護評価書.
//!
//! Documents ([`corpus`]) are parsed ([`parse`]) into records ([`record`]) aligned to the
//! slots of the official form ([`form`]), analysed ([`analysis`]), indexed ([`index`]) and
//! searched ([`search`]); [`http`] serves them.
pub mod analysis;
pub mod bodies;
pub mod columns;
pub mod compare;
pub mod corpus;
pub mod deletions;
pub mod document;
pub mod draft;
pub mod export;
pub mod form;
pub mod generation;
pub mod http;
pub mod index;
pub mod ingest;
pub mod manifest;
pub mod messages;
pub mod openapi;
pub mod parse;
pub mod pdf;
pub mod record;
pub mod response_cache;
pub mod search;
