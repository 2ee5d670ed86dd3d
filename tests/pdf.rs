//! Reading PDFs: the fixtures printed from the samples by two producers give the records of
//! the text they were printed from; old Japanese fonts decode; a panic in the PDF library
//! costs a page, not the file.
//!
//! The fixtures (tests/fixtures/pdf/) are made by scripts/pdf-fixtures/make: headless Chromium
//! printing the form as HTML tables (borders as thin filled rectangles, a running header and a
//! 「n / N」 footer, rows split over page breaks, a change table's header repeated on each
//! page) and LibreOffice Calc printing a spreadsheet laid out like the official Excel form
//! (merged value cells, stroked borders, the header row repeated by print titles).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hyoka::corpus::{DocumentMeta, read_document};
use hyoka::pdf::{PdfError, read_pdf};
use hyoka::record::Record;
use pdf_extract::{Dictionary, Document, Object, Stream};
use unicode_normalization::UnicodeNormalization;

use crate::util::{corpus_folder, run_ingest};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pdf")
        .join(name)
}

/// The manifest entry of a bundled sample, or a kind fixture read as it is.
fn meta_of(text_path: &Path) -> DocumentMeta {
    let name = text_path.file_name().unwrap().to_string_lossy().to_string();
    hyoka::corpus::meta_beside(text_path)
        .expect("manifest")
        .unwrap_or_else(|| {
            let text = std::fs::read_to_string(text_path).expect("text");
            hyoka::corpus::infer_meta(name, &text)
        })
}

/// What makes two records the same for a reader: where it sits (slot, 特定個人情報ファイル,
/// field) and what it says, after NFKC and without whitespace.
fn record_key(record: &Record) -> (String, String, String, String) {
    let said: String = [
        record.text.as_str(),
        record.before_text.as_deref().unwrap_or_default(),
        record.after_text.as_deref().unwrap_or_default(),
        record.reason.as_deref().unwrap_or_default(),
        record.choice.as_deref().unwrap_or_default(),
        record.rating.as_deref().unwrap_or_default(),
    ]
    .join(" ")
    .nfkc()
    .filter(|character| !character.is_whitespace())
    .collect();
    (
        record.slot.clone().unwrap_or_default(),
        record.file_name.clone().unwrap_or_default(),
        record.field.clone().unwrap_or_default(),
        said,
    )
}

/// The share of the text version's records that the PDF gives identically.
fn identical_share(text_path: &Path, pdf_name: &str) -> (usize, usize, f64) {
    let meta = meta_of(text_path);
    let text = std::fs::read_to_string(text_path).expect("text");
    let from_text = hyoka::parse::parse_document(&meta, &text).expect("text parses");
    let read = read_document(&fixture(pdf_name), pdf_name).expect("the PDF is read");
    assert_eq!(read.encoding, "PDF");
    let pdf_text = read.text;
    let from_pdf = hyoka::parse::parse_document(&meta, &pdf_text).expect("PDF text parses");
    let mut left: BTreeMap<_, usize> = BTreeMap::new();
    for record in &from_pdf {
        *left.entry(record_key(record)).or_default() += 1;
    }
    let mut identical = 0;
    for record in &from_text {
        if let Some(count) = left.get_mut(&record_key(record))
            && *count > 0
        {
            *count -= 1;
            identical += 1;
        }
    }
    let share = identical as f64 / from_text.len().max(1) as f64;
    (from_text.len(), from_pdf.len(), share)
}

fn sample_path(prefix: &str) -> PathBuf {
    std::fs::read_dir(corpus_folder())
        .expect("corpus")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
        })
        .expect("sample")
}

fn kind_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kinds")
        .join(name)
}

