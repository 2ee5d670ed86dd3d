//! The cover page of a 評価書: 評価書番号, 評価書名, 評価実施機関名, 公表日 and the 様式 line
//! (「[令和6年10月 様式4]」), read from the first lines of a document.
//!
//! Values stand beside their label (「公表日\t令和6年10月1日」), on the next line (「評価実施機関名」
//! then 「熊本県」), or under a row of labels (「評価書番号\t評価書名」 then 「1\t住民基本台帳…」).
//! A label followed by another label has no value: the cover was left blank there.

use std::sync::LazyLock;

use regex::Regex;

/// What the cover says; every field as printed except `published` (an ISO date).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cover {
    pub number: Option<String>,
    pub name: Option<String>,
    pub organ: Option<String>,
    /// 公表日 as printed.
    pub published_as_printed: Option<String>,
    /// 公表日 as `YYYY-MM-DD`.
    pub published: Option<String>,
    /// 「令和6年10月 様式4」.
    pub form_version: Option<String>,
    /// 基礎項目評価書, 重点項目評価書 or 全項目評価書.
    pub kind: Option<&'static str>,
    /// 事務名: from the 評価書名, else from the 宣言 (「…に関する事務における」).
    pub jimu: Option<String>,
}

const LABELS: [&str; 8] = [
    "評価書番号",
    "評価書名",
    "評価実施機関名",
    "公表日",
    "特記事項",
    "個人のプライバシー等の権利利益の保護の宣言",
    "項目一覧",
    "個人情報保護委員会承認日",
];

/// Lines of a document read for its cover.
const COVER_LINES: usize = 120;
/// Characters of those lines searched for the 様式 line and the title.
const COVER_CHARS: usize = 6000;

static FORM_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:平成|令和)\s*(?:\d{1,2}|元)\s*年\s*\d{1,2}\s*月)\s*(様式\s*[2-4２-４])")
        .expect("valid regex")
});
static JAPANESE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(平成|令和)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
        .expect("valid regex")
});
static WESTERN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})")
        .expect("valid regex")
});
static KIND_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"特定個人情報保護評価書\s*[（(]\s*(基礎項目評価書|重点項目評価書|全項目評価書)")
        .expect("valid regex")
});

/// A date as printed (和暦 or 西暦) as `YYYY-MM-DD`.
pub fn iso_date(text: &str) -> Option<String> {
    let text = crate::analysis::normalize(text);
    let text = text.as_str();
    if let Some(captures) = JAPANESE_DATE.captures(text) {
        let year: u32 = match &captures[2] {
            "元" => 1,
            number => number.parse().ok()?,
        };
        let year = match &captures[1] {
            "令和" => 2018 + year,
            _ => 1988 + year,
        };
        return date(year, &captures[3], &captures[4]);
    }
    let captures = WESTERN_DATE.captures(text)?;
    date(captures[1].parse().ok()?, &captures[2], &captures[3])
}

fn date(year: u32, month: &str, day: &str) -> Option<String> {
    let month: u32 = month.parse().ok()?;
    let day: u32 = day.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// The labels as keys, computed once.
static LABEL_KEYS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    LABELS
        .iter()
        .map(|label| (*label, crate::form::heading_key_text(label)))
        .collect()
});

/// Longest cell read as a label (「特定個人情報保護委員会 承認日【行政機関等のみ】」 fits).
const LONGEST_LABEL_CELL: usize = 40;

/// Whether a word is one of the cover's labels.
pub(crate) fn is_cover_label(word: &str) -> bool {
    label_of(word).is_some()
}

fn label_of(cell: &str) -> Option<&'static str> {
    // Most cells of a document's first lines are text, not labels: no normalising for them.
    if cell.is_empty() || cell.chars().count() > LONGEST_LABEL_CELL {
        return None;
    }
    let key = crate::form::heading_key_text(cell);
    if key.is_empty() {
        return None;
    }
    // 「特定個人情報保護委員会 承認日【行政機関等のみ】」: the label inside a longer heading.
    LABEL_KEYS
        .iter()
        .find(|(_, label_key)| {
            key == *label_key || (label_key.chars().count() > 8 && key.contains(label_key.as_str()))
        })
        .map(|(label, _)| *label)
}

