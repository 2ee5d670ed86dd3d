//! Page geometry to the line/cell text the parser reads: tables rebuilt from ruling lines.
//!
//! A table is a set of ruling lines that touch one another. Its distinct x and y positions
//! make a grid; two neighbouring grid cells with no line between them are one merged cell.
//! Every glyph goes to the cell holding its centre, and each grid row becomes one text line
//! with a tab between cells, as the extracted samples have it. Glyphs outside every table
//! become lines of their own (headings, the cover, running headers).

use super::device::{Glyph, PageMarks, Segment};
use super::lookalike::fold_lookalikes;

/// Positions closer than this (points) are the same ruling line.
const SNAP: f64 = 1.5;
/// Lines nearer than this touch (a border drawn as separate strokes leaves small gaps).
const TOUCH: f64 = 2.5;

/// One line of page text: a grid row (cells) or free text, at its top on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLine {
    pub top: f64,
    pub cells: Vec<String>,
    /// Which table of the page the row belongs to (`None`: text outside tables).
    pub table: Option<usize>,
    /// Whether this row is its table's first row on the page.
    pub first_row: bool,
    /// For free text: where the line starts and ends, and its glyph size.
    pub left: f64,
    pub right: f64,
    pub size: f64,
    /// A table row with no ruling line above (below) it: cut there by a page break.
    pub open_top: bool,
    pub open_bottom: bool,
}

impl PageLine {
    pub fn text(&self) -> String {
        self.cells.join("\t")
    }
}

/// A page as lines, with its height (running headers and footers are found by position).
#[derive(Debug, Clone)]
pub struct PageText {
    pub number: u32,
    pub width: f64,
    pub height: f64,
    pub lines: Vec<PageLine>,
}

/// Reads one page's marks into lines, top to bottom, its tables found by [`find_tables`].
pub fn page_text(marks: &PageMarks, tables: &[Table]) -> PageText {
    let glyphs = drop_doubled_glyphs(&marks.glyphs);
    let mut cell_glyphs: Vec<Vec<Vec<Glyph>>> = tables
        .iter()
        .map(|table| vec![Vec::new(); table.cells.len()])
        .collect();
    let mut loose: Vec<Glyph> = Vec::new();
    for glyph in glyphs {
        let (x, y) = glyph.centre();
        match tables
            .iter()
            .enumerate()
            .find_map(|(index, table)| table.cell_at(x, y).map(|cell| (index, cell)))
        {
            Some((table, cell)) => cell_glyphs[table][cell].push(glyph),
            None => loose.push(glyph),
        }
    }
    let mut lines: Vec<PageLine> = Vec::new();
    for (index, table) in tables.iter().enumerate() {
        let texts: Vec<String> = cell_glyphs[index]
            .iter()
            .map(|glyphs| cell_text(glyphs))
            .collect();
        let mut first = true;
        for row in 0..table.rows() {
            // A cell merged over rows is read in its first row and stands empty in the
            // others, as a label the form prints once for several rows.
            let empty = String::new();
            let mut cells: Vec<(usize, &String)> = table
                .cells
                .iter()
                .zip(&texts)
                .filter(|(cell, _)| cell.top_row <= row && row <= cell.bottom_row)
                .map(|(cell, text)| {
                    let shown = if cell.top_row == row { text } else { &empty };
                    (cell.left_column, shown)
                })
                .collect();
            if cells.iter().all(|(_, text)| text.is_empty()) {
                continue;
            }
            cells.sort_by_key(|(column, _)| *column);
            lines.push(PageLine {
                top: table.ys[row],
                cells: cells.into_iter().map(|(_, text)| text.clone()).collect(),
                table: Some(index),
                first_row: first,
                left: table.xs[0],
                right: table.xs[table.xs.len() - 1],
                size: 0.0,
                open_top: !table.ruled[row],
                open_bottom: !table.ruled[table
                    .cells
                    .iter()
                    .filter(|c| c.top_row == row)
                    .map(|c| c.bottom_row + 1)
                    .max()
                    .unwrap_or(row + 1)],
            });
            first = false;
        }
    }
    for line in text_lines(&loose) {
        let top = line
            .iter()
            .map(|glyph| glyph.y - glyph.size)
            .fold(f64::MAX, f64::min);
        let (Some(first), Some(last)) = (line.first(), line.last()) else {
            continue;
        };
        lines.push(PageLine {
            top,
            cells: split_on_wide_gaps(&line),
            table: None,
            first_row: false,
            left: first.x,
            right: last.x + last.width,
            size: first.size,
            open_top: false,
            open_bottom: false,
        });
    }
    lines.sort_by(|a, b| a.top.total_cmp(&b.top));
    PageText {
        number: marks.number,
        width: marks.width,
        height: marks.height,
        lines,
    }
}

