//! The OpenAPI 3.1 document of the HTTP API, built from the route table below.
//!
//! [`ROUTES`] is the one list of endpoints: the router in `http.rs` is checked against it by a
//! test that calls every documented route, so the document cannot silently fall behind.

use serde_json::{Value, json};

/// One query or path parameter.
pub struct Parameter {
    pub name: &'static str,
    pub location: &'static str,
    pub required: bool,
    pub kind: &'static str,
    pub description: &'static str,
}

/// One endpoint.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub parameters: &'static [Parameter],
    /// Parameters after those (an endpoint that takes another's and one of its own).
    pub more_parameters: &'static [Parameter],
    pub request_body: Option<&'static str>,
    pub response: &'static str,
    pub content_type: &'static str,
}

const fn query(name: &'static str, kind: &'static str, description: &'static str) -> Parameter {
    Parameter {
        name,
        location: "query",
        required: false,
        kind,
        description,
    }
}

const SEARCH_PARAMETERS: &[Parameter] = &[
    query(
        "q",
        "string",
        "words (all required), \"phrases\", -exclusions, A OR B (also or, ＯＲ, |; binds tighter than spaces), ( ) groups, -( ) excluded groups; empty lists the filtered records. A query with OR is explained in the response's `reading`",
    ),
    query(
        "municipality",
        "string",
        "団体名; several comma-separated are any of them (札幌市,豊島区), as are those of prefecture, body_kind, jimu, doc_type, form_version, actor and rating; a filtered dimension's facet is counted as if unfiltered",
    ),
    query("prefecture", "string", "都道府県"),
    query(
        "slot",
        "string",
        "slot key such as III.7.R1; includes everything below it",
    ),
    query("doc_type", "string", "文書種別 (評価書の種類)"),
    query(
        "form_version",
        "string",
        "様式 version, e.g. 令和6年10月 様式4",
    ),
    query(
        "published_from",
        "string",
        "公表日 on or after (2024-10-01 or 令和6年10月1日)",
    ),
    query("published_to", "string", "公表日 on or before"),
    query("actor", "string", "措置主体"),
    query("rating", "string", "リスクへの対策は十分か"),
    query(
        "jimu",
        "string",
        "事務: its category (住民基本台帳, 介護保険 …) or, without one, the 事務 as printed",
    ),
    query(
        "body_kind",
        "string",
        "kind of body: 都道府県, 政令市, 特別区, 市, 町 or 村",
    ),
    query(
        "versions",
        "string",
        "all: past versions of documents too (default: current versions only)",
    ),
    query(
        "fold",
        "string",
        "off: one hit per record (default: one hit per wording, with its bodies; limit and offset count wordings)",
    ),
    query(
        "limit",
        "integer",
        "hits (wordings when folded) per page, 1 to 100 (default 20)",
    ),
    query(
        "offset",
        "integer",
        "hits (wordings when folded) to skip (at most 10000)",
    ),
    query(
        "synonyms",
        "string",
        "off: search the words only as typed (no synonym dictionary)",
    ),
    query(
        "synonyms_off",
        "string",
        "dictionary words, comma-separated, whose synonyms are not searched",
    ),
    query(
        "fallback",
        "string",
        "off: never add records that lack some of the words when all of them find few",
    ),
];

const ANSWERS_PARAMETERS: &[Parameter] = &[
    query(
        "slot",
        "string",
        "risk or item (III.7.R1); all risks if absent",
    ),
    query("answer", "string", "only bodies giving this answer"),
    query("body", "string", "only this body"),
    query(
        "jimu",
        "string",
        "only this 事務's documents (category); none or `all`: every 事務, a body counted under each answer it gives in any of them",
    ),
];

