//! CSV export for Excel: UTF-8 with a BOM, a Japanese header row, every cell quoted.
//!
//! Document text is untrusted: a cell that a spreadsheet would read as a formula (starting with
//! `=`, `+`, `-`, `@`, or a tab or carriage return) is prefixed with an apostrophe.

use crate::record::Record;

/// The header row.
pub const CSV_HEADER: [&str; 16] = [
    "団体名",
    "団体コード",
    "都道府県",
    "評価書",
    "文書種別",
    "事務",
    "ファイル",
    "項目",
    "項目名",
    "欄",
    "措置主体",
    "評価",
    "選択",
    "本文",
    "変更前",
    "変更後",
];

/// Renders records as CSV bytes (with BOM), one row per record.
pub fn records_to_csv<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<u8> {
    let mut output = String::from("\u{FEFF}");
    push_row(
        &mut output,
        CSV_HEADER.iter().copied().map(str::to_string).collect(),
    );
    for record in records {
        let optional = |value: &Option<String>| value.clone().unwrap_or_default();
        push_row(
            &mut output,
            vec![
                record.municipality.clone(),
                optional(&record.municipality_code),
                optional(&record.prefecture),
                record.doc_title.clone(),
                record.doc_type.clone(),
                optional(&record.jimu),
                optional(&record.file_name),
                optional(&record.slot),
                optional(&record.slot_label),
                optional(&record.field),
                optional(&record.actor),
                optional(&record.rating),
                optional(&record.choice),
                record.text.clone(),
                optional(&record.before_text),
                optional(&record.after_text),
            ],
        );
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
