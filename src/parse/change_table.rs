//! Change tables that point into the form: 変更点リスク評価表 and 新旧対照表.
//!
//! Each row becomes one record whose slot is the slot its 項目 / 該当箇所 path points to, with
//! the before and after texts, the reason and the risk columns. A row split over a page break
//! (a line whose leading cells are empty) continues the row above it.

use std::sync::LazyLock;

use regex::Regex;

use super::clean::{MARK_END, MARK_START, strip_markup};
use super::{Draft, Line};
use crate::form;

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"通番\s*(\d+(?:\s*[、,]\s*\d+)*)\s*(?:と|に)同様").expect("valid regex")
});
static TRIGGER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)\s*[(（]((?:平成|令和)\s*\d+年\s*\d+月\s*\d+日)[)）]\s*$")
        .expect("valid regex")
});
static ROW_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,4}$").expect("valid regex"));
static CIRCLED_ROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[①-⑳]$|^\d{1,3}$").expect("valid regex"));

/// Whether a line is the header row of a 変更点リスク評価表.
pub fn is_change_table_header(line: &Line) -> bool {
    let has = |word: &str| line.cells.iter().any(|cell| cell.trim() == word);
    // The header may take two lines: 「通番 項目 評価書の変更箇所 …」 then 「変更前 変更後 …」.
    has("通番") && (has("変更前") || has("変更後") || has("評価書の変更箇所"))
        || has("変更前") && has("変更後") && has("変更理由")
}

/// A line the dispatcher puts where it skipped a header split over lines, so that cells
/// continuing a row across the page break can be told from the row's own cells.
pub const HEADER_MARK: &str = "\u{E002}";

/// Whether a line is the header row of a 新旧対照表.
pub fn is_comparison_header(line: &Line) -> bool {
    let has = |word: &str| line.cells.iter().any(|cell| cell.trim().starts_with(word));
    has("No")
        && line.cells.iter().any(|cell| cell.contains("変更後"))
        && line.cells.iter().any(|cell| cell.contains("変更前"))
}

/// A table header whose cells stand on separate lines.
pub struct SplitHeader {
    /// Index of the first line after the header (the first row).
    pub end: usize,
    /// A 新旧対照表 header rather than a 変更点リスク評価表 one.
    pub comparison: bool,
}

fn single_cell(line: &Line) -> Option<&str> {
    let mut non_empty = line.cells.iter().filter(|cell| !cell.trim().is_empty());
    let only = non_empty.next()?;
    non_empty.next().is_none().then_some(only.trim())
}

/// Recognises a header split over lines at `index`: 「通番」 or 「No.」 alone, followed within a
/// few lines by 「変更前」 and 「変更後」 alone. The header ends where the first row starts.
pub fn split_header_at(lines: &[Line], index: usize) -> Option<SplitHeader> {
    let first = single_cell(&lines[index])?;
    let comparison = first == "No." || first == "No";
    if first != "通番" && !comparison {
        return None;
    }
    let window = &lines[index + 1..(index + 14).min(lines.len())];
    let has = |prefix: &str| {
        window
            .iter()
            .any(|line| single_cell(line).is_some_and(|cell| cell.starts_with(prefix)))
    };
    if !(has("変更前") && has("変更後")) {
        return None;
    }
    let is_row_start = |line: &Line| {
        single_cell(line).is_some_and(|cell| {
            if comparison {
                CIRCLED_ONLY.is_match(cell)
            } else {
                ROW_NUMBER.is_match(cell)
            }
        })
    };
    // The header is its words and the empty cells between them; it ends at the first other
    // line (a row, or a row continued across the page break).
    const HEADER_WORDS: [&str; 13] = [
        "通番",
        "項目",
        "評価書の変更箇所",
        "変更経緯",
        "変更前",
        "変更後",
        "変更理由",
        "リスク変化",
        "リスク対策",
        "No",
        "ページ",
        "該当箇所",
        "上段",
    ];
    let is_header_line = |line: &Line| match single_cell(line) {
        None => line.cells.iter().all(|cell| cell.trim().is_empty()),
        Some(cell) => HEADER_WORDS.iter().any(|word| cell.starts_with(word)),
    };
    let mut end = index + 1;
    while end < lines.len() && !is_row_start(&lines[end]) && is_header_line(&lines[end]) {
        end += 1;
    }
    Some(SplitHeader { end, comparison })
}

