//! Golden snapshots of the records of every sample document.
//!
//! Each record is rendered as its source line, slot, file, field, actor, rating and choice, then
//! its text. Review a changed snapshot line by line against the document: a wrong slot is a bug
//! even when it is snapshotted.

use std::fmt::Write as _;

use hyoka::corpus::load_corpus;
use hyoka::record::Record;

use crate::util::corpus_folder;

fn records_of(prefix: &str) -> Vec<Record> {
    let corpus = load_corpus(&corpus_folder()).expect("corpus loads");
    let document = corpus
        .documents
        .iter()
        .find(|document| document.meta.file.starts_with(prefix))
        .expect("sample is in the manifest");
    hyoka::parse::parse_document(&document.meta, &document.text).expect("sample parses")
}

fn render(records: &[Record]) -> String {
    let mut output = String::new();
    for record in records {
        let optional = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            output,
            "L{} {} | {} | {} | {} | actor={} | rating={} | choice={}",
            record.source.line,
            optional(&record.slot),
            record.municipality,
            optional(&record.file_name),
            optional(&record.field),
            optional(&record.actor),
            optional(&record.rating),
            optional(&record.choice),
        );
        for (label, value) in [
            ("text", Some(&record.text)),
            ("before", record.before_text.as_ref()),
            ("after", record.after_text.as_ref()),
            ("reason", record.reason.as_ref()),
            ("risk_change", record.risk_change.as_ref()),
        ] {
            if let Some(value) = value.filter(|value| !value.is_empty()) {
                for (index, line) in value.lines().enumerate() {
                    let head = if index == 0 {
                        format!("{label}:")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(output, "    {head:<12}{line}");
                }
            }
        }
        if !record.marked_spans.is_empty() {
            let after: Vec<char> = record
                .after_text
                .as_deref()
                .unwrap_or_default()
                .chars()
                .collect();
            let marked: Vec<String> = record
                .marked_spans
                .iter()
                .map(|(start, end)| after[*start..*end].iter().collect())
                .collect();
            let _ = writeln!(output, "    {:<12}{}", "marked:", marked.join(" / "));
        }
        for (key, value) in &record.notes {
            let _ = writeln!(output, "    {:<12}{key}: {value}", "note:");
        }
    }
    output
}

#[test]
fn golden_records_of_the_toshima_change_table() {
    insta::assert_snapshot!(render(&records_of("000")));
}

#[test]
fn golden_records_of_the_unnamed_form_fragments() {
    insta::assert_snapshot!(render(&records_of("001")));
}

#[test]
fn golden_records_of_the_sapporo_assessment() {
    insta::assert_snapshot!(render(&records_of("002")));
}

#[test]
fn golden_records_of_the_ward_comparison_table() {
    insta::assert_snapshot!(render(&records_of("003")));
}

#[test]
fn golden_records_of_the_kumamoto_assessment() {
    insta::assert_snapshot!(render(&records_of("004")));
}

#[test]
fn no_record_text_contains_markup_or_choice_lists() {
    for prefix in ["000", "001", "002", "003", "004"] {
        for record in records_of(prefix) {
            for text in [
                Some(&record.text),
                record.before_text.as_ref(),
                record.after_text.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                for forbidden in [
                    "<p",
                    "<input",
                    "<li",
                    "<ul",
                    "<td",
                    "<del",
                    "<u>",
                    "&lt;",
                    "選択肢",
                    "1) 特に力を入れている",
                ] {
                    assert!(
                        !text.contains(forbidden),
                        "{prefix} line {}: {forbidden:?} in {text:?}",
                        record.source.line
                    );
                }
                assert!(
                    !text.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
                    "Thai debris in {text:?}"
                );
            }
        }
    }
}

#[test]
fn record_ids_are_unique_and_stable_across_parses() {
    for prefix in ["000", "001", "002", "003", "004"] {
        let first: Vec<String> = records_of(prefix)
            .into_iter()
            .map(|record| record.id)
            .collect();
        let second: Vec<String> = records_of(prefix)
            .into_iter()
            .map(|record| record.id)
            .collect();
        assert_eq!(first, second);
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), first.len(), "duplicate ids in {prefix}");
    }
}

#[test]
fn the_ordinance_excerpts_belong_to_the_wards_that_wrote_them() {
    let records = records_of("000");
    let ordinances: Vec<&Record> = records
        .iter()
        .filter(|record| record.doc_type == "条例")
        .collect();
    let bodies: Vec<&str> = ordinances
        .iter()
        .map(|record| record.municipality.as_str())
        .collect();
    assert!(
        bodies.contains(&"文京区") && bodies.contains(&"目黒区"),
        "{bodies:?}"
    );
    assert!(
        ordinances
            .iter()
            .all(|record| record.municipality != "豊島区")
    );
}