#[test]
fn each_printed_pdf_gives_the_records_of_the_text_it_was_printed_from() {
    let cases = [
        (sample_path("002_"), "sapporo-chromium.pdf"),
        (sample_path("002_"), "sapporo-calc.pdf"),
        // Each file's Ⅲ part from a new page: its heading at the top of three pages is a
        // heading, not a running header.
        (sample_path("002_"), "sapporo-sections-chromium.pdf"),
        (sample_path("000_"), "toshima-chromium.pdf"),
        (sample_path("000_"), "toshima-calc.pdf"),
        (kind_fixture("juten.txt"), "juten-chromium.pdf"),
        // Other producers (scripts/pdf-fixtures/reportlab_form.py): every cell its own
        // rectangle, headings in fake bold, and a risk's label cell merged over its rows with
        // the heading printed vertically. 札幌市's three file parts laid out alike put the same
        // rows at the foot of three pages far apart: body text, not a running footer.
        (sample_path("002_"), "sapporo-cells.pdf"),
        (kind_fixture("juten.txt"), "juten-cells.pdf"),
        (kind_fixture("juten.txt"), "juten-vertical.pdf"),
        // WeasyPrint: CID TrueType fonts (Identity-H, or an embedded CMap as the encoding for
        // the larger documents), objects in compressed object streams.
        (sample_path("002_"), "sapporo-weasyprint.pdf"),
        (kind_fixture("juten.txt"), "juten-weasyprint.pdf"),
        // Two tables on one page whose walls stand a hair apart (a change table's last row,
        // then the next table): each keeps its own walls.
        (sample_path("000_"), "toshima-weasyprint.pdf"),
        (kind_fixture("kiso.txt"), "kiso-calc.pdf"),
        // 基礎項目 and 重点項目 in full, two 様式 each (covers, Ⅰ–Ⅴ, the annexed change table).
        (
            kind_fixture("kiso-full-r6.txt"),
            "kiso-full-r6-chromium.pdf",
        ),
        (
            kind_fixture("kiso-full-r6.txt"),
            "kiso-full-r6-weasyprint.pdf",
        ),
        (
            kind_fixture("kiso-full-h30.txt"),
            "kiso-full-h30-chromium.pdf",
        ),
        (
            kind_fixture("juten-full-r6.txt"),
            "juten-full-r6-chromium.pdf",
        ),
        (
            kind_fixture("juten-full-h30.txt"),
            "juten-full-h30-chromium.pdf",
        ),
        (
            kind_fixture("juten-full-h30.txt"),
            "juten-full-h30-weasyprint.pdf",
        ),
    ];
    let mut report = String::new();
    for (text_path, pdf_name) in cases {
        let (text_records, pdf_records, share) = identical_share(&text_path, pdf_name);
        report.push_str(&format!(
            "{pdf_name}: {text_records} records from the text, {pdf_records} from the PDF, {share:.3} identical\n"
        ));
        assert!(text_records > 0);
    }
    println!("{report}");
    for line in report.lines() {
        // Measured 1.000 on every print: one record lost or changed is a regression.
        assert!(line.ends_with("1.000 identical"), "{report}");
    }
}

