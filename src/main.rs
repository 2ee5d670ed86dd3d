//! The `hyoka` command: a thin layer over the library (argument parsing and printing only).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use hyoka::search::{SearchIndex, SearchRequest};

/// hyoka: 特定個人情報保護評価書の検索・比較（search and compare My Number Act privacy impact
/// assessments）
#[derive(Parser)]
#[command(
    version,
    about = "hyoka: 特定個人情報保護評価書の検索・比較（search and compare My Number Act privacy impact assessments）",
    after_help = "例:\n  hyoka serve                                   corpus/ の評価書で索引を作り、http://127.0.0.1:8080/ で開く\n  hyoka serve --corpus 評価書 --index 評価書の索引   PDF を入れたフォルダで\n  hyoka ingest --corpus 評価書 --index 評価書の索引  PDF を追加・差し替え・削除した後に索引を更新する\n  hyoka search 生体認証 --municipality 札幌市       コマンドラインで検索する\n  hyoka parse --text 評価書/ファイル.pdf            PDF からどう読めたかを確かめる\n\n各コマンドの説明: hyoka <コマンド> --help"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// One command is parsed per run: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// 評価書のフォルダを読み、索引を作る（作り直す）。Parse every document of a corpus and build the index.
    #[command(
        after_help = "例:\n  hyoka ingest                                  corpus/ から index/ を作る\n  hyoka ingest --corpus 評価書 --index 評価書の索引\n\n新しい文書と変わった文書（大きさ・更新日時・manifest.toml の記載）だけを読み、消えた文書は索引から\n外し、ほかはそのまま使います（すべて読み直すのは --force のとき、別の版の hyoka や別のフォルダのとき、\n50 件を超え、全体の 4 分の 1 を超える文書が変わったとき）。読んだ文書ごとに、団体・団体コード・種類・様式・公表日・\n記載数を表示します。読めないファイルは理由を示して飛ばします。実行中の serve は 2 秒以内に新しい\n索引に切り替わります。"
    )]
    Ingest(IngestArgs),
    /// 索引を検索する。Search the index.
    #[command(
        after_help = "例:\n  hyoka search 生体認証\n  hyoka search \"目的外の入手\" --slot III.2.R1 --municipality 札幌市\n  hyoka search 入退室 監視カメラ --jimu 住民基本台帳 --json\n\n語はすべて含む記載を探します（\"語句\" は語順どおり、-語 は除外）。"
    )]
    Search(SearchArgs),
    /// 文書を読んで記載を表示する（索引は作らない）。Parse documents without indexing; one JSON record per line.
    #[command(
        after_help = "例:\n  hyoka parse corpus/002_ac2772f135d57124.txt     記載を 1 行 1 件の JSON で\n  hyoka parse --text 評価書/ファイル.pdf            PDF から読めた文章（表はセルの間にタブ）"
    )]
    Parse(ParseArgs),
    /// 画面と API を提供する（索引がなければ先に作る）。Serve the web page and the API.
    #[command(
        after_help = "例:\n  hyoka serve                                   http://127.0.0.1:8080/ で開く\n  hyoka serve --corpus 評価書 --index 評価書の索引 --addr 127.0.0.1:8090\n  hyoka serve --addr 0.0.0.0:8080 --allow-host hyoka.example.lg.jp   庁内に公開するとき\n\n--corpus は、索引がまだないとき（または古い版の hyoka が作った索引のとき）だけ読みます。\nPDF を追加・差し替えたら hyoka ingest で更新してください（実行中の serve はそのまま使えます）。\n待ち受けるアドレスが使えないときは、索引を作る前に止まります。"
    )]
    Serve(ServeArgs),
}

