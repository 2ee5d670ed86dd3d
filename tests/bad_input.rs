//! Bad input to `hyoka ingest`: each kind gets a message naming the file, the line where there
//! is one, and what is wrong, and the rest of the corpus is still indexed and searchable.

use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

use crate::util::{run_ingest, sample};

/// The bundled corpus copied into a temporary folder, plus `extra` files, with `manifest_extra`
/// appended to its manifest.
struct Corpus {
    folder: TempDir,
}

impl Corpus {
    fn with(extra: &[(&str, Vec<u8>)], manifest_extra: &str) -> Corpus {
        let folder = tempfile::tempdir().expect("temporary folder");
        let corpus = folder.path().join("corpus");
        crate::util::copy_corpus(&corpus, None);
        for (name, bytes) in extra {
            std::fs::write(corpus.join(name), bytes).expect("write extra file");
        }
        crate::util::append_to_manifest(&corpus, manifest_extra);
        Corpus { folder }
    }

    fn path(&self) -> PathBuf {
        self.folder.path().join("corpus")
    }

    fn index(&self) -> PathBuf {
        self.folder.path().join("index")
    }

    fn ingest(&self) -> Output {
        run_ingest(&self.path(), &self.index())
    }
}

/// A `[[document]]` entry for an added file.
fn entry(file: &str) -> String {
    format!(
        "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"試験市\"\ntitle = \"試験\"\ndoc_type = \"全項目評価書\"\n"
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The five bundled documents are in the index: 生体認証 finds 札幌市, 熊本県 and 豊島区, and
/// the unnamed documents answer 中間サーバー.
fn assert_bundled_documents_searchable(index: &Path) {
    let searcher = hyoka::search::SearchIndex::open(index).expect("the index opens");
    let bodies: Vec<String> = searcher
        .bodies()
        .expect("bodies")
        .iter()
        .map(|body| body.municipality.clone())
        .collect();
    for body in ["札幌市", "熊本県", "豊島区", "文京区", "目黒区"] {
        assert!(
            bodies.iter().any(|name| name == body),
            "{body} missing: {bodies:?}"
        );
    }
    let request = hyoka::search::SearchRequest {
        q: "生体認証".into(),
        ..Default::default()
    };
    let response = searcher.search(&request).expect("search");
    // A body whose wording equals a higher hit's is folded into it.
    let found: Vec<&str> = response
        .hits
        .iter()
        .flat_map(|hit| {
            std::iter::once(hit.record.municipality.as_str()).chain(
                hit.folded
                    .iter()
                    .flat_map(|folded| folded.others.iter().map(|other| other.body.as_str())),
            )
        })
        .collect();
    for body in ["札幌市", "熊本県", "豊島区"] {
        assert!(found.contains(&body), "{body} not found: {found:?}");
    }
}

/// Ingests and returns stdout, asserting success and that the bundled documents are searchable.
fn ingest_ok(corpus: &Corpus) -> String {
    let output = corpus.ingest();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("panicked"));
    assert_bundled_documents_searchable(&corpus.index());
    text(&output.stdout)
}

#[test]
fn an_empty_file_is_skipped_by_name() {
    let corpus = Corpus::with(&[("empty.txt", Vec::new())], &entry("empty.txt"));
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains("読み込まなかった文書: empty.txt: 空のファイルです"),
        "{stdout}"
    );
}

#[test]
fn a_binary_file_is_skipped_with_the_line_and_byte_of_its_first_control_character() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R']);
    let corpus = Corpus::with(&[("scan.txt", png)], &entry("scan.txt"));
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains("読み込まなかった文書: scan.txt: 3 行目: 文章ではなくバイナリファイルのようです（8 バイト目"),
        "{stdout}"
    );
}

