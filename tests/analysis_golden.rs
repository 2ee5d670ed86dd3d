//! Golden tests of the analysis chain on sentences from the sample documents.

use hyoka::analysis::{bigrams, morphemes, normalize};

use crate::util::sentence_containing;

fn render(sentence: &str) -> String {
    let normalized = normalize(sentence);
    let morphemes: Vec<String> = morphemes(sentence)
        .into_iter()
        .map(|token| token.term)
        .collect();
    let bigrams: Vec<String> = bigrams(sentence)
        .into_iter()
        .map(|token| token.term)
        .collect();
    format!(
        "input:      {sentence}\nnormalized: {}\nmorphemes:  {}\nbigrams:    {}\n",
        normalized.as_str(),
        morphemes.join(" | "),
        bigrams.join(" "),
    )
}

#[test]
fn golden_analysis_of_a_physical_measure_of_sapporo() {
    let sentence = sentence_containing("002", "サーバ室は、機械による入退室管理設備");
    insta::assert_snapshot!(render(&sentence));
}

#[test]
fn golden_analysis_of_the_shared_government_cloud_wording() {
    let sentence = sentence_containing(
        "000",
        "ガバメントクラウドについては政府情報システムのセキュリティ制度",
    );
    insta::assert_snapshot!(render(&sentence));
}

#[test]
fn golden_analysis_of_text_with_stray_spaces_from_line_wrapping() {
    let sentence = sentence_containing("001", "情報提供 ネットワークシステムを使用して");
    insta::assert_snapshot!(render(&sentence));
}

#[test]
fn golden_analysis_of_a_risk_heading_with_foreign_script_debris() {
    let sentence = sentence_containing("002", "入手した特定個人情報ที่ไม่正確であるリスク");
    insta::assert_snapshot!(render(&sentence));
}

#[test]
fn golden_analysis_of_full_width_text_of_a_change_table() {
    let sentence = sentence_containing(
        "000",
        "番号連携サーバ（団体内統合宛名システム）は、個人番号利用業務以外",
    );
    insta::assert_snapshot!(render(&sentence));
}

#[test]
fn okurigana_variants_in_the_documents_meet() {
    // 000 writes 組み合わせ-free 持出し… while 002 writes 組み合わせ and 組合せ both.
    let written_out = sentence_containing("002", "氏名と住所の組み合わせ");
    let short = "氏名と住所の組合せ";
    assert!(
        normalize(&written_out)
            .as_str()
            .contains(normalize(short).as_str())
    );
}
