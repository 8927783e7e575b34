//! One collector that counts every match and keeps the best `start + max` of them, in an
//! order that does not depend on how the index is split into segments: relevance (or date,
//! then relevance) and finally the volume id, so consecutive pages neither overlap nor skip.

use std::cmp::Ordering;
use std::sync::Arc;

use colophon_domain::OrderBy;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::fastfield::FastFieldReaders;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::{DATE, ID_HI, ID_LO, POPULARITY};

/// A match with everything needed to order it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub score: Score,
    pub date: u64,
    pub id: (u64, u64),
    pub doc: DocAddress,
}

/// Total order of candidates, best first.
fn compare(order: OrderBy, a: &Candidate, b: &Candidate) -> Ordering {
    let by_score = || b.score.total_cmp(&a.score);
    let first = match order {
        OrderBy::Relevance => by_score(),
        OrderBy::Newest => b.date.cmp(&a.date).then_with(by_score),
    };
    first
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.doc.cmp(&b.doc))
}

/// The popularity prior: a factor of 1.0 (no ratings) to 1.1 (10 million ratings or more),
/// growing with the logarithm of the count. Small on purpose: it orders near-equal text
/// matches (the same title from several publishers) and never lifts a clearly weaker match
/// above a better one.
pub(crate) fn popularity_prior(ratings: u64) -> Score {
    const MAX_BOOST: f32 = 0.1;
    const FULL_AT_LOG10: f32 = 7.0;
    let log = ((ratings as f64) + 1.0).log10() as f32;
    1.0 + MAX_BOOST * (log / FULL_AT_LOG10).min(1.0)
}

/// Counts matches and keeps the best `limit` (0: count only).
pub(crate) struct PageCollector {
    pub order: OrderBy,
    pub limit: usize,
}

/// The collected page: the exact number of matches and the best candidates, sorted.
pub(crate) struct Page {
    pub total: u64,
    pub best: Vec<Candidate>,
    /// A fast-field column that could not be opened (reported by `merge_fruits`).
    failed: Option<String>,
}

/// The fast-field columns one segment's candidates are read from.
struct Columns {
    date: Arc<dyn ColumnValues<u64>>,
    id_hi: Arc<dyn ColumnValues<u64>>,
    id_lo: Arc<dyn ColumnValues<u64>>,
    popularity: Arc<dyn ColumnValues<u64>>,
}

impl Columns {
    fn open(fast: &FastFieldReaders) -> tantivy::Result<Self> {
        Ok(Self {
            date: fast.u64(DATE)?.first_or_default_col(0),
            id_hi: fast.u64(ID_HI)?.first_or_default_col(0),
            id_lo: fast.u64(ID_LO)?.first_or_default_col(0),
            popularity: fast.u64(POPULARITY)?.first_or_default_col(0),
        })
    }
}

impl Collector for PageCollector {
    type Fruit = Page;
    type Child = PageSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<PageSegmentCollector> {
        // The fast-field columns are opened at the segment's first match: opening them costs
        // more than a one-hit lookup (an ISBN, an id) that finds nothing in most segments.
        Ok(PageSegmentCollector {
            order: self.order,
            limit: self.limit,
            segment_ord,
            fast: (self.limit > 0).then(|| segment.fast_fields().clone()),
            columns: None,
            failed: None,
            count: 0,
            buffer: Vec::new(),
            threshold: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        // Scores order the page (and break date ties under "newest").
        self.limit > 0
    }

    fn merge_fruits(&self, fruits: Vec<Page>) -> tantivy::Result<Page> {
        if let Some(e) = fruits.iter().find_map(|p| p.failed.clone()) {
            return Err(tantivy::TantivyError::InternalError(e));
        }
        let total = fruits.iter().map(|p| p.total).sum();
        let mut best: Vec<Candidate> = fruits.into_iter().flat_map(|p| p.best).collect();
        best.sort_unstable_by(|a, b| compare(self.order, a, b));
        best.truncate(self.limit);
        Ok(Page {
            total,
            best,
            failed: None,
        })
    }
}

/// Per-segment part of [`PageCollector`].
pub(crate) struct PageSegmentCollector {
    order: OrderBy,
    limit: usize,
    segment_ord: SegmentOrdinal,
    /// The segment's fast fields, until its columns are opened (`None` when only counting).
    fast: Option<FastFieldReaders>,
    columns: Option<Columns>,
    failed: Option<String>,
    count: u64,
    /// Candidates; truncated to the best `limit` whenever it reaches `2 * limit`.
    buffer: Vec<Candidate>,
    /// The worst candidate kept at the last truncation: anything worse is dropped at once.
    threshold: Option<Candidate>,
}

impl PageSegmentCollector {
    fn truncate(&mut self) {
        let order = self.order;
        let nth = self.limit - 1;
        self.buffer
            .select_nth_unstable_by(nth, |a, b| compare(order, a, b));
        self.buffer.truncate(self.limit);
        self.threshold = Some(self.buffer[nth]);
    }
}

impl SegmentCollector for PageSegmentCollector {
    type Fruit = Page;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        if self.limit == 0 || self.failed.is_some() {
            return;
        }
        if self.columns.is_none() {
            let Some(fast) = self.fast.take() else {
                return;
            };
            match Columns::open(&fast) {
                Ok(c) => self.columns = Some(c),
                Err(e) => {
                    self.failed = Some(e.to_string());
                    return;
                }
            }
        }
        let Some(cols) = self.columns.as_ref() else {
            return;
        };
        let score = score * popularity_prior(cols.popularity.get_val(doc));
        let mut date = 0;
        if let Some(t) = &self.threshold {
            // Cheap rejection before reading the id columns.
            let worse = match self.order {
                OrderBy::Relevance => score < t.score,
                OrderBy::Newest => {
                    date = cols.date.get_val(doc);
                    date < t.date || (date == t.date && score < t.score)
                }
            };
            if worse {
                return;
            }
        } else if self.order == OrderBy::Newest {
            date = cols.date.get_val(doc);
        }
        let candidate = Candidate {
            score,
            date,
            id: (cols.id_hi.get_val(doc), cols.id_lo.get_val(doc)),
            doc: DocAddress::new(self.segment_ord, doc),
        };
        self.buffer.push(candidate);
        if self.buffer.len() >= self.limit.saturating_mul(2).max(16) {
            self.truncate();
        }
    }

    fn harvest(mut self) -> Page {
        if self.buffer.len() > self.limit {
            self.truncate();
        }
        Page {
            total: self.count,
            best: self.buffer,
            failed: self.failed,
        }
    }
}
