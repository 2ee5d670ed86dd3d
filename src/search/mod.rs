//! Searching the index: filters, ranking, facets and highlighted snippets.
//!
//! One [`SearchIndex`] per process holds one tantivy `IndexReader`; every search takes a fresh
//! searcher from it. [`SearchIndex::reload_if_changed`] picks up a generation swapped in by
//! `hyoka ingest`. The response is the one `GET /api/search` returns and `hyoka search --json`
//! prints.

pub mod bounds;
pub mod facets;
pub mod fold;
pub mod lazy_union;
mod number_hash;
pub mod query;
mod ranked;
pub mod relevance;
pub mod rows;
pub mod runs;
pub mod same_text;
pub mod snippet;
pub mod synonyms;
pub mod versions;
pub mod wrapped;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
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
    /// 様式 version, e.g. 「令和6年10月 様式4」.
    pub form_version: Option<String>,
    /// 公表日 on or after this date (`YYYY-MM-DD` or 和暦).
    pub published_from: Option<String>,
    /// 公表日 on or before this date.
    pub published_to: Option<String>,
    pub actor: Option<String>,
    pub rating: Option<String>,
    /// 事務 (its category, e.g. 住民基本台帳, or the 事務 as printed when it has none).
    pub jimu: Option<String>,
    /// Kind of body: 都道府県, 政令市, 特別区, 市, 町 or 村.
    pub body_kind: Option<String>,
    /// `all`: past versions of documents too (by default only current versions).
    pub versions: Option<String>,
    /// `off`: every record its own hit, not one hit per wording.
    pub fold: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// `off`: search the words only as typed, without the synonym dictionary.
    pub synonyms: Option<String>,
    /// Dictionary words, comma-separated, whose synonyms are not searched (the page's
    /// per-word switches).
    pub synonyms_off: Option<String>,
    /// `off`: never show records that lack some of the words.
    pub fallback: Option<String>,
}

impl SearchRequest {
    /// The dictionary words the request switched off.
    fn disabled_synonyms(&self) -> Vec<String> {
        self.synonyms_off
            .as_deref()
            .unwrap_or("")
            .split([',', '、'])
            .map(str::trim)
            .filter(|word| !word.is_empty())
            // A query has at most 32 words, each with a few dictionary words: more switches
            // than this are not from the page, and each costs a normalisation per search.
            .take(query::MAX_CLAUSES * 4)
            .map(str::to_string)
            .collect()
    }

    fn is_off(value: &Option<String>) -> bool {
        matches!(value.as_deref(), Some("off" | "false" | "0"))
    }

    /// The filters of records by a value of theirs, as (facet dimension, values): each narrows
    /// a search to the records with one of its values.
    fn record_filters(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("municipality", &self.municipality),
            ("prefecture", &self.prefecture),
            ("slot", &self.slot),
            ("doc_type", &self.doc_type),
            ("form_version", &self.form_version),
            ("actor", &self.actor),
            ("rating", &self.rating),
            ("jimu", &self.jimu),
            ("body_kind", &self.body_kind),
        ]
    }

    /// Whether the search selects records by their text alone: no filter but current
    /// versions. It then matches every current record of a text or none, and a long run of
    /// one text can be counted at once (see [`runs`]).
    pub fn selects_by_text_alone(&self) -> bool {
        // As `with_filters` reads them; a value of spaces counts as a filter (the records are
        // then counted one by one, which is right whatever the filter does).
        let unset = |value: &Option<String>| value.as_deref().is_none_or(str::is_empty);
        !self.includes_past_versions()
            && self.record_filters().iter().all(|(_, value)| unset(value))
            && unset(&self.published_from)
            && unset(&self.published_to)
    }

    /// The filter of a facet dimension, to widen: facet counts of a dimension the request
    /// filters are counted without that filter, so that other values can be added to it.
    fn filter_of_mut(&mut self, dimension: &str) -> Option<&mut Option<String>> {
        match dimension {
            "municipality" => Some(&mut self.municipality),
            "prefecture" => Some(&mut self.prefecture),
            "body_kind" => Some(&mut self.body_kind),
            "jimu" => Some(&mut self.jimu),
            "doc_type" => Some(&mut self.doc_type),
            "form_version" => Some(&mut self.form_version),
            "actor" => Some(&mut self.actor),
            "rating" => Some(&mut self.rating),
            // The slot is a place in the tree (its facet lists what lies below it), and the
            // 特定個人情報ファイル has no filter.
            _ => None,
        }
    }

    /// Whether past versions are searched too (「過去の版も含める」).
    pub fn includes_past_versions(&self) -> bool {
        matches!(self.versions.as_deref(), Some("all" | "past" | "1" | "on"))
    }

    /// Whether hits of one wording fold into one (the default).
    pub fn folds(&self) -> bool {
        !Self::is_off(&self.fold)
    }
}

/// Fewer hits than this for all the words together, and the search also shows records that
/// hold most of them after those (one page of the web page: a reader should not be left with
/// a page that is not full while records holding most of the words exist).
pub const FEW_HITS: usize = 20;

/// How a search fell back to records holding most of its words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fallback {
    /// Hits holding every word.
    pub all_words_total: usize,
    /// Fewest words a shown record holds.
    pub minimum_words: usize,
    /// How many words the query has.
    pub words: usize,
    /// The words some hit of this page lacks, in query order.
    pub missing: Vec<String>,
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
    #[error("offset {offset} is past the end ({total} in all)")]
    OffsetPastEnd { offset: usize, total: usize },
    #[error("the draft has no words to compare: paste a sentence or paragraph")]
    EmptyDraft,
    #[error("{0:?} is not a date: write it as 2024-10-01 or 令和6年10月1日")]
    BadDate(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// How many of the corpus's most frequent words [`SearchIndex::common_terms`] gives.
pub const COMMON_TERMS: usize = 100;

/// Most distinctive words of a draft used to find similar passages.
pub const SIMILAR_MAX_TERMS: usize = 32;
/// Characters of a draft that are read; the rest is ignored.
pub const SIMILAR_MAX_DRAFT_CHARS: usize = 20_000;

/// A request for passages like a draft (`POST /api/similar`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SimilarRequest {
    pub text: String,
    #[serde(default)]
    pub slot: Option<String>,
    #[serde(default)]
    pub limit: Option<usize>,
    /// Whose documents are searched.
    #[serde(flatten)]
    pub peers: Peers,
    /// `on`: one hit per wording with its bodies, as a search folds (by default every
    /// record is its own hit).
    #[serde(default)]
    pub fold: Option<String>,
}

/// Whose documents a drafting request looks at (its peers), as a search filters them: 事務
/// (category), kind of 評価書, kind of body, prefecture, and whether past versions count.
/// Empty values and `all` mean no filter.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Peers {
    pub jimu: Option<String>,
    pub doc_type: Option<String>,
    pub body_kind: Option<String>,
    pub prefecture: Option<String>,
    /// `all`: past versions too (by default only current versions).
    pub versions: Option<String>,
    /// 公表日 on or after / on or before (`YYYY-MM-DD` or 和暦), as a search takes them.
    pub published_from: Option<String>,
    pub published_to: Option<String>,
}

