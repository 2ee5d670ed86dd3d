//! The official 全項目評価書 form: its slots, their stable keys and canonical labels.
//!
//! The whole skeleton is one table, [`SLOTS`], in form order. Keys are stable and used by the
//! CLI, the API, the index and tests:
//! - sections and items: `II.6`, `II.6.1` (①保管場所), `IV.1.2` (②監査), `I.5`;
//! - the fixed risks of Ⅲ: `III.2.R1` … `III.7.R3`, with numbered (or fixed-order) items below
//!   a risk as `III.7.R1.5` (⑤物理的対策) and `III.3.R2.1` (ユーザ認証の管理);
//! - a section's 「その他のリスク及びそのリスクに対する措置」: `III.<item>.other`;
//! - the 委託 block of Ⅲ is one block: `III.4`, its checks `III.4.<n>` in form order;
//! - attachments: `I.annex1` ((別添1) 事務の内容), `II.annex2` ((別添2) 記録項目).
//!
//! Headings in real documents are damaged (foreign script, split cells, OCR), and item numbers
//! shift between form versions, so [`match_heading`] resolves a heading by its normalised
//! wording first and its number second.

use serde::Serialize;

/// One slot of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slot {
    /// Stable key, e.g. `III.7.R1.5`.
    pub key: &'static str,
    /// Canonical Japanese label as printed on the form, e.g. `⑤物理的対策`.
    pub label: &'static str,
}

const fn slot(key: &'static str, label: &'static str) -> Slot {
    Slot { key, label }
}

