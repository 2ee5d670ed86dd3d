//! Japanese text analysis: normalisation, morphological tokens and character bigrams.
//!
//! Two token streams are made from the same normalised text:
//! - [`morphemes`]: IPADIC words from lindera, for precision (a query 入手 does not match 入手元's
//!   neighbour 手元); conjugating words are indexed by their base form (行っている → 行う).
//! - [`bigrams`]: overlapping character pairs, for recall on compounds the dictionary does not
//!   know (クラウド inside ガバメントクラウド, プラットフォーム inside
//!   中間サーバー・プラットフォーム) and where query and document are segmented differently.
//!
//! Both are registered in tantivy under [`JA_TOKENIZER`] and [`BIGRAM_TOKENIZER`]; the query
//! builder calls the same functions, so queries and documents are analysed alike.

pub mod dictionary;
pub mod normalize;

use std::borrow::Cow;
use std::sync::OnceLock;

use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

pub use normalize::{Normalized, normalize};

/// Name under which the morphological analyzer is registered in the index.
pub const JA_TOKENIZER: &str = "hyoka_ja";
/// Name under which the bigram analyzer is registered in the index.
pub const BIGRAM_TOKENIZER: &str = "hyoka_bigram";

/// One token of either stream, with its span in the original (not normalised) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The indexed term.
    pub term: String,
    /// Position in the token stream; bigrams of separate runs are two positions apart.
    pub position: usize,
    /// Byte offsets in the original text.
    pub original_start: usize,
    pub original_end: usize,
}

/// The process-wide segmenter. The dictionary is embedded in the binary and loaded once; every
/// tokenizer clone shares it (tantivy clones tokenizers per indexing thread and per query).
pub fn segmenter() -> &'static Segmenter {
    static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();
    SEGMENTER.get_or_init(|| {
        // The embedded bytes were validated when build.rs wrote them; failing to read them back
        // means the binary itself is corrupt, which no caller can recover from.
        let dictionary = dictionary::load().expect("the embedded IPADIC dictionary is readable");
        Segmenter::new(Mode::Normal, dictionary, None)
    })
}

/// Morphological tokens of `text`: normalised, punctuation dropped, conjugating words reduced
/// to their base form.
pub fn morphemes(text: &str) -> Vec<AnalyzedToken> {
    let normalized = normalize(text);
    morphemes_of_normalized(&normalized)
}

fn morphemes_of_normalized(normalized: &Normalized) -> Vec<AnalyzedToken> {
    let Ok(mut tokens) = segmenter().segment(Cow::Borrowed(normalized.as_str())) else {
        // lindera reports errors only for dictionary faults; fall back to no morphemes rather
        // than failing a whole ingest, the bigram field still indexes the text.
        return Vec::new();
    };
    let mut output = Vec::with_capacity(tokens.len());
    for token in tokens.iter_mut() {
        let surface = token.surface.to_string();
        if !surface.chars().any(char::is_alphanumeric) {
            continue;
        }
        let part_of_speech = token.get_detail(0).unwrap_or("*").to_string();
        let base_form = token.get_detail(6).unwrap_or("*").to_string();
        let conjugates = matches!(part_of_speech.as_str(), "動詞" | "形容詞" | "助動詞");
        let term = if conjugates && base_form != "*" && !base_form.is_empty() {
            normalize(&base_form).as_str().to_string()
        } else {
            surface
        };
        let (original_start, original_end) =
            normalized.original_range(token.byte_start, token.byte_end);
        output.push(AnalyzedToken {
            term,
            position: output.len(),
            original_start,
            original_end,
        });
    }
    output
}

/// Character bigrams of `text`: each run of letters and digits gives its overlapping pairs
/// (a run of one character gives that character). Runs are separated by a position gap so
/// that a phrase never matches across punctuation it did not contain.
pub fn bigrams(text: &str) -> Vec<AnalyzedToken> {
    let normalized = normalize(text);
    bigrams_of_normalized(&normalized)
}

