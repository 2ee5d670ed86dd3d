//! One test per kind of extraction damage listed in the form reference (pia-form.md), each on
//! the sample documents' own lines.

use std::collections::BTreeSet;

use hyoka::parse::losses::{self, Pages};
use hyoka::record::Record;

use crate::util::{lines_from, parse_text};

const SAPPORO: &str = "札幌市";

/// The 札幌市 Ⅲ header lines down to a file, item and risk.
fn sapporo_risk_header() -> Vec<&'static str> {
    vec![
        "Ⅲ 特定個人情報ファイルの取扱いプロセス",
        "1. 特定個人情報ファイル名",
        "(1) 住民基本台帳ファイル",
    ]
}

/// The change-table row whose note `key` is `value` (通番 27, No. ⑦).
fn row_with_note<'a>(records: &'a [Record], key: &str, value: &str) -> Option<&'a Record> {
    records.iter().find(|record| {
        record
            .notes
            .iter()
            .any(|(note_key, note_value)| note_key == key && note_value == value)
    })
}

fn find<'a>(records: &'a [Record], slot: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|record| record.slot.as_deref() == Some(slot))
        .collect()
}

#[test]
fn table_rows_as_tab_separated_cells_become_fields() {
    let mut needles = sapporo_risk_header();
    needles.extend([
        "2. 特定個人情報の入手",
        "リスク1： 目的外の入手",
        "必要な情報以外を入手することを防止",
    ]);
    let records = parse_text(&lines_from("002", &needles), SAPPORO);
    let record = find(&records, "III.2.R1")[0];
    assert_eq!(
        record.field.as_deref(),
        Some("必要な情報以外を入手することを防止するための措置の内容")
    );
    assert!(record.text.starts_with("・届書に記載されている項目以外は"));
    assert_eq!(record.file_name.as_deref(), Some("住民基本台帳ファイル"));
}

#[test]
fn a_logical_row_split_over_several_lines_is_joined() {
    let text = lines_from(
        "001",
        &[
            "## Ⅲ 特定個人情報ファイルの取扱い",
            "6. 情報提供ネットワークシ",
            "リスク4: 入手の際に特定個",
            "〈中間サーバー・ソフトウェアにおける措置〉 ①中間サーバーは、情報提供",
            "た行政専用のネットワーク",
        ],
    );
    let records = parse_text(&text, "x");
    let platform = find(&records, "III.6.R4")
        .into_iter()
        .find(|record| record.actor.as_deref() == Some("中間サーバー・プラットフォーム"))
        .expect("platform block");
    // The cell continues on the next line: 「…高度なセキュリティを維持し」「た行政専用の…」.
    assert!(
        platform.text.contains("維持した行政専用のネットワーク"),
        "{}",
        platform.text
    );
}

#[test]
fn a_change_table_row_continued_after_a_page_break_is_joined() {
    let records = parse_text(&crate::util::sample("000"), "豊島区");
    let row = row_with_note(&records, "通番", "27").expect("row 27");
    let after = row.after_text.as_deref().unwrap_or_default();
    assert!(after.contains("<ガバメントクラウドにおける措置>"));
    assert!(
        after.contains("作業端末の仮想化を行っている"),
        "continuation missing: {after}"
    );
}

#[test]
fn several_risks_run_together_on_one_line_are_separated() {
    let text = lines_from(
        "001",
        &[
            "## Ⅲ 特定個人情報ファイルの取扱い",
            "6. 情報提供ネットワークシ",
            "#### リスク6: 不適切な方法で提供されるリスク",
        ],
    );
    let records = parse_text(&text, "x");
    let risk6 = find(&records, "III.6.R6");
    let risk7 = find(&records, "III.6.R7");
    assert!(!risk6.is_empty() && !risk7.is_empty());
    assert!(
        risk6
            .iter()
            .any(|record| record.actor.as_deref() == Some("中間サーバー・プラットフォーム"))
    );
    for record in risk6.iter().chain(risk7.iter()) {
        assert!(
            !record.text.contains("リスクへの対策は十分か"),
            "{}",
            record.text
        );
        assert!(
            !record.text.contains("課題が残されている"),
            "{}",
            record.text
        );
        assert!(
            !record.text.contains("リスクに対する措置の内容"),
            "{}",
            record.text
        );
    }
}