#[test]
fn sapporo_has_every_risk_of_items_2_3_5_and_7_for_each_file_with_ratings() {
    let records = records_of("002");
    let expected_risks = [
        "III.2.R1", "III.2.R2", "III.2.R3", "III.2.R4", "III.3.R1", "III.3.R2", "III.3.R3",
        "III.3.R4", "III.5.R1", "III.5.R2", "III.5.R3", "III.7.R1", "III.7.R2", "III.7.R3",
    ];
    for file in [
        "住民基本台帳ファイル",
        "本人確認情報ファイル",
        "送付先情報ファイル",
    ] {
        for risk in expected_risks {
            let under_risk: Vec<&Record> = records
                .iter()
                .filter(|record| record.file_name.as_deref() == Some(file))
                .filter(|record| {
                    record
                        .slot
                        .as_deref()
                        .is_some_and(|slot| hyoka::form::is_within(slot, risk))
                })
                .collect();
            assert!(!under_risk.is_empty(), "{file}: no record under {risk}");
            assert!(
                under_risk.iter().all(|record| record.rating.is_some()),
                "{file}: a record under {risk} has no rating"
            );
        }
    }
}

#[test]
fn sapporo_physical_and_technical_measures_are_split_by_actor() {
    let records = records_of("002");
    for slot in ["III.7.R1.5", "III.7.R1.6"] {
        let actors: Vec<&str> = records
            .iter()
            .filter(|record| {
                record.slot.as_deref() == Some(slot)
                    && record.file_name.as_deref() == Some("住民基本台帳ファイル")
            })
            .filter_map(|record| record.actor.as_deref())
            .collect();
        assert_eq!(
            actors,
            vec!["札幌市", "中間サーバー・プラットフォーム"],
            "{slot}"
        );
    }
}

#[test]
fn the_title_of_a_collection_of_ordinance_excerpts_is_not_a_record_whatever_its_words() {
    // The title after a 評価書's own text (札幌市's), then 豊島区's excerpts: where a line of
    // the 評価書 would otherwise continue.
    let ward = crate::util::sample("000");
    let at = ward
        .find("個人情報の保護に関する法律施行条例他区事例")
        .expect("the sample's collection title");
    let document = format!("{}\n{}", crate::util::sample("002"), &ward[at..]);
    let excerpts = document.as_str();
    for title in [
        "個人情報の保護に関する法律施行条例他区事例",
        "関係条例（抜粋）",
        "参考 他自治体の条例",
    ] {
        let text = excerpts.replacen("個人情報の保護に関する法律施行条例他区事例", title, 1);
        let records = crate::util::parse_text(&text, "豊島区");
        assert!(
            records.iter().any(|record| record.doc_type == "条例"),
            "{title}: no excerpt read"
        );
        assert!(
            records.iter().all(|record| !record.text.contains(title)
                && !record
                    .section_path
                    .iter()
                    .any(|heading| heading.contains(title))),
            "{title} became a record or a heading"
        );
    }
}

/// A change row whose reason column was empty (and dropped by the extraction) holds two texts
/// of one measure: they are its 変更前 and 変更後, not a 変更後 and a reason.
#[test]
fn a_change_row_with_old_and_new_text_and_no_reason_reads_as_a_modification() {
    let records = records_of("000");
    let numbered = |number: &str| {
        records
            .iter()
            .find(|record| {
                record
                    .notes
                    .iter()
                    .any(|(key, value)| key == "通番" && value == number)
            })
            .unwrap_or_else(|| panic!("no row 通番{number}"))
    };
    let row = numbered("97");
    let before = row.before_text.as_deref().expect("変更前");
    let after = row.after_text.as_deref().expect("変更後");
    assert!(
        before.contains("アクセスログを記録") && !before.contains("操作ログ"),
        "{before}"
    );
    assert!(after.contains("アクセスログ及び操作ログ"), "{after}");
    assert_eq!(row.reason, None);
    assert_eq!(row.text, after);
    // A row with a text and its reason keeps reading so (通番96: the reason says why).
    let explained = numbered("96");
    assert!(
        explained
            .reason
            .as_deref()
            .is_some_and(|reason| reason.contains("変更が入ったため"))
    );
}
