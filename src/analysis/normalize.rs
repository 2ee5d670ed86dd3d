//! Text normalisation shared by indexing and querying, with a map back to the original text.
//!
//! Both text fields and every query go through [`normalize`], so that the variants staff meet in
//! real documents meet in the index:
//! - Unicode NFKC: full-width ASCII and digits, half-width katakana (ｻｰﾊﾞｰ), circled and
//!   compatibility forms fold to one spelling;
//! - ASCII lower case;
//! - dashes and hyphens written after katakana become the 長音 ー (U+2212 and ― in PDF text);
//! - a 長音 that ends a katakana word is dropped, so サーバー, サーバ and ｻｰﾊﾞｰ meet
//!   (the rule of lindera's `japanese_katakana_stem` and of JIS Z 8301 style guides);
//! - white space between two Japanese characters is removed: in PDF extractions it is line
//!   wrapping or layout debris (「情報提供 ネットワーク」), never a word boundary;
//! - invisible characters (zero-width space and joiners, a BOM inside text, the soft hyphen)
//!   are dropped: copied from PDFs and Word they sit inside words;
//! - a small table folds okurigana variants (紐づけ/紐付け, 取り扱い/取扱い, 持ち出し/持出し)
//!   and a few 異体字 (髙/高, 﨑/崎) that NFKC leaves alone.
//!
//! Every normalised character remembers the byte span of the original text it came from, so
//! token offsets (and therefore highlighted snippets) point into the text as written.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Text after normalisation, with the original span of each character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// Byte offset in `text` where each normalised character starts.
    char_starts: Vec<usize>,
    /// Byte span in the original text of each normalised character.
    origins: Vec<(usize, usize)>,
}

impl Normalized {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to the byte range of the original text it came
    /// from. Ranges that do not fall on character boundaries are widened to them.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        if self.origins.is_empty() || start >= end {
            let at = self.origins.last().map(|origin| origin.1).unwrap_or(0);
            return (at, at);
        }
        let first = self.char_index_at(start);
        let last = self.char_index_at(end.saturating_sub(1));
        let original_start = self.origins[first].0;
        let original_end = self.origins[last].1.max(original_start);
        (original_start, original_end)
    }

    fn char_index_at(&self, byte: usize) -> usize {
        match self.char_starts.binary_search(&byte) {
            Ok(index) => index,
            Err(insert_at) => insert_at.saturating_sub(1),
        }
    }
}

/// Okurigana and spelling variants folded to one form. The left side is replaced by the right
/// wherever it occurs; entries are stems so that every conjugation follows (紐づけ, 紐づく).
/// Longer keys are tried first.
const VARIANT_TABLE: &[(&str, &str)] = &[
    ("ひもづけ", "紐付け"),
    ("ひも付け", "紐付け"),
    ("紐づ", "紐付"),
    ("取り扱", "取扱"),
    ("取扱かい", "取扱い"),
    ("受け付", "受付"),
    ("申し込", "申込"),
    ("問い合わせ", "問合せ"),
    ("問い合せ", "問合せ"),
    ("問合わせ", "問合せ"),
    ("打ち合わせ", "打合せ"),
    ("組み合わせ", "組合せ"),
    ("組み合せ", "組合せ"),
    ("組合わせ", "組合せ"),
    ("立ち会", "立会"),
    ("立ち入", "立入"),
    ("持ち出", "持出"),
    ("持ち込", "持込"),
    ("貸し出", "貸出"),
    ("書き換", "書換"),
    ("読み取", "読取"),
    ("引き継", "引継"),
    ("払い戻", "払戻"),
    ("割り当", "割当"),
    ("差し替", "差替"),
    ("入れ替", "入替"),
    ("切り替", "切替"),
    ("取り消", "取消"),
    ("取り組", "取組"),
    ("呼び出", "呼出"),
    ("行な", "行"),
];

/// 異体字 and 旧字体 that NFKC does not fold.
const KANJI_VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('濵', '浜'),
    ('濱', '浜'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('國', '国'),
    ('澤', '沢'),
    ('櫻', '桜'),
    ('槇', '槙'),
    ('曽', '曾'),
];

/// Characters that PDF extraction and keyboards use for the 長音 after katakana.
fn is_dash_like(character: char) -> bool {
    matches!(
        character,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{2500}'
            | '\u{2501}'
            | '\u{FF70}'
    )
}

