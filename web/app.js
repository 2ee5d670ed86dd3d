// hyoka web page: search, compare, drafting by example.
//
// Text from documents is untrusted: it is only ever inserted as text nodes. The one piece of
// server markup, the <mark> in snippets, is rebuilt element by element from the escaped
// snippet; no HTML string from the server or a document is ever parsed.
"use strict";

const FILTERS = ["municipality", "prefecture", "body_kind", "jimu", "slot", "doc_type", "form_version", "actor", "rating", "published_from", "published_to"];
// How the words are matched: the synonym dictionary (all off, or per word) and the fallback;
// which versions are searched and whether one wording is one hit.
const MATCHING = ["synonyms", "synonyms_off", "fallback", "versions", "fold"];
const FACET_LABELS = {
  jimu: "事務", body_kind: "団体の種類", prefecture: "都道府県", municipality: "団体", slot: "項目",
  doc_type: "文書種別", form_version: "様式", actor: "措置主体", rating: "リスク評価",
};
// Facet values shown before 「すべて表示」; a facet with more gets a box to type into.
const FACET_SHOWN = 8;
// Filters that are not facets: their labels in the list of active filters.
const FILTER_LABELS = { ...FACET_LABELS, published_from: "公表日（から）", published_to: "公表日（まで）" };
// A search box value that looks like a pasted paragraph rather than search words.
const PASTED_PARAGRAPH = /^(?=[\s\S]{40,})[\s\S]*[。、\n]/;
const LAST_SEARCH = "hyoka:last-search";
const PAGE_SIZE = 20;
const COMPARE_PAGE_SIZE = 50;
let slotsByKey = new Map();

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// replaceChildren without the nulls of optional parts (which it would show as 「null」).
function setChildren(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}

function decodeEntities(text) {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (_, name) =>
    ({ lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'" })[name]);
}

// The server escapes the snippet and wraps matches in <mark>; rebuild it as nodes.
function snippetNodes(snippet) {
  const nodes = [];
  let marked = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") { marked = true; continue; }
    if (part === "</mark>") { marked = false; continue; }
    if (!part) continue;
    const text = decodeEntities(part);
    nodes.push(marked ? el("mark", {}, text) : document.createTextNode(text));
  }
  return nodes;
}

// A count as staff read figures: 29,982, not 29982.
const figure = (number) => Number(number).toLocaleString("ja-JP");

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = !message;
}

// The view being drawn; a newer navigation aborts its requests so a slow answer never
// overwrites a newer view.
let currentView = new AbortController();

async function getJson(url, options) {
  let response;
  try {
    response = await fetch(url, { ...options, signal: currentView.signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new Error("サーバーに接続できませんでした。通信の状態を確かめて、もう一度お試しください。");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error && body.error.message
      ? body.error.message : `サーバーから応答がありませんでした（状態 ${response.status}）。時間をおいてもう一度お試しください。`);
  }
  // The server keeps the answers of repeated searches until the index changes, and says so.
  if (response.headers.get("x-hyoka-cache") === "hit" && body && typeof body === "object") {
    Object.defineProperty(body, "reused", { value: true });
  }
  return body;
}

// How long the answer took, or that it was the kept answer of the same search.
function tookText(body) {
  return body.reused ? "同じ検索の結果を再利用" : `${body.took_ms} ミリ秒`;
}

function breadcrumb(slotKey) {
  const slot = slotsByKey.get(slotKey);
  if (!slot) return slotKey || "項目不明";
  return slot.breadcrumb.join(" › ");
}

async function loadSlots() {
  if (slotsByKey.size) return;
  const body = await getJson("/api/slots");
  slotsByKey = new Map(body.slots.map((slot) => [slot.key, slot]));
}

function currentParams() {
  return new URLSearchParams(location.search);
}

function navigate(path, params) {
  const query = params.toString();
  history.pushState(null, "", query ? `${path}?${query}` : path);
  route({ toTop: true });
}

// Where 「検索に戻る」 goes: the last search shown (its words, filters and page).
function backToSearchHref() {
  return sessionStorage.getItem(LAST_SEARCH) || "/";
}

// 「リスク評価: 特に力を入れている」 and 「選択: 行っている」: the risk's answer and the item's own are
// different questions, so they are named and coloured apart.
function answerBadges(record) {
  return [
    record.rating ? el("span", { class: "badge rating", title: "リスクへの対策は十分か（リスク全体の評価）" },
      `リスク評価: ${record.rating}`) : null,
    record.choice ? el("span", { class: "badge choice",
      title: record.choice_as_printed ? `この項目の選択。文書の印刷は「${record.choice_as_printed}」` : "この項目の選択" },
    `選択: ${record.choice}`) : null,
  ];
}

function changeBadge(record) {
  if (!record.change) return null;
  return el("span", { class: `badge change change-${record.change === "削除" ? "deleted" : record.change === "追加" ? "added" : "modified"}` },
    record.change === "削除" ? "削除された記載" : record.change === "追加" ? "追加された記載" : "変更された記載");
}

// The after text with the document's underline marks (<u>) as <u> elements, built as nodes.
function markedNodes(text, spans) {
  if (!spans || !spans.length) return [text];
  const characters = [...text];
  const nodes = [];
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    nodes.push(characters.slice(at, start).join(""));
    nodes.push(el("u", { title: "文書で下線が引かれた変更箇所" }, characters.slice(start, end).join("")));
    at = end;
  }
  nodes.push(characters.slice(at).join(""));
  return nodes;
}

// 変更前 / 変更後 / 変更理由 / リスク変化 of a change-table row, labelled. A removed measure says so
// in words: its text is what was removed, not a measure to copy.
function changeDetails(record) {
  if (!record.change) return null;
  const notes = record.notes || [];
  const note = (label) => (notes.find(([name]) => name === label) || [])[1];
  const items = [];
  const add = (label, value, className) => {
    if (value === undefined || value === null || value === "") return;
    items.push(el("dt", {}, label), el("dd", { class: className }, value));
  };
  add("変更の種類", record.change === "削除" ? "削除（この措置は変更後の評価書にありません）" : record.change);
  add("変更前", record.before_text || "（記載なし）", record.change === "削除" ? "removed-text" : null);
  add("変更後", record.change === "削除" ? "（削除）"
    : record.after_text ? markedNodes(record.after_text, record.marked_spans) : "（記載なし）");
  add("変更理由", record.reason);
  // A 新旧対照表 row names what triggered the change (and when); a 変更点リスク評価表 row says
  // whether the risk changed.
  if (note("きっかけ")) {
    add("変更のきっかけ", note("きっかけ"));
    add("日付", note("日付"));
    add("ページ", note("ページ"));
    add("番号", note("No."));
  } else {
    add("リスク変化", record.risk_change);
  }
  add("リスク変化の状況", note("リスク変化の状況"));
  add("リスク対策", note("リスク対策"));
  add("通番", note("通番"));
  add("注記", note("注記"));
  return el("dl", { class: "change" }, items);
}

// ---------- search ----------

// What a record without text says instead: its item's 選択, or its risk's 評価 alone (a
// 基礎項目評価書 answers a risk so), never a blank.
function withoutText(record) {
  if (record.choice) return `記載はなく、選択のみ: ${record.choice}`;
  if (record.rating) return `記載はなく、リスク評価のみ: ${record.rating}`;
  return "（記載なし）";
}

// Where a record's text came from, as staff cite it: 「出典: 札幌市 住民基本台帳に関する事務
// 全項目評価書 Ⅲ 7. リスク1 ⑤物理的対策」 (the file and page when the record is outside the form).
function sourceLine(record) {
  const slot = record.slot && slotsByKey.get(record.slot);
  const place = slot ? slot.heading : (record.section_path || []).join(" ");
  const title = record.doc_title.startsWith(record.municipality)
    ? record.doc_title.slice(record.municipality.length).trim() : record.doc_title;
  const page = record.source && record.source.page ? `（${record.source.file} ${record.source.page} ページ）` : "";
  return `出典: ${[record.municipality, title, place].filter(Boolean).join(" ")}${page}`;
}

