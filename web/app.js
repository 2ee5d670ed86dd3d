// hyoka web page: search, compare, drafting by example.
//
// Text from documents is untrusted: it is only ever inserted as text nodes. The one piece of
// server markup, the <mark> in snippets, is rebuilt element by element from the escaped
// snippet; no HTML string from the server or a document is ever parsed.
"use strict";

const FILTERS = ["municipality", "prefecture", "slot", "doc_type", "actor", "rating"];
// How the words are matched: the synonym dictionary (all off, or per word) and the fallback.
const MATCHING = ["synonyms", "synonyms_off", "fallback"];
const FACET_LABELS = { municipality: "団体", slot: "項目", doc_type: "文書種別", actor: "措置主体", rating: "評価" };
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
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
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

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = !message;
}

// The view being drawn; a newer navigation aborts its requests so a slow answer never
// overwrites a newer view.
let currentView = new AbortController();

async function getJson(url, options) {
  const response = await fetch(url, { ...options, signal: currentView.signal });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error ? body.error.message : `${response.status} ${response.statusText}`);
  }
  return body;
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
  route();
}

// ---------- search ----------

function hitCard(hit) {
  const copy = el("button", { type: "button", onclick: async (event) => {
    await navigator.clipboard.writeText(hit.text).catch(() => {});
    event.target.textContent = "コピーしました";
  } }, "コピー");
  const compareParams = new URLSearchParams({ slot: hit.slot || "" });
  if (hit.municipality) compareParams.set("base", hit.municipality);
  return el("li", { class: "hit" },
    el("div", { class: "meta" },
      el("span", { class: "body-name" }, hit.municipality),
      `${hit.doc_title}${hit.file_name ? " ・ " + hit.file_name : ""}`,
      hit.actor ? el("span", { class: "badge" }, hit.actor) : null,
      hit.rating ? el("span", { class: "badge rating" }, hit.rating) : null),
    // Text outside the form's slots (a cover page value, an ordinance article) shows where it
    // stands in its own document instead.
    el("p", { class: "breadcrumb" },
      hit.slot ? breadcrumb(hit.slot) : (hit.section_path || []).join(" › ") || "様式の項目に対応しない記載",
      hit.field ? ` ／ ${hit.field}` : ""),
    hit.missing && hit.missing.length
      ? el("p", { class: "missing" }, `${quoted(hit.missing)}を含まない記載`) : null,
    el("p", { class: "snippet" }, snippetNodes(hit.snippet || "")),
    el("div", { class: "actions" },
      hit.slot ? el("a", { class: "button-link", href: `/compare?${compareParams}` }, "他団体と比較") : null,
      copy));
}

function renderFacets(facets, params) {
  const box = document.getElementById("facets");
  box.replaceChildren();
  for (const [dimension, label] of Object.entries(FACET_LABELS)) {
    const values = (facets && facets[dimension]) || [];
    if (!values.length) continue;
    const list = el("ul");
    for (const { value, count } of values.slice(0, 30)) {
      const checked = params.get(dimension) === value;
      const id = `facet-${dimension}-${list.children.length}`;
      const input = el("input", { type: "checkbox", id, checked, onchange: () => {
        const next = currentParams();
        if (input.checked) next.set(dimension, value); else next.delete(dimension);
        next.delete("offset");
        navigate("/", next);
      } });
      const shown = dimension === "slot" ? breadcrumb(value).split(" › ").slice(-2).join(" › ") : value;
      list.append(el("li", {}, input, el("label", { for: id }, shown), el("span", { class: "count" }, count)));
    }
    box.append(el("div", { class: "facet" }, el("h2", {}, label), list));
  }
}

function renderActiveFilters(params) {
  const box = document.getElementById("active-filters");
  box.replaceChildren();
  for (const name of FILTERS) {
    const value = params.get(name);
    if (!value) continue;
    const shown = name === "slot" ? breadcrumb(value) : value;
    box.append(el("span", { class: "active-filter" }, `${FACET_LABELS[name] || name}: ${shown}`,
      el("button", { type: "button", "aria-label": "この絞り込みを外す", onclick: () => {
        const next = currentParams();
        next.delete(name);
        navigate("/", next);
      } }, "×")));
  }
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
        el("span", { class: "count" }, ` ${slot.records}`), build(slot.key)));
    }
    return list.childElementCount ? list : null;
  };
  box.replaceChildren(el("div", { class: "slot-tree" }, build("")));
}