static CIRCLED_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[①-⑳]$").expect("valid regex"));

/// Rows whose cells stand on separate lines (no tabs): each row starts at a line holding only
/// its number, and every line up to the next row start is one cell, an empty line an empty
/// cell. Blocks that do have tab-separated rows are returned as they are.
fn regroup_rows(lines: &[Line], is_row_start: impl Fn(&str) -> bool) -> Vec<Line> {
    let tabbed = lines
        .iter()
        .filter(|line| {
            line.cells
                .iter()
                .filter(|cell| !cell.trim().is_empty())
                .count()
                > 1
        })
        .count();
    if tabbed * 5 > lines.len() {
        return lines.to_vec();
    }
    let mut rows: Vec<Line> = Vec::new();
    // After a repeated header, cells before the next row start continue the previous row's
    // long text column (変更後, the fourth) across the page break.
    let mut after_header = false;
    for line in lines {
        let cell = line
            .cells
            .iter()
            .map(|cell| cell.trim())
            .find(|cell| !cell.is_empty())
            .unwrap_or_default();
        if cell == HEADER_MARK {
            after_header = true;
            continue;
        }
        if after_header && !is_row_start(cell) {
            if !cell.is_empty()
                && let Some(row) = rows.last_mut()
            {
                while row.cells.len() <= 3 {
                    row.cells.push(String::new());
                }
                row.cells[3].push(' ');
                row.cells[3].push_str(cell);
            }
            continue;
        }
        after_header = false;
        if is_row_start(cell) {
            rows.push(Line {
                number: line.number,
                cells: vec![cell.to_string()],
            });
        } else if let Some(row) = rows.last_mut() {
            row.cells.push(cell.to_string());
        }
    }
    for row in &mut rows {
        while row.cells.last().is_some_and(|cell| cell.is_empty()) {
            row.cells.pop();
        }
    }
    rows
}

