//! The output device handed to `pdf-extract`: it keeps each page's glyphs and ruling lines.
//!
//! Coordinates are PDF points with the origin at the page's top left and y growing down, so
//! that sorting by y is reading order.

use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// One glyph as drawn: its origin on the baseline, advance and size, and the text it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub x: f64,
    /// The baseline.
    pub y: f64,
    /// Advance width in points.
    pub width: f64,
    /// Font size in points on the page.
    pub size: f64,
    pub text: String,
}

impl Glyph {
    /// The point that decides which cell holds the glyph: the middle of its body.
    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y - self.size * 0.35)
    }
}

/// A horizontal or vertical ruling line: stroked, or a thin filled rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// For a horizontal line its y, for a vertical one its x.
    pub at: f64,
    pub from: f64,
    pub to: f64,
    pub horizontal: bool,
}

/// Everything kept of one page.
#[derive(Debug, Clone, Default)]
pub struct PageMarks {
    pub number: u32,
    pub width: f64,
    pub height: f64,
    pub glyphs: Vec<Glyph>,
    pub segments: Vec<Segment>,
}

/// A clip rectangle in page space: left, top, right, bottom.
type ClipBox = (f64, f64, f64, f64);

/// Collects [`PageMarks`] for every page.
#[derive(Debug, Default)]
pub struct MarksDevice {
    pub pages: Vec<PageMarks>,
    flip_height: f64,
    /// What the page shows: marks outside are clipped away and not kept.
    clip: Option<ClipBox>,
    saved_clips: Vec<Option<ClipBox>>,
    /// The work a page may cost; `None`: unbounded.
    budget: Option<PageBudget>,
    /// Set when the page in progress went over its budget, with what was exceeded.
    pub over_budget: Option<BudgetExceeded>,
}

/// How much one page may cost: a hostile or broken content stream (millions of operators,
/// a loop of forms) must cost its page, never hang the ingest or exhaust memory.
#[derive(Debug, Clone, Copy)]
pub struct PageBudget {
    pub deadline: std::time::Instant,
    pub marks_left: usize,
}

/// Which limit a page went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetExceeded {
    Time,
    Marks,
}

/// How often (in device calls) the clock is read: reading it on every glyph costs more than
/// the glyph.
const CLOCK_EVERY: usize = 1024;

/// Clips a ruling line to what the page shows; `None` when nothing of it is left.
fn clip_segment(segment: Segment, clip: Option<ClipBox>) -> Option<Segment> {
    let Some((left, top, right, bottom)) = clip else {
        return Some(segment);
    };
    // A line on the clip's edge is drawn (half of it shows).
    let slack = 1.0;
    let (low, high, across_low, across_high) = if segment.horizontal {
        (left, right, top, bottom)
    } else {
        (top, bottom, left, right)
    };
    if segment.at < across_low - slack || segment.at > across_high + slack {
        return None;
    }
    let from = segment.from.max(low);
    let to = segment.to.min(high);
    (to - from >= SHORTEST_RULE).then_some(Segment {
        from,
        to,
        ..segment
    })
}

/// A rectangle no thicker than this (points) is a ruling line when filled.
const THIN_FILL: f64 = 2.5;
/// Lines shorter than this are ticks or glyph parts, not cell borders.
const SHORTEST_RULE: f64 = 2.0;
/// How far from axis-parallel a stroke may lean.
const STRAIGHT: f64 = 0.8;

impl MarksDevice {
    /// Starts a page with `budget`: the device stops the page once it is spent.
    pub fn set_budget(&mut self, budget: PageBudget) {
        self.budget = Some(budget);
        self.over_budget = None;
    }

