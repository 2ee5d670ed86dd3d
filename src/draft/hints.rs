//! What a draft lacks: the measures peers write in a slot that the draft does not say, as
//! contract tools list 「不足条項」.
//!
//! The pipeline: the peers' rows of the slot ([`super::peer_rows`]) → grouped by wording, each
//! wording's noun phrases read once ([`phrases_of_wordings`], cached by wording across
//! requests) → per phrase, the peer bodies writing it → kept when characteristic of the slot
//! ([`Characteristic`]: not made only of the corpus's most common words, and far more common in
//! the slot than in the corpus) → what the draft already says, as written or in other words
//! (the synonym dictionary) → ranked by share of bodies, each with example sentences from
//! different wordings.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{DraftError, DraftRequest, peer_rows, share, source_line};
use crate::analysis::normalize;
use crate::analysis::phrases::{Phrase, noun_phrases};
use crate::compare::sentences_of;
use crate::compare::table::{ComparisonTable, TableRow};
use crate::search::SearchIndex;
use crate::search::rows::MatchingRows;
use crate::search::versions::SearchDocuments;

/// Hints returned when the request does not say.
pub const DEFAULT_HINTS: usize = 12;
/// Most hints one request may ask for.
pub const MAX_HINTS: usize = 50;
/// Example sentences per hint, each from another wording.
const EXAMPLES_PER_HINT: usize = 3;
/// Fewest peer bodies writing a phrase for it to be a hint: one body's own wording is not what
/// peers write.
const MIN_BODIES: usize = 2;
/// Smallest share of peer bodies writing a phrase for it to be a hint.
const MIN_SHARE: f64 = 0.1;
/// How much more often the slot's records hold a phrase than the corpus's records hold its
/// rarest word, at least: 措置 or 実施 are in every part of a 評価書, 監視カメラ is in the
/// physical measures.
const MIN_LIFT: f64 = 6.0;
/// The same for a phrase of one word: a lone noun (場所, 機器, 媒体) is more often what every
/// measure of a part of the form mentions than a measure of its own.
const MIN_SINGLE_WORD_LIFT: f64 = 12.0;
/// Share of a shorter phrase's bodies a longer phrase holding it must have to be shown in its
/// place.
const NAMES_THE_MEASURE: f64 = 0.8;
/// Wordings read per request, largest first; beyond them (bodies' own wordings at national
/// scale) the phrases are not counted, and the response says how many were read.
const MAX_WORDINGS_READ: usize = 4000;
/// Wordings whose phrases are kept between requests (a wording's phrases never change: the
/// wording is a hash of its text).
const CACHED_WORDINGS: usize = 200_000;

/// A measure peers write that the draft does not.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hint {
    /// The phrase as peers write it (「監視カメラ」).
    pub phrase: String,
    /// Peer bodies writing it, and their share of the peers (0–1).
    pub bodies: usize,
    pub share: f64,
    /// How many times more often the slot's texts hold it than the corpus's texts hold its
    /// rarest word: how characteristic of the slot it is.
    pub specificity: f64,
    /// Sentences holding it, each from another wording, largest wording first.
    pub examples: Vec<HintExample>,
}

/// A peer's sentence holding a hint's phrase.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HintExample {
    pub sentence: String,
    /// A body writing it (the wording's first in reading order), its record, file and title.
    pub body: String,
    pub id: String,
    pub file: String,
    pub doc_title: String,
    /// Bodies writing the same wording.
    pub bodies: usize,
    /// Where it came from, as staff cite it (「札幌市 … Ⅲ 7. リスク1 ⑤物理的対策」).
    pub source: String,
}

/// A measure peers write that the draft says in other words (the synonym dictionary).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SaidOtherwise {
    pub phrase: String,
    pub bodies: usize,
    pub share: f64,
    /// The draft's words for it (「防犯カメラ」).
    pub said_as: String,
}

/// The response of `POST /api/draft/hints`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HintsResponse {
    pub slot: String,
    pub slot_label: String,
    /// Peer bodies with text in the slot, their rows and wordings; `wordings_read` of them
    /// were read for phrases (all of them unless there are more than [`MAX_WORDINGS_READ`]).
    pub peer_bodies: usize,
    pub peer_rows: usize,
    pub wordings: usize,
    pub wordings_read: usize,
    /// Ranked by share of bodies.
    pub hints: Vec<Hint>,
    pub said_otherwise: Vec<SaidOtherwise>,
    pub took_ms: u64,
}

