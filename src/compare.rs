//! Comparison: the same slot across every body that fills it.
//!
//! Each row is a record of the slot with its difference from the base body's row (character
//! level, so a changed 「裁断」→「細断」 is one small change) and its sentences, each marked with
//! how many *other* bodies write the same sentence: nationally shared wording (中間サーバー,
//! ガバメントクラウド 記載例) against a body's own.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

use crate::corpus::UNNAMED_BODY;
use crate::form;
use crate::record::Record;
use crate::search::{SearchError, SearchIndex, SearchRequest};

/// Most rows one comparison returns.
pub const MAX_COMPARE_ROWS: usize = 2_000;
/// Similarity at or above which two sentences count as the same wording (numbering, spaces
/// and 「することとしている」/「している」-size edits aside).
const SAME_SENTENCE: f64 = 0.9;

/// A comparison request (`GET /api/compare`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CompareRequest {
    pub slot: String,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
}

/// One step of a diff against the base row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DiffOp {
    /// `equal`, `insert` or `delete`.
    pub op: String,
    pub text: String,
}

/// A sentence of a row and in how many other bodies' rows it appears.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SharedSentence {
    pub text: String,
    pub shared_by: usize,
}

/// A row of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompareRow {
    #[serde(flatten)]
    pub record: Record,
    /// The body the row is counted under (documents without a body name count apart).
    pub body: String,
    pub diff: Vec<DiffOp>,
    pub sentences: Vec<SharedSentence>,
}

/// The response of a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompareResponse {
    pub slot: String,
    pub slot_label: String,
    pub base: Option<String>,
    pub rows: Vec<CompareRow>,
    /// Choice (or, where the item has none, rating) → number of body-and-file answers.
    pub ratings: BTreeMap<String, u64>,
}

/// Why a comparison was refused.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("base {base:?} has no row for slot {slot}; bodies with rows: {available}")]
    UnknownBase {
        base: String,
        slot: String,
        available: String,
    },
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// The body a record is counted under: its name, or for unnamed bodies the name and the file,
/// so that two unnamed documents are not taken for one body.
pub fn body_of(record: &Record) -> String {
    if record.municipality == UNNAMED_BODY {
        format!("{UNNAMED_BODY} ({})", record.source.file)
    } else {
        record.municipality.clone()
    }
}

/// Runs a comparison.
pub fn compare(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<CompareResponse, CompareError> {
    let slot = form::slot_by_key(&request.slot)
        .ok_or_else(|| SearchError::UnknownSlot(request.slot.clone()))?;
    let search = SearchRequest {
        q: request.q.clone().unwrap_or_default(),
        slot: Some(request.slot.clone()),
        ..SearchRequest::default()
    };
    let mut records: Vec<Record> = index
        .collect(&search, MAX_COMPARE_ROWS)?
        .into_iter()
        .map(|(_, record)| record)
        .collect();
    // Reading order: body, document, file, field, actor; ids break ties.
    records.sort_by(|left, right| {
        (
            body_of(left),
            &left.doc_title,
            &left.file_name,
            &left.field,
            &left.actor,
            &left.id,
        )
            .cmp(&(
                body_of(right),
                &right.doc_title,
                &right.file_name,
                &right.field,
                &right.actor,
                &right.id,
            ))
    });

    let base = match &request.base {
        Some(base) => {
            let exists = records
                .iter()
                .any(|record| record.municipality == *base || body_of(record) == *base);
            if !exists {
                let available: BTreeSet<String> = records.iter().map(body_of).collect();
                return Err(CompareError::UnknownBase {
                    base: base.clone(),
                    slot: request.slot.clone(),
                    available: available.into_iter().collect::<Vec<_>>().join(", "),
                });
            }
            Some(base.clone())
        }
        None => records.first().map(body_of),
    };
    // The base body's rows with text (an item answered only by its choice has none to diff).
    let base_rows: Vec<&Record> = records
        .iter()
        .filter(|record| {
            base.as_deref()
                .is_some_and(|base| record.municipality == base || body_of(record) == base)
        })
        .filter(|record| !record.text.is_empty())
        .collect();

    // Each record's sentences with their keys, normalised once for both uses below.
    let keyed_sentences: Vec<Vec<(String, String)>> = records
        .iter()
        .map(|record| {
            sentences_of(&record.text)
                .into_iter()
                .map(|sentence| {
                    let key = sentence_key(&sentence);
                    (sentence, key)
                })
                .collect()
        })
        .collect();
    // Which bodies write each sentence, to count how many others share it.
    let shared = SharedSentences::new(records.iter().zip(&keyed_sentences).flat_map(
        |(record, sentences)| {
            let body = body_of(record);
            sentences
                .iter()
                .map(move |(_, key)| (body.clone(), key.clone()))
        },
    ));

    // Rows often repeat wording word for word (the shared actors' text, a body's several
    // files), so each distinct (base text, text) pair is diffed once.
    let mut diffs: HashMap<(&str, &str), Vec<DiffOp>> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    for (record, record_sentences) in records.iter().zip(keyed_sentences) {
        let body = body_of(record);
        let base_row = base_rows
            .iter()
            .find(|candidate| candidate.actor == record.actor && candidate.field == record.field)
            .or_else(|| {
                base_rows
                    .iter()
                    .find(|candidate| candidate.actor == record.actor)
            })
            .or_else(|| base_rows.first());
        let diff = match base_row {
            // An item answered only by its choice has no text to compare.
            _ if record.text.is_empty() => Vec::new(),
            Some(base_row) => diffs
                .entry((base_row.text.as_str(), record.text.as_str()))
                .or_insert_with(|| diff_ops(&base_row.text, &record.text))
                .clone(),
            None => vec![DiffOp {
                op: "equal".to_string(),
                text: record.text.clone(),
            }],
        };
        let sentences = record_sentences
            .into_iter()
            .map(|(sentence, key)| {
                let shared_by = shared.other_bodies(&key, &body);
                SharedSentence {
                    text: sentence,
                    shared_by,
                }
            })
            .collect();
        rows.push(CompareRow {
            record: record.clone(),
            body,
            diff,
            sentences,
        });
    }

    let mut answered: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut ratings: BTreeMap<String, u64> = BTreeMap::new();
    for record in &records {
        let Some(answer) = record.choice.clone().or_else(|| record.rating.clone()) else {
            continue;
        };
        if answered.insert((body_of(record), record.file_name.clone())) {
            *ratings.entry(answer).or_default() += 1;
        }
    }

    Ok(CompareResponse {
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        base,
        rows,
        ratings,
    })
}

/// Character-level diff from `base` to `text`, adjacent changes of one kind merged.
pub fn diff_ops(base: &str, text: &str) -> Vec<DiffOp> {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_chars(base, text);
    let mut ops: Vec<DiffOp> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        match ops.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => ops.push(DiffOp {
                op: op.to_string(),
                text: change.value().to_string(),
            }),
        }
    }
    ops
}

