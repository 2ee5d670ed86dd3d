//! The query language and the query builder.
//!
//! Users type Japanese without spaces, so raw input is never handed to tantivy's QueryParser
//! (it turns an unspaced multi-token word into a slop-0 phrase that fails whenever query and
//! document are segmented differently). The language is small:
//! - words separated by spaces are all required;
//! - `"…"` (or “…”) is a phrase: the exact character sequence;
//! - `-word` or `-"…"` excludes;
//! - `A OR B` (also `or`, `ＯＲ`, `|`, `｜`) is either: OR binds tighter than the spaces, so
//!   `生体認証 OR 静脈認証 入退室` is (生体認証 or 静脈認証) and 入退室; parentheses group
//!   (`(入退室 記録) OR 監視カメラ`, `-(A OR B)`). 「または」 is a word, not the operator.
//!
//! Each required word matches when either all its morphemes occur (morphological field) or its
//! exact character sequence occurs (bigram field); a phrase of its morphemes within a short
//! distance is boosted, so that 目的外の入手 written together ranks above the words scattered.

use std::fmt::Write as _;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RegexQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use super::bounds::{PhraseBoundQuery, TextScores};
use super::lazy_union::{Combine, LazyUnionQuery};
use super::same_text::{Bounds, SameTextQuery};
use crate::analysis::normalize::is_hiragana;
use crate::analysis::{bigrams, morphemes};
use crate::index::Fields;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most words and phrases in one query.
pub const MAX_CLAUSES: usize = 32;

/// Why a query was refused. Messages say what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("query is {length} characters long; the limit is {MAX_QUERY_CHARS}")]
    TooLong { length: usize },
    #[error("unclosed quote at character {position}: close the phrase with \"")]
    UnclosedQuote { position: usize },
    #[error("'-' at character {position} must be followed by a word or a \"phrase\" to exclude")]
    DanglingExclusion { position: usize },
    #[error("query has {count} words and phrases; the limit is {MAX_CLAUSES}")]
    TooManyClauses { count: usize },
    #[error("query {query:?} has no words to search for (only punctuation or exclusions)")]
    NothingToSearch { query: String },
}

/// A word or phrase of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub text: String,
    pub phrase: bool,
    pub excluded: bool,
    /// Other spellings the word is also searched as (from the synonym dictionary); never set
    /// on a phrase or an exclusion, which mean the words as typed.
    pub alternatives: Vec<String>,
    /// An OR group: the record holds all the clauses of any one of these (each a word, a
    /// phrase or a group). Empty for a word or phrase; `text` is then the group as typed back.
    pub any_of: Vec<Vec<Clause>>,
}

impl Clause {
    /// A word or a phrase.
    pub fn word(text: String, phrase: bool, excluded: bool) -> Clause {
        Clause {
            text,
            phrase,
            excluded,
            alternatives: Vec::new(),
            any_of: Vec::new(),
        }
    }

    /// Whether this is an OR group (or a parenthesised group).
    pub fn is_group(&self) -> bool {
        !self.any_of.is_empty()
    }

    /// The words and phrases of the clause, at any depth, that a record holding it holds
    /// (excluded ones left out).
    pub fn positive_leaves(&self) -> Vec<&Clause> {
        if !self.is_group() {
            return vec![self];
        }
        self.any_of
            .iter()
            .flatten()
            .filter(|clause| !clause.excluded)
            .flat_map(Clause::positive_leaves)
            .collect()
    }

    fn leaf_count(&self) -> usize {
        if self.is_group() {
            self.any_of.iter().flatten().map(Clause::leaf_count).sum()
        } else {
            1
        }
    }

    /// The clause as it would be typed: 「"入退室管理"」, 「生体認証 OR 静脈認証」.
    fn typed(&self) -> String {
        self.rendered(&Rendering {
            word: |clause| {
                let sign = if clause.excluded { "-" } else { "" };
                if clause.phrase {
                    format!("{sign}\"{}\"", clause.text)
                } else {
                    format!("{sign}{}", clause.text)
                }
            },
            and: " ",
            or: " OR ",
            all_of: |words| format!("({words})"),
            group: |joined, excluded| {
                if excluded {
                    format!("-({joined})")
                } else {
                    joined
                }
            },
        })
    }

    /// The clause in Japanese words: 「生体認証」または「静脈認証」.
    fn reading(&self) -> String {
        self.rendered(&Rendering {
            word: |clause| {
                if clause.excluded {
                    format!("「{}」を含まない", clause.text)
                } else {
                    format!("「{}」", clause.text)
                }
            },
            and: " かつ ",
            or: " または ",
            all_of: |words| format!("（{words}）"),
            group: |joined, excluded| {
                if excluded {
                    format!("（{joined}）を含まない")
                } else {
                    format!("（{joined}）")
                }
            },
        })
    }