#[derive(Args)]
struct IngestArgs {
    /// Folder of documents, with or without a manifest.toml.
    #[arg(long, default_value = "corpus", env = "HYOKA_CORPUS")]
    corpus: PathBuf,
    /// Folder of the index.
    #[arg(long, default_value = "index", env = "HYOKA_INDEX")]
    index: PathBuf,
    /// Indexing threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// すべての文書を読み直して索引を作る。Read every document again and build the index whole,
    /// even when the folder is unchanged or only some documents changed.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct SearchArgs {
    /// The query: words (all required), "phrases", -exclusions. Empty lists everything.
    query: String,
    /// Folder of the index.
    #[arg(long, default_value = "index", env = "HYOKA_INDEX")]
    index: PathBuf,
    /// Only this body (団体名).
    #[arg(long)]
    municipality: Option<String>,
    /// Only this prefecture (都道府県).
    #[arg(long)]
    prefecture: Option<String>,
    /// Only this slot and everything below it, e.g. III.7.R1.
    #[arg(long)]
    slot: Option<String>,
    /// Only this document type, e.g. 全項目評価書.
    #[arg(long)]
    doc_type: Option<String>,
    /// Only this 様式 version, e.g. "令和6年10月 様式4".
    #[arg(long)]
    form_version: Option<String>,
    /// Only documents published on or after this date (2024-10-01 or 令和6年10月1日).
    #[arg(long)]
    published_from: Option<String>,
    /// Only documents published on or before this date.
    #[arg(long)]
    published_to: Option<String>,
    /// Only this actor, e.g. 中間サーバー・プラットフォーム.
    #[arg(long)]
    actor: Option<String>,
    /// Only this rating, e.g. 十分である.
    #[arg(long)]
    rating: Option<String>,
    /// Only this 事務 (its category, e.g. 住民基本台帳 or 介護保険).
    #[arg(long)]
    jimu: Option<String>,
    /// Only bodies of this kind: 都道府県, 政令市, 特別区, 市, 町 or 村.
    #[arg(long)]
    body_kind: Option<String>,
    /// Past versions of documents too (by default only each document's current version).
    #[arg(long)]
    all_versions: bool,
    /// Every record its own hit (by default, records of one wording are one hit).
    #[arg(long)]
    no_fold: bool,
    /// Number of hits (at most 100).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print exactly the JSON that GET /api/search returns.
    #[arg(long)]
    json: bool,
    /// Search the words only as typed, without the synonym dictionary.
    #[arg(long)]
    no_synonyms: bool,
    /// Dictionary words (comma-separated) whose synonyms are not searched.
    #[arg(long)]
    synonyms_off: Option<String>,
    /// Never show records that lack some of the words.
    #[arg(long)]
    no_fallback: bool,
    /// Synonym dictionary to use instead of the bundled data/synonyms.txt.
    #[arg(long, env = "HYOKA_SYNONYMS")]
    synonyms: Option<PathBuf>,
}

#[derive(Args)]
struct ParseArgs {
    /// Documents to parse.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// One JSON record per line (the default; kept for symmetry with `search`).
    #[arg(long)]
    json: bool,
    /// Print the text as hyoka reads it (for a PDF: its tables rebuilt, a tab between
    /// cells) instead of records.
    #[arg(long, conflicts_with = "json")]
    text: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// Folder of the index.
    #[arg(long, default_value = "index", env = "HYOKA_INDEX")]
    index: PathBuf,
    /// 索引がないときだけ読む評価書のフォルダ。Corpus to build the index from, read only when
    /// there is no index (or one from an older hyoka); after that, `hyoka ingest` rebuilds it.
    #[arg(long, default_value = "corpus", env = "HYOKA_CORPUS")]
    corpus: PathBuf,
    /// 待ち受けるアドレス（既定はこの PC だけ）。Address to listen on. Loopback by default:
    /// expose it deliberately.
    #[arg(long, default_value = "127.0.0.1:8080", env = "HYOKA_ADDR")]
    addr: SocketAddr,
    /// 答えるホスト名（IP アドレスと localhost のほかに。複数可）。Host names to answer to besides
    /// IP addresses and localhost (DNS rebinding): the names staff type to reach a server exposed
    /// with --addr. Comma-separated or repeated.
    #[arg(
        long = "allow-host",
        env = "HYOKA_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// Synonym dictionary to use instead of the bundled data/synonyms.txt (read at start).
    #[arg(long, env = "HYOKA_SYNONYMS")]
    synonyms: Option<PathBuf>,
    /// 同じ検索・比較の結果を索引が変わるまで覚えておく量（MB、0 で使わない）。Memory for the
    /// answers of repeated GET searches and comparisons, kept until the index changes (0: off).
    #[arg(long, default_value_t = 64, env = "HYOKA_CACHE_MB")]
    cache_mb: usize,
}

