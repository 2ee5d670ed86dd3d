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
const FIELD_LABELS: &[&str] = &[
    "リスクへの対策は十分か",
    "判断の根拠",
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
    // 基礎項目's しきい値判断項目 and its newer 様式's items.
    "評価対象の事務の対象人数は何人か",
    "特定個人情報ファイル取扱者数は500人以上か",
    "過去1年以内に、評価実施機関において特定個人情報に関する重大事故が発生したか",
    "いつ時点の計数か",
    "しきい値判断結果",
    "当該対策は十分か【再掲】",
    "最も優先度が高いと考えられる対策",
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
    let (mut pieces, mut single) = (0, 0);
    for piece in cell.split(' ').filter(|piece| !piece.is_empty()) {
        pieces += 1;
        let mut characters = piece.chars();
        if characters.next().is_some() && characters.next().is_none() {
            single += 1;
        }
    }
    pieces >= 6 && single * 10 >= pieces * 7
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
    // A note in brackets after the label (「当該対策は十分か【再掲】」) is no ending.
    let core = text
        .strip_suffix('】')
        .and_then(|inner| inner.rsplit_once('【'))
        .map_or(text, |(core, _)| core);
    let Some(last) = core.chars().last() else {
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

/// Whether a label or heading runs to the end of `text` from its start or from after one of
/// its spaces: what [`is_rows`] needs of the text and of each of its tails (the last row of
/// rows runs to the end). Most cells are sentences or values ending otherwise, and this answers
/// for them with a few cheap tests, not one regex for each prefix of each tail.
fn could_end_in_rows(text: &str) -> bool {
    if text.trim_end().ends_with('。') && !LABEL_ENDINGS.contains(&'。') {
        return false;
    }
    // From the shortest tail: a label or heading has at most HEADING_CHARS characters (besides
    // its closing 「※」), and each longer tail holds the shorter one's.
    let after_spaces = text
        .char_indices()
        .rev()
        .filter(|(_, character)| character.is_whitespace())
        .map(|(at, character)| at + character.len_utf8());
    for start in after_spaces.chain(std::iter::once(0)) {
        let tail = &text[start..];
        if tail.trim().trim_end_matches(['※', '*']).chars().count() > HEADING_CHARS {
            return false;
        }
        if is_row_start(tail) {
            return true;
        }
    }
    false
}

/// Whether a text is a heading of the form (short, not a sentence).
fn is_heading(text: &str) -> bool {
    let text = text.trim();
    // The cheap tests first: the cut search asks about every prefix of a cell's tails.
    !text.ends_with('。') && text.chars().count() <= HEADING_CHARS && HEADING.is_match(text)
}

/// Whether a text is a heading's number alone ([`NUMBERING`]); most texts asked about end in
/// a character no number ends in, answered without the regex.
fn is_numbering(text: &str) -> bool {
    let ends_as_a_number = text.chars().last().is_some_and(
        |last| matches!(last, 'Ⅰ'..='Ⅵ' | '.' | '．' | ')' | '）' | ':' | '：' | '①'..='⑳'),
    );
    ends_as_a_number && NUMBERING.is_match(text)
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
                || (current.len() >= 2 && could_end_in_rows(trimmed) && is_rows(trimmed, 0))
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
    if !could_end_in_rows(cell) {
        return None;
    }
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
        (starts_word && ends_row && !is_numbering(before)).then_some(start)
    })
}

/// Fewest characters before a row boundary inside a cell, unless they end in a non-letter.
const SHORTEST_ROW_END: usize = 6;

/// Most rows looked for in the tail of one cell.
const MOST_ROWS_IN_A_TAIL: usize = 6;
/// Longest tail of a cell read as rows.
const LONGEST_TAIL: usize = 600;

/// Shortest line taken for a document whose line breaks were all lost.
const LOST_BREAKS_MIN_CHARS: usize = 200;
/// Fewest places of the form (headings, cover labels, the 様式 line) such a line must hold,
/// one of them a section heading, a cover label or the 様式 line (a paragraph of 「① … ② …」
/// is no document).
const LOST_BREAKS_MIN_MARKS: usize = 4;

/// Where the form starts a line in a text whose line breaks were lost (a web copy of a PDF):
/// before a cover label, the 様式 line, a section (「Ⅳ リスク対策」), an item (「2. 特定…」), a
/// file (「(1) 」), a risk (「リスク1：」) or a numbered sub-item (「①事務の名称」), each after a
/// space.
static LOST_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        &format!(
            r"\s(?:{STRUCTURAL}|特記事項|個人のプライバシー等の権利利益の保護の宣言|[（(]別添\d[)）]|\d{{1,2}}\s*[\.．]\s+[^\d\s]|[（(]\s*\d{{1,2}}\s*[)）]\s*[^\s\d件]|リスク\s*\d{{1,2}}\s*[:：]|[①-⑳]\s*[^\s\d])"
        ),
    )
    .expect("valid regex")
});

