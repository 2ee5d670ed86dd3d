//! What people are told: the Japanese wording of every error the page can show.
//!
//! The error types keep their English `Display` for logs, the CLI and developers (the API
//! returns it as `detail`); the page shows these sentences (`message`). They name what to
//! change in the words of the page (検索語, 件数, 比較の基準), never a parameter or a type.

use crate::compare::CompareError;
use crate::corpus::{CorpusError, DocumentError};
use crate::draft::{DraftError, MAX_DRAFT_CHARS};
use crate::parse::ParseError;
use crate::pdf::PdfError;
use crate::search::query::{MAX_CLAUSES, MAX_QUERY_CHARS, QueryError};
use crate::search::{MAX_LIMIT, MAX_OFFSET, SearchError};

/// A search error as the page says it.
pub fn search_error(error: &SearchError) -> String {
    match error {
        SearchError::Query(error) => query_error(error),
        SearchError::UnknownSlot(slot) => {
            format!("項目「{slot}」は様式にありません。項目の一覧から選んでください")
        }
        SearchError::LimitTooLarge(limit) => {
            format!("1ページの件数 {limit} は多すぎます。{MAX_LIMIT} 件までにしてください")
        }
        SearchError::LimitZero => "1ページの件数は1件以上にしてください".to_string(),
        SearchError::OffsetTooLarge(offset) => format!(
            "{offset} 件目より先は表示できません（{MAX_OFFSET} 件目まで）。絞り込んで件数を減らしてください"
        ),
        SearchError::OffsetPastEnd { offset, total } => format!(
            "{offset} 件目からのページはありません（全 {total} 件）。最初のページに戻ってください"
        ),
        SearchError::EmptyDraft => {
            "下書きに比べられる語がありません。文や段落を貼り付けてください".to_string()
        }
        SearchError::BadDate(value) => format!(
            "「{value}」は日付として読めません。2024-10-01 や 令和6年10月1日 のように指定してください"
        ),
        SearchError::Index(_) | SearchError::Tantivy(_) => internal(),
    }
}

/// A query error as the page says it (positions count characters from 1).
pub fn query_error(error: &QueryError) -> String {
    match error {
        QueryError::TooLong { length } => format!(
            "検索語が {length} 文字あります。{MAX_QUERY_CHARS} 文字までにしてください。長い文章は「下書きから探す」に貼り付けてください"
        ),
        QueryError::UnclosedQuote { position } => format!(
            "{position} 文字目の「\"」が閉じていません。語句の終わりにも「\"」を付けてください"
        ),
        QueryError::DanglingExclusion { position } => {
            format!("{position} 文字目の「-」の後に、除外する語か「\"語句\"」を続けてください")
        }
        QueryError::TooManyClauses { count } => {
            format!("検索語が {count} 個あります。{MAX_CLAUSES} 個までにしてください")
        }
        QueryError::NothingToSearch { .. } => {
            "検索できる語がありません（記号や除外する語だけです）".to_string()
        }
    }
}

/// A comparison error as the page says it.
pub fn compare_error(error: &CompareError) -> String {
    match error {
        CompareError::Search(error) => search_error(error),
        CompareError::UnknownBase { base, .. } => format!(
            "比較の基準「{base}」には、この項目の記載がありません。記載のある団体から選んでください"
        ),
        CompareError::UnknownBaseRecord(_) => {
            "比較の基準に選んだ記載は、この項目にありません。基準の記載を選び直してください"
                .to_string()
        }
        CompareError::LimitTooLarge { limit, max } => {
            format!("1ページの件数 {limit} は多すぎます。{max} 件までにしてください")
        }
        CompareError::OffsetPastEnd { offset, total } => format!(
            "{offset} 件目からのページはありません（全 {total} 件）。最初のページに戻ってください"
        ),
    }
}

/// A drafting error as the page says it.
pub fn draft_error(error: &DraftError) -> String {
    match error {
        DraftError::EmptyText => {
            "この項目の下書きが空です。下書きを書くか貼り付けてから、ヒントや先例を求めてください"
                .to_string()
        }
        DraftError::TooLong { characters } => format!(
            "この項目の下書きが {characters} 文字あります。1 項目 {MAX_DRAFT_CHARS} 文字までにしてください"
        ),
        DraftError::LimitTooLarge { limit, max } => {
            format!("件数 {limit} は多すぎます。{max} 件までにしてください")
        }
        DraftError::UnknownDocument(_) => unknown_document(),
        DraftError::Search(error) => search_error(error),
    }
}