/// Every slot of the form, in form order.
pub const SLOTS: &[Slot] = &[
    slot("I", "Ⅰ 基本情報"),
    slot("I.1", "1. 特定個人情報ファイルを取り扱う事務"),
    slot("I.1.1", "①事務の名称"),
    slot("I.1.2", "②事務の内容"),
    slot("I.1.3", "③対象人数"),
    slot("I.annex1", "(別添1) 事務の内容"),
    slot(
        "I.2",
        "2. 特定個人情報ファイルを取り扱う事務において使用するシステム",
    ),
    slot("I.2.1", "①システムの名称"),
    slot("I.2.2", "②システムの機能"),
    slot("I.2.3", "③他のシステムとの接続"),
    slot("I.3", "3. 特定個人情報ファイル名"),
    slot("I.4", "4. 特定個人情報ファイルを取り扱う理由"),
    slot("I.4.1", "①事務実施上の必要性"),
    slot("I.4.2", "②実現が期待されるメリット"),
    slot("I.5", "5. 個人番号の利用"),
    slot("I.6", "6. 情報提供ネットワークシステムによる情報連携"),
    slot("I.6.1", "①実施の有無"),
    slot("I.6.2", "②法令上の根拠"),
    slot("I.7", "7. 評価実施機関における担当部署"),
    slot("I.7.1", "①部署"),
    slot("I.7.2", "②所属長"),
    slot("I.8", "8. 他の評価実施機関"),
    slot("II", "Ⅱ 特定個人情報ファイルの概要"),
    slot("II.1", "1. 特定個人情報ファイル名"),
    slot("II.2", "2. 基本情報"),
    slot("II.2.1", "①ファイルの種類"),
    slot("II.2.2", "②対象となる本人の数"),
    slot("II.2.3", "③対象となる本人の範囲"),
    slot("II.2.4", "④記録される項目"),
    slot("II.2.5", "⑤保有開始日"),
    slot("II.2.6", "⑥事務担当部署"),
    slot("II.3", "3. 特定個人情報の入手・使用"),
    slot("II.3.1", "①入手元"),
    slot("II.3.2", "②入手方法"),
    slot("II.3.3", "③入手の時期・頻度"),
    slot("II.3.4", "④入手に係る妥当性"),
    slot("II.3.5", "⑤本人への明示"),
    slot("II.3.6", "⑥使用目的"),
    slot("II.3.7", "⑦使用の主体"),
    slot("II.3.8", "⑧使用方法"),
    slot("II.3.9", "⑨使用開始日"),
    slot("II.4", "4. 特定個人情報ファイルの取扱いの委託"),
    slot("II.4.1", "①委託内容"),
    slot("II.4.2", "②取扱いを委託する特定個人情報ファイルの範囲"),
    slot("II.4.3", "③委託先における取扱者数"),
    slot("II.4.4", "④委託先への特定個人情報ファイルの提供方法"),
    slot("II.4.5", "⑤委託先名の確認方法"),
    slot("II.4.6", "⑥委託先名"),
    slot("II.4.7", "⑦再委託の有無"),
    slot("II.4.8", "⑧再委託の許諾方法"),
    slot("II.4.9", "⑨再委託事項"),
    slot("II.5", "5. 特定個人情報の提供・移転"),
    slot("II.5.1", "①法令上の根拠"),
    slot("II.5.2", "②提供先における用途"),
    slot("II.5.3", "③提供する情報"),
    slot("II.5.4", "④提供する情報の対象となる本人の数"),
    slot("II.5.5", "⑤提供する情報の対象となる本人の範囲"),
    slot("II.5.6", "⑥提供方法"),
    slot("II.5.7", "⑦時期・頻度"),
    slot("II.6", "6. 特定個人情報の保管・消去"),
    slot("II.6.1", "①保管場所"),
    slot("II.6.2", "②保管期間"),
    slot("II.6.3", "③消去方法"),
    slot("II.7", "7. 備考"),
    slot("II.annex2", "(別添2) 特定個人情報ファイル記録項目"),
    slot(
        "III",
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
    ),
    slot("III.1", "1. 特定個人情報ファイル名"),
    slot(
        "III.2",
        "2. 特定個人情報の入手(情報提供ネットワークシステムを通じた入手を除く。)",
    ),
    slot("III.2.R1", "リスク1: 目的外の入手が行われるリスク"),
    slot("III.2.R2", "リスク2: 不適切な方法で入手が行われるリスク"),
    slot(
        "III.2.R3",
        "リスク3: 入手した特定個人情報が不正確であるリスク",
    ),
    slot(
        "III.2.R4",
        "リスク4: 入手の際に特定個人情報が漏えい・紛失するリスク",
    ),
    slot("III.2.other", "その他のリスク及びそのリスクに対する措置"),
    slot("III.3", "3. 特定個人情報の使用"),
    slot(
        "III.3.R1",
        "リスク1: 目的を超えた紐付け、事務に必要のない情報との紐付けが行われるリスク",
    ),
    slot(
        "III.3.R2",
        "リスク2: 権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク",
    ),
    slot("III.3.R2.1", "ユーザ認証の管理"),
    slot("III.3.R2.2", "アクセス権限の発効・失効の管理"),
    slot("III.3.R2.3", "アクセス権限の管理"),
    slot("III.3.R2.4", "特定個人情報の使用の記録"),
    slot("III.3.R3", "リスク3: 従業者が事務外で使用するリスク"),
    slot(
        "III.3.R4",
        "リスク4: 特定個人情報ファイルが不正に複製されるリスク",
    ),
    slot("III.3.other", "その他のリスク及びそのリスクに対する措置"),
    slot("III.4", "4. 特定個人情報ファイルの取扱いの委託"),
    slot("III.4.1", "情報保護管理体制の確認"),
    slot("III.4.2", "特定個人情報ファイルの閲覧者・更新者の制限"),
    slot("III.4.3", "特定個人情報ファイルの取扱いの記録"),
    slot("III.4.4", "特定個人情報の提供ルール"),
    slot("III.4.5", "特定個人情報の消去ルール"),
    slot(
        "III.4.6",
        "委託契約書中の特定個人情報ファイルの取扱いに関する規定",
    ),
    slot(
        "III.4.7",
        "再委託先による特定個人情報ファイルの適切な取扱いの確保",
    ),
    slot("III.4.other", "その他のリスク及びそのリスクに対する措置"),
    slot(
        "III.5",
        "5. 特定個人情報の提供・移転(委託や情報提供ネットワークシステムを通じた提供を除く。)",
    ),
    slot("III.5.R1", "リスク1: 不正な提供・移転が行われるリスク"),
    slot("III.5.R1.1", "特定個人情報の提供・移転の記録"),
    slot("III.5.R1.2", "特定個人情報の提供・移転に関するルール"),
    slot(
        "III.5.R2",
        "リスク2: 不適切な方法で提供・移転が行われるリスク",
    ),
    slot(
        "III.5.R3",
        "リスク3: 誤った情報を提供・移転してしまうリスク、誤った相手に提供・移転してしまうリスク",
    ),
    slot("III.5.other", "その他のリスク及びそのリスクに対する措置"),
    slot("III.6", "6. 情報提供ネットワークシステムとの接続"),
    slot("III.6.R1", "リスク1: 目的外の入手が行われるリスク"),
    slot(
        "III.6.R2",
        "リスク2: 安全が保たれない方法によって入手が行われるリスク",
    ),
    slot(
        "III.6.R3",
        "リスク3: 入手した特定個人情報が不正確であるリスク",
    ),
    slot(
        "III.6.R4",
        "リスク4: 入手の際に特定個人情報が漏えい・紛失するリスク",
    ),
    slot("III.6.R5", "リスク5: 不正な提供が行われるリスク"),
    slot("III.6.R6", "リスク6: 不適切な方法で提供されるリスク"),
    slot(
        "III.6.R7",
        "リスク7: 誤った情報を提供してしまうリスク、誤った相手に提供してしまうリスク",
    ),
    slot("III.6.other", "その他のリスク及びそのリスクに対する措置"),
    slot("III.7", "7. 特定個人情報の保管・消去"),
    slot(
        "III.7.R1",
        "リスク1: 特定個人情報の漏えい・滅失・毀損リスク",
    ),
    slot("III.7.R1.1", "①NISC政府機関統一基準群"),
    slot("III.7.R1.2", "②安全管理体制"),
    slot("III.7.R1.3", "③安全管理規程"),
    slot("III.7.R1.4", "④安全管理体制・規程の職員への周知"),
    slot("III.7.R1.5", "⑤物理的対策"),
    slot("III.7.R1.6", "⑥技術的対策"),
    slot("III.7.R1.7", "⑦バックアップ"),
    slot("III.7.R1.8", "⑧事故発生時手順の策定・周知"),
    slot(
        "III.7.R1.9",
        "⑨過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか",
    ),
    slot("III.7.R1.10", "⑩死者の個人番号"),
    slot(
        "III.7.R2",
        "リスク2: 特定個人情報が古い情報のまま保管され続けるリスク",
    ),
    slot(
        "III.7.R3",
        "リスク3: 特定個人情報が消去されずいつまでも存在するリスク",
    ),
    slot("III.7.R3.1", "消去手順"),
    slot("III.7.other", "その他のリスク及びそのリスクに対する措置"),
    slot("IV", "Ⅳ その他のリスク対策"),
    slot("IV.1", "1. 監査"),
    slot("IV.1.1", "①自己点検"),
    slot("IV.1.2", "②監査"),
    slot("IV.2", "2. 従業者に対する教育・啓発"),
    slot("IV.3", "3. その他のリスク対策"),
    slot("V", "Ⅴ 開示請求、問合せ"),
    slot("V.1", "1. 特定個人情報の開示・訂正・利用停止請求"),
    slot("V.1.1", "①請求先"),
    slot("V.1.2", "②請求方法"),
    slot("V.1.3", "③手数料等"),
    slot("V.1.4", "④個人情報ファイル簿の公表"),
    slot("V.1.5", "⑤法令による特別の手続"),
    slot("V.1.6", "⑥個人情報ファイル簿への不記載等"),
    slot("V.2", "2. 特定個人情報ファイルの取扱いに関する問合せ"),
    slot("V.2.1", "①連絡先"),
    slot("V.2.2", "②対応方法"),
    slot("VI", "Ⅵ 評価実施手続"),
    slot("VI.1", "1. 基礎項目評価"),
    slot("VI.2", "2. 国民・住民等からの意見の聴取"),
    slot("VI.3", "3. 第三者点検"),
    slot("VI.4", "4. 個人情報保護委員会の承認"),
];

