//! Wordings, not copies: a search's matches grouped by wording (see
//! [`crate::index::wording_of`]), so that one sentence written by a thousand bodies is one hit
//! with its bodies, not a thousand hits.
//!
//! Every match is collected with its rank, wording and document (fast fields: no stored record
//! is read), grouped, and only the best record of each group on the page is read.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::bounds::TextScores;
use super::number_hash::NumberMap;
use super::runs::{RunCursor, SegmentRuns, Step, TextRuns};
use super::versions::SearchDocuments;
use super::{RankKey, WithoutOwnText, rank_key};
use crate::index::{DOCUMENT_FIELD, KEY_FIELD, TEXT_KEY_FIELD, WORDING_FIELD};

/// Other bodies listed with a folded hit of a search (the count is always whole); the rest are
/// asked for when someone opens the list (`GET /api/search/bodies`). Nationally a vendor's
/// sentence is written by hundreds of bodies: listing them all with each of twenty hits made
/// most of a search's answer (230 KB for クラウド at 1M records) and of the page.
pub const LISTED_BODIES: usize = 20;
/// Most other bodies listed with a folded hit of a draft search (`POST /api/similar`), whose
/// list is not asked for again.
pub const MAX_LISTED_BODIES: usize = 500;

/// One matching record, as folding needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Match {
    pub rank: RankKey,
    pub key: u64,
    pub wording: u64,
    pub document: u64,
    pub address: DocAddress,
    /// The digest of its text, and what its rank is made of: whether it has text of its own,
    /// and its score (a bound of it in a bounded search, see [`super::bounds`]).
    pub text: u64,
    pub own: bool,
    pub score: Score,
}

impl Match {
    fn rescore(&mut self, score: Score) {
        self.score = score;
        self.rank = rank_key(self.own, score);
    }
}

/// The fast fields folding reads, per segment, opened once per loaded index: opening a column
/// reads its block headers, which every search would otherwise pay for each segment. With
/// them, what each long run of one text adds to folding ([`RunFolds`]).
pub(super) struct FoldColumns(
    HashMap<tantivy::index::SegmentId, ([Column<u64>; 4], Arc<RunFolds>)>,
);

impl FoldColumns {
    pub fn open(
        searcher: &tantivy::Searcher,
        runs: &TextRuns,
        documents: &SearchDocuments,
        without_own_text: &WithoutOwnText,
    ) -> tantivy::Result<FoldColumns> {
        let mut columns = HashMap::new();
        for reader in searcher.segment_readers() {
            let opened = open_columns(reader)?;
            let folds = RunFolds::sum(
                runs.of(reader.segment_id()),
                &opened,
                documents,
                without_own_text
                    .0
                    .get(&reader.segment_id())
                    .map(Arc::as_ref),
            );
            columns.insert(reader.segment_id(), (opened, Arc::new(folds)));
        }
        Ok(FoldColumns(columns))
    }
}

impl FoldColumns {
    /// The column of records' keys (their ids as numbers) of a segment.
    pub fn keys_of(&self, reader: &SegmentReader) -> Option<Column<u64>> {
        match self.0.get(&reader.segment_id()) {
            Some(([keys, ..], _)) => Some(keys.clone()),
            None => reader.fast_fields().u64(KEY_FIELD).ok(),
        }
    }
}

/// What each long run of one text of a segment adds to folding (see [`super::runs`]): its
/// wording, whether it has text of its own, how many current records it has, and each body's
/// first record (by key: a run's records all rank alike) among them.
#[derive(Default)]
pub(super) struct RunFolds {
    runs: Arc<SegmentRuns>,
    /// Per run, its sums; `None` for a run whose records differ in wording or in having text of
    /// their own (a digest shared by two texts), whose records are folded one by one.
    folds: Vec<Option<RunFold>>,
    /// Every run's bodies one after another (see [`RunFold::bodies`]).
    bodies: Vec<RunBody>,
}