    /// The clause written out by `rendering`: a word as its own, a group as its alternatives,
    /// each alternative's clauses joined by `and` (wrapped when several), joined by `or`.
    fn rendered(&self, rendering: &Rendering) -> String {
        if !self.is_group() {
            return (rendering.word)(self);
        }
        let alternatives: Vec<String> = self
            .any_of
            .iter()
            .map(|all| {
                let words: Vec<String> = all
                    .iter()
                    .map(|clause| clause.rendered(rendering))
                    .collect();
                let joined = words.join(rendering.and);
                if all.len() > 1 {
                    (rendering.all_of)(joined)
                } else {
                    joined
                }
            })
            .collect();
        (rendering.group)(alternatives.join(rendering.or), self.excluded)
    }
}

/// How [`Clause::rendered`] writes a query out: as typed, or in Japanese words.
struct Rendering {
    word: fn(&Clause) -> String,
    and: &'static str,
    or: &'static str,
    all_of: fn(String) -> String,
    group: fn(String, bool) -> String,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
}

impl ParsedQuery {
    /// Whether there is nothing to search for (browse mode: filters only).
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The required (not excluded) clauses.
    pub fn required(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|clause| !clause.excluded)
    }

    /// How the query is read, in Japanese, when it has OR groups (none otherwise: a list of
    /// words needs no explaining): 「（「生体認証」 または 「静脈認証」） かつ 「入退室」」.
    pub fn reading(&self) -> Option<String> {
        if !self.clauses.iter().any(Clause::is_group) {
            return None;
        }
        Some(
            self.clauses
                .iter()
                .map(Clause::reading)
                .collect::<Vec<_>>()
                .join(" かつ "),
        )
    }
}

/// A piece of a typed query.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word { text: String, excluded: bool },
    Phrase { text: String, excluded: bool },
    Or,
    Open { excluded: bool },
    Close,
}

fn is_or_word(text: &str) -> bool {
    let folded: String = text
        .chars()
        .map(|c| match c {
            'Ｏ' | 'ｏ' => 'o',
            'Ｒ' | 'ｒ' => 'r',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    folded == "or"
}

fn is_open(character: char) -> bool {
    matches!(character, '(' | '（')
}

fn is_close(character: char) -> bool {
    matches!(character, ')' | '）')
}

fn is_bar(character: char) -> bool {
    matches!(character, '|' | '｜')
}

/// Splits the input into words, phrases, OR and parentheses.
fn tokenize(characters: &[char]) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        if is_bar(character) {
            tokens.push(Token::Or);
            index += 1;
            continue;
        }
        if is_close(character) {
            tokens.push(Token::Close);
            index += 1;
            continue;
        }
        if is_open(character) {
            tokens.push(Token::Open { excluded: false });
            index += 1;
            continue;
        }
        let mut excluded = false;
        let clause_start = index;
        if matches!(character, '-' | '－') {
            excluded = true;
            index += 1;
            if index >= characters.len() || characters[index].is_whitespace() {
                return Err(QueryError::DanglingExclusion {
                    position: clause_start + 1,
                });
            }
            if is_open(characters[index]) {
                tokens.push(Token::Open { excluded: true });
                index += 1;
                continue;
            }
        }
        if is_quote(characters[index]) {
            let open = index;
            index += 1;
            let start = index;
            while index < characters.len() && !is_quote(characters[index]) {
                index += 1;
            }
            if index >= characters.len() {
                return Err(QueryError::UnclosedQuote { position: open + 1 });
            }
            let text: String = characters[start..index].iter().collect();
            index += 1;
            if !text.trim().is_empty() {
                tokens.push(Token::Phrase {
                    text: text.trim().to_string(),
                    excluded,
                });
            }
            continue;
        }
        let start = index;
        while index < characters.len()
            && !characters[index].is_whitespace()
            && !is_quote(characters[index])
            && !is_open(characters[index])
            && !is_close(characters[index])
            && !is_bar(characters[index])
        {
            index += 1;
        }
        let text: String = characters[start..index].iter().collect();
        if text.is_empty() {
            continue;
        }
        if !excluded && is_or_word(&text) {
            tokens.push(Token::Or);
        } else {
            tokens.push(Token::Word { text, excluded });
        }
    }
    Ok(tokens)
}

/// Reads clauses until the end or the `)` closing this level. A word, phrase or group followed
/// by OR joins the next into one group; a `)` without its `(`, an OR with nothing on one side
/// and a `(` left open are read leniently (ignored, ignored, closed at the end).
fn parse_sequence(tokens: &[Token], index: &mut usize, depth: usize) -> Vec<Clause> {
    let mut clauses: Vec<Clause> = Vec::new();
    while *index < tokens.len() {
        match &tokens[*index] {
            Token::Close if depth > 0 => {
                *index += 1;
                break;
            }
            Token::Close | Token::Or => {
                *index += 1;
                continue;
            }
            _ => {}
        }
        let Some(first) = parse_operand(tokens, index, depth) else {
            continue;
        };
        let mut alternatives = vec![first];
        while matches!(tokens.get(*index), Some(Token::Or)) {
            *index += 1;
            match tokens.get(*index) {
                None | Some(Token::Close) | Some(Token::Or) => break,
                _ => {}
            }
            if let Some(next) = parse_operand(tokens, index, depth) {
                alternatives.push(next);
            }
        }
        if alternatives.len() == 1 {
            let (all, excluded) = alternatives.remove(0);
            if excluded && !all.is_empty() {
                clauses.push(group(vec![all], true));
            } else {
                clauses.extend(all);
            }
            continue;
        }
        // An excluded operand inside an OR stands for its exclusion as one alternative.
        let mut any_of: Vec<Vec<Clause>> = Vec::new();
        for (all, excluded) in alternatives {
            if all.is_empty() {
                continue;
            }
            if excluded {
                any_of.push(vec![group(vec![all], true)]);
                continue;
            }
            // (A OR B) OR C is A OR B OR C.
            match all.as_slice() {
                [only] if only.is_group() && !only.excluded => any_of.extend(only.any_of.clone()),
                _ => any_of.push(all),
            }
        }
        match any_of.len() {
            0 => {}
            1 => clauses.extend(any_of.remove(0)),
            _ => clauses.push(group(any_of, false)),
        }
    }
    clauses
}

