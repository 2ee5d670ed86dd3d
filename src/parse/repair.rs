//! Damage that extractors and converters do to a whole document, undone before parsing:
//! letter-spaced Japanese (「窓 口 の 受 付」) and rows of the form run together on one line
//! (two rows joined, or the whole document on one line).
//!
//! Both repairs work on one source line at a time and keep its number, so records still cite
//! the line they came from. A row boundary is only ever made where the form's own vocabulary
//! stands: a heading (Ⅲ, 「2.」, 「(1)」, 「リスク1：」, 「⑤」) or a field label the form prints
//! (「リスクへの対策は十分か」, 「具体的な管理方法」, a slot's label), never at an arbitrary gap.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::form;

/// Labels the form prints at the start of a row, besides the slots' own labels.
const FIELD_LABELS: [&str; 29] = [
    "リスクへの対策は十分か",
    "リスクに対する措置の内容",
    "その他の措置の内容",
    "具体的な方法",
    "具体的な管理方法",
    "具体的な対策の内容",
    "具体的な制限方法",
    "具体的な保管方法",
    "具体的な内容",
    "手順の内容",
    "規定の内容",
    "その妥当性",
    "その内容",
    "再発防止策の内容",
    "対象となる本人の数",
    "対象となる本人の範囲",
    "法令上の根拠",
    "ルールの内容及びルール遵守の確認方法",
    "ルール内容及びルール遵守の確認方法",
    "委託元と委託先間の提供に関するルールの内容及びルール遵守の確認方法",
    "委託先から他者への提供に関するルールの内容及びルール遵守の確認方法",
    "対象者以外の情報の入手を防止するための措置の内容",
    "必要な情報以外を入手することを防止するための措置の内容",
    "入手の際の本人確認の措置の内容",
    "個人番号の真正性確認の措置の内容",
    "特定個人情報の正確性確保の措置の内容",
    "宛名システム等における措置の内容",
    "事務で使用するその他のシステムにおける措置の内容",
    "情報保護管理体制の確認",
];

/// Every label that starts a row, as [`form::heading_key_text`] keys.
static ROW_LABELS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut labels: HashSet<String> = FIELD_LABELS
        .iter()
        .map(|label| form::heading_key_text(label))
        .collect();
    for slot in form::SLOTS {
        labels.insert(form::heading_key_text(slot.label));
        labels.insert(form::heading_key_text(form::label_wording(slot.label)));
    }
    labels.retain(|label| label.chars().count() >= 3);
    labels
});

/// Headings of the form: a section (Ⅲ), an item (「2.」), a file (「(1)」), a risk
/// (「リスク1：」) or a numbered sub-item (「⑤」).
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    headings(&[
        SECTION_START,
        ITEM_START,
        FILE_START,
        RISK_START,
        CIRCLED_START,
    ])
});

/// Headings that stand alone on their row (a risk, an item, a file): what follows them on the
/// same line is a new row even when it looks like a value.
static STANDALONE_HEADING: LazyLock<Regex> =
    LazyLock::new(|| headings(&[SECTION_START, ITEM_START, FILE_START, RISK_START]));

/// Headings that can end a line with nothing after them: a section, an item or a risk.
static TRAILING_HEADING: LazyLock<Regex> =
    LazyLock::new(|| headings(&[SECTION_START, ITEM_START, RISK_START]));

/// How each kind of heading starts: 「Ⅲ 特定…」, 「2. 特定…」, 「(1) 住民…」, 「リスク1：」, 「⑤物理…」.
const SECTION_START: &str = r"(?:Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)\s*\S";
const ITEM_START: &str = r"\d{1,2}\s*[\.．]\s*[^\d\s]";
const FILE_START: &str = r"[（(]\s*\d{1,2}\s*[)）]\s*\S";
const RISK_START: &str = r"リスク\s*\d{1,2}\s*[:：]";
const CIRCLED_START: &str = r"[①-⑳]\s*\S";

/// A text starting with one of these kinds of heading.
fn headings(starts: &[&str]) -> Regex {
    Regex::new(&format!("^(?:{})", starts.join("|"))).expect("valid regex")
}

/// Rows of change tables start with their number (「98」, 「②」): their cells hold whole form
/// paths (「… ⑤物理的対策 具体的な対策の内容」) that must not be cut.
static TABLE_ROW_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{1,4}|[①-⑳])$").expect("valid regex"));

