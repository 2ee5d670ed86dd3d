//! Damaged PDFs rebuilt as viewers rebuild them: the objects found by scanning the file, a new
//! cross-reference table and trailer, and the page tree from the pages themselves.
//!
//! PDFs reach staff through web servers, mail gateways and document systems that append,
//! prepend or cut bytes, and old files carry incremental updates whose back-links point
//! nowhere. The objects themselves usually survive: poppler, pdf.js and Acrobat all fall back
//! to scanning for `N G obj` … `endobj` when the cross-reference table cannot be trusted, and
//! so does hyoka. The rebuilt file is plain PDF written anew (every object once, its last
//! definition; each stream with the length its data really has) and read by the same reader
//! as an intact file.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// A rebuilt file and what the rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The rebuilt file.
    pub bytes: Vec<u8>,
    pub counts: RepairCounts,
}

/// What a rebuild found and mended, for the ingest report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairCounts {
    /// Objects found by scanning.
    pub objects: usize,
    /// Streams whose data ran past the end of the file (a cut tail): read as far as it goes.
    pub truncated_streams: usize,
    /// Streams whose `/Length` was wrong: read to their `endstream`.
    pub corrected_lengths: usize,
    /// Compressed streams whose data is damaged part way: kept as far as it inflates.
    pub damaged_streams: usize,
    /// Values nested deeper than any producer writes (a reader's stack is not for them):
    /// replaced by null.
    pub flattened_values: usize,
    /// Bytes no PDF token may hold (outside strings and names: a flipped byte) read as spaces.
    pub stray_bytes: usize,
    /// Whether the catalogue or page tree was missing and was made from the pages found.
    pub rebuilt_page_tree: bool,
}

/// The deepest nesting of arrays and dictionaries kept: the form's deepest is under ten.
const MAX_NESTING: usize = 64;

/// The most objects a rebuild takes: more than any 評価書 holds, few enough to bound the work.
const MAX_OBJECTS: usize = 200_000;

/// The most bytes a truncated stream may inflate to (a cut tail must not become a bomb).
const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

static OBJECT_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(?:^|[\s>\]\)])(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b")
        .expect("object header pattern")
});
static STREAM_KEYWORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)stream(\r\n|\n|\r)").expect("stream pattern"));
static LENGTH_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)/Length(?:\s+([-+]?[0-9.]+)(?:\s+(\d+)\s+R)?)?([^A-Za-z0-9]|$)")
        .expect("length pattern")
});
static TRAILER_KEYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)/(Root|Info|Encrypt)\s*(\d+)\s+(\d+)\s+R").expect("trailer key pattern")
});
static ID_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/ID\s*(\[[^\]]{0,600}\])").expect("id pattern"));
static TYPE_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)/Type\s*/(Catalog|Pages|Page|XRef|ObjStm)([^A-Za-z0-9]|$)")
        .expect("type pattern")
});
static PAGES_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/Pages\s*(\d+)\s+(\d+)\s+R").expect("pages pattern"));
static KIDS_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/Kids\s*\[([^\]]*)\]").expect("kids pattern"));
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)(\d+)\s+(\d+)\s+R").expect("reference pattern"));

/// One object as found in the file.
#[derive(Debug, Clone)]
struct FoundObject {
    generation: u16,
    /// The dictionary or value between `obj` and `stream`/`endobj`.
    head: Vec<u8>,
    /// The stream's data, when the object is a stream.
    data: Option<Vec<u8>>,
    /// Its `/Type`, when it has one.
    kind: Option<String>,
}