#[test]
fn a_running_header_and_page_footer_never_become_record_text() {
    for name in [
        "sapporo-chromium.pdf",
        "sapporo-calc.pdf",
        "toshima-calc.pdf",
    ] {
        let text = read_document(&fixture(name), name).expect("read").text;
        assert!(
            !text.contains("全項目評価書\n")
                && !text.contains("/ 1")
                && !text.contains("(住民基本台帳・個人住民税)"),
            "{name}: {}",
            text.lines()
                .filter(|line| line.contains("評価書") || line.contains(" / "))
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
}

#[test]
fn a_change_table_header_repeated_on_each_page_is_read_once() {
    for name in ["toshima-chromium.pdf", "toshima-calc.pdf"] {
        let text = read_document(&fixture(name), name).expect("read").text;
        // The sample holds two 変更点リスク評価表 (住民基本台帳 and 個人住民税, with other
        // columns), each of three pages with its header on each; the prints run them over
        // more pages, each header read as often as the text has it.
        let source = std::fs::read_to_string(sample_path("000_")).expect("sample");
        for header in ["通番\t変更前", "通番\t項目\t変更前"] {
            let in_source = source.lines().filter(|l| l.starts_with(header)).count();
            let in_pdf = text.lines().filter(|l| l.starts_with(header)).count();
            assert!(in_source > 0, "the sample has no {header:?} header");
            assert_eq!(in_pdf, in_source, "{name}: {header}");
        }
    }
}

#[test]
fn a_row_split_by_a_page_break_is_one_row() {
    // 豊島区 通番 11 runs from page 1 onto page 2 in the Chromium print.
    let name = "toshima-chromium.pdf";
    let text = read_document(&fixture(name), name).expect("read").text;
    let row = text
        .lines()
        .find(|line| line.starts_with("11\t"))
        .expect("row 11");
    let source = std::fs::read_to_string(sample_path("000_")).expect("sample");
    let source_row = source
        .lines()
        .find(|line| line.starts_with("11\t"))
        .expect("row 11 in the text");
    let squeeze = |text: &str| -> String {
        text.nfkc()
            .filter(|character| !character.is_whitespace())
            .collect()
    };
    assert_eq!(squeeze(row), squeeze(source_row));
    // No piece of a split row is left as a row of its own (rows with empty leading cells
    // are as many as in the text).
    let continued = |text: &str| text.lines().filter(|line| line.starts_with("\t\t")).count();
    assert_eq!(continued(&text), continued(&source));
}

#[test]
fn a_pdf_protected_only_against_printing_or_copying_is_read() {
    let name = "bad/permissions-only.pdf";
    let text = read_document(&fixture(name), name)
        .expect("opens without a password")
        .text;
    assert!(text.contains("重点項目評価書"), "{text}");
}

#[test]
fn each_bad_pdf_is_refused_with_the_reason() {
    let locked = std::fs::read(fixture("bad/locked.pdf")).expect("fixture");
    assert_eq!(read_pdf(&locked).unwrap_err(), PdfError::Encrypted);
    let scanned = std::fs::read(fixture("bad/scanned.pdf")).expect("fixture");
    assert!(matches!(
        read_pdf(&scanned),
        Err(PdfError::NoText { pages: 1, .. })
    ));
    let printed = std::fs::read(fixture("sapporo-chromium.pdf")).expect("fixture");
    assert!(matches!(
        read_pdf(&printed[..printed.len() / 2]),
        Err(PdfError::Broken(_))
    ));
    assert_eq!(
        read_pdf("特定個人情報保護評価書".as_bytes()).unwrap_err(),
        PdfError::NotPdf
    );
    assert_eq!(read_pdf(b"").unwrap_err(), PdfError::NotPdf);
    // A font whose glyphs map to the private use area: text that reads as nothing.
    let garbage: String = (0xE000u32..0xE040).filter_map(char::from_u32).collect();
    let bytes = pdf_with_cmap(&[(
        "UniJIS-UCS2-H",
        content_showing(&[ucs2(&garbage), ucs2("住民基本台帳")]),
    )]);
    match read_pdf(&bytes) {
        Err(PdfError::NoText {
            usable, unmapped, ..
        }) => assert!(unmapped * 3 > usable + unmapped, "{usable} / {unmapped}"),
        other => panic!("{other:?}"),
    }
}

/// A one-font PDF written by hand: `pages` content streams drawn with a Type0 font whose
/// encoding is `encoding` and which has no ToUnicode, as old Japanese PDFs are.
pub(crate) fn pdf_with_cmap(pages: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut document = Document::with_version("1.4");
    let pages_id = document.new_object_id();
    let mut kids = Vec::new();
    for (encoding, content) in pages {
        let font_id = add_type0_font(&mut document, encoding);
        let content_id = document.add_object(Stream::new(Dictionary::new(), content.clone()));
        kids.push(add_page(&mut document, pages_id, font_id, content_id));
    }
    finish_pdf(document, pages_id, kids)
}

/// A Type0 font named MS-Mincho with `encoding` and no ToUnicode, as old Japanese PDFs carry
/// it: its descriptor, its descendant and the font itself.
pub(crate) fn add_type0_font(document: &mut Document, encoding: &str) -> (u32, u16) {
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    descriptor.set("FontName", Object::Name(b"MS-Mincho".to_vec()));
    descriptor.set("Flags", Object::Integer(6));
    descriptor.set(
        "FontBBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(-141),
            Object::Integer(1000),
            Object::Integer(859),
        ]),
    );
    descriptor.set("ItalicAngle", Object::Integer(0));
    descriptor.set("Ascent", Object::Integer(859));
    descriptor.set("Descent", Object::Integer(-141));
    descriptor.set("CapHeight", Object::Integer(700));
    descriptor.set("StemV", Object::Integer(80));
    let descriptor_id = document.add_object(descriptor);
    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Japan1"));
    system.set("Supplement", Object::Integer(4));
    let mut descendant = Dictionary::new();
    descendant.set("Type", Object::Name(b"Font".to_vec()));
    descendant.set("Subtype", Object::Name(b"CIDFontType0".to_vec()));
    descendant.set("BaseFont", Object::Name(b"MS-Mincho".to_vec()));
    descendant.set("CIDSystemInfo", Object::Dictionary(system));
    descendant.set("FontDescriptor", Object::Reference(descriptor_id));
    descendant.set("DW", Object::Integer(1000));
    let descendant_id = document.add_object(descendant);
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type0".to_vec()));
    font.set("BaseFont", Object::Name(b"MS-Mincho".to_vec()));
    font.set("Encoding", Object::Name(encoding.as_bytes().to_vec()));
    font.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(descendant_id)]),
    );
    document.add_object(font)
}