/// Why a document was not indexed, as the ingest report tells staff: the file, where, and
/// what to do.
pub fn document_error(error: &DocumentError) -> String {
    match error {
        DocumentError::Unreadable { file, message } => {
            format!("{file}: ファイルを開けません（{message}）")
        }
        DocumentError::Empty { file } => format!("{file}: 空のファイルです"),
        DocumentError::Binary { file, line, offset } => format!(
            "{file}: {line} 行目: 文章ではなくバイナリファイルのようです（{offset} バイト目が制御文字）。PDF なら名前を .pdf にしてください"
        ),
        DocumentError::TooLarge { file, size, limit } => {
            format!("{file}: {size} バイトあり、1 文書の上限 {limit} バイトを超えています")
        }
        DocumentError::UnknownEncoding { file, line, offset } => format!(
            "{file}: {line} 行目: UTF-8・Shift_JIS・EUC-JP のどれとしても読めません（{offset} バイト目）"
        ),
        DocumentError::ManifestEntry {
            file,
            line,
            message,
        } => format!("{file} の {line} 行目: {message}。この項目は飛ばしました"),
        DocumentError::Missing { file } => {
            format!("{file}: manifest.toml に書かれていますが、ファイルがありません")
        }
        DocumentError::Pdf { file, reason } => format!("{file}: {}", pdf_error(reason)),
        DocumentError::Duplicate { file, original } => {
            format!("{file}: {original} と同じ内容なので、重複として飛ばしました")
        }
    }
}

/// Why an ingest could not read its corpus at all, as the command tells staff (the previous
/// index is kept).
pub fn corpus_error(error: &CorpusError) -> String {
    match error {
        CorpusError::Folder { path, source } => format!(
            "評価書のフォルダ {} を読めません（{source}）。フォルダの場所と読み取りの権限を確かめてください。前の索引はそのままです",
            path.display()
        ),
        CorpusError::Manifest { path, message } => format!(
            "{} の書き方に誤りがあります（{message}）。直してからもう一度実行してください。前の索引はそのままです",
            path.display()
        ),
    }
}

/// No document of the corpus gave a record (the previous index is kept).
pub fn nothing_indexed(folder: &str, skipped: usize) -> String {
    format!(
        "{folder} のどの文書からも記載を読めませんでした（読み込まなかった文書 {skipped}）。上の理由を見て直してください。前の索引はそのままです"
    )
}

/// The index could not be written (the previous one is kept): another ingest holds the folder,
/// or the disk or its permissions refused. The developer's detail stays in parentheses.
pub fn index_not_written(error: &crate::index::IndexError) -> String {
    if let crate::index::IndexError::Busy(_) = error {
        return format!(
            "別の読み込み（hyoka ingest）が同じ索引のフォルダに書き込んでいます（{error}）。終わってからもう一度実行してください。前の索引はそのままです"
        );
    }
    format!(
        "索引を書き込めませんでした（{error}）。空き容量と書き込みの権限を確かめてください。前の索引はそのままです"
    )
}

/// Why a PDF gave no text, in the words of the ingest report.
pub fn pdf_error(error: &PdfError) -> String {
    match error {
        PdfError::NotPdf => {
            "名前は .pdf ですが PDF ではありません（先頭が %PDF- ではありません）".to_string()
        }
        PdfError::Encrypted => "パスワードで保護された PDF です。パスワードのない写しを保存して（印刷→PDFに保存）入れ直してください".to_string(),
        PdfError::Broken(detail) => format!(
            "PDF が壊れているか途中で切れていて、修復しても読めませんでした（{detail}）。もう一度ダウンロードしてください"
        ),
        PdfError::NoText {
            pages,
            usable,
            unmapped,
        } if unmapped * 3 > usable + unmapped => format!(
            "{pages} ページの文字の多く（{} 文字中 {unmapped} 文字）が、文字に戻す対応表（ToUnicode）のないフォントで書かれていて読めません。作成元に文字情報のある PDF を求めるか、OCR にかけてください",
            usable + unmapped
        ),
        PdfError::NoText { pages, usable, .. } => format!(
            "{pages} ページに使える文字がありません（{usable} 文字）。スキャンした画像の PDF なら OCR にかけてください"
        ),
        PdfError::ReaderFailed(detail) => {
            format!("PDF を読むライブラリがどのページでも失敗しました（{detail}）")
        }
    }
}