impl Peers {
    /// The search finding the peers' records of `slot`.
    pub fn search_filters(&self, slot: Option<String>) -> SearchRequest {
        let given = |value: &Option<String>| {
            value
                .clone()
                .filter(|value| !value.trim().is_empty() && value != "all")
        };
        SearchRequest {
            slot,
            jimu: given(&self.jimu),
            doc_type: given(&self.doc_type),
            body_kind: given(&self.body_kind),
            prefecture: given(&self.prefecture),
            versions: self.versions.clone(),
            published_from: given(&self.published_from),
            published_to: given(&self.published_to),
            ..SearchRequest::default()
        }
    }

    /// Refuses a date that is not one (a search refuses it the same way).
    pub fn check_dates(&self) -> Result<(), SearchError> {
        published_bound(self.published_from.as_deref())?;
        published_bound(self.published_to.as_deref())?;
        Ok(())
    }
}

impl SimilarRequest {
    fn folds(&self) -> bool {
        matches!(self.fold.as_deref(), Some("on" | "true" | "1"))
    }
}

/// A document (file) of a body, with its record count, 事務 and version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentSummary {
    pub file: String,
    pub doc_title: String,
    pub doc_type: String,
    pub records: u64,
    pub jimu: Option<String>,
    pub jimu_category: Option<String>,
    pub doc_date: Option<String>,
    pub version: u32,
    pub versions: u32,
    pub current: bool,
    /// Set when the body's text is only quoted in another body's file (an ordinance excerpt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_in: Option<String>,
}

/// A body with its documents (`GET /api/municipalities`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodySummary {
    pub municipality: String,
    pub municipality_code: Option<String>,
    pub prefecture: Option<String>,
    pub body_kind: Option<String>,
    /// Records in current versions.
    pub records: u64,
    pub documents: Vec<DocumentSummary>,
}

/// A body as the list of every body gives it (`GET /api/municipalities`): its documents
/// counted, not listed. Nationally the bodies' documents are tens of thousands (26 MB of JSON at
/// a million records); a body's are asked for when someone opens them (`?body=`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodyListing {
    pub municipality: String,
    pub municipality_code: Option<String>,
    pub prefecture: Option<String>,
    pub body_kind: Option<String>,
    /// Records in current versions.
    pub records: u64,
    /// Files, and those of current versions.
    pub files: usize,
    pub current_files: usize,
    /// Distinct 事務 of its files.
    pub jimu: usize,
}

impl BodySummary {
    /// The body with its documents counted.
    pub fn listing(&self) -> BodyListing {
        let jimu: std::collections::BTreeSet<&str> = self
            .documents
            .iter()
            .filter_map(|document| document.jimu.as_deref())
            .collect();
        BodyListing {
            municipality: self.municipality.clone(),
            municipality_code: self.municipality_code.clone(),
            prefecture: self.prefecture.clone(),
            body_kind: self.body_kind.clone(),
            records: self.records,
            files: self.documents.len(),
            current_files: self
                .documents
                .iter()
                .filter(|document| document.current)
                .count(),
            jimu: jimu.len(),
        }
    }
}

/// One hit: the record's fields, its score and a highlighted snippet (HTML-escaped, matches in
/// `<mark>`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    #[serde(flatten)]
    pub record: Record,
    pub score: f32,
    pub snippet: String,
    /// Words of the query the record does not hold (only when the search fell back).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The other bodies writing the same wording (folded searches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folded: Option<fold::FoldedWording>,
    /// Which version of its document the record is from, when the document has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionNote>,
}

/// A page of hits with its totals: (rank, address, record, folded wording) per hit, the
/// records matched, the facet counts, the all-words total of a fallback, and for a folded
/// search the wordings and bodies.
type SearchPage = (
    Vec<(RankKey, DocAddress, Record, Option<fold::FoldedWording>)>,
    usize,
    facets::FacetCountsByRoot,
    Option<usize>,
    Option<(usize, usize)>,
);

/// A record's version: 「第 1 版（全 2 版）」, whether it is current, and the current file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionNote {
    pub version: u32,
    pub versions: u32,
    pub current: bool,
    pub current_file: String,
    /// For a change table, the version it describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub describes: Option<String>,
}

impl VersionNote {
    /// The note for a record of this document, when the document has more than one version.
    pub fn of(document: &crate::document::DocumentInfo) -> Option<VersionNote> {
        (document.versions > 1).then(|| VersionNote {
            version: document.version,
            versions: document.versions,
            current: document.current,
            current_file: document.current_file.clone(),
            describes: document.describes.clone(),
        })
    }
}

impl Hit {
    /// A hit with its snippet; scores are rounded so that responses compare stably.
    fn new(record: Record, score: f32, highlighter: &snippet::Highlighter) -> Self {
        let snippet =
            highlighter.snippet_with_context(&record.search_text(), &record.context_text());
        Hit {
            record,
            score: (score * 1000.0).round() / 1000.0,
            snippet,
            missing: Vec::new(),
            folded: None,
            version: None,
        }
    }
}

/// A facet value with the number of matching records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FacetCount {
    /// Shared with the generation's table of values: a search lists up to a thousand.
    pub value: Arc<str>,
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
    /// The synonym expansions of the query's words (switched-off ones with `enabled: false`).
    #[serde(default)]
    pub synonyms: Vec<synonyms::SynonymUse>,
    /// Set when all the words together found fewer than [`FEW_HITS`] and records holding most
    /// of them are shown after those holding all.
    #[serde(default)]
    pub fallback: Option<Fallback>,
    /// Folded searches: how many distinct wordings the `total` records are (hits and paging
    /// count wordings), and how many bodies write them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wordings: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bodies: Option<usize>,
    /// How a query with OR groups was read, in Japanese (「（「生体認証」 または 「静脈認証」）
    /// かつ 「入退室」」); absent for a plain list of words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

struct Loaded {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    generation: String,
    /// The body overview, computed on first use.
    bodies: std::sync::OnceLock<Arc<Vec<BodySummary>>>,
    /// Records per slot, computed on first use: a count over every record (8.6 ms at 1M, and
    /// every page asks for it).
    slot_counts: std::sync::OnceLock<Arc<BTreeMap<String, u64>>>,
    /// The corpus's most common words, computed on first use.
    common_terms: std::sync::OnceLock<Arc<std::collections::HashSet<String>>>,
    /// Facet ordinal tables of the segments, for counting facets per search.
    facet_tables: Arc<facets::FacetTables>,
    /// The generation's comparison table.
    comparison: Arc<crate::compare::table::ComparisonTable>,
    /// Which records have no text of their own, for ranking.
    without_own_text: Arc<WithoutOwnText>,
    /// The fast fields folding reads, opened once.
    fold_columns: Arc<fold::FoldColumns>,
    /// The long runs of one text, which a search by text alone counts at once.
    runs: Arc<runs::TextRuns>,
    /// The segments' text keys, which a search working out each text once reads.
    text_keys: Arc<same_text::TextKeyColumns>,
    /// The generation's documents and their versions.
    documents: Arc<versions::SearchDocuments>,
    /// What the records an incremental ingest deleted add to the ranking statistics.
    correction: Arc<crate::deletions::Correction>,
}

impl Loaded {
    /// A collector of every match with what folding by wording reads; `by_runs` for a search
    /// that selects records by their text alone ([`SearchRequest::selects_by_text_alone`]).
    fn folding_collector(&self, by_runs: bool) -> fold::FoldingCollector {
        fold::FoldingCollector {
            without_own_text: self.without_own_text.clone(),
            columns: self.fold_columns.clone(),
            by_runs,
        }
    }

