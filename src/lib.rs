//! hyoka: search and comparison of 特定個人情報保護評価書.
pub mod analysis;