/// The three self-assessment answers every risk ends with (「リスクへの対策は十分か」).
pub const RATINGS: [&str; 3] = ["特に力を入れている", "十分である", "課題が残されている"];

/// The key of a section written as a Roman numeral, in either script: 「Ⅲ」 or 「III」 → `III`.
pub fn section_key(roman: &str) -> Option<&'static str> {
    match roman {
        "Ⅰ" | "I" => Some("I"),
        "Ⅱ" | "II" => Some("II"),
        "Ⅲ" | "III" => Some("III"),
        "Ⅳ" | "IV" => Some("IV"),
        "Ⅴ" | "V" => Some("V"),
        "Ⅵ" | "VI" => Some("VI"),
        _ => None,
    }
}

/// Looks a slot up by its key.
///
/// ```
/// let slot = hyoka::form::slot_by_key("III.7.R1.5").unwrap();
/// assert_eq!(slot.label, "⑤物理的対策");
/// assert_eq!(hyoka::form::breadcrumb("III.7.R1.5").len(), 4);
/// ```
pub fn slot_by_key(key: &str) -> Option<&'static Slot> {
    SLOTS.iter().find(|slot| slot.key == key)
}

/// Where a slot stands in the form ([`SLOTS`], in form order, so that each slot's subtree is
/// one run of places): its own place, or that of the nearest slot above it the form lists.
///
/// ```
/// let place = hyoka::form::place_in_form("III.7.R1.5").unwrap();
/// assert!(place > hyoka::form::place_in_form("III.7").unwrap());
/// assert_eq!(hyoka::form::place_in_form("III.7.R1.99"), hyoka::form::place_in_form("III.7.R1"));
/// assert_eq!(hyoka::form::place_in_form("別表"), None);
/// ```
pub fn place_in_form(key: &str) -> Option<usize> {
    let mut current = Some(key);
    while let Some(current_key) = current {
        if let Some(place) = SLOTS.iter().position(|slot| slot.key == current_key) {
            return Some(place);
        }
        current = parent_key(current_key);
    }
    None
}