/// The comparison's parameters; its spreadsheet takes the first eight (not the page).
const COMPARE_PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "slot",
        location: "query",
        required: true,
        kind: "string",
        description: "slot key such as III.7.R1.5",
    },
    query(
        "base",
        "string",
        "body whose text the rows are compared with (default: the first body)",
    ),
    query(
        "base_record",
        "string",
        "which of the base body's texts (a record id from base_texts; default: its own measure)",
    ),
    query(
        "q",
        "string",
        "only rows matching this query (sharing counts stay national)",
    ),
    query(
        "jimu",
        "string",
        "事務 (category); groups default to the base document's 事務, `all` compares every 事務",
    ),
    query(
        "body_kind",
        "string",
        "peers: 都道府県, 政令市, 特別区, 市, 町 or 村",
    ),
    query("prefecture", "string", "peers: 都道府県"),
    query(
        "versions",
        "string",
        "all: past versions too (default: current versions only)",
    ),
    query(
        "offset",
        "integer",
        "rows (groups for /api/compare/groups) to skip",
    ),
    query(
        "limit",
        "integer",
        "rows on the page (default 100, at most 500); groups (default 20, at most 200)",
    ),
];

/// Every endpoint of the API.
pub const ROUTES: &[Route] = &[
    Route {
        method: "get",
        path: "/api/search",
        summary: "search records with filters and facets",
        parameters: SEARCH_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "SearchResponse",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/search/bodies",
        summary: "every body writing a folded search hit's wording (the hit lists the first 20): the search's own parameters, and the hit",
        parameters: SEARCH_PARAMETERS,
        more_parameters: &[Parameter {
            name: "hit",
            location: "query",
            required: true,
            kind: "string",
            description: "the record id of the folded hit (or of a body listed with it)",
        }],
        request_body: None,
        response: "FoldedWording",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/compare",
        summary: "the same slot across every body: the base text first, every other row's sentences aligned to it, shared sentences, answers per body",
        parameters: COMPARE_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "CompareResponse",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/compare/groups",
        summary: "the slot's wordings, largest first: each shown once aligned to the base, with the bodies that use it; the base's group marked; the slot's common sentences",
        parameters: COMPARE_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "GroupsResponse",
        content_type: "application/json",
    },
    Route {
        method: "post",
        path: "/api/similar",
        summary: "passages most like a pasted draft",
        parameters: &[],
        more_parameters: &[],
        request_body: Some("SimilarRequest"),
        response: "SearchResponse",
        content_type: "application/json",
    },
    Route {
        method: "post",
        path: "/api/draft/hints",
        summary: "what a slot's draft lacks: phrases characteristic of the slot that peer bodies write and the draft does not, ranked by share of bodies, with example sentences; the draft is neither stored nor logged",
        parameters: &[],
        more_parameters: &[],
        request_body: Some("DraftRequest"),
        response: "HintsResponse",
        content_type: "application/json",
    },
    Route {
        method: "post",
        path: "/api/draft/precedents",
        summary: "the peers' wordings nearest to a slot's draft, folded by wording, each aligned sentence by sentence with the draft",
        parameters: &[],
        more_parameters: &[],
        request_body: Some("DraftRequest"),
        response: "PrecedentsResponse",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/draft/slots",
        summary: "for a draft workspace: the kinds of 評価書 and 事務 of the current documents, and the slots the chosen ones write in, in the form's order",
        parameters: &[
            query(
                "doc_type",
                "string",
                "the kind of 評価書 drafted (its slots are listed)",
            ),
            query(
                "jimu",
                "string",
                "事務 (category); none or `all`: every 事務",
            ),
            query("body_kind", "string", "peers counted: bodies of this kind"),
            query(
                "same_kind",
                "string",
                "`on`: peers counted only among documents of the drafted kind",
            ),
            query(
                "own_body",
                "string",
                "the body drafting, not counted as its own peer",
            ),
        ],
        more_parameters: &[],
        request_body: None,
        response: "WorkspaceSlots",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/draft/start",
        summary: "a document's texts by slot, in the form's order, to start a draft from",
        parameters: &[Parameter {
            name: "file",
            location: "query",
            required: true,
            kind: "string",
            description: "the document's file (source.file of its records; /api/municipalities lists them)",
        }],
        more_parameters: &[],
        request_body: None,
        response: "StartingDocument",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/slots",
        summary: "the slots of the form with labels and their records in current versions counted (as a search of the slot finds them by default)",
        parameters: &[],
        more_parameters: &[],
        request_body: None,
        response: "SlotList",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/municipalities",
        summary: "every body with its files, 事務 and current records counted; with body (and code), that body with its documents listed (404 unknown_body when it has none)",
        parameters: &[
            query(
                "body",
                "string",
                "a body's name: that body's documents (file, 事務, kind, 公表日, version)",
            ),
            query(
                "code",
                "string",
                "its 団体コード, where two bodies share a name",
            ),
        ],
        more_parameters: &[],
        request_body: None,
        response: "BodyList",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/records/{id}",
        summary: "one record",
        parameters: &[Parameter {
            name: "id",
            location: "path",
            required: true,
            kind: "string",
            description: "record id",
        }],
        more_parameters: &[],
        request_body: None,
        response: "Record",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/records/{id}/context",
        summary: "one record with its headings, position and the records around it in its document; with q, `marked_text`: its text escaped with the query's words in <mark>",
        parameters: &[
            Parameter {
                name: "id",
                location: "path",
                required: true,
                kind: "string",
                description: "record id",
            },
            query(
                "q",
                "string",
                "the search the record was opened from, to mark its words",
            ),
        ],
        more_parameters: &[],
        request_body: None,
        response: "RecordContext",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/answers",
        summary: "for a risk (or every risk): each body once with its 評価 and the items' 選択",
        parameters: ANSWERS_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "AnswersResponse",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/api/answers.csv",
        summary: "the answers view as CSV for Excel",
        parameters: ANSWERS_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "Csv",
        content_type: "text/csv",
    },
    Route {
        method: "get",
        path: "/api/compare.xlsx",
        summary: "a comparison as an Excel workbook: the base first, one row per compared text",
        parameters: COMPARE_PARAMETERS.split_at(8).0,
        more_parameters: &[],
        request_body: None,
        response: "Xlsx",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    Route {
        method: "get",
        path: "/api/export.csv",
        summary: "CSV for Excel (UTF-8 with BOM) of a search, or of a comparison with slot= alone",
        parameters: SEARCH_PARAMETERS,
        more_parameters: &[],
        request_body: None,
        response: "Csv",
        content_type: "text/csv",
    },
    Route {
        method: "get",
        path: "/documents/{file}",
        summary: "the original PDF of an indexed document (open it at a record's page with #page=N)",
        parameters: &[Parameter {
            name: "file",
            location: "path",
            required: true,
            kind: "string",
            description: "the document's file name in the corpus folder (source.file of its records)",
        }],
        more_parameters: &[],
        request_body: None,
        response: "Pdf",
        content_type: "application/pdf",
    },
    Route {
        method: "get",
        path: "/api/openapi.json",
        summary: "this document",
        parameters: &[],
        more_parameters: &[],
        request_body: None,
        response: "Object",
        content_type: "application/json",
    },
    Route {
        method: "get",
        path: "/healthz",
        summary: "liveness and the live index generation",
        parameters: &[],
        more_parameters: &[],
        request_body: None,
        response: "Health",
        content_type: "application/json",
    },
];

fn record_schema() -> Value {
    let string = json!({"type": "string"});
    let optional = json!({"type": ["string", "null"]});
    json!({
        "type": "object",
        "required": ["id", "municipality", "doc_title", "doc_type", "section_path", "text", "source"],
        "properties": {
            "id": string, "municipality": string, "municipality_code": optional, "prefecture": optional,
            "doc_title": string, "doc_type": string, "jimu": optional, "jimu_category": optional,
            "body_kind": optional, "file_name": optional,
            "section_path": {"type": "array", "items": {"type": "string"}},
            "slot": optional, "slot_label": optional, "field": optional, "actor": optional,
            "rating": optional, "choice": optional, "text": string, "before_text": optional,
            "after_text": optional, "reason": optional, "risk_change": optional,
            "choice_as_printed": optional, "doc_date": optional, "published": optional,
            "doc_number": optional, "form_version": optional,
            "change": {"enum": ["追加", "削除", "変更", null], "description": "change-table rows: 削除 means the text was removed"},
            "source": {"type": "object", "properties": {"file": string, "line": {"type": "integer"}}}
        }
    })
}

/// The schemas of comparisons, answers and record pages (apart: one `json!` of every schema
/// is past the macro's recursion limit).
fn comparison_schemas() -> Value {
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let aligned = json!({"type": "array", "items": {"type": "object", "properties": {
                    "alignment": {"enum": ["same", "changed", "own", "missing"]}, "text": {"type": "string"},
                    "base": {"type": "string"}, "similarity": {"type": "number"}, "shared_by": {"type": "integer"},
                    "ops": {"type": "array", "description": "character diff, only inside a changed pair", "items": {"type": "object", "properties": {
                        "op": {"enum": ["equal", "insert", "delete"]}, "text": {"type": "string"}}}}}}});
    // Near-identical wordings of a group, apart: one json! of the whole would pass the macro's
    // recursion limit.
    let variants = json!({"type": "array", "description": "near-identical wordings folded into this one (similarity >= 0.9), each with its bodies and its difference from the group's text", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "body": {"type": "string"}, "text": {"type": "string"},
        "aligned": {"type": "array", "items": {"type": "object"}}, "similarity": {"type": "number"},
        "bodies": {"type": "integer"}, "rows": {"type": "integer"}, "is_base_group": {"type": "boolean"},
        "members": {"type": "array", "items": {"type": "object"}}}}});
    json!({
        "CompareResponse": {"type": "object", "properties": {
            "slot": {"type": "string"}, "slot_label": {"type": "string"}, "base": {"type": ["string", "null"]},
            "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
            "bodies": {"type": "array", "items": {"type": "string"}},
            "base_text": {"type": ["object", "null"], "description": "the text every other row is compared with"},
            "base_texts": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "label": {"type": "string"}}}},
            "rows": {"type": "array", "items": {"allOf": [reference("Record"), {"type": "object", "properties": {
                "body": {"type": "string"}, "is_base": {"type": "boolean"},
                "compared_with": {"type": ["string", "null"], "description": "label of the base text this row was aligned to"},
                "aligned": aligned,
                "sentences": {"type": "array", "items": {"type": "object", "properties": {
                    "text": {"type": "string"}, "shared_by": {"type": "integer"}}}}}}]}},
            "choices": reference("Tallies"),
            "ratings": reference("Tallies")}},
        "GroupsResponse": {"type": "object", "properties": {
            "slot": {"type": "string"}, "slot_label": {"type": "string"}, "base": {"type": ["string", "null"]},
            "base_text": {"type": ["object", "null"]}, "base_texts": {"type": "array", "items": {"type": "object"}},
            "jimu": {"type": ["string", "null"], "description": "the 事務 compared within (null: every 事務)"},
            "jimu_from_base": {"type": "boolean"},
            "total_rows": {"type": "integer"}, "rows_without_text": {"type": "integer"},
            "total_bodies": {"type": "integer"}, "total_groups": {"type": "integer"},
            "offset": {"type": "integer"}, "limit": {"type": "integer"},
            "groups": {"type": "array", "items": {"type": "object", "properties": {
                "row": {"type": "object", "description": "the wording shown once, as a row of /api/compare"},
                "bodies": {"type": "integer"}, "rows": {"type": "integer"}, "is_base_group": {"type": "boolean"},
                "members": {"type": "array", "items": {"type": "object", "properties": {
                    "body": {"type": "string"}, "id": {"type": "string"}, "file": {"type": "string"},
                    "date": {"type": "string"}}}},
                "variants": variants}}},
            "common_sentences": {"type": "array", "items": {"type": "object", "properties": {
                "text": {"type": "string"}, "bodies": {"type": "integer"}, "share": {"type": "number"}}}},
            "bodies": {"type": "array", "items": {"type": "string"}},
            "choices": reference("Tallies"), "ratings": reference("Tallies")}},
        "Tallies": {"type": "array", "items": {"type": "object", "properties": {
            "answer": {"type": "string"}, "bodies": {"type": "array", "items": {"type": "object", "properties": {
                "body": {"type": "string"}, "files": {"type": "array", "items": {"type": "string"}},
                "printed": {"type": "array", "items": {"type": "string"}}}}}}}},
        "AnswersResponse": {"type": "object", "properties": {
            "slot": {"type": ["string", "null"]},
            "jimu": {"type": ["string", "null"], "description": "the 事務 kept to (null: every 事務)"},
            "jimus": {"type": "array", "description": "every 事務 the slot is answered under, most bodies first", "items": {"type": "object", "properties": {
                "jimu": {"type": "string"}, "bodies": {"type": "integer"}}}},
            "columns": {"type": "array", "items": {"type": "object", "properties": {
                "slot": {"type": "string"}, "kind": {"enum": ["rating", "choice"]},
                "breadcrumb": {"type": "array", "items": {"type": "string"}},
                "counts": {"type": "array", "description": "[answer, bodies]"}}}},
            "bodies": {"type": "array", "items": {"type": "object", "properties": {
                "body": {"type": "string"}, "cells": {"type": "array", "items": {"type": "array"}}}}}}},
        "RecordContext": {"type": "object", "properties": {
            "record": reference("Record"), "breadcrumb": {"type": ["array", "null"]},
            "position": {"type": "integer"}, "records_in_document": {"type": "integer"},
            "before": {"type": "array", "items": reference("Record")},
            "after": {"type": "array", "items": reference("Record")}}},
        "Xlsx": {"type": "string", "format": "binary"},
        "Pdf": {"type": "string", "format": "binary"}
    })
}

