//! Fuzzes the analysis chain: every token's span must lie on character boundaries of the
//! original text, in order, because snippets slice the original text by these spans.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for tokens in [
        hyoka::analysis::morphemes(text),
        hyoka::analysis::bigrams(text),
    ] {
        for token in tokens {
            assert!(token.original_start <= token.original_end, "{token:?}");
            assert!(token.original_end <= text.len(), "{token:?}");
            assert!(text.is_char_boundary(token.original_start), "{token:?}");
            assert!(text.is_char_boundary(token.original_end), "{token:?}");
            assert!(!token.term.is_empty(), "{token:?}");
        }
    }
});