#[test]
fn html_list_markup_becomes_one_line_per_item() {
    let records = parse_text(&crate::util::sample("003"), "x");
    let physical = find(&records, "III.7.R1.5")
        .into_iter()
        .find(|record| record.actor.as_deref() == Some("当区"))
        .expect("当区 block");
    let lines: Vec<&str> = physical.text.lines().collect();
    assert!(lines.len() >= 7, "{lines:?}");
    assert!(lines.iter().all(|line| line.starts_with('・')), "{lines:?}");
}

#[test]
fn struck_text_in_del_is_dropped_and_the_rest_kept() {
    let records = parse_text(&crate::util::sample("001"), "x");
    let other = find(&records, "IV.3")[0];
    assert!(!other.text.contains("統一した設備環境"));
    assert!(
        other
            .text
            .contains("活用することにより、政府情報システムのためのセキュリティ評価制度")
    );
}

#[test]
fn underlined_changes_become_marked_spans_of_the_after_text() {
    let records = parse_text(&crate::util::sample("003"), "x");
    let row = row_with_note(&records, "No.", "④").expect("row ④");
    let after: Vec<char> = row
        .after_text
        .as_deref()
        .unwrap_or_default()
        .chars()
        .collect();
    let marked: Vec<String> = row
        .marked_spans
        .iter()
        .map(|(start, end)| after[*start..*end].iter().collect())
        .collect();
    assert_eq!(marked, vec!["細断".to_string()]);
    assert!(
        !row.after_text
            .as_deref()
            .unwrap_or_default()
            .contains("<u>")
    );
}

#[test]
fn a_choice_list_after_the_chosen_value_gives_the_choice() {
    let mut needles = sapporo_risk_header();
    needles.extend([
        "7. 特定個人情報の保管・消去",
        "リスク1: 特定個人情報の漏えい",
        "⑤物理的対策",
    ]);
    let records = parse_text(&lines_from("002", &needles), SAPPORO);
    let physical = find(&records, "III.7.R1.5");
    assert_eq!(
        physical[0].choice.as_deref(),
        Some("特に力を入れて行っている")
    );
    assert!(
        physical[0].text.is_empty(),
        "the choice list is not text: {}",
        physical[0].text
    );
}

#[test]
fn a_choice_list_without_a_chosen_value_gives_no_choice() {
    let records = parse_text(&crate::util::sample("001"), "x");
    for slot in ["III.7.R1.5", "III.7.R1.6"] {
        assert!(
            find(&records, slot)
                .iter()
                .all(|record| record.choice.is_none()),
            "{slot}"
        );
    }
    assert!(
        find(&records, "III.6.R2")
            .iter()
            .all(|record| record.rating.is_none())
    );
}

#[test]
fn an_ocr_damaged_actor_bracket_still_names_the_actor() {
    // 「く中間サーバー・プラットフォームにおける措置>」: く for <.
    let records = parse_text(&crate::util::sample("001"), "x");
    let storage = find(&records, "II.6.1");
    assert_eq!(
        storage[0].actor.as_deref(),
        Some("中間サーバー・プラットフォーム")
    );
    assert!(!storage[0].text.contains("における措置>"));
}

#[test]
fn angle_bracket_variants_of_actor_headings_are_recognised() {
    // 「〈中間サーバー・ソフトウェアにおける措置〉」 and 「&lt;当区における措置&gt;」.
    let unnamed = parse_text(&crate::util::sample("001"), "x");
    assert!(
        find(&unnamed, "III.6.R2")
            .iter()
            .any(|record| record.actor.as_deref() == Some("中間サーバー・ソフトウェア"))
    );
    let ward = parse_text(&crate::util::sample("003"), "x");
    assert!(
        find(&ward, "III.7.R1.5")
            .iter()
            .any(|record| record.actor.as_deref() == Some("当区"))
    );
}

#[test]
fn foreign_script_inside_a_risk_heading_does_not_stop_alignment() {
    let mut needles = sapporo_risk_header();
    needles.extend([
        "2. 特定個人情報の入手",
        "入手した特定個人情報ที่ไม่正確であるリスク",
        "入手の際の本人確認の措置の内容",
    ]);
    let records = parse_text(&lines_from("002", &needles), SAPPORO);
    let record = find(&records, "III.2.R3")[0];
    assert_eq!(
        record.field.as_deref(),
        Some("入手の際の本人確認の措置の内容")
    );
    assert!(
        record
            .section_path
            .iter()
            .all(|heading| !heading.contains('ท'))
    );
}

