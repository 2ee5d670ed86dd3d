//! Search quality against judged queries: nDCG@10 and recall@20 over `data/relevance.toml`.
//!
//! The judgments pick records by what they say (text, slot, file), not by id, so they survive
//! re-ingest and parser changes that keep the text. The bench command prints the figures and a
//! golden test fails when a change lowers them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::analysis::normalize;
use crate::record::Record;
use crate::search::{SearchError, SearchIndex, SearchRequest};

/// The judgments shipped with hyoka.
pub const BUNDLED_JUDGMENTS: &str = include_str!("../../data/relevance.toml");

/// Ranks that count for nDCG.
pub const NDCG_DEPTH: usize = 10;
/// Ranks that count for recall.
pub const RECALL_DEPTH: usize = 20;

/// The judgments file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgments {
    pub baseline: Baseline,
    #[serde(rename = "query")]
    pub queries: Vec<JudgedQuery>,
}

/// The means a change must not go below.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub ndcg_at_10: f64,
    pub recall_at_20: f64,
}

/// A query with the records that answer it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedQuery {
    pub q: String,
    /// What the person searching wants, in words.
    pub need: String,
    pub judged: Vec<Judgment>,
}

/// Which records are relevant, and how much.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgment {
    /// The record's slot starts with this key.
    #[serde(default)]
    pub slot: Option<String>,
    /// The record's file name starts with this.
    #[serde(default)]
    pub file: Option<String>,
    /// The record's text holds every item; `a|b` holds either.
    #[serde(default)]
    pub text: Vec<String>,
    /// 2: what was asked for; 1: related.
    #[serde(default = "default_grade")]
    pub grade: u8,
}

fn default_grade() -> u8 {
    2
}

/// Text as judgments compare it: width folded, no spaces.
fn comparable(text: &str) -> String {
    normalize(text)
        .as_str()
        .chars()
        .filter(|character| !character.is_whitespace())
        .collect()
}

impl Judgment {
    fn matches(&self, record: &Record, text: &str) -> bool {
        if let Some(slot) = &self.slot
            && !record
                .slot
                .as_deref()
                .unwrap_or("")
                .starts_with(slot.as_str())
        {
            return false;
        }
        if let Some(file) = &self.file
            && !record.source.file.starts_with(file.as_str())
        {
            return false;
        }
        self.text.iter().all(|item| {
            item.split('|')
                .any(|alternative| text.contains(&comparable(alternative)))
        })
    }
}

impl Judgments {
    /// Parses a judgments file.
    pub fn parse(text: &str) -> Result<Judgments, toml::de::Error> {
        toml::from_str(text)
    }

    /// The bundled judgments.
    pub fn bundled() -> Result<Judgments, toml::de::Error> {
        Judgments::parse(BUNDLED_JUDGMENTS)
    }
}

/// The figures of one query.
#[derive(Debug, Clone)]
pub struct QueryFigures {
    pub q: String,
    pub ndcg_at_10: f64,
    pub recall_at_20: f64,
    /// Records judged relevant in the index.
    pub relevant: usize,
    /// Of those, found in the first [`RECALL_DEPTH`].
    pub found: usize,
    pub total_hits: usize,
}

/// The figures of a judgments set.
#[derive(Debug, Clone)]
pub struct Report {
    pub queries: Vec<QueryFigures>,
    pub ndcg_at_10: f64,
    pub recall_at_20: f64,
}

impl Report {
    /// One line per query, then the means: what the bench prints and the golden test pins.
    pub fn render(&self) -> String {
        let mut output = String::new();
        for figures in &self.queries {
            let _ = writeln!(
                output,
                "{:.3} {:.3} {:>2}/{:<2} hits {:>3}  {}",
                figures.ndcg_at_10,
                figures.recall_at_20,
                figures.found,
                figures.relevant,
                figures.total_hits,
                figures.q
            );
        }
        let _ = writeln!(
            output,
            "mean nDCG@{NDCG_DEPTH} {:.3}, mean recall@{RECALL_DEPTH} {:.3} over {} queries",
            self.ndcg_at_10,
            self.recall_at_20,
            self.queries.len()
        );
        output
    }
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum RelevanceError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(
        "query {q:?}: no record of the index matches its judgments (a judgment has gone stale)"
    )]
    NothingJudged { q: String },
}