/// The key of the slot directly above `key` (`III.7.R1.5` → `III.7.R1`), if any.
pub fn parent_key(key: &str) -> Option<&str> {
    key.rfind('.').map(|dot| &key[..dot])
}

/// Whether `key` is `ancestor` or lies below it (`III.7.R1.5` is below `III.7.R1` and `III`).
pub fn is_within(key: &str, ancestor: &str) -> bool {
    key == ancestor
        || (key.len() > ancestor.len()
            && key.starts_with(ancestor)
            && key.as_bytes()[ancestor.len()] == b'.')
}

/// The labels from the section down to `key`, e.g. `["Ⅲ …", "7. …", "リスク1: …", "⑤物理的対策"]`.
pub fn breadcrumb(key: &str) -> Vec<&'static str> {
    let mut labels = Vec::new();
    let mut current = Some(key);
    while let Some(current_key) = current {
        if let Some(slot) = slot_by_key(current_key) {
            labels.push(slot.label);
        }
        current = parent_key(current_key);
    }
    labels.reverse();
    labels
}

/// A slot's heading as staff cite it, the numbers of the headings above and the slot's own
/// label: 「Ⅲ 7. リスク1 ⑤物理的対策」.
pub fn short_heading(key: &str) -> String {
    let labels = breadcrumb(key);
    let Some((own, above)) = labels.split_last() else {
        return key.to_string();
    };
    let mut parts: Vec<&str> = above
        .iter()
        .map(|label| {
            label
                .split([' ', ':'])
                .next()
                .filter(|number| !number.is_empty())
                .unwrap_or(label)
        })
        .collect();
    parts.push(own);
    parts.join(" ")
}

/// The wording of a label without its number: 「リスク1: 目的外の…」 → 「目的外の…」.
pub fn label_wording(label: &str) -> &str {
    let after_colon = label
        .split_once(": ")
        .map(|(_, rest)| rest)
        .unwrap_or(label);
    let skip_number = after_colon
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
        .trim_start_matches(|c: char| ('①'..='⑳').contains(&c));
    skip_number.trim_start_matches(['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', 'Ⅵ', ' '])
}

/// Reduces heading text to what identifies it: Japanese letters and digits only, after
/// normalisation, so that brackets, colons, spaces and foreign-script debris do not count.
pub fn heading_key_text(text: &str) -> String {
    // Headings and labels are the same in every document of a national corpus, and the parser
    // asks for the key of each cell several times: short texts are remembered per thread.
    if text.len() > MEMO_LONGEST_TEXT {
        return key_text_of(text);
    }
    remembered(&HEADING_KEYS, text, || key_text_of(text))
}

/// Longest text (bytes) whose key is remembered: a heading or a label, not a value.
const MEMO_LONGEST_TEXT: usize = 240;
/// Most values remembered per memo and thread before the memo starts again.
const MEMO_MOST_ENTRIES: usize = 20_000;

/// A per-thread memo of values computed from short texts (bounded: emptied when full), hashed
/// with a hash made for short keys (these memos are asked about every line of every document).
type Memo<V> = std::thread::LocalKey<
    std::cell::RefCell<std::collections::HashMap<String, V, rustc_hash::FxBuildHasher>>,
>;

/// Similarities by the hash of their pair, with the pair.
type Similarities =
    std::collections::HashMap<u64, (Box<str>, Box<str>, f64), rustc_hash::FxBuildHasher>;

thread_local! {
    static HEADING_KEYS: std::cell::RefCell<
        std::collections::HashMap<String, String, rustc_hash::FxBuildHasher>,
    > = std::cell::RefCell::new(std::collections::HashMap::default());
    static SIMILARITIES: std::cell::RefCell<Similarities> =
        std::cell::RefCell::new(Similarities::default());
}