/// A wrapped line spans most of the page (a short line at the text's right edge is a label).
const WRAPPED_WIDTH: f64 = 0.6;

/// A paragraph outside tables wraps into several lines: a line that runs to the text's right
/// edge, followed closely by a line of the same size starting where it started, goes on in
/// that line, unless that line starts a heading, a row of the form or a cover label, or the
/// line before is an answer with its options.
pub fn join_wrapped_paragraphs(lines: Vec<PageLine>, page_width: f64) -> Vec<PageLine> {
    let right_edge = lines
        .iter()
        .filter(|line| line.table.is_none())
        .map(|line| line.right)
        .fold(f64::MIN, f64::max);
    let mut joined: Vec<PageLine> = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(previous) = joined.last_mut()
            && previous.table.is_none()
            && line.table.is_none()
            && previous.cells.len() == 1
            && line.cells.len() == 1
            && (previous.size - line.size).abs() < 0.5
            && (previous.left - line.left).abs() < line.size * 1.5
            && previous.right >= right_edge - line.size * 1.5
            && previous.right - previous.left >= page_width * WRAPPED_WIDTH
            && line.top - previous.top <= line.size * 2.0
            && !crate::parse::repair::is_row_start(&line.cells[0])
            // A cover label alone (「評価実施機関名」 under a long 特記事項) starts its row.
            && !crate::parse::cover::is_cover_label(line.cells[0].trim())
            // An answer with its options (「[…] <選択肢> 1) … 3) …」) wraps only into the rest
            // of its last option (a few characters, no sentence); a line of text after it is a
            // note of its own.
            && !(previous.cells[0].contains("選択肢")
                && (line.cells[0].contains('。')
                    || line.right - line.left >= page_width * WRAPPED_WIDTH / 2.0))
        {
            append_wrapped(&mut previous.cells[0], &line.cells[0]);
            previous.right = line.right;
            previous.top = line.top;
            continue;
        }
        joined.push(line);
    }
    joined
}

/// Fake-bold text is the same glyph drawn twice, a fraction of a point apart: glyph by glyph,
/// or a whole run and then the run again. A glyph with the same text within a fifth of its
/// size of one already kept is that double.
fn drop_doubled_glyphs(glyphs: &[Glyph]) -> Vec<Glyph> {
    // Kept glyphs by text and one-point grid square; a double is in a neighbouring square.
    let mut kept_at: std::collections::HashMap<(&str, i64, i64), Vec<usize>> = Default::default();
    let mut kept: Vec<Glyph> = Vec::with_capacity(glyphs.len());
    for glyph in glyphs {
        if glyph.text.trim().is_empty() && glyph.text != " " {
            continue;
        }
        let (column, row) = (glyph.x.floor() as i64, glyph.y.floor() as i64);
        let near = glyph.size * 0.2;
        let doubled = (column - 1..=column + 1).any(|c| {
            (row - 1..=row + 1).any(|r| {
                kept_at
                    .get(&(glyph.text.as_str(), c, r))
                    .is_some_and(|indexes| {
                        indexes.iter().any(|index| {
                            (kept[*index].x - glyph.x).abs() < near
                                && (kept[*index].y - glyph.y).abs() < near
                        })
                    })
            })
        });
        if doubled {
            continue;
        }
        kept_at
            .entry((glyph.text.as_str(), column, row))
            .or_default()
            .push(kept.len());
        kept.push(glyph.clone());
    }
    kept
}

/// A merged cell: the grid cells it covers.
#[derive(Debug, Clone)]
struct Cell {
    top_row: usize,
    left_column: usize,
    bottom_row: usize,
    right_column: usize,
}

/// A table of a page: its grid and merged cells.
#[derive(Debug, Clone)]
pub struct Table {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// For each of `ys`: whether a ruling line stands there (not only the end of walls).
    ruled: Vec<bool>,
    cells: Vec<Cell>,
    /// For each grid cell (row-major), the merged cell holding it.
    owner: Vec<usize>,
}

impl Table {
    fn rows(&self) -> usize {
        self.ys.len() - 1
    }

    fn columns(&self) -> usize {
        self.xs.len() - 1
    }