/// Characters that show nothing and join or split nothing a reader sees: zero-width space and
/// joiners, the word joiner, a byte order mark inside text, the soft hyphen. Text copied from PDFs
/// and Word carries them inside words (生体\u{200B}認証), where they would split a word in two.
fn is_invisible(character: char) -> bool {
    matches!(
        character,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Katakana letters (not the 長音 itself, not ・).
pub fn is_katakana(character: char) -> bool {
    matches!(character, '\u{30A1}'..='\u{30FA}' | '\u{31F0}'..='\u{31FF}')
}

/// Hiragana letters (ぁ to ゖ): particles and okurigana.
pub fn is_hiragana(character: char) -> bool {
    matches!(character, '\u{3041}'..='\u{3096}')
}

/// Hiragana, katakana (with ー and 々) and CJK ideographs: the characters of Japanese words.
pub fn is_japanese_letter(character: char) -> bool {
    matches!(character,
        '\u{3041}'..='\u{3096}'
        | '\u{309D}'..='\u{309F}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{30FC}'..='\u{30FF}'
        | '\u{31F0}'..='\u{31FF}'
        | '\u{3005}'
        | '\u{3007}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Characters NFKC leaves as they are, checked by range: ASCII, hiragana, katakana, the common
/// CJK ideographs, the Japanese punctuation and brackets, the dashes, arrows and marks documents
/// point and number with (—, →, ※, ○, ■) and the › between a record's headings. Nearly every
/// character of a document is one, and for them the per-character NFKC pass is skipped (the
/// unit test checks every one of them against NFKC).
fn is_nfkc_stable(character: char) -> bool {
    matches!(
        character,
        '\u{0}'..='\u{7F}'
            | '\u{2010}'
            | '\u{2012}'..='\u{2016}'
            | '\u{2039}'..='\u{203B}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{25A0}'..='\u{25FF}'
            | '\u{3001}'..='\u{3029}'
            | '\u{3041}'..='\u{3096}'
            | '\u{30A1}'..='\u{30FC}'
            | '\u{4E00}'..='\u{9FFF}'
    )
}

/// Half-width voiced sound marks combine with the katakana before them under NFKC, so they
/// must be normalised together with it.
fn combines_with_previous(character: char) -> bool {
    is_combining_mark(character) || matches!(character, '\u{FF9E}' | '\u{FF9F}')
}

/// Normalises `original` for indexing and querying. See the module documentation.
///
/// ```
/// use hyoka::analysis::normalize;
/// assert_eq!(normalize("ｻｰﾊﾞｰ室").as_str(), normalize("サーバ室").as_str());
/// assert_eq!(normalize("紐づけ").as_str(), normalize("紐付け").as_str());
/// ```
pub fn normalize(original: &str) -> Normalized {
    in_one_pass(original).unwrap_or_else(|| normalize_in_stages(original))
}

/// What NFKC and the per-character folds make of one character when the character alone
/// decides it: one NFKC leaves as it is, a full-width ASCII form (（, ０, Ａ) or a circled digit
/// (①), then ASCII lower case and the kanji variants. `None` for any other character
/// (half-width katakana, ⑩ and on, combining marks, invisible characters…): the stages decide
/// those.
fn fold_alone(character: char) -> Option<char> {
    let folded = if is_nfkc_stable(character) {
        character
    } else if ('\u{FF01}'..='\u{FF5E}').contains(&character) {
        // NFKC maps each full-width form of ASCII to the ASCII character 0xFEE0 below it.
        char::from_u32(character as u32 - 0xFEE0)?
    } else if ('①'..='⑨').contains(&character) {
        // A measure's numbered points: NFKC writes ① to ⑨ as the digit (⑩ on as two).
        char::from_u32('1' as u32 + (character as u32 - '①' as u32))?
    } else {
        return None;
    };
    Some(fold_letter(folded))
}

/// The folds of one character after NFKC that look at nothing else: ASCII lower case and the
/// kanji variants.
fn fold_letter(character: char) -> char {
    // Every variant is an ideograph: kana and ASCII need no look.
    if character >= '\u{4E00}'
        && let Some(&(_, replacement)) = KANJI_VARIANTS.iter().find(|(from, _)| *from == character)
    {
        return replacement;
    }
    character.to_ascii_lowercase()
}

/// What NFKC writes for a Roman numeral, a circled or bracketed number or an ellipsis (Ⅳ, ⑩,
/// ⑴, …) when it is ASCII letters, digits and punctuation other than the dash, lower-cased:
/// none of the folds that look at neighbours applies to them. `None` for any other character.
fn expand_alone(character: char) -> Option<String> {
    let numeral_or_dots = matches!(
        character,
        '\u{2025}'..='\u{2026}' | '\u{2160}'..='\u{217F}' | '\u{2460}'..='\u{24FF}'
    );
    if !numeral_or_dots {
        return None;
    }
    let expanded: String = std::iter::once(character).nfkc().collect();
    let plain = expanded
        .chars()
        .all(|folded| folded.is_ascii_graphic() && !is_dash_like(folded));
    plain.then(|| expanded.to_ascii_lowercase())
}

/// [`normalize`] in one pass, for a text whose every character [`fold_alone`] folds or
/// [`expand_alone`] expands: most texts of a document. The folds that look at neighbours are
/// made here as the stages make them (a dash after katakana becomes ー, white space between
/// Japanese letters goes, a 長音 ending a katakana word goes, an okurigana variant written as
/// the table has it is folded); `None` sends the text through the stages. Normalisation runs
/// on every snippet, comparison key and indexed text, and the stages copy every character four
/// times.
fn in_one_pass(original: &str) -> Option<Normalized> {
    let mut text = String::with_capacity(original.len());
    let mut char_starts = Vec::with_capacity(original.len() / 2);
    let mut origins: Vec<(usize, usize)> = Vec::with_capacity(original.len() / 2);
    // The last character after the folds of single characters (the stages' second), and the
    // last one kept (their third: a 長音 ending a word is folded, then dropped).
    let mut last_folded: Option<char> = None;
    let mut last_kept: Option<char> = None;
    let mut characters = original.char_indices();
    while let Some((start, written)) = characters.next() {
        let end = start + written.len_utf8();
        let rest = &original[end..];
        let Some(folded) = fold_alone(written) else {
            // Ⅳ as iv, ⑩ as 10: letters and digits no fold looks at again.
            let expanded = expand_alone(written)?;
            for folded in expanded.chars() {
                char_starts.push(text.len());
                origins.push((start, end));
                text.push(folded);
            }
            last_folded = expanded.chars().last();
            last_kept = last_folded;
            continue;
        };
        let Some(character) = fold_in_context(folded, last_folded, next_written_in(rest)) else {
            // White space between Japanese letters: layout, not a word boundary.
            continue;
        };
        last_folded = Some(character);
        if character == 'ー' && last_kept.is_some_and(is_katakana) {
            let word_continues =
                next_folded(rest, character)?.is_some_and(|next| is_katakana(next) || next == 'ー');
            if !word_continues {
                // サーバー as サーバ, the letter before covering the 長音 as written.
                if let Some(last) = origins.last_mut() {
                    last.1 = last.1.max(end);
                }
                continue;
            }
        }
        if may_start_variant(character) {
            match variant_at(character, rest) {
                VariantAt::None => {}
                VariantAt::Uncertain => return None,
                VariantAt::Written { length, to } => {
                    // 取り扱 as 取扱: each character of the fold covers the whole variant.
                    let mut key_end = end;
                    for (_, key) in characters.by_ref().take(length - 1) {
                        key_end += key.len_utf8();
                        last_folded = fold_alone(key);
                    }
                    last_kept = last_folded;
                    for folded in to.chars() {
                        char_starts.push(text.len());
                        origins.push((start, key_end));
                        text.push(folded);
                    }
                    continue;
                }
            }
        }
        char_starts.push(text.len());
        origins.push((start, end));
        text.push(character);
        last_kept = Some(character);
    }
    Some(Normalized {
        text,
        char_starts,
        origins,
    })
}

/// The folds that look at neighbours, for a character already folded alone (the stages' second
/// pass and the one pass both make them here): a dash after katakana or ー is the 長音; white
/// space between Japanese letters (the one folded before, and `next_written`: the next one
/// after NFKC that is not white space) is dropped (`None`).
fn fold_in_context(
    character: char,
    last_folded: Option<char>,
    next_written: impl FnOnce() -> Option<char>,
) -> Option<char> {
    let after_katakana = last_folded.is_some_and(|last| is_katakana(last) || last == 'ー');
    if after_katakana && is_dash_like(character) {
        return Some('ー');
    }
    let between_japanese = character.is_whitespace()
        && last_folded.is_some_and(is_japanese_letter)
        && next_written().is_some_and(is_japanese_letter);
    (!between_japanese).then_some(character)
}

/// The next character of `rest` that is not white space, as [`fold_in_context`] looks at it: in
/// a text the one pass takes, each character NFKC writes differently is not a Japanese letter
/// either way.
fn next_written_in(rest: &str) -> impl FnOnce() -> Option<char> + '_ {
    move || rest.chars().find(|next| !next.is_whitespace())
}

/// The character after `folded` once the folds of single characters are made (`Some(None)` at
/// the end of the text); `None` when one of the characters in between is not folded alone.
fn next_folded(rest: &str, folded: char) -> Option<Option<char>> {
    for (offset, written) in rest.char_indices() {
        let after = &rest[offset + written.len_utf8()..];
        if let Some(next) =
            fold_in_context(fold_alone(written)?, Some(folded), next_written_in(after))
        {
            return Some(Some(next));
        }
    }
    Some(None)
}

/// Whether a key of [`VARIANT_TABLE`] starts with `character`, `rest` following it.
enum VariantAt {
    None,
    /// Written as the key is: the first such key in the table's order, its length in
    /// characters, and what it is folded to.
    Written {
        length: usize,
        to: &'static str,
    },
    /// With a character in between that a fold could drop or change: the stages decide.
    Uncertain,
}

fn variant_at(character: char, rest: &str) -> VariantAt {
    let variants = variants_by_first_character();
    let Ok(found) = variants.binary_search_by_key(&character, |(first, _)| *first) else {
        return VariantAt::None;
    };
    'keys: for (from, to) in &variants[found].1 {
        let mut following = rest.chars();
        for expected in &from[1..] {
            let Some(written) = following.next() else {
                continue 'keys;
            };
            match fold_alone(written) {
                Some(folded) if folded == *expected => {}
                Some(folded)
                    if !folded.is_whitespace() && !is_dash_like(folded) && folded != 'ー' =>
                {
                    continue 'keys;
                }
                _ => return VariantAt::Uncertain,
            }
        }
        return VariantAt::Written {
            length: from.len(),
            to,
        };
    }
    VariantAt::None
}

/// Whether `character` may start a key of [`VARIANT_TABLE`]: a bit per character modulo 128,
/// so that nearly every character is passed over without a search of the table.
fn may_start_variant(character: char) -> bool {
    static FIRSTS: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    let firsts = FIRSTS.get_or_init(|| {
        VARIANT_TABLE.iter().fold(0u128, |bits, (from, _)| {
            bits | from
                .chars()
                .next()
                .map_or(0, |first| 1u128 << (first as u32 % 128))
        })
    });
    firsts & (1u128 << (character as u32 % 128)) != 0
}

/// [`normalize`], stage by stage: any text.
fn normalize_in_stages(original: &str) -> Normalized {
    let mut characters: Vec<(char, (usize, usize))> = Vec::with_capacity(original.len() / 2);

    // Stage 1: NFKC, one base character with its combining marks at a time, so that every
    // output character knows which input characters it came from.
    let mut units = original.char_indices().peekable();
    let mut unit = String::new();
    while let Some((unit_start, first)) = units.next() {
        let alone = units
            .peek()
            .is_none_or(|&(_, next)| !combines_with_previous(next));
        if alone && is_nfkc_stable(first) {
            characters.push((first, (unit_start, unit_start + first.len_utf8())));
            continue;
        }
        unit.clear();
        unit.push(first);
        let mut unit_end = unit_start + first.len_utf8();
        while let Some(&(next_start, next)) = units.peek() {
            if !combines_with_previous(next) {
                break;
            }
            unit.push(next);
            unit_end = next_start + next.len_utf8();
            units.next();
        }
        for normalized in unit.nfkc() {
            characters.push((normalized, (unit_start, unit_end)));
        }
    }

    // Stage 2: per-character folds that look at neighbours.
    let mut folded: Vec<(char, (usize, usize))> = Vec::with_capacity(characters.len());
    for index in 0..characters.len() {
        let (character, span) = characters[index];
        if is_invisible(character) {
            continue;
        }
        let previous = folded.last().map(|(previous, _)| *previous);
        let next_written = || {
            characters[index + 1..]
                .iter()
                .map(|(next, _)| *next)
                .find(|next| !next.is_whitespace())
        };
        if let Some(character) = fold_in_context(fold_letter(character), previous, next_written) {
            folded.push((character, span));
        }
    }

    // A 長音 that ends a katakana word is dropped: サーバー → サーバ. Decided after the
    // dash folding above so that サーバ− (U+2212) is treated the same.
    let mut stemmed: Vec<(char, (usize, usize))> = Vec::with_capacity(folded.len());
    for index in 0..folded.len() {
        let (character, span) = folded[index];
        if character == 'ー' {
            let follows_katakana = stemmed
                .last()
                .is_some_and(|(previous, _)| is_katakana(*previous));
            let next = folded.get(index + 1).map(|(next, _)| *next);
            let word_continues = next.is_some_and(|next| is_katakana(next) || next == 'ー');
            if follows_katakana && !word_continues {
                // Give the dropped character's span to the letter before it, so that a
                // highlighted サーバ covers サーバー as written.
                if let Some(last) = stemmed.last_mut() {
                    last.1.1 = last.1.1.max(span.1);
                }
                continue;
            }
        }
        stemmed.push((character, span));
    }

    let replaced = apply_variant_table(stemmed);

    let mut text = String::with_capacity(replaced.len() * 3);
    let mut char_starts = Vec::with_capacity(replaced.len());
    let mut origins = Vec::with_capacity(replaced.len());
    for (character, span) in replaced {
        char_starts.push(text.len());
        origins.push(span);
        text.push(character);
    }
    Normalized {
        text,
        char_starts,
        origins,
    }
}

/// The variant table by first character (sorted, for a binary search), keys as characters, in
/// table order: a lookup per character instead of a scan of the whole table (normalisation runs
/// on every indexed byte), and no hashing of every character either.
type VariantsByFirstCharacter = Vec<(char, Vec<(Vec<char>, &'static str)>)>;

fn variants_by_first_character() -> &'static VariantsByFirstCharacter {
    static VARIANTS: std::sync::OnceLock<VariantsByFirstCharacter> = std::sync::OnceLock::new();
    VARIANTS.get_or_init(|| {
        let mut variants = VariantsByFirstCharacter::new();
        for (from, to) in VARIANT_TABLE {
            let key: Vec<char> = from.chars().collect();
            match variants.iter_mut().find(|(first, _)| *first == key[0]) {
                Some((_, candidates)) => candidates.push((key, *to)),
                None => variants.push((key[0], vec![(key, *to)])),
            }
        }
        variants.sort_by_key(|(first, _)| *first);
        variants
    })
}

fn apply_variant_table(characters: Vec<(char, (usize, usize))>) -> Vec<(char, (usize, usize))> {
    let variants = variants_by_first_character();
    let mut output = Vec::with_capacity(characters.len());
    let mut index = 0;
    'scan: while index < characters.len() {
        if let Ok(found) = variants.binary_search_by_key(&characters[index].0, |(first, _)| *first)
        {
            let candidates = &variants[found].1;
            for (from, to) in candidates {
                let length = from.len();
                if index + length > characters.len() {
                    continue;
                }
                let matches = from
                    .iter()
                    .zip(&characters[index..index + length])
                    .all(|(expected, (actual, _))| expected == actual);
                if matches {
                    let span = (characters[index].1.0, characters[index + length - 1].1.1);
                    output.extend(to.chars().map(|character| (character, span)));
                    index += length;
                    continue 'scan;
                }
            }
        }
        output.push(characters[index]);
        index += 1;
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_taken_as_they_are_are_exactly_those_nfkc_leaves_alone() {
        for code in 0..=0x10FFFFu32 {
            let Some(character) = char::from_u32(code) else {
                continue;
            };
            if is_nfkc_stable(character) {
                let normalized: String = character.to_string().nfkc().collect();
                assert_eq!(normalized, character.to_string(), "U+{code:04X}");
                assert!(!combines_with_previous(character), "U+{code:04X}");
            }
        }
    }

    #[test]
    fn full_width_ascii_and_circled_digits_fold_alone_as_nfkc_folds_them() {
        for code in (0xFF01..=0xFF5Eu32).chain(0x2460..=0x2468) {
            let character = char::from_u32(code).unwrap();
            let normalized: String = character.to_string().nfkc().collect();
            let expected = normalized.to_ascii_lowercase();
            assert_eq!(
                fold_alone(character).map(String::from),
                Some(expected),
                "U+{code:04X}"
            );
        }
    }

    /// Texts made of the characters every fold looks at, each next to each: dashes and 長音
    /// after katakana, spaces between Japanese and Latin letters, okurigana variants, kanji
    /// variants, full-width and half-width forms, invisible and combining characters.
    fn awkward_texts() -> Vec<String> {
        let pieces = [
            "サーバ",
            "ー",
            "-",
            "−",
            "―",
            " ",
            "　",
            "\t",
            "情報",
            "ネットワーク",
            "ISO",
            "Ａ",
            "（",
            "）",
            "１",
            "ｻｰﾊﾞｰ",
            "ﾊﾟ",
            "取り扱い",
            "取",
            "り",
            "扱",
            "行な",
            "入れ替",
            "入",
            "髙",
            "﨑",
            "ひもづけ",
            "\u{200B}",
            "か\u{3099}",
            "①",
            "⑨",
            "⑩",
            "・",
            "取 り扱",
            "サーバー・",
            "—",
            " › ",
            "Ⅳ",
            "ⅲ",
            "⑴",
            "…",
            "⑳",
            "※",
            "○",
            "〜",
            "問い合わせ",
            "行なう",
            "ー ",
            "、",
            "。",
            "「",
            "x",
            "Z",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..20_000)
            .map(|_| {
                let length = 1 + next() % 8;
                (0..length)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn one_pass_normalisation_gives_what_the_stages_give() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut texts = awkward_texts();
        for entry in std::fs::read_dir(&corpus).unwrap().flatten() {
            let Ok(document) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            texts.extend(document.lines().map(str::to_string));
            texts.push(document);
        }
        let mut taken = 0;
        for text in &texts {
            if let Some(normalized) = in_one_pass(text) {
                assert_eq!(normalized, normalize_in_stages(text), "{text:?}");
                taken += 1;
            }
            assert_eq!(normalize(text), normalize_in_stages(text), "{text:?}");
        }
        // Both ways were taken, many times.
        assert!(taken > 1_000 && taken < texts.len() - 1_000, "{taken}");
    }

    #[test]
    fn long_vowel_and_width_variants_of_server_meet() {
        let forms = ["サーバー", "サーバ", "ｻｰﾊﾞｰ", "サーバ−", "サーバ―"];
        for form in forms {
            assert_eq!(normalize(form).as_str(), "サーバ", "{form}");
        }
    }

    #[test]
    fn a_long_vowel_inside_a_word_is_kept() {
        assert_eq!(normalize("プラットフォーム").as_str(), "プラットフォーム");
        assert_eq!(normalize("サーバー室").as_str(), "サーバ室");
    }

    #[test]
    fn okurigana_variants_meet() {
        assert_eq!(normalize("紐づけ").as_str(), normalize("紐付け").as_str());
        assert_eq!(normalize("取り扱い").as_str(), normalize("取扱い").as_str());
        assert_eq!(normalize("外部に持ち出せない").as_str(), "外部に持出せない");
    }

    #[test]
    fn full_width_ascii_and_digits_fold() {
        assert_eq!(normalize("ＩＳＭＡＰ（１）").as_str(), "ismap(1)");
    }

    #[test]
    fn stray_spaces_inside_japanese_are_removed_but_not_between_latin_words() {
        assert_eq!(
            normalize("情報提供 ネットワーク").as_str(),
            "情報提供ネットワーク"
        );
        assert_eq!(normalize("ISO IEC").as_str(), "iso iec");
    }

    #[test]
    fn invisible_characters_inside_a_word_are_dropped() {
        for copied in [
            "生体\u{200B}認証",
            "\u{FEFF}生体認証",
            "生体\u{200D}認\u{2060}証",
            "生\u{00AD}体認証",
        ] {
            assert_eq!(normalize(copied).as_str(), "生体認証", "{copied:?}");
        }
        // The spans still point into the text as written.
        let copied = "生体\u{200B}認証";
        let normalized = normalize(copied);
        let (start, end) = normalized.original_range(0, normalized.as_str().len());
        assert_eq!(&copied[start..end], copied);
    }

    #[test]
    fn original_range_points_into_the_text_as_written() {
        let original = "ｻｰﾊﾞｰ室に";
        let normalized = normalize(original);
        // サーバ室 in the normalised text covers the whole of ｻｰﾊﾞｰ室 as written.
        let end = normalized.as_str().find('に').unwrap();
        let (start, end) = normalized.original_range(0, end);
        assert_eq!(&original[start..end], "ｻｰﾊﾞｰ室");
    }
}
