//! Synthetic corpus generator for the benchmarks (not product data): a national corpus of
//! 特定個人情報保護評価書 written for the real local bodies of `data/local-bodies.tsv`,
//! deterministically from a seed, until a target number of records is reached.
//!
//!   cargo bench --bench synth -- --records 100000 --seed 1 --out target/synth/100k
//!
//! What it writes:
//! - Bodies: every 都道府県, 政令市, 特別区, 市, 町 and 村 of the table (行政区 do not publish;
//!   the six villages of the 北方領土 neither), real name, code and prefecture, visited in a
//!   seeded shuffled order so that a small corpus still mixes kinds.
//! - 事務 per body by kind (市 10–20, 町村 7–12, 都道府県 3–6), one 評価書 each: 全項目評価書
//!   for the large bodies' 住基, 住民税 and 国保 and for a prefecture's 住基ネット, 重点項目評価書
//!   for mid-sized 市 (by chance), 基礎項目評価書 otherwise; each with 1–3 versions (公表日
//!   平成27年–令和7年, later versions the earlier text with a few edits; the latest from 令和5年
//!   on adds a <ガバメントクラウドにおける措置> block), and now and then a 変更点リスク評価表.
//! - Text: the bundled documents as templates. A body's own measure text comes from one of four
//!   "vendor" wordings of its slot (shared by hundreds of bodies, copied with small edits by
//!   some), or, for about 15 % of bodies, from a wording of its own. Answers (評価, 選択) are
//!   drawn per body. Text of the nationally shared actors (中間サーバー …) stays as it is.
//! - The manifest says the corpus is synthetic, and every text starts with 「（合成データ file）」.
//!
//! A pass over the whole nation gives about half a million records; a larger target makes
//! further passes (the same bodies again, drawn anew, marked 「第2巡」 … in the note).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use hyoka::corpus::DocumentMeta;
use hyoka::parse::parse_document;

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
struct Random(u64);

impl Random {
    /// A generator for one purpose and object: the seed, a stream tag and ids, mixed.
    fn seeded(parts: &[u64]) -> Random {
        let mut state = 0x5EED_CAFE_F00D_0001_u64;
        for part in parts {
            state = Random(state ^ part).next();
        }
        Random(state)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut pick = self.below(total as usize) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if pick < *weight {
                return index;
            }
            pick -= weight;
        }
        weights.len().saturating_sub(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            items.swap(index, self.below(index + 1));
        }
    }
}

// Stream tags for `Random::seeded`.
const PASS: u64 = 1;
const ORDER: u64 = 2;
const SIZE: u64 = 3;
const BODY: u64 = 4;
const SERIES: u64 = 5;
const VENDOR: u64 = 6;
const OWN: u64 = 7;
const EDIT: u64 = 8;

// Placeholders in template text (private-use characters), filled per document.
const NAME: char = '\u{E000}';
const JIMU: char = '\u{E001}';
const STEM: char = '\u{E002}';
/// 市, 区, 町, 村, or the prefecture's 都/道/府/県: 「本市」→「本町」.
const KIND: char = '\u{E003}';
/// 長, or 知事 for a prefecture.
const ORGAN: char = '\u{E004}';
/// The prefecture's name without 都/府/県 (「熊本支店」→「大阪支店」).
const PREF_STEM: char = '\u{E005}';
/// 「区の」 for a 政令市 (its wards' offices), else nothing.
const WARD_OF: char = '\u{E006}';

struct Arguments {
    records: usize,
    seed: u64,
    out: PathBuf,
    corpus: PathBuf,
}

