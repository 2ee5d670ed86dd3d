//! The three kinds of 評価書 meet in one comparison: a 基礎項目評価書's answer, a 重点項目評価書's
//! measure and a 全項目評価書's measures of the same risk (fixtures in `tests/fixtures/kinds/`,
//! written in the official skeletons with the samples' own measures).

use std::collections::BTreeSet;

use hyoka::compare::{CompareRequest, compare};
use hyoka::search::SearchIndex;

fn index_with_the_three_kinds() -> (tempfile::TempDir, SearchIndex) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let corpus = folder.path().join("corpus");
    crate::util::copy_corpus(&corpus, None);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds");
    for (file, body, kind) in [
        ("juten.txt", "重点試験市", "重点項目評価書"),
        ("kiso.txt", "基礎試験町", "基礎項目評価書"),
    ] {
        std::fs::copy(fixtures.join(file), corpus.join(file)).expect("copy fixture");
        crate::util::append_to_manifest(
            &corpus,
            &format!(
                "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"{body}\"\ntitle = \"{kind}\"\ndoc_type = \"{kind}\"\n"
            ),
        );
    }
    let index = crate::util::ingested(&corpus, &folder.path().join("index"));
    (folder, index)
}

#[test]
fn a_risk_compares_across_the_three_kinds_of_assessment() {
    let (_folder, index) = index_with_the_three_kinds();
    let comparison = compare(
        &index,
        &CompareRequest {
            slot: "III.2.R1".to_string(),
            limit: Some(500),
            ..CompareRequest::default()
        },
    )
    .expect("comparison");
    let kinds: BTreeSet<&str> = comparison
        .rows
        .iter()
        .map(|row| row.record.doc_type.as_str())
        .collect();
    for kind in ["全項目評価書", "重点項目評価書", "基礎項目評価書"] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    // The 重点項目's measure is compared with the 全項目 base like any other text.
    let juten = comparison
        .rows
        .iter()
        .find(|row| row.body == "重点試験市" && !row.record.text.is_empty())
        .expect("the 重点項目 measure");
    assert!(juten.compared_with.is_some());
    // The 基礎項目's answer counts as that body's 評価 of the risk.
    let sufficient = comparison
        .ratings
        .iter()
        .find(|tally| tally.answer == "十分である")
        .expect("十分である");
    let bodies: Vec<&str> = sufficient
        .bodies
        .iter()
        .map(|body| body.body.as_str())
        .collect();
    assert!(
        bodies.contains(&"基礎試験町") && bodies.contains(&"重点試験市"),
        "{bodies:?}"
    );
}

#[test]
fn audit_and_training_of_a_focused_assessment_meet_the_full_assessments_items() {
    let (_folder, index) = index_with_the_three_kinds();
    for (slot, body) in [
        ("IV.1", "重点試験市"),
        ("IV.2", "重点試験市"),
        ("IV.1", "基礎試験町"),
    ] {
        let comparison = compare(
            &index,
            &CompareRequest {
                slot: slot.to_string(),
                limit: Some(500),
                ..CompareRequest::default()
            },
        )
        .expect("comparison");
        assert!(
            comparison.bodies.iter().any(|name| name == body),
            "{slot}: {:?}",
            comparison.bodies
        );
    }
}

#[test]
fn an_item_the_form_does_not_know_keeps_its_heading_and_no_slot() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds/kiso.txt"),
    )
    .expect("fixture");
    let records = crate::util::parse_text(&text, "基礎試験町");
    let manual = records
        .iter()
        .find(|record| record.text.contains("読み合わせて確認"))
        .expect("the 判断の根拠 of 8. 人手を介在させる作業");
    assert_eq!(manual.slot, None);
    assert!(
        manual
            .section_path
            .iter()
            .any(|heading| heading.contains("人手を介在させる作業")),
        "{:?}",
        manual.section_path
    );
}