struct RunFold {
    wording: u64,
    text: u64,
    own: bool,
    records: usize,
    /// Where the run's bodies lie in [`RunFolds::bodies`], in the order of their records.
    bodies: std::ops::Range<usize>,
}

#[derive(Clone, Copy)]
struct RunBody {
    body: u32,
    doc: DocId,
    key: u64,
    document: u64,
}

impl RunFolds {
    fn sum(
        runs: Arc<SegmentRuns>,
        [keys, wordings, documents_column, texts]: &[Column<u64>; 4],
        documents: &SearchDocuments,
        without_own_text: Option<&tantivy::BitSet>,
    ) -> RunFolds {
        let mut folds = Vec::with_capacity(runs.len());
        let mut bodies: Vec<RunBody> = Vec::new();
        let mut place_of: NumberMap<u32, usize> = NumberMap::default();
        for run in 0..runs.len() {
            let records = runs.records(run);
            let own_of = |doc: DocId| without_own_text.is_none_or(|bits| !bits.contains(doc));
            let wording_of = |doc: DocId| wordings.first(doc).unwrap_or_default();
            let Some(&first) = records.first() else {
                folds.push(None);
                continue;
            };
            let (wording, own) = (wording_of(first), own_of(first));
            if records
                .iter()
                .any(|doc| wording_of(*doc) != wording || own_of(*doc) != own)
            {
                folds.push(None);
                continue;
            }
            place_of.clear();
            let start = bodies.len();
            for &doc in records {
                let document = documents_column.first(doc).unwrap_or_default();
                let found = RunBody {
                    body: documents.body_of(document),
                    doc,
                    key: keys.first(doc).unwrap_or_default(),
                    document,
                };
                match place_of.entry(found.body) {
                    Entry::Vacant(entry) => {
                        entry.insert(bodies.len());
                        bodies.push(found);
                    }
                    Entry::Occupied(entry) => {
                        let kept = &mut bodies[*entry.get()];
                        if found.key < kept.key {
                            *kept = found;
                        }
                    }
                }
            }
            folds.push(Some(RunFold {
                wording,
                text: texts.first(first).unwrap_or_default(),
                own,
                records: records.len(),
                bodies: start..bodies.len(),
            }));
        }
        RunFolds {
            runs,
            folds,
            bodies,
        }
    }
}

/// A long run of one text among a search's matches, all its current records at one score.
pub(super) struct RunMatch {
    folds: Arc<RunFolds>,
    run: usize,
    segment: SegmentOrdinal,
    score: Score,
}

impl RunMatch {
    fn fold(&self) -> Option<&RunFold> {
        self.folds.folds.get(self.run)?.as_ref()
    }

    /// Each body of the run once, with its first record (none for a run folded record by
    /// record).
    fn bodies(&self) -> &[RunBody] {
        self.fold()
            .map_or(&[], |fold| &self.folds.bodies[fold.bodies.clone()])
    }

    fn matched(&self, fold: &RunFold, body: &RunBody) -> Match {
        Match {
            rank: rank_key(fold.own, self.score),
            key: body.key,
            wording: fold.wording,
            document: body.document,
            address: DocAddress::new(self.segment, body.doc),
            text: fold.text,
            own: fold.own,
            score: self.score,
        }
    }
}

/// A search's matches as folding collects them: records one by one, and long runs of one
/// text as one (when the search selects by text alone).
#[derive(Default)]
pub(super) struct Matches {
    pub records: Vec<Match>,
    pub runs: Vec<RunMatch>,
}

impl Matches {
    /// How many records matched.
    pub fn total(&self) -> usize {
        self.records.len()
            + self
                .runs
                .iter()
                .filter_map(|run| run.fold().map(|fold| fold.records))
                .sum::<usize>()
    }
}

