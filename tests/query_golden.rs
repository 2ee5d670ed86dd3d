//! Golden tests of query building: the plan each kind of query becomes.

use hyoka::search::query::{parse_query, plan, render_plan};

fn rendered(query: &str) -> String {
    format!(
        "query: {query}\n{}",
        render_plan(&plan(&parse_query(query).expect("valid query")))
    )
}

#[test]
fn golden_plan_of_an_unspaced_compound() {
    insta::assert_snapshot!(rendered("目的外の入手"));
}

#[test]
fn golden_plan_of_a_katakana_fragment() {
    insta::assert_snapshot!(rendered("クラウド"));
}

#[test]
fn golden_plan_of_words_a_phrase_and_an_exclusion() {
    insta::assert_snapshot!(rendered("生体認証 \"入退室管理\" -ガバメントクラウド"));
}

#[test]
fn golden_plan_of_a_one_character_word() {
    insta::assert_snapshot!(rendered("県"));
}

#[test]
fn golden_plan_of_a_long_vowel_variant() {
    insta::assert_snapshot!(rendered("ｻｰﾊﾞｰ室"));
}
