//! Damaged PDFs read as viewers read them: a file whose cross-reference table or trailer
//! cannot be trusted (a wrong `startxref`, a server's page appended after `%%EOF`, an
//! incremental update pointing nowhere, a download cut short) is rebuilt from the objects it
//! holds, reads to the text of the intact print, and the report says it was repaired.

use hyoka::corpus::read_document;
use hyoka::pdf::read_pdf;
use pdf_extract::{Dictionary, Document, Object, Stream};

use crate::pdf::{add_page, add_type0_font, content_showing, finish_pdf, fixture, ucs2};

/// Prints of the fixtures: three producers (WeasyPrint's with a cross-reference stream and
/// its catalogue and pages inside an object stream), the three kinds.
const PRINTS: [&str; 7] = [
    "sapporo-chromium.pdf",
    "sapporo-calc.pdf",
    "toshima-chromium.pdf",
    "toshima-calc.pdf",
    "juten-chromium.pdf",
    "kiso-calc.pdf",
    "juten-weasyprint.pdf",
];

/// What a reader sees of the repair in the ingest report.
const REPAIRED: &str = "修復して読み込みました";

fn last(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
        .expect("the print has it")
}

/// `startxref` pointing a few bytes off, as after a gateway re-encodes line ends.
fn wrong_startxref(intact: &[u8]) -> Vec<u8> {
    let at = last(intact, b"startxref");
    let offset: usize = String::from_utf8_lossy(&intact[at + 9..])
        .split_whitespace()
        .next()
        .and_then(|number| number.parse().ok())
        .expect("an offset");
    let mut damaged = intact[..at].to_vec();
    damaged.extend_from_slice(format!("startxref\n{}\n%%EOF\n", offset + 37).as_bytes());
    damaged
}

/// A web server's error page after `%%EOF` (more than the 512 bytes readers look back over).
fn page_appended(intact: &[u8]) -> Vec<u8> {
    let mut damaged = intact.to_vec();
    damaged.extend_from_slice(
        b"\r\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body>\n",
    );
    for _ in 0..12 {
        damaged.extend_from_slice("<p>お探しのページは見つかりませんでした。</p>\n".as_bytes());
    }
    damaged.extend_from_slice(b"</body></html>\n");
    damaged
}

/// An incremental update whose `/Prev` points past the end of the file.
fn broken_prev(intact: &[u8]) -> Vec<u8> {
    // The root the file names last, in a trailer or a cross-reference stream.
    let at = last(intact, b"/Root");
    let root = String::from_utf8_lossy(&intact[at + 5..])
        .split('R')
        .next()
        .expect("a root")
        .trim()
        .to_string();
    let mut damaged = intact.to_vec();
    let xref_at = damaged.len() + 1;
    damaged.extend_from_slice(
        format!(
            "\nxref\n0 0\ntrailer\n<< /Root {root} R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            intact.len() * 10
        )
        .as_bytes(),
    );
    damaged
}

/// A download cut short inside the cross-reference section (a table or a stream).
fn tail_cut(intact: &[u8]) -> Vec<u8> {
    intact[..last(intact, b"startxref") - 30].to_vec()
}

#[test]
fn a_print_with_a_damaged_cross_reference_table_reads_as_the_intact_print() {
    type Damage = fn(&[u8]) -> Vec<u8>;
    let damages: [(&str, Damage); 4] = [
        ("wrong startxref", wrong_startxref),
        ("bytes after %%EOF", page_appended),
        ("broken /Prev", broken_prev),
        ("cut tail", tail_cut),
    ];
    let folder = tempfile::tempdir().expect("folder");
    for print in PRINTS {
        let intact = std::fs::read(fixture(print)).expect("fixture");
        let intact_text = read_pdf(&intact).expect("the intact print reads").text;
        for (damage, make) in damages {
            let damaged = make(&intact);
            // The damage is real: the reader alone refuses the file.
            assert!(
                Document::load_mem(&damaged).is_err(),
                "{print}, {damage}: the damaged file opens without repair"
            );
            let path = folder.path().join(format!("damaged-{print}"));
            std::fs::write(&path, &damaged).expect("write");
            let read = read_document(&path, print)
                .unwrap_or_else(|error| panic!("{print}, {damage}: {error}"));
            assert_eq!(read.text, intact_text, "{print}, {damage}");
            assert!(
                read.warnings
                    .iter()
                    .any(|warning| warning.contains(REPAIRED)),
                "{print}, {damage}: {:?}",
                read.warnings
            );
        }
    }
}