#[test]
fn a_hundred_megabyte_file_without_a_newline_is_refused_before_it_is_read() {
    // 特定個人情報 is 18 bytes of UTF-8.
    let huge = "特定個人情報"
        .repeat(100 * 1024 * 1024 / 18 + 1)
        .into_bytes();
    assert!(huge.len() >= 100 * 1024 * 1024 && !huge.contains(&b'\n'));
    let corpus = Corpus::with(&[("huge.txt", huge)], &entry("huge.txt"));
    let stdout = ingest_ok(&corpus);
    let expected = format!(
        "読み込まなかった文書: huge.txt: {} バイトあり、1 文書の上限 67108864 バイトを超えています",
        100 * 1024 * 1024 / 18 * 18 + 18
    );
    assert!(stdout.contains(&expected), "{stdout}");
}

#[test]
fn a_long_document_on_one_line_is_read_without_hanging() {
    // A whole 評価書 whose line breaks were lost (a converter that joined everything), four
    // times over: about 1 MB on one line. It must end, with records or a named skip.
    let one_line = sample("002").replace(['\n', '\r'], " ").repeat(4);
    let corpus = Corpus::with(
        &[("one_line.txt", one_line.into_bytes())],
        &entry("one_line.txt"),
    );
    let stdout = ingest_ok(&corpus);
    // Read, not skipped: its row reports the records the one-line layout keeps (layouts.rs
    // measures 147 of 札幌市's 152 slotted records on one line; here the copies repeat them).
    let row = stdout
        .lines()
        .find(|line| line.starts_with("one_line.txt"))
        .unwrap_or_else(|| panic!("the file is reported as read: {stdout}"));
    let records: usize = row
        .split_whitespace()
        .rev()
        .nth(1)
        .and_then(|records| records.parse().ok())
        .unwrap_or_else(|| panic!("no record count in {row}"));
    assert!(records >= 147, "{row}");
}

#[test]
fn invalid_utf8_is_skipped_with_the_line_of_the_first_bad_byte() {
    // A real document with a broken byte sequence on its fourth line; no Japanese legacy
    // encoding reads 0xFF either.
    let mut lines: Vec<Vec<u8>> = sample("002")
        .split('\n')
        .map(|line| line.as_bytes().to_vec())
        .collect();
    lines[3].extend_from_slice(b"\xFF\xFE");
    let corpus = Corpus::with(&[("broken.txt", lines.join(&b'\n'))], &entry("broken.txt"));
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains(
            "読み込まなかった文書: broken.txt: 4 行目: UTF-8・Shift_JIS・EUC-JP のどれとしても読めません"
        ),
        "{stdout}"
    );
}

#[test]
fn shift_jis_and_euc_jp_documents_are_decoded_and_indexed() {
    // Changed by a line so they are not duplicates of the bundled 札幌市 document.
    let changed = format!("{}\n改訂版の追記\n", sample("002"));
    let (shift_jis, _, _) = encoding_rs::SHIFT_JIS.encode(&changed);
    let changed_again = format!("{changed}再改訂\n");
    let (euc_jp, _, _) = encoding_rs::EUC_JP.encode(&changed_again);
    let corpus = Corpus::with(
        &[
            ("sjis.txt", shift_jis.into_owned()),
            ("euc.txt", euc_jp.into_owned()),
        ],
        &format!("{}{}", entry("sjis.txt"), entry("euc.txt")),
    );
    let stdout = ingest_ok(&corpus);
    let line_of = |file: &str| {
        stdout
            .lines()
            .find(|line| line.contains(file))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line_of("sjis.txt").contains("Shift_JIS"), "{stdout}");
    assert!(line_of("euc.txt").contains("EUC-JP"), "{stdout}");
    let searcher = hyoka::search::SearchIndex::open(&corpus.index()).expect("index");
    let request = hyoka::search::SearchRequest {
        q: "生体認証".into(),
        municipality: Some("試験市".into()),
        ..Default::default()
    };
    assert!(searcher.search(&request).expect("search").total >= 2);
}