/// One word, phrase or parenthesised group: its clauses (all required) and whether it is
/// excluded as a whole.
fn parse_operand(tokens: &[Token], index: &mut usize, depth: usize) -> Option<(Vec<Clause>, bool)> {
    let token = tokens.get(*index)?.clone();
    *index += 1;
    match token {
        Token::Word { text, excluded } => Some((vec![Clause::word(text, false, excluded)], false)),
        Token::Phrase { text, excluded } => Some((vec![Clause::word(text, true, excluded)], false)),
        Token::Open { excluded } => Some((parse_sequence(tokens, index, depth + 1), excluded)),
        Token::Or | Token::Close => None,
    }
}

/// A group clause of these alternatives.
fn group(any_of: Vec<Vec<Clause>>, excluded: bool) -> Clause {
    let mut clause = Clause {
        text: String::new(),
        phrase: false,
        excluded,
        alternatives: Vec::new(),
        any_of,
    };
    clause.text = {
        let mut shown = clause.clone();
        shown.excluded = false;
        shown.typed()
    };
    clause
}

/// Drops the words that analyse to nothing (「、」), at any depth, and the groups left empty.
fn without_empty_words(clauses: Vec<Clause>) -> Vec<Clause> {
    clauses
        .into_iter()
        .filter_map(|mut clause| {
            if !clause.is_group() {
                return (!bigrams(&clause.text).is_empty()).then_some(clause);
            }
            clause.any_of = std::mem::take(&mut clause.any_of)
                .into_iter()
                .map(without_empty_words)
                .filter(|all| !all.is_empty())
                .collect();
            match clause.any_of.len() {
                0 => None,
                _ => {
                    let excluded = clause.excluded;
                    Some(group(clause.any_of, excluded))
                }
            }
        })
        .collect()
}

fn is_quote(character: char) -> bool {
    matches!(character, '"' | '“' | '”' | '＂')
}

/// Parses user input. An empty or blank query is valid and means "everything".
///
/// ```
/// use hyoka::search::parse_query;
/// let parsed = parse_query("生体認証 -ガバメントクラウド").unwrap();
/// assert_eq!(parsed.clauses.len(), 2);
/// assert!(parse_query("(\"").is_err());
/// ```
pub fn parse_query(input: &str) -> Result<ParsedQuery, QueryError> {
    let length = input.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong { length });
    }
    let characters: Vec<char> = input.chars().collect();
    let tokens = tokenize(&characters)?;
    let mut index = 0;
    // Words that analyse to nothing (「、」) are dropped; if nothing searchable is left while
    // the user typed something, say so rather than returning everything.
    let clauses = without_empty_words(parse_sequence(&tokens, &mut index, 0));
    let count: usize = clauses.iter().map(Clause::leaf_count).sum();
    if count > MAX_CLAUSES {
        return Err(QueryError::TooManyClauses { count });
    }
    let parsed = ParsedQuery { clauses };
    let typed_something = input.chars().any(|c| !c.is_whitespace());
    if typed_something && parsed.required().next().is_none() && parsed.clauses.is_empty() {
        return Err(QueryError::NothingToSearch {
            query: input.to_string(),
        });
    }
    Ok(parsed)
}

/// The query as a tree of simple parts: what the golden tests render and what becomes the
/// tantivy query.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    All,
    Nothing,
    Term {
        field: &'static str,
        term: String,
    },
    /// Terms at the given positions; slop 0 means adjacent.
    Phrase {
        field: &'static str,
        terms: Vec<(usize, String)>,
        slop: u32,
    },
    /// Any bigram that starts or ends with the character (a one-character word).
    CharacterRegex {
        field: &'static str,
        character: char,
    },
    Boost {
        factor: f32,
        plan: Box<Plan>,
    },
    /// The plan's matches, each scored `score` whatever its relevance.
    ConstScore {
        score: f32,
        plan: Box<Plan>,
    },
    Bool(Vec<(Occur, Plan)>),
    /// Records matching any part, scored by the best part they match.
    BestOf(Vec<Plan>),
    /// Records matching at least `minimum` of the parts, scored by the parts they match.
    AtLeast {
        minimum: usize,
        parts: Vec<Plan>,
    },
}

