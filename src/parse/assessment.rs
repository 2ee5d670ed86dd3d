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
/// Parts the other kinds print under their own numeral and wording, as (wording, the
/// 全項目評価書's part, the item of that part they are): 基礎項目's 「Ⅰ 関連情報」 is Ⅰ, its
/// 「Ⅱ しきい値判断項目」 and 「Ⅲ しきい値判断結果」 are the 全項目's Ⅵ 1 基礎項目評価 (which
/// records the しきい値判断), and the 「リスク対策」 of a 基礎項目 (Ⅳ) or 重点項目 (Ⅲ) holds the
/// risks of the 全項目's Ⅲ (its Ⅳ is 「その他のリスク対策」).
const KIND_SECTIONS: [(&str, &str, Option<&str>); 4] = [
    ("関連情報", "I", None),
    ("しきい値判断項目", "VI", Some("VI.1")),
    ("しきい値判断結果", "VI", Some("VI.1")),
    ("リスク対策", "III", None),
];

/// Items only the 基礎項目評価書 prints (forms.md): no 全項目 slot is their concept, so they keep
/// their heading and get none, rather than the slot of a 全項目 item whose wording shares
/// 「特定個人情報」.
const KISO_ONLY_ITEMS: [&str; 3] = [
    "提出する特定個人情報保護評価書の種類",
    "人手を介在させる作業",
    "最も優先度が高いと考えられる対策",
];

static RISK_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"リスク\s*(\d{1,2})\s*[:：]").expect("valid regex"));
static CIRCLED_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([①-⑳])").expect("valid regex"));
static FILE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]\s*\d+\s*[)）]\s*").expect("valid regex"));

const RATING_LABEL: &str = "リスクへの対策は十分か";
const MEASURE_LABEL: &str = "リスクに対する措置の内容";

/// How much two label similarities may differ and still be a tie.
const TIE: f64 = 0.01;

/// The number of a circled digit (①…⑳), if the character is one.
pub(crate) fn circled_value_of(character: char) -> Option<u32> {
    ('①'..='⑳')
        .contains(&character)
        .then(|| circled_value(character))
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
    /// A heading was just entered and no field of it has been read: loose text lines that
    /// follow start a new record of that slot instead of continuing the previous one.
    fresh: bool,
    /// Inside the 項目一覧 (table of contents) of a cover page.
    in_contents: bool,
    /// 「リスクへの対策は十分か」 stood alone; its answer is on the next line.
    awaiting_rating: bool,
    /// A risk heading whose wording may continue on the next line (「リスク4: 入手の際に特定個」
    /// 「人情報が漏えい・紛失するリスク」): the wording so far and its similarity to the label.
    heading_tail: Option<(String, f64)>,
    /// The line after a garbled heading number is its garbled wording.
    skip_fragment: bool,
    /// Under an item heading the form does not know: records get no slot.
    unknown: bool,
    /// Inside a change table annexed to the document (「（別添1） 変更箇所」) to its end.
    in_change_annex: bool,
    path: Vec<String>,
}