#[test]
fn stray_ocr_tokens_beside_a_field_are_dropped() {
    // 「m ji \t 具体的な対策の内容 \t …」 and 「maly ( \t 具体的な対策の内容 \t …」.
    let records = parse_text(&crate::util::sample("001"), "x");
    for slot in ["III.7.R1.5", "III.7.R1.6"] {
        let record = find(&records, slot)
            .into_iter()
            .find(|record| !record.text.is_empty())
            .expect(slot);
        assert_eq!(record.field.as_deref(), Some("具体的な対策の内容"));
        assert!(!record.text.contains("m ji") && !record.text.contains("maly"));
    }
}

#[test]
fn a_risk_heading_split_over_two_cells_is_joined() {
    // 「リスク2: 安全が保たれない \t - 方法によって入手が行われるリスク」.
    let records = parse_text(&crate::util::sample("001"), "x");
    let risk2 = find(&records, "III.6.R2");
    assert!(!risk2.is_empty());
    assert!(risk2[0].text.contains(
        "内閣総理大臣が設置・管理する情報提供ネットワークシステムを使用した特定個人情報の入手のみ"
    ));
}

#[test]
fn okurigana_variants_of_a_risk_heading_meet() {
    // 札幌市 writes 紐付け, 豊島区's change table 紐づけ: both are Ⅲ 3 リスク1 and search alike.
    let sapporo = hyoka::analysis::normalize("目的を超えた紐付け");
    let toshima = hyoka::analysis::normalize("目的を超えた紐づけ");
    assert_eq!(sapporo.as_str(), toshima.as_str());
    let records = parse_text(&crate::util::sample("000"), "豊島区");
    assert!(records.iter().any(|record| {
        record.slot.as_deref() == Some("III.3.R1")
            && record
                .section_path
                .iter()
                .any(|heading| heading.contains("紐づけ"))
    }));
}

#[test]
fn full_and_half_width_colons_and_brackets_mark_the_same_headings() {
    // File (1) writes 「リスク1：」 and 「（…）」, file (2) 「リスク1:」 and 「(…)」.
    let records = parse_text(&crate::util::sample("002"), SAPPORO);
    for file in ["住民基本台帳ファイル", "本人確認情報ファイル"] {
        assert!(
            records
                .iter()
                .any(|record| record.slot.as_deref() == Some("III.2.R1")
                    && record.file_name.as_deref() == Some(file)),
            "{file}"
        );
    }
}

#[test]
fn roman_and_ascii_section_numbers_are_recognised() {
    // 熊本県 writes 「II」「IV」 in ASCII, 札幌市 「Ⅲ」.
    let kumamoto = parse_text(&crate::util::sample("004"), "熊本県");
    assert!(
        kumamoto
            .iter()
            .any(|record| record.slot.as_deref() == Some("IV.1.2"))
    );
    assert!(
        kumamoto
            .iter()
            .any(|record| record.slot.as_deref() == Some("II.3.8"))
    );
    let sapporo = parse_text(&crate::util::sample("002"), SAPPORO);
    assert!(
        sapporo
            .iter()
            .any(|record| record.slot.as_deref() == Some("III.7.R1.6"))
    );
}

#[test]
fn circled_parenthesised_and_dotted_numbers_find_their_items() {
    // 「①保管場所 ※」 (Ⅱ 6), 「(3)送付先情報ファイル」, 「7. 特定個人情報の保管・消去」.
    let unnamed = parse_text(&crate::util::sample("001"), "x");
    assert!(!find(&unnamed, "II.6.1").is_empty() && !find(&unnamed, "II.6.3").is_empty());
    let sapporo = parse_text(&crate::util::sample("002"), SAPPORO);
    assert!(
        sapporo
            .iter()
            .any(|record| record.file_name.as_deref() == Some("送付先情報ファイル"))
    );
}