/// Answers `POST /api/draft/hints` (see the module's header).
pub fn hints(index: &SearchIndex, request: &DraftRequest) -> Result<HintsResponse, DraftError> {
    let started = Instant::now();
    let (slot, draft_text) = request.checked()?;
    let limit = request.limit(DEFAULT_HINTS, MAX_HINTS)?;
    let (matching, rows) = peer_rows(index, request)?;
    let table = matching.table();
    let wordings = wordings_of(&rows);
    let peer_bodies: HashSet<u32> = rows.iter().map(|row| row.body).collect();
    let read = phrases_of_wordings(&wordings, &matching)?;

    let candidates = phrase_bodies(&wordings, &read, peer_bodies.len());
    let mut characteristic = Characteristic::new(index, rows.len())?;
    let draft = Draft::new(draft_text, index);
    let mut hints: Vec<(PhraseCount, f64)> = Vec::new();
    let mut said_otherwise = Vec::new();
    for candidate in candidates {
        let Some(lift) = characteristic.lift(&candidate)? else {
            continue;
        };
        match draft.says(&candidate.phrase) {
            Said::AsWritten => {}
            Said::Otherwise(words) => said_otherwise.push(SaidOtherwise {
                phrase: candidate.phrase.shown.clone(),
                bodies: candidate.bodies,
                share: share(candidate.bodies, peer_bodies.len()),
                said_as: words,
            }),
            Said::Not => hints.push((candidate, lift)),
        }
    }
    hints.sort_by(by_share);
    let mut hints = without_overlaps(hints);
    // A longer phrase that took a shorter one's place may have fewer bodies.
    hints.sort_by(by_share);
    let documents = index.documents();
    let hints = hints
        .into_iter()
        .take(limit)
        .map(|(candidate, lift)| Hint {
            specificity: (lift * 10.0).round() / 10.0,
            examples: examples_of(&candidate.phrase, &wordings, &read, table, &documents),
            phrase: candidate.phrase.shown,
            bodies: candidate.bodies,
            share: share(candidate.bodies, peer_bodies.len()),
        })
        .collect();
    Ok(HintsResponse {
        slot: slot.key.to_string(),
        slot_label: slot.label.to_string(),
        peer_bodies: peer_bodies.len(),
        peer_rows: rows.len(),
        wordings: wordings.len(),
        wordings_read: read.len(),
        hints,
        said_otherwise,
        took_ms: started.elapsed().as_millis() as u64,
    })
}

/// Most bodies first, then the most characteristic, then by the phrase.
fn by_share(left: &(PhraseCount, f64), right: &(PhraseCount, f64)) -> std::cmp::Ordering {
    right
        .0
        .bodies
        .cmp(&left.0.bodies)
        .then_with(|| right.1.total_cmp(&left.1))
        .then_with(|| left.0.phrase.surface.cmp(&right.0.phrase.surface))
}

/// Rows of one wording.
struct PeerWording {
    wording: u64,
    rows: Vec<TableRow>,
    /// Each body once.
    bodies: Vec<u32>,
}

/// The rows grouped by wording, most bodies first, then in reading order.
fn wordings_of(rows: &[TableRow]) -> Vec<PeerWording> {
    let mut position_of: HashMap<u64, usize> = HashMap::new();
    let mut wordings: Vec<PeerWording> = Vec::new();
    for row in rows {
        let position = *position_of.entry(row.wording).or_insert_with(|| {
            wordings.push(PeerWording {
                wording: row.wording,
                rows: Vec::new(),
                bodies: Vec::new(),
            });
            wordings.len() - 1
        });
        let wording = &mut wordings[position];
        wording.rows.push(*row);
        if !wording.bodies.contains(&row.body) {
            wording.bodies.push(row.body);
        }
    }
    wordings.sort_by_key(|wording| std::cmp::Reverse(wording.bodies.len()));
    wordings
}

/// One wording's text as one of its records says it, and its noun phrases.
struct WordingText {
    /// The record read (the text names that record's body where it names one).
    key: u64,
    sentences: Vec<String>,
    phrases: Vec<Phrase>,
}