/// Reads the cover from the first lines of a document.
pub fn read_cover(text: &str) -> Cover {
    let lines: Vec<Vec<String>> = text
        .lines()
        .take(COVER_LINES)
        .flat_map(|line| {
            super::repair::restore_lost_line_breaks(line).unwrap_or_else(|| vec![line.to_string()])
        })
        .take(COVER_LINES)
        .map(|line| {
            line.trim_start_matches('#')
                .split('\t')
                .map(|cell| cell.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.iter().any(|cell| !cell.is_empty()))
        .collect();
    let lines = split_label_rows(lines);
    let mut cover = Cover::default();
    let in_runs = label_runs(&lines);
    let mut set = |label: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() || label_of(value).is_some() || is_label_debris(value) {
            return;
        }
        let slot = match label {
            "評価書番号" => &mut cover.number,
            "評価書名" => &mut cover.name,
            "評価実施機関名" => &mut cover.organ,
            "公表日" => &mut cover.published_as_printed,
            _ => return,
        };
        slot.get_or_insert_with(|| value.to_string());
    };
    // Labels in one column and the values in the next (as text extracted from a two-column
    // cover comes): each value goes to the label its shape says it answers.
    for run in &in_runs {
        for value in values_after(&lines, run.end) {
            if let Some(label) = label_by_shape(value) {
                set(label, value);
            }
        }
    }
    for (index, cells) in lines.iter().enumerate() {
        if in_runs.iter().any(|run| run.contains(&index)) {
            continue;
        }
        let labels: Vec<Option<&'static str>> = cells.iter().map(|cell| label_of(cell)).collect();
        let next = lines.get(index + 1);
        // A row of labels with the values in the row below, column by column.
        if labels.len() > 1 && labels.iter().all(Option::is_some) {
            if let [Some("評価書番号"), Some("評価書名")] = labels[..]
                && let Some((number, name)) = wrapped_number_and_name(&lines[index + 1..])
            {
                set("評価書番号", &number);
                set("評価書名", &name);
                continue;
            }
            if let Some(values) = next
                && values.iter().all(|cell| label_of(cell).is_none())
                && !values.iter().any(|cell| is_label_debris(cell))
            {
                let values = number_split_from_name(&labels, values);
                for (label, value) in labels.iter().flatten().zip(&values) {
                    set(label, value);
                }
            }
            continue;
        }
        let Some(label) = labels.first().copied().flatten() else {
            continue;
        };
        match cells.get(1).filter(|value| !value.is_empty()) {
            Some(value) => set(label, value),
            None => {
                if let Some(value) = next.and_then(|values| values.first())
                    && values_are_one_value(next)
                {
                    set(label, value);
                }
            }
        }
    }
    // The 様式 line and the title stand at the top; a document on one line is not normalised
    // whole for them.
    let head: String = lines
        .iter()
        .map(|cells| cells.join(" "))
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .take(COVER_CHARS)
        .collect();
    let head = crate::analysis::normalize(&head).as_str().to_string();
    cover.jimu = crate::document::jimu_of_cover(cover.name.as_deref(), &head);
    if let Some(captures) = FORM_LINE.captures(&head) {
        let version: String = captures[1].chars().filter(|c| !c.is_whitespace()).collect();
        let form: String = captures[2].chars().filter(|c| !c.is_whitespace()).collect();
        cover.form_version = Some(format!("{version} {form}"));
        cover.kind = match form.chars().last() {
            Some('2') => Some("基礎項目評価書"),
            Some('3') => Some("重点項目評価書"),
            Some('4') => Some("全項目評価書"),
            _ => None,
        };
    }
    if let Some(captures) = KIND_TITLE.captures(&head) {
        cover.kind = match &captures[1] {
            "基礎項目評価書" => Some("基礎項目評価書"),
            "重点項目評価書" => Some("重点項目評価書"),
            _ => Some("全項目評価書"),
        };
    }
    cover.published = cover.published_as_printed.as_deref().and_then(iso_date);
    cover
}

/// A row of labels written as one cell with spaces (「評価書番号 評価書名」, as a copy of a
/// PDF gives it) as one cell per label.
fn split_label_rows(lines: Vec<Vec<String>>) -> Vec<Vec<String>> {
    lines
        .into_iter()
        .map(|cells| {
            let [cell] = &cells[..] else {
                return cells;
            };
            let parts: Vec<String> = cell.split_whitespace().map(str::to_string).collect();
            if parts.len() > 1 && parts.iter().all(|part| label_of(part).is_some()) {
                parts
            } else {
                cells
            }
        })
        .collect()
}

/// The values under 「評価書番号 評価書名」 written as one cell, the number first with a space
/// (「7 介護保険に関する事務 基礎項目評価書」): the number and the name apart.
fn number_split_from_name(labels: &[Option<&'static str>], values: &[String]) -> Vec<String> {
    if let [Some("評価書番号"), Some("評価書名"), ..] = labels
        && let [value] = values
        && let Some(captures) = NUMBER_THEN_NAME.captures(value)
    {
        return vec![captures[1].to_string(), captures[2].to_string()];
    }
    values.to_vec()
}

/// The values under 「評価書番号 評価書名」 where the 評価書名 wrapped in its cell: the name over
/// two or three lines, and the number (a cell of its own, vertically centred) before it, beside
/// one of its lines or after it (「介護保険に関する事務 基礎項目」「7 評価書」). Read only when
/// the lines up to one ending in 「評価書」 hold one number and nothing else; a name on one line
/// is left to the plain reading.
fn wrapped_number_and_name(lines: &[Vec<String>]) -> Option<(String, String)> {
    let mut number: Option<String> = None;
    let mut name_lines: Vec<String> = Vec::new();
    for (at, cells) in lines.iter().take(4).enumerate() {
        if cells
            .iter()
            .any(|cell| label_of(cell).is_some() || is_label_debris(cell))
            || cells.iter().any(|cell| FORM_LINE.is_match(cell))
        {
            return None;
        }
        let mut words: Vec<&str> = Vec::new();
        for word in cells.iter().flat_map(|cell| cell.split_whitespace()) {
            if is_bare_number(word) {
                if number.is_some() {
                    return None;
                }
                number = Some(word.to_string());
            } else {
                words.push(word);
            }
        }
        if !words.is_empty() {
            name_lines.push(words.join(" "));
        }
        let name: String = name_lines.concat();
        if name.ends_with("評価書") {
            // The number on the line after the name, alone.
            let number = number.or_else(|| match &lines.get(at + 1)?[..] {
                [cell] if is_bare_number(cell) => Some(cell.clone()),
                _ => None,
            });
            // One line is the plain reading's; two or more are a wrapped name.
            return (name_lines.len() >= 2 && name.chars().count() <= 60)
                .then_some((number?, name));
        }
    }
    None
}

/// A 評価書番号 standing alone: one to four digits.
fn is_bare_number(text: &str) -> bool {
    (1..=4).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit())
}

static NUMBER_THEN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,4})\s+(\S.*評価書)\s*$").expect("valid regex"));

