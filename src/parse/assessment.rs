//! The 全項目評価書 body: headings, fields, choices and ratings, aligned to the form's slots.
//!
//! Input is the raw line structure ([`super::Line`]); output is one [`Draft`] per field value.
//! The walk keeps the form position (section, item, risk, sub-item) and the 特定個人情報ファイル
//! the block is about, so that every field value knows its slot.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::clean::{chosen_value, is_placeholder, strip_markup};
use super::{Draft, Line};
use crate::form;

static SECTION_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Ⅵ|Ⅴ|Ⅳ|Ⅲ|Ⅱ|Ⅰ|VI|IV|V|III|II|I)(?:\s|\.|\s*[^\sA-Za-z.])").expect("valid regex")
});
static ITEM_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\s*[\.．]\s*(\S.*)$").expect("valid regex"));
static RISK_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"リスク\s*(\d{1,2})\s*[:：]").expect("valid regex"));
static CIRCLED_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([①-⑳])").expect("valid regex"));
static FILE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*\d+\s*[)）]\s*").expect("valid regex"));

const RATING_LABEL: &str = "リスクへの対策は十分か";
const MEASURE_LABEL: &str = "リスクに対する措置の内容";

fn roman_to_key(roman: &str) -> &'static str {
    match roman {
        "Ⅰ" | "I" => "I",
        "Ⅱ" | "II" => "II",
        "Ⅲ" | "III" => "III",
        "Ⅳ" | "IV" => "IV",
        "Ⅴ" | "V" => "V",
        _ => "VI",
    }
}

fn circled_value(character: char) -> u32 {
    character as u32 - '①' as u32 + 1
}

/// Where the walk is in the form.
#[derive(Debug, Default)]
struct Position {
    section: Option<&'static str>,
    item: Option<&'static str>,
    risk: Option<&'static str>,
    sub: Option<&'static str>,
    file_name: Option<String>,
    awaiting_file_name: bool,
    /// A field label whose text is on the next line(s).
    awaiting_field: Option<String>,
    /// The slot of an 「その他のリスク…」 heading whose text follows on the next lines.
    other: Option<&'static str>,
    path: Vec<String>,
}

impl Position {
    fn slot(&self) -> Option<&'static str> {
        self.other
            .or(self.sub)
            .or(self.risk)
            .or(self.item)
            .or(self.section)
    }

    fn enter_section(&mut self, key: &'static str, heading: &str) {
        self.section = Some(key);
        self.item = None;
        self.risk = None;
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        self.path = vec![heading.to_string()];
    }

    fn enter_item(&mut self, key: &'static str, heading: &str) {
        self.item = Some(key);
        // The 委託 block of Ⅲ has no numbered risks: the block itself carries the rating.
        self.risk = (key == "III.4").then_some(key);
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        self.path.truncate(1);
        if let Some(file_name) = &self.file_name
            && self.section == Some("III")
        {
            self.path.push(file_name.clone());
        }
        self.path.push(heading.to_string());
    }

    fn enter_risk(&mut self, key: &'static str, heading: &str) {
        self.risk = Some(key);
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        while self.path.len() > 1
            && self
                .path
                .last()
                .is_some_and(|last| !ITEM_HEADING.is_match(last))
        {
            self.path.pop();
        }
        self.path.push(heading.to_string());
    }
}

/// Output of the walk: drafts, plus the rating chosen for each risk.
pub struct AssessmentOutput {
    pub drafts: Vec<Draft>,
    pub ratings: BTreeMap<String, String>,
}

