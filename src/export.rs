//! Exports for Excel: CSV (UTF-8 with a BOM, a Japanese header row, every cell quoted) of
//! records and of the answers view, and a comparison as an .xlsx workbook.
//!
//! Document text is untrusted: a cell that a spreadsheet would read as a formula (starting with
//! `=`, `+`, `-`, `@`, or a tab or carriage return) is prefixed with an apostrophe, in the CSV
//! and the workbook alike.

use crate::record::Record;

/// The header row.
pub const CSV_HEADER: [&str; 26] = [
    "団体名",
    "団体コード",
    "都道府県",
    "評価書",
    "文書種別",
    "公表日",
    "様式",
    "評価書番号",
    "事務",
    "ファイル",
    "項目",
    "項目名",
    "欄",
    "措置主体",
    "評価（リスク）",
    "選択（この項目）",
    "本文",
    "変更の種類",
    "変更前",
    "変更後",
    "変更理由",
    "リスク変化",
    "変更のきっかけ",
    "きっかけの日付",
    "出典",
    "記載ID",
];

/// The cells of a record shared by the CSV and the spreadsheet, in [`CSV_HEADER`] order. A
/// removed measure (変更の種類 削除) has no 本文: its text is in 変更前 only, so that no one
/// copies it from the 本文 column as a measure in force.
pub fn record_cells(record: &Record) -> Vec<String> {
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();
    let deleted = record.change.as_deref() == Some("削除");
    let note = |label: &str| {
        record
            .notes
            .iter()
            .find(|(name, _)| name == label)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let trigger = note("きっかけ");
    let choice = match (&record.choice, &record.choice_as_printed) {
        (Some(choice), Some(printed)) => format!("{choice}（印刷は「{printed}」）"),
        (choice, _) => optional(choice),
    };
    vec![
        record.municipality.clone(),
        optional(&record.municipality_code),
        optional(&record.prefecture),
        record.doc_title.clone(),
        record.doc_type.clone(),
        optional(&record.doc_date),
        optional(&record.form_version),
        optional(&record.doc_number),
        optional(&record.jimu),
        optional(&record.file_name),
        optional(&record.slot),
        optional(&record.slot_label),
        optional(&record.field),
        optional(&record.actor),
        optional(&record.rating),
        choice,
        if deleted {
            String::new()
        } else {
            record.text.clone()
        },
        optional(&record.change),
        optional(&record.before_text),
        optional(&record.after_text),
        optional(&record.reason),
        // A 新旧対照表 row's trigger is not a リスク変化.
        if trigger.is_empty() {
            optional(&record.risk_change)
        } else {
            String::new()
        },
        trigger,
        note("日付"),
        match record.source.page {
            Some(page) => format!("{} {page}ページ", record.source.file),
            None => format!("{} {}行目", record.source.file, record.source.line),
        },
        record.id.clone(),
    ]
}

/// Renders records as CSV bytes (with BOM), one row per record.
pub fn records_to_csv<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<u8> {
    let mut output = String::from("\u{FEFF}");
    push_row(
        &mut output,
        CSV_HEADER.iter().copied().map(str::to_string).collect(),
    );
    for record in records {
        push_row(&mut output, record_cells(record));
    }
    output.into_bytes()
}

/// The columns of a comparison's spreadsheet after the record's: how the row stands to the
/// base text.
pub const COMPARISON_COLUMNS: [&str; 3] = ["比較", "独自の文", "他団体と共通の文"];

/// A comparison as an Excel workbook: one row per compared record (the base first), the
/// record's columns then how it stands to the base; the header frozen and filterable, text
/// wrapped, every cell a string (団体コード 011002 stays 011002), formula-like cells
/// neutralised as in the CSV.
pub fn comparison_to_xlsx(
    title: &str,
    groups: &[crate::compare::groups::WordingGroup],
    rows: &[crate::compare::CompareRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    groups_sheet(&mut workbook, title, groups)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name("比較表")?;
    let SheetFormats {
        header,
        wrapped,
        base: base_format,
    } = SheetFormats::new();
    // Title row, then the header.
    sheet.write_string_with_format(0, 0, neutralize(title), &Format::new().set_bold())?;
    let columns: Vec<&str> = CSV_HEADER
        .iter()
        .chain(COMPARISON_COLUMNS.iter())
        .copied()
        .collect();
    for (column, name) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, column as u16, *name, &header)?;
        let width = match *name {
            "本文" | "変更前" | "変更後" | "独自の文" | "他団体と共通の文" => {
                60.0
            }
            "変更理由" | "評価書" | "比較" => 30.0,
            "団体コード" | "都道府県" | "項目" | "リスク変化" | "変更の種類" | "公表日" => {
                10.0
            }
            _ => 16.0,
        };
        sheet.set_column_width(column as u16, width)?;
    }
    for (position, row) in rows.iter().enumerate() {
        let line = position as u32 + 2;
        let mut cells = record_cells(&row.record);
        let comparison = if row.is_base {
            "比較の基準".to_string()
        } else if let Some(base) = &row.compared_with {
            format!("「{base}」と比較: {}", alignment_summary(&row.aligned))
        } else if row.record.change.as_deref() == Some("削除") {
            "削除された記載（比較しない）".to_string()
        } else {
            String::new()
        };
        let own: Vec<&str> = row
            .sentences
            .iter()
            .filter(|sentence| sentence.shared_by == 0)
            .map(|sentence| sentence.text.as_str())
            .collect();
        let shared: Vec<String> = row
            .sentences
            .iter()
            .filter(|sentence| sentence.shared_by > 0)
            .map(|sentence| format!("{}（他 {} 団体）", sentence.text, sentence.shared_by))
            .collect();
        cells.push(comparison);
        cells.push(own.join("\n"));
        cells.push(shared.join("\n"));
        let format = if row.is_base { &base_format } else { &wrapped };
        for (column, cell) in cells.iter().enumerate() {
            sheet.write_string_with_format(line, column as u16, neutralize(cell), format)?;
        }
    }
    let last_row = rows.len() as u32 + 1;
    sheet.set_freeze_panes(2, 1)?;
    sheet.autofilter(1, 0, last_row.max(2), columns.len() as u16 - 1)?;
    workbook.save_to_buffer()
}

