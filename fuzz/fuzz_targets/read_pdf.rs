//! Fuzzes PDF reading: bytes → the PDF library (with its panics contained per page), the
//! rebuild of a damaged file from its objects, the marks device and its work budget, the table
//! layout and the page joining. Nothing may panic outside the contained library, hang, or
//! allocate without bound; what is read must be text lines with a page each.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(read) = hyoka::pdf::read_pdf(bytes) else {
        return;
    };
    assert_eq!(read.text.lines().count(), read.line_pages.len());
    assert!(read.failed_pages.len() <= read.pages);
});