    /// Runs a query with ranking statistics of the live records only (see
    /// [`crate::deletions`]), so a generation updated in place ranks as one built whole.
    fn run<C: tantivy::collector::Collector>(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        if self.correction.is_empty() {
            return searcher.search(query, collector);
        }
        let statistics = crate::deletions::LiveStatistics {
            searcher,
            correction: &self.correction,
        };
        searcher.search_with_statistics_provider(query, collector, &statistics)
    }

    /// How many live records hold a term.
    fn doc_freq(&self, searcher: &tantivy::Searcher, term: &Term) -> tantivy::Result<u64> {
        self.correction.doc_freq(searcher, term)
    }
}

/// The index as the process serves it.
pub struct SearchIndex {
    folder: PathBuf,
    loaded: RwLock<Arc<Loaded>>,
    synonyms: Arc<synonyms::Synonyms>,
    /// See [`SearchIndex::bounding_scores_from`].
    bounded_from: u32,
}

impl SearchIndex {
    /// Opens the live generation in `folder`.
    pub fn open(folder: &Path) -> Result<Self, IndexError> {
        let loaded = load(folder)?;
        Ok(Self {
            folder: folder.to_path_buf(),
            loaded: RwLock::new(Arc::new(loaded)),
            synonyms: Arc::new(synonyms::Synonyms::bundled()),
            bounded_from: bounds::FEWEST_BOUNDED,
        })
    }

    /// Folded searches give the texts of a segment with at least `candidates` candidate records
    /// bounds of their scores, and make exact only those that could reach the page (see
    /// [`bounds`]); `u32::MAX`: never. Answers are the same either way.
    pub fn bounding_scores_from(self, candidates: u32) -> SearchIndex {
        SearchIndex {
            bounded_from: candidates,
            ..self
        }
    }

    /// Does the live generation's first-request work now (see [`warm`]): `serve` calls it before
    /// it answers; a one-off search from the command line does not need it.
    pub fn warm(&self) {
        warm(&self.current());
    }

    /// Uses another synonym dictionary than the bundled one.
    pub fn with_synonyms(mut self, synonyms: synonyms::Synonyms) -> Self {
        self.synonyms = Arc::new(synonyms);
        self
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
        warm(&loaded);
        match self.loaded.write() {
            Ok(mut guard) => *guard = Arc::new(loaded),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(loaded),
        }
        Ok(true)
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let limit = checked_limit(request.limit)?;
        let offset = request.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(SearchError::OffsetTooLarge(offset));
        }
        let loaded = self.current();
        let prepared = self.request_query(&loaded, request)?;

        let searcher = loaded.reader.searcher();
        let highlighter = snippet::Highlighter::new(&prepared.parsed);
        let (page, total, facet_counts, all_words_total, folded_totals) = if request.folds() {
            self.folded_page(&loaded, &prepared, &searcher, request, offset, limit)?
        } else {
            self.record_page(&loaded, &prepared, &searcher, request, offset, limit)?
        };
        // Paging past the end is a mistake to say, as the comparison says it, not an empty page.
        let paged = folded_totals.map_or(total, |(wordings, _)| wordings);
        if offset > 0 && offset >= paged {
            return Err(SearchError::OffsetPastEnd {
                offset,
                total: paged,
            });
        }
        let addresses: Vec<DocAddress> = page.iter().map(|(_, address, _, _)| *address).collect();
        // The page's records move into the hits: a hit's record is the response's largest part.
        let mut hits: Vec<Hit> = page
            .into_iter()
            .map(|(key, _, record, folded)| {
                let version = loaded
                    .documents
                    .by_file(&record.source.file)
                    .and_then(VersionNote::of);
                let mut hit = Hit::new(record, relevance_of(key), &highlighter);
                hit.folded = folded;
                hit.version = version;
                hit
            })
            .collect();
        let mut fallback = None;
        if let Some(all_words_total) = all_words_total {
            let lacking = words_lacking(&searcher, &loaded.fields, &prepared.parsed, &addresses)?;
            for (hit, missing) in hits.iter_mut().zip(lacking) {
                hit.missing = missing;
            }
            // The words some hit of the page lacks, each once, in query order.
            let mut missing: Vec<String> = Vec::new();
            for clause in prepared.parsed.required() {
                let lacked = hits.iter().any(|hit| hit.missing.contains(&clause.text));
                if lacked && !missing.contains(&clause.text) {
                    missing.push(clause.text.clone());
                }
            }
            let words = prepared.parsed.required().count();
            fallback = Some(Fallback {
                all_words_total,
                minimum_words: query::fallback_minimum(words),
                words,
                missing,
            });
        }

        let facet_counts = self.widened_facet_counts(&loaded, &searcher, request, facet_counts)?;
        let mut facets = BTreeMap::new();
        for (dimension, counts) in FACET_DIMENSIONS.iter().zip(facet_counts) {
            facets.insert(dimension.to_string(), counts);
        }