/// An A4 page drawing `content_id` with `font_id` as /F1.
pub(crate) fn add_page(
    document: &mut Document,
    pages_id: (u32, u16),
    font_id: (u32, u16),
    content_id: (u32, u16),
) -> Object {
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", Object::Reference(pages_id));
    page.set("Contents", Object::Reference(content_id));
    page.set("Resources", Object::Dictionary(resources));
    page.set(
        "MediaBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            Object::Integer(595),
            Object::Integer(842),
        ]),
    );
    Object::Reference(document.add_object(page))
}

/// The page tree over `kids`, the catalogue after everything else, and the file written.
pub(crate) fn finish_pdf(
    mut document: Document,
    pages_id: (u32, u16),
    kids: Vec<Object>,
) -> Vec<u8> {
    let mut pages_dictionary = Dictionary::new();
    pages_dictionary.set("Type", Object::Name(b"Pages".to_vec()));
    pages_dictionary.set("Count", Object::Integer(kids.len() as i64));
    pages_dictionary.set("Kids", Object::Array(kids));
    document
        .objects
        .insert(pages_id, Object::Dictionary(pages_dictionary));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = document.add_object(catalog);
    document.trailer.set("Root", Object::Reference(catalog_id));
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("write the PDF");
    bytes
}

/// A content stream showing each line's codes (as hex) one under another.
pub(crate) fn content_showing(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 14 TL 50 780 Td\n");
    for codes in lines {
        let hex: String = codes.iter().map(|byte| format!("{byte:02X}")).collect();
        content.push_str(&format!("<{hex}> Tj T*\n"));
    }
    content.push_str("ET\n");
    content.into_bytes()
}

const OLD_FONT_LINES: [&str; 3] = [
    "リスク1: 目的外の入手が行われるリスク",
    "対象者以外の情報の入手を防止するための措置の内容",
    "窓口における届出人の本人確認を厳格に行う。ABC 123",
];

pub(crate) fn ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

fn shift_jis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