/// A document read but not recognised, in the words of the ingest report.
pub fn parse_error(error: &ParseError) -> String {
    match error {
        ParseError::NothingRecognised { file, lines } => format!(
            "{file}: 評価書・変更箇所の表・条例のどれとしても読み取れませんでした（{lines} 行）。評価書の様式の見出し（Ⅰ 基本情報 など）がありません"
        ),
    }
}

/// Sent for every failure on our side (the detail is logged, not shown).
/// Why an ingest read every document instead of updating the live index.
pub fn whole_because(because: crate::ingest::WholeBecause) -> &'static str {
    use crate::ingest::WholeBecause;
    match because {
        WholeBecause::Asked => "--force の指定で、すべての文書を読み直しました",
        WholeBecause::NoUpdatableIndex => {
            "差分で更新できる索引がない（初めての読み込み、または更新に対応する前の hyoka が作った索引）ので、すべての文書を読みました"
        }
        WholeBecause::OtherReader => {
            "前回の索引は別の hyoka（版または実行ファイル）が読んだものなので、すべての文書を読み直しました"
        }
        WholeBecause::OtherFolder => {
            "前回の索引は別のフォルダから読み込んだものなので、すべての文書を読みました"
        }
        WholeBecause::ManyChanges => {
            "変わった文書が多い（50 件を超え、全体の 4 分の 1 を超える）ので、差分ではなくすべての文書を読み直しました"
        }
    }
}

pub fn internal() -> String {
    "サーバーで問題が起きました。記録してありますので、時間をおいてもう一度お試しください"
        .to_string()
}

/// Too many requests at once.
pub fn busy() -> String {
    "混み合っています。少し待ってからもう一度お試しください".to_string()
}

/// A request body over the limit.
pub fn body_too_large(max_bytes: usize) -> String {
    format!(
        "送られた内容が大きすぎます（{} KB まで）。下書きを短くしてください",
        max_bytes / 1024
    )
}

/// A request body that is not the JSON expected.
pub fn bad_body() -> String {
    "送られた内容を読めませんでした。下書きの文章だけを送ってください".to_string()
}

/// A query string or path that does not parse (a number that is not one …).
pub fn bad_parameter() -> String {
    "アドレスの指定を読めませんでした。件数や位置には数字を指定してください".to_string()
}

/// A request target (address) over the server's limit.
pub fn uri_too_long() -> String {
    "アドレスが長すぎます。検索語を短くするか、長い文章は「下書きを作る」に貼り付けてください"
        .to_string()
}

/// Request headers over the server's limit.
pub fn headers_too_large() -> String {
    "送られた情報（ヘッダー）が大きすぎます。ブラウザを開き直してからもう一度お試しください"
        .to_string()
}

/// A request for a host name the server was not told to answer to.
pub fn unknown_host() -> String {
    "このサーバーは、このアドレス（ホスト名）では使えません。管理者に、起動時にホスト名を許可するよう依頼してください".to_string()
}

/// A route that does not exist.
pub fn no_such_page() -> String {
    "このページはありません。検索画面から探してください".to_string()
}

/// A record id that is not in the index.
pub fn unknown_record() -> String {
    "この記載は見つかりません。索引が作り直されて、記載の番号が変わった可能性があります".to_string()
}

/// A folded hit whose bodies were asked for, not among the search's wordings.
pub fn unknown_hit() -> String {
    "この検索の結果にこの文言はありません。索引が更新された可能性があります。検索をやり直してください".to_string()
}

/// A body without documents in the index (`GET /api/municipalities?body=`).
pub fn unknown_body() -> String {
    "この団体の文書は索引にありません。団体・文書の一覧から選んでください".to_string()
}

/// A document that is not in the index.
pub fn unknown_document() -> String {
    "この文書は見つかりません。団体・文書の一覧から選んでください".to_string()
}