    /// Whether a point lies inside the table.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        interval_of(&self.xs, x).is_some() && interval_of(&self.ys, y).is_some()
    }

    fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        let column = interval_of(&self.xs, x)?;
        let row = interval_of(&self.ys, y)?;
        Some(self.owner[row * self.columns() + column])
    }
}

fn interval_of(edges: &[f64], value: f64) -> Option<usize> {
    if value < edges[0] || value > edges[edges.len() - 1] {
        return None;
    }
    let index = edges.partition_point(|edge| *edge <= value);
    Some(index.saturating_sub(1).min(edges.len() - 2))
}

/// Joins collinear pieces of one line (a border drawn cell by cell). Pieces a hair apart
/// across (a producer's rounding) are one line only where they also meet along it: two
/// tables one above the other whose walls stand at nearly the same x keep separate walls,
/// whichever of them sorts first.
fn merge_collinear(mut segments: Vec<Segment>) -> Vec<Segment> {
    segments.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut merged: Vec<Segment> = Vec::new();
    let mut start = 0;
    while start < segments.len() {
        let mut end = start + 1;
        while end < segments.len() && segments[end].at - segments[end - 1].at <= SNAP {
            end += 1;
        }
        let line = &mut segments[start..end];
        line.sort_by(|a, b| a.from.total_cmp(&b.from));
        let first_of_line = merged.len();
        for segment in line.iter() {
            if merged.len() > first_of_line
                && let Some(last) = merged.last_mut()
                && segment.from <= last.to + TOUCH
            {
                last.to = last.to.max(segment.to);
                continue;
            }
            merged.push(*segment);
        }
        start = end;
    }
    merged
}

fn touches(horizontal: &Segment, vertical: &Segment) -> bool {
    vertical.at >= horizontal.from - TOUCH
        && vertical.at <= horizontal.to + TOUCH
        && horizontal.at >= vertical.from - TOUCH
        && horizontal.at <= vertical.to + TOUCH
}

fn find(parent: &mut [usize], mut item: usize) -> usize {
    while parent[item] != item {
        parent[item] = parent[parent[item]];
        item = parent[item];
    }
    item
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[b] = a;
    }
}

/// Distinct positions, each the mean of the positions within [`SNAP`] of one another.
fn snap_positions(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut groups: Vec<Vec<f64>> = Vec::new();
    for value in values {
        match groups.last_mut() {
            Some(group) if value - group[group.len() - 1] <= SNAP => group.push(value),
            _ => groups.push(vec![value]),
        }
    }
    groups
        .into_iter()
        .map(|group| group.iter().sum::<f64>() / group.len() as f64)
        .collect()
}

