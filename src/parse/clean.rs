//! Cleaning of extracted cell text: markup, entities, choice lists, OCR debris and actor blocks.
//!
//! PDF-to-text converters leave HTML fragments (`<p>`, `<ul>`, `<li>`, `<input …/>`, `<u>`,
//! `<del>`), escaped brackets (`&lt;当区における措置&gt;`), the form's choice lists
//! (「[特に力を入れている] <選択肢> 1) … 2) …」) and stray OCR tokens. A record's text keeps
//! none of them; list items and paragraphs become line breaks.

use std::sync::LazyLock;

use regex::Regex;

/// Marks the start and end of text the document underlined (`<u>`): changed words in a
/// 新旧対照表. Private-use characters, removed before text leaves the parser.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

static DELETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<del\b[^>]*>.*?</del\s*>").expect("valid regex"));
static BREAKING_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(?:p|li|ul|ol|br|tr|table|div|h[1-6])\b[^>]*>").expect("valid regex")
});
static UNDERLINE_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<u\b[^>]*>").expect("valid regex"));
static UNDERLINE_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</u\s*>").expect("valid regex"));
/// Any other tag: `<` then an ASCII letter or `/`. Japanese brackets such as <選択肢> and
/// <札幌市における措置> are not tags and are left for the steps below.
static ANY_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"</?[A-Za-z][^<>]*/?>").expect("valid regex"));
static ENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);").expect("valid regex"));

/// A choice list: an optional chosen value in brackets, the 選択肢 marker (often OCR-damaged:
/// 「(選択肢>」「C選択肢>」), then the numbered options. Also a bare run of numbered options
/// left where the marker itself was lost.
static CHOICE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?: [\[【「]\s* [^\[\]【】「」<>\n]{0,30}? \s* [\]】]? \s* )?
        [<＜(（C]?\s*選択肢\s*[>＞)）]
        (?: \s* (?: \[[^\]\n]{0,30}\] | \(\s*\d+\s*\)\s*件 | \d\s*\)\s*[^\s\d\]\[<>]{1,40} ) )*
        ",
    )
    .expect("valid regex")
});
/// Numbered options left after the marker was consumed or lost: 「1) 特に力を入れている 2) …」.
static OPTION_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[\[【「]\s*)?(?:\d\s+)?(?:\d\s*\)\s*[^\s\d()]{2,30}\s*){2,}")
        .expect("valid regex")
});

/// Words of the form's options; a numbered run is a choice list only if it uses them, so that a
/// document's own 「1) … 2) …」 enumeration is kept.
const OPTION_WORDS: [&str; 14] = [
    "力を入れ",
    "十分",
    "課題が残",
    "行っている",
    "定めている",
    "記録を残",
    "制限して",
    "保管して",
    "発生",
    "政府機関",
    "整備して",
    "周知して",
    "遵守して",
    "再委託",
];

/// An actor heading inside a field: 「<札幌市における措置>」, with the OCR variants
/// 「く…>」「〈…〉」 and the bullet form 「・ガバメントクラウドにおける措置」.
pub static ACTOR_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:[<＜〈く]\s*([^<>＜＞〈〉\s・][^<>＜＞〈〉]{0,30}?)\s*における措置\s*[>＞〉]|(?:^|\n|\s)・\s*([^\s・<>]{2,30}?)における措置(?:\s|$))",
    )
    .expect("valid regex")
});

/// Actors whose wording is nationally shared; spelled variants fold to these names.
pub const SHARED_ACTORS: [&str; 5] = [
    "中間サーバー・ソフトウェア",
    "中間サーバー・プラットフォーム",
    "ガバメントクラウド",
    "機構",
    "コンビニ事業者等",
];

/// Replaces markup by plain text: paragraphs and list items become line breaks, struck text
/// (`<del>`) is dropped, underlines become [`MARK_START`]/[`MARK_END`], entities are decoded.
pub fn strip_markup(raw: &str) -> String {
    // Every tag starts with 「<」 and every entity with 「&」: most cells have neither.
    if !raw.contains(['<', '&']) {
        return raw.to_string();
    }
    let without_deleted = DELETED.replace_all(raw, "");
    let with_breaks = BREAKING_TAG.replace_all(&without_deleted, "\n");
    let with_marks = UNDERLINE_OPEN.replace_all(&with_breaks, MARK_START.to_string().as_str());
    let with_marks = UNDERLINE_CLOSE.replace_all(&with_marks, MARK_END.to_string().as_str());
    let without_tags = ANY_TAG.replace_all(&with_marks, "");
    decode_entities(&without_tags)
}