// A button that copies a record's text as it is (no marks, no snippet ellipses) with its
// source on the next line, and says whether the copy was made.
function copyButton(record, label) {
  return el("button", { type: "button", title: "本文と出典をコピーします", onclick: async (event) => {
    const button = event.currentTarget;
    try {
      await navigator.clipboard.writeText(`${record.text}\n${sourceLine(record)}`);
      button.textContent = "コピーしました（出典付き）";
    } catch (error) {
      button.textContent = "コピーできませんでした（ブラウザがクリップボードへの書き込みを許可していません）";
    }
  } }, label);
}

// A record's page; from a search, with its words (the page marks them).
function recordHref(id) {
  const searched = currentParams().get("q");
  const query = searched ? "?" + new URLSearchParams({ q: searched }) : "";
  return "/record/" + encodeURIComponent(id) + query;
}

// A body as links name it: with its prefecture, which the server drops where no other body
// bears the name and keeps where several do (four towns are 池田町).
function bodyParam(record) {
  const name = record.municipality || "";
  return record.prefecture && record.prefecture !== name ? `${name}（${record.prefecture}）` : name;
}

// listBodies: for a search's hits, asks for every body writing a hit's wording (the hit lists
// the first few); none for a draft search's.
function hitCard(hit, listBodies) {
  const copy = copyButton(hit, "コピー");
  const compareParams = new URLSearchParams({ slot: hit.slot || "" });
  if (hit.municipality) compareParams.set("base", bodyParam(hit));
  const deleted = hit.change === "削除";
  // An item answered only by its choice has no text: its card says the choice instead of
  // showing nothing.
  const body = hit.text
    ? el("p", { class: "snippet" },
      deleted ? el("span", { class: "removed-label" }, "削除された記載（変更前）") : null,
      el("span", { class: deleted ? "removed-text" : null },
      snippetNodes(hit.snippet || hit.text)))
    : el("p", { class: "snippet choice-only" },
      withoutText(hit));
  return el("li", { class: deleted ? "hit deleted" : "hit" },
    el("div", { class: "meta" },
      el("span", { class: "body-name" }, hit.municipality),
      // Nationally four towns are 池田町: the prefecture tells whose measure this is.
      hit.prefecture && hit.prefecture !== hit.municipality ? el("span", { class: "body-prefecture" }, hit.prefecture) : null,
      `${hit.doc_title}${hit.file_name ? " ・ " + hit.file_name : ""}`,
      // Which file (and page of a PDF): two versions or prints of one document read alike.
      el("span", { class: "source-file" }, hit.source.page ? `${hit.source.file} の ${hit.source.page} ページ` : hit.source.file,
        hit.doc_date ? `（${hit.doc_date}）` : ""),
      hit.actor ? el("span", { class: "badge" }, hit.actor) : null,
      changeBadge(hit),
      answerBadges(hit)),
    // Text outside the form's slots (a cover page value, an ordinance article) shows where it
    // stands in its own document instead.
    el("p", { class: "breadcrumb" },
      hit.slot ? breadcrumb(hit.slot) : (hit.section_path || []).join(" › ") || "様式の項目に対応しない記載",
      hit.field ? ` ／ ${hit.field}` : ""),
    hit.missing && hit.missing.length
      ? el("p", { class: "missing" }, `${quoted(hit.missing)}を含まない記載`) : null,
    versionNote(hit.version, hit),
    body,
    foldedBodies(hit.folded, hit.id, listBodies),
    hit.change ? el("details", { class: "change-box" }, el("summary", {}, "変更前・変更後・理由"), changeDetails(hit)) : null,
    el("div", { class: "actions" },
      el("a", { class: "button-link record-link", href: recordHref(hit.id) }, "全文と前後の記載"),
      hit.slot ? el("a", { class: "button-link", href: `/compare?${compareParams}` }, "他団体と比較") : null,
      hit.text && !deleted ? copy : null));
}

// Facets, most frequent first. A dimension with hundreds of values (団体 nationally) shows its
// first few, 「すべて表示」 for the rest, and a box that filters the values as one types.
// 「ほか 411 団体が同じ文言」: the bodies folded into a hit, each a link to its record. A search's
// hit lists the first few (by 団体コード); a button asks for the rest, once.
function foldedBodies(folded, hitId, listBodies) {
  if (!folded || folded.bodies < 2) return null;
  const list = el("ul", { class: "folded-bodies" });
  const fill = (others, complete) => {
    const unlisted = folded.bodies - 1 - others.length;
    let rest = null;
    if (unlisted > 0 && listBodies && !complete) {
      rest = el("li", {}, el("button", { type: "button", class: "folded-more", onclick: showAll }, `残り ${unlisted} 団体も表示`));
    } else if (unlisted > 0) {
      rest = el("li", {}, `ほか ${unlisted} 団体`);
    }
    setChildren(list, others.map((other) => el("li", {},
      el("a", { href: `/record/${encodeURIComponent(other.id)}`, title: other.file }, other.body))), rest);
  };
  async function showAll(event) {
    const button = event.currentTarget;
    button.disabled = true;
    button.textContent = "読み込み中…";
    try {
      const all = await listBodies(hitId);
      const shownBefore = list.children.length - 1;
      fill(all.others, true);
      // The keyboard goes on from the first body just listed, where the button was.
      const next = list.children[shownBefore];
      if (next && next.firstChild) next.firstChild.focus();
    } catch (error) {
      if (error.name === "AbortError") return;
      button.disabled = false;
      button.textContent = `読み込めませんでした。もう一度（${error.message}）`;
    }
  }
  fill(folded.others, false);
  return el("details", { class: "folded" },
    el("summary", {}, `ほか ${folded.bodies - 1} 団体が同じ文言`,
      folded.records > folded.bodies ? el("small", {}, `（${folded.records} 件の記載）`) : null),
    list);
}

// A record of an older version says so and where the current one is.
function versionNote(version, record) {
  // Current versions are what every view shows by default: only a past one is marked.
  if (!version || version.current) return null;
  const params = new URLSearchParams({ municipality: bodyParam(record), versions: "all" });
  if (record.slot) params.set("slot", record.slot);
  return el("p", { class: "version-note past" }, `過去の版です（第 ${version.version} 版／全 ${version.versions} 版）。最新の版は ${version.current_file}。`,
    el("a", { href: `/?${params}` }, "この団体の各版を見る"));
}

// A filter's values: several of one dimension are comma-separated in the address
// (municipality=札幌市,豊島区), the slot is one.
function filterValues(params, name) {
  const value = params.get(name) || "";
  if (name === "slot") return value ? [value] : [];
  return value.split(",").map((part) => part.trim()).filter(Boolean);
}

function setFilterValues(params, name, values) {
  if (values.length) params.set(name, values.join(",")); else params.delete(name);
}

