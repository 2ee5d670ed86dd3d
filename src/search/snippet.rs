//! Keyword-in-context snippets: HTML-escaped text with the matches in `<mark>`.
//!
//! Matches come from either text field: a word's morphemes, or the exact character sequence of
//! a word or phrase found through its bigrams (so クラウド is marked inside ガバメントクラウド).
//! Only the record's own text is analysed, never a whole document.

use std::collections::HashSet;

use crate::analysis::normalize::is_hiragana;
use crate::analysis::{
    AnalyzedToken, BigramSpans, bigrams, is_meaningful_term, morphemes, morphemes_of_normalized,
    normalize,
};
use crate::search::query::ParsedQuery;

/// Characters of context shown around the best match.
pub const SNIPPET_CHARS: usize = 160;

/// Marks the words of one query in record texts.
pub struct Highlighter {
    clauses: Vec<ClauseMarks>,
    /// The marks of each heading seen so far: the hits of one search stand under a few
    /// headings (a risk's heading for every measure under it), and a heading's marks cost a
    /// morphological analysis whenever the query is not written in it as typed.
    heading_marks: std::sync::Mutex<HeadingMarks>,
}

/// Each heading's marks, by the marks wanted.
type HeadingMarks = std::collections::HashMap<(String, Marks), Vec<(usize, usize)>>;

/// How one required clause of the query is found in a text.
struct ClauseMarks {
    /// The meaningful morphemes of each spelling of the clause (as typed, each synonym, each
    /// word of an OR group); none for a phrase, which must match as written.
    spellings: Vec<Vec<String>>,
    /// All of those morphemes.
    morpheme_terms: HashSet<String>,
    /// The bigrams with their positions of the clause as written and of each synonym.
    bigram_sequences: Vec<Vec<(usize, String)>>,
}

impl ClauseMarks {
    /// Whether the normalised `text` may hold every morpheme of some spelling: a morpheme
    /// starting with a kanji or katakana starts so in any text that holds it (a verb's base
    /// form 行う and its 行っ share the stem), so a spelling with one of those characters absent
    /// cannot be whole there, and the analyser need not run to find it out.
    fn may_be_whole_in(&self, text: &str) -> bool {
        self.spellings.iter().any(|terms| {
            terms.iter().all(|term| match term.chars().next() {
                Some(first) if !is_hiragana(first) => text.contains(first),
                _ => true,
            })
        })
    }

    /// The morphemes of `tokens` to mark for this clause: those of the spellings held whole;
    /// when none is, with `parts`, the clause's morphemes held alone, except a one-character
    /// one standing apart from the others (目的外の入手's 外 inside 区外転入 is not that word).
    fn mark_morphemes(
        &self,
        tokens: &[AnalyzedToken],
        parts: bool,
        ranges: &mut Vec<(usize, usize)>,
    ) {
        let held: HashSet<&str> = tokens
            .iter()
            .map(|token| token.term.as_str())
            .filter(|term| self.morpheme_terms.contains(*term))
            .collect();
        let whole: HashSet<&str> = self
            .spellings
            .iter()
            .filter(|terms| {
                !terms.is_empty() && terms.iter().all(|term| held.contains(term.as_str()))
            })
            .flatten()
            .map(String::as_str)
            .collect();
        if !whole.is_empty() {
            ranges.extend(
                tokens
                    .iter()
                    .filter(|token| whole.contains(token.term.as_str()))
                    .map(|token| (token.original_start, token.original_end)),
            );
            return;
        }
        if parts {
            let of_clause = |index: usize| {
                tokens
                    .get(index)
                    .is_some_and(|token| self.morpheme_terms.contains(&token.term))
            };
            for (index, token) in tokens.iter().enumerate() {
                if !self.morpheme_terms.contains(&token.term) {
                    continue;
                }
                let stands_apart = token.term.chars().count() == 1
                    && !(index > 0 && of_clause(index - 1))
                    && !of_clause(index + 1);
                if !stands_apart {
                    ranges.push((token.original_start, token.original_end));
                }
            }
        }
    }
}