/// The index with the synonym dictionary the command was given, or the bundled one.
fn open_index(
    folder: &std::path::Path,
    synonyms: Option<&std::path::Path>,
) -> anyhow::Result<SearchIndex> {
    let index = SearchIndex::open(folder)?;
    Ok(match synonyms {
        Some(path) => index.with_synonyms(hyoka::search::synonyms::Synonyms::read(path)?),
        None => index,
    })
}

/// `println!` that returns the error instead of panicking, so a closed pipe
/// (`hyoka parse … | head`) ends the command quietly (see `is_broken_pipe`).
macro_rules! out {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($argument)*)?
    }};
}

fn main() -> ExitCode {
    // The PDF library logs each object it cannot load; the ingest report already says, in
    // staff's words, what a damaged file cost, so its messages would only alarm.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,lopdf=off")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: log files and journald get plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest(args) => run_ingest(&args),
        Command::Search(args) => run_search(&args),
        Command::Parse(args) => run_parse(&args),
        Command::Serve(args) => run_serve(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hyoka: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// One line, the whole chain: what failed and why. A cause whose words its parent already
/// printed (most errors here name their cause in their own message) is not printed again.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Whether the command failed only because its reader went away (`| head`), which is not an
/// error worth a message.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io_error| io_error.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Terminal cells a text takes: two for CJK and full-width characters, one otherwise.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|character| match character as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn run_ingest(args: &IngestArgs) -> anyhow::Result<ExitCode> {
    // An unchanged folder: the live index is what a rebuild would give. A folder that cannot
    // be listed is left to the ingest, which says why.
    let listing = match (
        args.force,
        hyoka::ingest::since_last_ingest(&args.corpus, &args.index),
    ) {
        (false, Ok(hyoka::ingest::SinceLastIngest::Unchanged { generation })) => {
            out!(
                "{} の文書は前回の読み込み（索引 {generation}）から変わっていないので、索引はそのままです。すべて読み直すには --force を付けてください",
                args.corpus.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        (_, Ok(hyoka::ingest::SinceLastIngest::Changed(listing))) => Some(listing),
        _ => None,
    };
    let mode = if args.force {
        hyoka::ingest::IngestMode::Whole
    } else {
        hyoka::ingest::IngestMode::Update
    };
    ingest_and_report(&args.corpus, &args.index, args.threads, mode, listing)?;
    Ok(ExitCode::SUCCESS)
}

fn ingest_and_report(
    corpus: &Path,
    index: &Path,
    threads: usize,
    mode: hyoka::ingest::IngestMode,
    listing: Option<hyoka::corpus::FolderStamps>,
) -> anyhow::Result<()> {
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    } else {
        None
    };
    let show = |file: &str| {
        if let Some(bar) = &progress {
            bar.set_message(format!("parsing {file}"));
        }
    };
    let summary = match listing {
        Some(listing) => hyoka::ingest::ingest_listed(corpus, index, threads, mode, listing, show),
        None => hyoka::ingest::ingest_as(corpus, index, threads, mode, show),
    }
    .map_err(|error| {
        // Staff read the reason in Japanese.
        let staff = match &error {
            hyoka::ingest::IngestError::Corpus(corpus_error) => {
                hyoka::messages::corpus_error(corpus_error)
            }
            hyoka::ingest::IngestError::Index(index_error) => {
                hyoka::messages::index_not_written(index_error)
            }
            hyoka::ingest::IngestError::NothingIndexed { folder, skipped } => {
                hyoka::messages::nothing_indexed(folder, *skipped)
            }
        };
        // The staff sentence carries the developer's detail (the TOML error, the I/O error).
        anyhow::anyhow!("{staff}")
    })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    // Columns padded by display width: a Japanese character takes two terminal cells.
    let row = |cells: [&str; 10]| {
        let widths: [usize; 10] = [28, 16, 10, 18, 10, 18, 16, 10, 6, 10];
        let mut line = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let padding = " ".repeat(width.saturating_sub(display_width(cell)));
            if index >= 8 {
                line.push_str(&padding);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&padding);
            }
            line.push(' ');
        }
        line.trim_end().to_string()
    };
    out!(
        "{}",
        row([
            "ファイル",
            "団体",
            "団体コード",
            "文書種別",
            "評価書番号",
            "様式",
            "公表日",
            "文字コード",
            "記載数",
            "項目に一致"
        ])
    );
    let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_string());
    for document in &summary.documents {
        out!(
            "{}",
            row([
                &document.file,
                &document.municipality,
                &or_dash(&document.municipality_code),
                &document.doc_type,
                &or_dash(&document.number),
                &or_dash(&document.form_version),
                &or_dash(&document.published),
                &document.encoding,
                &document.records.to_string(),
                &format!("{:.1}%", document.slot_share() * 100.0),
            ])
        );
    }
    for warning in &summary.warnings {
        out!("注意: {warning}");
    }
    for skipped in &summary.skipped {
        out!("読み込まなかった文書: {}", skipped.reason);
    }
    if let Some(because) = summary.whole_because {
        out!("{}", hyoka::messages::whole_because(because));
    }
    if let Some(update) = &summary.update {
        for file in &update.removed {
            out!("索引から外した文書: {file}");
        }
        out!(
            "差分で更新しました: 新しい文書 {} 件と変わった文書 {} 件を読み、消えた文書 {} 件を外し、変わっていない {} 文書はそのまま使いました",
            update.added.len(),
            update.replaced.len(),
            update.removed.len(),
            update.kept
        );
    }
    out!(
        "{} 文書を読み、索引には {} 件の記載があります（読み込まなかった文書 {}）。{:.2} MB を {:.3} 秒で読み込み（{:.2} MB/秒、{} スレッド、解析 {:.3} 秒（スレッドの合計）、最後の書き込み {:.3} 秒）。索引 {}",
        summary.documents.len(),
        summary.records,
        summary.skipped.len(),
        summary.input_bytes as f64 / 1_000_000.0,
        summary.seconds,
        summary.megabytes_per_second(),
        threads,
        summary.parse_seconds,
        summary.commit_seconds,
        summary.generation
    );
    Ok(())
}