/// Walks the lines of a 全項目評価書 (or fragments of one).
pub fn parse_assessment(lines: &[Line]) -> AssessmentOutput {
    let mut position = Position::default();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut ratings: BTreeMap<String, String> = BTreeMap::new();

    for line in lines {
        let cells: Vec<&str> = line
            .cells
            .iter()
            .map(String::as_str)
            .filter(|cell| !super::clean::is_debris_cell(cell))
            .collect();
        if cells.is_empty() {
            continue;
        }
        let first = cells[0].trim_start_matches('#').trim();
        let joined_heading = cells
            .iter()
            .map(|cell| cell.trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .join("");

        // A whole risk run together on one line (several risks, their fields and choices).
        if RISK_HEADING.find_iter(&joined_heading).count() >= 1
            && joined_heading.chars().count() > 200
            && joined_heading.contains(MEASURE_LABEL)
            && let Some(item) = position.item
        {
            parse_run_together(
                &joined_heading,
                item,
                line.number,
                &mut position,
                &mut drafts,
            );
            continue;
        }

        if let Some(captures) = SECTION_HEADING.captures(first) {
            let key = roman_to_key(&captures[1]);
            let wording = &first[captures[1].len()..];
            let section = form::slot_by_key(key).expect("section slot exists");
            let similarity = form::wording_similarity(
                &form::heading_key_text(wording),
                &form::heading_key_text(form::label_wording(section.label)),
            );
            if similarity >= 0.5 {
                position.enter_section(key, first);
                continue;
            }
        }
        if first.starts_with("(別添1)") || first.starts_with("（別添1）") {
            position.enter_section("I", "Ⅰ 基本情報");
            position.enter_item("I.annex1", first);
            continue;
        }
        if first.starts_with("(別添2)") || first.starts_with("（別添2）") {
            position.enter_section("II", "Ⅱ 特定個人情報ファイルの概要");
            position.enter_item("II.annex2", first);
            continue;
        }

        if let Some(found) = RISK_HEADING.captures(&joined_heading)
            && joined_heading.starts_with("リスク")
            && let Some(item) = position.item
        {
            let number: u32 = found[1].parse().unwrap_or(0);
            let wording = &joined_heading[found.get(0).expect("match").end()..];
            if let Some(slot) = form::match_heading(item, Some(number), wording) {
                position.enter_risk(slot.key, &super::clean::clean_text(&joined_heading));
                continue;
            }
        }

        if let Some(captures) = ITEM_HEADING.captures(&joined_heading)
            && let Some(section) = position.section
            && position.item != Some("II.annex2")
        {
            let number: u32 = captures[1].parse().unwrap_or(0);
            let wording = strip_markup(&captures[2]);
            let wording = super::clean::remove_choice_lists(&wording);
            if let Some((slot, score)) = match_item(section, number, &wording)
                && (score >= 0.45 || first.len() < joined_heading.len())
            {
                let heading = super::clean::clean_text(first);
                position.enter_item(slot.key, &heading);
                if slot.key.ends_with(".1") && slot.label.contains("ファイル名")
                    || slot.key == "I.3"
                {
                    position.awaiting_file_name = true;
                }
                continue;
            }
        }

        if first.contains("その他のリスク") && first.contains("措置") {
            if let Some(item) = position.item {
                let key = format!("{item}.other");
                if let Some(slot) = form::slot_by_key(&key) {
                    position.sub = None;
                    position.other = Some(slot.key);
                    position.awaiting_field = None;
                    let rest: Vec<&str> = cells[1..].to_vec();
                    if !rest.is_empty() {
                        push_draft(
                            &mut drafts,
                            &position,
                            None,
                            rest.join(" "),
                            line.number,
                            None,
                        );
                    }
                }
            }
            continue;
        }

        if first.contains("特定個人情報ファイル名") {
            position.awaiting_file_name = true;
            if let Some(name) = cells.get(1) {
                position.file_name = Some(file_name_of(name));
                position.awaiting_file_name = false;
            }
            continue;
        }
        if position.awaiting_file_name && cells.len() == 1 {
            position.file_name = Some(file_name_of(first));
            position.awaiting_file_name = false;
            if position.section == Some("III")
                && let Some(file_name) = &position.file_name
            {
                position.path.truncate(1);
                position.path.push(file_name.clone());
            }
            continue;
        }

        if let Some(after_label) = first.strip_prefix(RATING_LABEL) {
            let rest = cells[1..].join(" ");
            let rest = if rest.is_empty() {
                after_label.to_string()
            } else {
                rest
            };
            if let Some(risk) = position.risk
                && let Some(chosen) = chosen_value(&rest)
                && let Some(rating) = form::canonical_rating(&chosen)
            {
                ratings.insert(risk.to_string(), rating.to_string());
            }
            continue;
        }

        // A check or numbered sub-item of the current risk or item: 「⑤物理的対策 [..]」,
        // 「ユーザ認証の管理 [行っている]」, 「情報保護管理体制の確認 <text>」.
        if let Some(parent) = position.risk.or(position.item)
            && let Some(slot) = match_sub_item(parent, first)
        {
            position.sub = Some(slot.key);
            position.other = None;
            position.awaiting_field = None;
            let rest = &cells[1..];
            let choice = rest.iter().find_map(|cell| {
                cell.contains("選択肢")
                    .then(|| chosen_value(cell))
                    .flatten()
            });
            let text_cells: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|cell| !cell.contains("選択肢") && !is_bracketed_choice(cell))
                .collect();
            let label = form::label_wording(slot.label).to_string();
            if text_cells.is_empty() {
                if choice.is_some() {
                    push_draft(
                        &mut drafts,
                        &position,
                        None,
                        String::new(),
                        line.number,
                        choice,
                    );
                } else {
                    position.awaiting_field = Some(label);
                }
            } else {
                let (field, text) = split_field_label(&text_cells);
                push_draft(
                    &mut drafts,
                    &position,
                    field.or(Some(label)),
                    text,
                    line.number,
                    choice,
                );
            }
            continue;
        }

        if position.item == Some("II.annex2") {
            append_or_push(&mut drafts, &position, first, line.number, Some("記録項目"));
            continue;
        }

        if position.other.is_some() {
            push_or_extend_other(&mut drafts, &position, &cells.join(" "), line.number);
            continue;
        }

        let starts_with_empty_cell = line
            .cells
            .first()
            .is_some_and(|cell| cell.trim().is_empty());
        if cells.len() == 1 {
            if let Some(field) = position.awaiting_field.take() {
                push_draft(
                    &mut drafts,
                    &position,
                    Some(field),
                    first.to_string(),
                    line.number,
                    None,
                );
            } else if looks_like_label(first) && !starts_with_empty_cell {
                position.awaiting_field = Some(clean_label(first));
            } else {
                append_to_last(&mut drafts, first);
            }
            continue;
        }

        if !looks_like_label(first) {
            if starts_with_empty_cell {
                append_to_last(&mut drafts, &cells.join(" "));
            }
            continue;
        }
        let label = clean_label(first);
        let rest = &cells[1..];
        let choice = rest.iter().find_map(|cell| {
            cell.contains("選択肢")
                .then(|| chosen_value(cell))
                .flatten()
        });
        let text_cells: Vec<&str> = rest
            .iter()
            .copied()
            .filter(|cell| !cell.contains("選択肢") && !is_bracketed_choice(cell))
            .collect();
        if text_cells.is_empty() && choice.is_none() {
            position.awaiting_field = Some(label);
            continue;
        }
        let (inner_field, text) = split_field_label(&text_cells);
        position.awaiting_field = None;
        let field = match inner_field {
            Some(inner) => format!("{label} {inner}"),
            None => label,
        };
        push_draft(
            &mut drafts,
            &position,
            Some(field),
            text,
            line.number,
            choice,
        );
    }

    AssessmentOutput { drafts, ratings }
}