/// Boost of the morpheme phrase over the words scattered.
const PROXIMITY_BOOST: f32 = 2.0;
/// How far apart a word's morphemes may be and still count as the phrase.
const PROXIMITY_SLOP: u32 = 3;

/// Weight of a synonym's matches against the word as typed: the user's own word ranks first.
const SYNONYM_WEIGHT: f32 = 0.8;

/// A clause: its word as typed, or any of its alternatives (a little lower). Alone, it tells
/// whether a record holds the word.
pub fn clause_plan(clause: &Clause) -> Plan {
    plan_of(clause, clause.excluded)
}

/// A clause's plan; `excluding`: it stands under a must-not (its own or an enclosing group's),
/// where words are matched without phrase scorers (see [`word_plan`]).
fn plan_of(clause: &Clause, excluding: bool) -> Plan {
    if clause.is_group() {
        // Any of the alternatives, each all of its clauses.
        return Plan::Bool(
            clause
                .any_of
                .iter()
                .map(|all| (Occur::Should, all_of_plan(all, excluding)))
                .collect(),
        );
    }
    if excluding {
        return word_plan(&clause.text, clause.phrase, true);
    }
    let typed = word_plan(&clause.text, clause.phrase, clause.excluded);
    if clause.alternatives.is_empty() || clause.phrase || clause.excluded {
        return typed;
    }
    // The best of the spellings, not their sum: a record holding the word in two spellings is
    // not twice as relevant, and one holding it as typed keeps the rank it has without the
    // dictionary.
    let mut spellings = vec![typed];
    for alternative in &clause.alternatives {
        spellings.push(Plan::Boost {
            factor: SYNONYM_WEIGHT,
            plan: Box::new(alternative_plan(alternative)),
        });
    }
    Plan::BestOf(spellings)
}

/// Records holding every required clause and none of the excluded ones.
fn all_of_plan(clauses: &[Clause], excluding: bool) -> Plan {
    if let [only] = clauses
        && !only.excluded
    {
        return plan_of(only, excluding);
    }
    let mut parts: Vec<(Occur, Plan)> = clauses
        .iter()
        .map(|clause| {
            let occur = if clause.excluded {
                Occur::MustNot
            } else {
                Occur::Must
            };
            (occur, plan_of(clause, excluding || clause.excluded))
        })
        .collect();
    if parts.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        parts.push((Occur::Must, Plan::All));
    }
    Plan::Bool(parts)
}

/// A synonym spelling of a word: one morpheme as that term; several as their exact characters
/// (the bigram phrase), so that 顔認証 is not found through 顔 (of 顔写真) and 認証 far apart.
/// The morpheme phrase of the word as typed is not added (every spelling would read the
/// positions of the same records again: measured at 100k records that made expanded searches
/// up to twice as slow); the bigram phrase reads the positions only of records holding every
/// bigram, and a spelling's bigrams across its morphemes (顔認, 作ロ) are rare.
fn alternative_plan(text: &str) -> Plan {
    match morphemes(text).as_slice() {
        [only] => Plan::Term {
            field: "text_ja",
            term: only.term.clone(),
        },
        _ => {
            let bigram_terms: Vec<(usize, String)> = bigrams(text)
                .into_iter()
                .map(|token| (token.position, token.term))
                .collect();
            Plan::Phrase {
                field: "text_bigram",
                terms: bigram_terms,
                slop: 0,
            }
        }
    }
}

