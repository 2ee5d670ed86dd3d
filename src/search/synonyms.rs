//! The domain synonym dictionary (同義語検索): words the documents use for the same thing
//! (承認 / 承諾, 履歴 / ログ), expanded at query time and shown to the user, who can switch each
//! expansion off.
//!
//! The dictionary is a text file (`data/synonyms.txt`, embedded at build time; `--synonyms`
//! reads another at start-up). One group per line: `承認, 承諾, 許諾` makes every word of the
//! group find the others; `生体認証 => 静脈認証, 指紋認証` makes only the left side find the
//! right. Words are compared after normalisation (width, 長音), so the file need not list
//! サーバー and サーバ both.
//!
//! A query word is expanded where a dictionary word covers whole morphemes of it: 操作履歴 holds
//! 履歴 (操作 / 履歴), so it is also searched as 操作ログ and 操作記録; ログイン is one morpheme
//! and never becomes 履歴イン.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::{morphemes, normalize};
use crate::search::query::{Clause, ParsedQuery};

/// The dictionary shipped with hyoka.
pub const BUNDLED_SYNONYMS: &str = include_str!("../../data/synonyms.txt");

/// Most spellings one query word is searched as, besides its own: a word holding several
/// dictionary words would otherwise multiply into hundreds of variants.
pub const MAX_VARIANTS: usize = 16;

/// A line of the dictionary that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SynonymError {
    #[error("synonym dictionary {source_name}, line {line}: {message}")]
    Line {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("synonym dictionary {path}: {message}")]
    Unreadable { path: String, message: String },
}

/// The dictionary: for each word (normalised), the words it is also searched as.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    expansions: BTreeMap<String, Vec<String>>,
}

/// One expansion of a query word, as the API reports it and the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymUse {
    /// The part of the query word the dictionary knows, as typed.
    pub term: String,
    /// What it is also searched as.
    pub alternatives: Vec<String>,
    /// False when the user switched this expansion off.
    pub enabled: bool,
}

impl Synonyms {
    /// The dictionary shipped with hyoka.
    pub fn bundled() -> Synonyms {
        // The bundled file is checked by a test; a broken one must not stop a server.
        Synonyms::parse(BUNDLED_SYNONYMS, "data/synonyms.txt").unwrap_or_default()
    }

    /// Reads a dictionary file.
    pub fn read(path: &Path) -> Result<Synonyms, SynonymError> {
        let text = std::fs::read_to_string(path).map_err(|error| SynonymError::Unreadable {
            path: path.display().to_string(),
            message: error.to_string().to_lowercase(),
        })?;
        Synonyms::parse(&text, &path.display().to_string())
    }