/// A heading's number alone (「1.」「(1)」「リスク1：」「⑤」「Ⅲ」): what stands before the
/// wording of one heading, not the end of another row.
static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ|\d{1,2}\s*[\.．]|[（(]\s*\d{1,2}\s*[)）]|リスク\s*\d{1,2}\s*[:：]|[①-⑳])$")
        .expect("valid regex")
});

/// The longest text taken for a heading standing at the end of a cell.
const HEADING_CHARS: usize = 60;

/// Page markers and viewer chrome that extraction leaves on lines of their own: 「12 / 72」,
/// 「- 3 -」, 「3ページ」, 「Page 3 of 10」, 「ページの先頭へ」, 「印刷する」. A bare number is not
/// one: it is a cell's value when cells stand on lines of their own (「評価書番号」「1」).
static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:[-－–—]\s*\d{1,4}\s*[-－–—]|\d{1,4}\s*[/／]\s*\d{1,4}(?:\s*ページ)?|\d{1,4}\s*ページ|page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|ページの(?:先頭|トップ)へ(?:戻る)?|このページの(?:先頭|トップ)へ(?:戻る)?|印刷(?:する)?|前のページ(?:へ)?|次のページ(?:へ)?|閉じる)$",
    )
    .expect("valid regex")
});

/// Whether a whole line is a page marker or viewer chrome, never document text.
pub fn is_page_marker(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.contains('\t') && PAGE_MARKER.is_match(trimmed)
}

/// One source line as the rows it holds, letter spacing undone; a page marker holds none.
pub fn repair_line(line: &str) -> Vec<String> {
    if is_page_marker(line) {
        return Vec::new();
    }
    let cells: Vec<String> = line.split('\t').map(undo_letter_spacing).collect();
    split_rows(cells)
        .into_iter()
        .map(|row| row.join("\t"))
        .collect()
}

/// Whether a cell is letter-spaced: most of its space-separated pieces are one character.
fn is_letter_spaced(cell: &str) -> bool {
    let pieces: Vec<&str> = cell.split(' ').filter(|piece| !piece.is_empty()).collect();
    if pieces.len() < 6 {
        return false;
    }
    let single = pieces
        .iter()
        .filter(|piece| piece.chars().count() == 1)
        .count();
    single * 10 >= pieces.len() * 7
}

/// 「窓 口 の 受 付」 → 「窓口の受付」: single spaces between characters go; a wider gap (two or
/// more spaces, a word space in letter-spaced print) stays as one space.
fn undo_letter_spacing(cell: &str) -> String {
    if !is_letter_spaced(cell) {
        return cell.to_string();
    }
    let mut output = String::with_capacity(cell.len());
    let mut spaces = 0;
    for character in cell.chars() {
        if character == ' ' {
            spaces += 1;
            continue;
        }
        if spaces >= 2 && !output.is_empty() {
            output.push(' ');
        }
        spaces = 0;
        output.push(character);
    }
    output
}

/// 「特定個人情報の使用におけるその他のリスク及びそのリスクに対する措置」 and its kin: each item
/// of Ⅲ closes with one, its wording varying with the item.
static OTHER_RISKS_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:特定個人情報|情報提供|委託)\S{0,40}その他のリスク及びそのリスクに対する措置$")
        .expect("valid regex")
});

/// The last characters of the labels: a text ending otherwise is no label, which is decided
/// without normalising it (the cut search tries many tails of every long cell).
static LABEL_ENDINGS: LazyLock<HashSet<char>> = LazyLock::new(|| {
    let mut endings: HashSet<char> = ROW_LABELS
        .iter()
        .filter_map(|label| label.chars().last())
        .collect();
    endings.insert('置');
    // Width variants normalise to these.
    let folded: Vec<char> = endings
        .iter()
        .flat_map(|ending| {
            crate::analysis::normalize(&ending.to_string())
                .as_str()
                .chars()
                .collect::<Vec<_>>()
        })
        .collect();
    endings.extend(folded);
    endings
});