/// How much of the query a text's marks show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Marks {
    /// Only clauses found as written or with every morpheme of a spelling.
    Whole,
    /// Also the parts of a clause found only in part.
    WholeOrParts,
}

impl Highlighter {
    pub fn new(parsed: &ParsedQuery) -> Self {
        let clauses = parsed
            .required()
            .map(|clause| {
                // An OR group is found through any of its words.
                let mut marks = ClauseMarks {
                    spellings: Vec::new(),
                    morpheme_terms: HashSet::new(),
                    bigram_sequences: Vec::new(),
                };
                for leaf in clause.positive_leaves() {
                    let spellings: Vec<&String> = std::iter::once(&leaf.text)
                        .chain(&leaf.alternatives)
                        .collect();
                    if !leaf.phrase {
                        for spelling in &spellings {
                            let mut terms: Vec<String> = morphemes(spelling)
                                .into_iter()
                                .map(|token| token.term)
                                .filter(|term| is_meaningful_term(term))
                                .collect();
                            terms.sort();
                            terms.dedup();
                            marks.morpheme_terms.extend(terms.iter().cloned());
                            marks.spellings.push(terms);
                        }
                    }
                    marks
                        .bigram_sequences
                        .extend(spellings.iter().map(|spelling| {
                            bigrams(spelling)
                                .into_iter()
                                .map(|token| (token.position, token.term))
                                .collect::<Vec<_>>()
                        }));
                }
                marks
            })
            .collect();
        Self {
            clauses,
            heading_marks: Default::default(),
        }
    }

    /// [`Self::ranges_of`] a heading, worked out once per heading.
    fn heading_ranges(&self, heading: &str, wanted: Marks) -> Vec<(usize, usize)> {
        let mut known = self
            .heading_marks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(ranges) = known.get(&(heading.to_string(), wanted)) {
            return ranges.clone();
        }
        let ranges = self.ranges_of(heading, wanted);
        known.insert((heading.to_string(), wanted), ranges.clone());
        ranges
    }

