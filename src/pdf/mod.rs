//! Reading PDFs: the text of a 評価書 as published, rebuilt into the line/cell text the parser reads.
//!
//! `pdf-extract` (MIT, pure Rust) interprets each page; [`device::MarksDevice`] keeps the
//! glyphs and ruling lines it draws; [`layout`] rebuilds the tables; here the pages are put
//! together: running headers and footers dropped, a table's header row repeated after a page
//! break dropped, a row continued on the next page joined to its row. A PDF that is not one,
//! is encrypted, broken, or has no usable text is refused with the reason; a panic inside
//! the PDF library costs the page it happened on, never the ingest.

pub mod device;
pub mod layout;
pub mod lookalike;
pub mod repair;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::{Duration, Instant};

use device::{BudgetExceeded, MarksDevice, PageBudget, PageMarks};
use layout::{
    PageLine, PageText, Table, append_wrapped, find_tables, join_wrapped_paragraphs, page_text,
};

/// Why a PDF gave no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("named .pdf but is not a PDF (it does not start with %PDF-)")]
    NotPdf,
    #[error(
        "the PDF is protected by a password; save a copy without the password (印刷→PDFに保存) and add that"
    )]
    Encrypted,
    #[error("the PDF is damaged or cut short ({0}); download it again")]
    Broken(String),
    #[error(
        "no usable text on its {pages} page(s) ({usable} characters of text, {unmapped} unmapped glyph codes); a scanned image must go through OCR first"
    )]
    NoText {
        pages: usize,
        /// Characters that read as text.
        usable: usize,
        /// Glyphs a font maps to nothing (no ToUnicode) or to the private use area.
        unmapped: usize,
    },
    #[error("the PDF reader failed on every page ({0})")]
    ReaderFailed(String),
}

/// A PDF read into text, with what the reading cost.
#[derive(Debug, Clone)]
pub struct PdfText {
    pub text: String,
    /// The page each line of `text` comes from (a row joined over a break: where it starts).
    pub line_pages: Vec<u32>,
    pub pages: usize,
    /// Pages the PDF library failed on (their text is missing), each with why.
    pub failed_pages: Vec<(u32, String)>,
    /// Pages with no text while others have some: scanned pages in a printed PDF.
    pub textless_pages: Vec<u32>,
    /// How the file was rebuilt when its cross-reference table could not be trusted.
    pub repaired: Option<RepairSummary>,
}

/// What rebuilding a damaged PDF did, as the ingest report tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairSummary {
    /// Why the file as it is could not be read, in Japanese.
    pub reason: String,
    /// What the rebuild found and mended.
    pub done: repair::RepairCounts,
}

impl RepairSummary {
    /// One sentence for the ingest report, in Japanese.
    pub fn sentence(&self) -> String {
        let done = &self.done;
        let mut details = vec![format!("オブジェクト {} 個を読み直しました", done.objects)];
        if done.rebuilt_page_tree {
            details.push("ページの一覧を作り直しました".to_string());
        }
        let counted = [
            (
                done.corrected_lengths,
                "長さの記載が誤っていたストリーム {n} 個を実際の長さで読みました",
            ),
            (
                done.damaged_streams,
                "データが途中から壊れていたストリーム {n} 個を読める所まで読みました",
            ),
            (
                done.flattened_values,
                "入れ子が深すぎる値 {n} 個を除きました",
            ),
            (done.stray_bytes, "構文にない文字 {n} 個を読み飛ばしました"),
            (
                done.truncated_streams,
                "途中で切れていたストリーム {n} 個を残っている所まで読みました",
            ),
        ];
        for (count, sentence) in counted {
            if count > 0 {
                details.push(sentence.replace("{n}", &count.to_string()));
            }
        }
        format!(
            "PDF がそのままでは読めなかったため（{}）、ファイルの中身から修復して読み込みました: {}。元のファイルを取り直せる場合は取り直してください",
            self.reason,
            details.join("、")
        )
    }
}

