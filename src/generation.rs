//! Files of an index generation other than tantivy's: each written whole and synced before the
//! generation is made live, so a power cut cannot leave a live generation with half a table.

use std::io::Write;
use std::path::Path;

/// Writes `value` as JSON into `path` and syncs it to disk.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut file, value)?;
    file.flush()?;
    file.get_ref().sync_all()
}