/// One word or phrase, as typed.
fn word_plan(text: &str, phrase: bool, excluded: bool) -> Plan {
    let morpheme_terms: Vec<(usize, String)> = morphemes(text)
        .into_iter()
        .map(|token| (token.position, token.term))
        .collect();
    let bigram_terms: Vec<(usize, String)> = bigrams(text)
        .into_iter()
        .map(|token| (token.position, token.term))
        .collect();

    // The exact character sequence, through the bigram field.
    let exact = match bigram_terms.as_slice() {
        [] => Plan::Nothing,
        [(_, only)] if only.chars().count() == 1 => Plan::CharacterRegex {
            field: "text_bigram",
            character: only.chars().next().unwrap_or(' '),
        },
        [(_, only)] => Plan::Term {
            field: "text_bigram",
            term: only.clone(),
        },
        _ => Plan::Phrase {
            field: "text_bigram",
            terms: bigram_terms.clone(),
            slop: 0,
        },
    };
    if excluded {
        // A phrase scorer under MustNot trips tantivy's seek-order debug assertion
        // (quickwit-oss/tantivy#2811); excluding records that hold every bigram of the word is
        // the same in practice and needs no positions.
        return match exact {
            Plan::Phrase { terms, .. } => Plan::Bool(
                terms
                    .into_iter()
                    .map(|(_, term)| {
                        (
                            Occur::Must,
                            Plan::Term {
                                field: "text_bigram",
                                term,
                            },
                        )
                    })
                    .collect(),
            ),
            other => other,
        };
    }
    if phrase {
        return exact;
    }

    let mut options: Vec<(Occur, Plan)> = Vec::new();
    match morpheme_terms.as_slice() {
        [] => {}
        [(_, only)] => options.push((
            Occur::Should,
            Plan::Term {
                field: "text_ja",
                term: only.clone(),
            },
        )),
        many => {
            let all_words = many
                .iter()
                .map(|(_, term)| {
                    (
                        Occur::Must,
                        Plan::Term {
                            field: "text_ja",
                            term: term.clone(),
                        },
                    )
                })
                .collect();
            options.push((Occur::Should, Plan::Bool(all_words)));
            // A compound without particles (生体認証, 入退室管理) is written together or not at
            // all: its exact characters carry the boost, and the morpheme phrase, which would
            // read the positions of the same records a second time, is left out.
            if is_compound(text) {
                options.push((
                    Occur::Should,
                    Plan::Boost {
                        factor: PROXIMITY_BOOST,
                        plan: Box::new(exact),
                    },
                ));
                return Plan::Bool(options);
            }
            // The morphemes near each other, particles aside (の, を): they stand between the
            // others as their places say, and reading the places of a particle written in every
            // sentence was most of a search's time.
            let near: Vec<(usize, String)> = many
                .iter()
                .filter(|(_, term)| crate::analysis::is_meaningful_term(term))
                .cloned()
                .collect();
            let near = if near.len() >= 2 { near } else { many.to_vec() };
            options.push((
                Occur::Should,
                Plan::Boost {
                    factor: PROXIMITY_BOOST,
                    plan: Box::new(Plan::Phrase {
                        field: "text_ja",
                        terms: near,
                        slop: PROXIMITY_SLOP,
                    }),
                },
            ));
        }
    }
    options.push((Occur::Should, exact));
    Plan::Bool(options)
}

/// Whether a word is one compound: letters and digits only, no hiragana (particles and
/// okurigana are what let its parts stand apart, as in 目的外の入手).
fn is_compound(text: &str) -> bool {
    text.chars()
        .all(|character| character.is_alphanumeric() && !is_hiragana(character))
}

/// The plan of a parsed query. An empty query plans to everything.
pub fn plan(parsed: &ParsedQuery) -> Plan {
    if parsed.is_empty() {
        return Plan::All;
    }
    let mut parts: Vec<(Occur, Plan)> = Vec::new();
    for clause in &parsed.clauses {
        let occur = if clause.excluded {
            Occur::MustNot
        } else {
            Occur::Must
        };
        parts.push((occur, clause_plan(clause)));
    }
    if parts.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        parts.push((Occur::Must, Plan::All));
    }
    Plan::Bool(parts)
}

/// Score each matched word adds in a fallback plan: far above any relevance score, so that the
/// score's multiple of it is how many words a record holds.
pub const WORD_MATCH_SCORE: f32 = 10_000.0;
/// Weight of single morphemes of a word the record does not hold as a whole: 7年間保管 is
/// nearer to 保存期間 than a text with neither.
const PARTIAL_WEIGHT: f32 = 0.5;

/// Fewest words a fallback record must hold: most of them (one of two, two of three, three of
/// four or five …).
pub fn fallback_minimum(required: usize) -> usize {
    if required <= 2 { 1 } else { required / 2 + 1 }
}

/// The fallback plan of a query whose words together find too little: records holding at
/// least [`fallback_minimum`] of the required words (exclusions still exclude). Each word held
/// adds [`WORD_MATCH_SCORE`], so records rank by how many words they hold, then by relevance
/// (rare words weigh more), then by the single morphemes of the words they lack.
pub fn fallback_plan(parsed: &ParsedQuery) -> Plan {
    let required: Vec<&Clause> = parsed.required().collect();
    let words: Vec<Plan> = required
        .iter()
        .map(|clause| {
            Plan::Bool(vec![
                (Occur::Must, clause_plan(clause)),
                (
                    Occur::Should,
                    Plan::ConstScore {
                        score: WORD_MATCH_SCORE,
                        plan: Box::new(Plan::All),
                    },
                ),
            ])
        })
        .collect();
    let mut parts = vec![(
        Occur::Must,
        Plan::AtLeast {
            minimum: fallback_minimum(required.len()),
            parts: words,
        },
    )];
    for clause in &required {
        if clause.phrase || clause.is_group() {
            continue;
        }
        for spelling in std::iter::once(&clause.text).chain(&clause.alternatives) {
            let terms = morphemes(spelling);
            if terms.len() < 2 {
                continue;
            }
            for token in terms {
                if crate::analysis::is_meaningful_term(&token.term) {
                    parts.push((
                        Occur::Should,
                        Plan::Boost {
                            factor: PARTIAL_WEIGHT,
                            plan: Box::new(Plan::Term {
                                field: "text_ja",
                                term: token.term,
                            }),
                        },
                    ));
                }
            }
        }
    }
    for clause in parsed.clauses.iter().filter(|clause| clause.excluded) {
        parts.push((Occur::MustNot, clause_plan(clause)));
    }
    Plan::Bool(parts)
}