#[test]
fn a_table_that_points_into_the_form_by_path_is_aligned() {
    let records = parse_text(&crate::util::sample("000"), "豊島区");
    let row = row_with_note(&records, "通番", "99").expect("row 99");
    assert_eq!(row.slot.as_deref(), Some("III.7.R1.5"));
    assert_eq!(row.file_name.as_deref(), Some("住民基本台帳ファイル"));
    assert_eq!(row.field.as_deref(), Some("具体的な対策の内容"));
    assert_eq!(row.risk_change.as_deref(), Some("あり"));
    assert!(
        row.reason
            .as_deref()
            .unwrap_or_default()
            .contains("デジタル庁の評価書記載例を転記")
    );
}

#[test]
fn a_reference_to_another_row_is_kept() {
    let records = parse_text(&crate::util::sample("000"), "豊島区");
    let row = row_with_note(&records, "通番", "20").expect("row 20");
    assert!(
        row.notes
            .iter()
            .any(|(key, value)| key == "参照" && value == "通番14")
    );
}

#[test]
fn a_comparison_row_keeps_its_trigger_and_date() {
    let records = parse_text(&crate::util::sample("003"), "x");
    let row = row_with_note(&records, "No.", "⑦").expect("row ⑦");
    assert!(
        row.notes
            .iter()
            .any(|(key, value)| key == "きっかけ" && value == "情報公開・個人情報保護審議会")
    );
    assert!(
        row.notes
            .iter()
            .any(|(key, value)| key == "日付" && value == "平成29年9月5日")
    );
    assert!(
        row.before_text
            .as_deref()
            .unwrap_or_default()
            .contains("証明書交付センター")
    );
}

#[test]
fn escaped_markup_in_a_cell_is_kept_as_the_documents_literal_text() {
    // A 評価書 may quote markup (「&lt;script&gt;」 in an XSS countermeasure). The entity is the
    // document's text, not a tag: it must survive as 「<script>」, also through the actor split.
    let mut needles = sapporo_risk_header();
    needles.extend([
        "7. 特定個人情報の保管・消去",
        "リスク1",
        "⑤物理的対策",
        "具体的な対策の内容",
    ]);
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; ";
    let text = lines_from("002", &needles).replacen(
        "1 サーバ室は、",
        &format!("1 {escaped}サーバ室は、"),
        1,
    );
    assert!(text.contains(escaped), "the sample line moved");
    let records = parse_text(&text, SAPPORO);
    let record = find(&records, "III.7.R1.5")
        .into_iter()
        .find(|record| record.actor.as_deref() == Some(SAPPORO))
        .expect("the 札幌市 measure");
    assert!(
        record
            .text
            .contains("<script>alert(1)</script><img src=x onerror=alert(2)> サーバ室は、"),
        "{}",
        record.text
    );
}

/// A choice printed over lines: every 「label\t[ option ]」 of the 基礎項目 fixture written as the
/// label, 「[」, the option and 「]」 on lines of their own (the option wrapped in two where it
/// is long), as some extractions of a table cell give it.
fn choices_over_lines(text: &str) -> String {
    let mut output = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        match cells.as_slice() {
            [label, choice] if choice.starts_with('[') && choice.ends_with(']') => {
                let option = choice.trim_start_matches('[').trim_end_matches(']').trim();
                output.push(label.to_string());
                output.push("[".to_string());
                let middle = option.chars().count() / 2;
                let (first, second): (String, String) = (
                    option.chars().take(middle).collect(),
                    option.chars().skip(middle).collect(),
                );
                output.extend([first, second].into_iter().filter(|part| !part.is_empty()));
                output.push("]".to_string());
            }
            _ => output.push(line.to_string()),
        }
    }
    output.join("\n")
}

#[test]
fn a_choice_written_over_lines_is_the_choice_of_its_label() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds/kiso.txt"),
    )
    .expect("fixture");
    let damaged = choices_over_lines(&text);
    assert!(
        damaged.contains("\n[\n"),
        "the fixture has a choice to split"
    );
    let answers = |records: &[Record]| -> Vec<(Option<String>, Option<String>, Option<String>)> {
        records
            .iter()
            .map(|record| {
                (
                    record.slot.clone(),
                    record.field.clone(),
                    record.choice.clone(),
                )
            })
            .collect()
    };
    let intact = parse_text(&text, "基礎試験町");
    let split = parse_text(&damaged, "基礎試験町");
    assert!(
        split
            .iter()
            .all(|record| !matches!(record.text.trim(), "[" | "]")),
        "a bracket became a record"
    );
    assert_eq!(answers(&split), answers(&intact));
}

