//! Noun phrases: the units a measure is named by (監視カメラ, 入退室の記録, 媒体の暗号化), read from
//! IPADIC's parts of speech, for drafting hints ("peers write 監視カメラ here, your draft does
//! not").
//!
//! A phrase is a run of nouns (a compound: 監視 + カメラ, 暗号 + 化), optionally led by a noun
//! prefix (各, 再), or two such runs joined by の (入退室の記録). Nouns that name nothing on their
//! own (非自立 こと・もの, 代名詞, 数, 副詞可能 場合・ため) and place and person names (a body's
//! own name is not a measure) end a run.

use std::borrow::Cow;

use super::normalize;

/// One noun phrase of a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phrase {
    /// The phrase as written in the normalised text (「入退室の記録」).
    pub surface: String,
    /// Its nouns, as the index's morphological field holds them (「入退室」「記録」): what
    /// says how common the phrase can be in the whole corpus.
    pub components: Vec<String>,
    /// The phrase as the text writes it (「ICカード」 where the surface is 「icカード」).
    pub shown: String,
    /// One word only: a lone word names a measure less often than a compound does.
    pub single_word: bool,
    /// A lone verbal noun (設置, 構築, 更新) or adjectival noun (可能, 適切): it names the
    /// action or quality of a measure, not the measure (監視カメラの設置 is about 監視カメラ).
    pub action_only: bool,
}

/// Most nouns in one run: longer runs are lists fused by a lost comma, not one name.
const MAX_RUN_NOUNS: usize = 6;
/// Most nouns on each side of an 「AのB」 phrase.
const MAX_JOINED_NOUNS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A noun that names something (一般, 固有名詞 but places and people, 形容動詞語幹).
    Content,
    /// A verbal noun (サ変接続: 設置, 監視) or an adjectival one (形容動詞語幹: 可能): names
    /// something within a compound, an action or a quality alone.
    Action,
    /// A noun suffix (化, 室, 等): continues a run, never starts one.
    Suffix,
    /// A noun prefix (各, 再): starts a run.
    Prefix,
    /// The particle の between two runs.
    No,
    Other,
}

struct Classified {
    surface: String,
    kind: Kind,
    /// Byte span in the normalised text.
    start: usize,
    end: usize,
}

impl Classified {
    fn is_noun(&self) -> bool {
        matches!(self.kind, Kind::Content | Kind::Action)
    }
}

/// The noun phrases of `text`, each once, in order of first appearance.
pub fn noun_phrases(text: &str) -> Vec<Phrase> {
    let normalized = normalize(text);
    let Ok(mut tokens) = super::segmenter().segment(Cow::Borrowed(normalized.as_str())) else {
        return Vec::new();
    };
    let classified: Vec<Classified> = tokens
        .iter_mut()
        .map(|token| {
            let surface = token.surface.to_string();
            let part_of_speech = token.get_detail(0).unwrap_or("*").to_string();
            let subclass = token.get_detail(1).unwrap_or("*").to_string();
            let subclass2 = token.get_detail(2).unwrap_or("*").to_string();
            let kind = kind_of(&surface, &part_of_speech, &subclass, &subclass2);
            Classified {
                surface,
                kind,
                start: token.byte_start,
                end: token.byte_end,
            }
        })
        .collect();

    // Runs of nouns: (first token, end token exclusive).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut position = 0;
    while position < classified.len() {
        if !matches!(
            classified[position].kind,
            Kind::Content | Kind::Action | Kind::Prefix
        ) {
            position += 1;
            continue;
        }
        let start = position;
        position += 1;
        while position < classified.len()
            && matches!(
                classified[position].kind,
                Kind::Content | Kind::Action | Kind::Suffix
            )
        {
            position += 1;
        }
        let nouns = classified[start..position]
            .iter()
            .filter(|token| token.is_noun())
            .count();
        if nouns > 0 && nouns <= MAX_RUN_NOUNS {
            runs.push((start, position));
        }
    }

    let mut phrases: Vec<Phrase> = Vec::new();
    let mut push = |tokens: &[Classified]| {
        let surface: String = tokens.iter().map(|token| token.surface.as_str()).collect();
        // A word the dictionary did not know can carry punctuation (「ルータ・」).
        let edges_are_letters = surface.chars().next().is_some_and(char::is_alphanumeric)
            && surface.chars().last().is_some_and(char::is_alphanumeric);
        if surface.chars().count() < 2
            || !edges_are_letters
            || phrases.iter().any(|known| known.surface == surface)
        {
            return;
        }
        let components: Vec<String> = tokens
            .iter()
            .filter(|token| token.is_noun())
            .map(|token| token.surface.clone())
            .collect();
        let single_word = components.len() == 1;
        let action_only = tokens.len() == 1 && tokens[0].kind == Kind::Action;
        let (first, last) = (&tokens[0], &tokens[tokens.len() - 1]);
        let (start, end) = normalized.original_range(first.start, last.end);
        phrases.push(Phrase {
            surface,
            components,
            shown: text.get(start..end).unwrap_or_default().to_string(),
            single_word,
            action_only,
        });
    };
    for (index, &(start, end)) in runs.iter().enumerate() {
        push(&classified[start..end]);
        // The compounds inside a compound (入退室管理設備 holds 入退室 and 入退室管理): a peer
        // writing 監視カメラ等 writes 監視カメラ.
        // A cut never falls after a prefix (入 of 入退室) nor inside a katakana word the
        // dictionary did not know (クラ|ウド).
        let can_cut = |at: usize| {
            at == start
                || at == end
                || (classified[at - 1].kind != Kind::Prefix
                    && !(ends_in_katakana(&classified[at - 1].surface)
                        && starts_in_katakana(&classified[at].surface)))
        };
        for from in start..end {
            let starts_a_name = classified[from].is_noun() || from == start;
            if !starts_a_name || !can_cut(from) {
                continue;
            }
            for to in from + 1..=end {
                let whole_run = (from, to) == (start, end);
                if !whole_run && can_cut(to) && classified[from..to].iter().any(Classified::is_noun)
                {
                    push(&classified[from..to]);
                }
            }
        }
        // 「AのB」: the next run starts right after a の that follows this one.
        if let Some(&(next_start, next_end)) = runs.get(index + 1) {
            let joined = next_start == end + 1 && classified[end].kind == Kind::No;
            let short = |from: usize, to: usize| {
                classified[from..to]
                    .iter()
                    .filter(|token| token.is_noun())
                    .count()
                    <= MAX_JOINED_NOUNS
            };
            if joined && short(start, end) && short(next_start, next_end) {
                push(&classified[start..next_end]);
            }
        }
    }
    phrases
}

