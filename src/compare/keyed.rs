//! A row's record as comparisons read it (its sentences and their keys), worked out once per
//! generation: staff compare one slot again and again (another base, the next page, the
//! grouped view after the table), and reading a record from the store and keying its
//! sentences was two fifths of a grouped comparison at 1M records.
//!
//! What is kept is derived from the generation's records alone, so it lives with the
//! generation's comparison table and goes with it when a new generation is loaded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{BODY_NAME_SHOWN, KeyedSentences, body_sentence_key_keyed, sentences_of};
use crate::record::Record;

/// Most records kept per generation (about 6 KB each with their keys and character pairs):
/// a grouped comparison keys at most 150 wordings and a comparison page shows 100 rows, so
/// this keeps the rows of a few dozen slots. When full, the kept records are dropped and
/// keyed again as they are asked for.
const KEPT_KEYED_RECORDS: usize = 4096;

/// A record with its sentences keyed as a comparison keys them.
#[derive(Debug)]
pub struct KeyedRecord {
    pub record: Record,
    /// The sentences with their [`super::sentence_key`]s and character pairs.
    pub sentences: KeyedSentences,
    /// The sentences' keys as the record's body writes them ([`super::body_sentence_key`]).
    body_keys: OnceLock<Vec<String>>,
    /// The sorted character pairs of the body keys run together: what folding wordings into
    /// variants compares.
    variant_pairs: OnceLock<Vec<(char, char)>>,
    /// The sorted character pairs of the text: how alike two wordings read.
    text_pairs: OnceLock<Vec<(char, char)>>,
    /// The sentences of the text with the body's own name as the page shows it, keyed: what a
    /// variant is aligned to and from.
    shown_wording: OnceLock<KeyedSentences>,
}

impl KeyedRecord {
    pub fn new(record: Record) -> KeyedRecord {
        let sentences = KeyedSentences::new(sentences_of(&record.text));
        KeyedRecord {
            record,
            sentences,
            body_keys: OnceLock::new(),
            variant_pairs: OnceLock::new(),
            text_pairs: OnceLock::new(),
            shown_wording: OnceLock::new(),
        }
    }

    /// The sentences' keys with the body's own name (and 当市, 本町 …) as one placeholder.
    pub fn body_keys(&self) -> &[String] {
        self.body_keys.get_or_init(|| {
            self.sentences
                .sentences
                .iter()
                .zip(&self.sentences.keys)
                .map(|(sentence, key)| {
                    body_sentence_key_keyed(sentence, &self.record.municipality, key)
                })
                .collect()
        })
    }

    /// The sorted character pairs of the body keys run together.
    pub fn variant_pairs(&self) -> &[(char, char)] {
        self.variant_pairs.get_or_init(|| {
            let mut pairs = crate::form::bigram_pairs(&self.body_keys().concat());
            pairs.sort_unstable();
            pairs
        })
    }

    /// How alike the two texts read, as [`crate::form::wording_similarity`] says, from the
    /// texts' character pairs sorted once.
    pub fn text_similarity(&self, other: &KeyedRecord) -> f64 {
        crate::form::dice_of_sorted_texts(
            (&self.record.text, self.text_pairs()),
            (&other.record.text, other.text_pairs()),
        )
    }

    fn text_pairs(&self) -> &[(char, char)] {
        self.text_pairs.get_or_init(|| {
            let mut pairs = crate::form::bigram_pairs(&self.record.text);
            pairs.sort_unstable();
            pairs
        })
    }

    /// The text's sentences keyed with the body's own name as the page shows it
    /// ([`BODY_NAME_SHOWN`]): names are not what differs between wordings.
    pub fn shown_wording(&self) -> &KeyedSentences {
        self.shown_wording.get_or_init(|| {
            let record = &self.record;
            let wording = if record.municipality.is_empty() {
                record.text.clone()
            } else {
                record.text.replace(&record.municipality, BODY_NAME_SHOWN)
            };
            KeyedSentences::new(sentences_of(&wording))
        })
    }
}

/// The keyed records of one generation, by row key.
#[derive(Debug, Default)]
pub struct KeyedRecords {
    kept: Mutex<HashMap<u64, Arc<KeyedRecord>>>,
}

impl KeyedRecords {
    /// The record with this row key, keyed: as kept, else `read` and keyed (and kept). `None`
    /// when `read` finds none.
    pub fn get_or_read<E>(
        &self,
        key: u64,
        read: impl FnOnce() -> Result<Option<Record>, E>,
    ) -> Result<Option<Arc<KeyedRecord>>, E> {
        if let Some(keyed) = self.lock().get(&key) {
            return Ok(Some(keyed.clone()));
        }
        // Read and keyed outside the lock: two requests keying one record at once both do
        // the work, and neither waits for the other.
        let Some(record) = read()? else {
            return Ok(None);
        };
        let keyed = Arc::new(KeyedRecord::new(record));
        let mut kept = self.lock();
        if kept.len() >= KEPT_KEYED_RECORDS {
            kept.clear();
        }
        kept.insert(key, keyed.clone());
        Ok(Some(keyed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<KeyedRecord>>> {
        // What is kept is whole whenever the lock is released: a panic elsewhere leaves it usable.
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
