//! Search quality on the judged queries of data/relevance.toml: the means must not fall below
//! the recorded baseline, and every query's figures are pinned by a snapshot, so a change that
//! moves one shows which.

use hyoka::search::SearchRequest;
use hyoka::search::relevance::{Judgments, evaluate};

use crate::util::index;

#[test]
fn relevance_does_not_fall_below_the_baseline() {
    let judgments = Judgments::bundled().expect("data/relevance.toml parses");
    assert!(
        judgments.queries.len() >= 40,
        "the set has {} queries",
        judgments.queries.len()
    );
    let report = evaluate(index(), &judgments, &SearchRequest::default())
        .expect("every judged query runs and has judged records");
    insta::assert_snapshot!("relevance_figures", report.render());
    // Rounded as recorded: a change must not lower either mean.
    let ndcg = (report.ndcg_at_10 * 1000.0).round() / 1000.0;
    let recall = (report.recall_at_20 * 1000.0).round() / 1000.0;
    assert!(
        ndcg >= judgments.baseline.ndcg_at_10,
        "nDCG@10 fell to {ndcg} (baseline {})",
        judgments.baseline.ndcg_at_10
    );
    assert!(
        recall >= judgments.baseline.recall_at_20,
        "recall@20 fell to {recall} (baseline {})",
        judgments.baseline.recall_at_20
    );
    // The baseline only rises: lowering it in data/relevance.toml fails here too (and lowering
    // these shows in review as a code change).
    assert!(
        judgments.baseline.ndcg_at_10 >= HIGHEST_NDCG_AT_10
            && judgments.baseline.recall_at_20 >= HIGHEST_RECALL_AT_20,
        "the baseline in data/relevance.toml was lowered below {HIGHEST_NDCG_AT_10} / {HIGHEST_RECALL_AT_20}"
    );
}

/// The highest baseline recorded for the judgments as they stand. Issue 25 re-judged the set by
/// what records say about each need (not by the query's words, which made recall 1 by
/// construction): 0.938 / 0.980 on the old judgments measured 0.876 / 0.834 on the new ones in
/// the same run, synonyms then raised them to 0.894 / 0.849, and reading a change row the parser
/// dropped to 0.895 / 0.852. A new judgment set resets this once, with the figures of both sets
/// from one run in the change; a search change never does.
const HIGHEST_NDCG_AT_10: f64 = 0.895;
const HIGHEST_RECALL_AT_20: f64 = 0.852;

#[test]
fn the_synonyms_and_the_fallback_raise_relevance_over_the_words_as_typed() {
    let judgments = Judgments::bundled().expect("data/relevance.toml parses");
    let expanded = evaluate(index(), &judgments, &SearchRequest::default()).unwrap();
    let as_typed = evaluate(
        index(),
        &judgments,
        &SearchRequest {
            synonyms: Some("off".to_string()),
            fallback: Some("off".to_string()),
            ..SearchRequest::default()
        },
    )
    .unwrap();
    assert!(expanded.ndcg_at_10 > as_typed.ndcg_at_10);
    assert!(expanded.recall_at_20 > as_typed.recall_at_20);
}

#[test]
fn a_stale_judgment_is_an_error_naming_its_query() {
    let judgments = Judgments::parse(
        r#"
[baseline]
ndcg_at_10 = 0.0
recall_at_20 = 0.0
[[query]]
q = "生体認証"
need = "nothing in the corpus says this"
judged = [{ text = ["この文はどの評価書にもない"] }]
"#,
    )
    .unwrap();
    let error = evaluate(index(), &judgments, &SearchRequest::default()).unwrap_err();
    assert!(error.to_string().contains("生体認証"), "{error}");
}