fn run_search(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let index = open_index(&args.index, args.synonyms.as_deref())?;
    let request = SearchRequest {
        q: args.query.clone(),
        municipality: args.municipality.clone(),
        prefecture: args.prefecture.clone(),
        slot: args.slot.clone(),
        doc_type: args.doc_type.clone(),
        form_version: args.form_version.clone(),
        published_from: args.published_from.clone(),
        published_to: args.published_to.clone(),
        actor: args.actor.clone(),
        rating: args.rating.clone(),
        limit: Some(args.limit),
        offset: Some(args.offset),
        synonyms: args.no_synonyms.then(|| "off".to_string()),
        synonyms_off: args.synonyms_off.clone(),
        fallback: args.no_fallback.then(|| "off".to_string()),
        jimu: args.jimu.clone(),
        body_kind: args.body_kind.clone(),
        versions: args.all_versions.then(|| "all".to_string()),
        fold: args.no_fold.then(|| "off".to_string()),
    };
    let response = index.search(&request)?;
    if args.json {
        out!("{}", serde_json::to_string(&response)?);
        return Ok(ExitCode::SUCCESS);
    }
    out!(
        "{} hits for {:?} ({} ms)",
        response.total,
        response.query,
        response.took_ms
    );
    if let (Some(wordings), Some(bodies)) = (response.wordings, response.bodies) {
        out!(
            "{} 件の記載、{wordings} 通りの文言、{bodies} 団体",
            response.total
        );
    }
    for used in &response.synonyms {
        out!(
            "同義語: {} → {}{}",
            used.term,
            used.alternatives.join("・"),
            if used.enabled { "" } else { " (使わない)" }
        );
    }
    if let Some(fallback) = &response.fallback {
        out!(
            "すべての語を含む記載は {} 件: {} 語のうち {} 語以上を含む記載も表示しています",
            fallback.all_words_total,
            fallback.words,
            fallback.minimum_words
        );
    }
    for (rank, hit) in response.hits.iter().enumerate() {
        let record = &hit.record;
        let slot = match (&record.slot, &record.slot_label) {
            (Some(slot), Some(label)) => format!("{slot} {label}"),
            _ => "(項目不明)".to_string(),
        };
        out!();
        out!(
            "{}. {}  {}  [{}]  score {:.2}",
            rank + 1 + args.offset,
            record.municipality,
            record.doc_title,
            record.file_name.as_deref().unwrap_or("-"),
            hit.score
        );
        out!(
            "   {slot}{}",
            record
                .field
                .as_deref()
                .map(|field| format!(" / {field}"))
                .unwrap_or_default()
        );
        if let Some(actor) = &record.actor {
            out!("   措置主体: {actor}");
        }
        if let Some(rating) = &record.rating {
            out!("   評価: {rating}");
        }
        if !hit.missing.is_empty() {
            out!("   含まない語: {}", hit.missing.join("、"));
        }
        if let Some(folded) = hit.folded.as_ref().filter(|folded| folded.bodies > 1) {
            out!(
                "   同じ文言: ほか {} 団体（{} 件）",
                folded.bodies - 1,
                folded.records
            );
        }
        if let Some(version) = hit.version.as_ref().filter(|version| !version.current) {
            out!(
                "   過去の版（第 {} 版／全 {} 版）。最新の版: {}",
                version.version,
                version.versions,
                version.current_file
            );
        }
        out!("   {}", terminal_snippet(&hit.snippet));
        out!("   ({}:{})", record.source.file, record.source.line);
    }
    Ok(ExitCode::SUCCESS)
}