/// A print of a sample read as hyoka reads it: its text and the page of each line.
fn print_read(name: &str) -> (Vec<String>, Vec<u32>) {
    let read = hyoka::corpus::read_document(&crate::pdf::fixture(name), name).expect("print");
    (
        read.text.lines().map(str::to_string).collect(),
        read.line_pages.expect("a PDF's lines have pages"),
    )
}

/// The lines of a print without those `drop` picks, each kept with its page.
fn without_lines(
    (lines, pages): &(Vec<String>, Vec<u32>),
    drop: impl Fn(&str) -> bool,
) -> (String, Vec<u32>, BTreeSet<u32>) {
    let mut kept = String::new();
    let mut kept_pages = Vec::new();
    let mut dropped_pages = BTreeSet::new();
    for (line, page) in lines.iter().zip(pages) {
        if drop(line) {
            dropped_pages.insert(*page);
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
        kept_pages.push(*page);
    }
    (kept, kept_pages, dropped_pages)
}

/// The records without those of one change-table row (by its 通番): a row lost.
fn without_change_row(records: Vec<Record>, number: &str) -> Vec<Record> {
    records
        .into_iter()
        .filter(|record| {
            !record
                .notes
                .iter()
                .any(|(key, value)| key == "通番" && value == number)
        })
        .collect()
}

/// The report sentence that says `finding`.
fn sentence_saying<'a>(noticed: &'a [String], finding: &str) -> &'a String {
    noticed
        .iter()
        .find(|sentence| sentence.contains(finding))
        .unwrap_or_else(|| panic!("no 「{finding}」 in {noticed:?}"))
}

/// The pages of the lines of `text` that start with `prefix`.
fn pages_of_lines_starting(text: &str, pages: &[u32], prefix: &str) -> BTreeSet<u32> {
    text.lines()
        .zip(pages)
        .filter(|(line, _)| line.starts_with(prefix))
        .map(|(_, page)| *page)
        .collect()
}

/// The pages a report sentence names (「5 ページ、10 ページ: …」).
fn pages_named(sentence: &str) -> BTreeSet<u32> {
    let places = sentence.split(": ").next().unwrap_or_default();
    places
        .split(['、', ' '])
        .filter_map(|word| word.parse().ok())
        .collect()
}