/// The tables the ruling lines of a page make, top to bottom.
pub fn find_tables(segments: &[Segment]) -> Vec<Table> {
    let horizontal = merge_collinear(segments.iter().filter(|s| s.horizontal).copied().collect());
    let vertical = merge_collinear(segments.iter().filter(|s| !s.horizontal).copied().collect());
    let all: Vec<Segment> = horizontal.iter().chain(&vertical).copied().collect();
    let mut parent: Vec<usize> = (0..all.len()).collect();
    for (h, horizontal_line) in horizontal.iter().enumerate() {
        for (v, vertical_line) in vertical.iter().enumerate() {
            if touches(horizontal_line, vertical_line) {
                union(&mut parent, h, horizontal.len() + v);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Segment>> = Default::default();
    for (index, segment) in all.iter().enumerate() {
        let root = find(&mut parent, index);
        groups.entry(root).or_default().push(*segment);
    }
    let mut tables: Vec<Table> = groups
        .into_values()
        .filter_map(|group| table_of(&group))
        .collect();
    tables.sort_by(|a, b| a.ys[0].total_cmp(&b.ys[0]));
    tables
}

fn table_of(lines: &[Segment]) -> Option<Table> {
    // A table cut by a page break has walls but no floor (or roof) on this page: where its
    // vertical lines end is an edge too, and likewise the ends of its horizontal lines.
    let mut x_edges: Vec<f64> = lines
        .iter()
        .filter(|s| !s.horizontal)
        .map(|s| s.at)
        .collect();
    let mut y_edges: Vec<f64> = lines
        .iter()
        .filter(|s| s.horizontal)
        .map(|s| s.at)
        .collect();
    for segment in lines {
        let edges = if segment.horizontal {
            &mut x_edges
        } else {
            &mut y_edges
        };
        edges.push(segment.from);
        edges.push(segment.to);
    }
    let xs = snap_positions(x_edges);
    let ys = snap_positions(y_edges);
    if xs.len() < 2 || ys.len() < 2 {
        return None;
    }
    let (rows, columns) = (ys.len() - 1, xs.len() - 1);
    let covers = |segment: &Segment, horizontal: bool, at: f64, middle: f64| {
        segment.horizontal == horizontal
            && (segment.at - at).abs() <= SNAP
            && segment.from - TOUCH <= middle
            && segment.to + TOUCH >= middle
    };
    let mut parent: Vec<usize> = (0..rows * columns).collect();
    for row in 0..rows {
        let middle_y = (ys[row] + ys[row + 1]) / 2.0;
        for column in 0..columns.saturating_sub(1) {
            let wall = xs[column + 1];
            if !lines.iter().any(|s| covers(s, false, wall, middle_y)) {
                let (a, b) = (row * columns + column, row * columns + column + 1);
                union_cells(&mut parent, a, b);
            }
        }
    }
    for row in 0..rows.saturating_sub(1) {
        let floor = ys[row + 1];
        for column in 0..columns {
            let middle_x = (xs[column] + xs[column + 1]) / 2.0;
            if !lines.iter().any(|s| covers(s, true, floor, middle_x)) {
                union_cells(
                    &mut parent,
                    row * columns + column,
                    (row + 1) * columns + column,
                );
            }
        }
    }
    let mut cells: Vec<Cell> = Vec::new();
    let mut owner = vec![usize::MAX; rows * columns];
    let mut index_of_root: std::collections::HashMap<usize, usize> = Default::default();
    for row in 0..rows {
        for column in 0..columns {
            let grid = row * columns + column;
            let root = find(&mut parent, grid);
            let index = *index_of_root.entry(root).or_insert_with(|| {
                cells.push(Cell {
                    top_row: row,
                    left_column: column,
                    bottom_row: row,
                    right_column: column,
                });
                cells.len() - 1
            });
            let cell = &mut cells[index];
            cell.bottom_row = cell.bottom_row.max(row);
            cell.right_column = cell.right_column.max(column);
            cell.left_column = cell.left_column.min(column);
            owner[grid] = index;
        }
    }
    let ruled = ys
        .iter()
        .map(|y| {
            lines
                .iter()
                .any(|s| s.horizontal && (s.at - y).abs() <= SNAP)
        })
        .collect();
    Some(Table {
        xs,
        ys,
        ruled,
        cells,
        owner,
    })
}

/// Union that keeps the smaller index as the root, so a merged cell is named by its top left.
fn union_cells(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a == b {
        return;
    }
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    parent[high] = low;
}

/// The glyphs (by index, among `members`) of each line: same baseline, left to right.
pub fn line_groups(glyphs: &[Glyph], members: &[usize]) -> Vec<Vec<usize>> {
    let mut sorted: Vec<usize> = members.to_vec();
    sorted.sort_by(|a, b| {
        glyphs[*a]
            .y
            .total_cmp(&glyphs[*b].y)
            .then(glyphs[*a].x.total_cmp(&glyphs[*b].x))
    });
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for index in sorted {
        let glyph = &glyphs[index];
        match lines.last_mut() {
            Some(line)
                if (glyph.y - glyphs[line[0]].y).abs()
                    <= glyphs[line[0]].size.min(glyph.size) * 0.5 =>
            {
                line.push(index);
            }
            _ => lines.push(vec![index]),
        }
    }
    for line in &mut lines {
        line.sort_by(|a, b| glyphs[*a].x.total_cmp(&glyphs[*b].x));
    }
    lines
}

/// Glyphs into lines: same baseline (within half a glyph), left to right.
fn text_lines(glyphs: &[Glyph]) -> Vec<Vec<Glyph>> {
    let all: Vec<usize> = (0..glyphs.len()).collect();
    line_groups(glyphs, &all)
        .into_iter()
        .map(|line| {
            line.into_iter()
                .map(|index| glyphs[index].clone())
                .collect()
        })
        .collect()
}

/// A line's text: a space where glyphs stand apart by more than a quarter of their size.
fn line_text(glyphs: &[Glyph]) -> String {
    let mut text = String::new();
    let mut end: Option<f64> = None;
    for glyph in glyphs {
        if let Some(end) = end
            && glyph.x - end > glyph.size * 0.25
            && !text.ends_with(' ')
        {
            text.push(' ');
        }
        text.push_str(&fold_lookalikes(&glyph.text));
        end = Some(glyph.x + glyph.width);
    }
    collapse_spaces(&text)
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Free text split where glyphs stand two characters or more apart: label and value printed
/// side by side without borders (a cover page) are two cells.
fn split_on_wide_gaps(line: &[Glyph]) -> Vec<String> {
    let mut cells: Vec<Vec<Glyph>> = vec![Vec::new()];
    let mut end: Option<f64> = None;
    for glyph in line {
        if glyph.text.trim().is_empty() {
            continue;
        }
        if let Some(end) = end
            && glyph.x - end > glyph.size * 2.0
        {
            cells.push(Vec::new());
        }
        end = Some(glyph.x + glyph.width);
        if let Some(cell) = cells.last_mut() {
            cell.push(glyph.clone());
        }
    }
    cells.iter().map(|cell| line_text(cell)).collect()
}

/// A cell's text: its lines joined. A wrapped Japanese line continues without a space; a
/// space stays between Latin words and before a list mark starting a line.
pub fn cell_text(glyphs: &[Glyph]) -> String {
    let mut text = String::new();
    for line in text_lines(glyphs) {
        let next = line_text(&line);
        if next.is_empty() {
            continue;
        }
        append_wrapped(&mut text, &next);
    }
    text
}

/// Appends a continuation line to a cell's text (also used to join a row split by a page).
pub fn append_wrapped(text: &mut String, next: &str) {
    if next.is_empty() {
        return;
    }
    if let (Some(last), Some(first)) = (text.chars().last(), next.chars().next())
        && (last.is_ascii_alphanumeric() && first.is_ascii_alphanumeric()
            || (starts_list_item(next) && (first != '・' || ends_item(text))))
    {
        text.push(' ');
    }
    text.push_str(next);
}

/// Whether a text ends where an item may end: 「・」 after 「漏えい」 at a line's end is the
/// middle dot of 「漏えい・滅失」, after 「。」 a new item.
fn ends_item(text: &str) -> bool {
    text.chars()
        .last()
        .is_some_and(|last| matches!(last, '。' | '．' | '.' | ')' | '）' | '」' | '>' | '＞'))
}

/// A line starting with a bullet, a circled number or 「1 」「(1)」「※」 starts an item.
fn starts_list_item(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if matches!(
        first,
        '・' | '※' | '●' | '○' | '■' | '□' | '◆' | '◇' | '-' | '－'
    ) || ('①'..='⑳').contains(&first)
    {
        return true;
    }
    // 「(1)」「（ア）」: a short number in brackets; 「（委託…）」 is a parenthesis going on.
    if matches!(first, '(' | '（') {
        let inside: Vec<char> = chars.take_while(|c| !matches!(c, ')' | '）')).collect();
        let numbering = |c: &char| {
            c.is_ascii_alphanumeric()
                || ('０'..='９').contains(c)
                || ('ア'..='ン').contains(c)
                || ('ｱ'..='ﾝ').contains(c)
                || "一二三四五六七八九十".contains(*c)
        };
        return (1..=3).contains(&inside.len()) && inside.iter().all(numbering);
    }
    // 「1 」「2）」「3.」: a number and a separator.
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    !digits.is_empty()
        && digits.len() <= 2
        && line[digits.len()..]
            .chars()
            .next()
            .is_some_and(|after| matches!(after, ' ' | ')' | '）' | '.' | '．'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(horizontal: bool, at: f64, from: f64, to: f64) -> Segment {
        Segment {
            at,
            from,
            to,
            horizontal,
        }
    }

    /// Glyphs of `text`, full width at 10 pt, starting at (x, baseline y).
    fn written(text: &str, x: f64, y: f64) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(index, character)| Glyph {
                x: x + index as f64 * 10.0,
                y,
                width: 10.0,
                size: 10.0,
                text: character.to_string(),
            })
            .collect()
    }

    /// A form table, 3 rows by 3 columns on x = 0, 100, 200, 300 and y = 0, 30, 60, 90, whose
    /// label 「リスク1」 is merged over the first two rows (no line between them in column 0),
    /// and whose last row's value spans columns 1 and 2 (no wall at x = 200 in that row).
    fn merged_form() -> PageMarks {
        let mut segments = vec![
            rule(true, 0.0, 0.0, 300.0),
            rule(true, 30.0, 100.0, 300.0),
            rule(true, 60.0, 0.0, 300.0),
            rule(true, 90.0, 0.0, 300.0),
            rule(false, 0.0, 0.0, 90.0),
            rule(false, 100.0, 0.0, 90.0),
            rule(false, 200.0, 0.0, 60.0),
            rule(false, 300.0, 0.0, 90.0),
        ];
        // Drawn cell by cell, as Chromium does: pieces of one line.
        segments.push(rule(true, 90.0, 150.0, 250.0));
        let mut glyphs = written("リスク1", 5.0, 20.0);
        glyphs.extend(written("措置", 105.0, 20.0));
        glyphs.extend(written("窓口で確認", 205.0, 20.0));
        glyphs.extend(written("評価", 105.0, 50.0));
        glyphs.extend(written("十分", 205.0, 50.0));
        glyphs.extend(written("その他", 5.0, 80.0));
        glyphs.extend(written("記録を残している", 105.0, 80.0));
        PageMarks {
            number: 1,
            width: 595.0,
            height: 842.0,
            glyphs,
            segments,
        }
    }

    #[test]
    fn a_merged_cell_is_read_once_in_its_first_row_and_stands_empty_below() {
        let marks = merged_form();
        let page = page_text(&marks, &find_tables(&marks.segments));
        let rows: Vec<String> = page.lines.iter().map(PageLine::text).collect();
        assert_eq!(
            rows,
            [
                "リスク1\t措置\t窓口で確認",
                "\t評価\t十分",
                "その他\t記録を残している"
            ]
        );
    }

    #[test]
    fn two_tables_whose_walls_stand_a_hair_apart_keep_each_their_walls() {
        // WeasyPrint rounds each table's column positions on its own: the lower table's
        // wall at x = 99.95 sorts before the upper one's at 100.0, and the upper table must
        // not lose its wall to it.
        let mut segments = Vec::new();
        for (top, wall) in [(0.0, 100.0), (100.0, 99.95)] {
            segments.push(rule(true, top, 0.0, 200.0));
            segments.push(rule(true, top + 30.0, 0.0, 200.0));
            segments.push(rule(false, 0.0, top, top + 30.0));
            segments.push(rule(false, wall, top, top + 30.0));
            segments.push(rule(false, 200.0, top, top + 30.0));
        }
        let mut glyphs = written("通番", 5.0, 20.0);
        glyphs.extend(written("変更前", 105.0, 20.0));
        glyphs.extend(written("101", 5.0, 120.0));
        glyphs.extend(written("記載", 105.0, 120.0));
        let marks = PageMarks {
            number: 1,
            width: 595.0,
            height: 842.0,
            glyphs,
            segments,
        };
        let page = page_text(&marks, &find_tables(&marks.segments));
        let rows: Vec<String> = page.lines.iter().map(PageLine::text).collect();
        assert_eq!(rows, ["通番\t変更前", "101\t記載"]);
    }

    #[test]
    fn a_wrapped_cell_joins_japanese_without_a_space_and_latin_words_with_one() {
        let mut glyphs = written("窓口における届出人の本人", 5.0, 20.0);
        glyphs.extend(written("確認を厳格に行う。", 5.0, 32.0));
        assert_eq!(
            cell_text(&glyphs),
            "窓口における届出人の本人確認を厳格に行う。"
        );
        let mut latin = written("ISO/IEC", 5.0, 20.0);
        latin.extend(written("27001", 5.0, 32.0));
        assert_eq!(cell_text(&latin), "ISO/IEC 27001");
        let mut items = written("確認する。", 5.0, 20.0);
        items.extend(written("・記録する。", 5.0, 32.0));
        assert_eq!(cell_text(&items), "確認する。 ・記録する。");
        let mut middle_dot = written("漏えい", 5.0, 20.0);
        middle_dot.extend(written("・滅失", 5.0, 32.0));
        assert_eq!(cell_text(&middle_dot), "漏えい・滅失");
    }

    #[test]
    fn a_glyph_drawn_twice_for_bold_counts_once() {
        let once = written("特定個人情報", 5.0, 20.0);
        let mut twice = once.clone();
        twice.extend(once.iter().map(|glyph| Glyph {
            x: glyph.x + 0.4,
            y: glyph.y + 0.2,
            ..glyph.clone()
        }));
        assert_eq!(cell_text(&drop_doubled_glyphs(&twice)), "特定個人情報");
        // A character written twice on purpose, a glyph apart, stays twice.
        assert_eq!(
            cell_text(&drop_doubled_glyphs(&written("々々", 5.0, 20.0))),
            "々々"
        );
    }
}
