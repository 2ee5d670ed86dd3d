//! Comparison: the same slot across every body that fills it.
//!
//! Each row is a record of the slot with its difference from the base body's row (character
//! level, so a changed 「裁断」→「細断」 is one small change) and its sentences, each marked with
//! how many *other* bodies write the same sentence: nationally shared wording (中間サーバー,
//! ガバメントクラウド 記載例) against a body's own.

pub mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

use crate::corpus::UNNAMED_BODY;
use crate::form;
use crate::record::Record;
use crate::search::{SearchError, SearchIndex, SearchRequest};
use table::TableRow;

/// Rows on a page of a comparison when the request does not say.
pub const DEFAULT_COMPARE_ROWS: usize = 100;
/// Most rows one page of a comparison may ask for.
pub const MAX_COMPARE_ROWS: usize = 500;
/// Most rows of the base body read to diff against (a body's rows of one slot are a handful
/// per file).
const MAX_BASE_ROWS: usize = 200;
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
    /// Rows to skip, in reading order.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Rows on the page (at most [`MAX_COMPARE_ROWS`]).
    #[serde(default)]
    pub limit: Option<usize>,
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
    /// Rows of the whole comparison; `rows` is the page from `offset`.
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    /// Every body with a row, in reading order (for choosing the base).
    pub bodies: Vec<String>,
    pub rows: Vec<CompareRow>,
    /// Choice (or, where the item has none, rating) → number of body-and-file answers, over
    /// the whole comparison.
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
    #[error("limit {0} is over the maximum of {MAX_COMPARE_ROWS} rows per page")]
    LimitTooLarge(usize),
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

/// Bodies named in an error message, at most [`NAMES_IN_A_MESSAGE`] of them: a slot across
/// the nation has thousands.
fn listed_briefly(names: &[&str]) -> String {
    if names.len() <= NAMES_IN_A_MESSAGE {
        return names.join(", ");
    }
    format!(
        "{} and {} more (GET /api/compare?slot=… lists them in `bodies`)",
        names[..NAMES_IN_A_MESSAGE].join(", "),
        names.len() - NAMES_IN_A_MESSAGE
    )
}

/// Most body names one error message lists.
const NAMES_IN_A_MESSAGE: usize = 20;

/// Whether a row's body (as [`body_of`] names it) is the base: named as it is, or, for the
/// unnamed bodies, by the shared name alone.
fn is_base(body: &str, base: &str) -> bool {
    body == base
        || (base == UNNAMED_BODY
            && body
                .strip_prefix(UNNAMED_BODY)
                .is_some_and(|rest| rest.starts_with(" (")))
}