/// The 基礎項目 fixture as an older 様式 printed it: 平成27年4月 様式2, no 「8. 人手を介在させる
/// 作業」, and Ⅳ numbered from 1 (入手 is 1, 使用 2, 保管・消去 6, 監査 7, 教育・啓発 8).
fn kiso_of_an_older_form() -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds/kiso.txt"),
    )
    .expect("fixture");
    let mut older = Vec::new();
    let mut in_manual_item = false;
    for line in text.lines() {
        if line.starts_with("8. 人手を介在させる作業") {
            in_manual_item = true;
            continue;
        }
        if in_manual_item && line.starts_with("9. ") {
            in_manual_item = false;
        }
        if in_manual_item {
            continue;
        }
        let renumbered = [
            ("2. ", "1. "),
            ("3. ", "2. "),
            ("7. ", "6. "),
            ("9. ", "7. "),
            ("10. ", "8. "),
        ]
        .iter()
        .find_map(|(new, old)| line.strip_prefix(new).map(|rest| format!("{old}{rest}")));
        older.push(
            renumbered.unwrap_or_else(|| line.replace("[令和3年4月 様式2]", "[平成27年4月 様式2]")),
        );
    }
    older.join("\n")
}

#[test]
fn the_same_risks_of_an_older_form_land_in_the_same_slots() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kinds/kiso.txt"),
    )
    .expect("fixture");
    let older = kiso_of_an_older_form();
    assert!(
        older.contains("[平成27年4月 様式2]") && older.contains("\n6. 特定個人情報の保管・消去")
    );
    let slots_by_wording = |text: &str| -> BTreeSet<(String, String)> {
        crate::util::parse_text(text, "基礎試験町")
            .into_iter()
            .filter(|record| !record.section_path.iter().any(|h| h.contains("人手を介在")))
            .filter_map(|record| {
                let slot = record.slot?;
                // What the record answers, without the item numbers that differ.
                let heading = record.section_path.last().cloned().unwrap_or_default();
                let wording: String = heading
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
                    .to_string();
                Some((wording, slot))
            })
            .collect()
    };
    let newer_slots = slots_by_wording(&text);
    let older_slots = slots_by_wording(&older);
    assert!(newer_slots.len() >= 5, "{newer_slots:?}");
    assert_eq!(older_slots, newer_slots);
    // The version is read from the cover.
    let records = crate::util::parse_text(&older, "基礎試験町");
    assert!(
        records
            .iter()
            .all(|record| record.form_version.as_deref() == Some("平成27年4月 様式2")),
        "{:?}",
        records.first().map(|record| &record.form_version)
    );
}

/// 基礎項目's Ⅰ 関連情報 prints 1 ①事務の名称 ②事務の概要 ③システムの名称: the same concepts as
/// 全項目's 1 ①事務の名称 ②事務の内容 and 2 ①システムの名称, where a comparison must meet them.
#[test]
fn the_kiso_related_information_meets_its_full_assessment_counterparts() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/kinds/kiso-kanren.txt"),
    )
    .expect("fixture");
    let records = crate::util::parse_text(&text, "基礎試験町");
    let slot_of = |needle: &str| {
        records
            .iter()
            .find(|record| record.text.contains(needle))
            .and_then(|record| record.slot.clone())
            .unwrap_or_else(|| panic!("no record with {needle}"))
    };
    assert_eq!(slot_of("住民基本台帳に関する事務"), "I.1.1");
    assert_eq!(
        slot_of("転入・転出等の届出"),
        "I.1.2",
        "②事務の概要 is 全項目's ②事務の内容"
    );
    assert_eq!(
        slot_of("住民基本台帳ネットワークシステム"),
        "I.2.1",
        "③システムの名称 is 全項目's 2 ①"
    );
}

/// What a document's first record says of its cover: body, 団体コード, kind, 様式, 公表日 and
/// 評価書番号 (「-」 for what it does not say).
fn cover_as_read(records: &[hyoka::record::Record]) -> [String; 6] {
    let first = records.first().expect("records");
    [
        first.municipality.clone(),
        first.municipality_code.clone().unwrap_or("-".into()),
        first.doc_type.clone(),
        first.form_version.clone().unwrap_or("-".into()),
        first.published.clone().unwrap_or("-".into()),
        first.doc_number.clone().unwrap_or("-".into()),
    ]
}

/// What the cover of a document read without a manifest gives, and the slots of its Ⅰ.
fn read_as_dropped_in(fixture: &str) -> Vec<hyoka::record::Record> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kinds")
        .join(fixture);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let meta = hyoka::corpus::infer_meta(fixture.to_string(), &text);
    hyoka::parse::parse_document(&meta, &text).expect("parses")
}

