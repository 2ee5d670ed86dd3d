//! Properties over generated input, run in CI where the coverage-guided fuzzers (`fuzz/`) are
//! too slow to run: documents built from the samples' own lines and then damaged, arbitrary
//! bytes, arbitrary queries, arbitrary text through the analysis chain. Nothing may panic;
//! spans must stay on character boundaries; every record must point at a line of its document.

use std::sync::OnceLock;

use proptest::prelude::*;

/// Every line of the five samples: the material damaged documents are built from.
fn sample_lines() -> &'static [String] {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        ["000", "001", "002", "003", "004"]
            .iter()
            .flat_map(|prefix| {
                crate::util::sample(prefix)
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// Damage of the kinds real extractions show, plus some they don't.
fn damage() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\t".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("&lt;".to_string()),
        Just("<p>".to_string()),
        Just("<del>".to_string()),
        Just("<u>".to_string()),
        Just("</u>".to_string()),
        Just("<選択肢>".to_string()),
        Just("[特に力を入れている]".to_string()),
        Just("リスク1:".to_string()),
        Just("①".to_string()),
        Just("Ⅲ".to_string()),
        Just("7.".to_string()),
        Just("通番".to_string()),
        Just("\r".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("ที่".to_string()),
        "\\PC{0,8}",
    ]
}

/// A document: up to 120 sample lines in any order, some cut, some with damage inserted.
fn damaged_document() -> impl Strategy<Value = String> {
    let line = (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::option::of(damage()),
    )
        .prop_map(|(which, cut, inserted)| {
            let lines = sample_lines();
            let line = &lines[which.index(lines.len())];
            let boundaries: Vec<usize> = line
                .char_indices()
                .map(|(at, _)| at)
                .chain([line.len()])
                .collect();
            let at = boundaries[cut.index(boundaries.len())];
            match inserted {
                Some(inserted) => format!("{}{inserted}{}", &line[..at], &line[at..]),
                None => line.clone(),
            }
        });
    prop::collection::vec(line, 0..120).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_document_parses_without_panicking_and_records_point_at_its_lines(text in damaged_document()) {
        let meta = hyoka::corpus::infer_meta("damaged.txt".to_string(), &text);
        if let Ok(records) = hyoka::parse::parse_document(&meta, &text) {
            let lines = text.split('\n').count();
            for record in records {
                prop_assert!(record.source.line >= 1 && record.source.line <= lines);
                prop_assert!(!record.id.is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_are_decoded_or_refused_with_the_file_named(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        match hyoka::corpus::decode(&bytes, "input.bin") {
            Ok((text, _)) => prop_assert!(!text.is_empty()),
            Err(error) => prop_assert!(error.to_string().starts_with("input.bin: ")),
        }
    }

    #[test]
    fn any_query_is_a_plan_or_an_error_with_a_message(input in "[ \u{3000}\"\\-()*:a-zA-Zあ-んア-ン亜-熙0-9０-９ー・、。！？]{0,60}") {
        match hyoka::search::parse_query(&input) {
            Ok(parsed) => {
                let plan = hyoka::search::query::plan(&parsed);
                let (_, fields) = hyoka::index::schema();
                let _ = hyoka::search::query::to_query(&plan, &fields);
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(!message.is_empty());
                prop_assert_eq!(message.trim_end_matches(['.', '。']), message.as_str());
            }
        }
    }

    #[test]
    fn analysis_spans_stay_on_character_boundaries_of_the_original(text in "\\PC{0,200}") {
        for tokens in [hyoka::analysis::morphemes(&text), hyoka::analysis::bigrams(&text)] {
            for token in tokens {
                prop_assert!(token.original_start <= token.original_end);
                prop_assert!(token.original_end <= text.len());
                prop_assert!(text.is_char_boundary(token.original_start));
                prop_assert!(text.is_char_boundary(token.original_end));
            }
        }
    }
}

/// A printed fixture, small (two pages).
fn a_printed_pdf() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| std::fs::read(crate::pdf::fixture("juten-chromium.pdf")).expect("fixture"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A PDF damaged in transit (bytes overwritten here and there, or cut) is read or refused
    /// with a reason; a panic in the PDF library never escapes.
    #[test]
    fn a_damaged_pdf_is_read_or_refused_never_a_panic(
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = a_printed_pdf().to_vec();
        for (at, value) in damage {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()).max(1));
        }
        let outcome = std::panic::catch_unwind(|| hyoka::pdf::read_pdf(&bytes));
        prop_assert!(outcome.is_ok(), "read_pdf panicked");
        if let Ok(Err(error)) = outcome {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}