/// Runs a comparison: the rows of the slot (matching `q` if given) in reading order, one page
/// of them read from the index and diffed against the base body's rows. Which rows there are,
/// their bodies and answers, and how widely each sentence is shared come from the comparison
/// table written at ingest, so the cost of a page does not grow with the number of bodies.
pub fn compare(
    index: &SearchIndex,
    request: &CompareRequest,
) -> Result<CompareResponse, CompareError> {
    let slot = form::slot_by_key(&request.slot)
        .ok_or_else(|| SearchError::UnknownSlot(request.slot.clone()))?;
    let limit = match request.limit {
        None => DEFAULT_COMPARE_ROWS,
        Some(0) => return Err(SearchError::LimitZero.into()),
        Some(limit) if limit > MAX_COMPARE_ROWS => return Err(CompareError::LimitTooLarge(limit)),
        Some(limit) => limit,
    };
    let offset = request.offset.unwrap_or(0);
    let matching = index.matching_rows(&SearchRequest {
        q: request.q.clone().unwrap_or_default(),
        slot: Some(request.slot.clone()),
        ..SearchRequest::default()
    })?;
    let table = matching.table();
    let rows: Vec<TableRow> = table
        .rows_of_slot(&request.slot)
        .into_iter()
        .filter(|row| matching.contains(row.key))
        .collect();
    // Rows are in body order, so each body's rows are together.
    let mut bodies: Vec<u32> = Vec::new();
    for row in &rows {
        if bodies.last() != Some(&row.body) {
            bodies.push(row.body);
        }
    }

    let base = match &request.base {
        Some(base) => {
            if !bodies.iter().any(|&body| is_base(table.body(body), base)) {
                let available: BTreeSet<&str> =
                    bodies.iter().map(|&body| table.body(body)).collect();
                return Err(CompareError::UnknownBase {
                    base: base.clone(),
                    slot: request.slot.clone(),
                    available: listed_briefly(&available.into_iter().collect::<Vec<_>>()),
                });
            }
            Some(base.clone())
        }
        None => bodies.first().map(|&body| table.body(body).to_string()),
    };
    // The base body's rows with text (an item answered only by its choice has none to diff),
    // by key, so that a base row on the page is not read twice.
    let mut base_rows: Vec<(u64, Record)> = Vec::new();
    if let Some(base) = &base {
        for row in rows
            .iter()
            .filter(|row| is_base(table.body(row.body), base))
            .take(MAX_BASE_ROWS)
        {
            if let Some(record) = matching.record(row.key)?
                && !record.text.is_empty()
            {
                base_rows.push((row.key, record));
            }
        }
    }

    let mut answered: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut ratings: BTreeMap<String, u64> = BTreeMap::new();
    for row in &rows {
        if let Some(answer) = row.answer
            && answered.insert((row.body, row.file))
        {
            *ratings.entry(table.answer(answer).to_string()).or_default() += 1;
        }
    }

    // Rows often repeat wording word for word (the shared actors' text, a body's several
    // files), so each distinct (base text, text) pair is diffed once.
    let mut diffs: HashMap<(String, String), Vec<DiffOp>> = HashMap::new();
    let mut page = Vec::with_capacity(limit.min(rows.len()));
    for row in rows.iter().skip(offset).take(limit) {
        let known = base_rows.iter().find(|(key, _)| *key == row.key);
        let record = match known {
            Some((_, record)) => record.clone(),
            None => match matching.record(row.key)? {
                Some(record) => record,
                None => continue,
            },
        };
        let body = table.body(row.body).to_string();
        let base_row = base_rows
            .iter()
            .map(|(_, candidate)| candidate)
            .find(|candidate| candidate.actor == record.actor && candidate.field == record.field)
            .or_else(|| {
                base_rows
                    .iter()
                    .map(|(_, candidate)| candidate)
                    .find(|candidate| candidate.actor == record.actor)
            })
            .or_else(|| base_rows.first().map(|(_, candidate)| candidate));
        let diff = match base_row {
            // An item answered only by its choice has no text to compare.
            _ if record.text.is_empty() => Vec::new(),
            Some(base_row) => diffs
                .entry((base_row.text.clone(), record.text.clone()))
                .or_insert_with(|| diff_ops(&base_row.text, &record.text))
                .clone(),
            None => vec![DiffOp {
                op: "equal".to_string(),
                text: record.text.clone(),
            }],
        };
        let record_slot = record.slot.clone().unwrap_or_default();
        let sentences = sentences_of(&record.text)
            .into_iter()
            .map(|sentence| {
                // The table counts the row's own body among the writers.
                let shared_by = table
                    .writers(
                        &record_slot,
                        &body_sentence_key(&sentence, &record.municipality),
                    )
                    .saturating_sub(1);
                SharedSentence {
                    text: sentence,
                    shared_by,
                }
            })
            .collect();
        page.push(CompareRow {
            record,
            body,
            diff,
            sentences,
        });
    }

    Ok(CompareResponse {
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        base,
        total: rows.len(),
        offset,
        limit,
        bodies: bodies
            .iter()
            .map(|&body| table.body(body).to_string())
            .collect(),
        rows: page,
        ratings,
    })
}

