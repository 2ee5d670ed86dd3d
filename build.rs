//! Compiles the vendored IPADIC source (`dict/`) into lindera's binary format
//! so that `src/analysis/dictionary.rs` can embed it with `include_bytes!`.
//!
//! Why not lindera's `embed-ipadic` feature: its build script downloads the
//! dictionary from the web, and the machines this builds on reach only the
//! crate registry. Everything here reads files in the repository.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

const ARCHIVE: &str = "dict/mecab-ipadic-2.7.0-20070801-utf8.tar.gz";
const METADATA: &str = "dict/metadata.json";
/// The folder inside the archive that holds the CSV and .def files.
const ARCHIVE_TOP: &str = "mecab-ipadic";
/// The folder under OUT_DIR that `embedded_dictionary!` reads.
const OUTPUT_SUBDIR: &str = "lindera-ipadic";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ARCHIVE}");
    println!("cargo:rerun-if-changed={METADATA}");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rustc-env=LINDERA_WORKDIR={}", out_dir.display());

    let output_dir = out_dir.join(OUTPUT_SUBDIR);
    let stamp = output_dir.join("hyoka-build.stamp");
    let wanted_stamp = source_stamp()?;
    // The build is deterministic in its inputs; skip it when they are unchanged
    // (cargo re-runs build scripts when the profile or toolchain changes).
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted_stamp.as_str()) {
        return Ok(());
    }

    let source_root = out_dir.join("ipadic-source");
    if source_root.exists() {
        fs::remove_dir_all(&source_root)?;
    }
    unpack(Path::new(ARCHIVE), &source_root)?;

    let metadata: Metadata = serde_json::from_str(&fs::read_to_string(METADATA)?)?;
    if output_dir.exists() {
        fs::remove_dir_all(&output_dir)?;
    }
    DictionaryBuilder::new(metadata)
        .build_dictionary(&source_root.join(ARCHIVE_TOP), &output_dir)
        .map_err(|error| format!("building the IPADIC dictionary failed: {error}"))?;
    // The unpacked source is 50 MB that nothing reads again.
    fs::remove_dir_all(&source_root)?;
    fs::write(&stamp, wanted_stamp)?;
    Ok(())
}

/// Identifies the inputs: archive and metadata sizes and the builder version.
fn source_stamp() -> Result<String, Box<dyn Error>> {
    let archive_len = fs::metadata(ARCHIVE)
        .map_err(|error| format!("{ARCHIVE} is missing ({error}); it is part of the repository"))?
        .len();
    let metadata = fs::read(METADATA)?;
    Ok(format!(
        "archive={archive_len} metadata={} lindera-dictionary={}",
        metadata.len(),
        lindera_dictionary::get_version()
    ))
}

fn unpack(archive: &Path, into: &Path) -> Result<(), Box<dyn Error>> {
    let file = fs::File::open(archive)?;
    let mut tarball = tar::Archive::new(flate2::read::GzDecoder::new(file));
    fs::create_dir_all(into)?;
    tarball.unpack(into)?;
    Ok(())
}