/// Runs of three or more lines that are each one label: a cover whose labels were extracted
/// as one column, with the values after them.
fn label_runs(lines: &[Vec<String>]) -> Vec<std::ops::Range<usize>> {
    let is_label_line = |cells: &Vec<String>| {
        let filled: Vec<&String> = cells.iter().filter(|cell| !cell.is_empty()).collect();
        matches!(filled[..], [cell] if label_of(cell).is_some())
    };
    let mut runs = Vec::new();
    let mut start = None;
    for index in 0..=lines.len() {
        match (lines.get(index).is_some_and(is_label_line), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                if index - from >= 3 {
                    runs.push(from..index);
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// The value lines after a run of labels: one-cell lines up to the 様式 line, a heading of
/// the form or the next label.
fn values_after(lines: &[Vec<String>], from: usize) -> Vec<&str> {
    lines[from..]
        .iter()
        .take(12)
        .map_while(|cells| {
            let filled: Vec<&String> = cells.iter().filter(|cell| !cell.is_empty()).collect();
            match filled[..] {
                [cell]
                    if label_of(cell).is_none()
                        && !FORM_LINE.is_match(cell)
                        && !cell.starts_with(['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ']) =>
                {
                    Some(cell.as_str())
                }
                _ => None,
            }
        })
        .collect()
}

/// Which cover label a value answers, by what it looks like: a bare number is the 評価書番号,
/// a title ending in 評価書 the 評価書名, an organ (「…長」「…知事」) the 評価実施機関名, a
/// date the 公表日. The 宣言 and 特記事項 are none of these.
fn label_by_shape(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if is_bare_number(value) {
        return Some("評価書番号");
    }
    if value.chars().count() <= 24 && iso_date(value).is_some() {
        return Some("公表日");
    }
    if value.ends_with("評価書") && value.chars().count() <= 60 {
        return Some("評価書名");
    }
    if value.chars().count() <= 30
        && crate::bodies::body_of_organ(&value.replace([' ', '　'], "")).is_some()
    {
        return Some("評価実施機関名");
    }
    None
}

/// Pieces of the cover's labels and lines that no value is: a label split by extraction
/// (「個人のプライ」「バシー等の…宣言」) or the 様式 line under a blank 公表日.
fn is_label_debris(value: &str) -> bool {
    const PIECES: [&str; 9] = [
        "宣言",
        "特記事項",
        "評価実施機関",
        "承認日",
        "公表日",
        "評価書番号",
        "評価書名",
        "プライ",
        "様式",
    ];
    PIECES.iter().any(|piece| value.contains(piece))
}

/// A line that is one value (not a row of a table, not a label).
fn values_are_one_value(line: Option<&Vec<String>>) -> bool {
    line.is_some_and(|cells| {
        cells.iter().filter(|cell| !cell.is_empty()).count() == 1
            && cells.iter().all(|cell| label_of(cell).is_none())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_with_values_under_and_after_their_labels_is_read() {
        let cover = read_cover(
            "特定個人情報保護評価書(全項目評価書)\n\n評価書番号\t評価書名\n1\t住民基本台帳に関する事務 全項目評価書\n\n評価実施機関名\n\n札幌市長\n\n公表日\n令和6年10月1日\n\n[令和6年10月 様式4]\n",
        );
        assert_eq!(cover.number.as_deref(), Some("1"));
        assert_eq!(
            cover.name.as_deref(),
            Some("住民基本台帳に関する事務 全項目評価書")
        );
        assert_eq!(cover.organ.as_deref(), Some("札幌市長"));
        assert_eq!(cover.published.as_deref(), Some("2024-10-01"));
        assert_eq!(cover.form_version.as_deref(), Some("令和6年10月 様式4"));
        assert_eq!(cover.kind, Some("全項目評価書"));
    }

    #[test]
    fn a_cover_broken_by_extraction_gives_no_false_values() {
        // The 001 sample's cover: labels split across cells, values left blank.
        let cover = read_cover(
            "# 特定個人情報保護評価書(全項目評価書)\n\n評価書番号\t評価書名\n個人のプライ\tバシー等の権利利益の保護の宣言\n特記事項\t\n公表日\t\n\n[令和6年10月 様式4]\n",
        );
        assert_eq!(cover.number, None);
        assert_eq!(cover.name, None);
        assert_eq!(cover.published_as_printed, None);
        assert_eq!(cover.form_version.as_deref(), Some("令和6年10月 様式4"));
    }

    #[test]
    fn a_blank_cover_value_is_not_the_next_label() {
        let cover =
            read_cover("評価実施機関名\n\n特定個人情報保護委員会 承認日\n\n公表日\n\n項目一覧\n");
        assert_eq!(cover.organ, None);
        assert_eq!(cover.published, None);
        let cover = read_cover("公表日\t\n\n[平成30年5月 様式2]\n");
        assert_eq!(cover.published, None);
        assert_eq!(cover.form_version.as_deref(), Some("平成30年5月 様式2"));
        assert_eq!(cover.kind, Some("基礎項目評価書"));
    }

    #[test]
    fn a_cover_extracted_as_a_column_of_labels_then_a_column_of_values_is_read() {
        let cover = read_cover(
            "特定個人情報保護評価書（基礎項目評価書）\n評価書番号\n評価書名\n宣言\n特記事項\n評価実施機関名\n公表日\n7\n介護保険に関する事務 基礎項目評価書\n扶桑町は、介護保険に関する事務における特定個人情報ファイルの取扱いにあたり、…取り組んでいることを宣言する。\n特になし\n愛知県 扶桑町長\n令和6年11月1日\n[令和6年10月 様式2]\nⅠ 関連情報\n",
        );
        assert_eq!(cover.number.as_deref(), Some("7"));
        assert_eq!(
            cover.name.as_deref(),
            Some("介護保険に関する事務 基礎項目評価書")
        );
        assert_eq!(cover.organ.as_deref(), Some("愛知県 扶桑町長"));
        assert_eq!(cover.published.as_deref(), Some("2024-11-01"));
        assert_eq!(cover.form_version.as_deref(), Some("令和6年10月 様式2"));
        assert_eq!(cover.kind, Some("基礎項目評価書"));
    }

    #[test]
    fn a_number_written_on_the_title_line_is_the_number() {
        let cover = read_cover(
            "特定個人情報保護評価書（基礎項目評価書）\n評価書番号 評価書名\n7 介護保険に関する事務 基礎項目評価書\n評価実施機関名\n目黑区長\n公表日\n令和6年11月1日\n",
        );
        assert_eq!(cover.number.as_deref(), Some("7"));
        assert_eq!(
            cover.name.as_deref(),
            Some("介護保険に関する事務 基礎項目評価書")
        );
        assert_eq!(cover.organ.as_deref(), Some("目黑区長"));
        assert_eq!(cover.published.as_deref(), Some("2024-11-01"));
    }

    #[test]
    fn a_number_beside_or_after_a_wrapped_title_is_the_number() {
        for values in [
            "介護保険に関する事務 基礎項目\n7 評価書",
            "介護保険に関する事務 基礎項目\n評価書 7",
            "\t介護保険に関する事務 基礎項目\n7\t評価書",
            "介護保険に関する事務 基礎項目\n評価書\n7",
        ] {
            let text = format!(
                "特定個人情報保護評価書（基礎項目評価書）\n評価書番号 評価書名\n{values}\n評価実施機関名\n扶桑町長\n公表日\n令和6年11月1日\n"
            );
            let cover = read_cover(&text);
            assert_eq!(cover.number.as_deref(), Some("7"), "{values:?}");
            assert_eq!(
                cover.name.as_deref(),
                Some("介護保険に関する事務 基礎項目評価書"),
                "{values:?}"
            );
            assert_eq!(cover.organ.as_deref(), Some("扶桑町長"), "{values:?}");
        }
    }

    #[test]
    fn dates_are_read_in_either_calendar() {
        assert_eq!(iso_date("令和元年5月7日").as_deref(), Some("2019-05-07"));
        assert_eq!(iso_date("平成29年9月5日").as_deref(), Some("2017-09-05"));
        assert_eq!(
            iso_date("令和６年１０月１日").as_deref(),
            Some("2024-10-01")
        );
        assert_eq!(iso_date("2024/10/01").as_deref(), Some("2024-10-01"));
        assert_eq!(iso_date("令和6年13月1日"), None);
    }
}