thread_local! {
    /// Set while this thread is inside the PDF library, whose panics are caught and reported
    /// as a page or file not read: the default hook's backtrace notice would only alarm.
    static IN_PDF_LIBRARY: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` inside the PDF library: a panic comes back as `Err(message)`, unprinted.
fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_PDF_LIBRARY.with(Cell::get) {
                previous(info);
            }
        }));
    });
    IN_PDF_LIBRARY.with(|flag| flag.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    IN_PDF_LIBRARY.with(|flag| flag.set(false));
    outcome.map_err(|panic| panic_message(&panic))
}

/// Reads a PDF's bytes into the text the parser reads. A file the reader cannot open as it
/// is, or that costs pages, is rebuilt from the objects it holds ([`repair`]) and read again;
/// the rebuilt reading is kept when it reads more.
pub fn read_pdf(bytes: &[u8]) -> Result<PdfText, PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|window| window == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    // One time budget for the file, whether read as it is or rebuilt.
    let file_deadline = Instant::now() + FILE_TIME_BUDGET;
    let as_is = read_pdf_as_is(bytes, file_deadline);
    let reason = match &as_is {
        // Pages cut for their cost read no better rebuilt: only damage is worth a rebuild.
        Ok(read)
            if read
                .failed_pages
                .iter()
                .all(|(_, reason)| reason.contains(BUDGET_MARK)) =>
        {
            return as_is;
        }
        Ok(read) => format!("{} ページが読めませんでした", read.failed_pages.len()),
        Err(PdfError::NotPdf | PdfError::Encrypted) => return as_is,
        // A damaged font reads as no text too; a scan stays one when rebuilt (and costs
        // little: its images are never decoded).
        Err(PdfError::NoText { .. }) => "文字が読めませんでした".to_string(),
        Err(PdfError::Broken(_)) => {
            "ファイル末尾の目次（相互参照表）が壊れているか、ありませんでした".to_string()
        }
        Err(PdfError::ReaderFailed(_)) => "どのページも読めませんでした".to_string(),
    };
    let Ok(Some(repair)) = guarded(|| repair::rebuild(bytes)) else {
        return as_is;
    };
    let Ok(mut rebuilt) = read_pdf_as_is(&repair.bytes, file_deadline) else {
        return as_is;
    };
    if let Ok(read) = &as_is
        && rebuilt.failed_pages.len() >= read.failed_pages.len()
    {
        return as_is;
    }
    rebuilt.repaired = Some(RepairSummary {
        reason,
        done: repair.counts,
    });
    Ok(rebuilt)
}

/// What every budget failure says: 上限 (limit).
const BUDGET_MARK: &str = "上限";

/// How long one page may take to read: a printed page takes milliseconds.
const PAGE_TIME_BUDGET: Duration = Duration::from_secs(10);
/// How long one file may take: the pages after it are reported as not read.
const FILE_TIME_BUDGET: Duration = Duration::from_secs(30);
/// How many glyphs and lines one page may draw: a dense printed page draws a few thousand.
const PAGE_MARK_BUDGET: usize = 200_000;

/// Reads a PDF as its cross-reference table describes it.
fn read_pdf_as_is(bytes: &[u8], file_deadline: Instant) -> Result<PdfText, PdfError> {
    let document = match guarded(|| pdf_extract::Document::load_mem(bytes)) {
        Ok(Ok(document)) => document,
        Ok(Err(error)) => return Err(classify_load_error(&error.to_string())),
        Err(panic) => return Err(PdfError::Broken(panic)),
    };
    if document.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let page_numbers: Vec<u32> = document.get_pages().keys().copied().collect();
    if page_numbers.is_empty() {
        return Err(PdfError::Broken("it has no pages".to_string()));
    }
    let mut device = MarksDevice::default();
    // One reader for the whole file: a font built on one page serves the others.
    let mut pages = pdf_extract::PageReader::new(&document);
    let mut failed_pages = Vec::new();
    let mut last_failure = String::new();
    for number in &page_numbers {
        let before = device.pages.len();
        let now = Instant::now();
        let failure = if now > file_deadline {
            Some(format!(
                "ファイル全体の読み取り時間の上限（{} 秒）を超えたため、この先のページは読みませんでした",
                FILE_TIME_BUDGET.as_secs()
            ))
        } else {
            device.set_budget(PageBudget {
                deadline: (now + PAGE_TIME_BUDGET).min(file_deadline),
                marks_left: PAGE_MARK_BUDGET,
            });
            let outcome = guarded(|| pages.output_page(&mut device, *number));
            match (outcome, device.over_budget) {
                (_, Some(BudgetExceeded::Time)) => Some(format!(
                    "1 ページの読み取り時間の上限（{} 秒）を超えました",
                    PAGE_TIME_BUDGET.as_secs()
                )),
                (_, Some(BudgetExceeded::Marks)) => Some(format!(
                    "1 ページに描かれた文字と線が上限（{PAGE_MARK_BUDGET} 個）を超えました"
                )),
                (Ok(Ok(())), None) => None,
                (Ok(Err(error)), None) => Some(error.to_string()),
                (Err(panic), None) => Some(panic),
            }
        };
        if let Some(failure) = failure {
            // Whatever the page drew before failing is unreliable: drop it.
            device.pages.truncate(before);
            failed_pages.push((*number, failure.clone()));
            last_failure = failure;
        }
    }
    if device.pages.is_empty() {
        return Err(PdfError::ReaderFailed(last_failure));
    }
    check_text_layer(&device, page_numbers.len())?;
    // A glyph a font maps to U+0000 or another control character (the .notdef glyph a producer
    // draws for a character its font lacks) says nothing, but it stands in its place on the
    // line: U+FFFD, as a viewer shows a box, so that the line stays one and a reader sees that
    // a character was there (「入手した特定個人情報��正確であるリスク」 still reads as its heading).
    for glyph in device.pages.iter_mut().flat_map(|page| &mut page.glyphs) {
        if !glyph.text.is_empty() && glyph.text.chars().all(char::is_control) {
            glyph.text = "\u{FFFD}".to_string();
        }
    }
    let textless_pages = device
        .pages
        .iter()
        .filter(|page| page.glyphs.iter().all(|glyph| glyph.text.trim().is_empty()))
        .map(|page| page.number)
        .collect();
    let tables: Vec<Vec<Table>> = device
        .pages
        .iter()
        .map(|page| find_tables(&page.segments))
        .collect();
    drop_running_heads(&mut device.pages, &tables);
    let pages: Vec<PageText> = device
        .pages
        .iter()
        .zip(&tables)
        .map(|(page, tables)| page_text(page, tables))
        .collect();
    let (text, line_pages) = join_pages(pages);
    Ok(PdfText {
        text,
        line_pages,
        pages: page_numbers.len(),
        failed_pages,
        textless_pages,
        repaired: None,
    })
}

fn classify_load_error(message: &str) -> PdfError {
    let lower = message.to_ascii_lowercase();
    if lower.contains("decrypt") || lower.contains("password") || lower.contains("encrypt") {
        return PdfError::Encrypted;
    }
    PdfError::Broken(message.to_string())
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        return format!("panicked: {text}");
    }
    if let Some(text) = panic.downcast_ref::<String>() {
        return format!("panicked: {text}");
    }
    "panicked".to_string()
}

/// Refuses a PDF whose text layer is missing (a scan) or garbage (glyphs mapped to the
/// private use area or to nothing), instead of indexing it.
fn check_text_layer(device: &MarksDevice, pages: usize) -> Result<(), PdfError> {
    let mut usable = 0usize;
    let mut garbage = 0usize;
    for glyph in device.pages.iter().flat_map(|page| &page.glyphs) {
        for character in glyph.text.chars() {
            if character.is_whitespace() {
                continue;
            }
            let code = character as u32;
            if (0xE000..=0xF8FF).contains(&code)
                || character == '\u{FFFD}'
                || character.is_control()
            {
                garbage += 1;
            } else {
                usable += 1;
            }
        }
    }
    if garbage * 3 > usable + garbage || usable < 20 {
        return Err(PdfError::NoText {
            pages,
            usable,
            unmapped: garbage,
        });
    }
    Ok(())
}

/// Where on a page running headers and footers stand: the top and bottom tenth.
const MARGIN_SHARE: f64 = 0.1;

/// A line's key for spotting a running header or footer: its numbers are page numbers.
fn running_key(text: &str) -> String {
    let mut key = String::new();
    for character in text.chars().filter(|c| !c.is_whitespace()) {
        if character.is_ascii_digit() {
            if !key.ends_with('#') {
                key.push('#');
            }
        } else {
            key.push(character);
        }
    }
    key
}

/// Running headers and footers: lines outside tables in the top or bottom tenth of a page
/// that recur (their numbers aside) on most pages or on pages one after another. A table's
/// repeated header row is no running header: it is dropped where the table continues (see
/// [`join_pages`]).
fn drop_running_heads(pages: &mut [PageMarks], tables: &[Vec<Table>]) {
    let margin_lines = |(page, tables): (&PageMarks, &Vec<Table>)| -> Vec<(String, Vec<usize>)> {
        let in_margin: Vec<usize> = (0..page.glyphs.len())
            .filter(|index| {
                let glyph = &page.glyphs[*index];
                let (x, y) = glyph.centre();
                let in_table = tables.iter().any(|table| table.contains(x, y));
                !in_table
                    && (glyph.y < page.height * MARGIN_SHARE
                        || glyph.y > page.height * (1.0 - MARGIN_SHARE))
            })
            .collect();
        layout::line_groups(&page.glyphs, &in_margin)
            .into_iter()
            .map(|members| {
                let text: String = members
                    .iter()
                    .map(|i| page.glyphs[*i].text.as_str())
                    .collect();
                (running_key(&text), members)
            })
            .filter(|(key, _)| !key.is_empty())
            .collect()
    };
    let mut pages_with: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let per_page: Vec<Vec<(String, Vec<usize>)>> =
        pages.iter().zip(tables).map(margin_lines).collect();
    for (page, lines) in pages.iter().zip(&per_page) {
        for (key, _) in lines {
            pages_with
                .entry(key.clone())
                .or_default()
                .insert(page.number);
        }
    }
    // A running header or footer stands on most pages, or at least on pages one after another;
    // a document that repeats its structure (each 特定個人情報ファイル's part laid out alike) puts
    // the same body line at the same place on a few pages far apart, and that is text.
    let page_count = pages.len();
    let runs_through = |set: &BTreeSet<u32>| {
        set.len() >= 2
            && (set.len() * 2 >= page_count || set.iter().any(|page| set.contains(&(page + 1))))
    };
    for (page, lines) in pages.iter_mut().zip(per_page) {
        let mut dropped: BTreeSet<usize> = BTreeSet::new();
        for (key, members) in lines {
            let Some(pages) = pages_with.get(&key).filter(|set| runs_through(set)) else {
                continue;
            };
            // A section heading of the form (「Ⅲ 特定個人情報ファイルの…」) at the top of a page
            // is where a part starts (each file's Ⅲ on a new page): kept where it opens a run
            // of pages, dropped where it repeats on the next page as a producer's header.
            let opens_a_run = page.number == 0 || !pages.contains(&(page.number - 1));
            if opens_a_run && is_section_heading(&key) {
                continue;
            }
            dropped.extend(members);
        }
        if dropped.is_empty() {
            continue;
        }
        let mut index = 0;
        page.glyphs.retain(|_| {
            let keep = !dropped.contains(&index);
            index += 1;
            keep
        });
    }
}

/// Whether a line is a section heading of the form: a Roman numeral (Ⅰ–Ⅵ, or I–VI and a
/// space) and a Japanese title, as every kind of 評価書 numbers its parts. A producer's running
/// header is the document's title or 事務, never that.
fn is_section_heading(text: &str) -> bool {
    let text = text.trim_start();
    let numeral_end = text
        .char_indices()
        .find(|(_, character)| !matches!(character, 'Ⅰ'..='Ⅵ' | 'I' | 'V'))
        .map_or(text.len(), |(at, _)| at);
    if numeral_end == 0 || crate::form::section_key(&text[..numeral_end]).is_none() {
        return false;
    }
    let title: String = text[numeral_end..]
        .chars()
        .filter(|character| !character.is_whitespace() && *character != '.')
        .collect();
    title.chars().take(2).count() == 2
        && title.chars().take(2).all(|character| !character.is_ascii())
}

/// How many rows at a table's start may be its header.
const HEAD_ROWS: usize = 3;

/// Puts the pages together into one text, with the page of each line.
fn join_pages(mut pages: Vec<PageText>) -> (String, Vec<u32>) {
    for page in &mut pages {
        page.lines = join_wrapped_paragraphs(std::mem::take(&mut page.lines), page.width);
    }

    let mut out: Vec<PageLine> = Vec::new();
    let mut out_pages: Vec<u32> = Vec::new();
    // The first rows of the table in progress: its header, which a producer repeats at the top
    // of each page the table continues on.
    let mut table_head: Vec<String> = Vec::new();
    // Whether the rows of the table in progress ever leave their first cell empty.
    let mut empty_first_cells_in_run = false;
    for page in pages {
        let number = page.number;
        let mut lines = page.lines.into_iter().peekable();
        let continues_table = out.last().is_some_and(|line| line.table.is_some());
        while continues_table
            && lines
                .peek()
                .is_some_and(|first| first.table.is_some() && table_head.contains(&first.text()))
        {
            lines.next();
        }
        if continues_table
            && let Some(first) = lines.peek()
            && first.table.is_some()
            && out.last().is_some_and(|last| {
                last.cells.len() == first.cells.len()
                    && (last.open_bottom
                        || first.open_top
                        || (first.cells.first().is_some_and(String::is_empty)
                            && !empty_first_cells_in_run))
            })
            && let Some(first) = lines.next()
            && let Some(last) = out.last_mut()
        {
            // The row went on over the page break: its cells continue.
            for (cell, more) in last.cells.iter_mut().zip(&first.cells) {
                append_wrapped(cell, more);
            }
        }
        let mut at_page_top = true;
        for line in lines {
            // A table whose rows leave the first cell empty (sub-items under an item) gives
            // no sign of a row continued over a page; one whose rows never do, does.
            if line.table.is_none() {
                empty_first_cells_in_run = false;
            } else if line.cells.first().is_some_and(String::is_empty) {
                empty_first_cells_in_run = true;
            }
            if line.table.is_none() {
                table_head.clear();
            } else if line.first_row && !(at_page_top && continues_table) {
                table_head = vec![line.text()];
            } else if (1..HEAD_ROWS).contains(&table_head.len()) && line.cells.len() >= 3 {
                table_head.push(line.text());
            }
            at_page_top = false;
            out.push(line);
            out_pages.push(number);
        }
    }
    let mut text = String::new();
    for line in out {
        text.push_str(&line.text());
        text.push('\n');
    }
    (text, out_pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_heading_is_told_from_a_running_header() {
        for heading in [
            "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
            "Ⅳリスク対策",
            "III 特定個人情報ファイルの取扱いプロセス",
            "Ⅰ. 関連情報",
        ] {
            assert!(is_section_heading(heading), "{heading}");
        }
        for header in [
            "札幌市 住民基本台帳に関する事務 全項目評価書",
            "特定個人情報保護評価書（全項目評価書）",
            "ID 管理",
            "# / #",
            "Ⅲ",
        ] {
            assert!(!is_section_heading(header), "{header}");
        }
    }
}