/// Parses the rows of a 変更点リスク評価表 that follow a header. `lines` starts after the header
/// and ends at the next table title or the end of the block.
pub fn parse_change_table(lines: &[Line], jimu: Option<&str>) -> Vec<Draft> {
    let lines = regroup_rows(lines, |cell| ROW_NUMBER.is_match(cell));
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for line in &lines {
        if is_change_table_header(line) || line.cells.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let first = line
            .cells
            .first()
            .map(|cell| cell.trim())
            .unwrap_or_default();
        if ROW_NUMBER.is_match(first) {
            rows.push((line.number, line.cells.clone()));
        } else if first.is_empty()
            && let Some((_, previous)) = rows.last_mut()
        {
            // A row continued after a page break: its cells line up with the columns above.
            for (index, cell) in line.cells.iter().enumerate() {
                if cell.trim().is_empty() {
                    continue;
                }
                while previous.len() <= index {
                    previous.push(String::new());
                }
                previous[index].push(' ');
                previous[index].push_str(cell);
            }
        }
        // Lines such as 「評価書の変更箇所 変更経緯およびリスク評価」 are header decoration.
    }

    let mut drafts = Vec::new();
    for (line_number, cells) in rows {
        let cells: Vec<String> = cells.iter().map(|cell| cell.trim().to_string()).collect();
        let number = cells[0].clone();
        let path = cells.get(1).cloned().unwrap_or_default();
        let risk_column = cells
            .iter()
            .enumerate()
            .skip(2)
            .find(|(_, cell)| matches!(cell.as_str(), "あり" | "なし"))
            .map(|(index, _)| index);
        let (middle_end, risk_change) = match risk_column {
            Some(index) => (index, Some(cells[index].clone())),
            None => (cells.len(), None),
        };
        let middle: Vec<String> = cells[2.min(cells.len())..middle_end].to_vec();
        let mut notes: Vec<(String, String)> = vec![("通番".to_string(), number.clone())];
        let (before, after, reason) = match middle.len() {
            0 => (None, None, None),
            1 => (None, None, Some(middle[0].clone())),
            // 「削除」 in the 変更後 column: the text beside it is the measure that was removed
            // (豊島区 通番98), not a new one.
            _ if is_deletion_marker(&middle[1]) => (
                Some(middle[0].clone()),
                Some(String::new()),
                middle
                    .get(2..)
                    .map(|rest| rest.join(" "))
                    .filter(|rest| !rest.is_empty()),
            ),
            // Two texts where three columns stand: one column was empty and dropped. Two
            // wordings of one measure read alike (通番97: the same sentences, one added), so
            // they are its 変更前 and 変更後 with no reason; a reason does not read like the
            // measure it explains (通番96), so then the 変更前 is the missing one.
            // The 変更前 cell there and empty (通番101): a measure added, no reason given.
            2 if middle[0].is_empty() && !middle[1].is_empty() => {
                (Some(String::new()), Some(middle[1].clone()), None)
            }
            2 if reads_like_one_measure(&middle[0], &middle[1]) => {
                (Some(middle[0].clone()), Some(middle[1].clone()), None)
            }
            2 => {
                notes.push((
                    "注記".to_string(),
                    "変更前・変更後の一方が抽出されていない".to_string(),
                ));
                (None, Some(middle[0].clone()), Some(middle[1].clone()))
            }
            _ => (
                Some(middle[0].clone()),
                Some(middle[1].clone()),
                Some(middle[2..].join(" ")),
            ),
        };
        if let Some(index) = risk_column {
            if let Some(situation) = cells.get(index + 1).filter(|cell| !cell.is_empty()) {
                notes.push((
                    "リスク変化の状況".to_string(),
                    super::clean::clean_text(situation),
                ));
            }
            if let Some(measure) = cells.get(index + 2).filter(|cell| !cell.is_empty()) {
                notes.push(("リスク対策".to_string(), super::clean::clean_text(measure)));
            }
        }
        if let Some(reason) = &reason
            && let Some(captures) = REFERENCE.captures(reason)
        {
            notes.push(("参照".to_string(), format!("通番{}", &captures[1])));
        }
        let resolved = resolve_path(&path);
        let mut section_path = Vec::new();
        if let Some(jimu) = jimu {
            section_path.push(jimu.to_string());
        }
        section_path.push(super::clean::clean_text(&path));
        drafts.push(Draft {
            slot: resolved.slot,
            field: resolved.field,
            file_name: resolved.file_name,
            raw_text: after
                .clone()
                .filter(|text| !text.is_empty())
                .or(before.clone())
                .unwrap_or_default(),
            line: line_number,
            section_path,
            before_text: before,
            after_text: after,
            reason,
            risk_change,
            notes,
            split_actors: false,
            ..Draft::default()
        });
    }
    drafts
}

/// Similarity of wording from which two cells of a change row are two versions of one measure
/// rather than a measure and the reason for changing it.
const SAME_MEASURE_SIMILARITY: f64 = 0.5;

/// Whether two texts are versions of one measure: their wording (character pairs, see
/// [`crate::form::wording_similarity`]) mostly shared.
fn reads_like_one_measure(first: &str, second: &str) -> bool {
    crate::form::similar_at_least(first, second, SAME_MEASURE_SIMILARITY)
}

/// A 変更後 cell that says the measure was removed: 「削除」, 「（削除）」, 「削除。」.
fn is_deletion_marker(cell: &str) -> bool {
    let letters: String = cell
        .chars()
        .filter(|character| character.is_alphanumeric())
        .collect();
    matches!(letters.as_str(), "削除" | "削除する" | "全部削除")
}