fn phrase_cache() -> &'static Mutex<HashMap<u64, Arc<WordingText>>> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<WordingText>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Each wording's text and phrases (the largest [`MAX_WORDINGS_READ`]), from the cache when
/// the record it was read from is still one of the wording's rows, else read from the store.
fn phrases_of_wordings(
    wordings: &[PeerWording],
    matching: &MatchingRows,
) -> Result<Vec<Arc<WordingText>>, DraftError> {
    let mut read = Vec::with_capacity(wordings.len().min(MAX_WORDINGS_READ));
    for wording in wordings.iter().take(MAX_WORDINGS_READ) {
        let cached = phrase_cache()
            .lock()
            .map(|cache| cache.get(&wording.wording).cloned())
            .unwrap_or_default()
            .filter(|cached| wording.rows.iter().any(|row| row.key == cached.key));
        if let Some(cached) = cached {
            read.push(cached);
            continue;
        }
        let first = wording.rows[0];
        let Some(record) = matching.record(first.key)? else {
            continue;
        };
        let text = Arc::new(WordingText {
            key: first.key,
            sentences: sentences_of(&record.text),
            phrases: noun_phrases(&record.text),
        });
        if let Ok(mut cache) = phrase_cache().lock() {
            if cache.len() >= CACHED_WORDINGS {
                cache.clear();
            }
            cache.insert(wording.wording, text.clone());
        }
        read.push(text);
    }
    Ok(read)
}

/// A phrase and the peer bodies writing it.
struct PhraseCount {
    phrase: Phrase,
    bodies: usize,
    /// Peer rows holding it.
    rows: usize,
}

/// Every phrase written by at least [`MIN_BODIES`] and [`MIN_SHARE`] of the peer bodies.
fn phrase_bodies(
    wordings: &[PeerWording],
    read: &[Arc<WordingText>],
    peers: usize,
) -> Vec<PhraseCount> {
    let mut bodies_of: HashMap<&str, (&Phrase, HashSet<u32>, usize)> = HashMap::new();
    for (wording, text) in wordings.iter().zip(read) {
        for phrase in &text.phrases {
            let entry = bodies_of
                .entry(phrase.surface.as_str())
                .or_insert_with(|| (phrase, HashSet::new(), 0));
            entry.1.extend(wording.bodies.iter().copied());
            entry.2 += wording.rows.len();
        }
    }
    let mut counts: Vec<PhraseCount> = bodies_of
        .into_values()
        .filter(|(_, bodies, _)| {
            bodies.len() >= MIN_BODIES && share(bodies.len(), peers) >= MIN_SHARE
        })
        .map(|(phrase, bodies, rows)| PhraseCount {
            phrase: phrase.clone(),
            bodies: bodies.len(),
            rows,
        })
        .collect();
    counts.sort_by(|left, right| left.phrase.surface.cmp(&right.phrase.surface));
    counts
}

/// Whether a phrase is characteristic of the slot rather than of every slot.
struct Characteristic<'a> {
    index: &'a SearchIndex,
    common: Arc<HashSet<String>>,
    /// Share of the corpus's records holding each word, looked up once per word.
    shares: HashMap<String, f64>,
    peer_rows: usize,
}

impl<'a> Characteristic<'a> {
    fn new(index: &'a SearchIndex, peer_rows: usize) -> Result<Self, DraftError> {
        Ok(Characteristic {
            index,
            common: index.common_terms()?,
            shares: HashMap::new(),
            peer_rows,
        })
    }

    /// How many times more common the phrase is among the slot's rows than its rarest word is
    /// among the corpus's records (an upper bound of the phrase's own share), when the phrase is characteristic of the slot: not made only
    /// of the corpus's [`crate::search::COMMON_TERMS`] most common words, and at least
    /// [`MIN_LIFT`] times more common. None when it is not.
    fn lift(&mut self, candidate: &PhraseCount) -> Result<Option<f64>, DraftError> {
        let components = &candidate.phrase.components;
        let only_common = components.iter().all(|word| self.common.contains(word));
        // A body's name (さいたま of さいたま市CS: the dictionary knows 札幌 as a place, not
        // every body) is the writer, not a measure.
        let names_a_body = components
            .iter()
            .any(|word| crate::bodies::LocalBodies::bundled().names_a_body(word));
        if components.is_empty() || only_common || names_a_body || candidate.phrase.action_only {
            return Ok(None);
        }
        let mut rarest = 1.0f64;
        for word in components {
            let corpus_share = match self.shares.get(word) {
                Some(known) => *known,
                None => {
                    let looked_up = self.index.term_shares(&[word.as_str()])?[0];
                    self.shares.insert(word.clone(), looked_up);
                    looked_up
                }
            };
            rarest = rarest.min(corpus_share);
        }
        let slot_share = candidate.rows as f64 / self.peer_rows.max(1) as f64;
        let lift = slot_share / rarest.max(1e-9);
        let needed = if candidate.phrase.single_word {
            MIN_SINGLE_WORD_LIFT
        } else {
            MIN_LIFT
        };
        Ok((lift >= needed).then_some(lift))
    }
}