/// Covers as text extracted from PDFs gives them: the labels in one column and the values in
/// the next (公表日 far from its label), the prefecture apart from the organ (「愛知県 扶桑町長」);
/// the number on the title line with a space, the body's name in an old font's variant kanji
/// (「目黑区長」), the 宣言 wrapped with its last characters on a line of their own; the 評価書名
/// wrapped in its cell with the number beside its second line.
#[test]
fn covers_as_extracted_read_to_their_body_code_kind_form_date_and_number() {
    let cases = [
        (
            "cover-two-columns.txt",
            [
                "扶桑町",
                "233625",
                "基礎項目評価書",
                "令和6年10月 様式2",
                "2024-11-01",
                "7",
            ],
        ),
        (
            "cover-wrapped-title.txt",
            [
                "文京区",
                "131059",
                "基礎項目評価書",
                "令和6年10月 様式2",
                "2024-11-01",
                "7",
            ],
        ),
        (
            "cover-title-number.txt",
            [
                "目黒区",
                "131105",
                "基礎項目評価書",
                "令和6年10月 様式2",
                "2024-11-01",
                "7",
            ],
        ),
    ];
    for (fixture, expected) in cases {
        let records = read_as_dropped_in(fixture);
        let got = cover_as_read(&records);
        assert_eq!(got, expected.map(str::to_string), "{fixture}");
        let slot_of = |needle: &str| {
            records
                .iter()
                .find(|record| record.text.contains(needle))
                .and_then(|record| record.slot.clone())
        };
        let name_slot = records
            .iter()
            .find(|record| record.text == "介護保険に関する事務")
            .and_then(|record| record.slot.as_deref());
        assert_eq!(name_slot, Some("I.1.1"), "{fixture}");
        assert_eq!(
            slot_of("被保険者の資格管理").as_deref(),
            Some("I.1.2"),
            "{fixture}"
        );
        // The 宣言, wrapped or not, is one record that ends as the form's does.
        assert!(
            records
                .iter()
                .any(|record| record.text.ends_with("宣言する。")),
            "{fixture}"
        );
    }
}

/// A web copy of a PDF loses every line break (and the cells' tabs): the 基礎項目 and 重点項目
/// documents on one line read to the records of the documents that kept their breaks, cut where
/// the form starts a line (cover labels, the 様式 line, headings, labels, choice lists).
#[test]
fn a_document_whose_line_breaks_were_all_lost_reads_as_the_one_that_kept_them() {
    let key = |record: &hyoka::record::Record| {
        (
            record.slot.clone(),
            record.choice.clone(),
            record.rating.clone(),
            record.text.split_whitespace().collect::<String>(),
            record.doc_number.clone(),
            record.published.clone(),
            record.form_version.clone(),
            record.municipality.clone(),
            record.doc_type.clone(),
        )
    };
    for fixture in [
        "kiso.txt",
        "juten.txt",
        "kiso-kanren.txt",
        "kiso-full-r6.txt",
        "kiso-full-h30.txt",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/kinds")
            .join(fixture);
        let text = std::fs::read_to_string(&path).expect("fixture");
        let one_line: String = text
            .chars()
            .map(|character| {
                if character == '\n' || character == '\t' {
                    ' '
                } else {
                    character
                }
            })
            .collect();
        // The annexed change table is compared as its text: its rows start with a date, which
        // values hold too, so on one line its rows are not told apart.
        let read = |text: &str| {
            let meta = hyoka::corpus::infer_meta(fixture.to_string(), text);
            let records = hyoka::parse::parse_document(&meta, text)
                .unwrap_or_else(|error| panic!("{fixture}: {error}"));
            let in_annex = |record: &&hyoka::record::Record| {
                record.section_path.iter().any(|h| h.contains("変更箇所"))
            };
            let annex: String = records
                .iter()
                .filter(in_annex)
                .flat_map(|record| record.text.split_whitespace())
                .collect();
            let mut keys: Vec<_> = records
                .iter()
                .filter(|record| !in_annex(record))
                .map(key)
                .collect();
            keys.push((
                None,
                None,
                None,
                annex,
                None,
                None,
                None,
                String::new(),
                String::new(),
            ));
            keys
        };
        let kept = read(&text);
        assert!(kept.len() >= 4, "{fixture}");
        assert_eq!(read(&one_line), kept, "{fixture}");
    }
}

