//! What a reader would notice was lost between a document and its records, for the ingest
//! report: change-table rows (by their 通番) in the text that no record holds, Ⅲ's risk
//! measures filed under Ⅱ because their heading was not read, item numbers (①②③…) that skip or
//! repeat, and an item's label read inside another item's record (two items merged).
//!
//! The parser cannot always read what a damaged extraction gives it; these checks make the loss
//! visible instead of silent. Each compares the records with the document's own text or with the
//! form's structure, never with a count fixed in advance.

use std::collections::BTreeSet;

use crate::record::Record;

/// Field labels that only Ⅲ (the risk measures) prints: a record under Ⅱ with one of them lost
/// its Ⅲ heading.
const RISK_MEASURE_FIELDS: [&str; 6] = [
    "リスクに対する措置の内容",
    "リスクへの対策は十分か",
    "その他の措置の内容",
    "具体的な管理方法",
    "具体的な対策の内容",
    "具体的な保管方法",
];

/// Where a document's lines came from: for a PDF, the page of each line of its text.
#[derive(Debug, Clone, Copy)]
pub struct Pages<'a> {
    line_pages: Option<&'a [u32]>,
}

impl<'a> Pages<'a> {
    /// A text file: places are named by line.
    pub fn none() -> Pages<'static> {
        Pages { line_pages: None }
    }

    /// A PDF read to text, `line_pages[i]` the page of line `i + 1`.
    pub fn of_lines(line_pages: &'a [u32]) -> Pages<'a> {
        Pages {
            line_pages: Some(line_pages),
        }
    }

    /// 「7 ページ」 for a PDF, 「120 行目」 for a text (from a 1-based line number).
    fn place(&self, line: usize) -> String {
        match self
            .line_pages
            .and_then(|pages| pages.get(line.checked_sub(1)?))
        {
            Some(page) => format!("{page} ページ"),
            None => format!("{line} 行目"),
        }
    }

    /// The places of several lines, each named once, in order.
    fn places(&self, lines: impl IntoIterator<Item = usize>) -> String {
        let mut named: Vec<String> = Vec::new();
        for line in lines {
            let place = self.place(line);
            if !named.contains(&place) {
                named.push(place);
            }
        }
        named.join("、")
    }
}

/// The losses of one document, each a sentence of the ingest report (in Japanese) that names
/// the file and the page (or line) where a reader finds it.
pub fn noticed(file: &str, text: &str, pages: Pages, records: &[Record]) -> Vec<String> {
    [
        change_rows_not_read(file, text, pages, records),
        measures_under_the_wrong_section(file, pages, records),
        item_numbers_out_of_order(file, text, pages),
        items_merged_into_another(file, pages, records),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The 通番 of change-table rows the text holds that no record carries. A row starts with its
/// 通番 and then either more cells (three or more) or, where a print lost the cells' borders
/// and the row reads as words, the place in the form it changes (a section's roman numeral,
/// 表紙 or 別添).
fn change_rows_not_read(
    file: &str,
    text: &str,
    pages: Pages,
    records: &[Record],
) -> Option<String> {
    let read: BTreeSet<u32> = records
        .iter()
        .flat_map(|record| &record.notes)
        .filter(|(key, _)| key == "通番")
        .filter_map(|(_, value)| value.trim().parse().ok())
        .collect();
    // Only documents whose records are change-table rows have 通番 to compare.
    let (&first, &last) = (read.first()?, read.last()?);
    let mut missing: Vec<(u32, usize)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some(number) = change_row_number(line).filter(|n| (first..=last).contains(n)) else {
            continue;
        };
        if !read.contains(&number) && !missing.iter().any(|(seen, _)| *seen == number) {
            missing.push((number, index + 1));
        }
    }
    if missing.is_empty() {
        return None;
    }
    missing.sort();
    let numbers: Vec<String> = missing
        .iter()
        .map(|(number, _)| number.to_string())
        .collect();
    Some(format!(
        "{file} {}: 変更箇所の表の通番 {} の行が本文にありますが、記載として読めませんでした（ページの境目で行が崩れたか、表の罫線が読めなかった可能性があります。元の文書で確かめてください）",
        pages.places(missing.iter().map(|(_, line)| *line)),
        numbers.join("、")
    ))
}

/// The 通番 a line starts with, when the line is the start of a change-table row.
fn change_row_number(line: &str) -> Option<u32> {
    if line.contains('\t') {
        let filled = line
            .split('\t')
            .filter(|cell| !cell.trim().is_empty())
            .count();
        if filled < 3 {
            return None;
        }
        return line.split('\t').next()?.trim().parse().ok();
    }
    let (number, rest) = line.trim_start().split_once(char::is_whitespace)?;
    let rest = rest.trim_start();
    let names_a_place = rest.starts_with(['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ', 'Ⅶ'])
        || rest.starts_with("表紙")
        || rest.starts_with("（別添")
        || rest.starts_with("(別添");
    if !names_a_place {
        return None;
    }
    number.parse().ok()
}

/// Records under Ⅱ whose field is one only Ⅲ prints.
fn measures_under_the_wrong_section(
    file: &str,
    pages: Pages,
    records: &[Record],
) -> Option<String> {
    let misplaced: Vec<&Record> = records
        .iter()
        .filter(|record| {
            record
                .slot
                .as_deref()
                .is_some_and(|slot| slot == "II" || slot.starts_with("II."))
                && record.field.as_deref().is_some_and(|field| {
                    RISK_MEASURE_FIELDS
                        .iter()
                        .any(|label| field.contains(label))
                })
        })
        .collect();
    if misplaced.is_empty() {
        return None;
    }
    Some(format!(
        "{file} {}: Ⅲ のリスク対策の記載 {} 件が Ⅱ の下に入っています（見出し「Ⅲ …」が読めなかった可能性があります。元の文書で確かめてください）",
        pages.places(misplaced.iter().map(|record| record.source.line)),
        misplaced.len()
    ))
}

/// The circled number of an item's label row (①…⑳ → 1…20) and its label. The label is the
/// line's first cell, or its second where the first is a short group label the form prints
/// beside its items (「再委託」 beside ⑦–⑨); a label is no sentence (no 「。」).
fn item_label(line: &str) -> Option<(u32, &str)> {
    if !line.contains('\t') {
        return None;
    }
    let mut cells = line
        .split('\t')
        .map(str::trim)
        .filter(|cell| !cell.is_empty());
    let circled = |cell: &str| {
        cell.chars()
            .next()
            .and_then(super::assessment::circled_value_of)
    };
    let first = cells.next()?;
    let (number, label) = if let Some(number) = circled(first) {
        (number, first)
    } else if first.chars().count() <= 8 && !first.contains('。') {
        let second = cells.next()?;
        (circled(second)?, second)
    } else {
        return None;
    };
    (label.chars().count() <= 60 && !label.contains('。')).then_some((number, label))
}

/// A line that opens a new run of items (a numbered heading, a file, a risk, an entrustment or a
/// recipient, a system): item numbers start again after it.
fn opens_a_run_of_items(line: &str) -> bool {
    let line = line.trim_start();
    let Some(first) = line.chars().next() else {
        return false;
    };
    first.is_ascii_digit()
        || ('０'..='９').contains(&first)
        || matches!(first, '(' | '（' | 'Ⅰ'..='Ⅻ' | '<' | '＜' | '【')
        || [
            "リスク",
            "委託事項",
            "提供先",
            "移転先",
            "システム",
            "その他",
            "特定個人情報ファイル名",
        ]
        .iter()
        .any(|word| line.starts_with(word))
}

/// Item numbers in a run that go back or stand still (②②, ③②) or leap (①③): a reader sees
/// an item lost or printed twice. Only label rows count (see [`item_label`]); a run starts again
/// at each heading (see [`opens_a_run_of_items`]).
fn item_numbers_out_of_order(file: &str, text: &str, pages: Pages) -> Option<String> {
    let mut previous: Option<u32> = None;
    let mut found: Vec<(usize, String)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((number, label)) = item_label(line) {
            if let Some(before) = previous {
                let circled = |n: u32| char::from_u32('①' as u32 + n - 1).unwrap_or('?');
                if number <= before {
                    found.push((
                        index + 1,
                        format!("{label}（{} の後に {} ）", circled(before), circled(number)),
                    ));
                } else if number > before + 1 {
                    let skipped: String = (before + 1..number).map(circled).collect();
                    found.push((index + 1, format!("{label}（{skipped} がありません）")));
                }
            }
            previous = Some(number);
        } else if opens_a_run_of_items(line) {
            previous = None;
        }
    }
    sentence_of_places(
        file,
        pages,
        &found,
        "項目の番号が飛んでいるか重なっています",
        "項目が読み落とされたか、二つの項目が一つになった可能性があります",
    )
}