/// Rebuilds `bytes` (a PDF whose cross-reference table or trailer cannot be trusted) from the
/// objects it holds. `None` when it holds no catalogue and no page.
pub fn rebuild(bytes: &[u8]) -> Option<Repair> {
    let start = bytes.windows(5).position(|window| window == b"%PDF-")?;
    let body = &bytes[start..];
    let version_end = body
        .iter()
        .position(|byte| *byte == b'\n' || *byte == b'\r')
        .unwrap_or(body.len())
        .min(12);
    let version = String::from_utf8_lossy(&body[5..version_end])
        .trim()
        .to_string();
    let version = if version.len() <= 4
        && version
            .chars()
            .all(|character| character.is_ascii_digit() || character == '.')
        && !version.is_empty()
    {
        version
    } else {
        "1.7".to_string()
    };

    let mut repair = RepairCounts::default();
    let objects = scan_objects(body, &mut repair);
    if objects.is_empty() {
        return None;
    }
    let trailer = find_trailer(body, &objects);
    let mut next_id = objects.keys().map(|(number, _)| *number).max().unwrap_or(0) + 1;
    let mut extra: Vec<(u32, Vec<u8>)> = Vec::new();

    let root = trailer
        .root
        .filter(|root| kind_of(&objects, *root) == Some("Catalog"))
        .or_else(|| {
            objects
                .iter()
                .rev()
                .find(|(_, object)| object.kind.as_deref() == Some("Catalog"))
                .map(|(id, _)| *id)
        });
    let pages: Vec<(u32, u16)> = objects
        .iter()
        .filter(|(_, object)| object.kind.as_deref() == Some("Page"))
        .map(|(id, _)| *id)
        .collect();
    let tree_is_whole = root.is_some_and(|root| page_tree_is_whole(&objects, root));
    let root = if tree_is_whole {
        root?
    } else {
        if pages.is_empty() {
            return None;
        }
        // The pages in the order they stand in the file: producers write them in order.
        let mut ordered = pages.clone();
        ordered.sort_by_key(|id| objects[id].order);
        let pages_id = next_id;
        let catalog_id = next_id + 1;
        next_id += 2;
        let kids: Vec<String> = ordered
            .iter()
            .map(|(number, generation)| format!("{number} {generation} R"))
            .collect();
        extra.push((
            pages_id,
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                ordered.len()
            )
            .into_bytes(),
        ));
        extra.push((
            catalog_id,
            format!("<< /Type /Catalog /Pages {pages_id} 0 R >>").into_bytes(),
        ));
        repair.rebuilt_page_tree = true;
        (catalog_id, 0)
    };

    let mut out: Vec<u8> = format!("%PDF-{version}\n").into_bytes();
    out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    for ((number, generation), object) in &objects {
        // A cross-reference stream describes the old offsets: the new table replaces it.
        if object.kind.as_deref() == Some("XRef") {
            continue;
        }
        offsets.insert(*number, (out.len(), *generation));
        out.extend_from_slice(format!("{number} {generation} obj\n").as_bytes());
        match &object.data {
            Some(data) => {
                out.extend_from_slice(&with_length(&object.head, data.len()));
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
            None => {
                out.extend_from_slice(&object.head);
                out.extend_from_slice(b"\nendobj\n");
            }
        }
    }
    for (number, head) in &extra {
        offsets.insert(*number, (out.len(), 0));
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(head);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = next_id;
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    out.extend_from_slice(b"0000000000 65535 f\r\n");
    for number in 1..size {
        match offsets.get(&number) {
            Some((offset, generation)) => {
                out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes())
            }
            None => out.extend_from_slice(b"0000000000 00000 f\r\n"),
        }
    }
    let mut trailer_text = format!("trailer\n<< /Size {size} /Root {} {} R", root.0, root.1);
    for (key, id) in [("Info", trailer.info), ("Encrypt", trailer.encrypt)] {
        if let Some((number, generation)) = id
            && offsets.contains_key(&number)
        {
            trailer_text.push_str(&format!(" /{key} {number} {generation} R"));
        }
    }
    out.extend_from_slice(trailer_text.as_bytes());
    // The file identifier matters only to decryption (a damaged one breaks the trailer).
    if let Some(id) = &trailer.id
        && trailer.encrypt.is_some()
    {
        out.extend_from_slice(b" /ID ");
        out.extend_from_slice(id);
    }
    out.extend_from_slice(format!(" >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    repair.objects = objects.len();
    Some(Repair {
        bytes: out,
        counts: repair,
    })
}

/// The objects of the file in the order found, the last definition of each number winning
/// (an incremental update redefines objects after the originals).
fn scan_objects(body: &[u8], repair: &mut RepairCounts) -> BTreeMap<(u32, u16), Placed> {
    let mut found: BTreeMap<u32, Placed> = BTreeMap::new();
    let mut position = 0usize;
    let mut order = 0usize;
    while position < body.len() && found.len() < MAX_OBJECTS {
        let Some(captures) = OBJECT_HEADER.captures_at(body, position) else {
            break;
        };
        let (Some(number_match), Some(generation_match), Some(whole)) =
            (captures.get(1), captures.get(2), captures.get(0))
        else {
            break;
        };
        let number = parse_number(number_match.as_bytes());
        let generation = parse_number(generation_match.as_bytes());
        let content_start = whole.end();
        let (object, end) = read_object_body(body, content_start, repair);
        position = end.max(content_start);
        let (Some(number), Some(generation)) = (number, generation) else {
            continue;
        };
        let Ok(generation) = u16::try_from(generation) else {
            continue;
        };
        let Ok(number) = u32::try_from(number) else {
            continue;
        };
        if number == 0 || number >= u32::MAX / 2 {
            continue;
        }
        order += 1;
        let mut object = object;
        if let Some((flat, count)) = flatten_deep_nesting(&object.head) {
            object.head = flat;
            object.kind = type_of(&object.head);
            repair.flattened_values += count;
        }
        repair.stray_bytes += blank_stray_bytes(&mut object.head);
        found.insert(
            number,
            Placed {
                order,
                object: FoundObject {
                    generation,
                    ..object
                },
            },
        );
    }
    // Objects kept compressed in object streams (PDF 1.5 producers put the catalogue and the
    // pages there): taken out, unless the file also defines them directly.
    let containers: Vec<(usize, FoundObject)> = found
        .values()
        .filter(|placed| placed.kind.as_deref() == Some("ObjStm"))
        .map(|placed| (placed.order, placed.object.clone()))
        .collect();
    for (container_order, container) in containers {
        for (number, head) in objects_in_stream(&container) {
            if found.len() >= MAX_OBJECTS {
                break;
            }
            let kind = type_of(&head);
            found.entry(number).or_insert(Placed {
                order: container_order,
                object: FoundObject {
                    generation: 0,
                    head,
                    data: None,
                    kind,
                },
            });
        }
    }
    found
        .into_iter()
        .map(|(number, placed)| ((number, placed.object.generation), placed))
        .collect()
}

static OBJECT_STREAM_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/N\s+(\d+)").expect("count pattern"));
static OBJECT_STREAM_FIRST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)/First\s+(\d+)").expect("first pattern"));

/// The objects an object stream holds: its header's pairs of number and offset, each object
/// running to the next one's offset. Nothing when the stream does not inflate or its header
/// does not read.
fn objects_in_stream(container: &FoundObject) -> Vec<(u32, Vec<u8>)> {
    let Some(data) = &container.data else {
        return Vec::new();
    };
    let inflated = if ONLY_FLATE.is_match(&container.head) {
        match inflate_prefix(&container.head, data) {
            Some((inflated, _)) => inflated,
            None => return Vec::new(),
        }
    } else {
        data.clone()
    };
    let number_of = |pattern: &Regex| {
        pattern
            .captures(&container.head)
            .and_then(|captures| parse_number(captures.get(1)?.as_bytes()))
            .and_then(|number| usize::try_from(number).ok())
    };
    let (Some(count), Some(first)) = (
        number_of(&OBJECT_STREAM_COUNT),
        number_of(&OBJECT_STREAM_FIRST),
    ) else {
        return Vec::new();
    };
    if first > inflated.len() {
        return Vec::new();
    }
    let header = String::from_utf8_lossy(&inflated[..first]);
    let numbers: Vec<usize> = header
        .split_whitespace()
        .filter_map(|token| token.parse().ok())
        .collect();
    let pairs: Vec<(u32, usize)> = numbers
        .chunks_exact(2)
        .take(count.min(MAX_OBJECTS))
        .filter_map(|pair| Some((u32::try_from(pair[0]).ok()?, pair[1])))
        .collect();
    let mut objects = Vec::new();
    for (index, (number, offset)) in pairs.iter().enumerate() {
        let start = first.saturating_add(*offset);
        let end = pairs
            .get(index + 1)
            .map_or(inflated.len(), |(_, next)| first.saturating_add(*next))
            .min(inflated.len());
        if *number == 0 || start >= end {
            continue;
        }
        objects.push((*number, trim(&inflated[start..end]).to_vec()));
    }
    objects
}

/// An object with the place it was found at.
#[derive(Debug, Clone)]
struct Placed {
    order: usize,
    object: FoundObject,
}

impl std::ops::Deref for Placed {
    type Target = FoundObject;
    fn deref(&self) -> &FoundObject {
        &self.object
    }
}

/// Reads one object's body from just after `obj`: its head, its stream data if any, and where
/// the next object may start.
fn read_object_body(body: &[u8], start: usize, repair: &mut RepairCounts) -> (FoundObject, usize) {
    let next_header = OBJECT_HEADER
        .find_at(body, start)
        .map(|found| found.start())
        .unwrap_or(body.len());
    let endobj = find(body, b"endobj", start, next_header);
    let head_end_limit = endobj.unwrap_or(next_header);
    let stream = STREAM_KEYWORD
        .captures_at(&body[..head_end_limit], start)
        .filter(|captures| {
            // `stream` right after the dictionary, not the end of a word like `endstream`.
            let keyword = captures.get(0).map_or(0, |found| found.start());
            keyword == 0 || !body[keyword - 1].is_ascii_alphabetic()
        });
    let Some(stream) = stream else {
        let head = trim(&body[start..head_end_limit]).to_vec();
        let kind = type_of(&head);
        let end = endobj.map_or(next_header, |at| at + b"endobj".len());
        return (
            FoundObject {
                generation: 0,
                head,
                data: None,
                kind,
            },
            end,
        );
    };
    let Some(keyword) = stream.get(0) else {
        return (
            FoundObject {
                generation: 0,
                head: Vec::new(),
                data: None,
                kind: None,
            },
            head_end_limit,
        );
    };
    let head = trim(&body[start..keyword.start()]).to_vec();
    let kind = type_of(&head);
    let data_start = keyword.end();
    let declared = declared_length(&head);
    // The declared length is right when `endstream` follows it.
    let by_length = declared.and_then(|length| {
        let end = data_start.checked_add(length)?;
        let after = body.get(end..)?;
        let skipped = after
            .iter()
            .take_while(|byte| byte.is_ascii_whitespace())
            .count();
        after[skipped..].starts_with(b"endstream").then_some(end)
    });
    let (data_end, resume) = match by_length {
        Some(end) => (end, end),
        None => match find(body, b"endstream", data_start, body.len()) {
            Some(at) => {
                if declared.is_some() {
                    repair.corrected_lengths += 1;
                }
                let mut end = at;
                // The end-of-line before `endstream` is not data.
                if end > data_start && body[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > data_start && body[end - 1] == b'\r' {
                    end -= 1;
                }
                (end, at)
            }
            None => (body.len(), body.len()),
        },
    };
    let mut data = body[data_start..data_end].to_vec();
    let mut head = head;
    // A compressed stream cut short or damaged part way: inflate what there is and keep it
    // uncompressed, as viewers show what they could decode.
    if let Some((inflated, complete)) = inflate_prefix(&head, &data)
        && !complete
    {
        if data_end == body.len() && by_length.is_none() {
            repair.truncated_streams += 1;
        } else {
            repair.damaged_streams += 1;
        }
        data = inflated;
        head = without_filter(&head);
    } else if data_end == body.len() && by_length.is_none() {
        repair.truncated_streams += 1;
    }
    let resume =
        find(body, b"endobj", resume, body.len()).map_or(resume, |at| at + b"endobj".len());
    (
        FoundObject {
            generation: 0,
            head,
            data: Some(data),
            kind,
        },
        resume,
    )
}

/// The trailer's references, from the last trailer or cross-reference stream that names a
/// catalogue the file holds.
#[derive(Debug, Default)]
struct Trailer {
    root: Option<(u32, u16)>,
    info: Option<(u32, u16)>,
    encrypt: Option<(u32, u16)>,
    id: Option<Vec<u8>>,
}

fn find_trailer(body: &[u8], objects: &BTreeMap<(u32, u16), Placed>) -> Trailer {
    let mut dictionaries: Vec<&[u8]> = Vec::new();
    let mut position = 0;
    while let Some(at) = find(body, b"trailer", position, body.len()) {
        let end = (at + 4096).min(body.len());
        let end = find(body, b"startxref", at, end).unwrap_or(end);
        dictionaries.push(&body[at..end]);
        position = at + 7;
    }
    for object in objects.values() {
        if object.kind.as_deref() == Some("XRef") {
            dictionaries.push(&object.head);
        }
    }
    let mut trailer = Trailer::default();
    for dictionary in dictionaries {
        let mut root = None;
        let mut info = None;
        let mut encrypt = None;
        for captures in TRAILER_KEYS.captures_iter(dictionary) {
            let Some(id) = reference_at(&captures, 2) else {
                continue;
            };
            match captures.get(1).map(|m| m.as_bytes()) {
                Some(b"Root") => root = Some(id),
                Some(b"Info") => info = Some(id),
                Some(b"Encrypt") => encrypt = Some(id),
                _ => {}
            }
        }
        if root.is_some_and(|root| kind_of(objects, root) == Some("Catalog")) {
            trailer.root = root;
            trailer.info = info.or(trailer.info);
        }
        trailer.encrypt = encrypt.or(trailer.encrypt);
        if let Some(id) = ID_ENTRY
            .captures(dictionary)
            .and_then(|captures| captures.get(1))
        {
            trailer.id = Some(id.as_bytes().to_vec());
        }
    }
    trailer
}

/// Whether the catalogue's page tree is there: every node it names is in the file, and it
/// reaches at least one page.
fn page_tree_is_whole(objects: &BTreeMap<(u32, u16), Placed>, root: (u32, u16)) -> bool {
    let Some(catalog) = objects.get(&root) else {
        return false;
    };
    let Some(tree) = PAGES_ENTRY
        .captures(&catalog.head)
        .and_then(|captures| reference_at(&captures, 1))
    else {
        return false;
    };
    let mut reached = 0usize;
    let mut stack = vec![tree];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) || seen.len() > MAX_OBJECTS {
            continue;
        }
        let Some(node) = objects.get(&id) else {
            return false;
        };
        match node.kind.as_deref() {
            Some("Page") => reached += 1,
            Some("Pages") => {
                let Some(kids) = KIDS_ENTRY.captures(&node.head).and_then(|c| c.get(1)) else {
                    return false;
                };
                stack.extend(
                    REFERENCE
                        .captures_iter(kids.as_bytes())
                        .filter_map(|kid| reference_at(&kid, 1)),
                );
            }
            _ => return false,
        }
    }
    // Pages no tree reaches are left out, as a viewer leaves them: an incremental update that
    // removed a page leaves its object behind.
    reached > 0
}

