//! The draft workspace's server side: which slots of the form peers of a kind of 評価書 and a
//! 事務 write in (the workspace lists them in the form's order), and a body's document as slot
//! texts to start a draft from. The draft itself stays in the browser.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::DraftError;
use crate::document::DocumentInfo;
use crate::form;
use crate::search::SearchIndex;

/// Most records of one document read to start a draft (a 全項目評価書 has a few hundred).
const MAX_START_RECORDS: usize = 5000;

/// The peers a workspace drafts among (`GET /api/draft/slots`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WorkspaceRequest {
    /// The kind of 評価書 drafted: its slots are listed.
    pub doc_type: Option<String>,
    pub jimu: Option<String>,
    /// Peers counted per slot: bodies of this kind, and (`same_kind=on`) only documents of
    /// the drafted kind, as the hints and precedents compare.
    pub body_kind: Option<String>,
    pub same_kind: Option<String>,
    /// The body drafting: not its own peer.
    pub own_body: Option<String>,
}

/// A value to choose with the current documents having it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub documents: usize,
}

/// A slot of the form peers write in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WorkspaceSlot {
    pub key: String,
    pub label: String,
    /// As staff cite it: 「Ⅲ 7. リスク1 ⑤物理的対策」.
    pub heading: String,
    pub breadcrumb: Vec<String>,
    /// Peer bodies with text in it (as hints count them).
    pub bodies: usize,
}

/// The response of `GET /api/draft/slots`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WorkspaceSlots {
    /// Kinds of 評価書 and 事務 of the current documents, most documents first.
    pub doc_types: Vec<Choice>,
    pub jimus: Vec<Choice>,
    /// Current documents of the chosen kind and 事務, and their bodies.
    pub documents: usize,
    pub bodies: usize,
    /// Slots with text in those documents, in the form's order, each with its peers.
    pub slots: Vec<WorkspaceSlot>,
}

fn jimu_of(document: &DocumentInfo) -> Option<&str> {
    document
        .jimu_category
        .as_deref()
        .or(document.jimu.as_deref())
}

/// Answers `GET /api/draft/slots`: the current documents' kinds and 事務, and the slots the
/// chosen ones write in, from the comparison table (no stored record is read).
pub fn workspace_slots(
    index: &SearchIndex,
    request: &WorkspaceRequest,
) -> Result<WorkspaceSlots, DraftError> {
    let documents = index.documents();
    let table = index.comparison_table();
    let wanted = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty() && *value != "all")
            .map(str::to_string)
    };
    let doc_type = wanted(&request.doc_type);
    let jimu = wanted(&request.jimu);
    let mut doc_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut jimus: BTreeMap<String, usize> = BTreeMap::new();
    let body_kind = wanted(&request.body_kind);
    let own_body = wanted(&request.own_body);
    let same_kind = matches!(request.same_kind.as_deref(), Some("on" | "true" | "1"));
    // By document number (dense), as the table's rows name documents.
    let count = documents.number_bound();
    let mut chosen = vec![false; count];
    let mut peers = vec![false; count];
    let mut chosen_bodies: HashSet<(String, Option<String>)> = HashSet::new();
    for (number, document) in documents.numbered() {
        let number = number as usize;
        if !document.current {
            continue;
        }
        *doc_types.entry(document.doc_type.clone()).or_default() += 1;
        if let Some(name) = jimu_of(document) {
            *jimus.entry(name.to_string()).or_default() += 1;
        }
        let kind_matches = doc_type
            .as_deref()
            .is_none_or(|kind| kind == document.doc_type);
        let jimu_matches = jimu
            .as_deref()
            .is_none_or(|name| Some(name) == jimu_of(document));
        let body_kind_matches = body_kind
            .as_deref()
            .is_none_or(|kind| Some(kind) == document.body_kind.as_deref());
        let own = own_body.as_deref() == Some(document.body.as_str());
        if jimu_matches && body_kind_matches && (kind_matches || !same_kind) && !own {
            peers[number] = true;
        }
        if kind_matches && jimu_matches {
            chosen[number] = true;
            chosen_bodies.insert((document.body.clone(), document.municipality_code.clone()));
        }
    }
    let is = |flags: &[bool], document: u32| flags.get(document as usize).copied().unwrap_or(false);
    // Per body, the last slot it was counted in: counting a slot's bodies without a set.
    let mut counted_in: Vec<usize> = Vec::new();
    let mut slots = Vec::new();
    for (position, slot) in form::SLOTS.iter().enumerate() {
        let rows = table.rows_in_slot(slot.key);
        let written = rows
            .iter()
            .any(|row| row.has_text && is(&chosen, row.document));
        if !written {
            continue;
        }
        let mut bodies = 0;
        for row in rows
            .iter()
            .filter(|row| row.has_text && !row.deleted && is(&peers, row.document))
        {
            let body = row.body as usize;
            if counted_in.len() <= body {
                counted_in.resize(body + 1, usize::MAX);
            }
            if counted_in[body] != position {
                counted_in[body] = position;
                bodies += 1;
            }
        }
        slots.push(WorkspaceSlot {
            key: slot.key.to_string(),
            label: slot.label.to_string(),
            heading: form::short_heading(slot.key),
            breadcrumb: form::breadcrumb(slot.key)
                .into_iter()
                .map(str::to_string)
                .collect(),
            bodies,
        });
    }
    let ranked = |counts: BTreeMap<String, usize>| {
        let mut choices: Vec<Choice> = counts
            .into_iter()
            .map(|(value, documents)| Choice { value, documents })
            .collect();
        choices.sort_by_key(|choice| std::cmp::Reverse(choice.documents));
        choices
    };
    Ok(WorkspaceSlots {
        doc_types: ranked(doc_types),
        jimus: ranked(jimus),
        documents: chosen.iter().filter(|chosen| **chosen).count(),
        bodies: chosen_bodies.len(),
        slots,
    })
}