impl Position {
    fn slot(&self) -> Option<&'static str> {
        if self.unknown {
            return None;
        }
        self.other
            .or(self.sub)
            .or(self.risk)
            .or(self.item)
            .or(self.section)
    }

    fn enter_section(&mut self, key: &'static str, heading: &str) {
        self.unknown = false;
        self.in_change_annex = false;
        self.section = Some(key);
        self.item = None;
        self.risk = None;
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        self.fresh = true;
        self.path = vec![heading.to_string()];
    }

    /// An item heading the taxonomy does not know: kept in the path, no slot below it.
    fn enter_unknown_item(&mut self, heading: &str) {
        self.enter_heading_of_item(None, heading);
    }

    fn enter_item(&mut self, key: &'static str, heading: &str) {
        self.enter_heading_of_item(Some(key), heading);
    }

    fn enter_heading_of_item(&mut self, key: Option<&'static str>, heading: &str) {
        self.unknown = key.is_none();
        self.item = key;
        // The 委託 block of Ⅲ has no numbered risks: the block itself carries the rating.
        self.risk = key.filter(|key| *key == "III.4");
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        self.fresh = true;
        self.path.truncate(1);
        if let Some(file_name) = &self.file_name
            && self.section == Some("III")
        {
            self.path.push(file_name.clone());
        }
        self.path.push(heading.to_string());
    }

    fn enter_risk(&mut self, key: &'static str, heading: &str) {
        self.unknown = false;
        self.risk = Some(key);
        self.sub = None;
        self.other = None;
        self.awaiting_field = None;
        self.fresh = true;
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
        // The cover's 項目一覧 lists the section headings; they are not headings here.
        if first == "項目一覧" {
            position.in_contents = true;
            continue;
        }
        if position.in_contents {
            let is_contents_line = cells.len() == 1
                && (SECTION_HEADING.is_match(first)
                    || first.starts_with("(別添")
                    || first.starts_with("（別添"));
            if is_contents_line {
                continue;
            }
            position.in_contents = false;
        }
        // Option tables rendered cell by cell: 「<選択肢>」, 「1) 10人未満 \t 2) 10人以上50人未満」.
        if cells.iter().all(|cell| is_option_cell(cell)) {
            continue;
        }
        // A row-group label before a numbered item: 「再委託 \t ⑦再委託の有無 ※ \t […]」.
        let cells: Vec<&str> = if cells.len() >= 2
            && cells[0].chars().count() <= 6
            && CIRCLED_NUMBER.is_match(cells[1])
            && !CIRCLED_NUMBER.is_match(cells[0])
        {
            cells[1..].to_vec()
        } else {
            cells
        };
        let first = cells[0].trim_start_matches('#').trim();
        let joined_heading = cells
            .iter()
            .map(|cell| cell.trim_start_matches('#').trim())
            .collect::<Vec<_>>()
            .join("");

        // The annexed change table runs to the document's end: the headings its rows cite
        // (「Ⅱ しきい値判断項目 1. 対象人数」) are the places they change, not this document's parts.
        if position.in_change_annex {
            // A row starts with its 変更日; what follows until the next date is the same row
            // (its cells wrapped or cut where they name a heading).
            let text = cells.join(" ");
            let starts_a_row = drafts
                .last()
                .is_none_or(|last| last.section_path != position.path)
                || first.starts_with("変更日")
                || crate::parse::cover::iso_date(first).is_some();
            if starts_a_row {
                push_draft(&mut drafts, &position, None, text, line.number, None);
            } else if let Some(last) = drafts.last_mut() {
                last.raw_text.push(' ');
                last.raw_text.push_str(&text);
            }
            continue;
        }

        // A garbled heading: a number with no words (「0.7」), its wording OCR noise on the
        // same line or, with cells on separate lines, the next one (「の歩のロフカ製体」).
        if GARBLED_NUMBER.is_match(first) {
            position.skip_fragment = cells.len() == 1;
            continue;
        }
        if std::mem::take(&mut position.skip_fragment)
            && cells.len() == 1
            && !looks_like_label(first)
        {
            continue;
        }

        // The rest of a risk heading wrapped onto this line.
        if let Some((so_far, similarity)) = position.heading_tail.take()
            && cells.len() == 1
            && let Some(risk) = position.risk
            && let Some(slot) = form::slot_by_key(risk)
        {
            let joined = format!("{so_far}{first}");
            let joined_similarity = form::wording_similarity(
                &form::heading_key_text(&joined),
                form::static_key_text(form::label_wording(slot.label)),
            );
            if joined_similarity > similarity + 0.05 {
                if let Some(last) = position.path.last_mut() {
                    last.push_str(first);
                }
                continue;
            }
        }

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
            let key = form::section_key(&captures[1]).unwrap_or("VI");
            let wording = &first[captures[1].len()..];
            let wording_key = form::heading_key_text(wording);
            // The parts the 基礎項目評価書 and the 重点項目評価書 number otherwise: the same part of
            // the 全項目評価書 by its wording (see `KIND_SECTIONS`).
            if let Some((_, section, item)) = KIND_SECTIONS
                .iter()
                .find(|(printed, _, _)| wording_key == *printed)
            {
                position.enter_section(section, first);
                if let Some(item) = item {
                    position.enter_item(item, first);
                    // The part's heading is its item's: one line of the path, not two.
                    position.path.truncate(1);
                }
                continue;
            }
            let section = form::slot_by_key(key).expect("section slot exists");
            let similarity = form::wording_similarity(
                &wording_key,
                form::static_key_text(form::label_wording(section.label)),
            );
            if similarity >= 0.5 {
                position.enter_section(key, first);
                continue;
            }
            // A part whose numeral differs from the 全項目評価書's (重点項目's 「Ⅳ 開示請求、問合せ」
            // is its Ⅴ): the part whose wording it is.
            if let Some(other) = ["I", "II", "III", "IV", "V", "VI"]
                .into_iter()
                .filter_map(form::slot_by_key)
                .find(|other| {
                    form::wording_similarity(
                        &wording_key,
                        form::static_key_text(form::label_wording(other.label)),
                    ) >= 0.8
                })
            {
                position.enter_section(other.key, first);
                continue;
            }
        }
        // A change table annexed to the document (基礎項目's 「（別添1） 変更箇所」, 全項目's
        // （別添3））: its rows name the places they change; they are kept under the annex's
        // heading, no slot, and no heading in their cells is taken for the document's own.
        if (first.starts_with("(別添") || first.starts_with("（別添")) && first.contains("変更箇所")
        {
            position.section = None;
            position.in_change_annex = true;
            // The heading alone is the annex's name; on a line whose breaks were lost, what
            // follows it is the table's first row.
            let line_text = cells.join(" ");
            let (heading, rest) = match line_text.find("変更箇所") {
                Some(at) => line_text.split_at(at + "変更箇所".len()),
                None => (line_text.as_str(), ""),
            };
            position.enter_unknown_item(heading.trim());
            position.path = vec![heading.trim().to_string()];
            if !rest.trim().is_empty() {
                push_draft(
                    &mut drafts,
                    &position,
                    None,
                    rest.trim().to_string(),
                    line.number,
                    None,
                );
            }
            continue;
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
                let similarity = form::wording_similarity(
                    &form::heading_key_text(wording),
                    form::static_key_text(form::label_wording(slot.label)),
                );
                position.heading_tail =
                    (similarity < 0.95).then(|| (wording.to_string(), similarity));
                continue;
            }
        }

        if position.section.is_none()
            && let Some(captures) = ITEM_HEADING.captures(&joined_heading)
            && let Some(section) = infer_section(&captures[1], &captures[2])
        {
            // Fragments without their section heading (熊本県's Ⅰ starts at 3.): the item's
            // wording and number tell the section.
            let heading = form::slot_by_key(section)
                .map(|slot| slot.label)
                .unwrap_or(section);
            position.enter_section(section, heading);
        }
        if let Some(captures) = ITEM_HEADING.captures(&joined_heading)
            && let Some(section) = position.section
            && position.item != Some("II.annex2")
        {
            let number: u32 = captures[1].parse().unwrap_or(0);
            let wording = strip_markup(&captures[2]);
            let wording = super::clean::remove_choice_lists(&wording);
            // 重点項目 and 基礎項目 put 監査 and 教育・啓発 under their risk section (Ⅲ 8, 9 or
            // Ⅳ 9, 10): the same concepts as the 全項目's Ⅳ 1 and 2.
            // Likewise 基礎項目's Ⅰ 7 and 8 (開示・訂正・利用停止請求, 問合せ) are the 全項目's Ⅴ 1 and 2.
            let in_section = match_item(section, number, &wording);
            let elsewhere = match section {
                "III" => Some("IV"),
                "I" => Some("V"),
                _ => None,
            };
            let moved = elsewhere
                .and_then(|other| Some((other, match_item(other, 0, &wording)?)))
                .filter(|(_, (_, score))| *score >= 0.6)
                .filter(|(_, (_, score))| in_section.is_none_or(|(_, own)| *score > own));
            if let Some((other, (slot, _))) = moved {
                let heading = super::clean::clean_text(first);
                let file_name = position.file_name.clone();
                let section_heading = form::slot_by_key(other).map_or(other, |slot| slot.label);
                position.enter_section(other, section_heading);
                position.file_name = file_name;
                position.enter_item(slot.key, &heading);
                continue;
            }
            // A heading of the risk sections that the form's taxonomy does not know
            // (基礎項目's 「8. 人手を介在させる作業」, a newer 様式's item): its records keep the
            // heading in their path and get no slot, rather than the previous item's.
            let wording_key = form::heading_key_text(&wording);
            let kiso_only = KISO_ONLY_ITEMS
                .iter()
                .any(|item| wording_key.starts_with(item));
            let unknown_heading = kiso_only
                || matches!(section, "III" | "IV")
                    && cells.iter().skip(1).all(|cell| cell.trim().is_empty())
                    && !wording.contains('。')
                    && wording.chars().count() <= 40
                    && in_section.is_none_or(|(_, score)| score < 0.45);
            if unknown_heading {
                position.enter_unknown_item(&super::clean::clean_text(first));
                continue;
            }
            if let Some((slot, score)) = in_section
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

        // A 基礎項目評価書 names each risk in its question: 「目的外の入手が行われるリスクへの対策
        // は十分か [十分である]」. The answer is that risk's 評価, and the risk's one record.
        if let Some(risk_wording) = first
            .strip_suffix("への対策は十分か")
            .map(str::trim)
            .filter(|wording| wording.chars().count() > "リスク".chars().count() + 2)
            && let Some(item) = position.item
            && let Some(slot) = form::match_heading(item, None, risk_wording)
        {
            position.enter_risk(slot.key, &super::clean::clean_text(risk_wording));
            let rest = cells[1..].join(" ");
            if let Some(chosen) = chosen_value(&rest)
                && let Some(rating) = form::canonical_rating(&chosen)
            {
                ratings.insert(slot.key.to_string(), rating.to_string());
                drafts.push(Draft {
                    slot: Some(slot.key.to_string()),
                    line: line.number,
                    file_name: position.file_name.clone(),
                    section_path: position.path.clone(),
                    rating_only: true,
                    split_actors: false,
                    ..Draft::default()
                });
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
            // Cells on separate lines: the answer is on the next line.
            position.awaiting_rating = rest.trim().is_empty();
            continue;
        }

        // One checkbox with its label on a line of its own: 「[○] 接続しない(入手)」.
        if cells.len() == 1 && CHECKBOX_LINE.is_match(first) {
            continue;
        }

        // A choice cell on a line of its own (cells on separate lines, or a choice list that
        // wrapped): it answers the rating or the item just named, and is never text.
        let is_choice_line = cells.len() == 1
            && (is_bracketed_choice(first)
                || first.contains("選択肢")
                    && (first.starts_with(['[', '<', '【', '「', '(', '（'])
                        || super::clean::clean_text(first).is_empty()));
        if is_choice_line {
            // The cover has no choices: 「[令和6年10月 様式4]」 there is the form's version.
            if position.section.is_none() {
                position.awaiting_field = None;
                continue;
            }
            let chosen = chosen_value(first);
            if std::mem::take(&mut position.awaiting_rating) {
                if let Some(risk) = position.risk
                    && let Some(rating) = chosen.as_deref().and_then(form::canonical_rating)
                {
                    ratings.insert(risk.to_string(), rating.to_string());
                }
            } else if chosen.is_some()
                && let Some(label) = position.awaiting_field.take()
            {
                position.fresh = false;
                let names_the_item = position
                    .sub
                    .and_then(form::slot_by_key)
                    .is_some_and(|slot| form::label_wording(slot.label) == label);
                let field = (!names_the_item).then_some(label);
                push_draft(
                    &mut drafts,
                    &position,
                    field,
                    String::new(),
                    line.number,
                    chosen,
                );
            }
            continue;
        }
        position.awaiting_rating = false;

        // 「委託事項1」「提供先2」: a group of numbered items repeats under the item.
        if GROUP_HEADER.is_match(first) && position.item.is_some() {
            position.sub = None;
            position.other = None;
            position.awaiting_field = None;
            position.fresh = false;
            let text = cells[1..].join(" ");
            if text.is_empty() {
                position.awaiting_field = Some(clean_label(first));
            } else {
                push_draft(
                    &mut drafts,
                    &position,
                    Some(clean_label(first)),
                    text,
                    line.number,
                    None,
                );
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
            let choice = choice_of(rest);
            let text_cells = text_cells_of(rest);
            let label = form::label_wording(slot.label).to_string();
            position.fresh = false;
            // 「②保管期間 \t 期間 \t <選択肢>」: the remaining cell is a field label, not text.
            let text_cells = if text_cells.len() == 1
                && looks_like_label(text_cells[0])
                && choice.is_none()
                && rest.len() > 1
            {
                Vec::new()
            } else {
                text_cells
            };
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
        // The form's own fixed wording, not a body's text.
        if super::clean::join_japanese_spaces(first)
            .starts_with("委託先による特定個人情報の不正入手")
        {
            continue;
        }
        // Cover labels stand alone on their line; the value follows.
        if cells.len() <= 2 && is_cover_label(first) {
            position.awaiting_field = Some(clean_label(first));
            // A value that only completes the label (「評価実施機関 \t 関名」) is the label split
            // over two cells, not a value.
            let completes_label = |value: &&str| is_cover_label(&format!("{first}{value}"));
            if let Some(value) = cells
                .get(1)
                .filter(|value| !is_cover_label(value) && !completes_label(value))
            {
                position.awaiting_field = None;
                push_draft(
                    &mut drafts,
                    &position,
                    Some(clean_label(first)),
                    value.to_string(),
                    line.number,
                    None,
                );
            }
            continue;
        }
        let ends_with_empty_cell =
            line.cells.len() > 1 && line.cells.last().is_some_and(|cell| cell.trim().is_empty());
        if cells.len() == 1 {
            // 「③期間を短縮する特段の理由 \t」 then 「④主な意見の内容 \t」: an empty field, then
            // the next label, not its value.
            let is_empty_field = looks_like_label(first) && ends_with_empty_cell;
            // With cells on separate lines a field label follows its item's label directly
            // (「⑤物理的対策」「具体的な対策の内容」): the later label is the field.
            let is_next_label = is_field_label(first);
            // Cover values are sentences, long titles or a body's name; fragments of a damaged
            // label (「関名」「個人のプライ」) are not.
            let is_cover_fragment = position.section.is_none()
                && position.awaiting_field.is_some()
                && !first.ends_with('。')
                && first.chars().count() < 20
                && crate::bodies::body_named(first).is_none();
            if is_cover_fragment {
                continue;
            }
            if (is_empty_field || is_next_label) && position.awaiting_field.is_some() {
                position.awaiting_field = Some(clean_label(first));
            } else if let Some(field) = position.awaiting_field.take() {
                position.fresh = false;
                push_draft(
                    &mut drafts,
                    &position,
                    Some(field),
                    first.to_string(),
                    line.number,
                    None,
                );
            } else if looks_like_label(first) && (!starts_with_empty_cell || ends_with_empty_cell) {
                let label = clean_label(first);
                if label == "その他の措置の内容" {
                    position.sub = None;
                }
                position.awaiting_field = Some(label);
            } else if position.fresh {
                position.fresh = false;
                push_draft(
                    &mut drafts,
                    &position,
                    None,
                    first.to_string(),
                    line.number,
                    None,
                );
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
        let choice = choice_of(rest);
        let text_cells = text_cells_of(rest);
        // Before the first section is the cover: damaged extractions split its labels over two
        // cells (「個人のプライ \t バシー等の権利利益の保護の宣言」); keep only real values.
        let cover_label_only = position.section.is_none()
            && text_cells
                .iter()
                .all(|cell| looks_like_label(cell) && cell.chars().count() < 30);
        if cover_label_only {
            continue;
        }
        // 「その他の措置の内容」 closes a risk: it belongs to the risk, not to its last check.
        if label == "その他の措置の内容" {
            position.sub = None;
        }
        position.fresh = false;
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
        let label_key = form::static_key_text(form::label_wording(slot.label));
        let mut score = prefix_similarity(&wording_key, label_key);
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
    // Of labels the wording is equally like (事務の概要: 事務の名称 and 事務の内容 alike), the one
    // with the heading's own number.
    let numbered = |slot: &form::Slot| {
        number.is_some_and(|number| {
            slot.label.chars().next().map(circled_value_of) == Some(Some(number))
        })
    };
    for slot in form::SLOTS
        .iter()
        .filter(|slot| form::parent_key(slot.key) == Some(parent) && !slot.key.ends_with(".other"))
    {
        let label_key = form::static_key_text(form::label_wording(slot.label));
        let score = form::wording_similarity(&wording_key, label_key);
        let better = best.is_none_or(|(best_slot, best_score)| {
            score > best_score + TIE
                || (score >= best_score - TIE && numbered(slot) && !numbered(best_slot))
        });
        if better {
            best = Some((slot, score));
        }
    }
    // An item another kind of 評価書 prints under another heading of the same section
    // (基礎項目's 1 ③システムの名称, 全項目's 2 ①システムの名称): the slot of that wording in the
    // section, when no child of this heading is like it.
    // Only a numbered item: an unnumbered line under an item is one of its fields (熊本県's
    // 「対象となる本人の数」 under the 委託's ②).
    if number.is_some()
        && best.is_none_or(|(_, score)| score < 0.5)
        && let Some(section) = parent.split('.').next()
    {
        let elsewhere = form::SLOTS
            .iter()
            .filter(|slot| {
                slot.key.starts_with(&format!("{section}.")) && slot.key.matches('.').count() == 2
            })
            .map(|slot| {
                let label_key = form::static_key_text(form::label_wording(slot.label));
                (slot, form::wording_similarity(&wording_key, label_key))
            })
            .filter(|(_, score)| *score >= 0.95)
            .max_by(|left, right| left.1.total_cmp(&right.1));
        if let Some((slot, _)) = elsewhere {
            return Some(slot);
        }
    }
    // A numbered item of the form named without its number needs near-exact wording:
    // 「委託の有無」 is not 「⑦再委託の有無」 (0.8).
    let unnumbered_for_numbered = number.is_none()
        && best.is_some_and(|(slot, _)| slot.label.starts_with(|c: char| ('①'..='⑳').contains(&c)));
    let needed = if unnumbered_for_numbered { 0.9 } else { 0.75 };
    match best {
        Some((slot, score)) if score >= needed => Some(slot),
        // A circled number with wording close enough: ④安全管理体制・規程の職 員への周知.
        Some((slot, score)) if score >= 0.5 && number.is_some() => Some(slot),
        _ => None,
    }
}

static GROUP_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:委託事項|提供先|移転先)\s*\d+$").expect("valid regex"));
static OPTION_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[<＜(（C]?\s*選択肢\s*[>＞)）]|\d\s*\)\s*\S.{0,30})$").expect("valid regex")
});