fn open_columns(reader: &SegmentReader) -> tantivy::Result<[Column<u64>; 4]> {
    let fast = reader.fast_fields();
    let keys = fast.u64(KEY_FIELD)?;
    // A segment written before texts had digests: each record is its own text.
    let texts = fast.u64(TEXT_KEY_FIELD).unwrap_or_else(|_| keys.clone());
    Ok([
        keys,
        fast.u64(WORDING_FIELD)?,
        fast.u64(DOCUMENT_FIELD)?,
        texts,
    ])
}

/// Collects every match with its rank key (as [`super::ranked`] ranks) and fast fields.
pub(super) struct FoldingCollector {
    pub without_own_text: Arc<WithoutOwnText>,
    pub columns: Arc<FoldColumns>,
    /// Whether the search selects records by their text alone (no filter but current
    /// versions), so that a long run of one text is collected as one (see [`super::runs`]).
    pub by_runs: bool,
}

pub(super) struct SegmentFoldingCollector {
    segment: SegmentOrdinal,
    bits: Option<Arc<tantivy::BitSet>>,
    keys: Column<u64>,
    wordings: Column<u64>,
    documents: Column<u64>,
    texts: Column<u64>,
    runs: Option<(RunCursor, Arc<RunFolds>)>,
    found: Matches,
}

impl Collector for FoldingCollector {
    type Fruit = Matches;
    type Child = SegmentFoldingCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFoldingCollector> {
        // A segment opened after the index was loaded (cannot happen while it is served as
        // loaded) opens its columns now, and has no runs.
        let ([keys, wordings, documents, texts], folds) =
            match self.columns.0.get(&reader.segment_id()) {
                Some((columns, folds)) => (columns.clone(), Some(folds.clone())),
                None => (open_columns(reader)?, None),
            };
        let runs = folds
            .filter(|folds| self.by_runs && !folds.runs.is_empty())
            .map(|folds| (RunCursor::new(folds.runs.clone()), folds));
        Ok(SegmentFoldingCollector {
            segment,
            bits: self.without_own_text.0.get(&reader.segment_id()).cloned(),
            keys,
            wordings,
            documents,
            texts,
            runs,
            found: Matches::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Matches>) -> tantivy::Result<Matches> {
        let mut merged = Matches::default();
        for fruit in fruits {
            merged.records.extend(fruit.records);
            merged.runs.extend(fruit.runs);
        }
        Ok(merged)
    }
}

impl SegmentFoldingCollector {
    fn push_record(&mut self, doc: DocId, score: Score) {
        let own = self.bits.as_ref().is_none_or(|bits| !bits.contains(doc));
        self.found.records.push(Match {
            rank: rank_key(own, score),
            key: self.keys.first(doc).unwrap_or_default(),
            wording: self.wordings.first(doc).unwrap_or_default(),
            document: self.documents.first(doc).unwrap_or_default(),
            address: DocAddress::new(self.segment, doc),
            text: self.texts.first(doc).unwrap_or_default(),
            own,
            score,
        });
    }
}

impl SegmentCollector for SegmentFoldingCollector {
    type Fruit = Matches;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some((cursor, folds)) = &mut self.runs else {
            self.push_record(doc, score);
            return;
        };
        match cursor.step(doc) {
            Step::Skip => {}
            Step::Record => self.push_record(doc, score),
            Step::Run(run) if folds.folds.get(run).is_some_and(Option::is_some) => {
                let run_match = RunMatch {
                    folds: folds.clone(),
                    run,
                    segment: self.segment,
                    score,
                };
                self.found.runs.push(run_match);
            }
            Step::Run(run) => {
                // Records of two texts under one digest: each on its own, at the run's score.
                let folds = folds.clone();
                for &record in folds.runs.records(run) {
                    self.push_record(record, score);
                }
            }
        }
    }

    fn harvest(self) -> Matches {
        self.found
    }
}

/// One wording among a search's matches: its best match (the hit shown) and its records.
#[derive(Clone, Copy)]
struct WordingGroup {
    best: Match,
    records: usize,
}

/// A wording whose bodies are listed: a hit shown, or the one whose bodies are asked for.
pub(super) struct ListedWording {
    pub best: Match,
    pub records: usize,
    /// Each body once, with its best match of the wording, in rank order.
    pub bodies: Vec<(u32, Match)>,
}

/// Which wordings a fold lists with their bodies. Only those are walked body by body: at
/// 個人情報 (170,000 matches in 3,600 wordings at 1M records) keeping every wording's bodies
/// was a quarter of the search, for the twenty shown.
#[derive(Debug, Clone, Copy)]
pub(super) enum Listed {
    /// A page of wordings in rank order: `offset` skipped, then up to `limit`.
    Page { offset: usize, limit: usize },
    /// The wording holding the record `key` (its hit, or one of its bodies' records).
    Holding(u64),
}

/// The matches grouped by wording.
pub(super) struct Folded {
    /// How many wordings matched.
    pub wordings: usize,
    /// How many bodies matched.
    pub bodies: usize,
    /// The wordings asked for, best first.
    pub listed: Vec<ListedWording>,
}

/// What makes the scores of a bounded search exact where folding needs them (see
/// [`super::bounds`]).
pub(super) struct Exact<'a> {
    pub searcher: &'a tantivy::Searcher,
    pub scores: &'a TextScores,
}

