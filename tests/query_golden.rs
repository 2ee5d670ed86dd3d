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

#[test]
fn golden_plan_of_an_or_between_words_and_a_third_word() {
    // OR binds tighter than the space: (生体認証 or 静脈認証) and 入退室.
    insta::assert_snapshot!(rendered("生体認証 OR 静脈認証 入退室"));
}

#[test]
fn golden_plan_of_a_parenthesised_group_or_a_word_and_an_excluded_group() {
    insta::assert_snapshot!(rendered("(入退室 記録) | 監視カメラ -(クラウド OR 委託)"));
}

#[test]
fn or_is_read_in_every_width_and_as_a_bar_and_または_is_a_word() {
    let group = |query: &str| {
        let parsed = parse_query(query).expect("valid query");
        parsed
            .clauses
            .iter()
            .map(|clause| (clause.is_group(), clause.text.clone()))
            .collect::<Vec<_>>()
    };
    let expected = vec![(true, "生体認証 OR 静脈認証".to_string())];
    for query in [
        "生体認証 OR 静脈認証",
        "生体認証 or 静脈認証",
        "生体認証 ＯＲ 静脈認証",
        "生体認証 ｏｒ 静脈認証",
        "生体認証|静脈認証",
        "生体認証 ｜ 静脈認証",
        "(生体認証 OR 静脈認証)",
        "（生体認証 OR 静脈認証）",
    ] {
        assert_eq!(group(query), expected, "{query}");
    }
    assert_eq!(
        group("生体認証 または 静脈認証")
            .iter()
            .map(|(is_group, _)| *is_group)
            .collect::<Vec<_>>(),
        vec![false, false, false]
    );
    // Leniently read: a dangling OR, an unmatched parenthesis.
    assert_eq!(group("生体認証 OR"), vec![(false, "生体認証".to_string())]);
    assert_eq!(group("生体認証)"), vec![(false, "生体認証".to_string())]);
    assert_eq!(group("(生体認証 OR 静脈認証"), expected);
    let reading = parse_query("生体認証 OR 静脈認証 入退室")
        .expect("valid")
        .reading()
        .expect("a reading");
    assert_eq!(
        reading,
        "（「生体認証」 または 「静脈認証」） かつ 「入退室」"
    );
}

#[test]
fn golden_candidates_walk_terms_without_positions_and_leave_exclusions_out() {
    // What a search walks before asking the exact query about each distinct text: phrases as
    // all their terms, the proximity phrase once, exclusions left out.
    use hyoka::search::query::candidate_plan;
    let rendered: Vec<String> = ["目的外の入手", "入退室 -(生体認証 OR 指紋認証)"]
        .iter()
        .map(|query| {
            format!(
                "query: {query}\n{}",
                render_plan(&candidate_plan(&plan(
                    &parse_query(query).expect("valid query")
                )))
            )
        })
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn golden_certain_plans_leave_phrases_out_and_exclude_by_terms() {
    // What certainly matches without positions, so that a folded search may score it by a
    // bound: a word's morphemes all present (its phrases only add to the score), an excluded
    // word by all its terms; a quoted phrase alone is certain of nothing.
    use hyoka::search::query::certain_plan;
    let rendered: Vec<String> = [
        "個人情報",
        "目的外の入手",
        "入退室 -(生体認証 OR 指紋認証)",
        "\"入退室管理\"",
    ]
    .iter()
    .map(|query| {
        let certain = certain_plan(&plan(&parse_query(query).expect("valid query")));
        format!(
            "query: {query}\n{}",
            certain.map_or_else(|| "(none)\n".to_string(), |certain| render_plan(&certain))
        )
    })
    .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}