        Ok(SearchResponse {
            query: request.q.clone(),
            total,
            took_ms: started.elapsed().as_millis() as u64,
            hits,
            facets,
            synonyms: prepared.synonyms,
            fallback,
            wordings: folded_totals.map(|(wordings, _)| wordings),
            bodies: folded_totals.map(|(_, bodies)| bodies),
            reading: prepared.parsed.reading(),
        })
    }

    /// Every body writing the wording of a folded search's hit `hit` (a record id: the hit's,
    /// or one listed with it), for its 「ほか N 団体」 in full; `None` when no wording of the
    /// search shows that record.
    pub fn folded_bodies(
        &self,
        request: &SearchRequest,
        hit: &str,
    ) -> Result<Option<fold::FoldedWording>, SearchError> {
        let Ok(key) = u64::from_str_radix(hit, 16) else {
            return Ok(None);
        };
        let loaded = self.current();
        let prepared = self.request_query(&loaded, request)?;
        let searcher = loaded.reader.searcher();
        let (matches, _) = prepared.search_with_fallback(
            &searcher,
            request,
            &loaded,
            &loaded.folding_collector(request.selects_by_text_alone()),
            fold::Matches::total,
            request.selects_by_text_alone(),
        )?;
        let folded = fold::fold(matches, &loaded.documents, fold::Listed::Holding(key), None)?;
        Ok(folded
            .listed
            .iter()
            .find(|group| group.shows(key))
            .map(|group| group.describe(&loaded.documents, usize::MAX)))
    }

    /// Facet counts with each filtered dimension counted as if it were not filtered (OR inside a
    /// dimension, AND across): after choosing 札幌市 the 団体 facet still lists the other bodies
    /// with the records each would add. One more counting pass per filtered dimension.
    fn widened_facet_counts(
        &self,
        loaded: &Loaded,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        mut counts: facets::FacetCountsByRoot,
    ) -> Result<facets::FacetCountsByRoot, SearchError> {
        for (position, dimension) in FACET_DIMENSIONS.iter().enumerate() {
            let mut widened = request.clone();
            let Some(filter) = widened.filter_of_mut(dimension) else {
                continue;
            };
            if filter.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            *filter = None;
            let prepared = self.request_query(loaded, &widened)?;
            let (dimension_counts, _) = prepared.search_with_fallback(
                searcher,
                &widened,
                loaded,
                &(loaded.facet_tables.collector(), Count),
                |(_, total)| *total,
                false,
            )?;
            if let (Some(slot), Some(widened_counts)) = (
                counts.get_mut(position),
                dimension_counts.0.into_iter().nth(position),
            ) {
                *slot = widened_counts;
            }
        }
        Ok(counts)
    }

    /// A page of hits, one per record.
    fn record_page(
        &self,
        loaded: &Loaded,
        prepared: &PreparedQuery,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, SearchError> {
        // Ties are broken by id below, so fetch past the page's end to have every tied hit.
        let fetch = (offset + limit).saturating_mul(2).max(limit + 20);
        let by_runs = request.selects_by_text_alone();
        let (((top, total), facet_counts), all_words_total) = prepared.search_with_fallback(
            searcher,
            request,
            loaded,
            &(
                runs::EachRecordOfRuns::new((ranked(fetch, loaded), Count), &loaded.runs, by_runs),
                loaded.facet_tables.collector_by_runs(by_runs),
            ),
            |((_, total), _)| *total,
            by_runs,
        )?;
        let scored = records_of_top(searcher, &loaded.fields, top, offset + limit)?;
        let page = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(key, address, record)| (key, address, record, None))
            .collect();
        Ok((page, total, facet_counts, all_words_total, None))
    }

    /// A page of hits, one per wording: every match is collected with its wording, grouped,
    /// and the best record of each group on the page read.
    fn folded_page(
        &self,
        loaded: &Loaded,
        prepared: &PreparedQuery,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, SearchError> {
        let by_runs = request.selects_by_text_alone();
        let ((matches, facet_counts), all_words_total, scores) = prepared
            .bounded_search_with_fallback(
                searcher,
                request,
                loaded,
                &(
                    loaded.folding_collector(by_runs),
                    loaded.facet_tables.collector_by_runs(by_runs),
                ),
                |(matches, _)| matches.total(),
                (by_runs, self.bounded_from),
            )?;
        let total = matches.total();
        let folded = fold::fold(
            matches,
            &loaded.documents,
            fold::Listed::Page { offset, limit },
            Some(fold::Exact {
                searcher,
                scores: &scores,
            }),
        )?;
        let wordings = folded.wordings;
        let mut page = Vec::with_capacity(limit);
        for group in &folded.listed {
            let document: tantivy::TantivyDocument = searcher.doc(group.best.address)?;
            let record = index::record_of(&document, &loaded.fields)?;
            page.push((
                group.best.rank,
                group.best.address,
                record,
                Some(group.describe(&loaded.documents, fold::LISTED_BODIES)),
            ));
        }
        Ok((
            page,
            total,
            facet_counts,
            all_words_total,
            Some((wordings, folded.bodies)),
        ))
    }

    /// One record by its id.
    pub fn record(&self, id: &str) -> Result<Option<Record>, SearchError> {
        let loaded = self.current();
        let searcher = loaded.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(loaded.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, address)) => {
                let document: tantivy::TantivyDocument = searcher.doc(*address)?;
                Ok(Some(index::record_of(&document, &loaded.fields)?))
            }
            None => Ok(None),
        }
    }

    /// The documents of the live generation, with their versions.
    pub fn documents(&self) -> Arc<versions::SearchDocuments> {
        self.current().documents.clone()
    }

    /// The comparison table of the live generation.
    pub fn comparison_table(&self) -> Arc<crate::compare::table::ComparisonTable> {
        self.current().comparison.clone()
    }

    /// The records of one source file in document order (line, then id), up to `cap`.
    pub fn records_of_file(&self, file: &str, cap: usize) -> Result<Vec<Record>, SearchError> {
        let loaded = self.current();
        let searcher = loaded.reader.searcher();
        let term = Term::from_facet(loaded.fields.facets, &index::facet_of("source", file));
        let addresses = searcher.search(
            &TermQuery::new(term, IndexRecordOption::Basic),
            &tantivy::collector::DocSetCollector,
        )?;
        let mut records = Vec::with_capacity(addresses.len().min(cap));
        for address in addresses.into_iter().take(cap) {
            let document: tantivy::TantivyDocument = searcher.doc(address)?;
            records.push(index::record_of(&document, &loaded.fields)?);
        }
        records.sort_by(|left, right| {
            (left.source.line, &left.id).cmp(&(right.source.line, &right.id))
        });
        Ok(records)
    }

    /// Every record matching a request's query and filters, up to `cap`, best first (ties by
    /// id). For comparisons and exports, which need more than one page.
    pub fn collect(
        &self,
        request: &SearchRequest,
        cap: usize,
    ) -> Result<Vec<(f32, Record)>, SearchError> {
        let loaded = self.current();
        let prepared = self.request_query(&loaded, request)?;
        let searcher = loaded.reader.searcher();
        // The same records as the search page shows, fallback included.
        let ((top, _), _) = prepared.search_with_fallback(
            &searcher,
            request,
            &loaded,
            &(ranked(cap.max(1), &loaded), Count),
            |(_, total)| *total,
            false,
        )?;
        let records = records_of_top(&searcher, &loaded.fields, top, usize::MAX)?;
        Ok(records
            .into_iter()
            .map(|(key, _, record)| (relevance_of(key), record))
            .collect())
    }

    /// The keys and addresses of every record matching a request's query and filters, for a
    /// comparison, which reads only the records of the page it shows.
    pub fn matching_rows(
        &self,
        request: &SearchRequest,
    ) -> Result<rows::MatchingRows, SearchError> {
        let loaded = self.current();
        let prepared = self.request_query(&loaded, request)?;
        let searcher = loaded.reader.searcher();
        let found = searcher.search(&prepared.query, &rows::KeyCollector)?;
        Ok(rows::MatchingRows {
            searcher,
            fields: loaded.fields,
            table: loaded.comparison.clone(),
            addresses: found.into_iter().collect(),
            read: Default::default(),
        })
    }

    /// Record counts per slot key in current versions; a slot counts the records below it.
    pub fn slot_counts(&self) -> Result<Arc<BTreeMap<String, u64>>, SearchError> {
        let loaded = self.current();
        if let Some(counts) = loaded.slot_counts.get() {
            return Ok(counts.clone());
        }
        let counts = Arc::new(slot_counts_of(&loaded)?);
        Ok(loaded.slot_counts.get_or_init(|| counts).clone())
    }

    /// Every body with its documents (files, 事務, versions) and record counts, from the
    /// generation's document table (no stored record is read), computed once per generation.
    pub fn bodies(&self) -> Result<Arc<Vec<BodySummary>>, SearchError> {
        let loaded = self.current();
        Ok(loaded.bodies.get_or_init(|| bodies_of(&loaded)).clone())
    }

    /// Drafting by example: the passages most like a pasted draft. The draft is reduced to its
    /// most distinctive words (by tf·idf, at most [`SIMILAR_MAX_TERMS`]), so a whole paragraph
    /// stays one small query.
    pub fn similar(&self, request: &SimilarRequest) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let limit = checked_limit(request.limit)?;
        check_slot(request.slot.as_deref())?;
        request.peers.check_dates()?;
        let draft: String = request.text.chars().take(SIMILAR_MAX_DRAFT_CHARS).collect();
        let mut frequencies: BTreeMap<String, u32> = BTreeMap::new();
        for token in crate::analysis::morphemes(&draft) {
            if is_draft_word(&token.term) {
                *frequencies.entry(token.term).or_default() += 1;
            }
        }
        if frequencies.is_empty() {
            return Err(SearchError::EmptyDraft);
        }
        let loaded = self.current();
        let searcher = loaded.reader.searcher();
        let total_documents = searcher.num_docs().max(1) as f32;
        let mut weighted: Vec<(String, f32)> = Vec::new();
        for (term, frequency) in frequencies {
            let document_frequency = loaded.doc_freq(
                &searcher,
                &Term::from_field_text(loaded.fields.text_ja, &term),
            )? as f32;
            if document_frequency == 0.0 {
                continue;
            }
            let inverse = (1.0 + total_documents / document_frequency).ln();
            weighted.push((term, frequency as f32 * inverse));
        }
        weighted.sort_by(|left, right| {
            right
                .1
                .total_cmp(&left.1)
                .then_with(|| left.0.cmp(&right.0))
        });
        weighted.truncate(SIMILAR_MAX_TERMS);
        // Scaled so the heaviest word weighs 1: the order is the same, and scores stay below
        // the rank key's bands (see RankKey).
        let heaviest = weighted
            .first()
            .map_or(1.0, |(_, weight)| *weight)
            .max(f32::EPSILON);
        for (_, weight) in &mut weighted {
            *weight /= heaviest;
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = weighted
            .iter()
            .map(|(term, weight)| {
                let query: Box<dyn Query> = Box::new(tantivy::query::BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(loaded.fields.text_ja, term),
                        IndexRecordOption::WithFreqs,
                    )),
                    *weight,
                ));
                (Occur::Should, query)
            })
            .collect();
        let filters = request.peers.search_filters(request.slot.clone());
        let query = with_filters(Box::new(BooleanQuery::new(clauses)), &filters, &loaded);
        let highlight_query = ParsedQuery {
            clauses: weighted
                .iter()
                // Marked where written: analysed again on its own a word can split (端末 as
                // 端 and 末), and its pieces would be marked everywhere.
                .map(|(term, _)| query::Clause::word(term.clone(), true, false))
                .collect(),
        };
        let highlighter = snippet::Highlighter::new(&highlight_query);
        // As a search's: without filters, a record's match and score are its text's, so a long
        // run of one text is walked once, at its first record: folded there, or its records
        // handed to the ranking as they are (see [`runs::EachRecordOfRuns`]).
        let by_runs = filters.selects_by_text_alone();
        let query = if by_runs {
            runs::first_of_each_run(loaded.runs.clone(), query)
        } else {
            query
        };
        let (hits, total, folded_totals) = if request.folds() {
            let matches = loaded.run(&searcher, &query, &loaded.folding_collector(by_runs))?;
            let total = matches.total();
            let folded = fold::fold(
                matches,
                &loaded.documents,
                fold::Listed::Page { offset: 0, limit },
                None,
            )?;
            let mut hits = Vec::with_capacity(limit);
            for group in &folded.listed {
                let document: tantivy::TantivyDocument = searcher.doc(group.best.address)?;
                let record = index::record_of(&document, &loaded.fields)?;
                let mut hit = Hit::new(record, relevance_of(group.best.rank), &highlighter);
                hit.folded = Some(group.describe(&loaded.documents, fold::MAX_LISTED_BODIES));
                hits.push(hit);
            }
            (hits, total, Some((folded.wordings, folded.bodies)))
        } else {
            let (top, total) = loaded.run(
                &searcher,
                &query,
                &runs::EachRecordOfRuns::new(
                    (ranked(limit, &loaded), Count),
                    &loaded.runs,
                    by_runs,
                ),
            )?;
            let scored = records_of_top(&searcher, &loaded.fields, top, limit)?;
            let hits = scored
                .into_iter()
                .map(|(key, _, record)| Hit::new(record, relevance_of(key), &highlighter))
                .collect();
            (hits, total, None)
        };
        Ok(SearchResponse {
            query: weighted
                .iter()
                .map(|(term, _)| term.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            total,
            took_ms: started.elapsed().as_millis() as u64,
            hits,
            facets: BTreeMap::new(),
            synonyms: Vec::new(),
            fallback: None,
            wordings: folded_totals.map(|(wordings, _)| wordings),
            bodies: folded_totals.map(|(_, bodies)| bodies),
            reading: None,
        })
    }

    /// The [`COMMON_TERMS`] words (morphemes) most records of the live generation hold, the
    /// words every slot writes (措置, 実施, 特定, 個人 …), computed once per generation from the
    /// term dictionary.
    pub fn common_terms(&self) -> Result<Arc<std::collections::HashSet<String>>, SearchError> {
        let loaded = self.current();
        if let Some(terms) = loaded.common_terms.get() {
            return Ok(terms.clone());
        }
        let terms = common_terms_of(&loaded)?;
        let _ = loaded.common_terms.set(terms.clone());
        Ok(terms)
    }

    /// The share of the live generation's records holding each word (a morpheme of the
    /// morphological field), 0–1.
    pub fn term_shares(&self, terms: &[&str]) -> Result<Vec<f64>, SearchError> {
        let loaded = self.current();
        let searcher = loaded.reader.searcher();
        let total = searcher.num_docs().max(1) as f64;
        terms
            .iter()
            .map(|term| {
                let frequency = loaded.doc_freq(
                    &searcher,
                    &Term::from_field_text(loaded.fields.text_ja, term),
                )?;
                Ok(frequency as f64 / total)
            })
            .collect()
    }

    /// A text with the words of a query marked as a search marks them (its synonyms too),
    /// escaped, `<mark>` around each match; None when the query finds nothing to mark in it or
    /// does not parse (a record page opened from a search marks what was searched).
    pub fn marked_text(&self, q: &str, text: &str) -> Option<String> {
        let mut parsed = parse_query(q).ok()?;
        if parsed.is_empty() {
            return None;
        }
        self.synonyms.apply(&mut parsed, &[]);
        let marked = snippet::Highlighter::new(&parsed).marked(text);
        marked.contains("<mark>").then_some(marked)
    }

    /// The synonym dictionary searches use.
    pub fn synonyms(&self) -> &synonyms::Synonyms {
        &self.synonyms
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

/// Whether a word of a draft is one to look for: two characters or more and not all hiragana.
/// A paragraph has enough content words; endings and particles (いる, し, て) and one-character
/// suffixes (市, 等) would match, and be marked, everywhere.
fn is_draft_word(term: &str) -> bool {
    term.chars().count() >= 2
        && crate::analysis::is_meaningful_term(term)
        && !term.chars().all(crate::analysis::normalize::is_hiragana)
}

/// The page size of a request: [`DEFAULT_LIMIT`] when absent, 1 to [`MAX_LIMIT`].
fn checked_limit(limit: Option<usize>) -> Result<usize, SearchError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(SearchError::LimitZero),
        limit if limit > MAX_LIMIT => Err(SearchError::LimitTooLarge(limit)),
        limit => Ok(limit),
    }
}

