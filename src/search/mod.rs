//! Searching the index: filters, ranking, facets and highlighted snippets.
//!
//! One [`SearchIndex`] per process holds one tantivy `IndexReader`; every search takes a fresh
//! searcher from it. [`SearchIndex::reload_if_changed`] picks up a generation swapped in by
//! `hyoka ingest`. The response is the one `GET /api/search` returns and `hyoka search --json`
//! prints.

pub mod query;
pub mod snippet;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Term};

use crate::form;
use crate::index::{self, FACET_DIMENSIONS, Fields, IndexError};
use crate::record::Record;
pub use query::{ParsedQuery, QueryError, parse_query};

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Hits returned when the request does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// Deepest offset accepted; deeper paging is a sign of a scraper, not a reader.
pub const MAX_OFFSET: usize = 10_000;

/// A search: a query and the filters. Field names are the API's parameter names.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub slot: Option<String>,
    pub doc_type: Option<String>,
    pub actor: Option<String>,
    pub rating: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Why a search was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("unknown slot {0:?}: use a key such as III.7.R1.5 (GET /api/slots lists them)")]
    UnknownSlot(String),
    #[error("limit {0} is over the maximum of {MAX_LIMIT}")]
    LimitTooLarge(usize),
    #[error("limit must be at least 1")]
    LimitZero,
    #[error("offset {0} is over the maximum of {MAX_OFFSET}")]
    OffsetTooLarge(usize),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// One hit: the record's fields, its score and a highlighted snippet (HTML-escaped, matches in
/// `<mark>`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    #[serde(flatten)]
    pub record: Record,
    pub score: f32,
    pub snippet: String,
}

/// A facet value with the number of matching records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// The response of a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

struct Loaded {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    generation: String,
}

/// The index as the process serves it.
pub struct SearchIndex {
    folder: PathBuf,
    loaded: RwLock<Arc<Loaded>>,
}

impl SearchIndex {
    /// Opens the live generation in `folder`.
    pub fn open(folder: &Path) -> Result<Self, IndexError> {
        let loaded = load(folder)?;
        Ok(Self {
            folder: folder.to_path_buf(),
            loaded: RwLock::new(Arc::new(loaded)),
        })
    }

    /// The live generation's name.
    pub fn generation(&self) -> String {
        self.current().generation.clone()
    }

    fn current(&self) -> Arc<Loaded> {
        // A poisoned lock only means another thread panicked while swapping; the Arc inside is
        // still a complete index.
        match self.loaded.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Switches to a newer generation if `hyoka ingest` made one. Returns whether it did.
    pub fn reload_if_changed(&self) -> Result<bool, IndexError> {
        let live = index::current_generation(&self.folder);
        if live.is_none() || live.as_deref() == Some(self.current().generation.as_str()) {
            return Ok(false);
        }
        let loaded = load(&self.folder)?;
        match self.loaded.write() {
            Ok(mut guard) => *guard = Arc::new(loaded),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(loaded),
        }
        Ok(true)
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
        if limit > MAX_LIMIT {
            return Err(SearchError::LimitTooLarge(limit));
        }
        if limit == 0 {
            return Err(SearchError::LimitZero);
        }
        let offset = request.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(SearchError::OffsetTooLarge(offset));
        }
        if let Some(slot) = &request.slot
            && form::slot_by_key(slot).is_none()
        {
            return Err(SearchError::UnknownSlot(slot.clone()));
        }
        let parsed = parse_query(&request.q)?;
        let loaded = self.current();
        let text_query = query::to_query(&query::plan(&parsed), &loaded.fields);
        let full_query = with_filters(text_query, request, &loaded.fields);

        let searcher = loaded.reader.searcher();
        let mut facet_collector = FacetCollector::for_field("facets");
        for dimension in FACET_DIMENSIONS {
            facet_collector.add_facet(tantivy::schema::Facet::from_path([dimension]));
        }
        // Ties are broken by id below, so fetch past the page's end to have every tied hit.
        let fetch = (offset + limit).saturating_mul(2).max(limit + 20);
        let (top, total, facet_counts) = searcher.search(
            &full_query,
            &(
                TopDocs::with_limit(fetch).order_by_score(),
                Count,
                facet_collector,
            ),
        )?;

        let mut scored: Vec<(f32, Record)> = Vec::with_capacity(top.len());
        for (score, address) in top {
            let address: DocAddress = address;
            let document: tantivy::TantivyDocument = searcher.doc(address)?;
            scored.push((score, index::record_of(&document, &loaded.fields)?));
        }
        scored.sort_by(|left, right| {
            right
                .0
                .total_cmp(&left.0)
                .then_with(|| left.1.id.cmp(&right.1.id))
        });
        let highlighter = snippet::Highlighter::new(&parsed);
        let hits = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(score, record)| {
                let snippet =
                    highlighter.snippet_with_context(&record.search_text(), &record.context_text());
                Hit {
                    record,
                    score: (score * 1000.0).round() / 1000.0,
                    snippet,
                }
            })
            .collect();