/// Groups matches by wording: wordings stand in the order of their best match (rank, then key,
/// as the unfolded search orders hits), and count their records and bodies. A first pass keeps
/// each wording's best match and record count and which bodies matched at all; once the
/// wordings are ranked (their bests made exact where a bounded search scored them by bounds),
/// a second pass lists the bodies of the wordings `listed` asks for, each body with its best
/// match.
pub(super) fn fold(
    mut matches: Matches,
    documents: &SearchDocuments,
    listed: Listed,
    exact: Option<Exact<'_>>,
) -> tantivy::Result<Folded> {
    let FirstPass {
        mut groups,
        record_groups,
        run_groups,
        holding,
        bodies,
    } = FirstPass::of(&matches, documents, listed);
    let exact = exact.filter(|exact| exact.scores.has_bounds());
    let mut page = Page {
        matches: &mut matches,
        groups: &mut groups,
        members: Members::default(),
        record_groups: &record_groups,
        run_groups: &run_groups,
    };
    let wanted: Vec<u32> = match listed {
        Listed::Page { offset, limit } => {
            let shown = offset.saturating_add(limit);
            if let Some(exact) = &exact {
                page.make_best_exact(exact, |groups| best_positions(groups, shown), documents)?;
            }
            best_positions(page.groups, shown)
                .into_iter()
                .skip(offset)
                .collect()
        }
        Listed::Holding(_) => {
            let wanted: Vec<u32> = holding.into_iter().collect();
            if let Some(exact) = &exact {
                page.make_best_exact(exact, |_| wanted.clone(), documents)?;
            }
            wanted
        }
    };
    if let Some(exact) = &exact {
        page.make_bodies_exact(exact, &wanted, documents)?;
    }
    let listed_bodies =
        bodies_of_wordings(&matches, &record_groups, &run_groups, &wanted, documents);
    let listed = wanted
        .iter()
        .zip(listed_bodies)
        .map(|(position, bodies)| {
            let group = groups[*position as usize];
            ListedWording {
                best: group.best,
                records: group.records,
                bodies,
            }
        })
        .collect();
    Ok(Folded {
        wordings: groups.len(),
        bodies,
        listed,
    })
}

/// The first pass of a fold: each wording's best match and records, where each match went, the
/// wording holding the record asked for, and how many bodies matched.
struct FirstPass {
    groups: Vec<WordingGroup>,
    /// The wording of each record match, and of each run (`u32::MAX`: a run folded record by
    /// record).
    record_groups: Vec<u32>,
    run_groups: Vec<u32>,
    holding: Option<u32>,
    bodies: usize,
}