/// The value `memo` keeps for `key`, computed by `compute` and kept when it has none.
fn remembered<V: Clone>(memo: &'static Memo<V>, key: &str, compute: impl FnOnce() -> V) -> V {
    memo.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(value) = memo.get(key) {
            return value.clone();
        }
        let value = compute();
        if memo.len() >= MEMO_MOST_ENTRIES {
            memo.clear();
        }
        memo.insert(key.to_string(), value.clone());
        value
    })
}

fn key_text_of(text: &str) -> String {
    let normalized = crate::analysis::normalize(text);
    normalized
        .as_str()
        .chars()
        .filter(|c| crate::analysis::normalize::is_japanese_letter(*c) || c.is_ascii_alphanumeric())
        .collect()
}

/// [`heading_key_text`] of a `'static` string (a label of the form or another constant),
/// computed once per process. Heading matching compares every line with these labels, so
/// re-normalising them per line would dominate parsing.
pub fn static_key_text(text: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = match cache.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    // Bounded: only constants of the program reach this cache.
    guard
        .entry(text)
        .or_insert_with(|| Box::leak(heading_key_text(text).into_boxed_str()))
}

/// Similarity of two strings as the Dice coefficient of their character bigrams (0 to 1).
pub fn wording_similarity(left: &str, right: &str) -> f64 {
    // The parser compares the same headings with the same labels in every document: short
    // pairs are remembered per thread, as heading keys are.
    if left.len() + right.len() > MEMO_LONGEST_TEXT {
        return dice_of_texts(left, right);
    }
    remembered_pair(left, right, || dice_of_texts(left, right))
}

/// The similarity [`SIMILARITIES`] keeps for the pair, computed and kept when it has none.
/// Looked up by the pair's hash and checked against the pair kept with it, so that a lookup
/// allocates nothing (the parser asks about the same pairs in every document).
fn remembered_pair(left: &str, right: &str, compute: impl FnOnce() -> f64) -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
    hasher.write(left.as_bytes());
    hasher.write_u8(0x1f);
    hasher.write(right.as_bytes());
    let hash = hasher.finish();
    SIMILARITIES.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((kept_left, kept_right, value)) = memo.get(&hash)
            && **kept_left == *left
            && **kept_right == *right
        {
            return *value;
        }
        let value = compute();
        if memo.len() >= MEMO_MOST_ENTRIES {
            memo.clear();
        }
        memo.insert(hash, (left.into(), right.into(), value));
        value
    })
}

/// Whether two strings' similarity ([`wording_similarity`]) is at least `threshold`. Most pairs
/// a parser asks about differ in length too much to get there (a cover label against a line of
/// text): Dice shares at most the shorter string's pairs, so `2·min / (a + b)` bounds it, and
/// those are answered from the lengths alone.
pub fn similar_at_least(left: &str, right: &str, threshold: f64) -> bool {
    let (left_pairs, right_pairs) = (
        left.chars().count().saturating_sub(1),
        right.chars().count().saturating_sub(1),
    );
    if left_pairs > 0 && right_pairs > 0 {
        let bound = 2.0 * left_pairs.min(right_pairs) as f64 / (left_pairs + right_pairs) as f64;
        if bound < threshold {
            return false;
        }
    }
    wording_similarity(left, right) >= threshold
}

fn dice_of_texts(left: &str, right: &str) -> f64 {
    let mut left_pairs = bigram_pairs(left);
    let mut right_pairs = bigram_pairs(right);
    left_pairs.sort_unstable();
    right_pairs.sort_unstable();
    dice_of_sorted_texts((left, &left_pairs), (right, &right_pairs))
}

/// [`wording_similarity`] of two texts given with their sorted character pairs (for callers
/// that sort each text's pairs once): a text too short for a pair is alike only to itself.
pub fn dice_of_sorted_texts(
    (left, left_pairs): (&str, &[(char, char)]),
    (right, right_pairs): (&str, &[(char, char)]),
) -> f64 {
    if left_pairs.is_empty() || right_pairs.is_empty() {
        return if left == right { 1.0 } else { 0.0 };
    }
    sorted_pairs_dice(left_pairs, right_pairs)
}

/// Dice similarity of two non-empty sorted lists of character pairs (their multiset
/// intersection), for callers that sort each text's pairs once and compare it many times.
pub fn sorted_pairs_dice(left: &[(char, char)], right: &[(char, char)]) -> f64 {
    let (mut left_index, mut right_index, mut shared) = (0, 0, 0usize);
    while left_index < left.len() && right_index < right.len() {
        match left[left_index].cmp(&right[right_index]) {
            std::cmp::Ordering::Less => left_index += 1,
            std::cmp::Ordering::Greater => right_index += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                left_index += 1;
                right_index += 1;
            }
        }
    }
    (2 * shared) as f64 / (left.len() + right.len()).max(1) as f64
}

