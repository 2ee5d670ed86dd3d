//! The query language and the query builder.
//!
//! Users type Japanese without spaces, so raw input is never handed to tantivy's QueryParser
//! (it turns an unspaced multi-token word into a slop-0 phrase that fails whenever query and
//! document are segmented differently). The language is small:
//! - words separated by spaces are all required;
//! - `"…"` (or “…”) is a phrase: the exact character sequence;
//! - `-word` or `-"…"` excludes.
//!
//! Each required word matches when either all its morphemes occur (morphological field) or its
//! exact character sequence occurs (bigram field); a phrase of its morphemes within a short
//! distance is boosted, so that 目的外の入手 written together ranks above the words scattered.

use std::fmt::Write as _;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    PhraseQuery, Query, RegexQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;

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
    let mut clauses = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        if character.is_whitespace() {
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
                clauses.push(Clause {
                    text: text.trim().to_string(),
                    phrase: true,
                    excluded,
                    alternatives: Vec::new(),
                });
            }
            continue;
        }
        let start = index;
        while index < characters.len()
            && !characters[index].is_whitespace()
            && !is_quote(characters[index])
        {
            index += 1;
        }
        let text: String = characters[start..index].iter().collect();
        clauses.push(Clause {
            text,
            phrase: false,
            excluded,
            alternatives: Vec::new(),
        });
    }
    // Words that analyse to nothing (「(」「、」) are dropped; if nothing searchable is left
    // while the user typed something, say so rather than returning everything.
    clauses.retain(|clause| !bigrams(&clause.text).is_empty());
    if clauses.len() > MAX_CLAUSES {
        return Err(QueryError::TooManyClauses {
            count: clauses.len(),
        });
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

/// A synonym spelling of a word, matched through its morphemes: one as that term, several as
/// all of them (操作ログ: 操作 and ログ). No phrase and no bigrams: every spelling would read
/// positions again, and measured at 100k records that made expanded searches up to twice as
/// slow for no gain in the judged queries.
fn alternative_plan(text: &str) -> Plan {
    match morphemes(text).as_slice() {
        [only] => Plan::Term {
            field: "text_ja",
            term: only.term.clone(),
        },
        many => Plan::Bool(
            many.iter()
                .map(|token| {
                    (
                        Occur::Must,
                        Plan::Term {
                            field: "text_ja",
                            term: token.term.clone(),
                        },
                    )
                })
                .collect(),
        ),
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
            options.push((
                Occur::Should,
                Plan::Boost {
                    factor: PROXIMITY_BOOST,
                    plan: Box::new(Plan::Phrase {
                        field: "text_ja",
                        terms: many.to_vec(),
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
        if clause.phrase {
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

/// Turns a plan into a tantivy query over the index's fields.
pub fn to_query(plan: &Plan, fields: &Fields) -> Box<dyn Query> {
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
        Plan::BestOf(parts) => Box::new(DisjunctionMaxQuery::new(
            parts.iter().map(|part| to_query(part, fields)).collect(),
        )),
        Plan::AtLeast { minimum, parts } => Box::new(BooleanQuery::with_minimum_required_clauses(
            parts
                .iter()
                .map(|part| (Occur::Should, to_query(part, fields)))
                .collect(),
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