    /// Byte ranges of `text` to mark, sorted and merged: each clause where it occurs as
    /// written, or else where every morpheme of one of its spellings does (目的外の入手 as
    /// 目的 … 外 … 入手, 行って for 行う), or else (for a record page, or a snippet with no
    /// heading to show) the parts it holds.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        self.ranges_of(text, Marks::WholeOrParts)
    }

    /// [`Self::ranges`], with or without the parts of clauses held only in part. The text is
    /// normalised once, and the morphological analyser runs only when a clause is not there as
    /// written and may be there whole: it is most of a snippet's cost.
    fn ranges_of(&self, text: &str, wanted: Marks) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        let normalized = normalize(text);
        let mut by_morphemes: Vec<&ClauseMarks> = Vec::new();
        for clause in &self.clauses {
            let before = ranges.len();
            for sequence in &clause.bigram_sequences {
                for (start, end) in sequence_spans(sequence, normalized.as_str()) {
                    ranges.push(normalized.original_range(start, end));
                }
            }
            let wants_morphemes =
                wanted == Marks::WholeOrParts || clause.may_be_whole_in(normalized.as_str());
            if ranges.len() == before && !clause.morpheme_terms.is_empty() && wants_morphemes {
                by_morphemes.push(clause);
            }
        }
        if !by_morphemes.is_empty() {
            let tokens = morphemes_of_normalized(&normalized);
            for clause in by_morphemes {
                clause.mark_morphemes(&tokens, wanted == Marks::WholeOrParts, &mut ranges);
            }
        }
        ranges.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// The snippet of `text`. Where the text holds the query's words whole, it is shown with
    /// them marked. Otherwise the match lies (at least partly) in the headings the record stands
    /// under: the headings that hold a word whole come first, marked, then the start of the
    /// text, so that a reader sees why the record matched rather than a word's fragment marked
    /// in the text (目的外の入手's 外 inside 区外転入). With no heading holding a word whole,
    /// the parts are marked, in the text or else in the headings.
    pub fn snippet_with_context(&self, text: &str, context: &str) -> String {
        let text_ranges = self.ranges_of(text, Marks::Whole);
        if !text_ranges.is_empty() {
            return snippet_of(text, &text_ranges);
        }
        let headings = self.marked_headings(context, Marks::Whole);
        if !headings.is_empty() {
            return format!("{headings} — {}", snippet_of(text, &[]));
        }
        let text_ranges = self.ranges_of(text, Marks::WholeOrParts);
        if !text_ranges.is_empty() {
            return snippet_of(text, &text_ranges);
        }
        let headings = self.marked_headings(context, Marks::WholeOrParts);
        if headings.is_empty() {
            return snippet_of(text, &[]);
        }
        format!("{headings} — {}", snippet_of(text, &[]))
    }

    /// The headings of `context` that hold a match, each once (a section path often repeats
    /// the slot's label in another print: 「リスク1： 目的外…」 and 「リスク1: 目的外…」),
    /// marked and joined as a breadcrumb; empty when none does.
    fn marked_headings(&self, context: &str, wanted: Marks) -> String {
        let mut shown_keys: Vec<String> = Vec::new();
        let mut headings: Vec<String> = Vec::new();
        for heading in context.split(" › ") {
            let ranges = self.heading_ranges(heading, wanted);
            if ranges.is_empty() {
                continue;
            }
            let key = crate::form::heading_key_text(heading);
            if shown_keys.contains(&key) {
                continue;
            }
            shown_keys.push(key);
            headings.push(snippet_of(heading, &ranges));
        }
        headings.join(" › ")
    }

    /// The whole text, escaped, with the matches in `<mark>` (a record page).
    pub fn marked(&self, text: &str) -> String {
        let ranges = self.ranges(text);
        let characters: Vec<(usize, char)> = text.char_indices().collect();
        let mut output = String::with_capacity(text.len() + ranges.len() * 13);
        push_marked(&mut output, &characters, &ranges);
        output
    }

    /// The snippet: the window of [`SNIPPET_CHARS`] with the most marked text, escaped.
    pub fn snippet(&self, text: &str) -> String {
        snippet_of(text, &self.ranges(text))
    }
}

/// Where a clause's bigram sequence occurs in a normalised text: byte spans of that text
/// (mapped to the original only for these few). The sequence can start only where its first
/// bigram is written, so only the runs of letters around those places are cut into bigrams,
/// not the whole text: a snippet reads a record's text once or twice.
fn sequence_spans(sequence: &[(usize, String)], text: &str) -> Vec<(usize, usize)> {
    // A one-character word (鍵) is a character, not a bigram: found as written, it never sends
    // the record through the morphological analyser.
    if let [(_, only)] = sequence
        && only.chars().count() == 1
    {
        return text
            .match_indices(only.as_str())
            .map(|(start, _)| (start, start + only.len()))
            .collect();
    }
    let mut spans = Vec::new();
    let Some((first_position, first_term)) = sequence.first() else {
        return spans;
    };
    let Some(first_character) = first_term.chars().next() else {
        return spans;
    };
    let mut from = 0;
    // Every place the first bigram is written, overlapping ones too (ーーー holds ーー twice).
    while let Some(found) = text[from..].find(first_term.as_str()) {
        let start = from + found;
        from = start + first_character.len_utf8();
        let run_start = text[..start]
            .char_indices()
            .rev()
            .take_while(|(_, character)| character.is_alphanumeric())
            .last()
            .map_or(start, |(offset, _)| offset);
        let mut tokens = BigramSpans::from(text, run_start)
            .skip_while(|token| token.start < start)
            .peekable();
        let Some(first) = tokens.next_if(|token| token.start == start && token.term == first_term)
        else {
            continue;
        };
        let mut end = first.end;
        let rest_found = sequence[1..].iter().all(|(position, term)| {
            let wanted = first.position + (position - first_position);
            while tokens.next_if(|token| token.position < wanted).is_some() {}
            match tokens.next_if(|token| token.position == wanted && token.term == term) {
                Some(token) => {
                    end = token.end;
                    true
                }
                None => false,
            }
        });
        if rest_found {
            spans.push((start, end));
        }
    }
    spans
}