/// Sentences of a text: split after 「。」 and at line breaks, blanks dropped.
pub fn sentences_of(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        for character in line.chars() {
            current.push(character);
            if character == '。' {
                push_sentence(&mut sentences, &current);
                current.clear();
            }
        }
        push_sentence(&mut sentences, &current);
    }
    sentences
}

fn push_sentence(sentences: &mut Vec<String>, sentence: &str) {
    let trimmed = sentence.trim();
    if trimmed.chars().any(char::is_alphanumeric) {
        sentences.push(trimmed.to_string());
    }
}

/// A sentence as compared: normalised, without its list mark or number (「・」「①」「1 」) and
/// without spaces and the closing 「。」.
pub fn sentence_key(sentence: &str) -> String {
    let normalized = crate::analysis::normalize(sentence);
    let text = normalized.as_str().trim_start_matches(|c: char| {
        c.is_ascii_digit() || c.is_whitespace() || matches!(c, '・' | '(' | ')' | '.' | '-' | '※')
    });
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '。')
        .collect()
}

/// The sentences of a comparison and the bodies that write each, with near-identical wording
/// (see [`same_sentence`]) grouped. Pairs are found by prefix filtering rather than by
/// comparing every sentence with every other: two sentences that similar share most of their
/// character pairs, so they share at least one among the rarest quarter of either's pairs.
/// Only those candidates are compared, which keeps a slot across thousands of bodies cheap.
struct SharedSentences {
    /// Bodies per distinct sentence key.
    bodies: HashMap<String, BTreeSet<String>>,
    /// Keys whose wording is the same as each key's (itself excluded).
    similar: HashMap<String, Vec<String>>,
}

