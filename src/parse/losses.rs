//! What a reader would notice was lost between a document and its records, for the ingest
//! report: change-table rows (by their 通番) in the text that no record holds, and Ⅲ's risk
//! measures filed under Ⅱ because their heading was not read.
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

/// The losses of one document, each a sentence of the ingest report (in Japanese).
pub fn noticed(file: &str, text: &str, records: &[Record]) -> Vec<String> {
    let mut noticed = Vec::new();
    if let Some(sentence) = change_rows_not_read(file, text, records) {
        noticed.push(sentence);
    }
    if let Some(sentence) = measures_under_the_wrong_section(file, records) {
        noticed.push(sentence);
    }
    noticed
}

/// The 通番 of change-table rows the text holds (a line whose first cell is the number and that
/// has at least three cells) that no record carries.
fn change_rows_not_read(file: &str, text: &str, records: &[Record]) -> Option<String> {
    let read: BTreeSet<u32> = records
        .iter()
        .flat_map(|record| &record.notes)
        .filter(|(key, _)| key == "通番")
        .filter_map(|(_, value)| value.trim().parse().ok())
        .collect();
    // Only documents whose records are change-table rows have 通番 to compare.
    let (&first, &last) = (read.first()?, read.last()?);
    let in_text: BTreeSet<u32> = text
        .lines()
        .filter(|line| {
            line.split('\t')
                .filter(|cell| !cell.trim().is_empty())
                .count()
                >= 3
        })
        .filter_map(|line| line.split('\t').next()?.trim().parse().ok())
        .filter(|number| (first..=last).contains(number))
        .collect();
    let missing: Vec<String> = in_text.difference(&read).map(u32::to_string).collect();
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "{file}: 変更箇所の表の通番 {} の行が本文にありますが、記載として読めませんでした（ページの境目で行が崩れた可能性があります。元の文書で確かめてください）",
        missing.join("、")
    ))
}

/// Records under Ⅱ whose field is one only Ⅲ prints.
fn measures_under_the_wrong_section(file: &str, records: &[Record]) -> Option<String> {
    let misplaced = records
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
        .count();
    (misplaced > 0).then(|| {
        format!(
            "{file}: Ⅲ のリスク対策の記載 {misplaced} 件が Ⅱ の下に入っています（見出し「Ⅲ …」が読めなかった可能性があります。元の文書で確かめてください）"
        )
    })
}
