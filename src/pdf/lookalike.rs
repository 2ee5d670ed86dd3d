//! Look-alike code points that PDF fonts map glyphs to, folded to the characters they show.
//!
//! A font's ToUnicode table may send the glyph of 民 to ⺠ (a CJK radical) or ① to ➀ (a
//! dingbat): the page looks right, the text does not match a search. NFKC folds the Kangxi
//! radicals but not the CJK Radicals Supplement, the strokes, the dingbat digits or the
//! punctuation below; the radicals and strokes come from Unicode's
//! EquivalentUnifiedIdeograph.txt (`data/equivalent-ideographs.tsv`), the rest from a short
//! list of punctuation and variant ideographs that Japanese text never means.

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// Radical or stroke → its unified ideograph (Unicode 17.0, 351 code points).
static EQUIVALENT_IDEOGRAPHS: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
    include_str!("../../data/equivalent-ideographs.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let from = u32::from_str_radix(fields.next()?, 16).ok()?;
            let to = u32::from_str_radix(fields.next()?, 16).ok()?;
            Some((char::from_u32(from)?, char::from_u32(to)?))
        })
        .collect()
});

/// Variant ideographs and punctuation a Japanese document means as another character.
const VARIANTS: &[(char, char)] = &[
    ('戶', '戸'),
    ('內', '内'),
    ('‧', '・'),
    ('·', '・'),
    ('∙', '・'),
    ('⋅', '・'),
    ('･', '・'),
];

/// Folds one glyph's text.
pub fn fold_lookalikes(text: &str) -> String {
    text.chars().map(fold_char).collect::<String>()
}

fn fold_char(character: char) -> char {
    let code = character as u32;
    // Dingbat circled digits ➀–➉ and their negative and sans-serif forms → ①–⑩.
    if (0x2780..=0x2789).contains(&code) {
        return char::from_u32(0x2460 + code - 0x2780).unwrap_or(character);
    }
    if (0x278A..=0x2793).contains(&code) {
        return char::from_u32(0x2460 + code - 0x278A).unwrap_or(character);
    }
    if (0x2776..=0x277F).contains(&code) {
        return char::from_u32(0x2460 + code - 0x2776).unwrap_or(character);
    }
    // CJK compatibility ideographs (豈 …): their canonical form.
    if (0xF900..=0xFAFF).contains(&code) {
        return character.nfc().next().unwrap_or(character);
    }
    // A radical is then a variant too: ⼾ is 戶, which Japanese writes 戸.
    let unified = EQUIVALENT_IDEOGRAPHS
        .get(&character)
        .copied()
        .unwrap_or(character);
    lookup(VARIANTS, unified)
}

fn lookup(table: &[(char, char)], character: char) -> char {
    table
        .iter()
        .find(|(from, _)| *from == character)
        .map_or(character, |(_, to)| *to)
}

#[cfg(test)]
mod tests {
    use super::fold_lookalikes;

    #[test]
    fn look_alike_code_points_become_the_characters_they_show() {
        assert_eq!(fold_lookalikes("住⺠基本台帳"), "住民基本台帳");
        assert_eq!(fold_lookalikes("⼾籍"), "戸籍");
        assert_eq!(fold_lookalikes("戶籍"), "戸籍");
        assert_eq!(fold_lookalikes("➀➁"), "①②");
        assert_eq!(fold_lookalikes("届出‧申請"), "届出・申請");
        assert_eq!(fold_lookalikes("⻑期"), "長期");
    }
}