/// Characters (with their byte offsets) escaped, those inside `ranges` in `<mark>`.
fn push_marked(output: &mut String, characters: &[(usize, char)], ranges: &[(usize, usize)]) {
    let mut open = false;
    for (offset, character) in characters {
        let inside = ranges
            .iter()
            .any(|(start, end)| offset >= start && offset < end);
        if inside != open {
            output.push_str(if inside { "<mark>" } else { "</mark>" });
            open = inside;
        }
        push_escaped(output, *character);
    }
    if open {
        output.push_str("</mark>");
    }
}

/// The window of [`SNIPPET_CHARS`] of `text` with the most of `ranges` marked, escaped.
fn snippet_of(text: &str, ranges: &[(usize, usize)]) -> String {
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    if characters.is_empty() {
        return String::new();
    }
    let total = characters.len();
    let window = SNIPPET_CHARS.min(total);
    // Character index of each range, to score windows by marked characters.
    let char_at = |byte: usize| characters.partition_point(|(offset, _)| *offset < byte);
    let char_ranges: Vec<(usize, usize)> = ranges
        .iter()
        .map(|(start, end)| (char_at(*start), char_at(*end)))
        .collect();
    let mut best_start = 0;
    let mut best_score = 0usize;
    for (range_start, _) in &char_ranges {
        // Start a little before a match so it reads in context.
        let start = range_start.saturating_sub(20).min(total - window);
        let end = start + window;
        let score: usize = char_ranges
            .iter()
            .map(|(from, to)| to.min(&end).saturating_sub(*from.max(&start)))
            .sum();
        if score > best_score {
            best_score = score;
            best_start = start;
        }
    }
    let mut best_end = best_start + window;
    // A window edge never cuts a marked word in two (「接続<mark>端</mark>…」): the word is
    // taken whole.
    for (from, to) in &char_ranges {
        if *from < best_start && best_start < *to {
            best_start = *from;
        }
        if *from < best_end && best_end < *to {
            best_end = (*to).min(total);
        }
    }
    let mut output = String::new();
    if best_start > 0 {
        output.push('…');
    }
    push_marked(&mut output, &characters[best_start..best_end], ranges);
    if best_end < total {
        output.push('…');
    }
    output
}

/// Appends a character with HTML escaping.
pub fn push_escaped(output: &mut String, character: char) {
    match character {
        '<' => output.push_str("&lt;"),
        '>' => output.push_str("&gt;"),
        '&' => output.push_str("&amp;"),
        '"' => output.push_str("&quot;"),
        '\'' => output.push_str("&#39;"),
        other => output.push(other),
    }
}