function renderFacets(facets, params) {
  const box = document.getElementById("facets");
  box.replaceChildren();
  for (const [dimension, label] of Object.entries(FACET_LABELS)) {
    const values = (facets && facets[dimension]) || [];
    if (!values.length) continue;
    const list = el("ul");
    // Several values of one dimension may be chosen (any of them); the slot is one place.
    const chosen = filterValues(params, dimension);
    const items = values.map(({ value, count }, position) => {
      const checked = chosen.includes(value);
      const id = `facet-${dimension}-${position}`;
      const input = el("input", { type: "checkbox", id, checked, onchange: () => {
        const next = currentParams();
        const kept = dimension === "slot" ? [] : filterValues(next, dimension).filter((known) => known !== value);
        setFilterValues(next, dimension, input.checked ? [...kept, value] : kept);
        next.delete("offset");
        navigate("/", next);
      } });
      const shown = dimension === "slot" ? breadcrumb(value).split(" › ").slice(-2).join(" › ") : value;
      return { value: shown, checked, node: el("li", {}, input, el("label", { for: id }, shown), el("span", { class: "count" }, figure(count))) };
    });
    let expanded = false;
    let typed = "";
    const more = el("button", { type: "button", class: "facet-more" });
    const show = () => {
      const matching = items.filter((item) => !typed || item.value.includes(typed));
      const visible = expanded || typed ? matching : matching.filter((item, position) => position < FACET_SHOWN || item.checked);
      list.replaceChildren(...visible.map((item) => item.node));
      if (typed && !matching.length) list.append(el("li", { class: "hint" }, "該当なし"));
      more.hidden = typed !== "" || items.length <= FACET_SHOWN;
      more.textContent = expanded ? "上位だけ表示" : `すべて表示（${figure(items.length)}）`;
    };
    more.onclick = () => { expanded = !expanded; show(); };
    const filter = items.length > FACET_SHOWN ? el("input", {
      type: "search", class: "facet-filter", placeholder: `${label}名で絞る（${figure(items.length)} 件）`,
      "aria-label": `${label}の候補を文字で絞る`,
      oninput: (event) => { typed = event.target.value.trim(); show(); },
    }) : null;
    show();
    box.append(el("div", { class: "facet", "data-dimension": dimension }, el("h2", {}, label), filter, list, more));
  }
}

function renderActiveFilters(params) {
  const box = document.getElementById("active-filters");
  box.replaceChildren();
  for (const name of FILTERS) {
    // One chip per value: a dimension with several values is any of them.
    const values = name.startsWith("published_") ? (params.get(name) ? [params.get(name)] : []) : filterValues(params, name);
    for (const value of values) {
      const shown = name === "slot" ? breadcrumb(value) : value;
      box.append(el("span", { class: "active-filter" }, `${FILTER_LABELS[name]}: ${shown}`,
        el("button", { type: "button", "aria-label": "この絞り込みを外す", onclick: () => {
          const next = currentParams();
          setFilterValues(next, name, values.filter((known) => known !== value));
          next.delete("offset");
          navigate("/", next);
        } }, "×")));
    }
  }
}

// 公表日 from / to: dates go into the URL as typed (2024-10-01 or 令和6年10月1日); the server
// says which it cannot read.
function renderDateRange(params) {
  const from = document.getElementById("published-from");
  const to = document.getElementById("published-to");
  from.value = params.get("published_from") || "";
  to.value = params.get("published_to") || "";
  document.getElementById("date-range").onsubmit = (event) => {
    event.preventDefault();
    const next = currentParams();
    for (const [name, input] of [["published_from", from], ["published_to", to]]) {
      if (input.value.trim()) next.set(name, input.value.trim()); else next.delete(name);
    }
    next.delete("offset");
    navigate("/", next);
  };
}

function renderSlotTree() {
  const box = document.getElementById("slot-tree");
  if (box.childElementCount) return;
  const children = new Map();
  for (const slot of slotsByKey.values()) {
    const parent = slot.key.includes(".") ? slot.key.slice(0, slot.key.lastIndexOf(".")) : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(slot);
  }
  const build = (parent) => {
    const list = el("ul");
    for (const slot of children.get(parent) || []) {
      if (!slot.records) continue;
      const params = new URLSearchParams({ slot: slot.key });
      list.append(el("li", {}, el("a", { href: `/?${params}` }, slot.label),
        el("span", { class: "count" }, ` ${figure(slot.records)}`), build(slot.key)));
    }
    return list.childElementCount ? list : null;
  };
  box.replaceChildren(el("div", { class: "slot-tree" }, build("")));
}

// 前へ/次へ links of a paged view (the search at `/`, a comparison at `/compare`), and which
// rows are shown: 「21–40件目（全 57 件）」.
function renderPager(total, params, { id = "pager", path = "/", size = PAGE_SIZE, shown, unit = "件目", whole = "件" } = {}) {
  const pager = document.getElementById(id);
  pager.replaceChildren();
  const offset = Number(params.get("offset") || 0);
  const page = (target, label) => {
    const next = currentParams();
    if (target > 0) next.set("offset", String(target)); else next.delete("offset");
    return el("a", { class: "button-link", href: `${path}?${next}` }, label);
  };
  if (offset > 0) pager.append(page(Math.max(0, offset - size), "前へ"));
  const last = Math.min(offset + (shown === undefined ? size : shown), total);
  if (total > 0 && last > offset) pager.append(el("span", { class: "page-range" }, `${figure(offset + 1)}–${figure(last)}${unit}（全 ${figure(total)} ${whole}）`));
  if (offset + size < total) pager.append(page(offset + size, "次へ"));
}

// 『承認』『失効』
function quoted(words) {
  return words.map((word) => `『${word}』`).join("");
}

// What the search did with the words: the synonyms it also searched (each switchable, like
// council-minutes 同義語検索) and whether it added records lacking some words.
function renderQueryNotes(body, params) {
  const box = document.getElementById("query-notes");
  box.replaceChildren();
  const switchedOff = (params.get("synonyms_off") || "").split(",").filter(Boolean);
  // A query with OR or parentheses says how it was read.
  if (body.reading) {
    box.append(el("p", { class: "reading-note", role: "note" }, el("span", { class: "note-label" }, "検索の読み方:"), ` ${body.reading} を含む記載`));
  }
  if (body.synonyms && body.synonyms.length) {
    const list = el("ul", { class: "synonyms" });
    for (const used of body.synonyms) {
      const id = `synonym-${list.children.length}`;
      const input = el("input", { type: "checkbox", id, checked: used.enabled, onchange: () => {
        const next = currentParams();
        const off = new Set((next.get("synonyms_off") || "").split(",").filter(Boolean));
        if (input.checked) off.delete(used.term); else off.add(used.term);
        if (off.size) next.set("synonyms_off", [...off].join(",")); else next.delete("synonyms_off");
        next.delete("offset");
        navigate("/", next);
      } });
      list.append(el("li", {}, input, el("label", { for: id }, `${used.term} → ${used.alternatives.join("・")}`)));
    }
    box.append(el("div", { class: "synonym-box" },
      el("span", { class: "note-label" }, "同義語も検索:"), list,
      switchedOff.length ? null : el("span", { class: "hint" }, "（チェックを外すと、その語は入力どおりにだけ探します）")));
  }
  if (body.fallback) {
    const strict = currentParams();
    strict.set("fallback", "off");
    strict.delete("offset");
    const missing = body.fallback.missing.length
      ? body.fallback.missing.map((word) => `『${word}』`).join("または") : "一部の語";
    box.append(el("p", { class: "fallback-note", role: "note" },
      `${missing}を含まない結果も表示しています。`,
      `すべての語を含む記載は ${body.fallback.all_words_total} 件で、その後に ${body.fallback.words} 語のうち ${body.fallback.minimum_words} 語以上を含む記載を、含む語の多い順に並べています。 `,
      el("a", { href: `/?${strict}` }, "すべての語を含む記載だけを表示")));
  }
}