/// Parses the rows of a 新旧対照表: No., ページ, 該当箇所, 変更後, 変更前, 変更理由/きっかけ.
pub fn parse_comparison_table(lines: &[Line]) -> Vec<Draft> {
    let lines = regroup_rows(lines, |cell| CIRCLED_ONLY.is_match(cell));
    let mut drafts = Vec::new();
    for line in &lines {
        if is_comparison_header(line) {
            continue;
        }
        let cells: Vec<String> = line
            .cells
            .iter()
            .map(|cell| cell.trim().to_string())
            .collect();
        if cells.len() < 4 || !CIRCLED_ROW.is_match(&cells[0]) {
            continue;
        }
        let number = cells[0].clone();
        let page = cells[1].clone();
        let location = cells[2].clone();
        let after = cells.get(3).cloned().unwrap_or_default();
        let before = cells.get(4).cloned().unwrap_or_default();
        let reason_cell = cells.get(5).cloned().unwrap_or_default();

        // The last column alternates reason and trigger paragraphs: 「理由」「きっかけ (日付)」.
        let paragraphs: Vec<String> = strip_markup(&reason_cell)
            .split('\n')
            .map(super::clean::clean_text)
            .filter(|part| !part.is_empty())
            .collect();
        let mut reasons = Vec::new();
        let mut triggers = Vec::new();
        for paragraph in paragraphs {
            if is_trigger(&paragraph) {
                triggers.push(paragraph);
            } else if let Some(last) = reasons.last_mut().filter(|_| paragraph.starts_with('※')) {
                *last = format!("{last}\n{paragraph}");
            } else {
                reasons.push(paragraph);
            }
        }
        // 「「裁断」は誤字であり 「細断」が正しい。  第三者点検」 arrives as one paragraph.
        if triggers.is_empty()
            && let Some(last) = reasons.pop()
        {
            match split_trailing_trigger(&last) {
                Some((reason, trigger)) => {
                    if !reason.is_empty() {
                        reasons.push(reason);
                    }
                    triggers.push(trigger);
                }
                None => reasons.push(last),
            }
        }
        let mut notes = vec![
            ("No.".to_string(), number.clone()),
            ("ページ".to_string(), super::clean::clean_text(&page)),
        ];
        for trigger in &triggers {
            if let Some(captures) = TRIGGER_DATE.captures(trigger) {
                notes.push(("きっかけ".to_string(), captures[1].trim().to_string()));
                notes.push(("日付".to_string(), captures[2].replace(' ', "")));
            } else {
                notes.push(("きっかけ".to_string(), trigger.clone()));
            }
        }
        let resolved = resolve_path(&location);
        drafts.push(Draft {
            slot: resolved.slot,
            field: resolved.field,
            file_name: None,
            raw_text: if after.is_empty() {
                before.clone()
            } else {
                after.clone()
            },
            line: line.number,
            section_path: vec![super::clean::clean_text(&location)],
            before_text: Some(before),
            after_text: Some(after),
            reason: Some(reasons.join("\n")),
            risk_change: Some(triggers.join(" / ")).filter(|text| !text.is_empty()),
            notes,
            keep_marks: true,
            ..Draft::default()
        });
    }
    drafts
}

const TRIGGER_WORDS: [&str; 5] = ["審議会", "第三者点検", "委員会", "自己点検", "意見聴取"];

fn is_trigger(paragraph: &str) -> bool {
    let short = paragraph.chars().count() <= 40;
    short
        && TRIGGER_WORDS.iter().any(|word| paragraph.contains(word))
        && !paragraph.contains("が適当")
}

fn split_trailing_trigger(paragraph: &str) -> Option<(String, String)> {
    for word in TRIGGER_WORDS {
        if let Some(stripped) = paragraph.strip_suffix(word) {
            return Some((stripped.trim().to_string(), word.to_string()));
        }
    }
    None
}

/// What a path such as 「Ⅲ … (1) 住民基本台帳ファイル 7. 特定個人情報の保管・消去 リスク1: …
/// ⑤物理的対策 具体的な対策の内容」 points to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ResolvedPath {
    pub slot: Option<String>,
    pub file_name: Option<String>,
    pub field: Option<String>,
}

