//! Queries that wrap another query's scorer segment by segment (the current versions' lookup,
//! the first record of each run): the plumbing of tantivy's `Query` and `Weight` written once.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader};

/// What a wrapping query does in each segment.
pub trait WrapScorers: Send + Sync + 'static {
    /// The wrapping query's name in a debug print.
    const NAME: &'static str;

    /// The segment's scorer, from the inner query's weight.
    fn scorer(
        &self,
        reader: &SegmentReader,
        inner: &dyn Weight,
        boost: Score,
    ) -> tantivy::Result<Box<dyn Scorer>>;

    /// Why `doc` matches (the inner query's explanation unless the wrapper says otherwise).
    fn explain(
        &self,
        reader: &SegmentReader,
        inner: &dyn Weight,
        doc: DocId,
    ) -> tantivy::Result<Explanation> {
        inner.explain(reader, doc)
    }
}

/// `query` with each segment's scorer wrapped by `wrap`.
pub struct Wrapped<W: WrapScorers> {
    wrap: Arc<W>,
    query: Box<dyn Query>,
}

impl<W: WrapScorers> Wrapped<W> {
    pub fn new(wrap: Arc<W>, query: Box<dyn Query>) -> Wrapped<W> {
        Wrapped { wrap, query }
    }
}

impl<W: WrapScorers> Clone for Wrapped<W> {
    fn clone(&self) -> Self {
        Wrapped {
            wrap: self.wrap.clone(),
            query: self.query.box_clone(),
        }
    }
}

impl<W: WrapScorers> std::fmt::Debug for Wrapped<W> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_tuple(W::NAME).field(&self.query).finish()
    }
}

impl<W: WrapScorers> Query for Wrapped<W> {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WrappedWeight {
            wrap: self.wrap.clone(),
            weight: self.query.weight(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct WrappedWeight<W: WrapScorers> {
    wrap: Arc<W>,
    weight: Box<dyn Weight>,
}

impl<W: WrapScorers> Weight for WrappedWeight<W> {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.wrap.scorer(reader, self.weight.as_ref(), boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.wrap.explain(reader, self.weight.as_ref(), doc)
    }
}