// 前へ/次へ links of a paged view (the search at `/`, a comparison at `/compare`).
function renderPager(total, params, { id = "pager", path = "/", size = PAGE_SIZE } = {}) {
  const pager = document.getElementById(id);
  pager.replaceChildren();
  const offset = Number(params.get("offset") || 0);
  const page = (target, label) => {
    const next = currentParams();
    next.set("offset", String(target));
    return el("a", { class: "button-link", href: `${path}?${next}` }, label);
  };
  if (offset > 0) pager.append(page(Math.max(0, offset - size), "前へ"));
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
  document.getElementById("q").value = params.get("q") || "";
  const api = new URLSearchParams();
  for (const name of ["q", ...FILTERS, ...MATCHING, "offset"]) if (params.get(name)) api.set(name, params.get(name));
  api.set("limit", String(PAGE_SIZE));
  document.getElementById("search-csv").href = `/api/export.csv?${api}`;
  renderActiveFilters(params);
  renderSlotTree();
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
  const body = await getJson(`/api/search?${api}`);
  summary.textContent = body.fallback
    ? `${body.total} 件（すべての語を含む記載 ${body.fallback.all_words_total} 件、${body.took_ms} ms）`
    : `${body.total} 件（${body.took_ms} ms）`;
  renderQueryNotes(body, params);
  renderFacets(body.facets, params);
  if (!body.hits.length) {
    const hint = FILTERS.some((name) => params.get(name))
      ? "絞り込みを外すと見つかるかもしれません。" : "別の言葉や、短い言葉で試してください。";
    results.replaceChildren(el("li", { class: "empty" }, `該当する記載はありません。${hint}`));
  } else {
    results.replaceChildren(...body.hits.map(hitCard));
  }
  renderPager(body.total, params);
}

async function searchDraft(event) {
  event.preventDefault();
  const text = document.getElementById("draft").value.trim();
  if (!text) return;
  showError("");
  currentView.abort();
  currentView = new AbortController();
  document.body.dataset.state = "loading";
  try {
    const body = await getJson("/api/similar", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text, limit: PAGE_SIZE }),
    });
    document.getElementById("summary").textContent = `下書きに近い記載 ${body.hits.length} 件`;
    document.getElementById("results").replaceChildren(...body.hits.map(hitCard));
    document.getElementById("query-notes").replaceChildren();
    document.getElementById("pager").replaceChildren();
    document.body.dataset.state = "ready";
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error.message);
    document.body.dataset.state = "error";
  }
}

// ---------- compare ----------

function diffNodes(diff) {
  return diff.map((op) => op.op === "insert" ? el("ins", {}, op.text)
    : op.op === "delete" ? el("del", {}, op.text) : document.createTextNode(op.text));
}

function sentenceNodes(sentences) {
  return sentences.map((sentence) => el("span", {
    class: sentence.shared_by > 0 ? "shared" : "own",
    title: sentence.shared_by > 0 ? `他の ${sentence.shared_by} 団体と共通` : "この団体独自の記載",
  }, sentence.text, "\n"));
}

function compareRow(row, base, showDiff) {
  const isBase = row.body === base || row.municipality === base;
  const change = row.after_text !== null && row.after_text !== undefined;
  return el("article", { class: isBase ? "compare-row base" : "compare-row" },
    el("h2", {}, row.body, isBase ? el("span", { class: "badge" }, "基準") : null),
    el("p", { class: "meta" }, `${row.doc_title}${row.file_name ? " ・ " + row.file_name : ""}`,
      row.actor ? el("span", { class: "badge" }, row.actor) : null,
      row.choice ? el("span", { class: "badge rating" }, row.choice) : null,
      row.field ? ` ／ ${row.field}` : ""),
    row.text ? el("div", { class: "text" }, showDiff && !isBase ? diffNodes(row.diff) : sentenceNodes(row.sentences)) : null,
    change ? el("dl", { class: "change" },
      el("dt", {}, "変更前"), el("dd", {}, row.before_text || "（なし）"),
      el("dt", {}, "変更後"), el("dd", {}, row.after_text || "（なし）"),
      row.reason ? [el("dt", {}, "理由"), el("dd", {}, row.reason)] : null) : null);
}