#[test]
fn deeply_nested_and_unclosed_markup_does_not_stop_the_document() {
    // 20,000 nested tags before the text, and tags left open at its end.
    let nested = format!(
        "{}{}",
        "<div><p><ul><li>".repeat(20_000),
        "</li></ul></p></div>".repeat(3)
    );
    let text = format!(
        "{nested}\n{}\n<u>下線が閉じない <del>削除も閉じない <td class=\"x\n",
        sample("002")
    );
    let corpus = Corpus::with(&[("nested.html", text.into_bytes())], &entry("nested.html"));
    let stdout = ingest_ok(&corpus);
    let line = stdout
        .lines()
        .find(|line| line.contains("nested.html"))
        .unwrap_or_default();
    assert!(!line.contains("skipped"), "{stdout}");
    let searcher = hyoka::search::SearchIndex::open(&corpus.index()).expect("index");
    let request = hyoka::search::SearchRequest {
        q: "生体認証".into(),
        municipality: Some("試験市".into()),
        ..Default::default()
    };
    assert!(
        searcher.search(&request).expect("search").total > 0,
        "{stdout}"
    );
}

#[test]
fn a_manifest_entry_for_a_missing_file_is_named() {
    let corpus = Corpus::with(&[], &entry("not_there.txt"));
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains("読み込まなかった文書: not_there.txt: manifest.toml に書かれていますが、ファイルがありません"),
        "{stdout}"
    );
}

#[test]
fn an_unusable_manifest_entry_is_skipped_with_its_line_and_the_others_are_read() {
    // A typo'd key, then a path instead of a file name, then a file listed twice.
    let bad = "\n[[document]]\nfile = \"x.txt\"\nmunicipality = \"試験市\"\ntitel = \"試験\"\ndoc_type = \"全項目評価書\"\n\
               \n[[document]]\nfile = \"../etc/passwd\"\nmunicipality = \"試験市\"\ntitle = \"試験\"\ndoc_type = \"全項目評価書\"\n\
               \n[[document]]\nfile = \"002_ac2772f135d57124.txt\"\nmunicipality = \"試験市\"\ntitle = \"試験\"\ndoc_type = \"全項目評価書\"\n";
    let corpus = Corpus::with(&[], bad);
    let stdout = ingest_ok(&corpus);
    let manifest = std::fs::read_to_string(corpus.path().join("manifest.toml")).expect("manifest");
    // The entry's [[document]] line: the one before its file line.
    let typo_line = manifest
        .lines()
        .position(|line| line == "file = \"x.txt\"")
        .expect("the added entry");
    assert!(
        stdout.contains(&format!(
            "読み込まなかった文書: manifest.toml の {typo_line} 行目: 項目名 `titel` は使えません"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "manifest.toml の {} 行目: 文書のファイル名 \"../etc/passwd\" は、フォルダの中のファイル名だけにしてください",
            typo_line + 6
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "manifest.toml の {} 行目: \"002_ac2772f135d57124.txt\" は ",
            typo_line + 12
        )) && stdout.contains("行目にも書かれています"),
        "{stdout}"
    );
}

#[test]
fn a_manifest_that_is_not_toml_fails_with_its_line_and_keeps_the_previous_index() {
    let corpus = Corpus::with(&[], "");
    ingest_ok(&corpus);
    let current = std::fs::read_to_string(corpus.index().join("CURRENT")).expect("CURRENT");
    let manifest = corpus.path().join("manifest.toml");
    let mut manifest_text = std::fs::read_to_string(&manifest).expect("manifest");
    let broken_line = manifest_text.lines().count() + 2;
    manifest_text.push_str("\n[[document]\nfile = \"x.txt\"\n");
    std::fs::write(&manifest, manifest_text).expect("write");
    let output = corpus.ingest();
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("manifest.toml の書き方に誤りがあります"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("line {broken_line}")), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(corpus.index().join("CURRENT")).expect("CURRENT"),
        current
    );
    assert_bundled_documents_searchable(&corpus.index());
}

#[test]
fn a_duplicate_document_is_skipped_naming_the_original() {
    let corpus = Corpus::with(
        &[("copy_of_sapporo.txt", sample("002").into_bytes())],
        &entry("copy_of_sapporo.txt"),
    );
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains(
            "読み込まなかった文書: copy_of_sapporo.txt: 002_ac2772f135d57124.txt と同じ内容"
        ),
        "{stdout}"
    );
}

