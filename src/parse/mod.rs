//! Parsing extracted documents into records, in two stages.
//!
//! Stage one ([`lines_of`]) turns text into raw structure: numbered lines of tab-separated
//! cells, with the BOM, CR line ends and markdown heading marks gone. Stage two recognises
//! blocks (a 全項目評価書 body, 変更点リスク評価表, 新旧対照表, ordinance excerpts), walks each
//! into [`Draft`]s, and [`finish`] turns drafts into validated [`Record`]s: one per field value
//! per actor block, with clean text, the risk's rating and a stable id.

pub mod assessment;
pub mod change_table;
pub mod clean;
pub mod cover;
pub mod losses;
pub mod repair;

use std::collections::BTreeMap;

use crate::document::DocumentMeta;
use crate::form;
use crate::record::{Record, Source, stable_id};

/// One line of the source: its 1-based number and its cells (split on tabs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub cells: Vec<String>,
}

/// A field value found by a block parser, before cleaning and actor splitting.
#[derive(Debug, Clone)]
pub struct Draft {
    pub slot: Option<String>,
    pub field: Option<String>,
    pub raw_text: String,
    pub line: usize,
    pub choice: Option<String>,
    pub file_name: Option<String>,
    pub section_path: Vec<String>,
    pub before_text: Option<String>,
    pub after_text: Option<String>,
    pub reason: Option<String>,
    pub risk_change: Option<String>,
    pub notes: Vec<(String, String)>,
    /// Overrides the document's body (ordinance excerpts of other bodies).
    pub municipality: Option<String>,
    pub doc_type: Option<String>,
    pub jimu: Option<String>,
    /// Whether the text is split into one record per actor block.
    pub split_actors: bool,
    /// Whether underline marks become `marked_spans` of the after text.
    pub keep_marks: bool,
    /// A record even without text or choice: a 基礎項目評価書's risk, answered by its 評価 alone.
    pub rating_only: bool,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            slot: None,
            field: None,
            raw_text: String::new(),
            line: 0,
            choice: None,
            file_name: None,
            section_path: Vec::new(),
            before_text: None,
            after_text: None,
            reason: None,
            risk_change: None,
            notes: Vec::new(),
            municipality: None,
            doc_type: None,
            jimu: None,
            split_actors: true,
            keep_marks: false,
            rating_only: false,
        }
    }
}

/// Why a document gave no records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing of the form, no change table and no ordinance was recognised.
    #[error(
        "{file}: nothing recognised as a 評価書, change table or ordinance ({lines} lines read)"
    )]
    NothingRecognised { file: String, lines: usize },
}

/// Stage one: numbered lines of cells.
pub fn lines_of(text: &str) -> Vec<Line> {
    join_choices_split_over_lines(split_lines(text))
}

fn split_lines(text: &str) -> Vec<Line> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .flat_map(|(index, line)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = fold_full_width_alphanumerics(line);
            // A source line can hold several rows (run together by a converter, or a whole
            // document whose line breaks were lost); each keeps the source line's number.
            let pieces =
                repair::restore_lost_line_breaks(&line).unwrap_or_else(|| vec![line.into_owned()]);
            pieces
                .into_iter()
                .flat_map(|piece| repair::repair_line(&piece))
                .map(move |row| Line {
                    number: index + 1,
                    cells: join_stray_spaces(&row)
                        .split('\t')
                        .map(|cell| cell.trim().to_string())
                        .collect(),
                })
        })
        .collect()
}

/// Most lines between a choice's brackets: the chosen option, at most a few words wrapped.
const MAX_CHOICE_LINES: usize = 3;
/// Longest option text of the form (「特に力を入れて行っている」 and the like).
const MAX_CHOICE_CHARS: usize = 32;