fn decode_entities(text: &str) -> String {
    ENTITY
        .replace_all(text, |captures: &regex::Captures| {
            let name = &captures[1];
            let decoded = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(decimal) = name.strip_prefix('#') {
                decimal.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ => None,
                }
            };
            decoded.map_or_else(|| captures[0].to_string(), |c| c.to_string())
        })
        .into_owned()
}

/// The value chosen in a choice cell: 「[特に力を入れている] <選択肢> …」 → 特に力を入れている,
/// also when the chosen value stands without brackets before the marker (「<input …/> 特に力を
/// 入れている <input …/> <選択肢>」). `None` when nothing was chosen (「[ ]」, 「【 <選択肢>」).
pub fn chosen_value(cell: &str) -> Option<String> {
    let plain = strip_markup(cell);
    let before_marker = match plain.find("選択肢") {
        Some(at) => &plain[..at],
        None => plain.as_str(),
    };
    let candidate: String = before_marker
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '[' | ']' | '【' | '】' | '「' | '」' | '<' | '>' | '(' | 'C' | '＜'
            )
        })
        .collect();
    let candidate = candidate.split_whitespace().collect::<Vec<_>>().join("");
    let candidate = candidate.trim_matches(|c: char| c == '○' || c.is_whitespace());
    let meaningful = candidate
        .chars()
        .filter(|c| crate::analysis::normalize::is_japanese_letter(*c))
        .count();
    (meaningful >= 2).then(|| candidate.to_string())
}

/// Removes choice lists and numbered option runs from text.
pub fn remove_choice_lists(text: &str) -> String {
    let without_lists = CHOICE_LIST.replace_all(text, " ");
    OPTION_RUN
        .replace_all(&without_lists, |captures: &regex::Captures| {
            let run = &captures[0];
            if OPTION_WORDS.iter().any(|word| run.contains(word)) {
                " ".to_string()
            } else {
                run.to_string()
            }
        })
        .into_owned()
}

/// Tokens of OCR debris that stand alone in real extractions: short Latin fragments between
/// Japanese text (「m ji」「maly (」). Removed only when they are not part of a word such as
/// ISMAP, VPN or IDS.
static LATIN_DEBRIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[a-z]{1,5}\s*){1,3}\(?\s*$").expect("valid regex"));

/// Whether a whole cell is OCR debris with no content.
pub fn is_debris_cell(cell: &str) -> bool {
    let trimmed = cell.trim();
    trimmed.is_empty() || LATIN_DEBRIS.is_match(trimmed)
}

/// Removes characters of scripts that never occur in these documents (Thai, Hangul, Arabic …):
/// OCR substitutes them for kanji inside headings and text.
pub fn remove_foreign_script(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(*c,
                '\u{0590}'..='\u{08FF}'   // Hebrew, Arabic, Syriac, Thaana
                | '\u{0900}'..='\u{0DFF}' // Indic scripts
                | '\u{0E00}'..='\u{0EFF}' // Thai, Lao
                | '\u{1100}'..='\u{11FF}' // Hangul Jamo
                | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
            )
        })
        .collect()
}

/// Final shape of a record's text: markup, choice lists and foreign debris removed; bullets
/// (・, ①, 1 …) and paragraphs on their own lines; runs of spaces collapsed; placeholders
/// (「—」「-」) become empty.
pub fn clean_text(raw: &str) -> String {
    clean_plain_text(&strip_markup(raw))
}