#[test]
fn an_intact_print_is_read_without_repair() {
    for print in PRINTS {
        let read = read_document(&fixture(print), print).expect("reads");
        assert!(
            read.warnings
                .iter()
                .all(|warning| !warning.contains(REPAIRED)),
            "{print}: {:?}",
            read.warnings
        );
    }
}

const PAGE_LINES: [[&str; 2]; 3] = [
    [
        "リスク1: 目的外の入手が行われるリスク",
        "窓口における届出人の本人確認を厳格に行う。",
    ],
    [
        "リスク2: 不適切な方法で入手が行われるリスク",
        "届出書の様式を定め、必要な項目のみ記載させる。",
    ],
    [
        "リスク3: 入手した特定個人情報が不正確であるリスク",
        "住民票の記載事項と照合する。",
    ],
];

/// Three pages in one UCS-2 font, written as producers that put the page contents last do:
/// fonts, then pages, then compressed content streams, then the catalogue.
fn print_with_contents_last() -> Vec<u8> {
    let mut document = Document::with_version("1.4");
    let pages_id = document.new_object_id();
    let font_id = add_type0_font(&mut document, "UniJIS-UCS2-H");
    // The content streams' numbers after every page's: written last.
    let page_ids: Vec<_> = PAGE_LINES
        .iter()
        .map(|_| document.new_object_id())
        .collect();
    let content_ids: Vec<_> = PAGE_LINES
        .iter()
        .map(|_| document.new_object_id())
        .collect();
    let mut kids = Vec::new();
    for (page_id, content_id) in page_ids.iter().zip(&content_ids) {
        let page = add_page(&mut document, pages_id, font_id, *content_id);
        // add_page numbered it anew: move it to the number reserved before the contents.
        if let Object::Reference(added) = page
            && let Some(object) = document.objects.remove(&added)
        {
            document.objects.insert(*page_id, object);
        }
        kids.push(Object::Reference(*page_id));
    }
    for (content_id, lines) in content_ids.iter().zip(PAGE_LINES) {
        let shown: Vec<Vec<u8>> = lines.iter().map(|line| ucs2(line)).collect();
        let mut stream = Stream::new(Dictionary::new(), content_showing(&shown));
        stream.compress().expect("compress");
        document.objects.insert(*content_id, Object::Stream(stream));
    }
    finish_pdf(document, pages_id, kids)
}

#[test]
fn a_download_cut_short_reads_the_pages_it_still_holds() {
    let intact = print_with_contents_last();
    let all_lines: Vec<&str> = PAGE_LINES.iter().flatten().copied().collect();
    assert_eq!(
        read_pdf(&intact)
            .expect("intact")
            .text
            .lines()
            .collect::<Vec<_>>(),
        all_lines
    );
    // Cut inside the last page's content stream: the catalogue, the page tree and the
    // cross-reference table are gone, and so is the end of that page.
    let catalog = last(&intact, b"/Type/Catalog");
    let end_of_last_stream = last(&intact[..catalog], b"endstream");
    let cut = &intact[..end_of_last_stream - 20];
    let read = read_pdf(cut).expect("the pages it holds are read");
    let lines: Vec<&str> = read.text.lines().collect();
    assert_eq!(&lines[..4], &all_lines[..4], "{}", read.text);
    assert!(
        lines[4..].iter().all(|line| all_lines[4..]
            .iter()
            .any(|whole| whole.starts_with(line.trim()))),
        "the cut page gives a beginning of its text or nothing: {:?}",
        &lines[4..]
    );
    let repair = read.repaired.expect("repaired");
    assert!(repair.done.rebuilt_page_tree);
    assert_eq!(repair.done.truncated_streams, 1);
    assert!(repair.sentence().contains(REPAIRED));
}