/// Whether a text is a label the form prints at the start of a row.
fn is_row_label(text: &str) -> bool {
    let text = text.trim().trim_end_matches(['※', '*']);
    let Some(last) = text.chars().last() else {
        return false;
    };
    // Only compatibility and full-width forms (U+F900 and above) change when normalised.
    let last = if LABEL_ENDINGS.contains(&last) || (last as u32) < 0xF900 {
        last
    } else {
        // A full-width or compatibility form of an ending.
        match crate::analysis::normalize(&last.to_string())
            .as_str()
            .chars()
            .last()
        {
            Some(folded) => folded,
            None => return false,
        }
    };
    LABEL_ENDINGS.contains(&last)
        && text.chars().count() <= HEADING_CHARS
        && (ROW_LABELS.contains(&form::heading_key_text(text)) || OTHER_RISKS_LABEL.is_match(text))
}

/// Whether a text is a heading of the form (short, not a sentence).
fn is_heading(text: &str) -> bool {
    let text = text.trim();
    HEADING.is_match(text) && text.chars().count() <= HEADING_CHARS && !text.ends_with('。')
}

/// Whether a text starts a row of the form: a heading or a field label.
pub(crate) fn is_row_start(text: &str) -> bool {
    is_row_label(text) || is_heading(text)
}

/// Cuts a line's cells into rows where a row of the form starts: inside a cell, before a
/// label or heading that runs to the cell's end (「…確認を行う。 その他の措置の内容」, the next
/// cell being its value); and at a cell that starts a row after a standalone heading, or that
/// is itself a label (a label is never another label's value).
fn split_rows(cells: Vec<String>) -> Vec<Vec<String>> {
    let first = cells.first().map(|cell| cell.trim()).unwrap_or_default();
    if cells.len() < 2 || TABLE_ROW_NUMBER.is_match(first) {
        return vec![cells];
    }
    let mut rows: Vec<Vec<String>> = vec![Vec::new()];
    let filled: Vec<bool> = cells.iter().map(|cell| !cell.trim().is_empty()).collect();
    for (index, cell) in cells.into_iter().enumerate() {
        // Rows end inside a cell only where a value follows (the last label's).
        let followed = filled.get(index + 1).copied().unwrap_or(false);
        let current = rows.last_mut().expect("a row");
        let previous = current.last().map(|cell| cell.trim().to_string());
        let trimmed = cell.trim();
        let starts_row = !current.is_empty()
            && !trimmed.is_empty()
            && (is_row_label(trimmed)
                // After a label and its value, a cell of headings and labels only.
                || (current.len() >= 2 && is_rows(trimmed, 0))
                || previous.as_deref().is_some_and(|previous| {
                    STANDALONE_HEADING.is_match(previous)
                        && previous.chars().count() <= HEADING_CHARS
                        && is_row_start(trimmed)
                }));
        if starts_row {
            rows.push(Vec::new());
        }
        // A row's first cell is its label or heading: the space a join left before it goes.
        let cell = if rows.last().is_some_and(Vec::is_empty) {
            cell.trim().to_string()
        } else {
            cell
        };
        // Several rows can run together inside one cell (a value, a risk heading, the next
        // label): cut at each.
        let mut rest = cell;
        while let Some(at) = row_start_inside(&rest).filter(|&at| {
            // With no value after it, only a heading that stands alone ends the cell (a risk
            // or an item heading); a file number there is a choice list's count (「(2) 件」).
            // (What follows `at` is rows: `row_start_inside` found it so.)
            followed || TRAILING_HEADING.is_match(&rest[at..])
        }) {
            let label = rest.split_off(at);
            rows.last_mut()
                .expect("a row")
                .push(rest.trim_end().to_string());
            rows.push(Vec::new());
            rest = label.trim().to_string();
        }
        rows.last_mut().expect("a row").push(rest);
    }
    rows.retain(|row| !row.is_empty());
    rows
}

/// Where, inside a cell, the rows run together into it start: the first position after a space
/// (past the cell's start, not inside a heading's number) from which the rest of the cell is
/// one or more labels and headings, the last running to the cell's end.
fn row_start_inside(cell: &str) -> Option<usize> {
    let cell = cell.trim_end();
    inner_starts(cell).find(|&start| is_rows(&cell[start..], 0))
}