/// [`clean_text`] for text whose markup is already stripped. Stripping twice would be wrong:
/// the first pass decodes `&lt;script&gt;` into the document's literal text `<script>`, which a
/// second pass would take for a tag and drop.
pub fn clean_plain_text(plain: &str) -> String {
    let plain = remove_choice_lists(plain);
    let plain = remove_foreign_script(&plain);
    let mut lines: Vec<String> = Vec::new();
    for line in plain.split('\n') {
        // Markdown list marks from the converter: 「- ①中間サーバーの…」.
        let line = collapse_spaces(line);
        let line = line.strip_prefix("- ").map(str::to_string).unwrap_or(line);
        let line = if line == "-" { String::new() } else { line };
        if line.is_empty() {
            continue;
        }
        for piece in split_bullets(&line) {
            if !piece.is_empty() {
                lines.push(piece);
            }
        }
    }
    let text = lines.join("\n");
    if is_placeholder(&text) {
        return String::new();
    }
    text
}

/// Removes white space between two Japanese letters: in extracted text it is layout debris
/// (「特定個人情報の保 管・消去」), never a word boundary. Used for recognising headings, labels
/// and paths; record text keeps its spacing.
pub fn join_japanese_spaces(text: &str) -> String {
    use crate::analysis::normalize::is_japanese_letter;
    if !text.contains(char::is_whitespace) {
        return text.to_string();
    }
    let characters: Vec<char> = text.chars().collect();
    let mut output = String::with_capacity(text.len());
    for (index, character) in characters.iter().enumerate() {
        if character.is_whitespace() {
            let previous = output.chars().last();
            let next = characters[index + 1..].iter().find(|c| !c.is_whitespace());
            if previous.is_some_and(is_japanese_letter)
                && next.is_some_and(|c| is_japanese_letter(*c))
            {
                continue;
            }
        }
        output.push(*character);
    }
    output
}

/// 「—」「-」「―」 alone mean "nothing written".
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    trimmed.is_empty()
        || trimmed
            .chars()
            .all(|c| matches!(c, '—' | '-' | '―' | 'ー' | '－' | '‐' | '−' | ' '))
}

fn collapse_spaces(line: &str) -> String {
    let mut output = String::with_capacity(line.len());
    let mut last_was_space = true;
    for character in line.chars() {
        let is_space = character.is_whitespace();
        if is_space {
            if !last_was_space {
                output.push(' ');
            }
        } else {
            output.push(character);
        }
        last_was_space = is_space;
    }
    output.trim_end().to_string()
}

static BULLET_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    // A bullet after a space: 「 ・」, 「 ①」, 「 (※1)」, 「 ※」, or a list number 「 2 」
    // followed by Japanese (「 2 システム操作者は」).
    Regex::new(r" (?:[・●◆■]|[①-⑳]|\(※\d*\)|※|\d{1,2} [^\s\d\)])").expect("valid regex")
});

fn split_bullets(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for found in BULLET_BREAK.find_iter(line) {
        let piece = line[start..found.start()].trim();
        if !piece.is_empty() {
            pieces.push(piece.to_string());
        }
        start = found.start() + 1;
    }
    let rest = line[start..].trim();
    if !rest.is_empty() {
        pieces.push(rest.to_string());
    }
    pieces
}

/// A run of a field's text belonging to one actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorBlock {
    /// The actor as named (canonicalised for the shared ones), `None` before the first heading.
    pub actor: Option<String>,
    /// The block's text with markup stripped and entities decoded, not yet cleaned.
    pub plain: String,
}

/// Splits raw field text at its actor headings. Text before the first heading has no actor.
pub fn split_by_actor(raw: &str) -> Vec<ActorBlock> {
    let plain = strip_markup(raw);
    let mut blocks = Vec::new();
    let mut last_end = 0;
    let mut current_actor: Option<String> = None;
    for captures in ACTOR_HEADING.captures_iter(&plain) {
        let whole = captures.get(0).expect("match");
        let name = captures
            .get(1)
            .or_else(|| captures.get(2))
            .map(|name| name.as_str())
            .unwrap_or_default();
        let name: String = name
            .chars()
            .filter(|c| *c != MARK_START && *c != MARK_END)
            .collect();
        let before = &plain[last_end..whole.start()];
        if !before.trim().is_empty() || current_actor.is_some() {
            blocks.push(ActorBlock {
                actor: current_actor.take(),
                plain: before.to_string(),
            });
        }
        current_actor = Some(canonical_actor(name.trim()));
        last_end = whole.end();
    }
    blocks.push(ActorBlock {
        actor: current_actor,
        plain: plain[last_end..].to_string(),
    });
    blocks
        .retain(|block| block.actor.is_some() || !is_placeholder(&clean_plain_text(&block.plain)));
    blocks
}