/// HTML-escapes text.
pub fn escape_html(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    for character in text.chars() {
        push_escaped(&mut output, character);
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse_query;

    #[test]
    fn the_window_never_cuts_a_marked_word_in_two() {
        let highlighter = Highlighter::new(&parse_query("端末 操作").unwrap());
        // 操作 early pulls the window to the start; 端末 straddles where it would end.
        let filler = "あ".repeat(SNIPPET_CHARS - 4);
        let text = format!("操作は{filler}端末で行う。{filler}");
        let snippet = highlighter.snippet(&text);
        assert!(!snippet.contains("<mark>端</mark>"), "{snippet}");
        assert!(
            snippet.contains("<mark>端末</mark>") || !snippet.contains("端"),
            "{snippet}"
        );
    }

    #[test]
    fn a_katakana_fragment_is_marked_inside_a_compound() {
        let highlighter = Highlighter::new(&parse_query("クラウド").unwrap());
        let snippet = highlighter.snippet("ガバメントクラウドにおける措置");
        assert!(snippet.contains("<mark>クラウド</mark>"), "{snippet}");
    }

    #[test]
    fn markup_in_document_text_is_escaped() {
        let highlighter = Highlighter::new(&parse_query("措置").unwrap());
        let snippet =
            highlighter.snippet("<script>alert(1)</script> 措置 <img src=x onerror=alert(1)>");
        assert!(
            !snippet.contains("<script>") && !snippet.contains("<img"),
            "{snippet}"
        );
        assert!(snippet.contains("&lt;script&gt;"));
    }

    #[test]
    fn a_word_found_as_written_is_marked_without_its_parts_elsewhere() {
        let highlighter = Highlighter::new(&parse_query("入退室管理").unwrap());
        let snippet = highlighter.snippet("入退室管理簿を作成し、入退室の記録を管理している。");
        assert_eq!(
            snippet,
            "<mark>入退室管理</mark>簿を作成し、入退室の記録を管理している。"
        );
    }

    #[test]
    fn a_compound_not_found_as_written_is_marked_by_its_morphemes() {
        let highlighter = Highlighter::new(&parse_query("目的外の入手").unwrap());
        let snippet = highlighter.snippet("目的以外の情報を入手しない。");
        assert!(snippet.contains("<mark>目的</mark>"), "{snippet}");
        assert!(snippet.contains("<mark>入手</mark>"), "{snippet}");
    }

    #[test]
    fn a_one_character_part_of_a_compound_standing_apart_is_not_marked() {
        // The 札幌市 sample's measure under リスク1: 目的外の入手が行われるリスク as a ward
        // writes it (区外転入 for 市外転入): 外 of the query stands inside 区外, a morpheme of
        // its own there, which is not the word searched for.
        let highlighter = Highlighter::new(&parse_query("目的外の入手").unwrap());
        let text = "また、区外転入時には、転出証明書の記載内容も併せて確認を行う。";
        assert_eq!(highlighter.snippet(text), text);
        // Beside another part of the word it is the word's own: 目的外 of 目的外利用.
        let snippet = highlighter.snippet("目的外利用を禁止する。");
        assert!(snippet.contains("<mark>目的外</mark>"), "{snippet}");
    }

    #[test]
    fn a_compound_held_whole_only_in_a_heading_is_shown_in_that_heading_first() {
        let highlighter = Highlighter::new(&parse_query("目的外の入手").unwrap());
        let context = "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策 › 住民基本台帳ファイル \
            › 2. 特定個人情報の入手（情報提供ネットワークシステムを通じた入手を除く。） \
            › リスク1: 目的外の入手が行われるリスク › 対象者以外の情報の入手を防止するための措置の内容";
        let text = "・窓口における届出人の本人確認を厳格に行う。また、区外転入時には、転出証明書の記載内容も併せて確認を行う。";
        assert_eq!(
            highlighter.snippet_with_context(text, context),
            format!("リスク1: <mark>目的外の入手</mark>が行われるリスク — {text}")
        );
        // A text holding the word's morphemes whole is shown itself, marked.
        let snippet = highlighter.snippet_with_context("目的外の情報の入手を防ぐ。", context);
        assert_eq!(
            snippet,
            "<mark>目的外</mark>の情報の<mark>入手</mark>を防ぐ。"
        );
    }

    #[test]
    fn a_long_vowel_variant_is_marked_as_written() {
        let highlighter = Highlighter::new(&parse_query("サーバー室").unwrap());
        let snippet = highlighter.snippet("札幌市CSが設置されているサーバ室は、");
        assert!(snippet.contains("<mark>サーバ室</mark>"), "{snippet}");
    }
}