    /// Counts one device call against the page's budget; an error stops the page.
    fn spend(&mut self) -> Result<(), OutputError> {
        let Some(budget) = &mut self.budget else {
            return Ok(());
        };
        if budget.marks_left == 0 {
            self.over_budget = Some(BudgetExceeded::Marks);
        } else {
            budget.marks_left -= 1;
            if budget.marks_left % CLOCK_EVERY == 0 && std::time::Instant::now() > budget.deadline {
                self.over_budget = Some(BudgetExceeded::Time);
            }
        }
        match self.over_budget {
            Some(_) => Err(OutputError::FormatError(std::fmt::Error)),
            None => Ok(()),
        }
    }

    fn page(&mut self) -> Option<&mut PageMarks> {
        self.pages.last_mut()
    }

    fn to_page(&self, ctm: &Transform, x: f64, y: f64) -> (f64, f64) {
        let point = ctm.transform_point(euclid::point2(x, y));
        (point.x, self.flip_height - point.y)
    }

    /// The corner points of each subpath, in page space, with whether it was closed.
    fn subpaths(&self, ctm: &Transform, path: &Path) -> Vec<(Vec<(f64, f64)>, bool)> {
        let mut shapes: Vec<(Vec<(f64, f64)>, bool)> = Vec::new();
        let mut current: Vec<(f64, f64)> = Vec::new();
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    if current.len() > 1 {
                        shapes.push((std::mem::take(&mut current), false));
                    }
                    current = vec![self.to_page(ctm, x, y)];
                }
                PathOp::LineTo(x, y) => current.push(self.to_page(ctm, x, y)),
                // A curve is a rounded corner or a glyph-like mark: its end point keeps the
                // outline connected without pretending the curve is a rule.
                PathOp::CurveTo(_, _, _, _, x, y) => {
                    if current.len() > 1 {
                        shapes.push((std::mem::take(&mut current), false));
                    }
                    current = vec![self.to_page(ctm, x, y)];
                }
                PathOp::Rect(x, y, width, height) => {
                    if current.len() > 1 {
                        shapes.push((std::mem::take(&mut current), false));
                    }
                    current.clear();
                    let corners = vec![
                        self.to_page(ctm, x, y),
                        self.to_page(ctm, x + width, y),
                        self.to_page(ctm, x + width, y + height),
                        self.to_page(ctm, x, y + height),
                    ];
                    shapes.push((corners, true));
                }
                PathOp::Close => {
                    if current.len() > 1 {
                        shapes.push((std::mem::take(&mut current), true));
                    }
                }
            }
        }
        if current.len() > 1 {
            shapes.push((current, false));
        }
        shapes
    }
}

impl Segment {
    /// A line at `at` across, from `a` to `b` along (in either order).
    fn along(horizontal: bool, at: f64, a: f64, b: f64) -> Segment {
        Segment {
            at,
            from: a.min(b),
            to: a.max(b),
            horizontal,
        }
    }
}

fn straight_segment(a: (f64, f64), b: (f64, f64)) -> Option<Segment> {
    let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
    if dy <= STRAIGHT && dx >= SHORTEST_RULE {
        return Some(Segment::along(true, (a.1 + b.1) / 2.0, a.0, b.0));
    }
    if dx <= STRAIGHT && dy >= SHORTEST_RULE {
        return Some(Segment::along(false, (a.0 + b.0) / 2.0, a.1, b.1));
    }
    None
}

/// White (or nearly): a fill that erases, not a line.
fn is_white(colorspace: &ColorSpace, color: &[f64]) -> bool {
    match colorspace {
        ColorSpace::DeviceCMYK => color.iter().all(|value| *value <= 0.05),
        ColorSpace::DeviceGray | ColorSpace::DeviceRGB | ColorSpace::CalGray(_) => {
            !color.is_empty() && color.iter().all(|value| *value >= 0.95)
        }
        _ => false,
    }
}