/// Refuses a slot filter that names no slot of the form.
fn check_slot(slot: Option<&str>) -> Result<(), SearchError> {
    match slot {
        Some(slot) if form::slot_by_key(slot).is_none() => {
            Err(SearchError::UnknownSlot(slot.to_string()))
        }
        _ => Ok(()),
    }
}

/// How hits are ordered: the number of the query's words a record holds (counted only by a
/// fallback query; 0 otherwise), then whether it has text of its own (a heading-only or empty
/// record never outranks one that says something), then relevance. Folded into one number so
/// that collecting the top hits compares floats, as plain relevance ranking does: the words
/// count in units of [`query::WORD_MATCH_SCORE`], text of its own adds [`OWN_TEXT_SCORE`], and
/// relevance, always below it, fills the rest.
pub type RankKey = f32;

/// What text of its own adds to a hit's rank key (relevance scores stay far below it).
const OWN_TEXT_SCORE: f32 = 1_000.0;

/// A score split into the words a fallback query counted (units of
/// [`query::WORD_MATCH_SCORE`]) and the rest.
fn words_and_rest(score: f32) -> (f32, f32) {
    let words = (score / query::WORD_MATCH_SCORE).floor().max(0.0);
    (words, score - words * query::WORD_MATCH_SCORE)
}