#[test]
fn a_manifest_code_with_a_wrong_check_digit_or_of_another_body_is_dropped_naming_it() {
    let added = |file: &str, code: &str| {
        format!(
            "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"札幌市\"\nmunicipality_code = \"{code}\"\ntitle = \"試験\"\ndoc_type = \"全項目評価書\"\n"
        )
    };
    // Each a little different from the bundled one, which would otherwise make it a duplicate.
    let document = |marker: &str| {
        sample("002")
            .replacen(
                "1 サーバ室は、",
                &format!("1 {marker}を行う。サーバ室は、"),
                1,
            )
            .into_bytes()
    };
    let corpus = Corpus::with(
        &[
            ("wrong-digit.txt", document("写し1")),
            ("other-body.txt", document("写し2")),
        ],
        &(added("wrong-digit.txt", "011001") + &added("other-body.txt", "131164")),
    );
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains("（wrong-digit.txt）: 団体コード 011001 の検査数字が 1 ですが、正しくは 2 です。この文書は団体コードなしで読み込みました"),
        "{stdout}"
    );
    // Read without the code, not skipped.
    assert!(stdout.contains("wrong-digit.txt "), "{stdout}");
    assert!(
        !stdout.contains("読み込まなかった文書: wrong-digit.txt"),
        "{stdout}"
    );
    assert!(
        stdout.contains("（other-body.txt）: 団体コード 131164 は 豊島区 (東京都) のコードで、札幌市 のものではありません"),
        "{stdout}"
    );
}

#[test]
fn each_bad_pdf_is_named_with_what_is_wrong_and_the_rest_is_indexed() {
    let fixture = |name: &str| std::fs::read(crate::pdf::fixture(name)).expect("fixture");
    let printed = fixture("sapporo-chromium.pdf");
    let corpus = Corpus::with(
        &[
            ("locked.pdf", fixture("bad/locked.pdf")),
            ("scanned.pdf", fixture("bad/scanned.pdf")),
            ("cut-short.pdf", printed[..printed.len() / 3].to_vec()),
            (
                "not-a-pdf.pdf",
                "特定個人情報保護評価書\n".as_bytes().to_vec(),
            ),
        ],
        &[
            "locked.pdf",
            "scanned.pdf",
            "cut-short.pdf",
            "not-a-pdf.pdf",
            "huge.pdf",
        ]
        .map(entry)
        .concat(),
    );
    // 200 MB, sparse: refused by its size before a byte is read.
    let huge = std::fs::File::create(corpus.path().join("huge.pdf")).expect("create");
    huge.set_len(200 * 1024 * 1024).expect("size");
    let stdout = ingest_ok(&corpus);
    for expected in [
        "読み込まなかった文書: locked.pdf: パスワードで保護された PDF です",
        "読み込まなかった文書: scanned.pdf: 1 ページに使える文字がありません（0 文字）。スキャンした画像の PDF なら OCR にかけてください",
        "読み込まなかった文書: cut-short.pdf: PDF が壊れているか途中で切れていて",
        "読み込まなかった文書: not-a-pdf.pdf: 名前は .pdf ですが PDF ではありません",
        "読み込まなかった文書: huge.pdf: 209715200 バイトあり、1 文書の上限 67108864 バイトを超えています",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
    assert_bundled_documents_searchable(&corpus.index());
}

/// A document put in a folder that has a manifest, but not listed in it, is not read — and the
/// report says so by name, instead of leaving it out without a word; a note about the folder
/// (SOURCES.md) is no such document.
#[test]
fn a_document_the_manifest_does_not_list_is_named_in_the_report() {
    let sapporo = crate::util::sample("002").replace("札幌市", "旭川市");
    let corpus = Corpus::with(&[("900_asahikawa.txt", sapporo.into_bytes())], "");
    let stdout = ingest_ok(&corpus);
    assert!(
        stdout.contains(
            "manifest.toml に書かれていない文書 1 件は読み込みませんでした: 900_asahikawa.txt"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("SOURCES.md"), "{stdout}");
}
