//! The record: one field value of one document, aligned to a slot of the form.
//!
//! Records are what hyoka indexes, searches, compares and exports. The JSON names of the fields
//! are part of the API (the CLI `--json`, `/api/*` and the index all use them).

use serde::{Deserialize, Serialize};

mod stored;

pub use stored::StoredRecordError;

/// Where in the source file a record starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// File name inside the corpus directory.
    pub file: String,
    /// 1-based line number of the record's first line (for a PDF, of the text read from it).
    pub line: usize,
    /// For a PDF, the 1-based page the record starts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// One field value of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Stable across re-ingest of the same file: derived from the file, the slot, the field,
    /// the actor and the occurrence, not from the order of ingest.
    pub id: String,
    /// 団体名 of the body the text belongs to (「機関名の記載なし」 when the text does not say).
    pub municipality: String,
    /// 全国地方公共団体コード (6 digits), when known.
    pub municipality_code: Option<String>,
    /// 都道府県, when known.
    pub prefecture: Option<String>,
    /// Title of the document.
    pub doc_title: String,
    /// 全項目評価書, 変更点リスク評価表, 新旧対照表, 条例, …
    pub doc_type: String,
    /// The document's date (公表日 where the document says it), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_date: Option<String>,
    /// 公表日 as `YYYY-MM-DD`, when the date is a whole date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// 評価書番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// 様式 version of the document, e.g. 「令和6年10月 様式4」.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_version: Option<String>,
    /// 事務名 as printed (the manifest's, else the cover's).
    pub jimu: Option<String>,
    /// The category of the 事務 (`data/jimu-categories.tsv`): 住民基本台帳, 介護保険, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jimu_category: Option<String>,
    /// 都道府県, 政令市, 特別区, 市, 町 or 村 (from the table of local bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_kind: Option<String>,
    /// 特定個人情報ファイル名 the record is about, e.g. 住民基本台帳ファイル.
    pub file_name: Option<String>,
    /// The headings above the record, as written, cleaned.
    pub section_path: Vec<String>,
    /// Slot key (see `form`), when the record could be aligned.
    pub slot: Option<String>,
    /// Canonical label of the slot.
    pub slot_label: Option<String>,
    /// Name of the field inside the slot, e.g. 具体的な対策の内容.
    pub field: Option<String>,
    /// Who takes the measure: 札幌市, 中間サーバー・プラットフォーム, …
    pub actor: Option<String>,
    /// The risk's 「リスクへの対策は十分か」 answer, on every record of that risk.
    pub rating: Option<String>,
    /// The item's own selected option (行っている, 定めている, …), folded to the form's option
    /// when the print is damaged (see `form::canonical_choice`).
    pub choice: Option<String>,
    /// The choice as printed, when folding changed it (「特に入力を進めている」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_as_printed: Option<String>,
    /// Clean plain text: no markup, no choice lists; bullets kept as line breaks.
    pub text: String,
    /// Change tables: the text before the change.
    pub before_text: Option<String>,
    /// Change tables: the text after the change.
    pub after_text: Option<String>,
    /// Change tables: why it changed (and, in a 新旧対照表, what triggered it).
    pub reason: Option<String>,
    /// Change tables: リスク変化 (あり / なし) or the trigger of a 新旧対照表 row.
    pub risk_change: Option<String>,
    /// Change tables: what the row does to the measure: 追加 (nothing before), 削除 (nothing
    /// after; the record's text is what was removed) or 変更.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// Spans of `after_text` (in characters) that the document marked as changed (`<u>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marked_spans: Vec<(usize, usize)>,
    /// Change tables: the row's other columns (リスク変化の状況, リスク対策, 通番 references).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<(String, String)>,
    pub source: Source,
}

impl Record {
    /// The text that both text fields index: the record's own text and, for change-table rows,
    /// the before and after texts and the reason.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![self.text.as_str()];
        for extra in [&self.before_text, &self.after_text, &self.reason]
            .into_iter()
            .flatten()
        {
            if !self.text.contains(extra.as_str()) {
                parts.push(extra);
            }
        }
        parts.retain(|part| !part.is_empty());
        parts.join("\n")
    }
}

impl Record {
    /// The headings the record stands under: its section path, the slot's canonical label and
    /// the field. Indexed with the text, so that a query naming the risk (目的外の入手) finds the
    /// measures written under it.
    pub fn context_text(&self) -> String {
        let mut parts: Vec<&str> = self.section_path.iter().map(String::as_str).collect();
        if let Some(label) = &self.slot_label
            && !parts.iter().any(|part| part.contains(label.as_str()))
        {
            parts.push(label);
        }
        if let Some(field) = &self.field {
            parts.push(field);
        }
        parts.join(" › ")
    }

    /// Whether the record says something of its own: its text is not empty and is not only its
    /// headings again (「⑩死者の個人番号」 under ⑩死者の個人番号). Records that do not rank below
    /// every record that does, whatever their scores.
    pub fn has_own_text(&self) -> bool {
        text_of_its_own(&self.search_text(), &self.context_text())
    }

    /// What the two text fields index: the headings, the answers, then the text.
    pub fn indexed_text(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.context_text(),
            self.answers_text(),
            self.search_text()
        )
    }

    /// The risk's 評価 and the item's 選択 (and the choice as printed, when folding changed
    /// it), indexed so that searching an answer's wording (課題が残されている) finds the
    /// records that give it.
    pub fn answers_text(&self) -> String {
        [&self.rating, &self.choice, &self.choice_as_printed]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Whether `text` says something that `headings` do not: it has letters, and they are not only
/// the headings' again ([`Record::has_own_text`] for texts already built, as the index has
/// them).
pub fn text_of_its_own(text: &str, headings: &str) -> bool {
    let letters = |text: &str| -> String {
        crate::analysis::normalize(text)
            .as_str()
            .chars()
            .filter(|character| character.is_alphanumeric())
            .collect()
    };
    let own = letters(text);
    if own.is_empty() {
        return false;
    }
    !letters(headings).contains(&own)
}

/// A stable identifier: 64-bit FNV-1a over the parts, as 16 hex digits. Not cryptographic;
/// identifiers only need to be stable and distinct within one corpus.
pub fn stable_id(parts: &[&str]) -> String {
    format!("{:016x}", stable_hash(parts))
}

/// 64-bit FNV-1a over the parts (each followed by 0x1f): the same on every machine and in
/// every version, so it can be written into an index and read back.
pub fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// A record's id as a number, for the index's fast `key` column: ids are 16 hex digits, so
/// this is the number they spell (and numeric order is id order).
pub fn row_key(id: &str) -> u64 {
    u64::from_str_radix(id, 16).unwrap_or_else(|_| stable_hash(&[id]))
}