/// The overlapping character pairs of a string.
pub fn bigram_pairs(text: &str) -> Vec<(char, char)> {
    let mut pairs = Vec::with_capacity(text.len() / 3);
    let mut characters = text.chars();
    if let Some(mut previous) = characters.next() {
        for character in characters {
            pairs.push((previous, character));
            previous = character;
        }
    }
    pairs
}

/// The best Dice similarity between `needle` and any window of `haystack` of the needle's
/// length, with the character position of that window (the last best one). Linear in the
/// haystack: the window's shared-pair count is updated as it slides.
pub fn fuzzy_contains(haystack: &str, needle: &str) -> (f64, usize) {
    if needle.is_empty() {
        return (0.0, 0);
    }
    if let Some(at) = haystack.rfind(needle) {
        return (1.0, haystack[..at].chars().count());
    }
    let haystack_pairs = bigram_pairs(haystack);
    let needle_pairs = bigram_pairs(needle);
    if haystack_pairs.is_empty() || needle_pairs.is_empty() {
        return (0.0, 0);
    }
    let window = needle_pairs.len().min(haystack_pairs.len());
    // Only the needle's pairs can be shared, so only they are counted: (pair, count in the
    // needle, count in the window), sorted for binary search. Labels are short, and this runs
    // for every heading against every candidate label, so no hashing.
    let mut counts: Vec<((char, char), i32, i32)> = Vec::with_capacity(needle_pairs.len());
    let mut sorted_needle = needle_pairs.clone();
    sorted_needle.sort_unstable();
    for pair in sorted_needle {
        match counts.last_mut() {
            Some(last) if last.0 == pair => last.1 += 1,
            _ => counts.push((pair, 1, 0)),
        }
    }
    let position = |counts: &[((char, char), i32, i32)], pair: (char, char)| {
        counts.binary_search_by(|entry| entry.0.cmp(&pair)).ok()
    };
    let mut shared = 0i32;
    let add = |pair: (char, char), counts: &mut Vec<((char, char), i32, i32)>, shared: &mut i32| {
        if let Some(at) = position(counts, pair) {
            let entry = &mut counts[at];
            if entry.2 < entry.1 {
                *shared += 1;
            }
            entry.2 += 1;
        }
    };
    for pair in &haystack_pairs[..window] {
        add(*pair, &mut counts, &mut shared);
    }
    let total = (window + needle_pairs.len()) as f64;
    let mut best = (2.0 * f64::from(shared) / total, 0usize);
    for start in 1..=haystack_pairs.len() - window {
        let leaving = haystack_pairs[start - 1];
        if let Some(at) = position(&counts, leaving) {
            let entry = &mut counts[at];
            entry.2 -= 1;
            if entry.2 < entry.1 {
                shared -= 1;
            }
        }
        add(haystack_pairs[start + window - 1], &mut counts, &mut shared);
        let score = 2.0 * f64::from(shared) / total;
        if score >= best.0 {
            best = (score, start);
        }
    }
    best
}

/// Wording similarity at or above which a heading is taken to name a slot.
const WORDING_THRESHOLD: f64 = 0.6;

/// Finds the slot among the children of `parent` that a heading names.
///
/// `number` is the number the heading carries (リスク3 → 3, ⑤ → 5), if any. The wording
/// decides when it is clear; the number decides when the wording is missing or unclear. A
/// heading whose number disagrees with its wording is resolved by the wording.
pub fn match_heading(parent: &str, number: Option<u32>, wording: &str) -> Option<&'static Slot> {
    let wording_key = heading_key_text(wording);
    let children: Vec<&'static Slot> = SLOTS
        .iter()
        .filter(|slot| parent_key(slot.key) == Some(parent))
        .collect();
    let mut best: Option<(&'static Slot, f64)> = None;
    if !wording_key.is_empty() {
        for child in &children {
            let score =
                wording_similarity(&wording_key, static_key_text(label_wording(child.label)));
            if best.is_none_or(|(_, best_score)| score > best_score) {
                best = Some((child, score));
            }
        }
    }
    if let Some((slot, score)) = best
        && score >= WORDING_THRESHOLD
    {
        return Some(slot);
    }
    let number = number?;
    children.into_iter().find(|child| {
        let last = child.key.rsplit('.').next().unwrap_or_default();
        last.trim_start_matches('R') == number.to_string()
    })
}

