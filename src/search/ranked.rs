//! The top matches by rank key and id, the id read only for a match that can reach the top.
//!
//! A ranking orders matches by their rank key (score and whether the record has text of its
//! own), ties by id (see `Ranked` in the parent module). The id is a fast-field read; the rank
//! key is a bit test and arithmetic. Once the collector holds its top, most matches rank below
//! it on their key alone, so the id is read only for one that ranks with or above the
//! collector's threshold: the same top, without an id read per match (an eighth of a draft
//! search at 1M records, which matches most of the corpus).

use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

use tantivy::collector::sort_key::{Comparator, NaturalComparator};
use tantivy::collector::{SegmentSortKeyComputer, SortKeyComputer, TopNComputer};
use tantivy::columnar::Column;
use tantivy::{BitSet, DocId, Score, SegmentReader};

/// A match's rank key, then its id reversed (the smaller id first).
pub type RankedKey = (f32, Reverse<u64>);

/// Ranks matches by `rank_of(has text of its own, score)`, then by id: `without_own_text_of`
/// gives a segment's records without text of their own, `ids_of` its column of ids.
pub struct RankedKeys<WithoutOwnText, Ids> {
    pub without_own_text_of: WithoutOwnText,
    pub ids_of: Ids,
    pub rank_of: fn(bool, Score) -> f32,
}

impl<WithoutOwnText, Ids> SortKeyComputer for RankedKeys<WithoutOwnText, Ids>
where
    WithoutOwnText: Fn(&SegmentReader) -> Option<Arc<BitSet>> + Sync,
    Ids: Fn(&SegmentReader) -> Option<Column<u64>> + Sync,
{
    type SortKey = RankedKey;
    type Child = SegmentRankedKeys;
    type Comparator = NaturalComparator;

    fn requires_scoring(&self) -> bool {
        true
    }

    fn segment_sort_key_computer(&self, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentRankedKeys {
            without_own_text: (self.without_own_text_of)(segment),
            ids: (self.ids_of)(segment),
            rank_of: self.rank_of,
        })
    }
}

pub struct SegmentRankedKeys {
    without_own_text: Option<Arc<BitSet>>,
    ids: Option<Column<u64>>,
    rank_of: fn(bool, Score) -> f32,
}

impl SegmentRankedKeys {
    fn rank(&self, doc: DocId, score: Score) -> f32 {
        let own = self
            .without_own_text
            .as_ref()
            .is_none_or(|bits| !bits.contains(doc));
        (self.rank_of)(own, score)
    }

    fn id(&self, doc: DocId) -> u64 {
        self.ids
            .as_ref()
            .and_then(|ids| ids.first(doc))
            .unwrap_or_default()
    }
}

impl SegmentSortKeyComputer for SegmentRankedKeys {
    type SortKey = RankedKey;
    type SegmentSortKey = RankedKey;
    type SegmentComparator = NaturalComparator;

    fn segment_sort_key(&mut self, doc: DocId, score: Score) -> RankedKey {
        (self.rank(doc, score), Reverse(self.id(doc)))
    }

    fn compute_sort_key_and_collect<C: Comparator<RankedKey>>(
        &mut self,
        doc: DocId,
        score: Score,
        top: &mut TopNComputer<RankedKey, DocId, C>,
    ) {
        let rank = self.rank(doc, score);
        // Below the threshold's key the whole key is below the threshold, whatever the id:
        // the collector would not take it.
        if let Some((threshold, _)) = &top.threshold
            && rank.partial_cmp(threshold) == Some(Ordering::Less)
        {
            return;
        }
        top.push((rank, Reverse(self.id(doc))), doc);
    }

    fn convert_segment_sort_key(&self, key: RankedKey) -> RankedKey {
        key
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{FAST, STORED, Schema, TEXT};
    use tantivy::{DocAddress, Index, doc};

    use super::*;

    fn rank_of(own: bool, score: Score) -> f32 {
        score + if own { 100.0 } else { 0.0 }
    }

    /// Vendor wordings repeated under many ids (ties), some records without text of their own;
    /// every limit gets the top that reading each match's id gives.
    #[test]
    fn the_top_is_the_one_every_id_read_gives_whatever_the_ties() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let id = builder.add_u64_field("id", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        let wordings = [
            "入退室管理 記録 保存",
            "入退室管理 記録",
            "監視カメラ 記録 入退室管理 入退室管理",
            "記録",
        ];
        for record in 0..600u64 {
            // Ids out of step with the order records are added in.
            let key = (record * 7_919) % 1_009;
            writer
                .add_document(doc!(text => wordings[(record % 4) as usize], id => key))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let query = QueryParser::for_index(&index, vec![text])
            .parse_query("記録 入退室管理")
            .expect("query");
        let mut without_own_text =
            tantivy::BitSet::with_max_value(searcher.segment_reader(0).max_doc());
        for doc in (0..600).step_by(5) {
            without_own_text.insert(doc);
        }
        let bits: HashMap<_, _> = HashMap::from([(
            searcher.segment_reader(0).segment_id(),
            Arc::new(without_own_text),
        )]);
        let bits = Arc::new(bits);
        let ids_of = |segment: &SegmentReader| segment.fast_fields().u64("id").ok();
        for limit in [1, 3, 10, 40, 150, 700] {
            let every_id_read = {
                let bits = bits.clone();
                TopDocs::with_limit(limit).tweak_score(move |segment: &SegmentReader| {
                    let own_text = bits.get(&segment.segment_id()).cloned();
                    let ids = ids_of(segment);
                    move |doc: DocId, score: Score| -> RankedKey {
                        let own = own_text.as_ref().is_none_or(|bits| !bits.contains(doc));
                        let id = ids
                            .as_ref()
                            .and_then(|ids| ids.first(doc))
                            .unwrap_or_default();
                        (rank_of(own, score), Reverse(id))
                    }
                })
            };
            let lazily = {
                let bits = bits.clone();
                TopDocs::with_limit(limit).order_by(RankedKeys {
                    without_own_text_of: move |segment: &SegmentReader| {
                        bits.get(&segment.segment_id()).cloned()
                    },
                    ids_of,
                    rank_of,
                })
            };
            let expected: Vec<(RankedKey, DocAddress)> =
                searcher.search(&query, &every_id_read).expect("search");
            let found: Vec<(RankedKey, DocAddress)> =
                searcher.search(&query, &lazily).expect("search");
            assert_eq!(found, expected, "limit {limit}");
        }
    }
}