/// One sentence of the report for places a check found, each `(line, what)`: the file and the
/// pages (or lines), what was found, the first five shown and how many more, why it may be,
/// and what to do.
fn sentence_of_places(
    file: &str,
    pages: Pages,
    found: &[(usize, String)],
    finding: &str,
    why: &str,
) -> Option<String> {
    if found.is_empty() {
        return None;
    }
    let shown: Vec<&str> = found
        .iter()
        .take(5)
        .map(|(_, what)| what.as_str())
        .collect();
    let more = if found.len() > shown.len() {
        format!(" ほか {} か所", found.len() - shown.len())
    } else {
        String::new()
    };
    Some(format!(
        "{file} {}: {finding}: {}{more}（{why}。元の文書で確かめてください）",
        pages.places(found.iter().map(|(line, _)| *line)),
        shown.join("、"),
    ))
}

/// A record whose text carries, after its start, the label of another item of the same part
/// (「…事務 ②事務の内容 住民基本台帳法に基づき…」): two items read as one, filed under the
/// first's slot.
fn items_merged_into_another(file: &str, pages: Pages, records: &[Record]) -> Option<String> {
    let mut merged: Vec<(usize, String)> = Vec::new();
    for record in records {
        let Some(slot) = record.slot.as_deref() else {
            continue;
        };
        let Some(parent) = crate::form::parent_key(slot) else {
            continue;
        };
        let siblings = crate::form::SLOTS
            .iter()
            .filter(|other| other.key != slot && crate::form::parent_key(other.key) == Some(parent))
            .filter(|other| other.label.starts_with(|c: char| ('①'..='⑳').contains(&c)));
        for sibling in siblings {
            let wording = crate::form::label_wording(sibling.label);
            let Some(number) = sibling.label.chars().next() else {
                continue;
            };
            let printed = format!("{number}{wording}");
            // Printed as a heading: after a space, not quoted (「①委託内容」の通り is a reference).
            let as_heading = record.text.match_indices(&printed).any(|(at, _)| {
                let before = record.text[..at].chars().next_back();
                let after = record.text[at + printed.len()..].chars().next();
                before.is_some_and(char::is_whitespace) && !matches!(after, Some('」' | '』'))
            });
            if wording.chars().count() >= 3 && as_heading {
                merged.push((
                    record.source.line,
                    format!(
                        "{} の記載の中に「{printed}」",
                        record.slot_label.as_deref().unwrap_or(slot)
                    ),
                ));
            }
        }
    }
    sentence_of_places(
        file,
        pages,
        &merged,
        "別の項目の見出しが記載の中にあります",
        "二つの項目が一つの記載として読まれ、前の項目に入った可能性があります",
    )
}
