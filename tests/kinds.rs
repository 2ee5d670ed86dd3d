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
    let mut manifest = std::fs::read_to_string(corpus.join("manifest.toml")).expect("manifest");
    for (file, body, kind) in [
        ("juten.txt", "重点試験市", "重点項目評価書"),
        ("kiso.txt", "基礎試験町", "基礎項目評価書"),
    ] {
        std::fs::copy(fixtures.join(file), corpus.join(file)).expect("copy fixture");
        manifest.push_str(&format!(
            "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"{body}\"\ntitle = \"{kind}\"\ndoc_type = \"{kind}\"\n"
        ));
    }
    std::fs::write(corpus.join("manifest.toml"), manifest).expect("write manifest");
    let index_folder = folder.path().join("index");
    let output = crate::util::run_ingest(&corpus, &index_folder);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let index = SearchIndex::open(&index_folder).expect("index opens");
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