fn kind_of(objects: &BTreeMap<(u32, u16), Placed>, id: (u32, u16)) -> Option<&str> {
    objects.get(&id).and_then(|object| object.kind.as_deref())
}

/// The object's `/Type`, read from its head (the first one: nested dictionaries come later).
fn type_of(head: &[u8]) -> Option<String> {
    TYPE_ENTRY
        .captures(head)
        .and_then(|captures| captures.get(1))
        .map(|kind| String::from_utf8_lossy(kind.as_bytes()).to_string())
}

/// A direct `/Length n` of a stream's dictionary (an indirect one is not trusted here).
fn declared_length(head: &[u8]) -> Option<usize> {
    let captures = LENGTH_ENTRY.captures(head)?;
    if captures.get(2).is_some() {
        return None;
    }
    usize::try_from(parse_number(captures.get(1)?.as_bytes())?).ok()
}

/// The head with its `/Length` set to `length` (direct), whatever it said before.
fn with_length(head: &[u8], length: usize) -> Vec<u8> {
    let replacement = format!("/Length {length}");
    match LENGTH_ENTRY.captures(head) {
        Some(captures) => {
            let (Some(whole), Some(tail)) = (captures.get(0), captures.get(3)) else {
                return head.to_vec();
            };
            let mut out = head[..whole.start()].to_vec();
            out.extend_from_slice(replacement.as_bytes());
            out.extend_from_slice(tail.as_bytes());
            out.extend_from_slice(&head[whole.end()..]);
            out
        }
        None => {
            // `<<` … `>>`: put the length just inside the dictionary.
            match head.windows(2).position(|window| window == b"<<") {
                Some(at) => {
                    let mut out = head[..at + 2].to_vec();
                    out.extend_from_slice(format!(" {replacement} ").as_bytes());
                    out.extend_from_slice(&head[at + 2..]);
                    out
                }
                None => head.to_vec(),
            }
        }
    }
}