/// Every record of a comparison in its reading order, up to `cap` (for the CSV export).
pub fn records_in_reading_order(
    index: &SearchIndex,
    slot: &str,
    q: &str,
    cap: usize,
) -> Result<Vec<Record>, CompareError> {
    let matching = index.matching_rows(&SearchRequest {
        q: q.to_string(),
        slot: Some(slot.to_string()),
        ..SearchRequest::default()
    })?;
    let mut records = Vec::new();
    for row in matching.table().rows_of_slot(slot) {
        if records.len() >= cap {
            break;
        }
        if matching.contains(row.key)
            && let Some(record) = matching.record(row.key)?
        {
            records.push(record);
        }
    }
    Ok(records)
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

/// What stands for a body's own name in a sentence's key: 「札幌市では…」 and 「熊本県では…」
/// are the same wording with the name filled in.
const BODY_NAME_PLACEHOLDER: &str = "〈団体〉";

/// A sentence's key as written by `municipality`: [`sentence_key`] with the body's own name
/// replaced by a placeholder, so that shared wording with the name filled in counts as shared
/// (and a body's name does not make thousands of near-identical keys to group).
pub fn body_sentence_key(sentence: &str, municipality: &str) -> String {
    if municipality.is_empty() || municipality == UNNAMED_BODY || !sentence.contains(municipality) {
        return sentence_key(sentence);
    }
    sentence_key(&sentence.replace(municipality, BODY_NAME_PLACEHOLDER))
}

/// The sentences of a comparison and the bodies that write each, with near-identical wording
/// (see [`same_sentence`]) grouped. Pairs are found by prefix filtering rather than by
/// comparing every sentence with every other: two sentences that similar share most of their
/// character pairs, so they share at least one among the rarest quarter of either's pairs.
/// Only those candidates are compared, which keeps a slot across thousands of bodies cheap.
struct SharedSentences {
    /// The distinct sentence keys, and per key the bodies (by number) that write it.
    keys: Vec<String>,
    bodies: Vec<BTreeSet<u32>>,
    /// Per key, the keys (by position) worded the same (itself excluded).
    similar: Vec<Vec<u32>>,
}

/// Similarity checks one table build may spend on finding near-identical sentences. The
/// prefix filter makes them few on real wording; a corpus where thousands of sentences differ
/// by a character or two (a body's code in each) would otherwise take quadratic time. Past the
/// budget, sentences are grouped only when identical.
pub const SIMILARITY_BUDGET: usize = 20_000_000;

impl SharedSentences {
    /// Groups the sentence keys of one slot, each with the bodies (by number) that write it,
    /// spending at most `budget` similarity checks (decremented).
    fn new(bodies: HashMap<String, BTreeSet<u32>>, budget: &mut usize) -> SharedSentences {
        let (keys, bodies): (Vec<String>, Vec<BTreeSet<u32>>) = bodies.into_iter().unzip();
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
        let mut prefixes: Vec<Vec<((char, char), u32)>> = Vec::with_capacity(keys.len());
        let mut by_token: HashMap<((char, char), u32), Vec<u32>> = HashMap::new();
        for (position, key_tokens) in tokens.into_iter().enumerate() {
            let mut ordered = key_tokens;
            ordered.sort_by_key(|token| (frequency[token], *token));
            let prefix = ordered.len() - ordered.len() * 7 / 10 + 1;
            ordered.truncate(prefix);
            for token in &ordered {
                by_token.entry(*token).or_default().push(position as u32);
            }
            prefixes.push(ordered);
        }
        // Each candidate pair is checked once, from its lower position; `checked_for` marks
        // the candidates already checked for the current key (no set of all pairs is kept).
        let mut similar: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
        let mut checked_for: Vec<u32> = vec![u32::MAX; keys.len()];
        'keys: for (left, prefix) in prefixes.iter().enumerate() {
            for token in prefix {
                for &right in &by_token[token] {
                    let right_position = right as usize;
                    if right_position <= left || checked_for[right_position] == left as u32 {
                        continue;
                    }
                    checked_for[right_position] = left as u32;
                    if *budget == 0 {
                        break 'keys;
                    }
                    *budget -= 1;
                    if same_sentence(&keys[left], &keys[right_position]) {
                        similar[left].push(right);
                        similar[right_position].push(left as u32);
                    }
                }
            }
        }
        SharedSentences {
            keys,
            bodies,
            similar,
        }
    }

    fn keys(&self) -> &[String] {
        &self.keys
    }

    /// How many bodies write the key at `position` or one worded the same (the writer of the
    /// sentence itself included).
    fn writers_at(&self, position: usize) -> usize {
        let mut writers: BTreeSet<u32> = self.bodies[position].clone();
        for &other in &self.similar[position] {
            writers.extend(self.bodies[other as usize].iter().copied());
        }
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
        let mut sentences: Vec<(u32, String)> = Vec::new();
        for (body, document) in corpus.documents.iter().enumerate() {
            for record in
                crate::parse::parse_document(&document.meta, &document.text).expect("parses")
            {
                for sentence in sentences_of(&record.text) {
                    sentences.push((body as u32, sentence_key(&sentence)));
                }
            }
        }
        let mut bodies: HashMap<String, BTreeSet<u32>> = HashMap::new();
        for (body, key) in &sentences {
            bodies.entry(key.clone()).or_default().insert(*body);
        }
        let mut budget = SIMILARITY_BUDGET;
        let shared = SharedSentences::new(bodies, &mut budget);
        let position: HashMap<&str, usize> = shared
            .keys()
            .iter()
            .enumerate()
            .map(|(position, key)| (key.as_str(), position))
            .collect();
        let mut checked = 0;
        for (body, key) in &sentences {
            let brute_force: BTreeSet<u32> = sentences
                .iter()
                .filter(|(other_body, other_key)| {
                    other_body != body && same_sentence(key, other_key)
                })
                .map(|(other_body, _)| *other_body)
                .collect();
            // The writers include the sentence's own body.
            assert_eq!(
                shared.writers_at(position[key.as_str()]),
                brute_force.len() + 1,
                "{key}"
            );
            checked += 1;
        }
        assert!(checked > 500, "{checked} sentences");
        assert!(
            shared.similar.iter().map(Vec::len).sum::<usize>() > 0,
            "some near-identical pairs exist"
        );
        assert!(budget > 0, "the samples stay within the similarity budget");
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
    fn a_sentence_naming_its_own_body_is_the_same_wording_as_another_body_naming_itself() {
        assert_eq!(
            body_sentence_key("札幌市では、サーバ室を施錠している。", "札幌市"),
            body_sentence_key("熊本県では、サーバ室を施錠している。", "熊本県")
        );
        assert_ne!(
            body_sentence_key("札幌市では、サーバ室を施錠している。", "熊本県"),
            body_sentence_key("熊本県では、サーバ室を施錠している。", "熊本県")
        );
    }

    #[test]
    fn an_error_lists_a_few_bodies_and_counts_the_rest() {
        let names: Vec<String> = (0..25).map(|n| format!("合成{n:04}市")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let listed = listed_briefly(&names);
        assert!(listed.starts_with("合成0000市, 合成0001市"), "{listed}");
        assert!(listed.contains("and 5 more"), "{listed}");
        assert!(!listed.contains("合成0020市"), "{listed}");
        assert_eq!(listed_briefly(&names[..2]), "合成0000市, 合成0001市");
    }

    #[test]
    fn sentences_split_after_the_full_stop_and_at_line_breaks() {
        let sentences = sentences_of("施錠する。記録する。\n・監視する");
        assert_eq!(sentences, vec!["施錠する。", "記録する。", "・監視する"]);
    }
}