fn schemas() -> Value {
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let hit = json!({"allOf": [reference("Record"), {"type": "object", "properties": {
        "score": {"type": "number"}, "snippet": {"type": "string", "description": "HTML-escaped, matches in <mark>"},
        "missing": {"type": "array", "items": {"type": "string"}, "description": "words of the query the record lacks (fallback only)"},
        "folded": reference("FoldedWording"),
        "version": {"type": "object", "description": "a document with several versions: which this record is of", "properties": {
            "version": {"type": "integer"}, "versions": {"type": "integer"}, "current": {"type": "boolean"},
            "current_file": {"type": "string"}, "describes": {"type": "string"}}}}}]});
    let counts = json!({"type": "array", "items": {"type": "object", "properties": {
        "value": {"type": "string"}, "count": {"type": "integer"}}}});
    json!({
        "Record": record_schema(),
        "Hit": hit,
        "FoldedWording": {"type": "object", "description": "folded searches: the records and bodies of this wording, and the other bodies each with one record (by 団体コード; with a search's hit the first 20, from /api/search/bodies all of them)", "properties": {
            "records": {"type": "integer"}, "bodies": {"type": "integer"},
            "others": {"type": "array", "items": {"type": "object", "properties": {
                "body": {"type": "string"}, "id": {"type": "string"}, "file": {"type": "string"}}}}}},
        "SearchResponse": {"type": "object", "properties": {
            "query": {"type": "string"}, "total": {"type": "integer"}, "took_ms": {"type": "integer"},
            "hits": {"type": "array", "items": reference("Hit")},
            "facets": {"type": "object", "additionalProperties": counts},
            "synonyms": {"type": "array", "items": {"type": "object", "properties": {
                "term": {"type": "string"}, "alternatives": {"type": "array", "items": {"type": "string"}},
                "enabled": {"type": "boolean"}}}},
            "fallback": {"type": ["object", "null"], "description": "set when all the words together found fewer than 20 records", "properties": {
                "all_words_total": {"type": "integer"}, "minimum_words": {"type": "integer"}, "words": {"type": "integer"},
                "missing": {"type": "array", "items": {"type": "string"}}}},
            "wordings": {"type": "integer", "description": "folded searches: distinct wordings of the `total` records (pages count these)"},
            "bodies": {"type": "integer", "description": "folded searches: bodies writing them"},
            "reading": {"type": "string", "description": "a query with OR groups: how it was read, in Japanese (「（「生体認証」 または 「静脈認証」） かつ 「入退室」」)"}}},
        "SimilarRequest": {"type": "object", "required": ["text"], "properties": {
            "text": {"type": "string"}, "slot": {"type": "string"}, "limit": {"type": "integer"},
            "jimu": {"type": "string"}, "doc_type": {"type": "string"}, "body_kind": {"type": "string"},
            "prefecture": {"type": "string"}, "versions": {"type": "string", "description": "`all`: past versions too"},
            "fold": {"type": "string", "description": "`on`: one hit per wording with its bodies"},
            "published_from": {"type": "string"}, "published_to": {"type": "string"}}},
        "SlotList": {"type": "object", "properties": {"slots": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "label": {"type": "string"}, "breadcrumb": {"type": "array", "items": {"type": "string"}},
            "records": {"type": "integer"}}}}}},
        "BodyList": {"type": "object", "properties": {"municipalities": {"type": "array", "items": {"type": "object", "properties": {
            "municipality": {"type": "string"},
            "municipality_code": {"type": "string", "nullable": true},
            "prefecture": {"type": "string", "nullable": true},
            "body_kind": {"type": "string", "nullable": true},
            "records": {"type": "integer", "description": "records in current versions"},
            "files": {"type": "integer", "description": "without body: its files"},
            "current_files": {"type": "integer", "description": "without body: its files of current versions"},
            "jimu": {"type": "integer", "description": "without body: the distinct 事務 of its files"},
            "documents": {"type": "array", "items": {"type": "object"}, "description": "with body: its documents"}}}}}},
        "Health": {"type": "object", "properties": {"status": {"type": "string"}, "generation": {"type": "string"}, "records": {"type": "integer"}}},
        "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"},
            "message": {"type": "string", "description": "what to change, in Japanese, for the page"},
            "detail": {"type": "string", "description": "the same in English, for developers and logs"}}}}},
        "Csv": {"type": "string"},
        "Object": {"type": "object"}
    })
}