/// The data of a `/FlateDecode` stream (its only filter, no predictor) inflated as far as it
/// goes, and whether that is all of it. `None` for other streams and for data that does not
/// inflate at all.
fn inflate_prefix(head: &[u8], data: &[u8]) -> Option<(Vec<u8>, bool)> {
    if !ONLY_FLATE.is_match(head) || head.windows(11).any(|window| window == b"DecodeParms") {
        return None;
    }
    let mut inflated = Vec::new();
    let mut decoder = flate2::read::ZlibDecoder::new(data).take(MAX_INFLATED_BYTES);
    let mut buffer = [0u8; 16 * 1024];
    let complete = loop {
        match decoder.read(&mut buffer) {
            Ok(0) => break true,
            Ok(read) => inflated.extend_from_slice(&buffer[..read]),
            Err(_) => break false,
        }
    };
    (!inflated.is_empty()).then_some((inflated, complete))
}

static ONLY_FLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)/Filter\s*(\[\s*/FlateDecode\s*\]|/FlateDecode)").expect("filter pattern")
});

/// `head` with every value nested deeper than [`MAX_NESTING`] replaced by `null`, and how many
/// were; `None` when nothing is that deep. Strings are skipped, so brackets in text do not count.
fn flatten_deep_nesting(head: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::with_capacity(head.len());
    let mut depth = 0usize;
    let mut flattened = 0usize;
    let mut index = 0usize;
    while index < head.len() {
        let byte = head[index];
        let opener = byte == b'[' || (byte == b'<' && head.get(index + 1) == Some(&b'<'));
        let closer = byte == b']' || (byte == b'>' && head.get(index + 1) == Some(&b'>'));
        if byte == b'(' {
            let end = literal_string_end(head, index);
            out.extend_from_slice(&head[index..end]);
            index = end;
            continue;
        }
        if opener && depth == MAX_NESTING {
            index = balanced_group_end(head, index);
            out.extend_from_slice(b" null ");
            flattened += 1;
            continue;
        }
        let width = if byte == b'[' || byte == b']' { 1 } else { 2 };
        if opener {
            depth += 1;
        } else if closer {
            depth = depth.saturating_sub(1);
        } else {
            out.push(byte);
            index += 1;
            continue;
        }
        out.extend_from_slice(&head[index..index + width]);
        index += width;
    }
    (flattened > 0).then_some((out, flattened))
}

