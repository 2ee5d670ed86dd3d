//! Files of an index generation other than tantivy's: each written whole and synced before the
//! generation is made live, so a power cut cannot leave a live generation with half a table.

use std::io::Write;
use std::path::Path;

/// Reads the JSON file at `path` whole, then parses it: serde_json parses bytes in memory
/// several times faster than through a reader (the sources table is tens of megabytes at
/// national scale, read by every update; the biggest tables are kept as columns, see
/// [`crate::columns`]). The outer error is reading, the inner one the file's content.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> std::io::Result<serde_json::Result<T>> {
    let bytes = std::fs::read(path)?;
    Ok(serde_json::from_slice(&bytes))
}

/// Writes `value` as JSON into `path` and syncs it to disk.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut file, value)?;
    file.flush()?;
    file.get_ref().sync_all()
}