/// The cell formats both sheets of the comparison's workbook use: the header row, wrapped text
/// at the top of its cell, and the base's row marked.
struct SheetFormats {
    header: rust_xlsxwriter::Format,
    wrapped: rust_xlsxwriter::Format,
    base: rust_xlsxwriter::Format,
}

impl SheetFormats {
    fn new() -> SheetFormats {
        use rust_xlsxwriter::{Color, Format, FormatAlign};
        let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        SheetFormats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xE8EEF4)),
            base: wrapped.clone().set_background_color(Color::RGB(0xFFF6D5)),
            wrapped,
        }
    }
}

/// The workbook's first sheet: one row per wording, largest first, with its bodies.
fn groups_sheet(
    workbook: &mut rust_xlsxwriter::Workbook,
    title: &str,
    groups: &[crate::compare::groups::WordingGroup],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let sheet = workbook.add_worksheet();
    sheet.set_name("文言ごと")?;
    let SheetFormats {
        header,
        wrapped,
        base: base_format,
    } = SheetFormats::new();
    sheet.write_string_with_format(0, 0, neutralize(title), &Format::new().set_bold())?;
    let columns = [
        ("順位", 6.0),
        ("この文言を使う団体数", 10.0),
        ("記載数", 8.0),
        ("基準との関係", 24.0),
        ("代表の団体", 14.0),
        ("本文", 70.0),
        ("この文言を使う団体", 50.0),
    ];
    for (column, (name, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, column as u16, *name, &header)?;
        sheet.set_column_width(column as u16, *width)?;
    }
    for (position, group) in groups.iter().enumerate() {
        let line = position as u32 + 2;
        let relation = if group.is_base_group {
            "基準と同じ文言".to_string()
        } else if group.row.record.change.as_deref() == Some("削除") {
            "削除された記載（比較しない）".to_string()
        } else if group.row.compared_with.is_some() {
            alignment_summary(&group.row.aligned)
        } else {
            String::new()
        };
        let mut members: Vec<String> = group
            .members
            .iter()
            .map(|member| member.body.clone())
            .collect();
        if group.bodies > group.members.len() {
            members.push(format!("ほか {} 団体", group.bodies - group.members.len()));
        }
        let cells = [
            (position + 1).to_string(),
            group.bodies.to_string(),
            group.rows.to_string(),
            relation,
            group.row.body.clone(),
            group.row.record.text.clone(),
            members.join("、"),
        ];
        let format = if group.is_base_group {
            &base_format
        } else {
            &wrapped
        };
        for (column, cell) in cells.iter().enumerate() {
            sheet.write_string_with_format(line, column as u16, neutralize(cell), format)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    sheet.autofilter(
        1,
        0,
        (groups.len() as u32 + 1).max(2),
        columns.len() as u16 - 1,
    )?;
    Ok(())
}

/// 「同じ 2・近い 1・独自 1・基準にない 1」: a row's sentences by how they stand to the base.
pub fn alignment_summary(aligned: &[crate::compare::AlignedSentence]) -> String {
    use crate::compare::Alignment;
    let count = |alignment: Alignment| {
        aligned
            .iter()
            .filter(|sentence| sentence.alignment == alignment)
            .count()
    };
    format!(
        "同じ文 {}・近い文 {}・独自の文 {}・基準にない文 {}",
        count(Alignment::Same),
        count(Alignment::Changed),
        count(Alignment::Own),
        count(Alignment::Missing)
    )
}

/// The answers view as CSV: one row per body, one column per risk's 評価 or item's 選択, each
/// cell the answers given with their files where a body answers differently per file.
pub fn answers_to_csv(view: &crate::compare::answers::AnswersResponse) -> Vec<u8> {
    use crate::compare::answers::AnswerKind;
    let mut output = String::from("\u{FEFF}");
    let mut header = vec!["団体名".to_string()];
    for column in &view.columns {
        let kind = match column.kind {
            AnswerKind::Rating => "評価",
            AnswerKind::Choice => "選択",
        };
        let label = column.breadcrumb.last().cloned().unwrap_or_default();
        header.push(format!("{} {label}（{kind}）", column.slot));
    }
    push_row(&mut output, header);
    for body in &view.bodies {
        let mut cells = vec![body.body.clone()];
        for cell in &body.cells {
            let several = cell.len() > 1;
            let shown: Vec<String> = cell
                .iter()
                .map(|given| {
                    if several && !given.files.is_empty() {
                        format!("{}（{}）", given.answer, given.files.join("・"))
                    } else {
                        given.answer.clone()
                    }
                })
                .collect();
            cells.push(shown.join(" / "));
        }
        push_row(&mut output, cells);
    }
    output.into_bytes()
}

fn push_row(output: &mut String, cells: Vec<String>) {
    let rendered: Vec<String> = cells.iter().map(|cell| quote(&neutralize(cell))).collect();
    output.push_str(&rendered.join(","));
    output.push_str("\r\n");
}

/// Prefixes a cell that a spreadsheet would evaluate as a formula.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn quote(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("-1"), "'-1");
        assert_eq!(neutralize("・施錠する"), "・施錠する");
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(quote("「a\"b」"), "\"「a\"\"b」\"");
    }
}
