//! Drafting by example on the bundled corpus: what a draft lacks (hints), precedents grouped and
//! aligned with the draft, the workspace's slots and starting document, and bad drafts refused
//! in Japanese. Drafts are made from the samples' own text.

use std::collections::{HashMap, HashSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use hyoka::analysis::{morphemes, normalize};
use hyoka::draft::hints::hints;
use hyoka::draft::precedents::precedents;
use hyoka::draft::workspace::{WorkspaceRequest, starting_document, workspace_slots};
use hyoka::draft::{DraftError, DraftRequest};
use hyoka::search::SearchRequest;

const PHYSICAL_MEASURES: &str = "III.7.R1.5";

/// 札幌市's text of a slot, as the index holds it.
fn sapporo_text(slot: &str) -> String {
    let response = crate::util::index()
        .search(&SearchRequest {
            q: "サーバ".to_string(),
            municipality: Some("札幌市".to_string()),
            slot: Some(slot.to_string()),
            fold: Some("off".to_string()),
            ..SearchRequest::default()
        })
        .expect("search runs");
    response
        .hits
        .into_iter()
        .map(|hit| hit.record.text)
        .find(|text| text.contains("監視カメラ"))
        .expect("札幌市 writes 監視カメラ in its physical measures")
}

/// 札幌市's physical measures without their sentences about cameras: a real draft that lacks
/// 監視カメラ.
fn draft_without_cameras() -> String {
    hyoka::compare::sentences_of(&sapporo_text(PHYSICAL_MEASURES))
        .into_iter()
        .filter(|sentence| !sentence.contains("カメラ"))
        .collect::<Vec<_>>()
        .join("")
}

fn request(slot: &str, text: &str) -> DraftRequest {
    DraftRequest {
        slot: slot.to_string(),
        text: text.to_string(),
        limit: Some(50),
        ..DraftRequest::default()
    }
}

#[test]
fn a_draft_without_cameras_is_told_that_peers_write_監視カメラ_with_their_share_and_sentences() {
    let draft = draft_without_cameras();
    assert!(
        !draft.contains("カメラ") && draft.chars().count() > 20,
        "{draft}"
    );
    let response = hints(crate::util::index(), &request(PHYSICAL_MEASURES, &draft)).expect("hints");
    let camera = response
        .hints
        .iter()
        .find(|hint| hint.phrase == "監視カメラ")
        .unwrap_or_else(|| panic!("no 監視カメラ hint: {:?}", response.hints));
    assert!(camera.bodies >= 2, "{camera:?}");
    assert_eq!(
        camera.share,
        (camera.bodies as f64 / response.peer_bodies as f64 * 1000.0).round() / 1000.0
    );
    assert!(!camera.examples.is_empty() && camera.examples.len() <= 3);
    let mut sentences = HashSet::new();
    for example in &camera.examples {
        assert!(example.sentence.contains("監視カメラ"), "{example:?}");
        assert!(
            sentences.insert(example.sentence.clone()),
            "examples repeat"
        );
        // Each example is its body's own text of the slot.
        let record = crate::util::index()
            .record(&example.id)
            .expect("lookup")
            .expect("the example's record exists");
        assert!(record.text.contains(&example.sentence), "{example:?}");
        assert_eq!(record.slot.as_deref(), Some(PHYSICAL_MEASURES));
        assert!(
            example.source.contains("Ⅲ 7. リスク1 ⑤物理的対策"),
            "{}",
            example.source
        );
    }
    // Ranked by share of bodies.
    let shares: Vec<usize> = response.hints.iter().map(|hint| hint.bodies).collect();
    assert!(
        shares.windows(2).all(|pair| pair[0] >= pair[1]),
        "{shares:?}"
    );
    // Nothing the draft already says.
    for hint in &response.hints {
        assert!(
            !normalize(&draft)
                .as_str()
                .contains(normalize(&hint.phrase).as_str()),
            "{hint:?}"
        );
    }
}

#[test]
fn a_draft_saying_防犯カメラ_is_not_told_to_add_監視カメラ() {
    let draft = format!("{}防犯カメラを設置している。", draft_without_cameras());
    let response = hints(crate::util::index(), &request(PHYSICAL_MEASURES, &draft)).expect("hints");
    assert!(
        !response
            .hints
            .iter()
            .any(|hint| hint.phrase.contains("カメラ")),
        "{:?}",
        response.hints
    );
    let said = response
        .said_otherwise
        .iter()
        .find(|said| said.phrase == "監視カメラ")
        .expect("監視カメラ is said otherwise");
    assert_eq!(said.said_as, "防犯カメラ");
}

/// The words most records hold, counted from the records themselves (not from the index's
/// term dictionary that the hints use).
fn most_common_words(count: usize) -> HashSet<String> {
    let index = crate::util::index();
    let mut frequencies: HashMap<String, usize> = HashMap::new();
    for document in index.documents().all() {
        for record in index
            .records_of_file(&document.file, 100_000)
            .expect("records")
        {
            let words: HashSet<String> = morphemes(&record.search_text())
                .into_iter()
                .map(|token| token.term)
                .filter(|term| hyoka::analysis::is_meaningful_term(term))
                .collect();
            for word in words {
                *frequencies.entry(word).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = frequencies.into_iter().collect();
    ranked.sort_by(|left, right| right.1.cmp(&left.1).then_with(|| left.0.cmp(&right.0)));
    ranked
        .into_iter()
        .take(count)
        .map(|(word, _)| word)
        .collect()
}

#[test]
fn no_slot_hints_a_word_every_slot_writes() {
    let common = most_common_words(50);
    assert!(
        common.contains("措置") || common.contains("実施"),
        "{common:?}"
    );
    let index = crate::util::index();
    let table = index.comparison_table();
    // A plain draft every slot could have: every characteristic phrase of the slot is missing.
    let draft = "適切に対策を講じている。";
    let mut slots_checked = 0;
    let mut hints_seen = 0;
    for slot in table.slot_keys() {
        let bodies: HashSet<u32> = table
            .rows_in_slot(slot)
            .iter()
            .filter(|row| row.has_text)
            .map(|row| row.body)
            .collect();
        if bodies.len() < 2 || hyoka::form::slot_by_key(slot).is_none() {
            continue;
        }
        slots_checked += 1;
        let response = hints(index, &request(slot, draft)).expect("hints");
        for hint in &response.hints {
            hints_seen += 1;
            let phrase = normalize(&hint.phrase).as_str().to_string();
            assert!(
                !common.contains(&phrase),
                "{slot}: {} is a common word",
                hint.phrase
            );
            let words: Vec<String> = morphemes(&hint.phrase)
                .into_iter()
                .map(|t| t.term)
                .collect();
            assert!(
                !words.iter().all(|word| common.contains(word)),
                "{slot}: {} is made of common words {words:?}",
                hint.phrase
            );
        }
    }
    assert!(
        slots_checked >= 30,
        "only {slots_checked} slots have two bodies"
    );
    assert!(
        hints_seen >= 50,
        "only {hints_seen} hints over {slots_checked} slots"
    );
}

#[test]
fn hints_are_rendered_as_staff_read_them() {
    let response = hints(
        crate::util::index(),
        &request(PHYSICAL_MEASURES, &draft_without_cameras()),
    )
    .expect("hints");
    let mut rendered = format!(
        "{} 団体 · {} 件の記載 · {} 通りの文言\n",
        response.peer_bodies, response.peer_rows, response.wordings
    );
    for hint in &response.hints {
        rendered.push_str(&format!(
            "{}  {}/{} 団体\n",
            hint.phrase, hint.bodies, response.peer_bodies
        ));
        for example in &hint.examples {
            rendered.push_str(&format!(
                "    「{}」 ({})\n",
                example.sentence, example.body
            ));
        }
    }
    insta::assert_snapshot!(rendered);
}

#[test]
fn precedents_are_wordings_aligned_with_the_draft() {
    let text = sapporo_text(PHYSICAL_MEASURES);
    let first_sentence = hyoka::compare::sentences_of(&text).remove(0);
    let draft = format!("{first_sentence}また、防犯カメラを設置している。");
    let mut asked = request(PHYSICAL_MEASURES, &draft);
    asked.limit = Some(hyoka::draft::precedents::MAX_PRECEDENTS);
    let response = precedents(crate::util::index(), &asked).expect("precedents");
    assert!(!response.precedents.is_empty());
    let nearest = &response.precedents[0];
    assert_eq!(nearest.body, "札幌市", "{:?}", nearest.text);
    let same = nearest
        .aligned
        .iter()
        .find(|sentence| sentence.text == first_sentence)
        .expect("the draft's first sentence is aligned");
    assert_eq!(format!("{:?}", same.alignment), "Same");
    // Folded: one precedent per wording.
    let texts: HashSet<&str> = response
        .precedents
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(texts.len(), response.precedents.len());
    assert!(response.wordings >= response.precedents.len());
    for precedent in &response.precedents {
        assert!(precedent.bodies >= 1);
        assert!(
            precedent.source.starts_with(&precedent.body),
            "{}",
            precedent.source
        );
    }
}

#[test]
fn the_workspace_lists_the_slots_peers_write_in_the_forms_order() {
    let index = crate::util::index();
    let all = workspace_slots(index, &WorkspaceRequest::default()).expect("slots");
    let kind = workspace_slots(
        index,
        &WorkspaceRequest {
            doc_type: Some("全項目評価書".to_string()),
            ..WorkspaceRequest::default()
        },
    )
    .expect("slots");
    assert!(
        all.doc_types
            .iter()
            .any(|choice| choice.value == "全項目評価書")
    );
    let order: Vec<usize> = kind
        .slots
        .iter()
        .map(|slot| {
            hyoka::form::SLOTS
                .iter()
                .position(|known| known.key == slot.key)
                .expect("a slot of the form")
        })
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{order:?}");
    let physical = kind
        .slots
        .iter()
        .find(|slot| slot.key == PHYSICAL_MEASURES)
        .expect("⑤物理的対策 is written");
    assert_eq!(physical.heading, "Ⅲ 7. リスク1 ⑤物理的対策");
    assert!(physical.bodies >= 2);
    assert!(kind.slots.len() > 50, "{}", kind.slots.len());
}

#[test]
fn a_draft_starts_from_a_bodys_document_slot_by_slot() {
    let index = crate::util::index();
    let sapporo = index
        .documents()
        .all()
        .iter()
        .find(|document| document.body == "札幌市" && document.current)
        .expect("札幌市 has a current document")
        .file
        .clone();
    let start = starting_document(index, &sapporo).expect("start");
    assert_eq!(start.document.body, "札幌市");
    let physical = start
        .slots
        .iter()
        .find(|slot| slot.slot == PHYSICAL_MEASURES)
        .expect("札幌市 writes ⑤物理的対策");
    let own = sapporo_text(PHYSICAL_MEASURES);
    assert_eq!(
        physical.text.matches(own.as_str()).count(),
        1,
        "each text once"
    );
    let positions: Vec<usize> = start
        .slots
        .iter()
        .map(|slot| {
            hyoka::form::SLOTS
                .iter()
                .position(|known| known.key == slot.slot)
                .expect("a slot of the form")
        })
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    assert!(matches!(
        starting_document(index, "no-such-file.pdf"),
        Err(DraftError::UnknownDocument(_))
    ));
}

async fn post(uri: &str, body: String) -> (StatusCode, Value) {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let (status, _, bytes) = crate::util::send(request).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn is_japanese(message: &str) -> bool {
    message
        .chars()
        .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c))
}

#[tokio::test]
async fn bad_drafts_get_a_japanese_error_naming_what_to_change() {
    let cases = [
        (
            serde_json::json!({ "slot": PHYSICAL_MEASURES, "text": "   " }).to_string(),
            StatusCode::BAD_REQUEST,
            "empty_draft",
        ),
        (
            serde_json::json!({ "slot": "III.99", "text": "施錠する。" }).to_string(),
            StatusCode::BAD_REQUEST,
            "unknown_slot",
        ),
        (
            serde_json::json!({ "slot": PHYSICAL_MEASURES, "text": "施錠する。".repeat(5000) })
                .to_string(),
            StatusCode::BAD_REQUEST,
            "draft_too_long",
        ),
        (
            serde_json::json!({ "slot": PHYSICAL_MEASURES, "text": "あ".repeat(1_000_000) })
                .to_string(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            serde_json::json!({ "slot": PHYSICAL_MEASURES, "text": "施錠する。", "limit": 500 })
                .to_string(),
            StatusCode::BAD_REQUEST,
            "bad_limit",
        ),
        (
            "{\"slot\":".to_string(),
            StatusCode::BAD_REQUEST,
            "bad_body",
        ),
    ];
    for endpoint in ["/api/draft/hints", "/api/draft/precedents"] {
        for (body, status, code) in &cases {
            let (got, response) = post(endpoint, body.clone()).await;
            assert_eq!(got, *status, "{endpoint} {code}: {response}");
            assert_eq!(response["error"]["code"], *code, "{endpoint}: {response}");
            let message = response["error"]["message"].as_str().unwrap_or_default();
            assert!(is_japanese(message), "{endpoint} {code}: {message}");
        }
    }
    let (status, response) = post(
        "/api/draft/hints",
        serde_json::json!({ "slot": PHYSICAL_MEASURES, "text": draft_without_cameras() })
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert!(
        response["hints"]
            .as_array()
            .is_some_and(|hints| !hints.is_empty())
    );
}

#[test]
fn the_drafting_bodys_own_text_is_not_its_peer() {
    let draft = draft_without_cameras();
    let mut asked = request(PHYSICAL_MEASURES, &draft);
    let everyone = hints(crate::util::index(), &asked).expect("hints");
    asked.own_body = Some("札幌市".to_string());
    let peers = hints(crate::util::index(), &asked).expect("hints");
    assert_eq!(peers.peer_bodies + 1, everyone.peer_bodies);
    for hint in &peers.hints {
        assert!(
            hint.examples.iter().all(|example| example.body != "札幌市"),
            "{hint:?}"
        );
    }
    asked.limit = Some(hyoka::draft::precedents::MAX_PRECEDENTS);
    let nearest = precedents(crate::util::index(), &asked).expect("precedents");
    assert!(!nearest.precedents.is_empty());
    assert!(
        nearest
            .precedents
            .iter()
            .all(|precedent| precedent.body != "札幌市")
    );
}