/// The cells of a row that hold text: not the choice list, the bracketed answer or an option.
fn text_cells_of<'a>(cells: &[&'a str]) -> Vec<&'a str> {
    cells
        .iter()
        .copied()
        .filter(|cell| {
            !cell.contains("選択肢") && !is_bracketed_choice(cell) && !is_option_cell(cell)
        })
        .collect()
}

/// The option chosen in a row's cells: a bracketed cell of its own (「[制限している]」 beside
/// 「<選択肢> …」) or the value before the list in the same cell.
fn choice_of(cells: &[&str]) -> Option<String> {
    let bracketed = cells
        .iter()
        .filter(|cell| is_bracketed_choice(cell))
        .find_map(|cell| chosen_value(cell));
    bracketed.or_else(|| {
        cells
            .iter()
            .filter(|cell| cell.contains("選択肢"))
            .find_map(|cell| chosen_value(cell))
    })
}

static GARBLED_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d+\.\d+$").expect("valid regex"));
static CHECKBOX_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[[^\]]{0,4}\]\s*[^\[\]\s]{1,20}$").expect("valid regex"));

/// A field label of the form (「具体的な対策の内容」「使用部署 ※」「④主な意見の内容」): label-like
/// and shaped like the form's field names, so it can be told from a short value.
fn is_field_label(cell: &str) -> bool {
    let plain = strip_markup(cell);
    let plain = plain.trim();
    let numbered =
        CIRCLED_NUMBER.is_match(plain) && !plain.contains('。') && plain.chars().count() <= 40;
    if numbered {
        return true;
    }
    let endings = ["内容", "方法", "妥当性", "必要性", "理由", "※"];
    looks_like_label(plain)
        && plain.chars().count() <= 40
        && endings.iter().any(|ending| plain.ends_with(ending))
}