fn arguments() -> Result<Arguments, String> {
    let mut parsed = Arguments {
        records: 1_000,
        seed: 1,
        out: PathBuf::from("target/synth/1k"),
        corpus: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"),
    };
    let mut given = std::env::args().skip(1);
    while let Some(name) = given.next() {
        let mut value = || given.next().ok_or(format!("{name} needs a value"));
        match name.as_str() {
            "--records" => {
                parsed.records = value()?
                    .replace(['_', ','], "")
                    .parse()
                    .map_err(|error| format!("--records: {error}"))?
            }
            "--seed" => {
                parsed.seed = value()?
                    .parse()
                    .map_err(|error| format!("--seed: {error}"))?
            }
            "--out" => parsed.out = PathBuf::from(value()?),
            // The folder of the bundled documents used as templates (000, 002, 004).
            "--corpus" => parsed.corpus = PathBuf::from(value()?),
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// Bodies and their 事務
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BodyKind {
    Prefecture,
    Designated,
    Ward,
    City,
    Town,
    Village,
}

impl BodyKind {
    fn label(self) -> &'static str {
        match self {
            BodyKind::Prefecture => "都道府県",
            BodyKind::Designated => "政令市",
            BodyKind::Ward => "特別区",
            BodyKind::City => "市",
            BodyKind::Town => "町",
            BodyKind::Village => "村",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    Large,
    Mid,
    Small,
}

struct Body {
    code: String,
    id: u64,
    name: String,
    prefecture: String,
    kind: BodyKind,
    size: Size,
}

impl Body {
    /// 市, 区, 町, 村, or the last character of a prefecture's name.
    fn kind_char(&self) -> &str {
        match self.kind {
            BodyKind::Prefecture => self
                .name
                .char_indices()
                .last()
                .map_or("県", |(at, _)| &self.name[at..]),
            BodyKind::Designated | BodyKind::City => "市",
            BodyKind::Ward => "区",
            BodyKind::Town => "町",
            BodyKind::Village => "村",
        }
    }

    fn organ_suffix(&self) -> &'static str {
        if self.kind == BodyKind::Prefecture {
            "知事"
        } else {
            "長"
        }
    }
}

/// 中核市 (62) and the other 市 of 30万 or more: the 市 that write 全項目評価書.
const LARGE_CITIES: [&str; 69] = [
    "函館市",
    "旭川市",
    "青森市",
    "八戸市",
    "盛岡市",
    "秋田市",
    "山形市",
    "福島市",
    "郡山市",
    "いわき市",
    "水戸市",
    "宇都宮市",
    "前橋市",
    "高崎市",
    "川越市",
    "川口市",
    "越谷市",
    "船橋市",
    "柏市",
    "八王子市",
    "横須賀市",
    "富山市",
    "金沢市",
    "福井市",
    "甲府市",
    "長野市",
    "松本市",
    "岐阜市",
    "豊橋市",
    "岡崎市",
    "豊田市",
    "一宮市",
    "大津市",
    "豊中市",
    "吹田市",
    "高槻市",
    "枚方市",
    "八尾市",
    "寝屋川市",
    "東大阪市",
    "姫路市",
    "尼崎市",
    "明石市",
    "西宮市",
    "奈良市",
    "和歌山市",
    "鳥取市",
    "松江市",
    "倉敷市",
    "呉市",
    "福山市",
    "下関市",
    "高松市",
    "松山市",
    "高知市",
    "久留米市",
    "長崎市",
    "佐世保市",
    "大分市",
    "宮崎市",
    "鹿児島市",
    "那覇市",
    "町田市",
    "藤沢市",
    "所沢市",
    "市川市",
    "松戸市",
    "四日市市",
    "春日井市",
];

/// The villages of the 北方領土: listed in the code table, publishing nothing.
const NORTHERN_TERRITORIES: [&str; 6] =
    ["016951", "016969", "016977", "016985", "016993", "017001"];

fn load_bodies(path: &Path, seed: u64) -> Vec<Body> {
    let text = std::fs::read_to_string(path).expect("data/local-bodies.tsv reads");
    let mut bodies = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() < 5 || NORTHERN_TERRITORIES.contains(&cells[0]) {
            continue;
        }
        let kind = match cells[4] {
            "都道府県" => BodyKind::Prefecture,
            "政令市" => BodyKind::Designated,
            "特別区" => BodyKind::Ward,
            "市" => BodyKind::City,
            "町" => BodyKind::Town,
            "村" => BodyKind::Village,
            _ => continue, // 行政区: the wards of a 政令市 do not publish
        };
        let id: u64 = cells[0].parse().unwrap_or_default();
        let size = match kind {
            BodyKind::Prefecture | BodyKind::Designated | BodyKind::Ward => Size::Large,
            BodyKind::City if LARGE_CITIES.contains(&cells[1]) => Size::Large,
            BodyKind::City if Random::seeded(&[seed, SIZE, id]).chance(30) => Size::Mid,
            _ => Size::Small,
        };
        bodies.push(Body {
            code: cells[0].to_string(),
            id,
            name: cells[1].to_string(),
            prefecture: cells[3].to_string(),
            kind,
            size,
        });
    }
    bodies
}

const MUNICIPAL_JIMU: [&str; 20] = [
    "住民基本台帳に関する事務",
    "戸籍に関する事務",
    "個人住民税に関する事務",
    "固定資産税に関する事務",
    "軽自動車税に関する事務",
    "国民健康保険に関する事務",
    "国民年金に関する事務",
    "後期高齢者医療に関する事務",
    "介護保険に関する事務",
    "障害者福祉に関する事務",
    "児童手当に関する事務",
    "児童扶養手当に関する事務",
    "生活保護に関する事務",
    "健康管理に関する事務",
    "予防接種に関する事務",
    "子ども・子育て支援に関する事務",
    "就学に関する事務",
    "印鑑登録に関する事務",
    "選挙人名簿管理に関する事務",
    "法人住民税に関する事務",
];
/// 住基, 個人住民税, 国保: the 事務 of the most persons.
const LARGEST_JIMU: [usize; 3] = [0, 2, 5];
/// What every 町 and 村 publishes: 住基, 個人住民税, 国保, 介護.
const TOWN_JIMU: [usize; 4] = [0, 2, 5, 8];
const PREFECTURE_JIMU: [&str; 6] = [
    "住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関する事務",
    "県税に関する事務", // 都税, 道税, 府税 by name
    "生活保護に関する事務",
    "児童扶養手当に関する事務",
    "難病医療費助成に関する事務",
    "特別児童扶養手当に関する事務",
];

/// The body's 事務, in the order of the list: (index in the list, printed name).
fn jimu_of(body: &Body, random: &mut Random) -> Vec<(usize, String)> {
    let (list, always, low, high): (Vec<String>, &[usize], usize, usize) = match body.kind {
        BodyKind::Prefecture => (
            PREFECTURE_JIMU
                .iter()
                .map(|jimu| jimu.replacen("県税", &format!("{}税", body.kind_char()), 1))
                .collect(),
            &[0],
            3,
            6,
        ),
        BodyKind::Town | BodyKind::Village => (
            MUNICIPAL_JIMU.iter().map(|jimu| jimu.to_string()).collect(),
            &TOWN_JIMU,
            7,
            12,
        ),
        _ => (
            MUNICIPAL_JIMU.iter().map(|jimu| jimu.to_string()).collect(),
            &[0],
            10,
            20,
        ),
    };
    let count = low + random.below(high - low + 1);
    let mut rest: Vec<usize> = (0..list.len())
        .filter(|index| !always.contains(index))
        .collect();
    random.shuffle(&mut rest);
    let mut chosen: Vec<usize> = always.to_vec();
    chosen.extend(rest.into_iter().take(count.saturating_sub(always.len())));
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|index| (index, list[index].clone()))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    Kiso,
    Juten,
    Zen,
}

impl DocKind {
    fn label(self) -> &'static str {
        match self {
            DocKind::Kiso => "基礎項目評価書",
            DocKind::Juten => "重点項目評価書",
            DocKind::Zen => "全項目評価書",
        }
    }

    fn form_number(self) -> u8 {
        match self {
            DocKind::Kiso => 2,
            DocKind::Juten => 3,
            DocKind::Zen => 4,
        }
    }
}