/// Items of a section, matched by wording with the number as a tie-breaker. Returns the slot
/// and the wording similarity.
fn match_item(section: &str, number: u32, wording: &str) -> Option<(&'static form::Slot, f64)> {
    let wording_key = form::heading_key_text(wording);
    let mut best: Option<(&'static form::Slot, f64)> = None;
    for slot in form::SLOTS
        .iter()
        .filter(|slot| form::parent_key(slot.key) == Some(section))
    {
        let label_key = form::heading_key_text(form::label_wording(slot.label));
        let mut score = prefix_similarity(&wording_key, &label_key);
        let slot_number = slot.key.rsplit('.').next().unwrap_or_default();
        if slot_number == number.to_string() {
            score += 0.05;
        }
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((slot, score));
        }
    }
    best.filter(|(_, score)| *score >= 0.3)
}

/// Similarity of a heading to a label, comparing the heading's start (a heading line can carry
/// choice debris after the wording: 「6. 情報提供ネットワークシステムとの接続 [○] 接続しない」).
fn prefix_similarity(heading_key: &str, label_key: &str) -> f64 {
    let label_length = label_key.chars().count();
    let prefix: String = heading_key.chars().take(label_length + 2).collect();
    form::wording_similarity(&prefix, label_key)
        .max(form::wording_similarity(heading_key, label_key))
}

fn match_sub_item(parent: &str, first_cell: &str) -> Option<&'static form::Slot> {
    let cleaned = strip_markup(first_cell);
    let cleaned = cleaned.trim().trim_end_matches('※').trim();
    let number = CIRCLED_NUMBER
        .captures(cleaned)
        .and_then(|captures| captures[1].chars().next())
        .map(circled_value);
    let wording = cleaned.trim_start_matches(|c: char| ('①'..='⑳').contains(&c));
    let has_children = form::SLOTS
        .iter()
        .any(|slot| form::parent_key(slot.key) == Some(parent));
    if !has_children {
        return None;
    }
    let wording_key = form::heading_key_text(wording);
    let mut best: Option<(&'static form::Slot, f64)> = None;
    for slot in form::SLOTS
        .iter()
        .filter(|slot| form::parent_key(slot.key) == Some(parent) && !slot.key.ends_with(".other"))
    {
        let label_key = form::heading_key_text(form::label_wording(slot.label));
        let score = form::wording_similarity(&wording_key, &label_key);
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((slot, score));
        }
    }
    match best {
        Some((slot, score)) if score >= 0.75 => Some(slot),
        // A circled number with wording close enough: ④安全管理体制・規程の職 員への周知.
        Some((slot, score)) if score >= 0.5 && number.is_some() => Some(slot),
        _ => None,
    }
}

