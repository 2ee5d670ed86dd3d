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
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;

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
    Bool(Vec<(Occur, Plan)>),
}

/// Boost of the morpheme phrase over the words scattered.
const PROXIMITY_BOOST: f32 = 2.0;
/// How far apart a word's morphemes may be and still count as the phrase.
const PROXIMITY_SLOP: u32 = 3;

fn clause_plan(clause: &Clause) -> Plan {
    let morpheme_terms: Vec<(usize, String)> = morphemes(&clause.text)
        .into_iter()
        .map(|token| (token.position, token.term))
        .collect();
    let bigram_terms: Vec<(usize, String)> = bigrams(&clause.text)
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
    if clause.excluded {
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
    if clause.phrase {
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