async function showSearch() {
  const params = currentParams();
  if (params.get("draft")) { await showDraftSearch(params); return; }
  document.getElementById("q").value = params.get("q") || "";
  const api = new URLSearchParams();
  for (const name of ["q", ...FILTERS, ...MATCHING, "offset"]) if (params.get(name)) api.set(name, params.get(name));
  api.set("limit", String(PAGE_SIZE));
  // Nothing to save before a search: the link would export records of no question.
  const csv = document.getElementById("search-csv");
  csv.href = `/api/export.csv?${api}`;
  csv.hidden = !params.get("q") && !FILTERS.some((name) => params.get(name));
  renderActiveFilters(params);
  renderDateRange(params);
  renderSlotTree();
  document.getElementById("paste-offer").hidden = true;
  const results = document.getElementById("results");
  const summary = document.getElementById("summary");
  if (!params.get("q") && !FILTERS.some((name) => params.get(name))) {
    results.replaceChildren();
    document.getElementById("query-notes").replaceChildren();
    renderFacets(null, params);
    document.getElementById("pager").replaceChildren();
    summary.textContent = "検索語を入れるか、項目から探してください。";
    return;
  }
  sessionStorage.setItem(LAST_SEARCH, location.pathname + location.search);
  const body = await getJson(`/api/search?${api}`);
  const folded = body.wordings !== undefined && body.wordings !== null;
  const counts = folded ? `${figure(body.total)} 件の記載・${figure(body.wordings)} 通りの文言・${figure(body.bodies)} 団体` : `${figure(body.total)} 件`;
  summary.textContent = body.fallback
    ? `${counts}（すべての語を含む記載 ${body.fallback.all_words_total} 件、${tookText(body)}）`
    : `${counts}（${tookText(body)}）`;
  renderSearchOptions(params);
  renderQueryNotes(body, params);
  renderFacets(body.facets, params);
  if (!body.hits.length) {
    const hint = FILTERS.some((name) => params.get(name))
      ? "絞り込みを外すと見つかるかもしれません。" : "別の言葉や、短い言葉で試してください。";
    results.replaceChildren(el("li", { class: "empty" }, `該当する記載はありません。${hint}`));
  } else {
    const listBodies = (hit) => getJson(`/api/search/bodies?${api}&${new URLSearchParams({ hit })}`);
    results.replaceChildren(...body.hits.map((hit) => hitCard(hit, listBodies)));
  }
  if (folded) renderPager(body.wordings, params, { shown: body.hits.length, unit: " 通り目", whole: "通りの文言" });
  else renderPager(body.total, params, { shown: body.hits.length });
}

// 「同じ文言をまとめる」 and 「過去の版も含める」, kept in the URL.
function renderSearchOptions(params) {
  const box = document.getElementById("search-options");
  const option = (name, label, checked, onValue) => {
    const id = `option-${name}`;
    const input = el("input", { type: "checkbox", id, checked, onchange: () => {
      const next = currentParams();
      const value = onValue(input.checked);
      if (value) next.set(name, value); else next.delete(name);
      next.delete("offset");
      navigate("/", next);
    } });
    return el("label", { for: id }, input, label);
  };
  box.replaceChildren(
    option("fold", "同じ文言をまとめる", params.get("fold") !== "off", (on) => on ? null : "off"),
    option("versions", "過去の版も含める", params.get("versions") === "all", (on) => on ? "all" : null));
}

// A paragraph typed or pasted into the search box is better searched as a draft.
// A paragraph typed or pasted into the search box is offered as a draft before anything is
// searched: run as words it finds nothing (「0 件」).
function offerDraftSearch(text) {
  const offer = document.getElementById("paste-offer");
  offer.hidden = false;
  document.getElementById("paste-offer-button").onclick = () => startDraftSearch(text);
  document.getElementById("paste-offer-words").onclick = () => {
    offer.hidden = true;
    navigate("/", new URLSearchParams({ q: text }));
  };
  document.getElementById("paste-offer-button").focus();
}

// Longest draft put in the address (a longer one would not fit: the server answers 414).
const MAX_DRAFT_IN_URL = 3000;

function startDraftSearch(text) {
  const draft = text.trim();
  if (!draft) return;
  if (encodeURIComponent(draft).length > MAX_DRAFT_IN_URL * 3) {
    showError("下書きが長すぎて、検索のアドレスに入りません。段落を短くするか、「下書きを作る」で項目ごとに貼り付けてください（長さの制限はありません）。");
    return;
  }
  const next = new URLSearchParams({ draft });
  for (const name of FILTERS) if (currentParams().get(name)) next.set(name, currentParams().get(name));
  navigate("/", next);
}