/// The kind of 評価書 a body writes for one 事務, by the body's size (the persons concerned).
fn doc_kind_of(body: &Body, jimu_index: usize, random: &mut Random) -> DocKind {
    let largest = LARGEST_JIMU.contains(&jimu_index);
    match (body.kind, body.size) {
        (BodyKind::Prefecture, _) => match jimu_index {
            0 => DocKind::Zen,
            1 if random.chance(50) => DocKind::Juten,
            _ => DocKind::Kiso,
        },
        (BodyKind::Town | BodyKind::Village, _) => DocKind::Kiso,
        (_, Size::Large) if largest => DocKind::Zen,
        (_, Size::Large) if random.chance(15) => DocKind::Juten,
        (_, Size::Mid) if largest && random.chance(80) => DocKind::Juten,
        (_, Size::Small) if largest && random.chance(15) => DocKind::Juten,
        (_, _) if random.chance(3) => DocKind::Juten,
        _ => DocKind::Kiso,
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// A date from 2015-01 (平成27年1月) to 2025-12 (令和7年12月).
#[derive(Debug, Clone, Copy)]
struct Date {
    /// Months since 2015-01.
    month: u32,
    day: u32,
}

/// The last month: 令和7年12月.
const LAST_MONTH: u32 = 131;
/// From 令和5年: the ガバメントクラウド appears in the latest versions.
const CLOUD_FROM: u32 = 96;

impl Date {
    fn year_month(self) -> (u32, u32) {
        (2015 + self.month / 12, self.month % 12 + 1)
    }

    /// As printed: 「令和6年10月1日」, 「令和元年5月7日」, 「平成27年3月31日」.
    fn wareki(self) -> String {
        let (year, month) = self.year_month();
        let day = self.day;
        if (year, month) >= (2019, 5) {
            match year - 2018 {
                1 => format!("令和元年{month}月{day}日"),
                era => format!("令和{era}年{month}月{day}日"),
            }
        } else {
            format!("平成{}年{month}月{day}日", year - 1988)
        }
    }

    /// The 様式 in force.
    fn form(self) -> &'static str {
        match self.year_month() {
            at if at >= (2024, 10) => "令和6年10月",
            at if at >= (2021, 4) => "令和3年4月",
            _ => "平成26年4月",
        }
    }
}

/// 1–3 公表日, each later than the one before: most first versions in 平成27年, revisions one
/// to four years apart, and many bodies revised for 標準化 in 令和6–7年.
fn versions(random: &mut Random) -> Vec<Date> {
    let count = 1 + random.weighted(&[30, 40, 30]);
    let mut month = if random.chance(60) {
        random.below(12) as u32
    } else {
        12 + random.below(84) as u32
    };
    let mut dates = Vec::with_capacity(count);
    for _ in 0..count {
        if month > LAST_MONTH {
            break;
        }
        dates.push(Date {
            month,
            day: 1 + random.below(28) as u32,
        });
        month += 12 + random.below(37) as u32;
    }
    if dates.len() >= 2 && random.chance(50) {
        let previous = dates[dates.len() - 2].month;
        let standardised = 111 + random.below(21) as u32; // 2024-04 … 2025-12
        if standardised >= previous + 6 {
            let last = dates.len() - 1;
            dates[last].month = standardised;
        }
    }
    dates
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// One line of a template.
enum Part {
    Plain(String),
    /// 評価書番号 and 評価書名 of the cover.
    Title,
    /// The 評価実施機関名 value.
    Organ,
    /// The 公表日 value.
    Date,
    /// 「[令和6年10月 様式4]」.
    Form,
    /// A line holding a body's own measure text: index into `Template::own`.
    Own(usize),
    /// A choice item or a risk's 評価: index into `Template::answers`.
    Answer(usize),
    /// 「実施の有無 [ 自己点検 ] [ 内部監査 ]」: the part before the choices.
    Audit(String),
    /// その内容 / 再発防止策の内容 of a 重大事故 item: the part before the value.
    Incident(String),
}

/// A line of a body's own text, cut around the text that varies.
struct OwnLine {
    before: String,
    middle: String,
    after: String,
    /// The slot's pool of sentences (index into `Generator::pools`).
    pool: usize,
    /// Where a <ガバメントクラウドにおける措置> block goes, if one does.
    cloud: Option<Cloud>,
}

struct Cloud {
    /// Byte offset in `after` of the end of the cell.
    at: usize,
    /// Whether the body's text becomes a block of its own first (a line without actor blocks).
    wrap: bool,
    /// Whether blocks are paragraphs (<p>…</p>).
    paragraph: bool,
    text: &'static str,
}

struct Answer {
    before: String,
    after: String,
    options: Vec<String>,
    weights: Vec<u32>,
    /// The 重大事故 item (発生あり / 発生なし): its details follow it.
    incident: bool,
}

struct Template {
    id: u64,
    kind: DocKind,
    parts: Vec<Part>,
    own: Vec<OwnLine>,
    answers: Vec<Answer>,
    /// Records of the template as parsed.
    records: usize,
    /// Records the 重大事故 details gave in the template (dropped when 発生なし).
    incident_records: usize,
    /// Incident detail lines (each a record when 発生あり).
    incident_lines: usize,
    /// Blocks a ガバメントクラウド version adds.
    cloud_blocks: usize,
    /// Vendor → own line → wording.
    vendors: Vec<Vec<String>>,
}

const CLOUD_GENERIC: &str = "ガバメントクラウドにおける特定個人情報の適切な取扱いは、クラウド事業者との契約において担保する。";
const CLOUD_PHYSICAL: &str = "①ガバメントクラウドについては政府情報システムのセキュリティ制度(ISMAP)のリストに登録されたクラウドサービスから調達することとしており、システムのサーバー等は、クラウド事業者が保有・管理する環境に構築し、その環境には認可された者だけがアクセスできるよう適切な入退室管理策を行っている。 ②事前に許可されていない装置等に関しては、外部に持出できないこととしている。";
const CLOUD_TECHNICAL: &str = "①国及びクラウド事業者は利用者のデータにアクセスしない契約等となっている。 ②クラウド事業者は、ガバメントクラウドに対するセキュリティの脅威に対し、脅威検出やDDoS対策を24時間365日講じる。 ③ガバメントクラウドの特定個人情報を保有するシステムを構築する環境は、インターネットとは切り離された閉域ネットワークで構成する。";

/// Sentences for slots that only one template fills (no other body's wording to draw on).
const EXTRA_SENTENCES: [(&str, &str); 5] = [
    (
        "判断の根拠",
        "・入力後に出力した審査リストで、入力内容と届書を照合している。",
    ),
    (
        "判断の根拠",
        "・入力内容に誤りがないか、複数の職員で確認する体制としている。",
    ),
    (
        "判断の根拠",
        "・システムの入力チェック機能により、誤った入力を防止している。",
    ),
    (
        "判断の根拠",
        "・事務処理手順書を作成し、担当職員に周知している。",
    ),
    (
        "判断の根拠",
        "・処理結果は所属長が確認し、記録を残している。",
    ),
];

/// The cover 札幌市's extract lacks (it is Ⅲ only), in the form of 熊本県's.
const SAPPORO_COVER: &str = "特定個人情報保護評価書(全項目評価書)\n\n評価書番号\t評価書名\n1\t住民基本台帳に関する事務 全項目評価書\n\n個人のプライバシー等の権利利益の保護の宣言\n\n札幌市は、住民基本台帳に関する事務における特定個人情報ファイルの取扱いにあたり、特定個人情報ファイルの取扱いが個人のプライバシー等の権利利益に影響を及ぼしかねないことを認識し、特定個人情報の漏えいその他の事態を発生させるリスクを軽減させるために適切な措置を講じ、もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。\n\n評価実施機関名\n\n札幌市長\n\n公表日\n\n令和6年10月1日\n\n[令和6年10月 様式4]\n";

/// Misprints of the templates (OCR, extraction), not to be copied into other bodies' text.
fn fix_misprints(line: &str) -> String {
    let mut line = line
        .replace("ที่ไม่", "が不")
        .replace("住記システム", "住基システム")
        .replace("行われなこと", "行われないこと")
        .replace("びなりすまし", "なりすまし")
        .replace("特に関心を入れている", "特に力を入れている");
    if line.contains("特に入力を") {
        if line.contains("十分である") {
            line = line.replace("特に入力を進めている", "特に力を入れている");
        } else {
            line = line
                .replace("特に入力を進めている", "特に力を入れて行っている")
                .replace("十分に進めている", "十分に行っている")
                .replace("十分に進めていない", "十分に行っていない")
                .replace("特に入力を", "特に力を入れて");
        }
    }
    line
}

/// Names and words of the template bodies, as placeholders.
fn placeholder_pairs() -> Vec<(&'static str, String)> {
    let organ = format!("{NAME}{ORGAN}");
    vec![
        ("札幌市長", organ.clone()),
        ("熊本県知事", organ.clone()),
        ("重点試験市長", organ.clone()),
        ("基礎試験町長", organ.clone()),
        ("豊島区長", organ),
        ("札幌市", NAME.to_string()),
        ("熊本県", NAME.to_string()),
        ("重点試験市", NAME.to_string()),
        ("基礎試験町", NAME.to_string()),
        ("豊島区", NAME.to_string()),
        (
            "住民基本台帳に関する事務における",
            format!("{JIMU}における"),
        ),
        ("住民基本台帳ファイル", format!("{STEM}ファイル")),
        (
            "変更点リスク評価表(住民基本台帳)",
            format!("変更点リスク評価表({STEM})"),
        ),
        (
            "変更点リスク評価表（個人住民税）",
            format!("変更点リスク評価表（{STEM}）"),
        ),
        ("区の戸籍住民課", format!("{WARD_OF}戸籍住民課")),
        ("本市", format!("本{KIND}")),
        ("当市", format!("当{KIND}")),
        ("全市共通", format!("全{KIND}共通")),
        ("市外転入", format!("{KIND}外転入")),
        ("市民", format!("{KIND}民")),
        ("県のホームページ", format!("{KIND}のホームページ")),
        ("県政", format!("{KIND}政")),
        ("熊本支店", format!("{PREF_STEM}支店")),
    ]
}

fn with_placeholders(line: &str, pairs: &[(&'static str, String)]) -> String {
    let mut line = line.to_string();
    for (from, to) in pairs {
        if line.contains(from) {
            line = line.replace(from, to);
        }
    }
    line
}

/// Values of the placeholders for one document.
struct Context<'a> {
    name: &'a str,
    jimu: &'a str,
    stem: &'a str,
    kind: &'a str,
    organ: &'a str,
    pref_stem: &'a str,
    ward_of: &'a str,
}

impl Context<'_> {
    fn expand(&self, out: &mut String, text: &str) {
        let mut rest = text;
        while let Some(at) = rest.find(|c: char| ('\u{E000}'..='\u{E006}').contains(&c)) {
            out.push_str(&rest[..at]);
            let value = match rest[at..].chars().next() {
                Some(NAME) => self.name,
                Some(JIMU) => self.jimu,
                Some(STEM) => self.stem,
                Some(KIND) => self.kind,
                Some(ORGAN) => self.organ,
                Some(PREF_STEM) => self.pref_stem,
                _ => self.ward_of,
            };
            out.push_str(value);
            rest = &rest[at + NAME.len_utf8()..];
        }
        out.push_str(rest);
    }
}

/// Sentences, each with its 。; a 。 inside brackets does not end one.
fn split_sentences(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0_i32, 0);
    for (at, c) in text.char_indices() {
        match c {
            '（' | '(' | '「' | '『' => depth += 1,
            '）' | ')' | '」' | '』' => depth = (depth - 1).max(0),
            '。' if depth == 0 => {
                parts.push(&text[start..at + c.len_utf8()]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

fn sentences(text: &str) -> Vec<String> {
    split_sentences(text)
        .into_iter()
        .map(|sentence| sentence.replace('\n', " ").trim().to_string())
        .filter(|sentence| sentence.chars().count() >= 8)
        .collect()
}

/// The first non-empty cell of a line.
fn label(line: &str) -> &str {
    line.split('\t')
        .map(str::trim)
        .find(|cell| !cell.is_empty())
        .unwrap_or_default()
}

/// Options printed after 「<選択肢>」, in their number order.
fn options_of(text: &str) -> Vec<String> {
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            '\t' if !in_tag => plain.push(' '),
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let chars: Vec<(usize, char)> = plain.char_indices().collect();
    let mut marks: Vec<(u32, usize, usize)> = Vec::new(); // number, start of mark, end of mark
    for (position, (at, c)) in chars.iter().enumerate() {
        let Some(number) = c.to_digit(10) else {
            continue;
        };
        let before_ok = position == 0 || chars[position - 1].1.is_whitespace();
        if before_ok && chars.get(position + 1).map(|(_, next)| *next) == Some(')') {
            marks.push((number, *at, at + 2));
        }
    }
    let mut options: Vec<(u32, String)> = marks
        .iter()
        .enumerate()
        .map(|(index, (number, _, end))| {
            let stop = marks
                .get(index + 1)
                .map_or(plain.len(), |(_, start, _)| *start);
            (*number, plain[*end..stop].trim().to_string())
        })
        .collect();
    options.sort_by_key(|(number, _)| *number);
    options.into_iter().map(|(_, option)| option).collect()
}

/// How answers are drawn for an option set, given the template's answer; None: kept as printed.
fn weights_of(options: &[String], template_choice: usize) -> Option<Vec<u32>> {
    let set: Vec<&str> = options.iter().map(String::as_str).collect();
    match set.as_slice() {
        ["特に力を入れている", "十分である", "課題が残されている"] => {
            Some(vec![15, 80, 5])
        }
        ["発生あり", "発生なし"] => Some(vec![4, 96]),
        [first, second, third]
            if first.starts_with("特に力を入れて")
                && second.starts_with("十分に")
                && third.starts_with("十分に")
                && third.ends_with("ない") =>
        {
            Some(vec![30, 65, 5])
        }
        [yes, no] if yes.ends_with("いる") && *no == yes.replace("いる", "いない") => {
            Some(if template_choice == 0 {
                vec![93, 7]
            } else {
                vec![15, 85]
            })
        }
        _ => None,
    }
}

fn parse_answer(line: &str) -> Option<Answer> {
    let marker = line.find("<選択肢>")?;
    let options = options_of(&line[marker..]);
    // The choice stands before 「<選択肢>」, after the label cell.
    let from = line[..marker].find('\t').map_or(0, |at| at + 1);
    let (choice, at) = options
        .iter()
        .enumerate()
        .filter_map(|(index, option)| {
            line[from..marker]
                .find(option.as_str())
                .map(|at| (index, from + at))
        })
        .max_by_key(|(index, _)| options[*index].len())?;
    let weights = weights_of(&options, choice)?;
    Some(Answer {
        before: line[..at].to_string(),
        after: line[at + options[choice].len()..].to_string(),
        incident: options.first().map(String::as_str) == Some("発生あり"),
        options,
        weights,
    })
}

const AUDITS: [&str; 3] = [
    "[ 自己点検 ]",
    "[ 自己点検 ] [ 内部監査 ]",
    "[ 自己点検 ] [ 内部監査 ] [ 外部監査 ]",
];
const AUDIT_WEIGHTS: [u32; 3] = [35, 50, 15];

fn markup_prefix(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        match (trimmed.starts_with('<'), trimmed.find('>')) {
            (true, Some(close)) => at += close + 1,
            _ => return at,
        }
    }
}

fn markup_suffix(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let rest = &text[..end];
        let trimmed = rest.trim_end();
        end = trimmed.len();
        match (trimmed.ends_with('>'), trimmed.rfind('<')) {
            (true, Some(open)) => end = open,
            _ => return text.len() - end,
        }
    }
}

/// Cuts an own-text line into the text that varies and what stands around it: in the longest
/// cell, the body's own actor block where the line has blocks, markup at the edges left out.
/// Also returns the offset, in the part after, of the end of that cell.
fn split_own(line: &str, own_block: bool) -> Option<(String, String, String, usize)> {
    let mut best = (0, 0);
    let mut start = 0;
    for cell in line.split('\t') {
        if cell.len() > best.1 - best.0 {
            best = (start, start + cell.len());
        }
        start += cell.len() + 1;
    }
    let (cell_start, cell_end) = best;
    let (mut from, mut to) = (cell_start, cell_end);
    if own_block {
        let marker = format!("<{NAME}における措置>");
        from = cell_start + line[cell_start..cell_end].find(&marker)? + marker.len();
        if let Some(next) = line[from..cell_end].find("における措置>") {
            to = from + line[from..from + next].rfind('<')?;
        }
    }
    from += markup_prefix(&line[from..to]);
    to -= markup_suffix(&line[from..to]);
    (from < to).then(|| {
        (
            line[..from].to_string(),
            line[from..to].to_string(),
            line[to..].to_string(),
            cell_end - to,
        )
    })
}

/// Where a template's ガバメントクラウド blocks go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CloudPlace {
    /// After the other blocks of the lines with the body's own actor block.
    Blocks,
    /// The 7. リスク1 measure, made a block of the body's first.
    Wrap,
    Nowhere,
}

/// A template's text, parsed to find what each line holds.
struct Source {
    id: u64,
    kind: DocKind,
    body: &'static str,
    file: &'static str,
    text: String,
    /// Templates of one group share their sentences: municipalities', prefectures'.
    pool_group: &'static str,
    cloud: CloudPlace,
}

fn build_template(
    source: &Source,
    pairs: &[(&'static str, String)],
    pool_of_slot: &mut BTreeMap<String, usize>,
    pools: &mut Vec<Vec<String>>,
) -> Template {
    let meta = DocumentMeta {
        file: source.file.to_string(),
        municipality: source.body.to_string(),
        municipality_code: None,
        prefecture: None,
        title: source.kind.label().to_string(),
        doc_type: source.kind.label().to_string(),
        jimu: None,
        date: None,
        number: None,
        form: None,
        note: None,
    };
    let records = parse_document(&meta, &source.text).expect("a template parses");
    // The cover ends with its 様式 line: a field after it without a slot of the form (a
    // 基礎項目評価書's 判断の根拠) is a measure too, its field standing for the slot.
    let cover_end = source
        .text
        .split('\n')
        .take(40)
        .position(|line| line.trim().starts_with('[') && line.contains("様式"));
    // Line index → (slot, whether the line has the body's own actor block).
    let mut own_lines: BTreeMap<usize, (String, bool)> = BTreeMap::new();
    for record in &records {
        let slot = match (&record.slot, &record.field) {
            (Some(slot), _) => slot,
            (None, Some(field)) if cover_end.is_some_and(|end| record.source.line > end + 1) => {
                field
            }
            _ => continue,
        };
        let shared = record
            .actor
            .as_deref()
            .is_some_and(|actor| hyoka::parse::clean::SHARED_ACTORS.contains(&actor));
        if shared || record.text.trim().is_empty() {
            continue;
        }
        // Prefectures' text and municipalities' are not mixed.
        let key = format!("{}:{slot}", source.pool_group);
        let pool = *pool_of_slot.entry(key).or_insert_with(|| {
            pools.push(
                EXTRA_SENTENCES
                    .iter()
                    .filter(|(field, _)| field == slot)
                    .map(|(_, sentence)| sentence.to_string())
                    .collect(),
            );
            pools.len() - 1
        });
        pools[pool].extend(
            sentences(&record.text)
                .iter()
                .map(|sentence| with_placeholders(sentence, pairs)),
        );
        let entry = own_lines
            .entry(record.source.line - 1)
            .or_insert((slot.clone(), false));
        if record.actor.as_deref() == Some(source.body) {
            entry.1 = true;
        }
    }

    let lines: Vec<String> = source
        .text
        .split('\n')
        .map(|line| with_placeholders(line, pairs))
        .collect();
    let mut template = Template {
        id: source.id,
        kind: source.kind,
        parts: Vec::with_capacity(lines.len()),
        own: Vec::new(),
        answers: Vec::new(),
        records: records.len(),
        incident_records: 0,
        incident_lines: 0,
        cloud_blocks: 0,
        vendors: Vec::new(),
    };
    let (mut want_organ, mut want_date, mut incident_window) = (false, false, 0);
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        incident_window = usize::saturating_sub(incident_window, 1);
        let cover = index < 40;
        let part = if cover && index > 0 && lines[index - 1].trim() == "評価書番号\t評価書名"
        {
            Part::Title
        } else if cover && want_organ && !trimmed.is_empty() {
            want_organ = false;
            Part::Organ
        } else if cover && want_date && !trimmed.is_empty() {
            want_date = false;
            Part::Date
        } else if cover && trimmed.starts_with('[') && trimmed.contains("様式") {
            Part::Form
        } else if let Some(answer) = parse_answer(line) {
            if answer.incident {
                incident_window = 4;
            }
            template.answers.push(answer);
            Part::Answer(template.answers.len() - 1)
        } else if label(line) == "実施の有無" && line.contains("[ 自己点検 ]") {
            let at = line.find('[').unwrap_or(line.len());
            Part::Audit(line[..at].to_string())
        } else if incident_window > 0
            && matches!(label(line), "その内容" | "再発防止策の内容")
            && line.contains('\t')
        {
            let at = line.rfind('\t').map_or(0, |at| at + 1);
            let value = line[at..].trim();
            if !value.is_empty() && value != "—" && value != "-" {
                template.incident_records += 1;
            }
            template.incident_lines += 1;
            Part::Incident(line[..at].to_string())
        } else if let Some((slot, own_block)) = own_lines.get(&index) {
            match split_own(line, *own_block) {
                Some((before, middle, after, cell_end)) => {
                    let cloud = match (source.cloud, *own_block, slot.as_str()) {
                        (CloudPlace::Blocks, true, slot) => Some(Cloud {
                            at: cell_end,
                            wrap: false,
                            paragraph: after[..cell_end].contains("</p>"),
                            text: match slot {
                                "III.7.R1.5" => CLOUD_PHYSICAL,
                                "III.7.R1.6" => CLOUD_TECHNICAL,
                                _ => CLOUD_GENERIC,
                            },
                        }),
                        (CloudPlace::Wrap, false, "III.7.R1") => Some(Cloud {
                            at: cell_end,
                            wrap: true,
                            paragraph: false,
                            text: CLOUD_PHYSICAL,
                        }),
                        _ => None,
                    };
                    // One block more: the cloud's (a wrapped line's own text was a record already).
                    template.cloud_blocks += usize::from(cloud.is_some());
                    template.own.push(OwnLine {
                        before,
                        middle,
                        after,
                        pool: pool_of_slot[&format!("{}:{slot}", source.pool_group)],
                        cloud,
                    });
                    Part::Own(template.own.len() - 1)
                }
                None => Part::Plain(line.clone()),
            }
        } else {
            Part::Plain(line.clone())
        };
        if cover && trimmed == "評価実施機関名" {
            want_organ = true;
        }
        if cover && trimmed == "公表日" {
            want_date = true;
        }
        template.parts.push(part);
    }
    template
}

/// The 変更点リスク評価表 template: (lines with placeholders, records), for 住基 and 住民税.
struct ChangeTable {
    resident: (Vec<String>, usize),
    tax: (Vec<String>, usize),
}

fn change_table(text: &str, pairs: &[(&'static str, String)]) -> ChangeTable {
    let lines: Vec<&str> = text.split('\n').collect();
    let tax_from = lines
        .iter()
        .position(|line| line.starts_with("変更点リスク評価表（個人住民税）"))
        .expect("the change table has a 個人住民税 part");
    // The ordinances of other wards at the end are not 豊島区's: left out.
    let ordinances = lines
        .iter()
        .position(|line| line.contains("条例他区事例"))
        .unwrap_or(lines.len());
    let part = |from: usize, to: usize| {
        let text = lines[from..to].join("\n");
        let meta = DocumentMeta {
            file: "000.txt".to_string(),
            municipality: "豊島区".to_string(),
            municipality_code: None,
            prefecture: None,
            title: "変更点リスク評価表".to_string(),
            doc_type: "変更点リスク評価表".to_string(),
            jimu: None,
            date: None,
            number: None,
            form: None,
            note: None,
        };
        let records = parse_document(&meta, &text).map_or(0, |records| records.len());
        let lines = lines[from..to]
            .iter()
            .map(|line| with_placeholders(line, pairs))
            .collect();
        (lines, records)
    };
    ChangeTable {
        resident: part(0, tax_from),
        tax: part(tax_from, ordinances),
    }
}

// ---------------------------------------------------------------------------------------------
// Wording
// ---------------------------------------------------------------------------------------------

/// Varies a text: sentences reordered, dropped, reworded from the slot's pool, or one added.
fn vary_text(text: &str, pool: &[String], random: &mut Random) -> String {
    let mut parts: Vec<String> = split_sentences(text)
        .into_iter()
        .map(str::to_string)
        .collect();
    if parts.len() >= 2 && random.chance(30) {
        let at = random.below(parts.len() - 1);
        parts.swap(at, at + 1);
    }
    if parts.len() >= 3 && random.chance(20) {
        parts.remove(random.below(parts.len()));
    }
    if !pool.is_empty() {
        for index in 0..parts.len() {
            if random.chance(15)
                && let Some(sentence) = fresh_sentence(&parts, pool, random)
            {
                parts[index] = sentence;
            }
        }
        if random.chance(15)
            && let Some(sentence) = fresh_sentence(&parts, pool, random)
        {
            parts.push(sentence);
        }
    }
    parts.concat()
}

/// A sentence of the pool the text does not have yet (a few tries).
fn fresh_sentence(parts: &[String], pool: &[String], random: &mut Random) -> Option<String> {
    (0..3)
        .map(|_| &pool[random.below(pool.len())])
        .find(|sentence| !parts.iter().any(|part| part.contains(sentence.as_str())))
        .cloned()
}

/// Small rewordings a body makes when it copies a text.
const EDITS: [(&str, &str); 20] = [
    ("施錠", "施錠管理"),
    ("する。", "している。"),
    ("行う。", "行っている。"),
    ("厳格に", "適切に"),
    ("職員", "担当職員"),
    ("確認を行う", "確認する"),
    ("定期的に", "随時"),
    ("システム上", "システムにより"),
    ("担保される。", "担保されている。"),
    ("必要最小限", "必要最低限"),
    ("に努める。", "に努めている。"),
    ("とする。", "としている。"),
    ("仕組みとなっている。", "仕組みである。"),
    ("実施する。", "実施している。"),
    ("管理する。", "管理している。"),
    ("記録する。", "記録し、保存する。"),
    ("パスワード", "パスワード等"),
    ("防止する。", "防止している。"),
    ("行っている。", "行う。"),
    ("している。", "する。"),
];

/// Sentences a revision adds where the slot's pool has nothing new.
const ADDITIONS: [&str; 5] = [
    "また、取扱いの状況は年1回点検している。",
    "なお、運用手順は必要に応じて見直している。",
    "職員には定期的に注意喚起を行っている。",
    "また、作業の記録を残し、所属長が確認している。",
    "なお、委託先にも同等の措置を求めている。",
];

/// One character or a short phrase changed.
fn small_edit(text: &str, random: &mut Random) -> String {
    let applicable: Vec<&(&str, &str)> = EDITS
        .iter()
        .filter(|(from, to)| text.contains(from) && !(to.contains(from) && text.contains(to)))
        .collect();
    if applicable.is_empty() {
        let commas: Vec<usize> = text.match_indices('、').map(|(at, _)| at).collect();
        if commas.is_empty() {
            return text.to_string();
        }
        let at = commas[random.below(commas.len())];
        return format!("{}{}", &text[..at], &text[at + '、'.len_utf8()..]);
    }
    let (from, to) = applicable[random.below(applicable.len())];
    let occurrences: Vec<usize> = text.match_indices(from).map(|(at, _)| at).collect();
    let at = occurrences[random.below(occurrences.len())];
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// A revision of a text: a sentence added, a phrase reworded, or a sentence dropped.
fn revise(text: &str, pool: &[String], random: &mut Random) -> String {
    match random.below(10) {
        0..=3 => {
            let fresh: Vec<&String> = pool
                .iter()
                .filter(|sentence| !text.contains(sentence.as_str()))
                .collect();
            let added = if fresh.is_empty() || random.chance(30) {
                ADDITIONS[random.below(ADDITIONS.len())]
            } else {
                fresh[random.below(fresh.len())].as_str()
            };
            format!("{} {added}", text.trim_end())
        }
        9 if split_sentences(text).len() >= 3 => {
            let mut parts = split_sentences(text);
            parts.remove(random.below(parts.len()));
            parts.concat()
        }
        _ => small_edit(text, random),
    }
}

const VENDOR_WEIGHTS: [u32; 4] = [35, 25, 15, 10];
/// Bodies that write their own wording (percent): the rest of the 100 the vendors leave.
const OWN_WORDING: u64 = 15;

#[derive(Clone, Copy)]
enum Wording {
    Vendor(usize),
    Own,
}

/// Four wordings of every own-text line, each a variation of the template's.
fn vendor_wordings(template: &Template, pools: &[Vec<String>], seed: u64) -> Vec<Vec<String>> {
    (0..VENDOR_WEIGHTS.len())
        .map(|vendor| {
            template
                .own
                .iter()
                .enumerate()
                .map(|(line, own)| {
                    let mut random =
                        Random::seeded(&[seed, VENDOR, vendor as u64, template.id, line as u64]);
                    let text = vary_text(&own.middle, &pools[own.pool], &mut random);
                    if random.chance(50) {
                        small_edit(&text, &mut random)
                    } else {
                        text
                    }
                })
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

struct Entry<'a> {
    body: &'a Body,
    title: String,
    doc_type: &'static str,
    jimu: &'a str,
    date: &'a str,
    note: String,
    records: usize,
}

struct Sink {
    out: PathBuf,
    manifest: BufWriter<File>,
    target: usize,
    documents: usize,
    records: usize,
    bytes: usize,
    by_doc_type: BTreeMap<&'static str, usize>,
    /// Body kind → (bodies, documents).
    by_body_kind: BTreeMap<BodyKind, (usize, usize)>,
    last_body: Option<u64>,
    pass: usize,
}

impl Sink {
    /// Writes one document; false once the target is reached.
    fn write(&mut self, text: &mut String, entry: Entry) -> bool {
        self.documents += 1;
        let file = format!("synth_{:07}.txt", self.documents);
        // A first line naming the copy: ingest skips byte-identical documents. First, not last:
        // a last line would be read into the last field's text and make its wording unique.
        text.insert_str(0, &format!("（合成データ {file}）\n"));
        std::fs::write(self.out.join(&file), text.as_bytes()).expect("write a document");
        let body = entry.body;
        writeln!(
            self.manifest,
            "\n[[document]]\nfile = \"{file}\"\nmunicipality = {}\nmunicipality_code = \"{}\"\n\
             prefecture = {}\ntitle = {}\ndoc_type = \"{}\"\njimu = {}\ndate = \"{}\"\nnote = {}",
            toml_string(&body.name),
            body.code,
            toml_string(&body.prefecture),
            toml_string(&entry.title),
            entry.doc_type,
            toml_string(entry.jimu),
            entry.date,
            toml_string(&entry.note),
        )
        .expect("write the manifest");
        self.records += entry.records;
        self.bytes += text.len();
        *self.by_doc_type.entry(entry.doc_type).or_default() += 1;
        let counts = self.by_body_kind.entry(body.kind).or_default();
        if self.pass == 1 && self.last_body != Some(body.id) {
            counts.0 += 1;
            self.last_body = Some(body.id);
        }
        counts.1 += 1;
        self.records < self.target
    }
}

fn toml_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

struct Generator {
    seed: u64,
    pools: Vec<Vec<String>>,
    /// 札幌市 (全項目), 熊本県 (全項目, prefectures), 重点項目, 基礎項目.
    templates: Vec<Template>,
    change_table: ChangeTable,
}

impl Generator {
    fn template(&self, kind: DocKind, body: &Body) -> &Template {
        match (kind, body.kind) {
            (DocKind::Zen, BodyKind::Prefecture) => &self.templates[1],
            (DocKind::Zen, _) => &self.templates[0],
            (DocKind::Juten, _) => &self.templates[2],
            (DocKind::Kiso, _) => &self.templates[3],
        }
    }

    /// Every document of one body; false once the target is reached.
    fn body(&self, body: &Body, pass: usize, pass_seed: u64, sink: &mut Sink) -> bool {
        let mut random = Random::seeded(&[pass_seed, BODY, body.id]);
        let wording = if random.chance(OWN_WORDING) {
            Wording::Own
        } else {
            Wording::Vendor(random.weighted(&VENDOR_WEIGHTS))
        };
        let edits = random.chance(20);
        for (number, (jimu_index, jimu)) in jimu_of(body, &mut random).iter().enumerate() {
            let kind = doc_kind_of(body, *jimu_index, &mut random);
            let series = Series {
                body,
                pass,
                number: number + 1,
                jimu_index: *jimu_index,
                jimu,
                kind,
                wording,
                edits,
            };
            if !self.series(&series, pass_seed, sink) {
                return false;
            }
        }
        true
    }

    /// The wording of each own-text line for one 評価書 of a body.
    fn first_wording(
        &self,
        series: &Series,
        template: &Template,
        random: &mut Random,
    ) -> Vec<String> {
        let wording = match series.wording {
            // Most documents of a body share its vendor; a system from another vendor now and then.
            Wording::Vendor(vendor) if random.chance(85) => Wording::Vendor(vendor),
            Wording::Vendor(_) => Wording::Vendor(random.weighted(&VENDOR_WEIGHTS)),
            Wording::Own => Wording::Own,
        };
        let body = series.body.id;
        template
            .own
            .iter()
            .enumerate()
            .map(|(line, own)| {
                let pool = &self.pools[own.pool];
                match wording {
                    Wording::Vendor(vendor) => {
                        let text = &template.vendors[vendor][line];
                        let mut random =
                            Random::seeded(&[self.seed, EDIT, body, template.id, line as u64]);
                        if series.edits && random.chance(40) {
                            small_edit(text, &mut random)
                        } else {
                            text.clone()
                        }
                    }
                    Wording::Own => {
                        let mut random =
                            Random::seeded(&[self.seed, OWN, body, template.id, line as u64]);
                        let text = vary_text(&own.middle, pool, &mut random);
                        let text = vary_text(&text, pool, &mut random);
                        if random.chance(60) {
                            small_edit(&text, &mut random)
                        } else {
                            text
                        }
                    }
                }
            })
            .collect()
    }

    /// The versions of one 評価書 (and their change tables); false once the target is reached.
    fn series(&self, series: &Series, pass_seed: u64, sink: &mut Sink) -> bool {
        let body = series.body;
        let template = self.template(series.kind, body);
        let mut random = Random::seeded(&[pass_seed, SERIES, body.id, series.jimu_index as u64]);
        let dates = versions(&mut random);
        let mut middles = self.first_wording(series, template, &mut random);
        let mut answers: Vec<usize> = template
            .answers
            .iter()
            .map(|answer| random.weighted(&answer.weights))
            .collect();
        let mut audit = random.weighted(&AUDIT_WEIGHTS);
        let stem = series.jimu.trim_end_matches("に関する事務");
        let pref_stem = match body.prefecture.as_str() {
            "北海道" => "北海道",
            prefecture => prefecture
                .char_indices()
                .last()
                .map_or(prefecture, |(at, _)| &prefecture[..at]),
        };
        let organ = body.organ_suffix();
        let context = Context {
            name: &body.name,
            jimu: series.jimu,
            stem,
            kind: body.kind_char(),
            organ,
            pref_stem,
            ward_of: if body.kind == BodyKind::Designated {
                "区の"
            } else {
                ""
            },
        };
        let pass_note = if series.pass > 1 {
            format!(" 第{}巡", series.pass)
        } else {
            String::new()
        };
        let mut text = String::new();
        for (version, date) in dates.iter().enumerate() {
            if version > 0 {
                for _ in 0..(1 + random.below(3)).min(middles.len()) {
                    let line = random.below(middles.len());
                    let pool = &self.pools[template.own[line].pool];
                    middles[line] = revise(&middles[line], pool, &mut random);
                }
                for (index, answer) in answers.iter_mut().enumerate() {
                    if random.chance(5) {
                        *answer = random.weighted(&template.answers[index].weights);
                    }
                }
                if random.chance(10) {
                    audit = random.weighted(&AUDIT_WEIGHTS);
                }
            }
            let latest = version + 1 == dates.len();
            let cloud = latest
                && date.month >= CLOUD_FROM
                && series.kind != DocKind::Kiso
                && body.kind != BodyKind::Prefecture;
            let printed_date = date.wareki();
            text.clear();
            let records = render(
                &mut text,
                template,
                &context,
                &Rendering {
                    number: series.number,
                    date: &printed_date,
                    form: date.form(),
                    middles: &middles,
                    answers: &answers,
                    audit,
                    cloud,
                },
            );
            let entry = Entry {
                body,
                title: format!("{} {}", series.jimu, series.kind.label()),
                doc_type: series.kind.label(),
                jimu: series.jimu,
                date: &printed_date,
                note: format!("合成データ (synthetic){pass_note} 版{}", version + 1),
                records,
            };
            if !sink.write(&mut text, entry) {
                return false;
            }
            // Prefectures' 住基ネット has no 標準化 changes like 豊島区's: no change table.
            if version > 0
                && series.kind != DocKind::Kiso
                && body.kind != BodyKind::Prefecture
                && random.chance(10)
            {
                let (lines, records) =
                    if series.jimu_index == 2 && body.kind != BodyKind::Prefecture {
                        &self.change_table.tax
                    } else {
                        &self.change_table.resident
                    };
                text.clear();
                for line in lines {
                    context.expand(&mut text, line);
                    text.push('\n');
                }
                let entry = Entry {
                    body,
                    title: format!("{} 変更点リスク評価表", series.jimu),
                    doc_type: "変更点リスク評価表",
                    jimu: series.jimu,
                    date: &printed_date,
                    note: format!(
                        "合成データ (synthetic){pass_note} 版{} の変更点リスク評価表",
                        version + 1
                    ),
                    records: *records,
                };
                if !sink.write(&mut text, entry) {
                    return false;
                }
            }
        }
        true
    }
}

/// One 評価書 of a body, across its versions.
struct Series<'a> {
    body: &'a Body,
    pass: usize,
    /// 評価書番号.
    number: usize,
    jimu_index: usize,
    jimu: &'a str,
    kind: DocKind,
    wording: Wording,
    edits: bool,
}

/// What one version says.
struct Rendering<'a> {
    number: usize,
    date: &'a str,
    form: &'static str,
    middles: &'a [String],
    answers: &'a [usize],
    audit: usize,
    cloud: bool,
}

/// Writes one document's text; returns its records (about).
fn render(out: &mut String, template: &Template, context: &Context, version: &Rendering) -> usize {
    let mut incident = false;
    for part in &template.parts {
        match part {
            Part::Plain(line) => context.expand(out, line),
            Part::Title => {
                let _ = write!(
                    out,
                    "{}\t{} {}",
                    version.number,
                    context.jimu,
                    template.kind.label()
                );
            }
            Part::Organ => {
                out.push_str(context.name);
                out.push_str(context.organ);
            }
            Part::Date => out.push_str(version.date),
            Part::Form => {
                let _ = write!(
                    out,
                    "[{} 様式{}]",
                    version.form,
                    template.kind.form_number()
                );
            }
            Part::Own(index) => {
                let own = &template.own[*index];
                context.expand(out, &own.before);
                let cloud = own.cloud.as_ref().filter(|_| version.cloud);
                if cloud.is_some_and(|cloud| cloud.wrap) {
                    let _ = write!(out, "<{}における措置> ", context.name);
                }
                context.expand(out, &version.middles[*index]);
                match cloud {
                    Some(cloud) => {
                        context.expand(out, &own.after[..cloud.at]);
                        if cloud.paragraph {
                            let _ = write!(
                                out,
                                " <p><ガバメントクラウドにおける措置> {}</p>",
                                cloud.text
                            );
                        } else {
                            let _ = write!(out, " <ガバメントクラウドにおける措置> {}", cloud.text);
                        }
                        context.expand(out, &own.after[cloud.at..]);
                    }
                    None => context.expand(out, &own.after),
                }
            }
            Part::Answer(index) => {
                let answer = &template.answers[*index];
                let choice = version.answers[*index];
                if answer.incident {
                    incident = choice == 0;
                }
                context.expand(out, &answer.before);
                out.push_str(&answer.options[choice]);
                context.expand(out, &answer.after);
            }
            Part::Audit(before) => {
                context.expand(out, before);
                out.push_str(AUDITS[version.audit]);
            }
            Part::Incident(before) => {
                context.expand(out, before);
                out.push_str(if incident {
                    "（合成データのため記載を省略）"
                } else {
                    "—"
                });
            }
        }
        out.push('\n');
    }
    let mut records = template.records - template.incident_records;
    if incident {
        records += template.incident_lines;
    }
    if version.cloud {
        records += template.cloud_blocks;
    }
    records
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read template {}: {error}", path.display()))
        .replace("\r\n", "\n")
}

fn fixed(text: &str) -> String {
    text.split('\n')
        .map(fix_misprints)
        .collect::<Vec<_>>()
        .join("\n")
}

/// 熊本県's draft, made a template for any prefecture: the cover's 公表日 and 様式 filled in,
/// the office's address, telephone and the head of section's name left out.
fn prefecture_template_text(text: &str) -> String {
    let text = text
        .replace(
            "〒862-8570 熊本県熊本市中央区水前寺6丁目18番1号 熊本県庁本館3階 ",
            "",
        )
        .replace(
            "〒862-8570 熊本県熊本市中央区水前寺6丁目18番1号 熊本県庁新館1階 情報プラザ",
            "熊本県庁 情報公開窓口",
        )
        .replace(" 096-333-2105", "")
        .replace("課長 原 悟", "課長");
    let mut lines: Vec<&str> = text.split('\n').collect();
    if let Some(at) = lines
        .iter()
        .take(40)
        .position(|line| line.trim() == "公表日")
    {
        lines.splice(
            at + 1..at + 1,
            ["", "令和6年10月1日", "", "[令和6年10月 様式4]"],
        );
    }
    lines.join("\n")
}

fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    let arguments = match arguments() {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("synth: {message}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = &arguments.corpus;
    let sources = [
        Source {
            id: 0,
            kind: DocKind::Zen,
            body: "札幌市",
            pool_group: "municipal",
            file: "002_ac2772f135d57124.txt",
            text: fixed(&format!(
                "{SAPPORO_COVER}{}",
                read(&corpus.join("002_ac2772f135d57124.txt"))
            )),
            cloud: CloudPlace::Blocks,
        },
        Source {
            id: 1,
            kind: DocKind::Zen,
            body: "熊本県",
            pool_group: "prefecture",
            file: "004_4b002c556b2ae98c.txt",
            text: fixed(&prefecture_template_text(&read(
                &corpus.join("004_4b002c556b2ae98c.txt"),
            ))),
            cloud: CloudPlace::Nowhere,
        },
        Source {
            id: 2,
            kind: DocKind::Juten,
            body: "重点試験市",
            pool_group: "municipal",
            file: "juten.txt",
            text: fixed(&read(&crate_dir.join("tests/fixtures/kinds/juten.txt"))),
            cloud: CloudPlace::Wrap,
        },
        Source {
            id: 3,
            kind: DocKind::Kiso,
            body: "基礎試験町",
            pool_group: "municipal",
            file: "kiso.txt",
            text: fixed(&read(&crate_dir.join("tests/fixtures/kinds/kiso.txt"))),
            cloud: CloudPlace::Nowhere,
        },
    ];
    let pairs = placeholder_pairs();
    let mut pool_of_slot = BTreeMap::new();
    let mut pools = Vec::new();
    let mut templates: Vec<Template> = sources
        .iter()
        .map(|source| build_template(source, &pairs, &mut pool_of_slot, &mut pools))
        .collect();
    for pool in pools.iter_mut() {
        pool.sort();
        pool.dedup();
    }
    for template in templates.iter_mut() {
        template.vendors = vendor_wordings(template, &pools, arguments.seed);
    }
    let generator = Generator {
        seed: arguments.seed,
        pools,
        templates,
        change_table: change_table(&read(&corpus.join("000_e20f3394f4bd9a53.txt")), &pairs),
    };
    let bodies = load_bodies(&crate_dir.join("data/local-bodies.tsv"), arguments.seed);

    std::fs::create_dir_all(&arguments.out).expect("create the output folder");
    let mut manifest = BufWriter::new(
        File::create(arguments.out.join("manifest.toml")).expect("create the manifest"),
    );
    write!(
        manifest,
        "# 合成データ (SYNTHETIC): generated by benches/synth.rs, seed {}, target {} records.\n\
         # The bodies are real (name, code and prefecture from data/local-bodies.tsv), but every\n\
         # text is made up from the bundled documents: none is what that body published.\n",
        arguments.seed, arguments.records
    )
    .expect("write the manifest");
    let mut sink = Sink {
        out: arguments.out.clone(),
        manifest,
        target: arguments.records,
        documents: 0,
        records: 0,
        bytes: 0,
        by_doc_type: BTreeMap::new(),
        by_body_kind: BTreeMap::new(),
        last_body: None,
        pass: 1,
    };
    let mut pass = 0;
    'passes: while sink.records < sink.target {
        pass += 1;
        sink.pass = pass;
        let pass_seed = if pass == 1 {
            arguments.seed
        } else {
            Random::seeded(&[arguments.seed, PASS, pass as u64]).next()
        };
        let mut order: Vec<usize> = (0..bodies.len()).collect();
        Random::seeded(&[pass_seed, ORDER]).shuffle(&mut order);
        let before = sink.records;
        for &index in &order {
            if !generator.body(&bodies[index], pass, pass_seed, &mut sink) {
                break 'passes;
            }
        }
        if sink.records == before {
            break;
        }
    }
    sink.manifest.flush().expect("write the manifest");

    let bodies_written: usize = sink.by_body_kind.values().map(|(bodies, _)| bodies).sum();
    println!(
        "synth: {} documents, {} bodies, about {} records, {:.1} MB in {} (seed {}, {} pass{}, {:.1} s)",
        thousands(sink.documents),
        thousands(bodies_written),
        thousands(sink.records),
        sink.bytes as f64 / 1e6,
        arguments.out.display(),
        arguments.seed,
        pass,
        if pass == 1 { "" } else { "es" },
        started.elapsed().as_secs_f64()
    );
    let kinds: Vec<String> = [
        "全項目評価書",
        "重点項目評価書",
        "基礎項目評価書",
        "変更点リスク評価表",
    ]
    .iter()
    .map(|kind| {
        format!(
            "{kind} {}",
            thousands(sink.by_doc_type.get(kind).copied().unwrap_or_default())
        )
    })
    .collect();
    println!("  by kind of 評価書: {}", kinds.join(", "));
    let body_kinds: Vec<String> = sink
        .by_body_kind
        .iter()
        .map(|(kind, (bodies, documents))| {
            format!(
                "{} {} bodies / {} documents",
                kind.label(),
                thousands(*bodies),
                thousands(*documents)
            )
        })
        .collect();
    println!("  by body kind: {}", body_kinds.join(", "));
}