impl OutputDev for MarksDevice {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.flip_height = media_box.ury;
        self.clip = None;
        self.saved_clips.clear();
        self.pages.push(PageMarks {
            number: page_num,
            width: media_box.urx - media_box.llx,
            height: media_box.ury - media_box.lly,
            ..PageMarks::default()
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        self.spend()?;
        let flip_height = self.flip_height;
        let scaled = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (scaled.x * scaled.y).abs().sqrt();
        let glyph = Glyph {
            x: trm.m31,
            y: flip_height - trm.m32,
            width: width * size,
            size,
            text: char.to_string(),
        };
        let (x, y) = glyph.centre();
        if let Some((left, top, right, bottom)) = self.clip
            && (x < left || x > right || y < top || y > bottom)
        {
            return Ok(());
        }
        if let Some(page) = self.page() {
            page.glyphs.push(glyph);
        }
        Ok(())
    }

    fn clip(&mut self, ctm: &Transform, path: &Path) -> Result<(), OutputError> {
        self.spend()?;
        let points: Vec<(f64, f64)> = self
            .subpaths(ctm, path)
            .into_iter()
            .flat_map(|(points, _)| points)
            .collect();
        if points.is_empty() {
            return Ok(());
        }
        let left = points.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        let right = points.iter().map(|p| p.0).fold(f64::MIN, f64::max);
        let top = points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let bottom = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        self.clip = Some(match self.clip {
            None => (left, top, right, bottom),
            Some((l, t, r, b)) => (l.max(left), t.max(top), r.min(right), b.min(bottom)),
        });
        Ok(())
    }

    fn save_state(&mut self) -> Result<(), OutputError> {
        self.spend()?;
        self.saved_clips.push(self.clip);
        Ok(())
    }

    fn restore_state(&mut self) -> Result<(), OutputError> {
        if let Some(clip) = self.saved_clips.pop() {
            self.clip = clip;
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn stroke(
        &mut self,
        ctm: &Transform,
        _colorspace: &ColorSpace,
        _color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.spend()?;
        let mut segments = Vec::new();
        for (points, closed) in self.subpaths(ctm, path) {
            for pair in points.windows(2) {
                segments.extend(straight_segment(pair[0], pair[1]));
            }
            if closed && let (Some(first), Some(last)) = (points.first(), points.last()) {
                segments.extend(straight_segment(*last, *first));
            }
        }
        let clip = self.clip;
        if let Some(page) = self.page() {
            page.segments
                .extend(segments.into_iter().filter_map(|s| clip_segment(s, clip)));
        }
        Ok(())
    }

    fn fill(
        &mut self,
        ctm: &Transform,
        colorspace: &ColorSpace,
        color: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.spend()?;
        if is_white(colorspace, color) {
            return Ok(());
        }
        let mut segments = Vec::new();
        for (points, _) in self.subpaths(ctm, path) {
            // Only axis-parallel boxes: a filled glyph-like shape is no border.
            let axis_parallel = points.len() >= 4
                && points.len() <= 5
                && points.windows(2).all(|pair| {
                    (pair[0].0 - pair[1].0).abs() <= STRAIGHT
                        || (pair[0].1 - pair[1].1).abs() <= STRAIGHT
                });
            if !axis_parallel {
                continue;
            }
            let left = points.iter().map(|p| p.0).fold(f64::MAX, f64::min);
            let right = points.iter().map(|p| p.0).fold(f64::MIN, f64::max);
            let top = points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
            let bottom = points.iter().map(|p| p.1).fold(f64::MIN, f64::max);
            let (width, height) = (right - left, bottom - top);
            if height <= THIN_FILL && width >= SHORTEST_RULE {
                segments.push(Segment::along(true, (top + bottom) / 2.0, left, right));
            } else if width <= THIN_FILL && height >= SHORTEST_RULE {
                segments.push(Segment::along(false, (left + right) / 2.0, top, bottom));
            }
        }
        let clip = self.clip;
        if let Some(page) = self.page() {
            page.segments
                .extend(segments.into_iter().filter_map(|s| clip_segment(s, clip)));
        }
        Ok(())
    }
}