// A draft search: the pasted paragraph is in the URL (so it can be bookmarked, shared and gone
// back to), one hit per wording as a search, under the filters of the address (公表日, 事務 …),
// and the CSV exports only the hits it shows.
async function showDraftSearch(params) {
  const text = params.get("draft");
  document.getElementById("q").value = "";
  document.getElementById("draft").value = text;
  document.getElementById("draft-box").open = true;
  document.getElementById("paste-offer").hidden = true;
  const filters = new URLSearchParams();
  for (const name of FILTERS) if (params.get(name)) filters.set(name, params.get(name));
  renderActiveFilters(filters);
  renderFacets(null, params);
  renderDateRange(params);
  renderSlotTree();
  document.getElementById("query-notes").replaceChildren();
  document.getElementById("pager").replaceChildren();
  const csv = document.getElementById("search-csv");
  csv.href = `/api/export.csv?${new URLSearchParams({ draft: text, limit: String(PAGE_SIZE) })}`;
  csv.hidden = false;
  sessionStorage.setItem(LAST_SEARCH, location.pathname + location.search);
  const request = { text, limit: PAGE_SIZE, fold: "on" };
  for (const name of ["slot", "jimu", "doc_type", "body_kind", "prefecture", "versions", "published_from", "published_to"]) {
    if (params.get(name)) request[name] = params.get(name);
  }
  const body = await getJson("/api/similar", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  document.getElementById("summary").textContent =
    `下書きに近い記載: 近い順に ${body.hits.length} 通りの文言（同じ文言は 1 件にまとめています）`;
  document.getElementById("results").replaceChildren(...body.hits.map((hit) => hitCard(hit, null)));
}

function searchDraft(event) {
  event.preventDefault();
  startDraftSearch(document.getElementById("draft").value);
}

// ---------- compare ----------

function diffNodes(ops) {
  return ops.map((op) => op.op === "insert" ? el("ins", {}, op.text)
    : op.op === "delete" ? el("del", {}, op.text) : document.createTextNode(op.text));
}

function sharedClass(sentence) {
  return sentence.shared_by > 0 ? "shared" : "own";
}

function sharedTitle(sentence) {
  return sentence.shared_by > 0 ? `他の ${sentence.shared_by} 団体と共通の文` : "この団体独自の文";
}

// The base text: its sentences, shared wording muted.
function sentenceNodes(sentences) {
  return sentences.map((sentence) => el("span", { class: `sentence ${sharedClass(sentence)}`, title: sharedTitle(sentence) },
    sentence.text, "\n"));
}

// A row's sentences aligned to the base's. Characters are diffed only inside an aligned pair
// (data-alignment="changed"); a sentence without a counterpart is shown whole.
function alignedNodes(aligned, showDiff) {
  return aligned.map((sentence) => {
    const common = { "data-alignment": sentence.alignment, "data-similarity": String(sentence.similarity) };
    switch (sentence.alignment) {
      case "changed":
        return el("span", { ...common, class: `sentence al-changed ${sharedClass(sentence)}`,
          title: `基準の文: ${sentence.base}（類似度 ${sentence.similarity.toFixed(2)}）` },
        showDiff ? diffNodes(sentence.ops) : sentence.text, "\n");
      case "same":
        return el("span", { ...common, class: `sentence al-same ${sharedClass(sentence)}`, title: `基準と同じ文。${sharedTitle(sentence)}` },
          sentence.text, "\n");
      case "own":
        return el("span", { ...common, class: `sentence al-own ${sharedClass(sentence)}`, title: `基準に対応する文がありません。${sharedTitle(sentence)}` },
          sentence.text, "\n");
      default:
        return showDiff ? el("span", { ...common, class: "sentence al-missing", title: "基準にあって、この記載にない文" },
          sentence.text, "\n") : null;
    }
  });
}

function compareRow(row, showDiff) {
  const deleted = row.change === "削除";
  let text = null;
  if (row.text && deleted) {
    // The removed text is shown once, struck, in the labelled 変更前 below.
    text = el("p", { class: "removed-label" }, "この措置は削除されました。下の「変更前」が削除された記載です。");
  } else if (row.text && row.is_base) {
    text = el("div", { class: "text" }, sentenceNodes(row.sentences));
  } else if (row.text && row.aligned.length) {
    const anyAligned = row.aligned.some((sentence) => sentence.alignment === "same" || sentence.alignment === "changed");
    text = el("div", { class: "text" },
      anyAligned ? null : el("p", { class: "no-counterpart" }, "基準の記載と対応する文はありません。全文を独自の記載として示します。"),
      alignedNodes(row.aligned, showDiff));
  } else if (row.text) {
    text = el("div", { class: "text" }, sentenceNodes(row.sentences));
  } else {
    text = el("p", { class: "choice-only" }, withoutText(row));
  }
  return el("article", { class: row.is_base ? "compare-row base" : deleted ? "compare-row deleted" : "compare-row", "data-id": row.id },
    el("h2", {}, row.body, row.is_base ? el("span", { class: "badge base-badge" }, "基準") : null),
    el("p", { class: "meta" }, `${row.doc_title}${row.file_name ? " ・ " + row.file_name : ""}`,
      row.actor ? el("span", { class: "badge" }, row.actor) : null,
      changeBadge(row),
      answerBadges(row),
      row.field ? ` ／ ${row.field}` : ""),
    row.compared_with ? el("p", { class: "compared-with" }, `比較の相手: ${row.compared_with}`) : null,
    text,
    row.change ? el("details", { class: "change-box", open: deleted }, el("summary", {}, "変更前・変更後・理由"), changeDetails(row)) : null,
    el("p", { class: "card-links" }, el("a", { href: `/record/${encodeURIComponent(row.id)}` }, "全文と前後の記載")));
}

// 「特に力を入れて行っている 2 団体」: bodies, not files; the files and printed variants on hover.
function renderTallies(body) {
  const box = document.getElementById("tallies");
  box.replaceChildren();
  const line = (label, tallies) => {
    if (!tallies.length) return;
    box.append(el("p", { class: "tally" }, el("span", { class: "note-label" }, label),
      tallies.map((tally) => {
        const printed = [...new Set(tally.bodies.flatMap((answering) => answering.printed || []))];
        const title = tally.bodies.map((answering) =>
          `${answering.body}${answering.files.length ? `（${answering.files.join("・")}）` : ""}${answering.printed && answering.printed.length ? ` 印刷は「${answering.printed.join("」「")}」` : ""}`).join("\n");
        return el("span", { class: "tally-item", title },
          `${tally.answer} ${figure(tally.bodies.length)} 団体`, printed.length ? el("small", {}, `（印刷の揺れ「${printed.join("」「")}」を含む）`) : null);
      }),
      // A body answering apart in its files (住民基本台帳ファイル, 本人確認情報ファイル …) is
      // under each of its answers: the counts then add up to more than the bodies.
      overcounted(tallies) ? el("small", { class: "tally-note" }, "ファイルごとに答えが違う団体は、その答えごとに数えています（合計は団体数より多くなります）。") : null));
  };
  const overcounted = (tallies) => {
    const given = tallies.reduce((sum, tally) => sum + tally.bodies.length, 0);
    return given > new Set(tallies.flatMap((tally) => tally.bodies.map((answering) => answering.body))).size;
  };
  line("この項目の選択:", body.choices);
  line("リスクの評価（リスクへの対策は十分か）:", body.ratings);
}

// The comparison's scope: 事務 (the base's by default), peers (kind of body, prefecture), past
// versions, and groups or one card per text. All in the URL.
const COMPARE_SCOPE = ["jimu", "body_kind", "prefecture", "versions"];

function renderCompareScope(params, body) {
  const jimu = document.getElementById("compare-jimu");
  const own = body.jimu && body.jimu_from_base ? body.jimu : null;
  const chosen = params.get("jimu") || "";
  const options = [el("option", { value: "", selected: !chosen }, own ? `基準と同じ事務（${own}）` : "基準と同じ事務")];
  options.push(el("option", { value: "all", selected: chosen === "all" }, "すべての事務"));
  if (chosen && chosen !== "all") options.push(el("option", { value: chosen, selected: true }, chosen));
  jimu.replaceChildren(...options);
  const kind = document.getElementById("compare-body-kind");
  kind.value = params.get("body_kind") || "";
  const prefecture = document.getElementById("compare-prefecture");
  prefecture.value = params.get("prefecture") || "";
  const versions = document.getElementById("compare-versions");
  versions.checked = params.get("versions") === "all";
  const rowsView = document.getElementById("compare-view-rows");
  rowsView.checked = params.get("view") === "rows";
  const apply = (name, value) => {
    const next = currentParams();
    if (value) next.set(name, value); else next.delete(name);
    next.delete("offset");
    navigate("/compare", next);
  };
  jimu.onchange = () => apply("jimu", jimu.value);
  kind.onchange = () => apply("body_kind", kind.value);
  prefecture.onchange = () => apply("prefecture", prefecture.value.trim());
  versions.onchange = () => apply("versions", versions.checked ? "all" : "");
  rowsView.onchange = () => apply("view", rowsView.checked ? "rows" : "");
}

async function showCompare() {
  const params = currentParams();
  if (!params.get("slot")) { navigate("/", new URLSearchParams()); return; }
  if (params.get("view") === "rows") await showCompareRows(params);
  else await showCompareGroups(params);
}

// Shared by both views: title, exports, base choices, tallies.
function renderCompareHead(body, params) {
  const slot = body.slot;
  document.getElementById("compare-breadcrumb").textContent = breadcrumb(body.slot);
  document.getElementById("compare-title").textContent = `${body.slot_label} を他団体と比較`;
  const exportParams = new URLSearchParams({ slot });
  for (const name of ["base", "base_record", ...COMPARE_SCOPE]) if (params.get(name)) exportParams.set(name, params.get(name));
  if (body.jimu && !params.get("jimu")) exportParams.set("jimu", body.jimu);
  document.getElementById("compare-xlsx").href = `/api/compare.xlsx?${exportParams}`;
  document.getElementById("compare-csv").href = `/api/export.csv?${exportParams}`;
  const risk = (body.slot.match(/^III\.\d+\.R\d+/) || [body.slot])[0];
  document.getElementById("compare-answers").href = `/answers?${new URLSearchParams({ slot: risk })}`;
  const select = document.getElementById("base-select");
  select.replaceChildren(...body.bodies.map((name) => el("option", { value: name, selected: name === body.base }, name)));
  select.onchange = () => {
    const next = currentParams();
    next.set("base", select.value);
    next.delete("base_record");
    next.delete("offset");
    navigate("/compare", next);
  };
  const recordSelect = document.getElementById("base-record-select");
  recordSelect.replaceChildren(...body.base_texts.map((text) => el("option", {
    value: text.id, selected: body.base_text && text.id === body.base_text.id,
  }, text.label)));
  recordSelect.onchange = () => {
    const next = currentParams();
    next.set("base_record", recordSelect.value);
    next.delete("offset");
    navigate("/compare", next);
  };
  renderCompareScope(params, body);
  renderTallies(body);
}

const GROUP_PAGE_SIZE = 20;

// The grouped comparison: one card per wording, largest first, with the bodies that use it;
// the base text stays in view beside them.
async function showCompareGroups(params) {
  const api = new URLSearchParams({ slot: params.get("slot"), limit: String(GROUP_PAGE_SIZE) });
  for (const name of ["base", "base_record", "offset", ...COMPARE_SCOPE]) if (params.get(name)) api.set(name, params.get(name));
  const body = await getJson(`/api/compare/groups?${api}`);
  renderCompareHead(body, params);
  const scope = body.jimu ? `${body.jimu}の事務で、` : "すべての事務で、";
  document.getElementById("compare-count").textContent =
    `${scope}${figure(body.total_bodies)} 団体・${figure(body.total_rows - body.rows_without_text)} 件の記載が ${figure(body.total_groups)} 通りの文言に分かれます。文言ごとに、使う団体の多い順に並べています。` +
    (body.rows_without_text ? `（選択だけで記載のない ${body.rows_without_text} 件は上の集計に含めています）` : "");
  renderPager(body.total_groups, params, { id: "compare-pager", path: "/compare", size: GROUP_PAGE_SIZE, shown: body.groups.length, unit: " 通り目", whole: "通りの文言" });
  const common = document.getElementById("common-sentences");
  common.replaceChildren();
  if (body.common_sentences.length) {
    common.append(el("details", { open: true }, el("summary", {}, "この項目でよく使われる文（使う団体の割合）"),
      el("ol", {}, body.common_sentences.map((sentence) => el("li", {},
        el("span", { class: "share" }, `${Math.round(sentence.share * 100)}%（${sentence.bodies} 団体）`), " ", sentence.text)))));
  }
  drawWithCompareSettings(params, (showDiff, hideShared) => {
    const baseBox = document.getElementById("compare-base");
    const rows = document.getElementById("compare-rows");
    rows.classList.add("grouped");
    rows.classList.toggle("hide-shared", hideShared);
    baseBox.classList.toggle("hide-shared", hideShared);
    // The base stays in view beside the group being read, whichever page its group is on.
    baseBox.replaceChildren(body.base_row
      ? el("div", {}, el("p", { class: "note-label" }, "比較の基準"), compareRow(body.base_row, showDiff),
        el("p", { class: "group-size" }, `この文言を使う団体: ${body.base_group_bodies}`))
      : el("p", { class: "hint" }, "基準にできる記載がありません。"));
    rows.replaceChildren(...body.groups.map((group) => groupCard(group, showDiff)));
  });
}

// 「差分を表示」 and 「共通文言を隠す」 of either comparison view: read from the URL, kept in it
// (a permalink reopens the comparison as it was seen), and `draw(showDiff, hideShared)` run now
// and whenever one changes.
function drawWithCompareSettings(params, draw) {
  const showDiff = document.getElementById("show-diff");
  const hideShared = document.getElementById("hide-shared");
  showDiff.checked = params.get("diff") !== "off";
  hideShared.checked = params.get("shared") === "hide";
  const redraw = () => draw(showDiff.checked, hideShared.checked);
  const remember = () => {
    const next = currentParams();
    if (showDiff.checked) next.delete("diff"); else next.set("diff", "off");
    if (hideShared.checked) next.set("shared", "hide"); else next.delete("shared");
    history.replaceState(null, "", `/compare?${next}`);
  };
  showDiff.onchange = () => { remember(); redraw(); };
  hideShared.onchange = () => { remember(); redraw(); };
  redraw();
}

// A wording group: how many bodies use it, its text aligned to the base, and the bodies.
function groupCard(group, showDiff) {
  const members = group.members.map((member) => el("li", {},
    el("a", { href: `/record/${encodeURIComponent(member.id)}`, title: `${member.file}${member.date ? "（" + member.date + "）" : ""}` }, member.body)));
  const unlisted = group.bodies - group.members.length;
  return el("section", { class: group.is_base_group ? "wording-group base-group" : "wording-group" },
    el("p", { class: "group-size" }, `この文言を使う団体: ${group.bodies}`,
      group.rows > group.bodies ? el("small", {}, `（${group.rows} 件の記載）`) : null,
      group.is_base_group ? el("span", { class: "badge base-badge" }, "基準と同じ文言") : null),
    // The base's own wording is the text on the left: here only its bodies.
    group.row.is_base ? el("p", { class: "hint" }, "左の「比較の基準」と同じ文言です。") : compareRow(group.row, showDiff),
    group.bodies > 1 ? el("details", { class: "group-members" }, el("summary", {}, `団体の一覧（${group.bodies}）`),
      el("ul", { class: "folded-bodies" }, members, unlisted > 0 ? el("li", {}, `ほか ${unlisted} 団体`) : null)) : null,
    variantsBox(group.variants || [], showDiff));
}

// Near-identical wordings folded into a group: each with its bodies and its few characters of
// difference from the group's text.
function variantsBox(variants, showDiff) {
  if (!variants.length) return null;
  const bodies = variants.reduce((sum, variant) => sum + variant.bodies, 0);
  return el("details", { class: "variants" },
    el("summary", {}, `ほぼ同じ文言（数文字の違い）: ${variants.length} 通り・${bodies} 団体`),
    variants.map((variant) => el("div", { class: "variant" },
      el("p", { class: "variant-head" }, `${variant.body}${variant.bodies > 1 ? ` ほか ${variant.bodies - 1} 団体` : ""}`,
        el("small", {}, `（類似度 ${variant.similarity.toFixed(2)}）`),
        variant.is_base_group ? el("span", { class: "badge base-badge" }, "基準と同じ文言") : null),
      el("div", { class: "text" }, alignedNodes(variant.aligned, showDiff)),
      el("p", { class: "card-links" }, el("a", { href: `/record/${encodeURIComponent(variant.id)}` }, "全文と前後の記載")))));
}

async function showCompareRows(params) {
  const slot = params.get("slot");
  document.getElementById("compare-rows").classList.remove("grouped");
  document.getElementById("common-sentences").replaceChildren();
  document.getElementById("compare-base").replaceChildren();
  const api = new URLSearchParams({ slot, limit: String(COMPARE_PAGE_SIZE) });
  for (const name of ["base", "base_record", "offset", ...COMPARE_SCOPE]) if (params.get(name)) api.set(name, params.get(name));
  const body = await getJson(`/api/compare?${api}`);
  renderCompareHead(body, params);
  const shownTo = Math.min(body.offset + body.rows.length, body.total);
  document.getElementById("compare-count").textContent = body.total > body.rows.length
    ? `${figure(body.total)} 件中 ${figure(body.offset + 1)}–${figure(shownTo)} 件（${figure(body.bodies.length)} 団体）`
    : `${figure(body.total)} 件（${figure(body.bodies.length)} 団体）`;
  renderPager(body.total, params, { id: "compare-pager", path: "/compare", size: COMPARE_PAGE_SIZE, shown: body.rows.length });
  // An item answered only by its choice (「⑤物理的対策 [特に力を入れて行っている]」) has no text
  // of its own: its choice shows on the same body's and file's text rows instead of a card.
  const choiceOf = new Map();
  for (const row of body.rows) {
    if (!row.text && row.choice) choiceOf.set(`${row.body}\u0000${row.file_name}`, row);
  }
  const withText = new Set(body.rows.filter((row) => row.text).map((row) => `${row.body}\u0000${row.file_name}`));
  const shownRows = body.rows
    .filter((row) => row.text || !withText.has(`${row.body}\u0000${row.file_name}`))
    .map((row) => {
      const answered = choiceOf.get(`${row.body}\u0000${row.file_name}`);
      return answered && !row.choice ? { ...row, choice: answered.choice, choice_as_printed: answered.choice_as_printed } : row;
    });
  drawWithCompareSettings(params, (showDiff, hideShared) => {
    const rows = document.getElementById("compare-rows");
    rows.classList.toggle("hide-shared", hideShared);
    rows.replaceChildren(...shownRows.map((row) => compareRow(row, showDiff)));
  });
}

// ---------- record ----------

async function showRecord(id) {
  // Opened from a search: its words are marked in the text.
  const searched = currentParams().get("q");
  const marks = searched ? "?" + new URLSearchParams({ q: searched }) : "";
  const body = await getJson(`/api/records/${encodeURIComponent(id)}/context` + marks);
  const record = body.record;
  document.getElementById("record-breadcrumb").textContent = record.slot
    ? (body.breadcrumb || []).join(" › ") : (record.section_path || []).join(" › ") || "様式の項目に対応しない記載";
  setChildren(document.getElementById("record-title"),record.municipality, "　", record.slot_label || record.field || record.doc_title);
  const facts = [
    ["文書", `${record.doc_title}（${record.doc_type}）`],
    ["公表日", record.doc_date],
    ["版", body.document && body.document.versions > 1
      ? `第 ${body.document.version} 版（全 ${body.document.versions} 版）${body.document.current ? "・最新の版" : `・過去の版（最新の版は ${body.document.current_file}）`}` : null],
    ["事務", record.jimu && (record.jimu_category && record.jimu_category !== record.jimu ? `${record.jimu}（分類: ${record.jimu_category}）` : record.jimu)],
    ["団体の種類", record.body_kind],
    ["特定個人情報ファイル", record.file_name],
    ["欄", record.field],
    ["措置主体", record.actor],
    ["リスク評価", record.rating],
    ["選択", record.choice && (record.choice_as_printed ? `${record.choice}（文書の印刷は「${record.choice_as_printed}」）` : record.choice)],
    ["見出し（文書の記載どおり）", (record.section_path || []).join(" › ")],
    ["出典", record.source.page
      ? `${record.source.file} の ${record.source.page} ページ`
      : `${record.source.file} の ${record.source.line} 行目`],
    ["記載ID", record.id],
  ].filter(([, value]) => value);
  const deleted = record.change === "削除";
  setChildren(document.getElementById("record-body"),
    el("dl", { class: "facts" }, facts.map(([label, value]) => [el("dt", {}, label), el("dd", {}, value)])),
    record.source.page
      ? el("p", {}, el("a", {
        href: `/documents/${encodeURIComponent(record.source.file)}#page=${record.source.page}`,
        target: "_blank", rel: "noopener",
      }, `元の PDF を ${record.source.page} ページで開く`))
      : null,
    changeBadge(record),
    record.text
      ? el("div", { class: "record-text" },
        deleted ? el("p", { class: "removed-label" }, "この措置は削除されました（変更前の記載）") : null,
        el("span", { class: deleted ? "removed-text" : null }, body.marked_text ? snippetNodes(body.marked_text) : record.text))
      : el("p", { class: "choice-only" }, withoutText(record)),
    changeDetails(record),
    versionsSection(body.versions || [], record));
  const compareParams = new URLSearchParams({ slot: record.slot || "", base: bodyParam(record) });
  const copy = copyButton(record, "本文をコピー");
  setChildren(document.getElementById("record-actions"),
    record.text && !deleted ? copy : null,
    record.slot ? el("a", { class: "button-link", href: `/compare?${compareParams}` }, "他団体と比較") : null,
    el("a", { class: "button-link back-to-search", href: backToSearchHref() }, "検索に戻る"));
  document.getElementById("record-position").textContent =
    `この文書の ${body.records_in_document} 件の記載のうち ${body.position} 件目`;
  const item = (other, current) => el("li", { class: current ? "current" : null },
    el("span", { class: "breadcrumb" }, other.slot_label || (other.section_path || []).slice(-1)[0] || "", other.field ? ` ／ ${other.field}` : "", other.actor ? ` ／ ${other.actor}` : ""),
    current ? el("p", { class: "neighbour-text" }, "（この記載）")
      : el("a", { href: `/record/${encodeURIComponent(other.id)}` }, excerpt(other)));
  // Numbered as in the document: the first neighbour shown is not the document's first record.
  document.getElementById("record-neighbours").start = body.position - body.before.length;
  document.getElementById("record-neighbours").replaceChildren(
    ...body.before.map((other) => item(other, false)), item(record, true), ...body.after.map((other) => item(other, false)));
}

// The same slot in the body's other versions of the document, each diffed from the older
// text to the newer (what the body changed between the two).
function versionsSection(versions, record) {
  if (!versions.length) return null;
  return el("section", { class: "versions" }, el("h2", {}, "他の版の同じ項目"),
    versions.map((version) => {
      const label = `${version.file}${version.date ? `（${version.date}）` : ""} 第 ${version.version} 版${version.current ? "・最新の版" : ""}`;
      const direction = version.older ? "この版への変更（古い版 → この記載）" : "この記載からの変更（この記載 → 新しい版）";
      return el("article", { class: "version-text" },
        el("h3", {}, version.id ? el("a", { href: `/record/${encodeURIComponent(version.id)}` }, label) : label),
        version.id
          ? [el("p", { class: "note-label" }, direction), el("div", { class: "text" }, alignedNodes(version.aligned, true))]
          : el("p", { class: "hint" }, `この版には${record.slot_label || "この項目"}の記載がありません。`));
    }));
}

function excerpt(record) {
  const text = record.text || withoutText(record);
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

// ---------- answers ----------

async function showAnswers() {
  const params = currentParams();
  const slot = params.get("slot") || "";
  const api = new URLSearchParams();
  for (const name of ["slot", "answer", "jimu"]) if (params.get(name)) api.set(name, params.get(name));
  const body = await getJson(`/api/answers?${api}`);
  // A body answers once per 事務: across every 事務 it is counted under each answer it gives
  // somewhere, so the counts are said to be so, and one 事務 can be chosen.
  const jimuSelect = document.getElementById("answers-jimu");
  jimuSelect.replaceChildren(el("option", { value: "", selected: !body.jimu }, "すべての事務"),
    ...body.jimus.map((known) => el("option", { value: known.jimu, selected: known.jimu === body.jimu }, `${known.jimu}（${figure(known.bodies)} 団体）`)));
  jimuSelect.onchange = () => {
    const next = currentParams();
    if (jimuSelect.value) next.set("jimu", jimuSelect.value); else next.delete("jimu");
    next.delete("answer");
    navigate("/answers", next);
  };
  document.getElementById("answers-csv").href = `/api/answers.csv?${api}`;
  const slotSelect = document.getElementById("answers-slot");
  const risks = [...slotsByKey.values()].filter((known) => known.records && /^III\.\d+(\.R\d+)?$/.test(known.key));
  slotSelect.replaceChildren(el("option", { value: "", selected: !slot }, "すべてのリスクの評価"),
    ...risks.map((known) => el("option", { value: known.key, selected: known.key === slot }, breadcrumb(known.key).split(" › ").slice(-2).join(" › "))));
  slotSelect.onchange = () => {
    const next = new URLSearchParams();
    if (slotSelect.value) next.set("slot", slotSelect.value);
    navigate("/answers", next);
  };
  const answers = [...new Set(body.columns.flatMap((column) => column.counts.map(([answer]) => answer)))];
  const filter = document.getElementById("answers-filter");
  filter.replaceChildren(el("option", { value: "" }, "すべて"),
    ...answers.map((answer) => el("option", { value: answer, selected: answer === params.get("answer") }, answer)));
  filter.onchange = () => {
    const next = currentParams();
    if (filter.value) next.set("answer", filter.value); else next.delete("answer");
    navigate("/answers", next);
  };
  document.getElementById("answers-count").textContent = body.jimu || body.jimus.length <= 1
    ? `${figure(body.bodies.length)} 団体`
    : `${figure(body.bodies.length)} 団体（すべての事務: 事務ごとに回答が違う団体は、その回答ごとに数えています）`;
  const table = document.getElementById("answers-table");
  const head = el("tr", {}, el("th", { scope: "col" }, "団体"), body.columns.map((column) => el("th", { scope: "col" },
    el("span", { class: "column-kind" }, column.kind === "rating" ? "リスクの評価" : "選択"),
    el("a", { href: `/compare?${new URLSearchParams({ slot: column.slot })}` }, column.breadcrumb.slice(-1)[0] || column.slot),
    el("span", { class: "column-counts" }, column.counts.map(([answer, count]) => `${answer} ${figure(count)}`).join("、")))));
  const rows = body.bodies.map((answering) => el("tr", {}, el("th", { scope: "row" }, answering.body),
    answering.cells.map((cell) => el("td", {}, cell.map((given) => el("div", {
      class: "given", title: given.files.length ? `ファイル: ${given.files.join("・")}` : null,
    }, given.answer,
    cell.length > 1 && given.files.length ? el("small", {}, `（${given.files.join("・")}）`) : null,
    given.printed && given.printed.length ? el("small", { class: "printed" }, `印刷は「${given.printed.join("」「")}」`) : null))))));
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

// ---------- bodies ----------

// A body's files: a short summary from the list of bodies; the files are asked for when the
// summary is opened (a national corpus holds tens of thousands: listing them all with every
// body made the list 26 MB at a million records).
function documentsCell(known) {
  const list = el("ul", { class: "documents" });
  let asked = false;
  const box = el("details", { class: "documents-box", ontoggle: async () => {
    if (!box.open || asked) return;
    asked = true;
    list.replaceChildren(el("li", { class: "loading-note" }, "ファイルを読み込んでいます…"));
    try {
      const params = new URLSearchParams({ body: known.municipality });
      if (known.municipality_code) params.set("code", known.municipality_code);
      const answer = await getJson(`/api/municipalities?${params}`);
      const documents = answer.municipalities.flatMap((body) => body.documents || []);
      list.replaceChildren(...documents.map((document) =>
        el("li", { class: document.current ? null : "past-version" },
          `${document.file} ・ ${document.jimu || "事務の記載なし"} ・ ${document.doc_type} ・ ${document.doc_date || "公表日不明"}`,
          document.versions > 1 ? ` ・ 第 ${document.version} 版／全 ${document.versions} 版${document.current ? "（最新）" : "（過去の版）"}` : "",
          document.quoted_in ? `（${document.quoted_in}の文書に引用された記載）` : "",
          `（${document.records} 件）`)));
    } catch (error) {
      if (error.name === "AbortError") return;
      asked = false;
      list.replaceChildren(el("li", { class: "error-note" }, error.message));
    }
  } }, el("summary", {}, `${known.files} ファイル（最新の版 ${known.current_files}）・事務 ${known.jimu}`), list);
  // A body of a file or two shows it at once.
  if (known.files <= 2) box.open = true;
  return box;
}

async function showBodies() {
  const body = await getJson("/api/municipalities");
  // In the order of 全国地方公共団体コード (北海道 first, as national lists are), bodies
  // without a code last by name.
  const bodies = [...body.municipalities].sort((left, right) =>
    (left.municipality_code || "\uffff").localeCompare(right.municipality_code || "\uffff")
    || left.municipality.localeCompare(right.municipality, "ja"));
  const sum = (field) => bodies.reduce((total, known) => total + known[field], 0);
  const count = document.getElementById("bodies-count");
  const everyBody = `${figure(bodies.length)} 団体、${figure(sum("files"))} ファイル（うち最新の版 ${figure(sum("current_files"))}）`;
  count.textContent = everyBody;
  const head = el("tr", {}, ["団体", "団体コード", "都道府県", "文書（ファイル・事務・種別・公表日・版）", "記載数（最新の版）"].map((label) => el("th", { scope: "col" }, label)));
  const rows = bodies.map((known) => el("tr", { "data-find": [known.municipality, known.prefecture, known.municipality_code].filter(Boolean).join(" ") },
    el("th", { scope: "row" }, el("a", { href: `/?${new URLSearchParams({ municipality: bodyParam(known) })}` }, known.municipality)),
    el("td", {}, known.municipality_code || "—"),
    el("td", {}, known.prefecture || "—"),
    el("td", {}, documentsCell(known)),
    el("td", { class: "number" }, figure(known.records))));
  document.getElementById("bodies-table").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  // Nationally the list is 1,700 bodies long: typing narrows it to the bodies it names.
  const filter = document.getElementById("bodies-filter");
  filter.value = "";
  filter.oninput = () => {
    const typed = filter.value.trim();
    for (const row of rows) row.hidden = typed !== "" && !row.dataset.find.includes(typed);
    const shown = rows.filter((row) => !row.hidden).length;
    count.textContent = typed ? `「${typed}」で絞り込み: ${figure(shown)} 団体を表示（全 ${everyBody}）` : everyBody;
  };
}

// ---------- routing ----------

const VIEWS = ["search-view", "compare-view", "record-view", "answers-view", "bodies-view", "draft-view"];

// body[data-state] is "loading" while a view is fetched and drawn, then "ready" (or "error"):
// assistive tools and the browser test wait on it instead of on timers.
async function route({ toTop = false } = {}) {
  currentView.abort();
  currentView = new AbortController();
  document.body.dataset.state = "loading";
  showError("");
  const path = location.pathname;
  const recordId = path.startsWith("/record/") ? decodeURIComponent(path.slice("/record/".length)) : null;
  const view = path === "/" ? "search-view" : path === "/compare" ? "compare-view" : recordId ? "record-view"
    : path === "/answers" ? "answers-view" : path === "/bodies" ? "bodies-view" : path === "/draft" ? "draft-view" : null;
  for (const id of VIEWS) document.getElementById(id).hidden = id !== view;
  for (const link of document.querySelectorAll("a.back-to-search")) link.href = backToSearchHref();
  try {
    await loadSlots();
    if (view === "search-view") await showSearch();
    else if (view === "compare-view") await showCompare();
    else if (view === "record-view") await showRecord(recordId);
    else if (view === "answers-view") await showAnswers();
    else if (view === "bodies-view") await showBodies();
    else if (view === "draft-view") await showDraftWorkspace(); // draft.js
    else throw new Error("このページはありません。上の検索欄から探すか、団体・文書の一覧をご覧ください。");
    // A new view (a link, the pager) starts at its top; going back keeps the browser's place.
    if (toTop) window.scrollTo(0, 0);
    document.body.dataset.state = "ready";
  } catch (error) {
    if (error.name === "AbortError") return;
    // What the view showed before is the answer to another question (the last search, another
    // comparison): hidden, so the error is the only answer on the page, at its top.
    for (const id of VIEWS) document.getElementById(id).hidden = true;
    showError(error.message);
    document.body.dataset.state = "error";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const q = document.getElementById("q").value.trim();
    if (PASTED_PARAGRAPH.test(q)) {
      offerDraftSearch(q);
      return;
    }
    if (q) next.set("q", q);
    if (location.pathname === "/" && !currentParams().get("draft")) {
      for (const name of FILTERS) if (currentParams().get(name)) next.set(name, currentParams().get(name));
    }
    navigate("/", next);
  });
  document.getElementById("draft-form").addEventListener("submit", searchDraft);
  // Links inside the page keep the page: no reload, history kept.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='/']");
    // The API's answers, the original PDFs (/documents/…, opened in a tab of their own) and
    // links meant for another tab are the browser's to open, not views of this page.
    if (!link || link.href.includes("/api/") || link.target === "_blank" || link.hasAttribute("download")
      || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const url = new URL(link.href);
    history.pushState(null, "", url.pathname + url.search);
    route({ toTop: true });
  });
  window.addEventListener("popstate", () => route());
  route();
});