impl FirstPass {
    fn of(matches: &Matches, documents: &SearchDocuments, listed: Listed) -> FirstPass {
        let mut position_of: NumberMap<u64, u32> = NumberMap::default();
        let mut groups: Vec<WordingGroup> = Vec::new();
        // Bodies are numbered densely: one flag each, and one more for the documents of no
        // known body (`body_of` says u32::MAX), which count as one body, as they always have.
        let body_count = documents.body_count();
        let mut body_seen = vec![false; body_count + 1];
        let mut bodies = 0;
        let mut see_body = |body: u32| {
            let seen = &mut body_seen[(body as usize).min(body_count)];
            if !*seen {
                *seen = true;
                bodies += 1;
            }
        };
        // Matches come in runs of one text (records lie in text order), mostly of one wording.
        let mut last_wording: Option<(u64, u32)> = None;
        let mut group_of = |found: &Match, groups: &mut Vec<WordingGroup>| match last_wording {
            Some((wording, position)) if wording == found.wording => position,
            _ => {
                let position = *position_of.entry(found.wording).or_insert_with(|| {
                    groups.push(WordingGroup {
                        best: *found,
                        records: 0,
                    });
                    u32::try_from(groups.len() - 1).unwrap_or(u32::MAX)
                });
                last_wording = Some((found.wording, position));
                position
            }
        };
        let mut record_groups: Vec<u32> = Vec::with_capacity(matches.records.len());
        let mut run_groups: Vec<u32> = Vec::with_capacity(matches.runs.len());
        let mut holding: Option<u32> = None;
        let holds = |key: u64| matches!(listed, Listed::Holding(wanted) if wanted == key);
        for found in &matches.records {
            let position = group_of(found, &mut groups);
            let group = &mut groups[position as usize];
            group.records += 1;
            if ranks_before(found, &group.best) {
                group.best = *found;
            }
            see_body(documents.body_of(found.document));
            if holds(found.key) {
                holding = Some(position);
            }
            record_groups.push(position);
        }
        // A long run of one text counts its records at once and each of its bodies once, with
        // the body's first record: the records of a run rank alike, so that record is the
        // body's best.
        for run_match in &matches.runs {
            let (Some(run), Some(first)) = (run_match.fold(), run_match.bodies().first()) else {
                run_groups.push(u32::MAX);
                continue;
            };
            let position = group_of(&run_match.matched(run, first), &mut groups);
            let group = &mut groups[position as usize];
            group.records += run.records;
            for body in run_match.bodies() {
                let found = run_match.matched(run, body);
                if ranks_before(&found, &group.best) {
                    group.best = found;
                }
                see_body(body.body);
                if holds(found.key) {
                    holding = Some(position);
                }
            }
            run_groups.push(position);
        }
        FirstPass {
            groups,
            record_groups,
            run_groups,
            holding,
            bodies,
        }
    }
}

/// The positions of the best `shown` wordings, best first.
fn best_positions(groups: &[WordingGroup], shown: usize) -> Vec<u32> {
    let order = |left: &u32, right: &u32| {
        rank_order(&groups[*left as usize].best, &groups[*right as usize].best)
    };
    let mut ranked: Vec<u32> = (0..groups.len())
        .map(|position| u32::try_from(position).unwrap_or(u32::MAX))
        .collect();
    if shown < ranked.len() {
        if shown == 0 {
            return Vec::new();
        }
        ranked.select_nth_unstable_by(shown - 1, order);
        ranked.truncate(shown);
    }
    ranked.sort_by(order);
    ranked
}

/// The matches of each wording, found once they are needed: a wording's records (by their place
/// in [`Matches::records`]) and its runs (after them, by place in [`Matches::runs`]).
#[derive(Default)]
struct Members {
    starts: Vec<usize>,
    members: Vec<u32>,
}