static PATH_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(Ⅵ|Ⅴ|Ⅳ|Ⅲ|Ⅱ|Ⅰ|VI|IV|V|III|II|I)(?:\s|[^A-Za-z])").expect("valid regex")
});
static PATH_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]\s*\d\s*[)）]\s*([^\s0-9（(]{2,30}?ファイル)").expect("valid regex")
});
static PATH_FILE_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"ファイル名\s*([^\s0-9（(]{2,30}?ファイル)").expect("valid regex")
});
const FIELD_WORDS: [&str; 8] = [
    "具体的な対策の内容",
    "具体的な管理方法",
    "具体的な内容",
    "具体的な方法",
    "リスクに対する措置の内容",
    "手順の内容",
    "ルールの内容及びルール遵守の確認方法",
    "法令上の根拠",
];

/// Field labels that name their risk (the form prints them only under that risk), for paths
/// that skip the risk heading: 「3. 特定個人情報の使用 宛名システム等における措置の内容」.
const FIELD_SLOTS: [(&str, &str); 7] = [
    (
        "対象者以外の情報の入手を防止するための措置の内容",
        "III.2.R1",
    ),
    (
        "必要な情報以外を入手することを防止するための措置の内容",
        "III.2.R1",
    ),
    ("入手の際の本人確認の措置の内容", "III.2.R3"),
    ("個人番号の真正性確認の措置の内容", "III.2.R3"),
    ("特定個人情報の正確性確保の措置の内容", "III.2.R3"),
    ("宛名システム等における措置の内容", "III.3.R1"),
    (
        "事務で使用するその他のシステムにおける措置の内容",
        "III.3.R1",
    ),
];

/// Similarity at or above which a label counts as present in a path. High enough that
/// 「特定個人情報の使用」 is not found in 「特定個人情報の消去」 (0.75), low enough that the OCR's
/// 「保護・消去」 still finds 「保管・消去」 (0.8) and 「(別添1)事務内容」 finds 「(別添1) 事務の内容」 (0.77).
const PATH_LABEL_THRESHOLD: f64 = 0.76;

static PATH_ITEM_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s|[^\d.])(\d{1,2})\s*[.．]\s*[^\d\s]").expect("valid regex")
});