/// The risk a slot's rating belongs to: the nearest key segment naming a risk (`III.7.R1.5` →
/// `III.7.R1`), or for Ⅲ's items without numbered risks their section (`III.4.6` → `III.4`).
pub fn risk_of(slot: &str) -> Option<&str> {
    let mut end = None;
    let mut position = 0;
    for segment in slot.split('.') {
        position += segment.len();
        if segment.starts_with('R') && segment[1..].chars().all(|c| c.is_ascii_digit()) {
            end = Some(position);
        }
        position += 1;
    }
    if let Some(end) = end {
        return Some(&slot[..end]);
    }
    let mut segments = slot.match_indices('.');
    match (slot.starts_with("III."), segments.nth(1)) {
        (true, Some((second_dot, _))) => Some(&slot[..second_dot]),
        (true, None) => Some(slot),
        _ => None,
    }
}

/// The option sets of the form's choice items, as printed in the 全項目評価書 (様式4). A choice
/// read from a document is folded to one of these ([`canonical_choice`]) so that tallies do not
/// keep OCR variants (「特に入力を進めている」) apart.
pub const OPTION_SETS: &[&[&str]] = &[
    &[
        "特に力を入れて行っている",
        "十分に行っている",
        "十分に行っていない",
    ],
    &[
        "特に力を入れて整備している",
        "十分に整備している",
        "十分に整備していない",
    ],
    &[
        "特に力を入れて周知している",
        "十分に周知している",
        "十分に周知していない",
    ],
    &[
        "特に力を入れて遵守している",
        "十分に遵守している",
        "十分に遵守していない",
        "政府機関ではない",
    ],
    &["発生あり", "発生なし"],
    &["保管している", "保管していない"],
    &["記録を残している", "記録を残していない"],
    &["定めている", "定めていない"],
    &["行っている", "行っていない"],
    &["制限している", "制限していない"],
    &["委託する", "委託しない"],
    &["再委託する", "再委託しない", "再委託していない"],
    &["実施する", "実施しない"],
    &["提供を行っている", "移転を行っている", "行っていない"],
    &["接続しない（入手）", "接続しない（提供）", "接続する"],
];

/// The option set a slot's choice is one of, where the slot names it: the ten measures of
/// III.7 リスク1 and the audit and training items each have their own verbs.
fn options_of_slot(slot: &str) -> Option<&'static [&'static str]> {
    let set = match slot {
        "III.7.R1.1" => 3,
        "III.7.R1.2" | "III.7.R1.3" => 1,
        "III.7.R1.4" => 2,
        "III.7.R1.5" | "III.7.R1.6" | "III.7.R1.7" | "III.7.R1.8" | "IV.1.1" | "IV.1.2"
        | "IV.2" => 0,
        "III.7.R1.9" => 4,
        "III.7.R1.10" => 5,
        _ => return None,
    };
    Some(OPTION_SETS[set])
}

/// Folds a choice as printed to the form's option when it clearly is one: exactly, or, for OCR
/// damage, the nearest option of the slot's set (「特に入力を進めている」 under ⑤物理的対策 is
/// 「特に力を入れて行っている」). A value that is no option (a count band such as
/// 「10人未満」, a file kind) is kept as printed.
pub fn canonical_choice(slot: Option<&str>, raw: &str) -> String {
    let key = heading_key_text(raw);
    if OPTION_SETS.iter().any(|set| set.contains(&key.as_str())) {
        return key;
    }
    let candidates: Vec<&'static str> = match slot.and_then(options_of_slot) {
        Some(set) => set.to_vec(),
        None => return raw.to_string(),
    };
    // 「特に…」 is only ever the first, strongest option; the verb after it is what OCR damages.
    if key.starts_with("特に") && candidates[0].starts_with("特に") {
        return candidates[0].to_string();
    }
    let mut scored: Vec<(f64, &'static str)> = candidates
        .iter()
        .map(|option| (wording_similarity(&key, option), *option))
        .collect();
    scored.sort_by(|left, right| right.0.total_cmp(&left.0));
    let best = scored[0];
    let runner_up = scored.get(1).map_or(0.0, |second| second.0);
    // Clearly nearer one option than any other of the set, not merely sharing 「している」.
    if best.0 >= 0.3 && best.0 - runner_up >= 0.1 {
        return best.1.to_string();
    }
    raw.to_string()
}