/// The HTML snippet for a terminal: marks as 【】, entities decoded, one line.
fn terminal_snippet(snippet: &str) -> String {
    snippet
        .replace("<mark>", "【")
        .replace("</mark>", "】")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\n', " ")
}

fn run_parse(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let _ = args.json;
    let mut failed = false;
    let mut manifests = hyoka::corpus::ManifestsBeside::default();
    for path in &args.files {
        let display = path.display().to_string();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_else(|| display.clone());
        let read = match hyoka::corpus::read_document(path, &display) {
            Ok(read) => read,
            Err(error) => {
                eprintln!("hyoka: {}", hyoka::messages::document_error(&error));
                failed = true;
                continue;
            }
        };
        if args.text {
            for warning in &read.warnings {
                eprintln!("注意: {warning}");
            }
            out!("{}", read.text);
            continue;
        }
        let meta = match manifests.meta_of(path)? {
            Some(meta) => meta,
            None => hyoka::corpus::infer_meta(file_name, &read.text),
        };
        let document = hyoka::corpus::LoadedDocument::of(meta, read);
        for warning in &document.warnings {
            eprintln!("注意: {warning}");
        }
        match document.parse() {
            Ok(records) => {
                for record in records {
                    out!("{}", serde_json::to_string(&record)?);
                }
            }
            Err(error) => {
                eprintln!("hyoka: {}", hyoka::messages::parse_error(&error));
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // The address first: a taken port is found in a moment, not after building the index.
    let listener = std::net::TcpListener::bind(args.addr).with_context(|| {
        format!(
            "cannot listen on {} (is another hyoka serve running? choose another with --addr); nothing was indexed",
            args.addr
        )
    })?;
    listener
        .set_nonblocking(true)
        .context("cannot set up the listening socket")?;
    if hyoka::index::current_generation(&args.index).is_none() {
        eprintln!(
            "no index in {}; building it from {}",
            args.index.display(),
            args.corpus.display()
        );
        ingest_and_report(
            &args.corpus,
            &args.index,
            2,
            hyoka::ingest::IngestMode::Whole,
            None,
        )?;
    }
    let index = match open_index(&args.index, args.synonyms.as_deref()) {
        Err(error)
            if matches!(
                error.downcast_ref::<hyoka::index::IndexError>(),
                Some(
                    hyoka::index::IndexError::OlderSchema(_)
                        | hyoka::index::IndexError::Table(
                            hyoka::compare::table::TableError::Version { .. }
                        )
                )
            ) =>
        {
            // An index from before an upgrade: rebuild it rather than make the user do it.
            eprintln!("{error}; rebuilding it from {}", args.corpus.display());
            ingest_and_report(
                &args.corpus,
                &args.index,
                2,
                hyoka::ingest::IngestMode::Whole,
                None,
            )?;
            open_index(&args.index, args.synonyms.as_deref())
        }
        other => other,
    };
    let index = Arc::new(index.context("cannot open the index")?);
    // The first visitor of the bodies list or of a drafting hint does not pay for them.
    index.warm();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        hyoka::http::spawn_reloader(index.clone(), Duration::from_secs(2));
        let state = hyoka::http::AppState::new(index)
            .with_response_cache(args.cache_mb.saturating_mul(1 << 20))
            .with_corpus(args.corpus.clone())
            .with_allowed_hosts(args.allowed_hosts.clone());
        let app = hyoka::http::app(state);
        let listener = tokio::net::TcpListener::from_std(listener)
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        eprintln!("hyoka: serving on http://{}/", listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}
