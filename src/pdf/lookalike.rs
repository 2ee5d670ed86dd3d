//! Look-alike code points that PDF fonts map glyphs to, folded to the characters they show.
//!
//! A font's ToUnicode table may send the glyph of 民 to ⺠ (a CJK radical) or ① to ➀ (a
//! dingbat): the page looks right, the text does not match a search. NFKC folds the Kangxi
//! radicals (U+2F00–2FD5) but not the CJK Radicals Supplement, the dingbat digits or the
//! punctuation below, so those come from Unicode's EquivalentUnifiedIdeograph.txt (the
//! supplement's radicals that stand for one ideograph used in Japanese) and a short list of
//! punctuation and variant ideographs that Japanese text never means.

use unicode_normalization::UnicodeNormalization;

/// CJK Radicals Supplement → the ideograph it is equivalent to (EquivalentUnifiedIdeograph.txt).
const RADICALS: &[(char, char)] = &[
    ('⺅', '亻'),
    ('⺉', '刂'),
    ('⺊', '卜'),
    ('⺋', '㔾'),
    ('⺌', '小'),
    ('⺍', '小'),
    ('⺏', '尣'),
    ('⺔', '彑'),
    ('⺖', '忄'),
    ('⺘', '扌'),
    ('⺙', '攵'),
    ('⺛', '旡'),
    ('⺝', '月'),
    ('⺟', '母'),
    ('⺠', '民'),
    ('⺡', '氵'),
    ('⺣', '灬'),
    ('⺤', '爫'),
    ('⺦', '丬'),
    ('⺨', '犭'),
    ('⺩', '王'),
    ('⺪', '疋'),
    ('⺫', '罒'),
    ('⺬', '示'),
    ('⺭', '礻'),
    ('⺮', '竹'),
    ('⺲', '罒'),
    ('⺶', '羊'),
    ('⺷', '羊'),
    ('⺹', '耂'),
    ('⺻', '聿'),
    ('⺼', '肉'),
    ('⺾', '艹'),
    ('⻁', '虎'),
    ('⻃', '覀'),
    ('⻄', '西'),
    ('⻆', '角'),
    ('⻊', '足'),
    ('⻌', '辶'),
    ('⻍', '辶'),
    ('⻏', '阝'),
    ('⻑', '長'),
    ('⻖', '阝'),
    ('⻗', '雨'),
    ('⻘', '青'),
    ('⻝', '食'),
    ('⻟', '食'),
    ('⻣', '骨'),
    ('⻤', '鬼'),
    ('⻨', '麦'),
    ('⻩', '黄'),
    ('⻫', '斉'),
    ('⻭', '歯'),
    ('⻯', '竜'),
    ('⻲', '亀'),
];

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
    // Kangxi radicals: NFKC knows them.
    if (0x2F00..=0x2FD5).contains(&code) {
        let unified = character.nfkc().next().unwrap_or(character);
        return lookup(VARIANTS, unified);
    }
    // CJK compatibility ideographs (豈 …): their canonical form.
    if (0xF900..=0xFAFF).contains(&code) {
        return character.nfc().next().unwrap_or(character);
    }
    if (0x2E80..=0x2EFF).contains(&code) {
        return lookup(RADICALS, character);
    }
    lookup(VARIANTS, character)
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