/// What only a document's structure has: a cover label, the 様式 line, a section heading.
const STRUCTURAL: &str = r"評価書番号|評価実施機関名|公表日|\[(?:平成|令和)\s*(?:\d{1,2}|元)\s*年\s*\d{1,2}\s*月\s*様式\s*[2-4]\]|(?:Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ)\s+[^\s\d]";

/// The marks only a document's structure has: a section heading, a cover label, the 様式 line.
static STRUCTURAL_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?:^|\s)(?:{STRUCTURAL})")).expect("valid regex"));

/// A line holding a whole document whose line breaks were lost, cut back into lines where the
/// form starts one, and each label the form prints parted from its value by a tab: what the
/// parser reads from a document that kept its breaks. `None` for every other line.
pub fn restore_lost_line_breaks(line: &str) -> Option<Vec<String>> {
    if line.contains('\t') || line.chars().count() < LOST_BREAKS_MIN_CHARS {
        return None;
    }
    let cuts: Vec<usize> = LOST_BREAK
        .find_iter(line)
        .map(|found| {
            found.start()
                + line[found.start()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8)
        })
        .collect();
    if cuts.len() < LOST_BREAKS_MIN_MARKS || !STRUCTURAL_MARK.is_match(line) {
        return None;
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([line.len()]) {
        let piece = &line[start..cut];
        // A choice list (「<選択肢> 1) … 2) … 3) …」) ends its row.
        let mut rest_start = 0;
        for list in CHOICE_LIST.find_iter(piece) {
            pieces.extend(part_labels_from_values(
                piece[rest_start..list.end()].trim(),
            ));
            rest_start = list.end();
        }
        pieces.extend(part_labels_from_values(piece[rest_start..].trim()));
        start = cut;
    }
    pieces.retain(|piece| !piece.is_empty());
    Some(pieces)
}

/// A choice list as the form prints it after a rating or an answer: 「<選択肢> 1) 特に力を入れ
/// ている 2) 十分である 3) 課題が残されている」 (each option one word).
static CHOICE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    // Each option a word ended by a space or the line's end: 「3) … 2)又は3)を選択した…」 is an
    // option list and then a note that cites two of its options, not more options.
    Regex::new(r"<\s*選択肢\s*>(?:\s*\d{1,2}\s*[)）]\s*[^\s\d<]+(?:\s|$))+").expect("valid regex")
});

/// A numbered sub-item's heading at the start of a text: 「②事務の概要」.
static CIRCLED_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[①-⑳]\s*[^\s\d]").expect("valid regex"));

/// A risk's question as 基礎項目 and 重点項目 print it beside their rating: 「目的外の入手が行われる
/// リスクへの対策は十分か」.
fn is_rating_question(text: &str) -> bool {
    text.ends_with("十分か") && text.chars().count() <= HEADING_CHARS
}

/// One piece of a line whose breaks were lost, as the lines it held: a heading and the label
/// after it apart (「2. 特定個人情報の入手（…）」, 「目的外の入手…十分か」), a label and its value
/// joined by a tab (「…十分か\t[十分である] …」), cover labels apart from their values.
fn part_labels_from_values(piece: &str) -> Vec<String> {
    if piece.is_empty() {
        return Vec::new();
    }
    // Cover labels first: 「評価書番号 評価書名 5 住民…」 → the labels, then the values.
    let words: Vec<&str> = piece.split_whitespace().collect();
    let cover_labels = words
        .iter()
        .take_while(|word| super::cover::is_cover_label(word))
        .count();
    if cover_labels > 0 {
        // The cover's table: one cell per label, and under 「評価書番号 評価書名」 the number
        // and the name as two cells (「5」「住民基本台帳に関する事務 基礎項目評価書」).
        let labels = words[..cover_labels].join("\t");
        let mut rest = words[cover_labels..].join(" ");
        if cover_labels == 2
            && let [number, name @ ..] = &words[cover_labels..]
            && number.chars().all(|character| character.is_ascii_digit())
            && !name.is_empty()
        {
            rest = format!("{number}\t{}", name.join(" "));
        }
        return [labels, rest]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect();
    }
    // Labels the form prints, the first at the start or after a heading, each with its value
    // after a space (「リスク1： … リスクに対する措置の内容 ・… リスクへの対策は十分か [十分である]」).
    let spaces: Vec<usize> = piece
        .char_indices()
        .filter(|(_, character)| character.is_whitespace())
        .map(|(at, _)| at)
        .collect();
    let mut labels: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(found) = next_label(piece, &spaces, from, labels.is_empty()) {
        from = found.1;
        labels.push(found);
    }
    let Some(&(first_start, _)) = labels.first() else {
        // A numbered sub-item the form prints as a label cell (「②事務の概要 住民基本台帳法に
        // 基づき…」): its wording runs to the first space.
        if CIRCLED_ITEM.is_match(piece)
            && let Some((label, value)) = piece.split_once(char::is_whitespace)
            && label.chars().count() <= HEADING_CHARS / 2
        {
            return vec![format!("{label}\t{}", value.trim())];
        }
        return vec![piece.to_string()];
    };
    let mut lines = Vec::new();
    let heading = piece[..first_start].trim();
    if !heading.is_empty() {
        lines.push(heading.to_string());
    }
    for (index, &(label_start, label_end)) in labels.iter().enumerate() {
        let label = piece[label_start..label_end].trim();
        let value_end = labels.get(index + 1).map_or(piece.len(), |next| next.0);
        let value = piece[label_end..value_end].trim();
        lines.push(if value.is_empty() {
            label.to_string()
        } else {
            format!("{label}\t{value}")
        });
    }
    lines
}