/// Renders a plan as indented text, for golden tests and `--explain`.
pub fn render_plan(plan: &Plan) -> String {
    let mut output = String::new();
    render_into(plan, 0, &mut output);
    output
}

fn render_into(plan: &Plan, depth: usize, output: &mut String) {
    let indent = "  ".repeat(depth);
    match plan {
        Plan::All => writeln!(output, "{indent}all"),
        Plan::Nothing => writeln!(output, "{indent}nothing"),
        Plan::Term { field, term } => writeln!(output, "{indent}term {field}:{term}"),
        Plan::Phrase { field, terms, slop } => {
            let rendered: Vec<String> = terms
                .iter()
                .map(|(position, term)| format!("{term}@{position}"))
                .collect();
            writeln!(
                output,
                "{indent}phrase {field} slop={slop}: {}",
                rendered.join(" ")
            )
        }
        Plan::CharacterRegex { field, character } => {
            writeln!(output, "{indent}character {field}:{character}")
        }
        Plan::Boost { factor, plan } => {
            let _ = writeln!(output, "{indent}boost x{factor}");
            render_into(plan, depth + 1, output);
            Ok(())
        }
        Plan::ConstScore { score, plan } => {
            let _ = writeln!(output, "{indent}const {score}");
            render_into(plan, depth + 1, output);
            Ok(())
        }
        Plan::BestOf(parts) => {
            let _ = writeln!(output, "{indent}best of");
            for part in parts {
                render_into(part, depth + 1, output);
            }
            Ok(())
        }
        Plan::AtLeast { minimum, parts } => {
            let _ = writeln!(output, "{indent}at least {minimum} of");
            for part in parts {
                render_into(part, depth + 1, output);
            }
            Ok(())
        }
        Plan::Bool(parts) => {
            let _ = writeln!(output, "{indent}bool");
            for (occur, part) in parts {
                let label = match occur {
                    Occur::Must => "must",
                    Occur::Should => "should",
                    Occur::MustNot => "must not",
                };
                let _ = writeln!(output, "{indent}  {label}:");
                render_into(part, depth + 2, output);
            }
            Ok(())
        }
    }
    .expect("writing to a string cannot fail");
}

/// The query a search runs for a plan: when the plan reads positions (a phrase, a word's
/// morphemes near each other), its match and score are worked out once per distinct text
/// (see [`super::same_text`]), the records walked through [`candidate_plan`].
pub fn search_query(plan: &Plan, fields: &Fields) -> Box<dyn Query> {
    if !reads_positions(plan) {
        return to_query(plan, fields);
    }
    Box::new(SameTextQuery::new(
        to_query(plan, fields),
        to_query(&candidate_plan(plan), fields),
    ))
}

/// The query a folded search runs for a plan: as [`search_query`], with the texts that certainly
/// match given a bound of their score instead of reading positions (see [`super::bounds`]); their
/// scores are kept in `scores`, where folding makes the ones it needs exact.
pub fn bounded_search_query(
    plan: &Plan,
    fields: &Fields,
    scores: std::sync::Arc<TextScores>,
    fewest_candidates: u32,
) -> Box<dyn Query> {
    // A phrase with slop is bounded by its most frequent term (tantivy counts its finds at that
    // term's places): for a word with particles (の, を) that bound is loose, most texts would
    // be asked about anyway, and one at a time.
    if !reads_positions(plan) || has_sloppy_phrase(plan) {
        return search_query(plan, fields);
    }
    let same_text = SameTextQuery::new(
        to_query(plan, fields),
        to_query(&candidate_plan(plan), fields),
    );
    match certain_plan(plan) {
        Some(certain) => Box::new(same_text.bounded(Bounds {
            certain: to_query(&certain, fields),
            bound: query_of(plan, fields, Phrases::Bounded),
            scores,
            fewest_candidates,
        })),
        None => Box::new(same_text),
    }
}

/// A plan read without positions whose every match matches `plan` (`None` when positions decide
/// every match): a phrase certainly matches nothing, the parts a record must match must each
/// certainly match, and an excluded part excludes every record holding its terms.
pub fn certain_plan(plan: &Plan) -> Option<Plan> {
    match plan {
        Plan::All | Plan::Term { .. } | Plan::CharacterRegex { .. } => Some(plan.clone()),
        Plan::Nothing | Plan::Phrase { .. } => None,
        Plan::Boost { plan, .. } | Plan::ConstScore { plan, .. } => certain_plan(plan),
        Plan::BestOf(parts) => {
            let certain: Vec<Plan> = parts.iter().filter_map(certain_plan).collect();
            (!certain.is_empty()).then_some(Plan::BestOf(certain))
        }
        Plan::AtLeast { minimum, parts } => {
            let certain: Vec<Plan> = parts
                .iter()
                .map(|part| certain_plan(part).unwrap_or(Plan::Nothing))
                .collect();
            let possible = certain
                .iter()
                .filter(|part| **part != Plan::Nothing)
                .count();
            (possible >= *minimum).then_some(Plan::AtLeast {
                minimum: *minimum,
                parts: certain,
            })
        }
        Plan::Bool(parts) => {
            let of = |wanted: Occur| {
                parts
                    .iter()
                    .filter(move |(occur, _)| *occur == wanted)
                    .map(|(_, part)| part)
            };
            let mut kept: Vec<(Occur, Plan)> = if of(Occur::Must).next().is_some() {
                // Optional parts beside required ones only score.
                of(Occur::Must)
                    .map(|part| certain_plan(part).map(|certain| (Occur::Must, certain)))
                    .collect::<Option<Vec<_>>>()?
            } else {
                of(Occur::Should)
                    .filter_map(certain_plan)
                    .map(|certain| (Occur::Should, certain))
                    .collect()
            };
            if kept.is_empty() {
                return None;
            }
            kept.extend(of(Occur::MustNot).map(|part| (Occur::MustNot, candidate_plan(part))));
            Some(Plan::Bool(kept))
        }
    }
}