fn bigrams_of_normalized(normalized: &Normalized) -> Vec<AnalyzedToken> {
    let text = normalized.as_str();
    let mut output = Vec::new();
    let mut position = 0usize;
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, char)>, output: &mut Vec<AnalyzedToken>| {
        if run.is_empty() {
            return;
        }
        let pairs: Vec<(usize, usize)> = if run.len() == 1 {
            vec![(0, 0)]
        } else {
            (0..run.len() - 1).map(|index| (index, index + 1)).collect()
        };
        for (first, last) in pairs {
            let start = run[first].0;
            let end = run[last].0 + run[last].1.len_utf8();
            let (original_start, original_end) = normalized.original_range(start, end);
            output.push(AnalyzedToken {
                term: text[start..end].to_string(),
                position,
                original_start,
                original_end,
            });
            position += 1;
        }
        // The gap: the next run's first bigram is not adjacent to this run's last.
        position += 1;
        run.clear();
    };
    for (offset, character) in text.char_indices() {
        if character.is_alphanumeric() {
            run.push((offset, character));
        } else {
            flush(&mut run, &mut output);
        }
    }
    flush(&mut run, &mut output);
    output
}

/// Whether a morpheme says something on its own: two or more characters, or one kanji or
/// katakana. Particles and single hiragana would light up every line and match every draft.
pub fn is_meaningful_term(term: &str) -> bool {
    term.chars().count() >= 2
        || term
            .chars()
            .any(|c| normalize::is_japanese_letter(c) && !matches!(c, '\u{3041}'..='\u{3096}'))
}

/// tantivy adapter for [`morphemes`].
#[derive(Clone, Default)]
pub struct JaTokenizer;

/// tantivy adapter for [`bigrams`].
#[derive(Clone, Default)]
pub struct BigramTokenizer;

/// A token stream over tokens computed up front.
pub struct AnalyzedTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl AnalyzedTokenStream {
    fn new(analyzed: Vec<AnalyzedToken>) -> Self {
        let tokens = analyzed
            .into_iter()
            .map(|token| Token {
                offset_from: token.original_start,
                offset_to: token.original_end,
                position: token.position,
                text: token.term,
                position_length: 1,
            })
            .collect();
        Self { tokens, index: 0 }
    }
}

impl TokenStream for AnalyzedTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = AnalyzedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AnalyzedTokenStream::new(morphemes(text))
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = AnalyzedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AnalyzedTokenStream::new(bigrams(text))
    }
}

/// Registers both analyzers on an index under their names.
pub fn register_tokenizers(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(JA_TOKENIZER, JaTokenizer);
    manager.register(BIGRAM_TOKENIZER, BigramTokenizer);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(tokens: &[AnalyzedToken]) -> Vec<&str> {
        tokens.iter().map(|token| token.term.as_str()).collect()
    }

    #[test]
    fn katakana_fragment_is_a_bigram_run_inside_a_compound() {
        let document = terms(&bigrams("ガバメントクラウドにおける措置"))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        for bigram in terms(&bigrams("クラウド")) {
            assert!(document.iter().any(|term| term == bigram), "{bigram}");
        }
    }

    #[test]
    fn a_single_character_run_is_indexed_as_itself() {
        assert_eq!(terms(&bigrams("県、市")), vec!["県", "市"]);
    }

    #[test]
    fn punctuation_is_not_a_morpheme() {
        let tokens = morphemes("措置の内容、");
        assert!(terms(&tokens).iter().all(|term| *term != "、"));
    }

    #[test]
    fn conjugated_verbs_are_indexed_by_base_form() {
        assert!(terms(&morphemes("確認を行っている")).contains(&"行う"));
    }

    #[test]
    fn token_offsets_point_into_the_original_text() {
        let original = "ｻｰﾊﾞｰ室は施錠";
        for token in morphemes(original).iter().chain(bigrams(original).iter()) {
            assert!(original.is_char_boundary(token.original_start));
            assert!(original.is_char_boundary(token.original_end));
        }
    }
}