#[test]
fn old_japanese_fonts_without_a_unicode_map_decode() {
    type Encoder = fn(&str) -> Vec<u8>;
    let cases: [(&str, Encoder); 3] = [
        ("UniJIS-UCS2-H", ucs2),
        ("90ms-RKSJ-H", shift_jis),
        ("90msp-RKSJ-H", shift_jis),
    ];
    for (encoding, encode) in cases {
        let lines: Vec<Vec<u8>> = OLD_FONT_LINES.iter().map(|line| encode(line)).collect();
        let bytes = pdf_with_cmap(&[(encoding, content_showing(&lines))]);
        let read = read_pdf(&bytes).unwrap_or_else(|error| panic!("{encoding}: {error}"));
        let got: Vec<&str> = read.text.lines().collect();
        assert_eq!(got, OLD_FONT_LINES, "{encoding}");
    }
}

#[test]
fn fake_bold_text_drawn_twice_reads_once() {
    // Word and old printers embolden by drawing the run again a fraction of a point away.
    let line = ucs2(OLD_FONT_LINES[1]);
    let hex: String = line.iter().map(|byte| format!("{byte:02X}")).collect();
    let content = format!(
        "BT /F1 12 Tf 50 780 Td <{hex}> Tj ET\nBT /F1 12 Tf 50.35 780.2 Td <{hex}> Tj ET\n"
    );
    let read = read_pdf(&pdf_with_cmap(&[("UniJIS-UCS2-H", content.into_bytes())])).expect("read");
    assert_eq!(read.text.trim_end(), OLD_FONT_LINES[1]);
}

#[test]
fn look_alike_code_points_of_a_font_read_as_the_characters_shown() {
    // A font mapping the glyph of 民 to the radical ⺠, ① to the dingbat ➀, ・ to ‧.
    let content = content_showing(&[
        ucs2("住⺠基本台帳"),
        ucs2("➀届出‧申請"),
        ucs2(OLD_FONT_LINES[0]),
    ]);
    let read = read_pdf(&pdf_with_cmap(&[("UniJIS-UCS2-H", content)])).expect("read");
    let lines: Vec<&str> = read.text.lines().collect();
    assert_eq!(lines, ["住民基本台帳", "①届出・申請", OLD_FONT_LINES[0]]);
}

#[test]
fn one_font_name_for_another_font_on_the_next_page_reads_each_page_with_its_own() {
    // Fonts are kept from page to page by the object they are, names only within a page: /F1
    // is a UCS-2 font on the first page and a Shift_JIS one on the second.
    let first = content_showing(&[ucs2(OLD_FONT_LINES[0])]);
    let second = content_showing(&[shift_jis(OLD_FONT_LINES[1])]);
    let bytes = pdf_with_cmap(&[("UniJIS-UCS2-H", first), ("90ms-RKSJ-H", second)]);
    let read = read_pdf(&bytes).expect("read");
    let lines: Vec<&str> = read.text.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines, [OLD_FONT_LINES[0], OLD_FONT_LINES[1]]);
}

#[test]
fn one_font_object_drawn_on_every_page_reads_on_every_page() {
    let mut document = Document::with_version("1.4");
    let pages_id = document.new_object_id();
    let font_id = add_type0_font(&mut document, "UniJIS-UCS2-H");
    let kids: Vec<Object> = OLD_FONT_LINES
        .iter()
        .map(|line| {
            let content = content_showing(&[ucs2(line)]);
            let content_id = document.add_object(Stream::new(Dictionary::new(), content));
            add_page(&mut document, pages_id, font_id, content_id)
        })
        .collect();
    let read = read_pdf(&finish_pdf(document, pages_id, kids)).expect("read");
    assert_eq!(read.pages, OLD_FONT_LINES.len());
    let lines: Vec<&str> = read.text.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(lines, OLD_FONT_LINES);
}