impl Members {
    fn of(&mut self, groups: usize, record_groups: &[u32], run_groups: &[u32]) -> &Members {
        if !self.starts.is_empty() {
            return self;
        }
        let records = record_groups.len();
        let mut counts = vec![0usize; groups + 1];
        for position in record_groups.iter().chain(run_groups) {
            if let Some(count) = counts.get_mut(*position as usize) {
                *count += 1;
            }
        }
        let mut starts = Vec::with_capacity(groups + 1);
        let mut total = 0;
        for count in &counts[..groups] {
            starts.push(total);
            total += count;
        }
        starts.push(total);
        let mut next = starts.clone();
        let mut members = vec![0u32; total];
        let places = record_groups.iter().enumerate().chain(
            run_groups
                .iter()
                .enumerate()
                .map(|(run, position)| (records + run, position)),
        );
        for (place, position) in places {
            if let Some(slot) = next
                .get_mut(*position as usize)
                .filter(|_| (*position as usize) < groups)
            {
                members[*slot] = u32::try_from(place).unwrap_or(u32::MAX);
                *slot += 1;
            }
        }
        self.starts = starts;
        self.members = members;
        self
    }

    fn of_group(&self, position: u32) -> &[u32] {
        let position = position as usize;
        match (self.starts.get(position), self.starts.get(position + 1)) {
            (Some(start), Some(end)) => &self.members[*start..*end],
            _ => &[],
        }
    }
}

/// The matches and wordings of a fold while their scores are made exact.
struct Page<'a> {
    matches: &'a mut Matches,
    groups: &'a mut [WordingGroup],
    members: Members,
    record_groups: &'a [u32],
    run_groups: &'a [u32],
}

