//! Synthetic corpus generator for the benchmarks (not product data): from the five bundled
//! documents, writes documents of made-up bodies with realistic variation, deterministically
//! from a seed, until a target number of records is reached.
//!
//!   cargo bench --bench synth -- --records 100000 --seed 1 --out target/synth/100k
//!
//! Variation, per document: the body's name and code substituted (「合成0042市」, code 99xxxx —
//! clearly synthetic); in each line that holds a body's own measure text, sentences reordered,
//! dropped, reworded from other bodies' versions of the same slot, or added from them. Text of
//! the nationally shared actors (中間サーバー・プラットフォーム …) stays as it is, so shared
//! boilerplate stays shared. The manifest marks every document as synthetic.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use hyoka::corpus::{DocumentMeta, load_corpus};
use hyoka::parse::parse_document;

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
struct Random(u64);

impl Random {
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
}

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
            "--corpus" => parsed.corpus = PathBuf::from(value()?),
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(parsed)
}

/// One bundled document prepared as a template.
struct Template {
    meta: DocumentMeta,
    lines: Vec<String>,
    /// Line index → slot, for lines that start a body's own measure text.
    own_text_lines: BTreeMap<usize, String>,
    records: usize,
    /// Names in the text to replace by the synthetic body's name.
    names: Vec<String>,
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive('。')
        .map(str::trim)
        .filter(|sentence| sentence.chars().count() >= 8)
        .map(str::to_string)
        .collect()
}

fn main() {
    let arguments = match arguments() {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("synth: {message}");
            std::process::exit(2);
        }
    };
    let corpus = load_corpus(&arguments.corpus).expect("the bundled corpus loads");

    // Sentences of every body for each slot: the material rewording draws from.
    let mut pool: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut templates = Vec::new();
    for document in &corpus.documents {
        let Ok(records) = parse_document(&document.meta, &document.text) else {
            continue;
        };
        let mut own_text_lines = BTreeMap::new();
        for record in &records {
            let Some(slot) = &record.slot else { continue };
            let shared = record
                .actor
                .as_deref()
                .is_some_and(|actor| hyoka::parse::clean::SHARED_ACTORS.contains(&actor));
            if shared {
                continue;
            }
            pool.entry(slot.clone())
                .or_default()
                .extend(sentences(&record.text));
            own_text_lines.insert(record.source.line - 1, slot.clone());
        }
        let mut names: Vec<String> = vec![document.meta.municipality.clone()];
        names.retain(|name| name != hyoka::corpus::UNNAMED_BODY);
        templates.push(Template {
            meta: document.meta.clone(),
            lines: document.text.split('\n').map(str::to_string).collect(),
            own_text_lines,
            records: records.len(),
            names,
        });
    }
    for sentences in pool.values_mut() {
        sentences.sort();
        sentences.dedup();
    }

    std::fs::create_dir_all(&arguments.out).expect("create the output folder");
    let mut random = Random(arguments.seed);
    let mut manifest = format!(
        "# 合成データ (SYNTHETIC): generated by benches/synth.rs from the bundled corpus,\n\
         # seed {}, target {} records. Not real documents; bodies and codes are made up.\n",
        arguments.seed, arguments.records
    );
    let (mut records, mut documents, mut bytes) = (0_usize, 0_usize, 0_usize);
    while records < arguments.records {
        let template = &templates[random.below(templates.len())];
        let body_number = documents / 12; // about 12 documents per body, as published
        let body = format!("合成{body_number:04}市");
        let code = format!("99{:04}", body_number % 10_000);
        let mut text = String::with_capacity(template.lines.iter().map(String::len).sum());
        for (index, line) in template.lines.iter().enumerate() {
            let varied = match template.own_text_lines.get(&index) {
                Some(slot) => vary_line(
                    line,
                    pool.get(slot).map(Vec::as_slice).unwrap_or(&[]),
                    &mut random,
                ),
                None => line.clone(),
            };
            text.push_str(&varied);
            text.push('\n');
        }
        for name in &template.names {
            text = text.replace(name.as_str(), &body);
        }
        let file = format!("synth_{documents:07}.txt");
        // A last line naming the copy: a template with no text of a body's own (a 新旧対照表 of
        // shared wording) would otherwise repeat byte for byte, and ingest skips duplicates.
        let _ = writeln!(text, "（合成データ {file}）");
        std::fs::write(arguments.out.join(&file), &text).expect("write a document");
        let _ = write!(
            manifest,
            "\n[[document]]\nfile = \"{file}\"\nmunicipality = \"{body}\"\nmunicipality_code = \"{code}\"\n\
             prefecture = \"合成県{:02}\"\ntitle = {}\ndoc_type = {}\nnote = \"合成データ (synthetic)\"\n",
            body_number % 47 + 1,
            toml_string(
                &template
                    .meta
                    .title
                    .replace(&template.meta.municipality, &body)
            ),
            toml_string(&template.meta.doc_type),
        );
        records += template.records;
        documents += 1;
        bytes += text.len();
    }
    std::fs::write(arguments.out.join("manifest.toml"), manifest).expect("write the manifest");
    println!(
        "synth: {documents} documents, about {records} records, {:.1} MB in {} (seed {})",
        bytes as f64 / 1e6,
        arguments.out.display(),
        arguments.seed
    );
}

/// Varies the longest cell of a line: sentences reordered, dropped, reworded from the slot's
/// pool, or one added from it.
fn vary_line(line: &str, pool: &[String], random: &mut Random) -> String {
    let mut cells: Vec<String> = line.split('\t').map(str::to_string).collect();
    let Some((longest, _)) = cells.iter().enumerate().max_by_key(|(_, cell)| cell.len()) else {
        return line.to_string();
    };
    let mut parts: Vec<String> = cells[longest]
        .split_inclusive('。')
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
        for part in parts.iter_mut() {
            if random.chance(15) {
                *part = pool[random.below(pool.len())].clone();
            }
        }
        if random.chance(15) {
            parts.push(pool[random.below(pool.len())].clone());
        }
    }
    cells[longest] = parts.concat();
    cells.join("\t")
}

fn toml_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}