async function showCompare() {
  const params = currentParams();
  const slot = params.get("slot");
  if (!slot) { navigate("/", new URLSearchParams()); return; }
  const api = new URLSearchParams({ slot, limit: String(COMPARE_PAGE_SIZE) });
  for (const name of ["base", "offset"]) if (params.get(name)) api.set(name, params.get(name));
  const body = await getJson(`/api/compare?${api}`);
  document.getElementById("compare-breadcrumb").textContent = breadcrumb(body.slot);
  document.getElementById("compare-title").textContent = `${body.slot_label} を他団体と比較`;
  document.getElementById("compare-csv").href = `/api/export.csv?${new URLSearchParams({ slot })}`;
  const select = document.getElementById("base-select");
  select.replaceChildren(...body.bodies.map((name) => el("option", { value: name, selected: name === body.base }, name)));
  select.onchange = () => {
    const next = currentParams();
    next.set("base", select.value);
    navigate("/compare", next);
  };
  const shownTo = Math.min(body.offset + body.rows.length, body.total);
  document.getElementById("compare-count").textContent = body.total > body.rows.length
    ? `${body.total} 件中 ${body.offset + 1}–${shownTo} 件（${body.bodies.length} 団体）`
    : `${body.total} 件（${body.bodies.length} 団体）`;
  renderPager(body.total, params, { id: "compare-pager", path: "/compare", size: COMPARE_PAGE_SIZE });
  const ratings = document.getElementById("ratings");
  ratings.replaceChildren("評価の分布: ", ...Object.entries(body.ratings).map(([value, count]) => el("span", {}, `${value} ${count}`)));
  // An item answered only by its choice (「⑤物理的対策 [特に力を入れて行っている]」) has no text
  // of its own: show its choice on the same body's and file's text rows instead of a card.
  const choiceOf = new Map();
  for (const row of body.rows) {
    if (!row.text && row.choice) choiceOf.set(`${row.body}\u0000${row.file_name}`, row.choice);
  }
  const shownRows = body.rows
    .filter((row) => row.text || row.after_text !== null && row.after_text !== undefined)
    .map((row) => ({ ...row, choice: row.choice || choiceOf.get(`${row.body}\u0000${row.file_name}`) }));
  const render = () => {
    const showDiff = document.getElementById("show-diff").checked;
    const rows = document.getElementById("compare-rows");
    rows.classList.toggle("hide-shared", document.getElementById("hide-shared").checked);
    rows.replaceChildren(...shownRows.map((row) => compareRow(row, body.base, showDiff)));
  };
  document.getElementById("show-diff").onchange = render;
  document.getElementById("hide-shared").onchange = () => {
    // Hiding shared sentences needs the sentence view.
    if (document.getElementById("hide-shared").checked) document.getElementById("show-diff").checked = false;
    render();
  };
  render();
}

// ---------- routing ----------

// body[data-state] is "loading" while a view is fetched and drawn, then "ready" (or "error"):
// assistive tools and the browser test wait on it instead of on timers.
async function route() {
  currentView.abort();
  currentView = new AbortController();
  document.body.dataset.state = "loading";
  showError("");
  const onCompare = location.pathname === "/compare";
  document.getElementById("search-view").hidden = onCompare;
  document.getElementById("compare-view").hidden = !onCompare;
  try {
    await loadSlots();
    if (onCompare) await showCompare(); else await showSearch();
    document.body.dataset.state = "ready";
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error.message);
    document.body.dataset.state = "error";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const q = document.getElementById("q").value.trim();
    if (q) next.set("q", q);
    if (location.pathname === "/") {
      for (const name of FILTERS) if (currentParams().get(name)) next.set(name, currentParams().get(name));
    }
    navigate("/", next);
  });
  document.getElementById("draft-form").addEventListener("submit", searchDraft);
  // Links inside the page keep the page: no reload, history kept.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='/']");
    if (!link || link.href.includes("/api/") || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const url = new URL(link.href);
    history.pushState(null, "", url.pathname + url.search);
    route();
  });
  window.addEventListener("popstate", route);
  route();
});