/// Normalises a chosen rating to one of [`RATINGS`] when it clearly is one; OCR damage such as
/// 「特に関心を入れている」 or 「特に入力を進めている」 still means the first answer.
pub fn canonical_rating(raw: &str) -> Option<&'static str> {
    let key = heading_key_text(raw);
    if key.is_empty() {
        return None;
    }
    let mut best: Option<(&'static str, f64)> = None;
    for rating in RATINGS {
        let score = wording_similarity(&key, rating);
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((rating, score));
        }
    }
    match best {
        Some((rating, score)) if score >= 0.4 => Some(rating),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_bound_answers_as_the_similarity_does() {
        // Labels, headings and lines of text as the parser compares them, of every length.
        let texts = [
            "評価書番号",
            "評価書名",
            "評価実施機関名",
            "評価実施機関",
            "公表日",
            "特定個人情報の入手",
            "目的外の入手が行われるリスク",
            "目的外の入手が行われるリスクへの対策は十分か",
            "入",
            "",
            "住民基本台帳に関する事務 基礎項目評価書",
        ];
        for left in texts {
            for right in texts {
                for threshold in [0.5, 0.8, 1.0] {
                    assert_eq!(
                        similar_at_least(left, right, threshold),
                        wording_similarity(left, right) >= threshold,
                        "{left} / {right} at {threshold}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_key_is_unique_and_its_parent_exists() {
        for (index, slot) in SLOTS.iter().enumerate() {
            assert!(
                SLOTS[..index].iter().all(|other| other.key != slot.key),
                "duplicate {}",
                slot.key
            );
            if let Some(parent) = parent_key(slot.key) {
                assert!(slot_by_key(parent).is_some(), "{} has no parent", slot.key);
            }
        }
    }

    #[test]
    fn a_risk_heading_with_foreign_script_debris_lands_in_its_slot() {
        let slot = match_heading("III.2", Some(3), "入手した特定個人情報ที่ไม่正確であるリスク");
        assert_eq!(slot.map(|slot| slot.key), Some("III.2.R3"));
    }

    #[test]
    fn a_risk_heading_split_over_two_cells_lands_in_its_slot() {
        let slot = match_heading(
            "III.6",
            Some(2),
            "安全が保たれない\t- 方法によって入手が行われるリスク",
        );
        assert_eq!(slot.map(|slot| slot.key), Some("III.6.R2"));
    }

    #[test]
    fn a_heading_whose_number_disagrees_with_its_wording_is_resolved_by_the_wording() {
        let slot = match_heading(
            "III.7",
            Some(1),
            "特定個人情報が消去されずいつまでも存在するリスク",
        );
        assert_eq!(slot.map(|slot| slot.key), Some("III.7.R3"));
    }

    #[test]
    fn slot_ancestry_is_by_whole_key_segments() {
        assert!(is_within("III.7.R1.5", "III.7.R1"));
        assert!(is_within("III.7.R1", "III.7.R1"));
        assert!(!is_within("III.7.R1.10", "III.7.R1.1"));
    }

    #[test]
    fn a_slot_belongs_to_the_risk_above_it() {
        assert_eq!(risk_of("III.7.R1.5"), Some("III.7.R1"));
        assert_eq!(risk_of("III.7.R1"), Some("III.7.R1"));
        assert_eq!(risk_of("III.4.6"), Some("III.4"));
        assert_eq!(risk_of("III.4"), Some("III.4"));
        assert_eq!(risk_of("IV.1.2"), None);
    }

    #[test]
    fn ocr_damaged_choices_fold_to_the_option_of_their_slot() {
        assert_eq!(
            canonical_choice(Some("III.7.R1.5"), "特に入力を進めている"),
            "特に力を入れて行っている"
        );
        assert_eq!(
            canonical_choice(Some("III.7.R1.2"), "特に入力を整備している"),
            "特に力を入れて整備している"
        );
        assert_eq!(
            canonical_choice(Some("III.7.R1.4"), "特に入力を周知している"),
            "特に力を入れて周知している"
        );
        assert_eq!(canonical_choice(Some("II.3.7"), "10人未満"), "10人未満");
        assert_eq!(canonical_choice(None, "定めている"), "定めている");
    }

    #[test]
    fn ocr_damaged_ratings_are_recognised() {
        assert_eq!(
            canonical_rating("特に関心を入れている"),
            Some("特に力を入れている")
        );
        assert_eq!(canonical_rating("十分である"), Some("十分である"));
        assert_eq!(canonical_rating(""), None);
    }
}