impl SharedSentences {
    fn new(sentences: impl Iterator<Item = (String, String)>) -> SharedSentences {
        let mut bodies: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (body, key) in sentences {
            bodies.entry(key).or_default().insert(body);
        }
        let keys: Vec<&String> = bodies.keys().collect();
        // Each key as a set of (pair, occurrence) tokens, so multiset overlap is set overlap.
        let tokens: Vec<Vec<((char, char), u32)>> = keys
            .iter()
            .map(|key| {
                let mut seen: HashMap<(char, char), u32> = HashMap::new();
                form::bigram_pairs(key)
                    .into_iter()
                    .map(|pair| {
                        let occurrence = seen.entry(pair).or_default();
                        *occurrence += 1;
                        (pair, *occurrence)
                    })
                    .collect()
            })
            .collect();
        let mut frequency: HashMap<((char, char), u32), u32> = HashMap::new();
        for token in tokens.iter().flatten() {
            *frequency.entry(*token).or_default() += 1;
        }
        // Candidates: keys sharing a token among their rarest ones. Dice ≥ 0.9 with lengths
        // within 70 % of each other means an overlap of at least 76 % of either set (less a
        // pair for short keys), so a prefix of 30 % of the set plus one cannot miss a similar
        // pair (the prefix-filtering lemma of set-similarity joins).
        let mut by_token: HashMap<((char, char), u32), Vec<usize>> = HashMap::new();
        for (position, key_tokens) in tokens.iter().enumerate() {
            let mut ordered = key_tokens.clone();
            ordered.sort_by_key(|token| (frequency[token], *token));
            let prefix = ordered.len() - ordered.len() * 7 / 10 + 1;
            for token in ordered.into_iter().take(prefix) {
                by_token.entry(token).or_default().push(position);
            }
        }
        let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        for positions in by_token.values() {
            for (index, &left) in positions.iter().enumerate() {
                for &right in &positions[index + 1..] {
                    pairs.insert((left.min(right), left.max(right)));
                }
            }
        }
        let mut similar: HashMap<String, Vec<String>> = HashMap::new();
        for (left, right) in pairs {
            if same_sentence(keys[left], keys[right]) {
                similar
                    .entry(keys[left].clone())
                    .or_default()
                    .push(keys[right].clone());
                similar
                    .entry(keys[right].clone())
                    .or_default()
                    .push(keys[left].clone());
            }
        }
        SharedSentences { bodies, similar }
    }

    /// How many bodies other than `body` write this sentence or one worded the same.
    fn other_bodies(&self, key: &str, body: &str) -> usize {
        let mut writers: BTreeSet<&str> = BTreeSet::new();
        let same = std::iter::once(key).chain(
            self.similar
                .get(key)
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        for key in same {
            if let Some(bodies) = self.bodies.get(key) {
                writers.extend(bodies.iter().map(String::as_str));
            }
        }
        writers.remove(body);
        writers.len()
    }
}

fn same_sentence(left: &str, right: &str) -> bool {
    if left == right {
        return true;
    }
    let (short, long) = if left.len() <= right.len() {
        (left, right)
    } else {
        (right, left)
    };
    // Very short fragments (「—」, 「以下同じ」) are not wording anyone shares meaningfully.
    if short.chars().count() < 8 || short.len() * 10 < long.len() * 7 {
        return false;
    }
    form::wording_similarity(left, right) >= SAME_SENTENCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_filtering_finds_exactly_the_pairs_that_comparing_all_pairs_finds() {
        // Every sentence of the five samples, each body its own: the fast grouping must agree
        // with comparing every sentence with every other.
        let corpus = crate::corpus::load_corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        )
        .expect("the samples load");
        let mut sentences: Vec<(String, String)> = Vec::new();
        for document in &corpus.documents {
            for record in
                crate::parse::parse_document(&document.meta, &document.text).expect("parses")
            {
                for sentence in sentences_of(&record.text) {
                    sentences.push((document.meta.file.clone(), sentence_key(&sentence)));
                }
            }
        }
        let shared = SharedSentences::new(sentences.clone().into_iter());
        let mut checked = 0;
        for (body, key) in &sentences {
            let brute_force: BTreeSet<&str> = sentences
                .iter()
                .filter(|(other_body, other_key)| {
                    other_body != body && same_sentence(key, other_key)
                })
                .map(|(other_body, _)| other_body.as_str())
                .collect();
            assert_eq!(shared.other_bodies(key, body), brute_force.len(), "{key}");
            checked += 1;
        }
        assert!(checked > 500, "{checked} sentences");
        assert!(
            shared.similar.values().map(Vec::len).sum::<usize>() > 0,
            "some near-identical pairs exist"
        );
    }

    #[test]
    fn a_changed_word_is_one_small_change() {
        let ops = diff_ops(
            "シュレッダーによる裁断若しくは外部業者による溶解処理を行う。",
            "シュレッダーによる細断若しくは外部業者による溶解処理を行う。",
        );
        let changed: Vec<&DiffOp> = ops.iter().filter(|op| op.op != "equal").collect();
        assert_eq!(changed.len(), 2);
        assert_eq!(changed[0].text, "裁");
        assert_eq!(changed[1].text, "細");
    }

    #[test]
    fn numbering_and_spacing_do_not_make_a_sentence_different() {
        assert_eq!(
            sentence_key("1 中間サーバー・プラットフォームをデータセンターに構築する。"),
            sentence_key("①中間サーバー・プラットフォームをデータセンターに構築する。")
        );
    }

    #[test]
    fn sentences_split_after_the_full_stop_and_at_line_breaks() {
        let sentences = sentences_of("施錠する。記録する。\n・監視する");
        assert_eq!(sentences, vec!["施錠する。", "記録する。", "・監視する"]);
    }
}