impl Page<'_> {
    /// Until every wording `watched` names has its exact best: asks the exact query about each
    /// watched wording's best text still scored by a bound, gives the wording's matches of those
    /// texts their exact scores, and finds its best again. A wording's best scored exactly ranks
    /// at least as its others do, whose exact scores are at most their bounds.
    fn make_best_exact(
        &mut self,
        exact: &Exact<'_>,
        watched: impl Fn(&[WordingGroup]) -> Vec<u32>,
        documents: &SearchDocuments,
    ) -> tantivy::Result<()> {
        loop {
            let mut asks: Vec<(DocAddress, u64)> = Vec::new();
            let mut changed: Vec<u32> = Vec::new();
            for position in watched(self.groups) {
                let best = self.groups[position as usize].best;
                match exact.scores.score_of(best.text) {
                    Some(found) if !found.exact => asks.push((best.address, best.text)),
                    // Made exact for another wording: this one's matches still hold the bound.
                    Some(found) if found.score != best.score => {}
                    _ => continue,
                }
                changed.push(position);
            }
            if changed.is_empty() {
                return Ok(());
            }
            self.ask_and_rescore(exact, &asks, changed, documents)?;
        }
    }

    /// For the wordings at `listed`: each body writing a wording in several texts gets its
    /// best among them exactly (a body's record is listed with the wording).
    fn make_bodies_exact(
        &mut self,
        exact: &Exact<'_>,
        listed: &[u32],
        documents: &SearchDocuments,
    ) -> tantivy::Result<()> {
        let members = self
            .members
            .of(self.groups.len(), self.record_groups, self.run_groups);
        let mut asks: Vec<(DocAddress, u64)> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        for &position in listed {
            // Each body's first text, and whether it writes the wording in another.
            let mut texts_of: NumberMap<u32, (u64, bool)> = NumberMap::default();
            let each_match = |visit: &mut dyn FnMut(u32, Match)| {
                for &member in members.of_group(position) {
                    each_body_match(self.matches, documents, member, visit);
                }
            };
            each_match(&mut |body, found| {
                let entry = texts_of.entry(body).or_insert((found.text, false));
                entry.1 |= entry.0 != found.text;
            });
            let before = asks.len();
            each_match(&mut |body, found| {
                if texts_of.get(&body).is_some_and(|(_, several)| *several)
                    && exact
                        .scores
                        .score_of(found.text)
                        .is_some_and(|score| !score.exact)
                {
                    asks.push((found.address, found.text));
                }
            });
            if asks.len() > before {
                touched.push(position);
            }
        }
        if touched.is_empty() {
            return Ok(());
        }
        self.ask_and_rescore(exact, &asks, touched, documents)
    }

    /// Asks the exact query about the texts `asks` names, then rescores the wordings at
    /// `positions`.
    fn ask_and_rescore(
        &mut self,
        exact: &Exact<'_>,
        asks: &[(DocAddress, u64)],
        positions: Vec<u32>,
        documents: &SearchDocuments,
    ) -> tantivy::Result<()> {
        exact.scores.make_exact(exact.searcher, asks)?;
        for position in positions {
            self.rescore(exact, position, documents);
        }
        Ok(())
    }

    /// Gives the wording's matches whose texts now have exact scores those scores, and finds
    /// its best again.
    fn rescore(&mut self, exact: &Exact<'_>, position: u32, documents: &SearchDocuments) {
        let members = self
            .members
            .of(self.groups.len(), self.record_groups, self.run_groups);
        let records = self.matches.records.len();
        for &member in members.of_group(position) {
            let member = member as usize;
            if member < records {
                let found = &mut self.matches.records[member];
                if let Some(score) = exact.scores.exact_score_of(found.text) {
                    found.rescore(score);
                }
            } else if let Some(run_match) = self.matches.runs.get_mut(member - records) {
                let text = run_match.fold().map(|fold| fold.text);
                if let Some(score) = text.and_then(|text| exact.scores.exact_score_of(text)) {
                    run_match.score = score;
                }
            }
        }
        let mut best: Option<Match> = None;
        for &member in members.of_group(position) {
            each_body_match(self.matches, documents, member, &mut |_, found| {
                if best.is_none_or(|kept| ranks_before(&found, &kept)) {
                    best = Some(found);
                }
            });
        }
        if let Some(best) = best {
            self.groups[position as usize].best = best;
        }
    }
}

/// Each match of a member of a wording (a record, or each body's record of a run) with its body.
fn each_body_match(
    matches: &Matches,
    documents: &SearchDocuments,
    member: u32,
    visit: &mut dyn FnMut(u32, Match),
) {
    let member = member as usize;
    let records = matches.records.len();
    if member < records {
        let found = matches.records[member];
        visit(documents.body_of(found.document), found);
        return;
    }
    let Some(run_match) = matches.runs.get(member - records) else {
        return;
    };
    if let Some(fold) = run_match.fold() {
        for body in run_match.bodies() {
            visit(body.body, run_match.matched(fold, body));
        }
    }
}

/// The bodies of the wordings at `wanted` (positions as the first pass numbered them), each
/// body once with its best match of the wording, in rank order.
fn bodies_of_wordings(
    matches: &Matches,
    record_groups: &[u32],
    run_groups: &[u32],
    wanted: &[u32],
    documents: &SearchDocuments,
) -> Vec<Vec<(u32, Match)>> {
    let mut lists: Vec<Vec<(u32, Match)>> = vec![Vec::new(); wanted.len()];
    if wanted.is_empty() {
        return lists;
    }
    let list_of: NumberMap<u32, usize> = wanted
        .iter()
        .enumerate()
        .map(|(list, position)| (*position, list))
        .collect();
    // (list, body) → the body's place in its list.
    let mut body_place: NumberMap<(usize, u32), usize> = NumberMap::default();
    let mut add_body = |list: usize, body: u32, found: Match| {
        let bodies = &mut lists[list];
        match body_place.entry((list, body)) {
            Entry::Vacant(entry) => {
                entry.insert(bodies.len());
                bodies.push((body, found));
            }
            Entry::Occupied(entry) => {
                let kept = &mut bodies[*entry.get()].1;
                if ranks_before(&found, kept) {
                    *kept = found;
                }
            }
        }
    };
    for (found, position) in matches.records.iter().zip(record_groups) {
        if let Some(list) = list_of.get(position) {
            add_body(*list, documents.body_of(found.document), *found);
        }
    }
    for (run_match, position) in matches.runs.iter().zip(run_groups) {
        let (Some(list), Some(run)) = (list_of.get(position), run_match.fold()) else {
            continue;
        };
        for body in run_match.bodies() {
            add_body(*list, body.body, run_match.matched(run, body));
        }
    }
    for bodies in &mut lists {
        bodies.sort_by(|left, right| rank_order(&left.1, &right.1));
    }
    lists
}