/// Positions after a space where a row could start: not the cell's start, not after a heading's
/// number alone (「1.」 before 「特定個人情報ファイル名」).
fn inner_starts(cell: &str) -> impl Iterator<Item = usize> + '_ {
    cell.char_indices().filter_map(move |(at, character)| {
        if !character.is_whitespace() {
            return None;
        }
        let start = at + character.len_utf8();
        let rest = &cell[start..];
        let before = cell[..at].trim();
        let starts_word = !rest.is_empty() && !rest.starts_with(char::is_whitespace);
        // A stray space inside a word (「情報提 供…」) is no row boundary: what ends a row is
        // a sentence, a bracket, a choice list, or at least a few characters.
        let ends_row = before.chars().count() >= SHORTEST_ROW_END
            || before
                .chars()
                .last()
                .is_some_and(|last| !crate::analysis::normalize::is_japanese_letter(last));
        (starts_word && ends_row && !NUMBERING.is_match(before)).then_some(start)
    })
}

/// Fewest characters before a row boundary inside a cell, unless they end in a non-letter.
const SHORTEST_ROW_END: usize = 6;

/// Most rows looked for in the tail of one cell.
const MOST_ROWS_IN_A_TAIL: usize = 6;
/// Longest tail of a cell read as rows.
const LONGEST_TAIL: usize = 600;

/// Whether a text is one or more rows' labels and headings, back to back.
fn is_rows(text: &str, depth: usize) -> bool {
    if text.len() > LONGEST_TAIL || depth > MOST_ROWS_IN_A_TAIL {
        return false;
    }
    if is_row_start(text) {
        return true;
    }
    inner_starts(text).any(|at| is_row_start(&text[..at]) && is_rows(&text[at..], depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_markers_and_viewer_chrome_are_not_text() {
        for marker in [
            "12 / 72",
            "- 3 -",
            "3ページ",
            "Page 3 of 10",
            "ページの先頭へ",
            "印刷",
            "12／72ページ",
        ] {
            assert!(repair_line(marker).is_empty(), "{marker}");
        }
        // A numbered row or a value that happens to be a number is kept.
        assert_eq!(repair_line("98\t削除").len(), 1);
        assert_eq!(repair_line("評価書番号\t1").len(), 1);
        assert_eq!(repair_line("98").len(), 1);
    }

    #[test]
    fn letter_spaced_japanese_is_read_without_the_spaces() {
        assert_eq!(
            repair_line("そ の 他 の 措 置 の 内 容\t・ 窓 口 の 受 付 、 入 力 方 法"),
            vec!["その他の措置の内容\t・窓口の受付、入力方法"]
        );
        // A cell with a few spaced words is not letter-spaced.
        assert_eq!(
            repair_line("課長 原 悟\t住基ネットGWシステム システム共通基盤"),
            vec!["課長 原 悟\t住基ネットGWシステム システム共通基盤"]
        );
    }

    #[test]
    fn two_rows_run_together_are_cut_at_the_next_label() {
        assert_eq!(
            repair_line(
                "必要な情報以外を入手することを防止するための措置の内容\t・入力を行えない仕組みとなっている。 その他の措置の内容\t・マニュアルで定めている。"
            ),
            vec![
                "必要な情報以外を入手することを防止するための措置の内容\t・入力を行えない仕組みとなっている。",
                "その他の措置の内容\t・マニュアルで定めている。",
            ]
        );
    }

    #[test]
    fn headings_run_together_become_their_own_rows() {
        assert_eq!(
            repair_line(
                "1. 特定個人情報ファイル名\t (1) 住民基本台帳ファイル\t リスク1： 目的外の入手が行われるリスク\t 対象者以外の情報の入手を防止するための措置の内容\t①窓口で確認する。"
            ),
            vec![
                "1. 特定個人情報ファイル名",
                "(1) 住民基本台帳ファイル",
                "リスク1： 目的外の入手が行われるリスク",
                "対象者以外の情報の入手を防止するための措置の内容\t①窓口で確認する。",
            ]
        );
    }

    #[test]
    fn a_change_table_row_keeps_its_form_path_whole() {
        let row = "98\tⅢ リスク対策 (1) 住民基本台帳ファイル 7. 保管・消去 ⑤物理的対策 具体的な対策の内容\t<データセンター>\t削除";
        assert_eq!(repair_line(row), vec![row]);
    }

    #[test]
    fn a_value_that_ends_in_a_numbered_sentence_is_not_cut() {
        let row = "具体的な対策の内容\t①施錠している。 ②事前に許可されていない装置等は持ち出せないこととしている。\tその他";
        assert_eq!(repair_line(row).len(), 1);
    }
}