/// A 基礎項目評価書 and a 重点項目評価書 in full, each in two 様式 (fixtures written in the official
/// skeletons with the samples' measures): read to the body, its code, the kind, the 様式, the
/// 公表日 and the 評価書番号 from the cover, and every part to the 全項目 concept it is — 基礎項目's
/// Ⅰ 7 and 8 to Ⅴ (開示請求、問合せ), its しきい値判断 to Ⅵ 1, 重点項目's Ⅳ and Ⅴ to Ⅴ and Ⅵ,
/// the risks and their 評価 to Ⅲ, 監査 and 教育・啓発 to Ⅳ — while the items only 基礎項目 prints
/// and the annexed change table keep their headings and get no slot.
#[test]
fn whole_kiso_and_juten_documents_in_two_form_versions_read_to_their_cover_and_slots() {
    let kiso_concepts = [
        "I.1.1", "I.1.2", "I.2.1", "I.5", "I.6.2", "I.7.1", "I.7.2", "V.1.1", "V.2.1", "VI.1",
        "III.2.R1", "III.3.R1", "III.3.R2", "III.4", "III.5.R1", "III.6.R5", "III.7.R1", "IV.1",
        "IV.2",
    ];
    let juten_concepts = [
        "I.1.1",
        "I.1.2",
        "I.2.1",
        "I.5",
        "I.6.2",
        "I.7.1",
        "II.3.1",
        "II.6.1",
        "II.6.3",
        "III.2.R1",
        "III.2.R2",
        "III.2.R3",
        "III.2.R4",
        "III.3.R1",
        "III.3.R2",
        "III.4",
        "III.5.R1",
        "III.6.R1",
        "III.6.R5",
        "III.7.R1",
        "III.7.R1.10",
        "IV.1",
        "IV.2",
        "V.1.1",
        "V.2.1",
        "VI.1",
    ];
    let cases: [(&str, [&str; 6], &[&str]); 4] = [
        (
            "kiso-full-r6.txt",
            [
                "当別町",
                "013030",
                "基礎項目評価書",
                "令和6年10月 様式2",
                "2024-11-01",
                "7",
            ],
            &kiso_concepts,
        ),
        (
            "kiso-full-h30.txt",
            [
                "田子町",
                "024431",
                "基礎項目評価書",
                "平成30年5月 様式2",
                "2019-02-01",
                "3",
            ],
            &kiso_concepts,
        ),
        (
            "juten-full-r6.txt",
            [
                "江別市",
                "012173",
                "重点項目評価書",
                "令和6年10月 様式3",
                "2024-12-02",
                "2",
            ],
            &juten_concepts,
        ),
        (
            "juten-full-h30.txt",
            [
                "八代市",
                "432024",
                "重点項目評価書",
                "平成30年5月 様式3",
                "2018-11-01",
                "4",
            ],
            &juten_concepts,
        ),
    ];
    for (fixture, cover, concepts) in cases {
        let records = read_as_dropped_in(fixture);
        let got = cover_as_read(&records);
        assert_eq!(got, cover.map(str::to_string), "{fixture}");
        let slots: BTreeSet<&str> = records
            .iter()
            .filter_map(|record| record.slot.as_deref())
            .collect();
        let missing: Vec<&&str> = concepts
            .iter()
            .filter(|slot| !slots.contains(**slot))
            .collect();
        assert!(missing.is_empty(), "{fixture}: no record in {missing:?}");
        for record in &records {
            let path = record.section_path.join(" › ");
            // Where the heading says what the record is, the slot is that concept.
            let expected_section = if path.contains("しきい値判断") {
                Some("VI.1")
            } else if path.contains("開示・訂正・利用停止請求") {
                Some("V.1")
            } else if path.contains("取扱いに関する問合せ") {
                Some("V.2")
            } else {
                None
            };
            if let Some(section) = expected_section {
                assert!(
                    record
                        .slot
                        .as_deref()
                        .is_some_and(|slot| hyoka::form::is_within(slot, section)),
                    "{fixture}: {path} › {} in {:?}",
                    record.text,
                    record.slot
                );
            }
            let unslotted = [
                "変更箇所",
                "人手を介在させる作業",
                "最も優先度が高い",
                "提出する特定個人情報保護評価書の種類",
            ];
            if unslotted.iter().any(|heading| path.contains(heading)) {
                assert_eq!(record.slot, None, "{fixture}: {path} › {}", record.text);
            }
        }
    }
}