/// Blanks the bytes of `head` that no PDF token may hold outside strings and names (bytes
/// above ASCII, control characters): a flipped byte, which a viewer's lexer skips. Returns
/// how many. Names keep theirs: old Japanese PDFs name fonts in raw Shift_JIS.
fn blank_stray_bytes(head: &mut [u8]) -> usize {
    let mut blanked = 0;
    let mut index = 0;
    let mut in_name = false;
    while index < head.len() {
        let byte = head[index];
        if byte == b'(' {
            index = literal_string_end(head, index);
            in_name = false;
            continue;
        }
        if byte == b'/' {
            in_name = true;
        } else if byte.is_ascii_whitespace() || b"[]<>(){}".contains(&byte) {
            in_name = false;
        } else if !in_name && (byte >= 0x80 || (byte.is_ascii_control() && byte != 0)) {
            head[index] = b' ';
            blanked += 1;
        }
        index += 1;
    }
    blanked
}

/// Where the literal string starting at `start` (an opening parenthesis) ends: nested
/// parentheses balance, a backslash escapes the next byte.
fn literal_string_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut index = start;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return index + 1;
                }
            }
            _ => {}
        }
        index += 1;
    }
    bytes.len()
}

/// Where the array or dictionary opening at `start` closes (the end of `bytes` if it never does).
fn balanced_group_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut index = start;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'(' {
            index = literal_string_end(bytes, index);
            continue;
        }
        if byte == b'[' {
            depth += 1;
        } else if byte == b'<' && bytes.get(index + 1) == Some(&b'<') {
            depth += 1;
            index += 1;
        } else if byte == b']' || (byte == b'>' && bytes.get(index + 1) == Some(&b'>')) {
            if byte == b'>' {
                index += 1;
            }
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return index + 1;
            }
        }
        index += 1;
    }
    bytes.len()
}