/// The relevance part of a rank key: what a hit reports as its score.
fn relevance_of(key: RankKey) -> f32 {
    let (_, rest) = words_and_rest(key);
    if rest >= OWN_TEXT_SCORE {
        rest - OWN_TEXT_SCORE
    } else {
        rest
    }
}

/// The records without text of their own, per segment, read once per loaded index: ranking
/// asks for every match, and a bit test is far cheaper than a fast-field read.
struct WithoutOwnText(std::collections::HashMap<tantivy::index::SegmentId, Arc<tantivy::BitSet>>);

impl WithoutOwnText {
    fn read(searcher: &tantivy::Searcher) -> Result<WithoutOwnText, IndexError> {
        let mut segments = std::collections::HashMap::new();
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .u64(index::OWN_TEXT_FIELD)?
                .first_or_default_col(1);
            let mut bits = tantivy::BitSet::with_max_value(segment.max_doc());
            for doc in 0..segment.max_doc() {
                if column.get_val(doc) == 0 {
                    bits.insert(doc);
                }
            }
            segments.insert(segment.segment_id(), Arc::new(bits));
        }
        Ok(WithoutOwnText(segments))
    }
}

/// The top `limit` matches by [`RankKey`].
fn ranked(
    limit: usize,
    loaded: &Loaded,
) -> impl tantivy::collector::Collector<Fruit = Vec<(Ranked, DocAddress)>> + use<> {
    let without_own_text = loaded.without_own_text.clone();
    let columns = loaded.fold_columns.clone();
    TopDocs::with_limit(limit).order_by(ranked::RankedKeys {
        without_own_text_of: move |segment: &tantivy::SegmentReader| {
            without_own_text.0.get(&segment.segment_id()).cloned()
        },
        ids_of: move |segment: &tantivy::SegmentReader| columns.keys_of(segment),
        rank_of: rank_key,
    })
}

/// A match's place in a ranking: its [`RankKey`], then its id (the smaller first). Ties are
/// common nationally (one wording in hundreds of bodies scores the same everywhere), and
/// which of them reach a page must not depend on where the records lie in the index files:
/// two builds of one folder lay them out differently.
type Ranked = (RankKey, std::cmp::Reverse<u64>);

/// A match's [`RankKey`] from its score and whether it has text of its own.
fn rank_key(own: bool, score: tantivy::Score) -> RankKey {
    let (words, relevance) = words_and_rest(score);
    let relevance = relevance.min(OWN_TEXT_SCORE - 1.0);
    words * query::WORD_MATCH_SCORE + if own { OWN_TEXT_SCORE } else { 0.0 } + relevance
}

/// The stored records of the first `needed` top documents, best first, ties broken by id so
/// that the same index and request always give the same order (tantivy breaks ties by address,
/// which a re-ingest changes). Only the documents down to the `needed`-th key, and those tied
/// with it, are read from the store: the rest cannot reach the page.
fn records_of_top(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    top: Vec<(Ranked, DocAddress)>,
    needed: usize,
) -> Result<Vec<(RankKey, DocAddress, Record)>, SearchError> {
    let mut top: Vec<(RankKey, DocAddress)> = top
        .into_iter()
        .map(|((key, _), address)| (key, address))
        .collect();
    top.sort_by(|left, right| right.0.total_cmp(&left.0));
    if let Some(&(boundary, _)) = top.get(needed.saturating_sub(1)) {
        top.retain(|(key, _)| *key >= boundary);
    }
    let mut records = Vec::with_capacity(top.len());
    for (key, address) in top {
        let document: tantivy::TantivyDocument = searcher.doc(address)?;
        records.push((key, address, index::record_of(&document, fields)?));
    }
    records.sort_by(|left, right| {
        right
            .0
            .total_cmp(&left.0)
            .then_with(|| left.2.id.cmp(&right.2.id))
    });
    Ok(records)
}

/// For each record, the required words of the query it does not hold, as typed.
fn words_lacking(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    parsed: &ParsedQuery,
    addresses: &[DocAddress],
) -> Result<Vec<Vec<String>>, SearchError> {
    use tantivy::DocSet;
    let mut lacking = vec![Vec::new(); addresses.len()];
    // In address order, so that one scorer per word and segment seeks forward through them.
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&position| addresses[position]);
    for clause in parsed.required() {
        let word_query = query::to_query(&query::clause_plan(clause), fields);
        let weight = word_query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
            searcher,
        ))?;
        let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
        for &position in &order {
            let address = addresses[position];
            let scorer = match &mut current {
                Some((segment, scorer)) if *segment == address.segment_ord => scorer,
                _ => {
                    let segment = searcher.segment_reader(address.segment_ord);
                    &mut current
                        .insert((address.segment_ord, weight.scorer(segment, 1.0)?))
                        .1
                }
            };
            let held = scorer.doc() == address.doc_id
                || (scorer.doc() < address.doc_id && scorer.seek(address.doc_id) == address.doc_id);
            if !held {
                lacking[position].push(clause.text.clone());
            }
        }
    }
    Ok(lacking)
}

/// The facet root counted for a dimension: slots are counted by their exact key.
fn facet_root(dimension: &str) -> &str {
    if dimension == "slot" {
        "slot_key"
    } else {
        dimension
    }
}

/// Records per slot of a generation's current versions (what a search of the slot finds by
/// default): each record counts for its slot and every slot above it. Counting every version
/// said 9,467 for a slot whose search found 2,853 at a million records.
fn slot_counts_of(loaded: &Loaded) -> Result<BTreeMap<String, u64>, SearchError> {
    let searcher = loaded.reader.searcher();
    let current = loaded
        .documents
        .current_only(Box::new(tantivy::query::AllQuery));
    let counts = searcher.search(&current, &loaded.facet_tables.collector())?;
    let slot_dimension = FACET_DIMENSIONS
        .iter()
        .position(|dimension| *dimension == "slot")
        .expect("slot is a facet dimension");
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for FacetCount { value: key, count } in
        counts.into_iter().nth(slot_dimension).unwrap_or_default()
    {
        let mut current = Some(&*key);
        while let Some(slot) = current {
            *totals.entry(slot.to_string()).or_default() += count;
            current = form::parent_key(slot);
        }
    }
    Ok(totals)
}