/// A slot's text in a body's document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StartingText {
    pub slot: String,
    /// The document's texts of the slot in document order, one paragraph each, each text once.
    pub text: String,
    /// The records they came from.
    pub ids: Vec<String>,
}

/// The response of `GET /api/draft/start`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StartingDocument {
    pub document: DocumentInfo,
    /// In the form's order.
    pub slots: Vec<StartingText>,
}

/// Answers `GET /api/draft/start?file=…`: the document's texts by slot, to start a draft from.
pub fn starting_document(index: &SearchIndex, file: &str) -> Result<StartingDocument, DraftError> {
    let documents = index.documents();
    let Some(document) = documents.by_file(file).cloned() else {
        return Err(DraftError::UnknownDocument(file.to_string()));
    };
    let records = index.records_of_file(file, MAX_START_RECORDS)?;
    let mut by_slot: BTreeMap<usize, StartingText> = BTreeMap::new();
    for record in records {
        let Some(slot) = record.slot.as_deref() else {
            continue;
        };
        let text = record.text.trim();
        // An item answered only by its choice has nothing to draft from; the body's quotes of
        // other bodies (ordinance excerpts) are not its own text.
        if text.is_empty() || record.municipality != document.body {
            continue;
        }
        let Some(position) = form::SLOTS.iter().position(|known| known.key == slot) else {
            continue;
        };
        let entry = by_slot.entry(position).or_insert_with(|| StartingText {
            slot: slot.to_string(),
            text: String::new(),
            ids: Vec::new(),
        });
        // A document of several files (住民基本台帳ファイル, 本人確認情報ファイル …) often writes
        // one text for each: the draft takes it once.
        let already = entry
            .text
            .split('\n')
            .collect::<Vec<_>>()
            .windows(text.lines().count().max(1))
            .any(|lines| lines.join("\n") == text);
        if !already {
            if !entry.text.is_empty() {
                entry.text.push('\n');
            }
            entry.text.push_str(text);
        }
        entry.ids.push(record.id);
    }
    Ok(StartingDocument {
        document,
        slots: by_slot.into_values().collect(),
    })
}