/// Each loss a reader would notice in a print is named with the pages where it stands: an item
/// lost (⑧ of Ⅲ 7 in each of 札幌市's three files: ⑨ follows ⑦), Ⅲ's headings lost (the
/// measures under Ⅱ), a change-table row lost, and a change row whose cells were not read
/// (its words on one line without cells, as a print whose row borders were not read gives it).
#[test]
fn losses_in_a_print_are_named_with_their_pages() {
    let sapporo = print_read("sapporo-chromium.pdf");
    let (text, pages, _) = without_lines(&sapporo, |line| line.starts_with("⑧事故発生時手順"));
    let records = parse_text(&text, SAPPORO);
    let noticed = losses::noticed("sapporo.pdf", &text, Pages::of_lines(&pages), &records);
    let skip = sentence_saying(&noticed, "項目の番号が飛んでいるか重なっています");
    assert!(
        skip.contains("⑨過去3年以内に") && skip.contains("⑧ がありません"),
        "{skip}"
    );
    assert_eq!(
        pages_named(skip),
        pages_of_lines_starting(&text, &pages, "⑨過去3年以内"),
        "{skip}"
    );

    let (text, pages, headings) = without_lines(&sapporo, |line| line.starts_with("Ⅲ "));
    let records = parse_text(&text, SAPPORO);
    let noticed = losses::noticed("sapporo.pdf", &text, Pages::of_lines(&pages), &records);
    let misplaced = sentence_saying(&noticed, "Ⅱ の下に入っています");
    // Named where the measures stand: from the pages whose Ⅲ heading was lost onwards.
    let named = pages_named(misplaced);
    assert!(!named.is_empty() && named.iter().all(|page| page >= headings.first().unwrap()));

    let toshima = print_read("toshima-chromium.pdf");
    let (text, pages, _) = without_lines(&toshima, |_| false);
    let records = without_change_row(parse_text(&text, "豊島区"), "96");
    let noticed = losses::noticed("toshima.pdf", &text, Pages::of_lines(&pages), &records);
    assert_eq!(noticed.len(), 1, "{noticed:?}");
    assert!(noticed[0].contains("通番 96 "), "{}", noticed[0]);
    assert_eq!(
        pages_named(&noticed[0]),
        pages_of_lines_starting(&text, &pages, "96\t"),
        "{}",
        noticed[0]
    );

    // Row 96 read as words: no cells, its words one after another.
    let wordy: String = text
        .lines()
        .map(|line| {
            if line.starts_with("96\t") {
                line.replace('\t', " ")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let records = without_change_row(parse_text(&wordy, "豊島区"), "96");
    let noticed = losses::noticed("toshima.pdf", &wordy, Pages::of_lines(&pages), &records);
    assert!(
        noticed.iter().any(|sentence| sentence.contains("通番 96 ")),
        "{noticed:?}"
    );
}

/// Two items read as one (a row border lost between ⑤ and ⑥ of an entrustment): the report names
/// the label found inside the other's record and the leap in the numbers, at the line.
#[test]
fn two_items_read_as_one_are_named_in_the_report() {
    let kumamoto = crate::util::sample("004");
    let records = parse_text(&kumamoto, "熊本県");
    assert!(losses::noticed("004.txt", &kumamoto, Pages::none(), &records).is_empty());
    let lines: Vec<&str> = kumamoto.lines().collect();
    let fifth = lines
        .iter()
        .position(|line| line.starts_with("⑤委託先名の確認方法"))
        .expect("⑤ of the first entrustment");
    assert!(lines[fifth + 1].starts_with("⑥委託先名"));
    let mut merged: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    let sixth = merged.remove(fifth + 1).replace('\t', " ");
    merged[fifth] = format!("{} {}", merged[fifth].trim_end(), sixth.trim());
    let merged = merged.join("\n");
    let records = parse_text(&merged, "熊本県");
    let noticed = losses::noticed("004.txt", &merged, Pages::none(), &records);
    let inside = noticed
        .iter()
        .find(|sentence| sentence.contains("別の項目の見出しが記載の中にあります"))
        .unwrap_or_else(|| panic!("{noticed:?}"));
    assert!(
        inside.contains(&format!("{} 行目", fifth + 1)) && inside.contains("「⑥委託先名」"),
        "{inside}"
    );
    assert!(
        noticed
            .iter()
            .any(|sentence| sentence.contains("⑥ がありません")),
        "{noticed:?}"
    );
}

/// What a reader would notice was lost, the ingest report notices too: a change-table row the
/// text holds and no record does (a row a page break broke), named by its 通番; Ⅲ's measures
/// filed under Ⅱ because the Ⅲ heading was not read. The intact samples give no such notice.
#[test]
fn losses_a_reader_would_notice_are_named_in_the_report() {
    let toshima = crate::util::sample("000");
    let records = parse_text(&toshima, "豊島区");
    assert_eq!(
        losses::noticed("000.txt", &toshima, Pages::none(), &records),
        Vec::<String>::new(),
        "every row of the intact table is read"
    );
    // One row lost between the text and the records.
    let without_row = without_change_row(records.clone(), "96");
    let noticed = losses::noticed("000.txt", &toshima, Pages::none(), &without_row);
    assert_eq!(noticed.len(), 1, "{noticed:?}");
    assert!(noticed[0].contains("通番 96 "), "{}", noticed[0]);

    let sapporo = crate::util::sample("002");
    let records = parse_text(&sapporo, SAPPORO);
    assert!(losses::noticed("002.txt", &sapporo, Pages::none(), &records).is_empty());
    // The Ⅲ headings lost (a print that took them for running headers): the measures land under Ⅱ.
    let headless: String = sapporo
        .lines()
        .filter(|line| !line.starts_with("Ⅲ "))
        .collect::<Vec<_>>()
        .join("\n");
    let records = parse_text(&headless, SAPPORO);
    let noticed = losses::noticed("002.txt", &headless, Pages::none(), &records);
    assert!(
        noticed
            .iter()
            .any(|sentence| sentence.contains("Ⅱ の下に入っています")),
        "{noticed:?}"
    );
}