/// Every body with its documents and record counts, from a generation's document table.
fn bodies_of(loaded: &Loaded) -> Arc<Vec<BodySummary>> {
    // By name and code: two bodies can share a name (府中市 of 東京都 and of 広島県).
    let mut by_body: BTreeMap<(String, Option<String>), BodySummary> = BTreeMap::new();
    let summary_of =
        |document: &crate::document::DocumentInfo, records, quoted_in| DocumentSummary {
            file: document.file.clone(),
            doc_title: document.title.clone(),
            doc_type: document.doc_type.clone(),
            records,
            jimu: document.jimu.clone(),
            jimu_category: document.jimu_category.clone(),
            doc_date: document.doc_date.clone(),
            version: document.version,
            versions: document.versions,
            current: document.current,
            quoted_in,
        };
    for document in loaded.documents.all() {
        let quoted: u64 = document
            .quoted_bodies
            .iter()
            .map(|(_, records)| records)
            .sum();
        let own_records = document.records.saturating_sub(quoted);
        let entry = by_body
            .entry((document.body.clone(), document.municipality_code.clone()))
            .or_insert_with(|| BodySummary {
                municipality: document.body.clone(),
                municipality_code: document.municipality_code.clone(),
                prefecture: document.prefecture.clone(),
                body_kind: document.body_kind.clone(),
                records: 0,
                documents: Vec::new(),
            });
        if document.current {
            entry.records += own_records;
        }
        entry
            .documents
            .push(summary_of(document, own_records, None));
        for (body, records) in &document.quoted_bodies {
            let quoted_entry = by_body
                .entry((body.clone(), None))
                .or_insert_with(|| BodySummary {
                    municipality: body.clone(),
                    municipality_code: None,
                    prefecture: None,
                    body_kind: None,
                    records: 0,
                    documents: Vec::new(),
                });
            quoted_entry.records += records;
            quoted_entry.documents.push(summary_of(
                document,
                *records,
                Some(document.body.clone()),
            ));
        }
    }
    Arc::new(by_body.into_values().collect())
}

/// The [`COMMON_TERMS`] words most records of a generation hold, from its term dictionary.
fn common_terms_of(loaded: &Loaded) -> Result<Arc<std::collections::HashSet<String>>, SearchError> {
    let searcher = loaded.reader.searcher();
    let mut frequencies: std::collections::HashMap<Vec<u8>, u64> = std::collections::HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(loaded.fields.text_ja)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|error| SearchError::Tantivy(error.into()))?;
        while stream.advance() {
            *frequencies.entry(stream.key().to_vec()).or_default() +=
                u64::from(stream.value().doc_freq);
        }
    }
    let mut ranked: Vec<(String, u64)> = frequencies
        .into_iter()
        .filter_map(|(bytes, frequency)| {
            let term = String::from_utf8(bytes).ok()?;
            let live = frequency.saturating_sub(
                loaded
                    .correction
                    .deleted_holding(loaded.fields.text_ja, &term),
            );
            (live > 0 && crate::analysis::is_meaningful_term(&term)).then_some((term, live))
        })
        .collect();
    ranked.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
    let terms: std::collections::HashSet<String> = ranked
        .into_iter()
        .take(COMMON_TERMS)
        .map(|(term, _)| term)
        .collect();
    Ok(Arc::new(terms))
}

/// Work every served generation needs on its first request, done before it is served (by
/// `serve` at start, and by the reloader before a swap): the body overview (a pass over the
/// document table), the records per slot (a count over every record, which every page asks
/// for) and the corpus's most common words (a walk of the term dictionary, for drafting
/// hints). Done on first use instead, each cost a first visitor 0.07–0.3 s at 1M records.
/// Also the bundled table of local bodies, read once per process (every comparison names its
/// bodies by it: 4 ms, a sixth of a first comparison once the next ones take 2).
fn warm(loaded: &Loaded) {
    let _ = crate::bodies::LocalBodies::bundled();
    let _ = loaded.bodies.set(bodies_of(loaded));
    if let Ok(counts) = slot_counts_of(loaded) {
        let _ = loaded.slot_counts.set(Arc::new(counts));
    }
    if let Ok(terms) = common_terms_of(loaded) {
        let _ = loaded.common_terms.set(terms);
    }
}