#[test]
fn a_panic_in_the_pdf_library_costs_its_page_not_the_file() {
    // pdf-extract panics on a CMap it does not know (a Chinese one here).
    let good = content_showing(&[ucs2(OLD_FONT_LINES[2])]);
    let bytes = pdf_with_cmap(&[("UniGB-UCS2-H", good.clone()), ("UniJIS-UCS2-H", good)]);
    let read = read_pdf(&bytes).expect("the second page is read");
    assert_eq!(read.text.trim_end(), OLD_FONT_LINES[2]);
    assert_eq!(read.failed_pages.len(), 1);
    assert_eq!(read.failed_pages[0].0, 1);
    assert!(read.failed_pages[0].1.contains("UniGB-UCS2-H"));

    let only_bad = content_showing(&[ucs2(OLD_FONT_LINES[2])]);
    let bytes = pdf_with_cmap(&[("UniGB-UCS2-H", only_bad)]);
    assert!(matches!(read_pdf(&bytes), Err(PdfError::ReaderFailed(_))));
}

/// A temporary folder holding `pdfs/` with copies of these fixtures and nothing else.
fn folder_of_pdfs(names: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("folder");
    let corpus = folder.path().join("pdfs");
    std::fs::create_dir(&corpus).expect("create");
    for name in names {
        std::fs::copy(fixture(name), corpus.join(name)).expect("copy");
    }
    (folder, corpus)
}