#[test]
fn a_stream_with_a_wrong_length_is_read_to_its_end() {
    let intact = print_with_contents_last();
    // Every /Length of the content streams off by 5, as after a line-end conversion.
    let text = intact.clone();
    let mut damaged = Vec::new();
    let mut streams = 0;
    let mut rest = &text[..];
    while let Some(at) = rest.windows(8).position(|window| window == b"/Length ") {
        damaged.extend_from_slice(&rest[..at + 8]);
        rest = &rest[at + 8..];
        let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        let length: usize = std::str::from_utf8(&rest[..digits])
            .expect("digits")
            .parse()
            .expect("a length");
        damaged.extend_from_slice((length + 5).to_string().as_bytes());
        streams += 1;
        rest = &rest[digits..];
    }
    damaged.extend_from_slice(rest);
    let read = read_pdf(&damaged).expect("read");
    let all_lines: Vec<&str> = PAGE_LINES.iter().flatten().copied().collect();
    assert_eq!(read.text.lines().collect::<Vec<_>>(), all_lines);
    let repair = read.repaired.expect("repaired");
    assert_eq!(repair.done.corrected_lengths, streams);
}

#[test]
fn a_page_that_draws_without_end_costs_its_page_named_in_the_report() {
    let good = content_showing(&[ucs2(PAGE_LINES[0][0]), ucs2(PAGE_LINES[0][1])]);
    // A quarter of a million `q` (each saves the graphics state): far past what a printed page
    // draws, and memory that grows with every one.
    let mut endless = "q\n".repeat(250_000).into_bytes();
    endless.extend_from_slice(&content_showing(&[ucs2(PAGE_LINES[1][0])]));
    let bytes = crate::pdf::pdf_with_cmap(&[("UniJIS-UCS2-H", good), ("UniJIS-UCS2-H", endless)]);
    let read = read_pdf(&bytes).expect("the first page is read");
    assert_eq!(read.text.lines().collect::<Vec<_>>(), PAGE_LINES[0]);
    assert_eq!(read.failed_pages.len(), 1, "{:?}", read.failed_pages);
    let (page, reason) = &read.failed_pages[0];
    assert_eq!(*page, 2);
    assert!(reason.contains("上限"), "{reason}");
}

/// The first occurrence of `needle`.
fn first(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("the print has it")
}

#[test]
fn a_flipped_byte_in_a_dictionary_and_a_value_nested_without_end_are_read_past() {
    for print in ["kiso-calc.pdf", "toshima-calc.pdf"] {
        let intact = std::fs::read(fixture(print)).expect("fixture");
        let intact_text = read_pdf(&intact).expect("intact").text;
        // A byte no PDF token holds between two numbers of a font's width array (a flipped bit
        // in transit): the reader alone loses the font, and with it every character.
        let mut flipped = intact.clone();
        let widths = first(&intact, b"1000 1000");
        flipped[widths + 4] = 0xF8;
        // A value nested 10,000 deep inside the page's dictionary (a crafted file).
        let page = first(&intact, b"/Type");
        let mut nested = intact[..page].to_vec();
        nested.extend_from_slice(b"/Deep ");
        nested.extend_from_slice(&b"[".repeat(10_000));
        nested.extend_from_slice(&b"]".repeat(10_000));
        nested.extend_from_slice(b" ");
        nested.extend_from_slice(&intact[page..]);
        for (damage, damaged) in [("flipped byte", flipped), ("deep nesting", nested)] {
            let read =
                read_pdf(&damaged).unwrap_or_else(|error| panic!("{print}, {damage}: {error}"));
            assert_eq!(read.text, intact_text, "{print}, {damage}");
            let repair = read
                .repaired
                .unwrap_or_else(|| panic!("{print}, {damage}: not repaired"));
            assert!(
                repair.done.stray_bytes + repair.done.flattened_values >= 1,
                "{print}, {damage}: {repair:?}"
            );
        }
    }
}

/// Found by the `read_pdf` fuzz target (243 bytes): a page whose /Parent is itself, in a file
/// the rebuild reads, made the reader walk up the page tree for ever. It is read or refused at
/// once.
#[test]
fn a_page_that_is_its_own_parent_is_answered_at_once_not_a_hang() {
    let bytes = std::fs::read(fixture("bad/parent-loop.pdf")).expect("fixture");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(read_pdf(&bytes).is_ok());
    });
    assert!(
        receiver
            .recv_timeout(std::time::Duration::from_secs(20))
            .is_ok(),
        "no answer within 20 s"
    );
}