fn load(folder: &Path) -> Result<Loaded, IndexError> {
    let (index, fields, generation) = index::open(folder)?;
    let generation_folder = folder.join(&generation);
    // The comparison table (hundreds of megabytes at national scale) is read on another thread
    // while the index's own tables are worked out.
    std::thread::scope(|scope| {
        let comparison =
            scope.spawn(|| crate::compare::table::ComparisonTable::read(&generation_folder));
        load_index(index, fields, generation, &generation_folder, || {
            comparison
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })
}

/// The searcher and the tables worked out from the index of one generation, with its
/// comparison table as `comparison` gives it once they are.
fn load_index(
    mut index: Index,
    fields: Fields,
    generation: String,
    generation_folder: &Path,
    comparison: impl FnOnce() -> Result<
        crate::compare::table::ComparisonTable,
        crate::compare::table::TableError,
    >,
) -> Result<Loaded, IndexError> {
    share_segments_across_cores(&mut index)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let roots: Vec<&str> = FACET_DIMENSIONS
        .iter()
        .map(|dimension| facet_root(dimension))
        .collect();
    let searcher = reader.searcher();
    let documents = Arc::new(versions::SearchDocuments::load(
        &searcher,
        generation_folder,
    )?);
    let runs = Arc::new(runs::TextRuns::find(&searcher, |segment| {
        documents.current_of(segment)
    })?);
    let facet_tables = Arc::new(facets::FacetTables::build(&searcher, &roots, &runs)?);
    let without_own_text = Arc::new(WithoutOwnText::read(&searcher)?);
    let fold_columns = Arc::new(fold::FoldColumns::open(
        &searcher,
        &runs,
        &documents,
        &without_own_text,
    )?);
    let deletions =
        crate::deletions::Deletions::read(generation_folder).map_err(|source| IndexError::Io {
            path: generation_folder.join(crate::deletions::DELETIONS_FILE),
            source,
        })?;
    let correction = Arc::new(deletions.for_searcher(&searcher));
    let comparison = Arc::new(comparison()?);
    let text_keys = Arc::new(same_text::TextKeyColumns::open(&searcher));
    Ok(Loaded {
        documents,
        correction,
        index,
        reader,
        fields,
        bodies: std::sync::OnceLock::new(),
        slot_counts: std::sync::OnceLock::new(),
        common_terms: std::sync::OnceLock::new(),
        facet_tables,
        without_own_text,
        fold_columns,
        runs,
        text_keys,
        comparison,
        generation,
    })
}

/// An index of several segments (a whole build of more than two million records, an updated
/// one) searches its segments on all cores at once: at 5M records (three segments) one search
/// waited for its segments one after another on a machine with a second core idle. One
/// segment keeps tantivy's executor, which runs it on the request's own thread (the pool would
/// only hand it over).
fn share_segments_across_cores(index: &mut Index) -> Result<(), IndexError> {
    let segments = index.searchable_segment_metas()?.len();
    let cores = index::cores();
    if segments > 1 && cores > 1 {
        index.set_multithread_executor(cores.min(segments))?;
    }
    Ok(())
}

/// A request's query, checked (the slot exists, the query parses), its words expanded by the
/// synonym dictionary, with its filters.
/// What a bounded search found (see [`PreparedQuery::bounded_search_with_fallback`]).
type BoundedFound<Fruit> = (Fruit, Option<usize>, Arc<bounds::TextScores>);

struct PreparedQuery {
    parsed: ParsedQuery,
    synonyms: Vec<synonyms::SynonymUse>,
    plan: query::Plan,
    query: Box<dyn Query>,
}

impl PreparedQuery {
    /// Runs the query with `collector`; when the request allows a fallback and all the words
    /// together found fewer than [`FEW_HITS`] (`total_of` the result), runs the fallback query
    /// with it instead. Returns the result and, after a fallback, how many records held every
    /// word. `runs_at_once` when every part of `collector` counts a long run of one text at its
    /// first record (a search by text alone, see [`runs`]): the run's other records are then
    /// not walked.
    fn search_with_fallback<C: tantivy::collector::Collector>(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        loaded: &Loaded,
        collector: &C,
        total_of: impl Fn(&C::Fruit) -> usize,
        runs_at_once: bool,
    ) -> Result<(C::Fruit, Option<usize>), SearchError> {
        let fields = &loaded.fields;
        self.search_with_fallback_as(
            searcher,
            request,
            loaded,
            (collector, total_of),
            runs_at_once,
            |plan, is_main| {
                if is_main {
                    self.query.box_clone()
                } else {
                    with_filters(query::search_query(plan, fields), request, loaded)
                }
            },
        )
    }

    /// As [`PreparedQuery::search_with_fallback`], the texts that certainly match scored by a
    /// bound (see [`bounds`]); with the scores of the search whose result is returned.
    fn bounded_search_with_fallback<C: tantivy::collector::Collector>(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        loaded: &Loaded,
        collector: &C,
        total_of: impl Fn(&C::Fruit) -> usize,
        (runs_at_once, bounded_from): (bool, u32),
    ) -> Result<BoundedFound<C::Fruit>, SearchError> {
        let scores_of_each_run = std::cell::RefCell::new(Vec::new());
        let (found, all_words_total) = self.search_with_fallback_as(
            searcher,
            request,
            loaded,
            (collector, total_of),
            runs_at_once,
            |plan, _| {
                let scores = Arc::new(bounds::TextScores::default());
                scores_of_each_run.borrow_mut().push(scores.clone());
                let text_query =
                    query::bounded_search_query(plan, &loaded.fields, scores, bounded_from);
                with_filters(text_query, request, loaded)
            },
        )?;
        let scores = scores_of_each_run.into_inner().pop().unwrap_or_default();
        Ok((found, all_words_total, scores))
    }

    /// Runs the query of `query_of(plan, is_main)` with the collector; when the request allows
    /// a fallback and all the words together found fewer than [`FEW_HITS`] (`total_of` the
    /// result), runs the fallback plan's query with it instead.
    fn search_with_fallback_as<C: tantivy::collector::Collector>(
        &self,
        searcher: &tantivy::Searcher,
        request: &SearchRequest,
        loaded: &Loaded,
        (collector, total_of): (&C, impl Fn(&C::Fruit) -> usize),
        runs_at_once: bool,
        query_of: impl Fn(&query::Plan, bool) -> Box<dyn Query>,
    ) -> Result<(C::Fruit, Option<usize>), SearchError> {
        // Every collector counts a long run at its first record: the others are not walked.
        let first_of_each_run = |query: Box<dyn Query>| -> Box<dyn Query> {
            if runs_at_once {
                runs::first_of_each_run(loaded.runs.clone(), query)
            } else {
                query
            }
        };
        let found = loaded.run(
            searcher,
            first_of_each_run(query_of(&self.plan, true)).as_ref(),
            collector,
        )?;
        let all_words_total = total_of(&found);
        if SearchRequest::is_off(&request.fallback)
            || all_words_total >= FEW_HITS
            || self.parsed.required().count() < 2
        {
            return Ok((found, None));
        }
        let fallback_plan = query::fallback_plan(&self.parsed);
        Ok((
            loaded.run(
                searcher,
                first_of_each_run(query_of(&fallback_plan, false)).as_ref(),
                collector,
            )?,
            Some(all_words_total),
        ))
    }
}

impl SearchIndex {
    fn request_query(
        &self,
        loaded: &Loaded,
        request: &SearchRequest,
    ) -> Result<PreparedQuery, SearchError> {
        check_slot(request.slot.as_deref())?;
        published_bound(request.published_from.as_deref())?;
        published_bound(request.published_to.as_deref())?;
        let mut parsed = parse_query(&request.q)?;
        let synonyms = if SearchRequest::is_off(&request.synonyms) {
            Vec::new()
        } else {
            self.synonyms
                .apply(&mut parsed, &request.disabled_synonyms())
        };
        let plan = query::plan(&parsed);
        let text_query = query::search_query(&plan, &loaded.fields);
        let query = with_filters(text_query, request, loaded);
        Ok(PreparedQuery {
            parsed,
            synonyms,
            plan,
            query,
        })
    }
}

/// The values of a filter that names several, comma-separated (the page's multi-select:
/// `municipality=札幌市,豊島区`).
pub fn filter_values(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .collect()
}

/// A 公表日 bound as `YYYY-MM-DD`; an empty one is no bound.
fn published_bound(value: Option<&str>) -> Result<Option<String>, SearchError> {
    match value.map(str::trim).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => crate::parse::cover::iso_date(value)
            .map(Some)
            .ok_or_else(|| SearchError::BadDate(value.to_string())),
    }
}

fn with_filters(
    text_query: Box<dyn Query>,
    request: &SearchRequest,
    loaded: &Loaded,
) -> Box<dyn Query> {
    let fields = &loaded.fields;
    let filters = request.record_filters();
    let text_query = same_text::with_text_keys(text_query, &loaded.text_keys);
    let text_query = if request.includes_past_versions() {
        text_query
    } else {
        loaded.documents.current_only(text_query)
    };
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
    for (dimension, value) in filters {
        let Some(value) = value.as_ref().filter(|value| !value.is_empty()) else {
            continue;
        };
        // Several values of one dimension are any of them (札幌市 or 豊島区); dimensions are
        // all of them. The slot is one place in the form's tree, never several.
        let values: Vec<String> = match dimension {
            "slot" => vec![value.clone()],
            // A body as the index files it: 「池田町」 is each of the four towns of that name.
            "municipality" => filter_values(value)
                .into_iter()
                .flat_map(|name| crate::bodies::LocalBodies::bundled().labels_named(name))
                .collect(),
            _ => filter_values(value)
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        let any_value: Vec<(Occur, Box<dyn Query>)> = values
            .into_iter()
            .map(|value| {
                let term = Term::from_facet(fields.facets, &index::facet_of(dimension, &value));
                let query: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, query)
            })
            .collect();
        let matching: Box<dyn Query> = match any_value.len() {
            1 => any_value
                .into_iter()
                .next()
                .map(|(_, query)| query)
                .expect("one value"),
            _ => Box::new(BooleanQuery::new(any_value)),
        };
        // Filters must not change the ranking.
        let filter = tantivy::query::ConstScoreQuery::new(matching, 0.0);
        parts.push((Occur::Must, Box::new(filter)));
    }
    // 公表日 between two dates: a range of the raw date terms (checked in `request_query`).
    let from = published_bound(request.published_from.as_deref())
        .ok()
        .flatten();
    let to = published_bound(request.published_to.as_deref())
        .ok()
        .flatten();
    if from.is_some() || to.is_some() {
        let bound = |date: Option<String>| match date {
            Some(date) => std::ops::Bound::Included(Term::from_field_text(fields.published, &date)),
            None => std::ops::Bound::Unbounded,
        };
        let range = tantivy::query::RangeQuery::new(bound(from), bound(to));
        parts.push((
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(Box::new(range), 0.0)),
        ));
    }
    if parts.len() == 1 {
        return parts.pop().expect("one part").1;
    }
    Box::new(BooleanQuery::new(parts))
}