/// Best first: higher rank, then lower key (record ids are unique, so no two matches tie).
fn rank_order(left: &Match, right: &Match) -> std::cmp::Ordering {
    right
        .rank
        .total_cmp(&left.rank)
        .then(left.key.cmp(&right.key))
}

fn ranks_before(found: &Match, kept: &Match) -> bool {
    rank_order(found, kept) == std::cmp::Ordering::Less
}

/// A hit's wording as others write it (`GET /api/search`, folded).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FoldedWording {
    /// Records of this wording among the matches (the hit's own included).
    pub records: usize,
    /// Bodies writing it (the hit's own included).
    pub bodies: usize,
    /// The other bodies, each with one record of theirs (by 団体コード, then name): the first
    /// [`LISTED_BODIES`] with a search's hit, every one from `GET /api/search/bodies`.
    pub others: Vec<FoldedBody>,
}

/// A body writing a folded wording, with one record of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FoldedBody {
    pub body: String,
    pub id: String,
    pub file: String,
}

impl ListedWording {
    /// What a hit says of the bodies folded into it, listing the first `listed` others.
    pub(super) fn describe(&self, documents: &SearchDocuments, listed: usize) -> FoldedWording {
        let own_body = documents.body_of(self.best.document);
        // In code order, bodies without a code last, then by name, then as found.
        type Other<'a> = (bool, Option<&'a str>, &'a str, usize, (u32, &'a Match));
        let mut others: Vec<Other> = self
            .bodies
            .iter()
            .enumerate()
            .filter(|(_, (body, _))| *body != own_body)
            .map(|(position, (body, found))| {
                let (name, code) = documents.body(*body);
                (code.is_none(), code, name, position, (*body, found))
            })
            .collect();
        let order = |left: &Other, right: &Other| {
            (left.0, left.1, left.2, left.3).cmp(&(right.0, right.1, right.2, right.3))
        };
        // Only the listed ones are written out: a wording of a thousand bodies lists twenty,
        // so those are picked out before they are sorted.
        if others.len() > listed && listed > 0 {
            others.select_nth_unstable_by(listed - 1, order);
        }
        others.truncate(listed);
        others.sort_unstable_by(order);
        FoldedWording {
            records: self.records,
            bodies: self.bodies.len(),
            others: others
                .into_iter()
                .map(|(_, _, _, _, (body, found))| {
                    let document = documents.document(found.document);
                    // Named as the facets file the body: with its document's prefecture where
                    // its name is shared (「池田町（北海道）」).
                    let prefecture = document.and_then(|document| document.prefecture.as_deref());
                    FoldedBody {
                        body: documents.label_of(body, prefecture),
                        id: format!("{:016x}", found.key),
                        file: document
                            .map(|document| document.file.clone())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }

    /// Whether the record `key` is this wording's hit or one of its bodies' records.
    pub(super) fn shows(&self, key: u64) -> bool {
        self.best.key == key || self.bodies.iter().any(|(_, found)| found.key == key)
    }
}
