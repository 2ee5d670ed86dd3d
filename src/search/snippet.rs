//! Keyword-in-context snippets: HTML-escaped text with the matches in `<mark>`.
//!
//! Matches come from either text field: a word's morphemes, or the exact character sequence of
//! a word or phrase found through its bigrams (so クラウド is marked inside ガバメントクラウド).
//! Only the record's own text is analysed, never a whole document.

use std::collections::HashSet;

use crate::analysis::{bigrams, is_meaningful_term, morphemes};
use crate::search::query::ParsedQuery;

/// Characters of context shown around the best match.
pub const SNIPPET_CHARS: usize = 160;

/// Marks the words of one query in record texts.
pub struct Highlighter {
    morpheme_terms: HashSet<String>,
    bigram_sequences: Vec<Vec<(usize, String)>>,
}

impl Highlighter {
    pub fn new(parsed: &ParsedQuery) -> Self {
        let mut morpheme_terms = HashSet::new();
        let mut bigram_sequences = Vec::new();
        for clause in parsed.required() {
            if !clause.phrase {
                for token in morphemes(&clause.text) {
                    if is_meaningful_term(&token.term) {
                        morpheme_terms.insert(token.term);
                    }
                }
            }
            let sequence: Vec<(usize, String)> = bigrams(&clause.text)
                .into_iter()
                .map(|token| (token.position, token.term))
                .collect();
            if !sequence.is_empty() {
                bigram_sequences.push(sequence);
            }
        }
        Self {
            morpheme_terms,
            bigram_sequences,
        }
    }

    /// Byte ranges of `text` to mark, sorted and merged.
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        if !self.morpheme_terms.is_empty() {
            for token in morphemes(text) {
                if self.morpheme_terms.contains(&token.term) {
                    ranges.push((token.original_start, token.original_end));
                }
            }
        }
        if !self.bigram_sequences.is_empty() {
            let document = bigrams(text);
            for sequence in &self.bigram_sequences {
                let first_position = sequence[0].0;
                for start in 0..document.len() {
                    let matches = sequence.iter().all(|(position, term)| {
                        let wanted = document[start].position + (position - first_position);
                        document[start..]
                            .iter()
                            .take(position - first_position + 1)
                            .any(|token| token.position == wanted && &token.term == term)
                    });
                    if matches {
                        let last_position = document[start].position
                            + (sequence.last().map(|last| last.0).unwrap_or(0) - first_position);
                        let end = document[start..]
                            .iter()
                            .find(|token| token.position == last_position)
                            .map(|token| token.original_end)
                            .unwrap_or(document[start].original_end);
                        ranges.push((document[start].original_start, end));
                    }
                }
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

    /// The snippet of `text`; when the match is only in the headings the record stands under,
    /// the marked headings come first, then the start of the text.
    pub fn snippet_with_context(&self, text: &str, context: &str) -> String {
        if !self.ranges(text).is_empty() || self.ranges(context).is_empty() {
            return self.snippet(text);
        }
        format!("{} — {}", self.snippet(context), self.snippet(text))
    }

    /// The snippet: the window of [`SNIPPET_CHARS`] with the most marked text, escaped.
    pub fn snippet(&self, text: &str) -> String {
        let ranges = self.ranges(text);
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
        let best_end = best_start + window;
        let mut output = String::new();
        if best_start > 0 {
            output.push('…');
        }
        let mut open = false;
        for (offset, character) in &characters[best_start..best_end] {
            let inside = ranges
                .iter()
                .any(|(start, end)| offset >= start && offset < end);
            if inside && !open {
                output.push_str("<mark>");
                open = true;
            } else if !inside && open {
                output.push_str("</mark>");
                open = false;
            }
            push_escaped(&mut output, *character);
        }
        if open {
            output.push_str("</mark>");
        }
        if best_end < total {
            output.push('…');
        }
        output
    }
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
    fn a_long_vowel_variant_is_marked_as_written() {
        let highlighter = Highlighter::new(&parse_query("サーバー室").unwrap());
        let snippet = highlighter.snippet("札幌市CSが設置されているサーバ室は、");
        assert!(snippet.contains("<mark>サーバ室</mark>"), "{snippet}");
    }
}