    /// Parses the dictionary's text; `source_name` names it in errors.
    ///
    /// ```
    /// use hyoka::search::synonyms::Synonyms;
    /// let synonyms = Synonyms::parse("承認, 承諾\n生体認証 => 静脈認証", "example").unwrap();
    /// assert_eq!(synonyms.alternatives_of("承諾"), vec!["承認"]);
    /// assert!(synonyms.alternatives_of("静脈認証").is_empty());
    /// assert!(Synonyms::parse("承認", "example").is_err());
    /// ```
    pub fn parse(text: &str, source_name: &str) -> Result<Synonyms, SynonymError> {
        let mut expansions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (index, raw_line) in text.lines().enumerate() {
            let line_error = |message: &str| SynonymError::Line {
                source_name: source_name.to_string(),
                line: index + 1,
                message: message.to_string(),
            };
            let line = raw_line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let words = |part: &str| -> Vec<String> {
                part.split([',', '、', '，'])
                    .map(str::trim)
                    .filter(|word| !word.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let (from, to) = match line.split_once("=>") {
                Some((left, right)) => (words(left), words(right)),
                None => {
                    let group = words(line);
                    (group.clone(), group)
                }
            };
            if from.is_empty() || to.is_empty() {
                return Err(line_error("a side of \"=>\" has no words"));
            }
            if from.len() == 1 && to.len() == 1 && from == to {
                return Err(line_error(
                    "a group needs two or more words separated by commas",
                ));
            }
            for word in from.iter().chain(&to) {
                if normalize(word).as_str().trim().is_empty() {
                    return Err(line_error(&format!("{word:?} has nothing to search for")));
                }
            }
            for word in &from {
                let key = normalize(word).as_str().to_string();
                let entry = expansions.entry(key.clone()).or_default();
                for alternative in &to {
                    if normalize(alternative).as_str() != key && !entry.contains(alternative) {
                        entry.push(alternative.clone());
                    }
                }
            }
        }
        expansions.retain(|_, alternatives| !alternatives.is_empty());
        Ok(Synonyms { expansions })
    }

    /// The words a word is also searched as (empty when the dictionary does not know it).
    pub fn alternatives_of(&self, word: &str) -> Vec<&str> {
        self.expansions
            .get(normalize(word).as_str())
            .map(|alternatives| alternatives.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Expands every plain required word of a query (phrases and exclusions mean the words as
    /// typed) and returns the expansions, in query order.
    pub fn apply(&self, parsed: &mut ParsedQuery, disabled: &[String]) -> Vec<SynonymUse> {
        let disabled = normalized_words(disabled);
        let mut uses: Vec<SynonymUse> = Vec::new();
        self.apply_to(&mut parsed.clauses, &disabled, &mut uses);
        uses
    }

    /// [`Synonyms::apply`] over some clauses, into the words of OR groups.
    fn apply_to(&self, clauses: &mut [Clause], disabled: &[String], uses: &mut Vec<SynonymUse>) {
        for clause in clauses {
            if clause.is_group() {
                if !clause.excluded {
                    for all in &mut clause.any_of {
                        self.apply_to(all, disabled, uses);
                    }
                }
                continue;
            }
            if clause.phrase || clause.excluded {
                continue;
            }
            let (variants, clause_uses) = self.expand_with(&clause.text, disabled);
            clause.alternatives = variants;
            for used in clause_uses {
                if !uses.iter().any(|known| known.term == used.term) {
                    uses.push(used);
                }
            }
        }
    }

    /// The spellings a query word is also searched as, and the expansions that made them.
    /// Expansions whose term is in `disabled` are reported but not applied.
    ///
    /// ```
    /// use hyoka::search::synonyms::Synonyms;
    /// let synonyms = Synonyms::parse("履歴, ログ", "example").unwrap();
    /// let (variants, uses) = synonyms.expand("操作履歴", &[]);
    /// assert_eq!(variants, vec!["操作ログ"]);
    /// assert_eq!(uses[0].term, "履歴");
    /// ```
    pub fn expand(&self, word: &str, disabled: &[String]) -> (Vec<String>, Vec<SynonymUse>) {
        self.expand_with(word, &normalized_words(disabled))
    }

    /// [`Synonyms::expand`] with the switched-off words already normalised.
    fn expand_with(&self, word: &str, disabled: &[String]) -> (Vec<String>, Vec<SynonymUse>) {
        if self.expansions.is_empty() {
            return (Vec::new(), Vec::new());
        }
        // Dictionary words must start and end where morphemes do.
        let tokens = morphemes(word);
        let mut boundaries: Vec<usize> = tokens
            .iter()
            .flat_map(|token| [token.original_start, token.original_end])
            .collect();
        boundaries.push(0);
        boundaries.push(word.len());
        boundaries.sort_unstable();
        boundaries.dedup();

        // Longest dictionary word first at each boundary, left to right, not overlapping.
        let mut found: Vec<(usize, usize, &Vec<String>)> = Vec::new();
        let mut index = 0;
        while index < boundaries.len() {
            let start = boundaries[index];
            let longest = boundaries[index + 1..].iter().rev().find_map(|&end| {
                let key = normalize(&word[start..end]);
                self.expansions
                    .get(key.as_str())
                    .map(|alternatives| (end, alternatives))
            });
            match longest {
                Some((end, alternatives)) => {
                    found.push((start, end, alternatives));
                    index = boundaries
                        .iter()
                        .position(|&boundary| boundary == end)
                        .unwrap_or(boundaries.len());
                }
                None => index += 1,
            }
        }

        let mut uses = Vec::new();
        // Each variant is the word with every applied expansion replaced by one of its
        // alternatives (or kept as typed).
        let mut variants: Vec<String> = vec![String::new()];
        let mut cursor = 0;
        for (start, end, alternatives) in found {
            let term = &word[start..end];
            let normalized_term = normalize(term);
            let enabled = !disabled
                .iter()
                .any(|off| off.as_str() == normalized_term.as_str());
            uses.push(SynonymUse {
                term: term.to_string(),
                alternatives: alternatives.clone(),
                enabled,
            });
            let between = &word[cursor..start];
            let choices: Vec<&str> = if enabled {
                std::iter::once(term)
                    .chain(alternatives.iter().map(String::as_str))
                    .collect()
            } else {
                vec![term]
            };
            let mut next = Vec::new();
            'grow: for variant in &variants {
                for choice in &choices {
                    if next.len() > MAX_VARIANTS {
                        break 'grow;
                    }
                    next.push(format!("{variant}{between}{choice}"));
                }
            }
            variants = next;
            cursor = end;
        }
        let typed = normalize(word);
        let mut spelled: Vec<String> = Vec::new();
        for variant in variants {
            let variant = format!("{variant}{}", &word[cursor..]);
            if normalize(&variant).as_str() != typed.as_str() && !spelled.contains(&variant) {
                spelled.push(variant);
            }
        }
        spelled.truncate(MAX_VARIANTS);
        (spelled, uses)
    }
}

/// Words as the dictionary compares them.
fn normalized_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|word| normalize(word).as_str().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_dictionary_parses_and_knows_the_issue_words() {
        let synonyms = Synonyms::parse(BUNDLED_SYNONYMS, "data/synonyms.txt")
            .expect("the bundled dictionary parses");
        assert!(synonyms.alternatives_of("承認").contains(&"承諾"));
        assert!(synonyms.alternatives_of("ログ").contains(&"履歴"));
        assert!(synonyms.alternatives_of("サーバー室").contains(&"電算室"));
    }

    #[test]
    fn a_word_inside_a_morpheme_is_not_replaced() {
        let synonyms = Synonyms::parse("履歴, ログ", "test").unwrap();
        let (variants, uses) = synonyms.expand("ログイン", &[]);
        assert!(variants.is_empty(), "{variants:?}");
        assert!(uses.is_empty());
    }

    #[test]
    fn the_longest_dictionary_word_wins() {
        let synonyms = Synonyms::parse("保存, 保管\n保存期間, 保存年限", "test").unwrap();
        let (variants, uses) = synonyms.expand("保存期間", &[]);
        assert_eq!(uses.len(), 1);
        assert_eq!(uses[0].term, "保存期間");
        assert_eq!(variants, vec!["保存年限"]);
    }

    #[test]
    fn a_switched_off_expansion_is_reported_but_not_applied() {
        let synonyms = Synonyms::parse("承認, 承諾", "test").unwrap();
        let (variants, uses) = synonyms.expand("承認", &["承認".to_string()]);
        assert!(variants.is_empty());
        assert_eq!(uses.len(), 1);
        assert!(!uses[0].enabled);
    }

    #[test]
    fn a_one_way_rule_expands_only_its_left_side() {
        let synonyms = Synonyms::parse("生体認証 => 静脈認証", "test").unwrap();
        assert_eq!(synonyms.expand("生体認証", &[]).0, vec!["静脈認証"]);
        assert!(synonyms.expand("静脈認証", &[]).0.is_empty());
    }

    #[test]
    fn a_line_with_one_word_is_an_error_naming_the_line() {
        let error = Synonyms::parse("承認, 承諾\n\n承認\n", "test").unwrap_err();
        assert_eq!(
            error.to_string(),
            "synonym dictionary test, line 3: a group needs two or more words separated by commas"
        );
    }

    #[test]
    fn variants_are_bounded() {
        let synonyms = Synonyms::parse("あ1, あ2, あ3, あ4, あ5, あ6, あ7, あ8", "test").unwrap();
        let (variants, _) = synonyms.expand("あ1 あ1 あ1", &[]);
        assert!(variants.len() <= MAX_VARIANTS);
    }
}