fn without_filter(head: &[u8]) -> Vec<u8> {
    ONLY_FLATE.replace(head, &b""[..]).into_owned()
}

/// The object reference `N G R` whose number is capture group `first` and whose generation
/// is the next group.
fn reference_at(captures: &regex::bytes::Captures, first: usize) -> Option<(u32, u16)> {
    let number = u32::try_from(parse_number(captures.get(first)?.as_bytes())?).ok()?;
    let generation = u16::try_from(parse_number(captures.get(first + 1)?.as_bytes())?).ok()?;
    Some((number, generation))
}

fn parse_number(digits: &[u8]) -> Option<u64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn find(haystack: &[u8], needle: &[u8], from: usize, to: usize) -> Option<usize> {
    let to = to.min(haystack.len());
    if from >= to {
        return None;
    }
    haystack[from..to]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .map_or(start, |at| at + 1);
    &bytes[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_nested_past_the_limit_become_null_and_strings_do_not_count() {
        let deep = format!(
            "<< /Type /Page /Deep {}{} /Title (a [ bracket) >>",
            "[".repeat(100),
            "]".repeat(100)
        );
        let (flat, count) = flatten_deep_nesting(deep.as_bytes()).expect("flattened");
        assert_eq!(count, 1);
        let flat = String::from_utf8(flat).expect("text");
        assert!(flat.contains("null"), "{flat}");
        assert!(flat.contains("(a [ bracket)"), "{flat}");
        assert_eq!(flat.matches('[').count() - 1, flat.matches(']').count());
        assert_eq!(type_of(flat.as_bytes()).as_deref(), Some("Page"));
        assert!(flatten_deep_nesting(b"<< /Kids [1 0 R [2 0 R]] /Title (((x))) >>").is_none());
    }

    #[test]
    fn a_wrong_length_is_replaced_and_a_missing_one_added() {
        assert_eq!(
            with_length(b"<< /Length 99 /Filter /FlateDecode >>", 12),
            b"<< /Length 12 /Filter /FlateDecode >>".to_vec()
        );
        assert_eq!(
            with_length(b"<< /Length -5 >>", 3),
            b"<< /Length 3 >>".to_vec()
        );
        assert_eq!(
            with_length(b"<</Length 7 0 R>>", 5),
            b"<</Length 5>>".to_vec()
        );
        assert_eq!(
            with_length(b"<< /Length1 300 >>", 5),
            b"<< /Length 5  /Length1 300 >>".to_vec()
        );
    }

    #[test]
    fn nothing_to_rebuild_from_gives_none() {
        assert!(rebuild(b"%PDF-1.4\nno objects at all").is_none());
        assert!(rebuild(b"not a pdf").is_none());
        // Objects, but neither a catalogue nor a page.
        assert!(rebuild(b"%PDF-1.4\n1 0 obj\n<< /Type /Font >>\nendobj\n").is_none());
    }
}