/// Labels of the cover page (表紙), which hold no form slot.
const COVER_LABELS: [&str; 9] = [
    "特定個人情報保護評価書(全項目評価書)",
    "評価書番号",
    "評価書名",
    "個人のプライバシー等の権利利益の保護の宣言",
    "特記事項",
    "評価実施機関名",
    "特定個人情報保護委員会承認日【行政機関等のみ】",
    "個人情報保護委員会承認日【行政機関等のみ】",
    "公表日",
];

/// Whether a cell is (a possibly damaged) cover label.
fn is_cover_label(cell: &str) -> bool {
    let key = form::heading_key_text(cell);
    !key.is_empty()
        && COVER_LABELS
            .iter()
            .any(|label| form::similar_at_least(&key, form::static_key_text(label), 0.8))
}

/// A cell that is one option of a choice list or the list marker alone.
fn is_option_cell(cell: &str) -> bool {
    let plain = strip_markup(cell);
    let plain = plain.trim();
    !plain.is_empty() && OPTION_CELL.is_match(plain) && !plain.contains('。')
}

/// The section of an item heading found before any section heading: the section whose item of
/// that number has the closest wording.
fn infer_section(number: &str, wording: &str) -> Option<&'static str> {
    let number: u32 = number.parse().ok()?;
    let mut best: Option<(&'static str, f64)> = None;
    for section in ["I", "II", "III", "IV", "V", "VI"] {
        if let Some((slot, score)) = match_item(section, number, wording)
            && slot.key.rsplit('.').next() == Some(number.to_string().as_str())
            && best.is_none_or(|(_, best_score)| score > best_score)
        {
            best = Some((section, score));
        }
    }
    best.filter(|(_, score)| *score >= 0.6)
        .map(|(section, _)| section)
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
        && !plain.starts_with(['・', '<', '＜', '〈', '(', '（', '※', '-'])
        && !plain.contains('、')
        && !super::clean::ACTOR_HEADING.is_match(plain)
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
    let Some(last) = drafts.last_mut() else {
        return;
    };
    // A cell wrapped mid-sentence (「…を維持し」「た行政専用の…」) continues the sentence; a
    // new bullet or sentence starts a new line.
    let previous = last.raw_text.trim_end().chars().last();
    let next = text.trim_start().chars().next();
    let mid_sentence = previous.is_some_and(|c| {
        crate::analysis::normalize::is_japanese_letter(c) || matches!(c, ')' | '）')
    }) && next.is_some_and(|c| {
        crate::analysis::normalize::is_japanese_letter(c) && !('①'..='⑳').contains(&c)
    });
    if mid_sentence {
        last.raw_text = format!("{}{}", last.raw_text.trim_end(), text.trim_start());
    } else {
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
    for (index, (_, heading_end, number)) in starts.iter().enumerate() {
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