/// The next label the form prints in `piece` at or after `from`: where it starts (the piece's
/// start or after a space) and ends (a space or the end). The first of a piece may follow a
/// heading, never a heading's number alone (「10.」 is followed by its heading's wording).
fn next_label(piece: &str, spaces: &[usize], from: usize, first: bool) -> Option<(usize, usize)> {
    let starts = std::iter::once(0)
        .chain(spaces.iter().map(|at| at + 1))
        .filter(|&start| start >= from && (start > 0 || from == 0));
    for label_start in starts {
        if first && is_numbering(piece[..label_start].trim()) {
            continue;
        }
        // Inside a choice's brackets (「[ 自己点検 ]」) stands an answer, never a label.
        let before = &piece[..label_start];
        if before.matches(['[', '［']).count() > before.matches([']', '］']).count() {
            continue;
        }
        let ends = spaces
            .iter()
            .copied()
            .chain([piece.len()])
            .filter(|&end| end > label_start)
            .take_while(|&end| end - label_start <= HEADING_CHARS * 3);
        for label_end in ends {
            let label = piece[label_start..label_end].trim();
            // A section, item, file or risk heading stands alone: the label comes after it.
            if label.is_empty()
                || label.contains(['[', ']', '［', '］', '<', '>'])
                || STANDALONE_HEADING.is_match(label)
                || (!is_row_label(label) && !is_rating_question(label))
            {
                continue;
            }
            return Some((label_start, label_end));
        }
    }
    None
}

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
    fn a_paragraph_of_numbered_points_is_no_document_whose_breaks_were_lost() {
        let paragraph = "・特定個人情報の消去について、以下のとおり行う。 ① 保存期間を経過したデータは、システムにより自動で消去する。 ② 紙媒体は溶解処理を行う。 ③ 記録媒体は物理的に破壊する。 ④ 消去の記録を残し、年に1回確認する。 ⑤ 委託先には消去証明書の提出を求める。 ⑥ 以上の手順は規程に定め、職員に周知している。 ⑦ 委託先の作業には職員が立ち会い、消去の方法と結果を確認したうえで、その記録を5年間保存する。";
        assert!(paragraph.chars().count() >= LOST_BREAKS_MIN_CHARS);
        assert_eq!(restore_lost_line_breaks(paragraph), None);
    }

    #[test]
    fn a_cover_and_headings_on_one_line_are_cut_where_the_form_starts_a_line() {
        let line = "特定個人情報保護評価書（基礎項目評価書） 評価書番号 評価書名 5 住民基本台帳に関する事務 基礎項目評価書 評価実施機関名 基礎試験町長 公表日 令和5年4月1日 [令和3年4月 様式2] Ⅳ リスク対策 2. 特定個人情報の入手（情報提供ネットワークシステムを通じた入手を除く。） 目的外の入手が行われるリスクへの対策は十分か [十分である] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている 9. 監査 実施の有無 [ 自己点検 ]";
        let lines = restore_lost_line_breaks(line).expect("a document");
        assert_eq!(
            lines,
            [
                "特定個人情報保護評価書（基礎項目評価書）",
                "評価書番号\t評価書名",
                "5\t住民基本台帳に関する事務 基礎項目評価書",
                "評価実施機関名",
                "基礎試験町長",
                "公表日",
                "令和5年4月1日",
                "[令和3年4月 様式2]",
                "Ⅳ リスク対策",
                "2. 特定個人情報の入手（情報提供ネットワークシステムを通じた入手を除く。）",
                "目的外の入手が行われるリスクへの対策は十分か\t[十分である] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている",
                "9. 監査",
                "実施の有無\t[ 自己点検 ]",
            ]
        );
    }

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