/// A field label: short, has Japanese letters, is not a sentence.
fn looks_like_label(cell: &str) -> bool {
    let plain = strip_markup(cell);
    let plain = plain.trim();
    let length = plain.chars().count();
    let japanese = plain
        .chars()
        .filter(|c| crate::analysis::normalize::is_japanese_letter(*c))
        .count();
    (2..=60).contains(&length)
        && japanese >= 2
        && !plain.ends_with('。')
        && !plain.starts_with(['・', '<', '＜', '〈', '(', '（', '※'])
        && !plain.contains("における措置")
}

fn clean_label(cell: &str) -> String {
    let plain = super::clean::clean_text(cell);
    plain.trim_end_matches('※').trim().replace(' ', "")
}

/// A cell that is only a bracketed choice: 「[定めている]」, 「[]」, 「[○]」.
fn is_bracketed_choice(cell: &str) -> bool {
    let trimmed = strip_markup(cell);
    let trimmed = trimmed.trim();
    (trimmed.starts_with('[') && trimmed.ends_with(']') && trimmed.chars().count() <= 32)
        || is_placeholder(trimmed) && trimmed.is_empty()
}

/// Text cells may begin with a field label of their own (「\t具体的な対策の内容\t…」 or
/// 「期間\t<選択肢>」). Returns that label and the text.
fn split_field_label(text_cells: &[&str]) -> (Option<String>, String) {
    if text_cells.len() >= 2 && looks_like_label(text_cells[0]) {
        return (Some(clean_label(text_cells[0])), text_cells[1..].join(" "));
    }
    (None, text_cells.join(" "))
}

fn file_name_of(cell: &str) -> String {
    let cleaned = super::clean::clean_text(cell);
    FILE_NUMBER.replace(cleaned.trim(), "").trim().to_string()
}

fn push_draft(
    drafts: &mut Vec<Draft>,
    position: &Position,
    field: Option<String>,
    raw_text: String,
    line: usize,
    choice: Option<String>,
) {
    drafts.push(Draft {
        slot: position.slot().map(str::to_string),
        field,
        raw_text,
        line,
        choice,
        file_name: position.file_name.clone(),
        section_path: position.path.clone(),
        ..Draft::default()
    });
}

fn append_to_last(drafts: &mut [Draft], text: &str) {
    if let Some(last) = drafts.last_mut() {
        last.raw_text.push('\n');
        last.raw_text.push_str(text);
    }
}

fn append_or_push(
    drafts: &mut Vec<Draft>,
    position: &Position,
    text: &str,
    line: usize,
    field: Option<&str>,
) {
    let same_slot = drafts.last().is_some_and(|last| {
        last.slot.as_deref() == position.slot() && last.field.as_deref() == field
    });
    if same_slot {
        append_to_last(drafts, text);
    } else {
        push_draft(
            drafts,
            position,
            field.map(str::to_string),
            text.to_string(),
            line,
            None,
        );
    }
}

fn push_or_extend_other(drafts: &mut Vec<Draft>, position: &Position, text: &str, line: usize) {
    append_or_push(drafts, position, text, line, None);
}

/// A line holding one or more whole risks: 「リスク6: 不適切な方法で提供されるリスク <中間サーバー・
/// ソフトウェアにおける措置> … リスクに対する措置の内容 … リスクへの対策は十分か 2) 十分である
/// リスク7: …」. The measure label can stand anywhere inside; choice debris is dropped.
fn parse_run_together(
    text: &str,
    item: &'static str,
    line: usize,
    position: &mut Position,
    drafts: &mut Vec<Draft>,
) {
    let starts: Vec<(usize, usize, u32)> = RISK_HEADING
        .captures_iter(text)
        .map(|captures| {
            let whole = captures.get(0).expect("match");
            (whole.start(), whole.end(), captures[1].parse().unwrap_or(0))
        })
        .collect();
    for (index, (start, heading_end, number)) in starts.iter().enumerate() {
        let end = starts
            .get(index + 1)
            .map(|next| next.0)
            .unwrap_or(text.len());
        let segment = &text[*heading_end..end];
        // The heading's wording ends where the first actor block or label begins.
        let body_start = segment
            .find(['<', '〈', '＜'])
            .or_else(|| segment.find(MEASURE_LABEL))
            .unwrap_or(segment.len());
        let wording = &segment[..body_start];
        let Some(slot) = form::match_heading(item, Some(*number), wording) else {
            continue;
        };
        position.enter_risk(slot.key, &format!("リスク{number}: {}", wording.trim()));
        let _ = start;
        let body = &segment[body_start..];
        let body = match body.find(RATING_LABEL) {
            Some(at) => &body[..at],
            None => body,
        };
        let body = body.replace(MEASURE_LABEL, " ");
        push_draft(
            drafts,
            position,
            Some(MEASURE_LABEL.to_string()),
            body,
            line,
            None,
        );
    }
}