/// How a draft says a phrase.
enum Said {
    /// The phrase, or all its words in one sentence.
    AsWritten,
    /// Another spelling of it from the synonym dictionary (the draft's words).
    Otherwise(String),
    Not,
}

/// The draft as hints read it.
struct Draft<'a> {
    normalized: String,
    /// The words of each sentence.
    sentence_words: Vec<HashSet<String>>,
    index: &'a SearchIndex,
}

impl<'a> Draft<'a> {
    fn new(text: &str, index: &'a SearchIndex) -> Self {
        let sentence_words = sentences_of(text)
            .iter()
            .map(|sentence| {
                crate::analysis::morphemes(sentence)
                    .into_iter()
                    .map(|token| token.term)
                    .collect()
            })
            .collect();
        Draft {
            normalized: normalize(text).as_str().to_string(),
            sentence_words,
            index,
        }
    }

    fn says(&self, phrase: &Phrase) -> Said {
        if self.normalized.contains(&phrase.surface) {
            return Said::AsWritten;
        }
        let in_one_sentence = self.sentence_words.iter().any(|words| {
            phrase
                .components
                .iter()
                .all(|component| words.contains(component))
        });
        if in_one_sentence {
            return Said::AsWritten;
        }
        let (spellings, _) = self.index.synonyms().expand(&phrase.surface, &[]);
        for spelling in spellings {
            let spelling = normalize(&spelling).as_str().to_string();
            if self.normalized.contains(&spelling) {
                return Said::Otherwise(spelling);
            }
        }
        Said::Not
    }
}

/// One hint per measure: of two hints one of which holds the other (カメラ, 監視カメラ,
/// 監視カメラの設置), the one ranked first stays, unless the longer is written by nearly as
/// many bodies (see [`NAMES_THE_MEASURE`]).
fn without_overlaps(hints: Vec<(PhraseCount, f64)>) -> Vec<(PhraseCount, f64)> {
    let mut kept: Vec<(PhraseCount, f64)> = Vec::with_capacity(hints.len());
    for (hint, lift) in hints {
        let overlapping = kept.iter().position(|(other, _)| {
            hint.phrase.surface.contains(&other.phrase.surface)
                || other.phrase.surface.contains(&hint.phrase.surface)
        });
        match overlapping {
            None => kept.push((hint, lift)),
            // The longer phrase names the measure when nearly every body writing the shorter
            // one writes it (監視カメラ rather than カメラ): it takes the shorter one's place.
            Some(position) => {
                let other = &kept[position].0;
                let longer = hint.phrase.surface.len() > other.phrase.surface.len();
                if longer && hint.bodies as f64 >= other.bodies as f64 * NAMES_THE_MEASURE {
                    kept[position] = (hint, lift);
                }
            }
        }
    }
    kept
}

/// Up to [`EXAMPLES_PER_HINT`] sentences holding the phrase, each from another wording and
/// another body, largest wording first.
fn examples_of(
    phrase: &Phrase,
    wordings: &[PeerWording],
    read: &[Arc<WordingText>],
    table: &ComparisonTable,
    documents: &SearchDocuments,
) -> Vec<HintExample> {
    let mut examples: Vec<HintExample> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut bodies_shown: HashSet<u32> = HashSet::new();
    for (wording, text) in wordings.iter().zip(read) {
        if examples.len() >= EXAMPLES_PER_HINT {
            break;
        }
        if !text.phrases.iter().any(|own| own.surface == phrase.surface) {
            continue;
        }
        let Some(sentence) = text
            .sentences
            .iter()
            .find(|sentence| normalize(sentence).as_str().contains(&phrase.surface))
        else {
            continue;
        };
        if !seen.insert(crate::compare::sentence_key(sentence)) {
            continue;
        }
        let Some(row) = wording.rows.iter().find(|row| row.key == text.key) else {
            continue;
        };
        if !bodies_shown.insert(row.body) {
            continue;
        }
        let body = table.body(row.body).to_string();
        let document = documents.document(u64::from(row.document));
        let doc_title = document
            .map(|document| document.title.clone())
            .unwrap_or_default();
        let file = document
            .map(|document| document.file.clone())
            .unwrap_or_default();
        examples.push(HintExample {
            sentence: sentence.clone(),
            source: source_line(&body, &doc_title, table.slot_key(row.slot)),
            body,
            id: format!("{:016x}", row.key),
            file,
            doc_title,
            bodies: wording.bodies.len(),
        });
    }
    examples
}