/// A choice printed over lines (「[」, 「自己点検」, 「]」 each on its own line, as some PDF
/// extractions and web copies give a table cell) is one cell, 「[ 自己点検 ]」 (「[ ]」 when
/// nothing is chosen), of the label line before it when that line is a label alone: the row
/// the form prints (「実施の有無\t[ 自己点検 ]」).
fn join_choices_split_over_lines(lines: Vec<Line>) -> Vec<Line> {
    let text_of = |line: &Line| -> Option<String> {
        let cells: Vec<&str> = line
            .cells
            .iter()
            .map(String::as_str)
            .filter(|cell| !cell.is_empty())
            .collect();
        match cells.as_slice() {
            [only] => Some(only.to_string()),
            _ => None,
        }
    };
    let is_open =
        |line: &Line| text_of(line).is_some_and(|text| matches!(text.as_str(), "[" | "［"));
    let is_close =
        |line: &Line| text_of(line).is_some_and(|text| matches!(text.as_str(), "]" | "］"));
    let mut output: Vec<Line> = Vec::with_capacity(lines.len());
    let mut index = 0;
    while index < lines.len() {
        let closing = is_open(&lines[index])
            .then(|| {
                (index + 1..lines.len().min(index + 2 + MAX_CHOICE_LINES))
                    .find(|&position| is_close(&lines[position]))
            })
            .flatten();
        let chosen: Option<Vec<String>> = closing.and_then(|end| {
            lines[index + 1..end]
                .iter()
                .map(|line| {
                    text_of(line).filter(|text| {
                        text.chars().count() <= MAX_CHOICE_CHARS && !text.contains(['[', ']'])
                    })
                })
                .collect()
        });
        let (Some(end), Some(chosen)) = (closing, chosen) else {
            output.push(lines[index].clone());
            index += 1;
            continue;
        };
        let cell = if chosen.is_empty() {
            "[ ]".to_string()
        } else {
            format!("[ {} ]", chosen.join(""))
        };
        let label_alone = output
            .last()
            .and_then(text_of)
            .is_some_and(|label| label.chars().count() <= 40 && !label.contains(['[', ']', '。']));
        match output.last_mut() {
            Some(previous) if label_alone => {
                previous.cells.retain(|cell| !cell.is_empty());
                previous.cells.push(cell);
            }
            _ => output.push(Line {
                number: lines[index].number,
                cells: vec![cell],
            }),
        }
        index = end + 1;
    }
    output
}