/// Whether the plan has a phrase whose terms may stand apart.
fn has_sloppy_phrase(plan: &Plan) -> bool {
    has_phrase(plan, &|slop| slop > 0)
}

/// Whether the plan has a phrase anywhere.
fn reads_positions(plan: &Plan) -> bool {
    has_phrase(plan, &|_| true)
}

/// Whether the plan has a phrase whose slop `wanted` accepts.
fn has_phrase(plan: &Plan, wanted: &dyn Fn(u32) -> bool) -> bool {
    match plan {
        Plan::All | Plan::Nothing | Plan::Term { .. } | Plan::CharacterRegex { .. } => false,
        Plan::Phrase { slop, .. } => wanted(*slop),
        Plan::Boost { plan, .. } | Plan::ConstScore { plan, .. } => has_phrase(plan, wanted),
        Plan::BestOf(parts) | Plan::AtLeast { parts, .. } => {
            parts.iter().any(|part| has_phrase(part, wanted))
        }
        Plan::Bool(parts) => parts.iter().any(|(_, part)| has_phrase(part, wanted)),
    }
}

/// A plan matching every record the plan matches, and perhaps more, without positions: each
/// phrase becomes all of its terms, exclusions are left out (excluding fewer records keeps
/// every match), optional parts beside required ones are left out (they only score).
pub fn candidate_plan(plan: &Plan) -> Plan {
    match plan {
        Plan::All | Plan::Nothing | Plan::Term { .. } | Plan::CharacterRegex { .. } => plan.clone(),
        Plan::Phrase { field, terms, .. } => Plan::Bool(
            terms
                .iter()
                .map(|(_, term)| {
                    (
                        Occur::Must,
                        Plan::Term {
                            field,
                            term: term.clone(),
                        },
                    )
                })
                .collect(),
        ),
        Plan::Boost { plan, .. } | Plan::ConstScore { plan, .. } => candidate_plan(plan),
        Plan::BestOf(parts) => Plan::BestOf(each_once(parts.iter().map(candidate_plan))),
        Plan::AtLeast { minimum, parts } => Plan::AtLeast {
            minimum: *minimum,
            parts: parts.iter().map(candidate_plan).collect(),
        },
        Plan::Bool(parts) => {
            let required: Vec<(Occur, Plan)> = parts
                .iter()
                .filter(|(occur, _)| *occur == Occur::Must)
                .map(|(_, part)| (Occur::Must, candidate_plan(part)))
                .collect();
            if !required.is_empty() {
                return Plan::Bool(required);
            }
            // A word's proximity phrase has its morphemes' terms, particles aside: the records
            // holding every morpheme are among those holding the phrase's terms, and the union
            // walks the fewer terms only.
            let optional = without_narrower(each_once(
                parts
                    .iter()
                    .filter(|(occur, _)| *occur == Occur::Should)
                    .map(|(_, part)| (Occur::Should, candidate_plan(part))),
            ));
            if optional.is_empty() {
                // Only exclusions: tantivy matches nothing.
                return Plan::Nothing;
            }
            Plan::Bool(optional)
        }
    }
}

/// The parts of a union without those requiring every term of another part and more (all they
/// match, the other matches).
fn without_narrower(parts: Vec<(Occur, Plan)>) -> Vec<(Occur, Plan)> {
    let required_terms = |plan: &Plan| -> Option<Vec<(&'static str, String)>> {
        let Plan::Bool(parts) = plan else {
            return None;
        };
        parts
            .iter()
            .map(|(occur, part)| match (occur, part) {
                (Occur::Must, Plan::Term { field, term }) => Some((*field, term.clone())),
                _ => None,
            })
            .collect()
    };
    let terms: Vec<Option<Vec<(&'static str, String)>>> =
        parts.iter().map(|(_, part)| required_terms(part)).collect();
    parts
        .iter()
        .enumerate()
        .filter(|(index, _)| {
            let Some(mine) = &terms[*index] else {
                return true;
            };
            !terms.iter().enumerate().any(|(other, theirs)| {
                other != *index
                    && theirs.as_ref().is_some_and(|theirs| {
                        theirs.len() < mine.len() && theirs.iter().all(|term| mine.contains(term))
                    })
            })
        })
        .map(|(_, part)| part.clone())
        .collect()
}

/// The parts in order, each once (a union walks a repeated part twice for nothing).
fn each_once<T: PartialEq>(parts: impl Iterator<Item = T>) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for part in parts {
        if !kept.contains(&part) {
            kept.push(part);
        }
    }
    kept
}