/// DCG of the first [`NDCG_DEPTH`] grades in rank order, with gains 2^grade − 1.
fn discounted_gain(grades: &[u8]) -> f64 {
    grades
        .iter()
        .take(NDCG_DEPTH)
        .enumerate()
        .map(|(rank, grade)| f64::from((1u32 << grade) - 1) / ((rank + 2) as f64).log2())
        .fold(0.0, |total, gain| total + gain)
}

/// Runs every judged query with `options` (its matching settings: synonyms, fallback; its
/// query, filters and paging are ignored) and computes the figures.
///
/// nDCG@10 uses gains 2^grade − 1 and the ideal order of every judged record in the index;
/// recall@20 is capped: found / min(relevant, 20), so a query with more relevant records than
/// ranks can still reach 1.
pub fn evaluate(
    index: &SearchIndex,
    judgments: &Judgments,
    options: &SearchRequest,
) -> Result<Report, RelevanceError> {
    let all = index.collect(&SearchRequest::default(), index.record_count() as usize)?;
    let texts: Vec<(Record, String)> = all
        .into_iter()
        .map(|(_, record)| {
            let text = comparable(&record.search_text());
            (record, text)
        })
        .collect();
    let mut queries = Vec::new();
    for judged in &judgments.queries {
        let mut grades: BTreeMap<&str, u8> = BTreeMap::new();
        for (record, text) in &texts {
            if text.is_empty() {
                continue;
            }
            for judgment in &judged.judged {
                if judgment.matches(record, text) {
                    let grade = grades.entry(record.id.as_str()).or_default();
                    *grade = (*grade).max(judgment.grade);
                }
            }
        }
        grades.retain(|_, grade| *grade > 0);
        if grades.is_empty() {
            return Err(RelevanceError::NothingJudged {
                q: judged.q.clone(),
            });
        }
        let response = index.search(&SearchRequest {
            q: judged.q.clone(),
            limit: Some(RECALL_DEPTH),
            synonyms: options.synonyms.clone(),
            synonyms_off: options.synonyms_off.clone(),
            fallback: options.fallback.clone(),
            // Judgments are per record: one hit per record. Folding does not reorder (a
            // wording stands where its best record stands), it only hides the copies.
            fold: Some("off".to_string()),
            ..SearchRequest::default()
        })?;
        let found_grades: Vec<u8> = response
            .hits
            .iter()
            .map(|hit| grades.get(hit.record.id.as_str()).copied().unwrap_or(0))
            .collect();
        let mut ideal: Vec<u8> = grades.values().copied().collect();
        ideal.sort_unstable_by(|left, right| right.cmp(left));
        let ndcg = discounted_gain(&found_grades) / discounted_gain(&ideal);
        let found = found_grades.iter().filter(|grade| **grade > 0).count();
        queries.push(QueryFigures {
            q: judged.q.clone(),
            ndcg_at_10: ndcg,
            recall_at_20: found as f64 / grades.len().min(RECALL_DEPTH) as f64,
            relevant: grades.len(),
            found,
            total_hits: response.total,
        });
    }
    let count = queries.len().max(1) as f64;
    Ok(Report {
        ndcg_at_10: queries
            .iter()
            .map(|figures| figures.ndcg_at_10)
            .sum::<f64>()
            / count,
        recall_at_20: queries
            .iter()
            .map(|figures| figures.recall_at_20)
            .sum::<f64>()
            / count,
        queries,
    })
}