/// Full-width digits and Latin letters (「リスク１」「ＩＳＭＡＰ」) as ASCII, so that headings,
/// numbers and codes read the same in either width. Full-width punctuation is kept: it is
/// ordinary Japanese typography, and the matching code accepts both forms.
fn fold_full_width_alphanumerics(line: &str) -> std::borrow::Cow<'_, str> {
    let is_full_width = |c: char| matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ');
    if !line.chars().any(is_full_width) {
        return std::borrow::Cow::Borrowed(line);
    }
    line.chars()
        .map(|c| {
            if is_full_width(c) {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// Removes stray spaces between Japanese letters where they are layout debris: in a row's
/// first cell (its label or heading: 「④安全管理体制・規程の職 員への周知」), in a short line
/// standing alone, and in choice cells (「<選択 肢>」). Values keep their spaces, which can
/// separate items (「住基ネットGWシステム システム共通基盤」, 「課長 原 悟」), and so do list
/// items opened by a kanji numeral (「一 この条例を…」).
fn join_stray_spaces(line: &str) -> String {
    let cells: Vec<&str> = line.split('\t').collect();
    let first_filled = cells.iter().position(|cell| !cell.trim().is_empty());
    let filled = cells.iter().filter(|cell| !cell.trim().is_empty()).count();
    let mut output: Vec<String> = Vec::with_capacity(cells.len());
    for (index, cell) in cells.iter().enumerate() {
        let is_label_cell = Some(index) == first_filled && filled > 1;
        let is_short_line = filled == 1
            && cell.chars().count() <= 30
            && !cell.contains('。')
            && !cell
                .trim_start()
                .trim_start_matches("- ")
                .starts_with(['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']);
        if is_label_cell || is_short_line {
            output.push(clean::join_japanese_spaces(cell));
            continue;
        }
        // A choice list whose 「選択肢」 a space cut (joining removes spaces only, so its 肢 is
        // there already): most cells are not, and are not joined to find out.
        if cell.contains('肢') && !cell.contains("選択肢") {
            let joined = clean::join_japanese_spaces(cell);
            if joined.contains("選択肢") {
                output.push(joined);
                continue;
            }
        }
        output.push(cell.to_string());
    }
    output.join("\t")
}

/// An ordinance heading: 「○文京区個人情報の保護に関する法律施行条例」.
fn is_ordinance_heading(cell: &str) -> bool {
    cell.strip_prefix('○')
        .is_some_and(|title| title.ends_with("条例"))
}

/// Whether a one-cell line is the title of the ordinance excerpts that follow it: it speaks of
/// ordinances (条例), is not one itself, and the next line with text is an ordinance heading.
fn introduces_ordinances(cell: &str, following: &[Line]) -> bool {
    if !cell.contains("条例") || cell.starts_with('○') || cell.chars().count() > 60 {
        return false;
    }
    following
        .iter()
        .find_map(|line| line.cells.iter().find(|cell| !cell.is_empty()))
        .is_some_and(|next| is_ordinance_heading(next))
}

/// The kinds of block a document is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Assessment,
    ChangeTable { jimu: Option<String> },
    Comparison,
    Ordinance { body: String, title: String },
}

/// Parses one document into records.
pub fn parse_document(meta: &DocumentMeta, text: &str) -> Result<Vec<Record>, ParseError> {
    let lines = lines_of(text);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut ratings: BTreeMap<String, String> = BTreeMap::new();

    // Cut the lines into blocks: a table header starts a table, a title line or an ordinance
    // heading ends it.
    let mut blocks: Vec<(Block, Vec<Line>)> = vec![(Block::Assessment, Vec::new())];
    let mut pending_title: Option<String> = None;
    let mut skip_until = 0usize;
    for (index, line) in lines.iter().enumerate() {
        if index < skip_until {
            continue;
        }
        let first = line.cells.first().map(String::as_str).unwrap_or_default();
        let non_empty = line.cells.iter().filter(|cell| !cell.is_empty()).count();
        // A table header with its cells on separate lines: 「通番」「項目」「変更前」… or
        // 「No.」「ページ」「該当箇所」「変更後（現在の記載）」…, up to the first row.
        if let Some(header) = change_table::split_header_at(&lines, index) {
            skip_until = header.end;
            if let Some(block) = blocks.last_mut() {
                block.1.push(Line {
                    number: line.number,
                    cells: vec![change_table::HEADER_MARK.to_string()],
                });
            }
            if header.comparison {
                open_comparison(&mut blocks);
            } else {
                open_change_table(&mut blocks, pending_title.take());
            }
            continue;
        }
        if non_empty == 1 && first.contains("変更点リスク評価表") {
            pending_title = Some(first.to_string());
            continue;
        }
        if change_table::is_change_table_header(line) {
            open_change_table(&mut blocks, pending_title.take());
            continue;
        }
        if change_table::is_comparison_header(line) {
            open_comparison(&mut blocks);
            continue;
        }
        if let Some(title) = first
            .strip_prefix('○')
            .filter(|title| title.ends_with("条例") && non_empty == 1)
        {
            let body = ordinance_body(title).unwrap_or_else(|| meta.municipality.clone());
            blocks.push((
                Block::Ordinance {
                    body,
                    title: title.to_string(),
                },
                Vec::new(),
            ));
            continue;
        }
        // Title lines of a table document: 「素案からの変更箇所一覧 新旧対照表」.
        if non_empty == 1 && first.contains("新旧対照表") && first.chars().count() < 40 {
            continue;
        }
        // The heading of a collection of ordinance excerpts (「個人情報の保護に関する法律施行条例
        // 他区事例」, 「関係条例（抜粋）」): a line naming ordinances right before the first
        // ordinance heading (「○文京区…条例」) is that collection's title, not a record.
        if non_empty == 1 && introduces_ordinances(first, &lines[index + 1..]) {
            continue;
        }
        // Table header decoration: 「評価書の変更箇所 \t 変更経緯およびリスク評価」.
        if line
            .cells
            .iter()
            .any(|cell| cell == "評価書の変更箇所" || cell == "変更経緯およびリスク評価")
        {
            continue;
        }
        if let Some(block) = blocks.last_mut() {
            block.1.push(line.clone());
        }
    }

    for (block, block_lines) in &blocks {
        match block {
            Block::Assessment => {
                let output = assessment::parse_assessment(block_lines);
                drafts.extend(output.drafts);
                ratings.extend(output.ratings);
            }
            Block::ChangeTable { jimu } => {
                let mut rows = change_table::parse_change_table(block_lines, jimu.as_deref());
                for row in &mut rows {
                    row.jimu = jimu.as_ref().map(|jimu| format!("{jimu}に関する事務"));
                }
                drafts.extend(rows);
            }
            Block::Comparison => drafts.extend(change_table::parse_comparison_table(block_lines)),
            Block::Ordinance { body, title } => {
                drafts.extend(parse_ordinance(block_lines, body, title))
            }
        }
    }

    // What the manifest does not say, the cover may: 公表日, 評価書番号, 様式.
    let cover = cover::read_cover(text);
    let meta = &DocumentMeta {
        date: meta.date.clone().or(cover.published_as_printed),
        number: meta.number.clone().or(cover.number),
        form: meta.form.clone().or(cover.form_version),
        jimu: meta.jimu.clone().or(cover.jimu),
        ..meta.clone()
    };
    let records = finish(meta, drafts, &ratings);
    if records.is_empty() {
        return Err(ParseError::NothingRecognised {
            file: meta.file.clone(),
            lines: lines.len(),
        });
    }
    Ok(records)
}

/// Starts a 変更点リスク評価表 block, or continues the current one: a header without a new title
/// (the second line of a two-line header, a page break) or with the same title continues it.
fn open_change_table(blocks: &mut Vec<(Block, Vec<Line>)>, title: Option<String>) {
    let jimu = title.map(|title| {
        title
            .replace("変更点リスク評価表", "")
            .trim_matches(['(', ')', '（', '）', ' '])
            .to_string()
    });
    let continues = matches!(
        blocks.last().map(|block| &block.0),
        Some(Block::ChangeTable { jimu: previous }) if *previous == jimu || jimu.is_none()
    );
    if !continues {
        blocks.push((Block::ChangeTable { jimu }, Vec::new()));
    }
}

/// Starts a 新旧対照表 block unless one is open (its header repeats on every page).
fn open_comparison(blocks: &mut Vec<(Block, Vec<Line>)>) {
    if !matches!(blocks.last().map(|block| &block.0), Some(Block::Comparison)) {
        blocks.push((Block::Comparison, Vec::new()));
    }
}

/// 「文京区個人情報の保護に関する法律施行条例」 → 文京区.
fn ordinance_body(title: &str) -> Option<String> {
    let end = title.find(['都', '道', '府', '県', '市', '区', '町', '村'])?;
    let character_length = title[end..].chars().next()?.len_utf8();
    let name = &title[..end + character_length];
    (name.chars().count() >= 2 && name.chars().count() <= 10).then(|| name.to_string())
}

/// Articles of an ordinance excerpt: 「(見出し)」 then 「第九条 …」 with its items.
fn parse_ordinance(lines: &[Line], body: &str, title: &str) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut caption: Option<String> = None;
    for line in lines {
        let text = line.cells.join(" ");
        let text = text.trim().trim_start_matches("- ").trim();
        if text.is_empty() {
            continue;
        }
        if text.starts_with(['(', '（']) && text.ends_with([')', '）']) && text.chars().count() < 40
        {
            caption = Some(text.to_string());
            continue;
        }
        let starts_article = text.starts_with('第') && text.chars().take(8).any(|c| c == '条');
        if starts_article || drafts.is_empty() {
            let article: String = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            let field = match &caption {
                Some(caption) => format!("{article}{caption}"),
                None => article,
            };
            drafts.push(Draft {
                field: Some(field),
                raw_text: text.to_string(),
                line: line.number,
                section_path: vec![title.to_string()],
                municipality: Some(body.to_string()),
                doc_type: Some("条例".to_string()),
                split_actors: false,
                ..Draft::default()
            });
        } else if let Some(last) = drafts.last_mut() {
            last.raw_text.push('\n');
            last.raw_text.push_str(text);
        }
    }
    drafts
}

/// Stage two's end: drafts become records.
fn finish(
    meta: &DocumentMeta,
    drafts: Vec<Draft>,
    ratings: &BTreeMap<String, String>,
) -> Vec<Record> {
    let mut records = Vec::new();
    let mut occurrences: BTreeMap<String, usize> = BTreeMap::new();
    for draft in drafts {
        let mut blocks = if draft.split_actors {
            clean::split_by_actor(&draft.raw_text)
        } else {
            vec![clean::ActorBlock {
                actor: None,
                plain: clean::strip_markup(&draft.raw_text),
            }]
        };
        // An item answered only by its choice (「⑦バックアップ [特に力を入れて行っている]」) is a
        // record too: comparisons count choices.
        if blocks.is_empty() && (draft.choice.is_some() || draft.rating_only) {
            blocks.push(clean::ActorBlock {
                actor: None,
                plain: String::new(),
            });
        }
        let rating = draft.slot.as_deref().and_then(|slot| {
            ratings
                .iter()
                .filter(|(risk, _)| form::is_within(slot, risk))
                .max_by_key(|(risk, _)| risk.len())
                .map(|(_, rating)| rating.clone())
        });
        let choice = draft
            .choice
            .as_deref()
            .map(|printed| form::canonical_choice(draft.slot.as_deref(), printed));
        let choice_as_printed = draft
            .choice
            .clone()
            .filter(|printed| choice.as_ref() != Some(printed));
        for block in blocks {
            let text = clean::without_marks(&clean::clean_plain_text(&block.plain));
            if text.is_empty()
                && draft.choice.is_none()
                && draft.before_text.is_none()
                && !draft.rating_only
            {
                continue;
            }
            let (after_text, marked_spans) = match &draft.after_text {
                Some(after) if draft.keep_marks => {
                    let (after, spans) = clean::take_marks(&clean::clean_text(after));
                    (Some(after), spans)
                }
                Some(after) => (
                    Some(clean::without_marks(&clean::clean_text(after))),
                    Vec::new(),
                ),
                None => (None, Vec::new()),
            };
            let before_text = draft
                .before_text
                .as_ref()
                .map(|before| clean::without_marks(&clean::clean_text(before)));
            let change = change_kind(before_text.as_deref(), after_text.as_deref(), &draft.notes);
            let municipality = draft
                .municipality
                .clone()
                .unwrap_or_else(|| meta.municipality.clone());
            let is_other_body = draft.municipality.is_some() && municipality != meta.municipality;
            let slot_label = draft
                .slot
                .as_deref()
                .and_then(form::slot_by_key)
                .map(|slot| slot.label.to_string());
            let identity = [
                meta.file.as_str(),
                draft.slot.as_deref().unwrap_or("-"),
                draft.file_name.as_deref().unwrap_or("-"),
                draft.field.as_deref().unwrap_or("-"),
                block.actor.as_deref().unwrap_or("-"),
                draft
                    .notes
                    .first()
                    .map(|note| note.1.as_str())
                    .unwrap_or("-"),
            ]
            .join("\u{1f}");
            let occurrence = occurrences.entry(identity.clone()).or_default();
            *occurrence += 1;
            let id = stable_id(&[&identity, &occurrence.to_string()]);
            let jimu = draft.jimu.clone().or_else(|| meta.jimu.clone());
            records.push(Record {
                id,
                municipality,
                municipality_code: if is_other_body {
                    None
                } else {
                    meta.municipality_code.clone()
                },
                prefecture: meta.prefecture.clone(),
                doc_title: meta.title.clone(),
                doc_type: draft
                    .doc_type
                    .clone()
                    .unwrap_or_else(|| meta.doc_type.clone()),
                doc_date: meta.date.clone(),
                published: meta.date.as_deref().and_then(cover::iso_date),
                doc_number: meta.number.clone(),
                form_version: meta.form.clone(),
                jimu: jimu.clone(),
                jimu_category: jimu
                    .as_deref()
                    .and_then(crate::document::jimu_category)
                    .map(str::to_string),
                body_kind: None,
                file_name: draft.file_name.clone(),
                section_path: draft
                    .section_path
                    .iter()
                    .map(|part| clean::without_marks(part))
                    .collect(),
                slot: draft.slot.clone(),
                slot_label,
                field: draft.field.clone(),
                actor: block.actor.clone(),
                rating: rating.clone(),
                choice: choice.clone(),
                choice_as_printed: choice_as_printed.clone(),
                text,
                before_text,
                after_text,
                reason: draft
                    .reason
                    .as_ref()
                    .map(|reason| clean::clean_text(reason)),
                risk_change: draft.risk_change.clone(),
                change,
                marked_spans,
                notes: draft.notes.clone(),
                source: Source {
                    file: meta.file.clone(),
                    line: draft.line,
                    page: None,
                },
            });
        }
    }
    for record in &mut records {
        record.body_kind = crate::document::body_kind_of(record).map(str::to_string);
    }
    records
}

/// What a change-table row does to its measure: 削除 when nothing is left after it (its text is
/// what was removed), 追加 when the row had an empty 変更前 cell, otherwise 変更 (also when one
/// side was lost in extraction: the note says so). `None` for records that are not change rows.
fn change_kind(
    before: Option<&str>,
    after: Option<&str>,
    notes: &[(String, String)],
) -> Option<String> {
    let filled = |text: Option<&str>| text.is_some_and(|text| !text.trim().is_empty());
    let one_side_lost = notes.iter().any(|(label, _)| label == "注記");
    let kind = match (before, after) {
        (None, None) => return None,
        (_, _) if filled(before) && !filled(after) && !one_side_lost => "削除",
        (Some(_), _) if !filled(before) && filled(after) => "追加",
        _ => "変更",
    };
    Some(kind.to_string())
}
