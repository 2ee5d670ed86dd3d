//! Fuzzes document reading end to end: bytes → decoding (UTF-8, BOM, Shift_JIS, EUC-JP, binary
//! refusal) → metadata inference → the two-stage parser. Nothing may panic, and every record
//! must point at a line of the document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok((text, _encoding)) = hyoka::corpus::decode(bytes, "fuzz.txt") else {
        return;
    };
    let meta = hyoka::corpus::infer_meta("fuzz.txt".to_string(), &text);
    let Ok(records) = hyoka::parse::parse_document(&meta, &text) else {
        return;
    };
    let lines = text.split('\n').count();
    for record in &records {
        assert!(
            record.source.line >= 1 && record.source.line <= lines,
            "line {} of {lines}",
            record.source.line
        );
    }
});