#[test]
fn a_folder_of_pdfs_without_a_manifest_ingests_and_reports_each_document() {
    let (folder, corpus) = folder_of_pdfs(&[
        "sapporo-chromium.pdf",
        "toshima-calc.pdf",
        "juten-chromium.pdf",
        "kiso-calc.pdf",
    ]);
    let output = run_ingest(&corpus, &folder.path().join("index"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let line_of = |file: &str| -> Vec<String> {
        stdout
            .lines()
            .find(|line| line.starts_with(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{stdout}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    // body, code, kind, 評価書番号, 様式, 公表日, encoding, records, slot share
    let sapporo = line_of("sapporo-chromium.pdf");
    assert_eq!(sapporo[1..4], ["札幌市", "011002", "全項目評価書"]);
    assert_eq!(sapporo[sapporo.len() - 3..], ["PDF", "152", "100.0%"]);
    let toshima = line_of("toshima-calc.pdf");
    assert_eq!(toshima[1..4], ["豊島区", "131164", "変更点リスク評価表"]);
    let juten = line_of("juten-chromium.pdf");
    assert_eq!(
        juten[1..9],
        [
            "重点試験市",
            "-",
            "重点項目評価書",
            "3",
            "令和6年10月",
            "様式3",
            "令和6年10月1日",
            "PDF"
        ]
    );
    let kiso = line_of("kiso-calc.pdf");
    assert_eq!(
        kiso[1..9],
        [
            "基礎試験町",
            "-",
            "基礎項目評価書",
            "5",
            "令和3年4月",
            "様式2",
            "令和5年4月1日",
            "PDF"
        ]
    );
    assert!(
        stdout.contains("4 文書を読み、") && stdout.contains("読み込まなかった文書 0"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_three_kinds_read_from_pdfs_meet_in_one_comparison_of_the_api() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    let (folder, corpus) = folder_of_pdfs(&[
        "sapporo-chromium.pdf",
        "juten-chromium.pdf",
        "kiso-calc.pdf",
    ]);
    let index = crate::util::ingested(&corpus, &folder.path().join("index"));
    let state = hyoka::http::AppState::new(std::sync::Arc::new(index)).with_corpus(corpus.clone());
    let app = hyoka::http::app(state);
    // 「目的外の入手が行われるリスク」: a 全項目 measure, a 重点項目 measure, a 基礎項目 answer.
    let response = app
        .clone()
        .oneshot(
            Request::get("/api/compare?slot=III.2.R1&limit=500")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    let comparison: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let rows = comparison["rows"].as_array().expect("rows");
    let kinds: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter_map(|row| row["doc_type"].as_str())
        .collect();
    for kind in ["全項目評価書", "重点項目評価書", "基礎項目評価書"] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    let juten = rows
        .iter()
        .find(|row| row["body"] == "重点試験市" && row["text"] != "")
        .expect("the 重点項目 measure");
    assert!(!juten["compared_with"].is_null(), "{juten}");

    // Each PDF record knows its page, and the page opens the original PDF at it.
    let sapporo = rows
        .iter()
        .find(|row| row["source"]["file"] == "sapporo-chromium.pdf")
        .expect("a 札幌市 row");
    let page = sapporo["source"]["page"].as_u64().expect("a page");
    assert!((1..=16).contains(&page), "{sapporo}");
    let fetch = |uri: &str| {
        let app = app.clone();
        let request = Request::get(uri).body(Body::empty()).expect("request");
        async move {
            let response = app.oneshot(request).await.expect("response");
            let status = response.status();
            let content_type = response
                .headers()
                .get("content-type")
                .map(|value| value.to_str().unwrap_or_default().to_string());
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .expect("body")
                .to_bytes();
            (status, content_type, bytes)
        }
    };
    // The CSV cites a PDF's records by page, not by a line of text nobody sees.
    let (status, _, csv) = fetch("/api/export.csv?slot=III.2.R1").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv);
    let cited = regex::Regex::new(r"sapporo-chromium\.pdf \d+ページ").expect("pattern");
    assert!(cited.is_match(&csv), "{csv}");
    assert!(!csv.contains("行目"), "{csv}");
    let (status, content_type, bytes) = fetch("/documents/sapporo-chromium.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    assert!(bytes.starts_with(b"%PDF-"));
    // Only indexed PDFs of the folder, by bare name.
    std::fs::write(corpus.join("not-indexed.pdf"), b"%PDF-1.4").expect("write");
    for uri in [
        "/documents/not-indexed.pdf",
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/..%2Fpdfs%2Fsapporo-chromium.pdf",
        "/documents/missing.pdf",
    ] {
        let (status, _, bytes) = fetch(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!bytes.starts_with(b"%PDF"), "{uri}");
    }
}

#[test]
fn headings_read_from_a_pdf_are_the_headings_of_its_text() {
    let text_path = sample_path("002_");
    let meta = meta_of(&text_path);
    let text = std::fs::read_to_string(&text_path).expect("text");
    let headings = |records: &[Record]| -> std::collections::BTreeSet<String> {
        records
            .iter()
            .map(|record| {
                // Spacing aside: a PDF shows no difference between 「リスク1： 目的」 and
                // 「リスク1：目的」.
                record
                    .section_path
                    .join(" › ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let from_text = headings(&hyoka::parse::parse_document(&meta, &text).expect("parses"));
    for name in ["sapporo-chromium.pdf", "sapporo-calc.pdf"] {
        let read = read_document(&fixture(name), name).expect("read");
        let from_pdf = headings(&hyoka::parse::parse_document(&meta, &read.text).expect("parses"));
        let missing: Vec<_> = from_text.difference(&from_pdf).collect();
        let extra: Vec<_> = from_pdf.difference(&from_text).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:#?}\nextra {extra:#?}"
        );
    }
}

#[test]
fn a_scanned_page_among_printed_ones_is_named_in_a_warning() {
    let printed = content_showing(&[ucs2(OLD_FONT_LINES[1]), ucs2(OLD_FONT_LINES[2])]);
    let scanned = b"q 500 0 0 700 50 50 cm Q\n".to_vec();
    let bytes = pdf_with_cmap(&[("UniJIS-UCS2-H", printed), ("UniJIS-UCS2-H", scanned)]);
    let read = read_pdf(&bytes).expect("the printed page is read");
    assert_eq!(read.textless_pages, [2]);
    let folder = tempfile::tempdir().expect("folder");
    let path = folder.path().join("mixed.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let read = read_document(&path, "mixed.pdf").expect("read");
    assert_eq!(
        read.warnings,
        [
            "mixed.pdf: 2 ページ目（全 2 ページ）に文字がありません（スキャンした画像？）。書かれている内容は索引に入りません"
        ]
    );
}
