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
pub mod phrases;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

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

pub fn morphemes_of_normalized(normalized: &Normalized) -> Vec<AnalyzedToken> {
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

pub fn bigrams_of_normalized(normalized: &Normalized) -> Vec<AnalyzedToken> {
    bigram_spans(normalized.as_str())
        .into_iter()
        .map(|span| {
            let (original_start, original_end) = normalized.original_range(span.start, span.end);
            AnalyzedToken {
                term: span.term.to_string(),
                position: span.position,
                original_start,
                original_end,
            }
        })
        .collect()
}

/// A bigram of a normalised text, borrowed, with its byte span in that text (not the original):
/// for callers that look at every bigram but need the original offsets of only a few.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigramSpan<'a> {
    pub term: &'a str,
    pub position: usize,
    pub start: usize,
    pub end: usize,
}

/// The bigrams of an already normalised text: overlapping pairs of letters and digits within
/// each run of them, a lone character as itself; runs are two positions apart.
pub fn bigram_spans(text: &str) -> Vec<BigramSpan<'_>> {
    BigramSpans::from(text, 0).collect()
}

/// [`bigram_spans`] one at a time, from the run of letters and digits that starts at byte
/// `start` (positions counted from there): a caller looking for one word reads only the runs
/// around where its characters are.
pub struct BigramSpans<'text> {
    text: &'text str,
    characters: std::str::CharIndices<'text>,
    /// Where the characters read start in `text`.
    base: usize,
    /// The last character of the run being read, if one is.
    previous: Option<(usize, char)>,
    run_length: usize,
    position: usize,
}

impl<'text> BigramSpans<'text> {
    pub fn from(text: &'text str, start: usize) -> BigramSpans<'text> {
        BigramSpans {
            text,
            characters: text[start..].char_indices(),
            base: start,
            previous: None,
            run_length: 0,
            position: 0,
        }
    }

    fn span(&mut self, start: usize, end: usize) -> BigramSpan<'text> {
        let span = BigramSpan {
            term: &self.text[start..end],
            position: self.position,
            start,
            end,
        };
        self.position += 1;
        span
    }

    /// Ends the run being read: a run of one character is that character; the next run's
    /// first bigram is not adjacent to this run's last.
    fn end_run(&mut self) -> Option<BigramSpan<'text>> {
        let (start, character) = self.previous.take()?;
        let lone = (std::mem::take(&mut self.run_length) == 1)
            .then(|| self.span(start, start + character.len_utf8()));
        self.position += 1;
        lone
    }
}

impl<'text> Iterator for BigramSpans<'text> {
    type Item = BigramSpan<'text>;

    fn next(&mut self) -> Option<BigramSpan<'text>> {
        loop {
            let Some((offset, character)) = self.characters.next() else {
                return self.end_run();
            };
            let offset = self.base + offset;
            if !character.is_alphanumeric() {
                if let Some(lone) = self.end_run() {
                    return Some(lone);
                }
                continue;
            }
            self.run_length += 1;
            if let Some((start, _)) = self.previous.replace((offset, character)) {
                return Some(self.span(start, offset + character.len_utf8()));
            }
        }
    }
}

/// Whether a morpheme says something on its own: two or more characters, or one kanji or
/// katakana. Particles and single hiragana would light up every line and match every draft.
pub fn is_meaningful_term(term: &str) -> bool {
    term.chars().count() >= 2
        || term
            .chars()
            .any(|c| normalize::is_japanese_letter(c) && !normalize::is_hiragana(c))
}

/// The morphological analyzer as tantivy sees it.
#[derive(Clone, Default)]
pub struct JaTokenizer {
    cache: TokenCache,
}

/// The bigram analyzer as tantivy sees it.
#[derive(Clone, Default)]
pub struct BigramTokenizer {
    cache: TokenCache,
}