/// Folds spelling variants of the shared actors (中間サーバ・プラットフォーム →
/// 中間サーバー・プラットフォーム); other names are kept as written.
pub fn canonical_actor(name: &str) -> String {
    let key = crate::form::heading_key_text(name);
    for shared in SHARED_ACTORS {
        if crate::form::static_key_text(shared) == key {
            return shared.to_string();
        }
    }
    name.split_whitespace().collect::<Vec<_>>().join("")
}

/// Removes the underline sentinels, returning the text and the character spans they marked.
pub fn take_marks(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut output = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut count = 0usize;
    for character in text.chars() {
        match character {
            MARK_START => open = Some(count),
            MARK_END => {
                if let Some(start) = open.take()
                    && count > start
                {
                    spans.push((start, count));
                }
            }
            _ => {
                output.push(character);
                count += 1;
            }
        }
    }
    (output, spans)
}

/// Text without underline sentinels.
pub fn without_marks(text: &str) -> String {
    take_marks(text).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struck_text_is_dropped_and_the_rest_kept() {
        let raw = "活用することにより、<del>統一した設備環境</del>政府情報システムのための";
        assert_eq!(
            clean_text(raw),
            "活用することにより、政府情報システムのための"
        );
    }

    #[test]
    fn a_choice_list_after_the_chosen_value_is_removed() {
        let raw = "[特に力を入れている] <選択肢> 1) 特に力を入れている 2) 十分である 3) 課題が残されている";
        assert_eq!(clean_text(raw), "");
        assert_eq!(chosen_value(raw).as_deref(), Some("特に力を入れている"));
    }

    #[test]
    fn an_empty_choice_has_no_chosen_value() {
        for raw in [
            "[ ]",
            "「 <選択肢>",
            "【 <選択肢>",
            "<選択肢>   1)特に力を入れている 2)十分である",
        ] {
            assert_eq!(chosen_value(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_chosen_value_between_checkbox_inputs_is_found() {
        let raw = r#"<input type="checkbox"/> 特に力を入れている <input type="checkbox"/> <input type="checkbox"/> <選択肢> 1) 特に力を入れている"#;
        assert_eq!(chosen_value(raw).as_deref(), Some("特に力を入れている"));
    }

    #[test]
    fn list_markup_becomes_line_breaks() {
        let raw = r#"<ul style="list-style-type: none"> <li>・施錠する。</li> <li>・記録する。</li> </ul>"#;
        assert_eq!(clean_text(raw), "・施錠する。\n・記録する。");
    }

    #[test]
    fn escaped_actor_brackets_split_the_text_by_actor() {
        let raw = "<p>&lt;当区における措置&gt;</p> <p>・施錠する。</p> <p>&lt; <u>機構</u>における措置&gt;</p><p>・監視する。</p>";
        let blocks = split_by_actor(raw);
        let actors: Vec<_> = blocks.iter().map(|block| block.actor.as_deref()).collect();
        assert_eq!(actors, vec![Some("当区"), Some("機構")]);
    }

    #[test]
    fn an_ocr_damaged_actor_bracket_is_recognised() {
        let blocks =
            split_by_actor("く中間サーバー・プラットフォームにおける措置> ①設置している。");
        assert_eq!(
            blocks[0].actor.as_deref(),
            Some("中間サーバー・プラットフォーム")
        );
    }

    #[test]
    fn underlines_become_marked_spans() {
        let (text, spans) = take_marks(&strip_markup("シュレッダーによる <u>細断</u> 若しくは"));
        assert_eq!(text, "シュレッダーによる 細断 若しくは");
        let marked: String = text
            .chars()
            .skip(spans[0].0)
            .take(spans[0].1 - spans[0].0)
            .collect();
        assert_eq!(marked, "細断");
    }

    #[test]
    fn foreign_script_debris_is_removed() {
        assert_eq!(
            remove_foreign_script("特定個人情報ที่ไม่正確"),
            "特定個人情報正確"
        );
    }
}