fn draft_schemas() -> Value {
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let string = json!({"type": "string"});
    let example = json!({"type": "object", "properties": {
        "sentence": string, "body": string, "id": string, "file": string, "doc_title": string,
        "bodies": {"type": "integer", "description": "bodies writing the same wording"},
        "source": {"type": "string", "description": "where it came from, as staff cite it"}}});
    json!({
        "DraftRequest": {"type": "object", "required": ["slot", "text"], "properties": {
            "slot": {"type": "string", "description": "the slot drafted, e.g. III.7.R1.5"},
            "text": {"type": "string", "description": "the draft of that slot (at most 20,000 characters); never stored or logged"},
            "jimu": {"type": "string", "description": "peers: 事務 (category); none or `all`: every 事務"},
            "doc_type": {"type": "string", "description": "peers: kind of 評価書"},
            "body_kind": {"type": "string", "description": "peers: 都道府県, 政令市, 特別区, 市, 町 or 村"},
            "prefecture": {"type": "string", "description": "peers: prefecture"},
            "versions": {"type": "string", "description": "`all`: past versions too"},
            "own_body": {"type": "string", "description": "the body drafting: its own texts are not its peers"},
            "published_from": {"type": "string", "description": "peers: 公表日 on or after"},
            "published_to": {"type": "string", "description": "peers: 公表日 on or before"},
            "limit": {"type": "integer", "description": "hints (default 12, at most 50) or precedents (default 5, at most 20)"}}},
        "HintsResponse": {"type": "object", "properties": {
            "slot": string, "slot_label": string,
            "peer_bodies": {"type": "integer"}, "peer_rows": {"type": "integer"},
            "wordings": {"type": "integer"}, "wordings_read": {"type": "integer", "description": "wordings read for phrases, largest first (all unless over 4,000)"},
            "hints": {"type": "array", "items": {"type": "object", "properties": {
                "phrase": string, "bodies": {"type": "integer"}, "share": {"type": "number", "description": "bodies over peer_bodies, 0–1"},
                "specificity": {"type": "number", "description": "how many times more often the slot's texts hold it than the corpus's texts hold its rarest word"},
                "examples": {"type": "array", "items": example}}}},
            "said_otherwise": {"type": "array", "description": "measures the draft says in other words (the synonym dictionary)", "items": {"type": "object", "properties": {
                "phrase": string, "bodies": {"type": "integer"}, "share": {"type": "number"}, "said_as": string}}},
            "took_ms": {"type": "integer"}}},
        "PrecedentsResponse": {"type": "object", "properties": {
            "slot": string, "slot_label": string, "total": {"type": "integer"}, "wordings": {"type": "integer"}, "bodies": {"type": "integer"},
            "precedents": {"type": "array", "items": {"type": "object", "properties": {
                "id": string, "body": string, "file": string, "doc_title": string, "text": string, "source": string,
                "bodies": {"type": "integer", "description": "bodies writing this wording"},
                "other_bodies": {"type": "array", "items": {"type": "object"}},
                "aligned": {"type": "array", "description": "the wording's sentences aligned with the draft's (same, changed with ops, own, missing)", "items": {"type": "object"}},
                "score": {"type": "number"}}}},
            "took_ms": {"type": "integer"}}},
        "WorkspaceSlots": {"type": "object", "properties": {
            "doc_types": {"type": "array", "items": {"type": "object", "properties": {"value": string, "documents": {"type": "integer"}}}},
            "jimus": {"type": "array", "items": {"type": "object", "properties": {"value": string, "documents": {"type": "integer"}}}},
            "documents": {"type": "integer"}, "bodies": {"type": "integer"},
            "slots": {"type": "array", "items": {"type": "object", "properties": {
                "key": string, "label": string, "heading": string,
                "breadcrumb": {"type": "array", "items": string}, "bodies": {"type": "integer"}}}}}},
        "StartingDocument": {"type": "object", "properties": {
            "document": {"type": "object", "description": "the document: body, title, kind, 事務, 公表日, version"},
            "slots": {"type": "array", "items": {"type": "object", "properties": {
                "slot": string, "text": string, "ids": {"type": "array", "items": string}}}}}},
        "DraftError": reference("Error")
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let parameters: Vec<Value> = route
            .parameters
            .iter()
            .chain(route.more_parameters)
            .map(|parameter| {
                json!({"name": parameter.name, "in": parameter.location, "required": parameter.required,
                       "description": parameter.description, "schema": {"type": parameter.kind}})
            })
            .collect();
        let response_schema = json!({"$ref": format!("#/components/schemas/{}", route.response)});
        let mut operation = json!({
            "summary": route.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "success", "content": {route.content_type: {"schema": response_schema}}},
                "400": {"description": "the request is wrong; the message says what to change (one code per kind of bad parameter on every endpoint: bad_limit, bad_offset for a page past the end, unknown_slot, bad_date, bad_body for a JSON body of the wrong shape …)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "403": {"description": "unknown_host: the Host header names a host the server was not started to answer to (serve --allow-host; IP addresses and localhost always answer)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "414": {"description": "uri_too_long: the request target is over 16 KiB",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "431": {"description": "headers_too_large: the request headers are over 32 KiB",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "500": {"description": "server failure (logged)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Some(body) = route.request_body {
            operation["requestBody"] = json!({"required": true, "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation;
    }
    let mut schemas = schemas();
    for more in [comparison_schemas(), draft_schemas()] {
        if let (Some(all), Value::Object(more)) = (schemas.as_object_mut(), more) {
            all.extend(more);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "hyoka", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Search and comparison of 特定個人情報保護評価書"},
        "paths": paths,
        "components": {"schemas": schemas}
    })
}