fn ends_in_katakana(word: &str) -> bool {
    word.chars().last().is_some_and(is_katakana)
}

fn starts_in_katakana(word: &str) -> bool {
    word.chars().next().is_some_and(is_katakana)
}

fn is_katakana(character: char) -> bool {
    super::normalize::is_katakana(character) || character == 'ー'
}

fn kind_of(surface: &str, part_of_speech: &str, subclass: &str, subclass2: &str) -> Kind {
    if !surface.chars().any(char::is_alphanumeric) {
        return Kind::Other;
    }
    match (part_of_speech, subclass) {
        ("助詞", _) if surface == "の" => Kind::No,
        ("接頭詞", "名詞接続") => Kind::Prefix,
        ("名詞", "接尾") if !matches!(subclass2, "助数詞" | "人名" | "地域") => {
            Kind::Suffix
        }
        ("名詞", "固有名詞") if matches!(subclass2, "地域" | "人名") => Kind::Other,
        // Digits, dates and counts are not what a measure is named by.
        ("名詞", _) if surface.chars().any(|c| c.is_ascii_digit()) => Kind::Other,
        ("名詞", "サ変接続" | "形容動詞語幹") => Kind::Action,
        ("名詞", "一般" | "固有名詞") => Kind::Content,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<String> {
        noun_phrases(text)
            .into_iter()
            .map(|phrase| phrase.surface)
            .collect()
    }

    #[test]
    fn compounds_and_joined_runs_are_phrases() {
        let found = surfaces("入退室の記録は保存され、監視カメラも設置している。");
        assert!(found.contains(&"監視カメラ".to_string()), "{found:?}");
        assert!(found.contains(&"入退室の記録".to_string()), "{found:?}");
    }

    #[test]
    fn a_suffix_continues_a_compound() {
        let found = surfaces("媒体の暗号化を行う。");
        assert!(found.contains(&"暗号化".to_string()), "{found:?}");
        assert!(found.contains(&"媒体の暗号化".to_string()), "{found:?}");
    }

    #[test]
    fn place_names_and_dependent_nouns_are_not_phrases() {
        let found = surfaces("札幌市では必要なことを行う場合がある。");
        assert!(
            !found.iter().any(|phrase| phrase.contains("札幌")),
            "{found:?}"
        );
        assert!(!found.contains(&"こと".to_string()), "{found:?}");
        assert!(!found.contains(&"場合".to_string()), "{found:?}");
    }

    #[test]
    fn components_are_the_nouns_of_the_phrase() {
        let phrases = noun_phrases("監視カメラを設置する。");
        let camera = phrases
            .iter()
            .find(|phrase| phrase.surface == "監視カメラ")
            .expect("監視カメラ is a phrase");
        assert_eq!(camera.components, vec!["監視", "カメラ"]);
    }
}