/// Turns a plan into a tantivy query over the index's fields.
pub fn to_query(plan: &Plan, fields: &Fields) -> Box<dyn Query> {
    query_of(plan, fields, Phrases::Exact)
}

/// How a query reads a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phrases {
    /// With its terms' positions.
    Exact,
    /// As a bound of its score, without positions ([`PhraseBoundQuery`]).
    Bounded,
}

fn query_of(plan: &Plan, fields: &Fields, phrases: Phrases) -> Box<dyn Query> {
    let to_query = |plan: &Plan, fields: &Fields| query_of(plan, fields, phrases);
    let field_of = |name: &str| {
        if name == "text_ja" {
            fields.text_ja
        } else {
            fields.text_bigram
        }
    };
    match plan {
        Plan::All => Box::new(AllQuery),
        Plan::Nothing => Box::new(EmptyQuery),
        Plan::Term { field, term } => Box::new(TermQuery::new(
            Term::from_field_text(field_of(field), term),
            IndexRecordOption::WithFreqsAndPositions,
        )),
        Plan::Phrase { field, terms, slop } if phrases == Phrases::Bounded => {
            let field = field_of(field);
            let terms = terms
                .iter()
                .map(|(_, term)| Term::from_field_text(field, term))
                .collect();
            Box::new(PhraseBoundQuery::new(terms, *slop))
        }
        Plan::Phrase { field, terms, slop } => {
            let field = field_of(field);
            let with_offsets: Vec<(usize, Term)> = terms
                .iter()
                .map(|(position, term)| (*position, Term::from_field_text(field, term)))
                .collect();
            let mut phrase = PhraseQuery::new_with_offset(with_offsets);
            phrase.set_slop(*slop);
            Box::new(phrase)
        }
        Plan::CharacterRegex { field, character } => {
            let escaped = regex_syntax_escape(*character);
            let pattern = format!("{escaped}.?|.{escaped}");
            match RegexQuery::from_pattern(&pattern, field_of(field)) {
                Ok(query) => Box::new(query),
                Err(_) => Box::new(EmptyQuery),
            }
        }
        Plan::Boost { factor, plan } => Box::new(BoostQuery::new(to_query(plan, fields), *factor)),
        Plan::ConstScore { score, plan } => {
            Box::new(ConstScoreQuery::new(to_query(plan, fields), *score))
        }
        // A word's spellings and their exact and near forms: unions that, inside an
        // intersection of words, read only the records asked about (see `lazy_union`).
        Plan::BestOf(parts) => Box::new(LazyUnionQuery::new(
            parts.iter().map(|part| to_query(part, fields)).collect(),
            Combine::Best,
        )),
        Plan::Bool(parts) if parts.iter().all(|(occur, _)| *occur == Occur::Should) => {
            Box::new(LazyUnionQuery::new(
                parts
                    .iter()
                    .map(|(_, part)| to_query(part, fields))
                    .collect(),
                Combine::Sum,
            ))
        }
        // Scores added in the parts' order (see `lazy_union`), not tantivy's heap order.
        Plan::AtLeast { minimum, parts } => Box::new(LazyUnionQuery::at_least(
            parts.iter().map(|part| to_query(part, fields)).collect(),
            *minimum,
        )),
        Plan::Bool(parts) => Box::new(BooleanQuery::new(
            parts
                .iter()
                .map(|(occur, part)| (*occur, to_query(part, fields)))
                .collect(),
        )),
    }
}

fn regex_syntax_escape(character: char) -> String {
    if character.is_alphanumeric() {
        character.to_string()
    } else {
        format!("\\{character}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_position() {
        assert_eq!(
            parse_query("(\""),
            Err(QueryError::UnclosedQuote { position: 2 })
        );
    }

    #[test]
    fn a_lone_minus_is_an_error() {
        assert!(matches!(
            parse_query("サーバ -"),
            Err(QueryError::DanglingExclusion { .. })
        ));
    }

    #[test]
    fn punctuation_only_is_an_error_and_blank_is_browse() {
        assert!(matches!(
            parse_query("( )"),
            Err(QueryError::NothingToSearch { .. })
        ));
        assert_eq!(parse_query("  "), Ok(ParsedQuery::default()));
    }

    #[test]
    fn an_overlong_query_is_refused() {
        let long = "あ".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(
            parse_query(&long),
            Err(QueryError::TooLong { .. })
        ));
    }

    #[test]
    fn phrases_and_exclusions_are_parsed() {
        let parsed = parse_query("生体認証 \"入退室管理\" -ガバメントクラウド").unwrap();
        let summary: Vec<(bool, bool, &str)> = parsed
            .clauses
            .iter()
            .map(|clause| (clause.phrase, clause.excluded, clause.text.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (false, false, "生体認証"),
                (true, false, "入退室管理"),
                (false, true, "ガバメントクラウド")
            ]
        );
    }
}