/// Resolves a path to the deepest slot whose labels appear in it (by fuzzy containment of
/// their wording), restricted to the section the path names when it names one. The item
/// numbers written in the path (「7.」) count as a match of that item.
pub fn resolve_path(path: &str) -> ResolvedPath {
    let plain =
        super::clean::join_japanese_spaces(&super::clean::clean_text(path).replace('\n', " "));
    let plain: String = plain
        .chars()
        .filter(|c| *c != MARK_START && *c != MARK_END)
        .collect();
    let section = PATH_SECTION
        .captures(&plain)
        .and_then(|captures| form::section_key(&captures[1]));
    let file_name = PATH_FILE
        .captures(&plain)
        .or_else(|| PATH_FILE_BARE.captures(&plain))
        .map(|captures| captures[1].trim().to_string());
    // The section's own title and the file name say nothing about the item: drop them so their
    // words (特定個人情報ファイルの取扱い…) do not match items.
    let mut remainder = plain.clone();
    if let Some(section) = section
        && let Some(slot) = form::slot_by_key(section)
    {
        let title = form::label_wording(slot.label);
        remainder = remainder.replacen(title, " ", 1);
    }
    if let Some(found) = PATH_FILE
        .find(&remainder)
        .or_else(|| PATH_FILE_BARE.find(&remainder))
    {
        let range = found.range();
        remainder.replace_range(range, " ");
    }
    remainder = remainder.replace("特定個人情報ファイル名", " ");
    let item_numbers: Vec<String> = PATH_ITEM_NUMBER
        .captures_iter(&remainder)
        .map(|captures| captures[1].to_string())
        .collect();
    let path_key = form::heading_key_text(&remainder);
    let field = FIELD_WORDS
        .iter()
        .chain(FIELD_SLOTS.iter().map(|(label, _)| label))
        .find(|word| path_key.ends_with(form::static_key_text(word)))
        .map(|word| word.to_string());

    // Ranked by levels matched, then fewer levels skipped, then (where a damaged path names two
    // risks) the later match, which is where the row's text belongs.
    let mut best: Option<(&'static form::Slot, PathRank)> = None;
    let mut label_scores: std::collections::HashMap<&'static str, (f64, usize)> =
        std::collections::HashMap::new();
    for slot in form::SLOTS {
        let top = slot.key.split('.').next().unwrap_or_default();
        if let Some(section) = section
            && top != section
        {
            continue;
        }
        if !slot.key.contains('.') {
            continue;
        }
        let chain: Vec<&'static str> = ancestors_below_section(slot.key);
        let mut matched = 0usize;
        let mut skipped = 0i64;
        let mut deepest_matches = false;
        let mut deepest_at = 0usize;
        let mut score_sum = 0.0f64;
        for (depth, key) in chain.iter().enumerate() {
            // Chains share their ancestors: score each label against the path once.
            let (mut score, at) = *label_scores.entry(key).or_insert_with(|| {
                let label = form::slot_by_key(key).expect("ancestor exists").label;
                fuzzy_contains(&path_key, form::static_key_text(short_wording(label)))
            });
            let is_item = depth == 0;
            let item_number = key.split('.').nth(1).unwrap_or_default();
            if is_item && item_numbers.iter().any(|number| number == item_number) {
                score = score.max(PATH_LABEL_THRESHOLD);
            }
            let is_last = depth + 1 == chain.len();
            if score >= PATH_LABEL_THRESHOLD {
                matched += 1;
                score_sum += score;
                if is_last {
                    deepest_matches = true;
                    deepest_at = at;
                }
            } else {
                skipped += 1;
            }
        }
        if !deepest_matches || matched == 0 {
            continue;
        }
        // An item matched by its number alone is not enough for a whole path.
        if chain.len() == 1
            && label_scores
                .get(slot.key)
                .map(|found| found.0)
                .unwrap_or(0.0)
                < PATH_LABEL_THRESHOLD
        {
            continue;
        }
        // Exact wording beats fuzzy wording: 「特定個人情報ファイルの取扱いの委託」 written out beats
        // 「特定個人情報ファイル名」 found in it at 0.9.
        let rank = (matched, -skipped, (score_sum * 100.0) as i64, deepest_at);
        if best.is_none_or(|(_, best_rank)| rank > best_rank) {
            best = Some((slot, rank));
        }
    }
    let mut slot = best.map(|(slot, _)| slot.key.to_string());
    // A field that names its risk decides, when the path's item agrees.
    for (label, field_slot) in FIELD_SLOTS {
        if fuzzy_contains(&path_key, form::static_key_text(label)).0 >= 0.9 {
            let item = form::parent_key(field_slot).unwrap_or_default();
            let agrees = slot.as_deref().is_none_or(|found| {
                form::is_within(found, item)
                    || form::is_within(item, found)
                    || !found.starts_with("III")
            });
            if agrees {
                slot = Some(field_slot.to_string());
            }
        }
    }
    ResolvedPath {
        slot,
        file_name,
        field,
    }
}

/// How well a slot's chain of labels fits a path: levels matched, minus levels skipped, the
/// summed similarity (×100), and where the deepest label was found.
type PathRank = (usize, i64, i64, usize);

/// A label's wording without its parenthetical: 「特定個人情報の入手(情報提供ネットワーク
/// システムを通じた入手を除く。)」 → 「特定個人情報の入手」; paths quote the short form.
fn short_wording(label: &str) -> &str {
    let wording = form::label_wording(label);
    match wording.find(['(', '（']) {
        Some(at) if at > 0 => &wording[..at],
        _ => wording,
    }
}

fn ancestors_below_section(key: &'static str) -> Vec<&'static str> {
    let mut chain = Vec::new();
    let mut current = Some(key);
    while let Some(current_key) = current {
        if current_key.contains('.') {
            chain.push(current_key);
        }
        current = form::parent_key(current_key);
    }
    chain.reverse();
    chain
}

use crate::form::fuzzy_contains;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_path_resolves_to_the_physical_measures_slot() {
        let resolved = resolve_path(
            "Ⅲ特定個人情報ファイルの取扱いプロセスにおけるリスク対策 (1) 住民基本台帳ファイル 7. 特定個人情報の保管・消去 リスク1: 特定個人情報の漏えい・滅失・毀損リスク ⑤物理的対策 具体的な対策の内容",
        );
        assert_eq!(resolved.slot.as_deref(), Some("III.7.R1.5"));
        assert_eq!(resolved.file_name.as_deref(), Some("住民基本台帳ファイル"));
        assert_eq!(resolved.field.as_deref(), Some("具体的な対策の内容"));
    }

    #[test]
    fn a_path_without_section_or_risk_still_resolves() {
        let resolved = resolve_path("7. 特定個人情報の保 管・消去  ⑤物理的対策 具体的な対策の内容");
        assert_eq!(resolved.slot.as_deref(), Some("III.7.R1.5"));
        let resolved = resolve_path("7. 特定個人情報の保護・消去 ⑥技術的対策 具体的な対策の内容");
        assert_eq!(resolved.slot.as_deref(), Some("III.7.R1.6"));
    }

    #[test]
    fn a_path_through_the_section_title_resolves_by_item_and_risk() {
        let resolved = resolve_path(
            "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策 1. 特定個人情報ファイル名（1）個人住民税ファイル 2. 特定個人情報の入手 リスク4： 特定個人情報が漏えい・紛失するリスク リスクに対する措置",
        );
        assert_eq!(resolved.slot.as_deref(), Some("III.2.R4"));
        assert_eq!(resolved.file_name.as_deref(), Some("個人住民税ファイル"));
    }

    #[test]
    fn a_path_naming_two_risks_resolves_to_the_later() {
        let resolved = resolve_path(
            "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策 1. 特定個人情報ファイル名（1）個人住民税ファイル 7. 特定個人情報の保管・消去 リスク1： 特定個人情報の漏えい・滅失・毀損リスク リスク3： 特定個人情報が消去されずいつまでも存在するリスク",
        );
        assert_eq!(resolved.slot.as_deref(), Some("III.7.R3"));
    }

    #[test]
    fn a_field_that_names_its_risk_places_a_path_without_the_risk() {
        let resolved = resolve_path(
            "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策 1. 特定個人情報ファイル名（1）滞納管理システムファイル 3. 特定個人情報の使用 宛名システム等における措置の内容",
        );
        assert_eq!(resolved.slot.as_deref(), Some("III.3.R1"));
    }

    #[test]
    fn an_ocr_damaged_other_risks_path_resolves_to_its_item() {
        let resolved = resolve_path(
            "特定個人情報の保護・消去におけるその他のリスク及びそのリスクに対する措置",
        );
        assert_eq!(resolved.slot.as_deref(), Some("III.7.other"));
        let resolved =
            resolve_path("特定個人情報の消去 ルール ルールの内容及びル ール遵守の確認方法");
        assert_eq!(resolved.slot.as_deref(), Some("III.4.5"));
    }

    #[test]
    fn a_path_to_another_section_resolves_there() {
        assert_eq!(
            resolve_path("IVその他のリスク対策 1. 監査 ②監査 具体的な内容")
                .slot
                .as_deref(),
            Some("IV.1.2")
        );
        assert_eq!(
            resolve_path("II 特定個人情報ファイルの概要 (1) 住民基本台帳ファイル 6. 特定個人情報の保管・消去 ① 保管場所").slot.as_deref(),
            Some("II.6.1")
        );
    }
}