/// Tokens of the texts an analyzer has seen more than once. Nationally shared wording (the
/// 中間サーバー・プラットフォーム measures, the 記載例 sentences) and the headings indexed
/// with every record repeat verbatim across thousands of bodies, so an ingest analyses each
/// such text once per indexing thread instead of once per record. A text is kept only from its
/// second sighting, so a body's own wording, seen once, costs a hash and nothing more; when the
/// kept tokens pass [`TokenCache::MAX_TOKENS`] the cache starts over.
#[derive(Default)]
struct TokenCache {
    /// Hashes of texts seen once.
    seen: std::collections::HashSet<u64>,
    /// Hash → the text and its tokens (the text is compared, so a hash collision only misses).
    kept: std::collections::HashMap<u64, (Box<str>, Arc<Vec<Token>>)>,
    kept_tokens: usize,
}

impl Clone for TokenCache {
    /// Each clone (one per field and indexing thread) starts empty: sharing one would make the
    /// indexing threads wait on each other.
    fn clone(&self) -> Self {
        TokenCache::default()
    }
}

impl TokenCache {
    /// Tokens kept per analyzer instance (about 80 bytes each).
    const MAX_TOKENS: usize = 400_000;
    /// Texts longer than this are not kept: long texts are a body's own.
    const MAX_TEXT_BYTES: usize = 8 * 1024;
    /// Texts remembered as seen once before the memory of them starts over.
    const MAX_SEEN: usize = 1_000_000;

    fn tokens(
        &mut self,
        text: &str,
        analyze: impl FnOnce(&str) -> Vec<AnalyzedToken>,
    ) -> Arc<Vec<Token>> {
        if text.len() > Self::MAX_TEXT_BYTES {
            return Arc::new(to_tantivy_tokens(analyze(text)));
        }
        let hash = crate::record::stable_hash(&[text]);
        if let Some((kept_text, tokens)) = self.kept.get(&hash)
            && **kept_text == *text
        {
            return tokens.clone();
        }
        let tokens = Arc::new(to_tantivy_tokens(analyze(text)));
        if !self.seen.insert(hash) {
            // The second sighting: keep it.
            if self.kept_tokens + tokens.len() > Self::MAX_TOKENS {
                self.kept.clear();
                self.kept_tokens = 0;
            }
            self.kept_tokens += tokens.len();
            self.kept.insert(hash, (text.into(), tokens.clone()));
        } else if self.seen.len() > Self::MAX_SEEN {
            self.seen.clear();
        }
        tokens
    }
}

fn to_tantivy_tokens(analyzed: Vec<AnalyzedToken>) -> Vec<Token> {
    analyzed
        .into_iter()
        .map(|token| Token {
            offset_from: token.original_start,
            offset_to: token.original_end,
            position: token.position,
            text: token.term,
            position_length: 1,
        })
        .collect()
}

/// A token stream over analysed (possibly shared, cached) tokens.
pub struct AnalyzedTokenStream {
    tokens: Arc<Vec<Token>>,
    index: usize,
    /// The current token, copied out so that tantivy may change it.
    current: Token,
}

impl AnalyzedTokenStream {
    fn new(tokens: Arc<Vec<Token>>) -> Self {
        Self {
            tokens,
            index: 0,
            current: Token::default(),
        }
    }
}

impl TokenStream for AnalyzedTokenStream {
    fn advance(&mut self) -> bool {
        let Some(next) = self.tokens.get(self.index) else {
            return false;
        };
        self.index += 1;
        // Field by field, so the text's buffer is reused rather than reallocated.
        self.current.offset_from = next.offset_from;
        self.current.offset_to = next.offset_to;
        self.current.position = next.position;
        self.current.position_length = next.position_length;
        self.current.text.clear();
        self.current.text.push_str(&next.text);
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = AnalyzedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AnalyzedTokenStream::new(self.cache.tokens(text, morphemes))
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = AnalyzedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AnalyzedTokenStream::new(self.cache.tokens(text, bigrams))
    }
}

/// Registers both analyzers on an index under their names.
pub fn register_tokenizers(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(JA_TOKENIZER, JaTokenizer::default());
    manager.register(BIGRAM_TOKENIZER, BigramTokenizer::default());
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