        let mut facets = BTreeMap::new();
        for dimension in FACET_DIMENSIONS {
            let root = format!("/{dimension}");
            let mut counts: Vec<FacetCount> = if dimension == "slot" {
                slot_counts(&facet_counts)
            } else {
                facet_counts
                    .get(&root)
                    .map(|(facet, count)| FacetCount {
                        value: facet
                            .to_path()
                            .last()
                            .map(|part| part.to_string())
                            .unwrap_or_default(),
                        count,
                    })
                    .collect()
            };
            counts.sort_by(|left, right| {
                right
                    .count
                    .cmp(&left.count)
                    .then_with(|| left.value.cmp(&right.value))
            });
            facets.insert(dimension.to_string(), counts);
        }

        Ok(SearchResponse {
            query: request.q.clone(),
            total,
            took_ms: started.elapsed().as_millis() as u64,
            hits,
            facets,
        })
    }

    /// The number of records in the live generation.
    pub fn record_count(&self) -> u64 {
        self.current().reader.searcher().num_docs()
    }

    /// The underlying tantivy index of the live generation.
    pub fn index(&self) -> Index {
        self.current().index.clone()
    }
}

/// Slot facet counts at the leaf level the documents carry (`III.7.R1.5`), as dotted keys.
fn slot_counts(counts: &tantivy::collector::FacetCounts) -> Vec<FacetCount> {
    // FacetCounts only answers for children of requested roots; walk down level by level.
    let mut output = Vec::new();
    let mut frontier = vec!["/slot".to_string()];
    while let Some(parent) = frontier.pop() {
        let children: Vec<(String, u64)> = counts
            .get(&parent)
            .map(|(facet, count)| (facet.to_string(), count))
            .collect();
        for (child, count) in children {
            let key = child.trim_start_matches("/slot/").replace('/', ".");
            output.push(FacetCount { value: key, count });
            frontier.push(child);
        }
    }
    output
}

fn load(folder: &Path) -> Result<Loaded, IndexError> {
    let (index, fields, generation) = index::open(folder)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(Loaded {
        index,
        reader,
        fields,
        generation,
    })
}

fn with_filters(
    text_query: Box<dyn Query>,
    request: &SearchRequest,
    fields: &Fields,
) -> Box<dyn Query> {
    let filters = [
        ("municipality", &request.municipality),
        ("prefecture", &request.prefecture),
        ("slot", &request.slot),
        ("doc_type", &request.doc_type),
        ("actor", &request.actor),
        ("rating", &request.rating),
    ];
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
    for (dimension, value) in filters {
        let Some(value) = value.as_ref().filter(|value| !value.is_empty()) else {
            continue;
        };
        let term = Term::from_facet(fields.facets, &index::facet_of(dimension, value));
        // Filters must not change the ranking.
        let filter = tantivy::query::ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        );
        parts.push((Occur::Must, Box::new(filter)));
    }
    if parts.len() == 1 {
        return parts.pop().expect("one part").1;
    }
    Box::new(BooleanQuery::new(parts))
}
