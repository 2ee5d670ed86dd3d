// hyoka draft workspace: the form's slots in order, each with the user's text, the measures
// peers write that the draft lacks (hints) and the peers' nearest wordings aligned with it
// (precedents). Uses the helpers of app.js (el, setChildren, getJson, alignedNodes, slotsByKey).
//
// The draft is the user's own: it is kept in this browser's localStorage only; a slot's text
// leaves the browser only in the body of that slot's hints and precedents requests (never in a
// URL, which logs and history keep); the .xlsx and text exports are written here, in the
// browser, not by the server.
"use strict";

const DRAFT_KEY = "hyoka:draft";
// Characters of one slot the server reads (MAX_DRAFT_CHARS in src/draft/mod.rs).
const DRAFT_SLOT_CHARS = 20000;
let draftState = null;
let draftSlotList = [];
let draftBodies = null;
let draftSaveTimer = null;

function emptyDraft() {
  return { doc_type: "", jimu: "", body_kind: "", same_kind: false, started_from: null, texts: {}, sources: {} };
}

function loadDraft() {
  try {
    const stored = JSON.parse(localStorage.getItem(DRAFT_KEY));
    if (stored && typeof stored === "object" && stored.texts) return { ...emptyDraft(), ...stored };
  } catch (error) {
    // A draft that does not parse is not ours to guess at: start empty, keep the old one.
    console.warn("hyoka: the stored draft could not be read", error);
  }
  return emptyDraft();
}

function draftStatus(message) {
  document.getElementById("draft-status").textContent = message;
}

function saveDraftNow() {
  clearTimeout(draftSaveTimer);
  draftState.saved_at = new Date().toISOString();
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(draftState));
    const time = new Date(draftState.saved_at).toLocaleTimeString("ja-JP");
    draftStatus(`下書きをこのブラウザに保存しました（${time}）。サーバーには保存していません。`);
  } catch (error) {
    draftStatus("このブラウザに下書きを保存できませんでした（保存領域が一杯か、保存が禁止されています）。Excel かテキストで保存してください。");
  }
}

function saveDraftSoon() {
  clearTimeout(draftSaveTimer);
  draftSaveTimer = setTimeout(saveDraftNow, 300);
}

function draftPeers(slot, text) {
  const request = { slot, text, limit: 12 };
  if (draftState.jimu) request.jimu = draftState.jimu;
  if (draftState.body_kind) request.body_kind = draftState.body_kind;
  if (draftState.same_kind && draftState.doc_type) request.doc_type = draftState.doc_type;
  // The body's own published text is where the draft came from, not a peer's.
  if (draftState.started_from) request.own_body = draftState.started_from.body;
  return request;
}

async function postDraft(path, request) {
  // Not through currentView: typing on is not a navigation, and a slot's answer belongs to it.
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
  } catch (error) {
    throw new Error("サーバーに接続できませんでした。通信の状態を確かめて、もう一度お試しください。");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error && body.error.message ? body.error.message : `サーバーから応答がありませんでした（状態 ${response.status}）。`);
  }
  return body;
}

function percent(share) {
  return `${Math.round(share * 100)} %`;
}

// ---------- the view ----------

async function showDraftWorkspace() {
  draftState = loadDraft();
  document.getElementById("draft-same-kind").checked = Boolean(draftState.same_kind);
  document.getElementById("draft-body-kind").value = draftState.body_kind || "";
  await drawDraftSlots();
  if (draftState.saved_at) {
    draftStatus(`このブラウザに保存された下書きを開きました（${new Date(draftState.saved_at).toLocaleString("ja-JP")} 保存）。`);
  } else {
    draftStatus("新しい下書きです。項目に書き始めるか、団体の評価書から始めてください。");
  }
}

function fillChoices(select, choices, chosen, allLabel) {
  const options = [el("option", { value: "" }, allLabel)];
  for (const choice of choices) {
    options.push(el("option", { value: choice.value }, `${choice.value}（${figure(choice.documents)} 文書）`));
  }
  if (chosen && !choices.some((choice) => choice.value === chosen)) {
    options.push(el("option", { value: chosen }, `${chosen}（この索引にはありません）`));
  }
  select.replaceChildren(...options);
  select.value = chosen || "";
}

// #draft-slots[data-state] is "loading" while the slots are fetched and drawn anew (a hint
// asked for meanwhile is drawn in a list about to be replaced), then "ready" (or "error").
async function drawDraftSlots() {
  const slotsBox = document.getElementById("draft-slots");
  slotsBox.dataset.state = "loading";
  try {
    await fillDraftSlots(slotsBox);
    slotsBox.dataset.state = "ready";
  } catch (error) {
    slotsBox.dataset.state = "error";
    throw error;
  }
}

async function fillDraftSlots(slotsBox) {
  const params = new URLSearchParams();
  if (draftState.doc_type) params.set("doc_type", draftState.doc_type);
  if (draftState.jimu) params.set("jimu", draftState.jimu);
  if (draftState.body_kind) params.set("body_kind", draftState.body_kind);
  if (draftState.same_kind) params.set("same_kind", "on");
  if (draftState.started_from) params.set("own_body", draftState.started_from.body);
  const body = await getJson(`/api/draft/slots?${params}`);
  fillChoices(document.getElementById("draft-doc-type"), body.doc_types, draftState.doc_type, "すべての種類");
  fillChoices(document.getElementById("draft-jimu"), body.jimus, draftState.jimu, "すべての事務");
  draftSlotList = body.slots;
  const listed = new Set(body.slots.map((slot) => slot.key));
  // Slots the draft has text in stay, whatever the peers write.
  const written = Object.keys(draftState.texts).filter((key) => draftState.texts[key] && !listed.has(key));
  const order = [...slotsByKey.keys()];
  const slots = [...body.slots, ...written.map((key) => ({ key, heading: key, label: key, breadcrumb: (slotsByKey.get(key) || {}).breadcrumb || [key], bodies: 0 }))]
    .sort((left, right) => order.indexOf(left.key) - order.indexOf(right.key));
  const onlyWritten = document.getElementById("draft-only-written").checked;
  setChildren(document.getElementById("draft-slots"), slots
    .filter((slot) => !onlyWritten || draftState.texts[slot.key])
    .map(draftSlotItem));
  const writtenCount = Object.values(draftState.texts).filter(Boolean).length;
  slotsBox.dataset.slots = String(slots.length);
  slotsBox.setAttribute("aria-label",
    `${slots.length} 項目（うち下書きのある項目 ${writtenCount}）・比べる文書 ${body.documents}（${body.bodies} 団体）`);
}

// A textarea as tall as its text (up to a screenful), so a copied sentence is seen landing.
function fitRows(textarea) {
  const lines = textarea.value.split("\n").reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 40)), 0);
  textarea.rows = Math.min(24, Math.max(4, lines + 1));
}

function draftSlotItem(slot) {
  const key = slot.key;
  const textarea = el("textarea", {
    id: `draft-text-${key}`, class: "draft-text", rows: "4", maxlength: String(DRAFT_SLOT_CHARS),
    "aria-label": `${slot.breadcrumb.join(" › ")} の下書き`,
  });
  textarea.value = draftState.texts[key] || "";
  fitRows(textarea);
  textarea.addEventListener("input", () => {
    fitRows(textarea);
    draftState.texts[key] = textarea.value;
    if (!textarea.value) delete draftState.texts[key];
    saveDraftSoon();
  });
  const hints = el("div", { class: "draft-hints", "aria-live": "polite" });
  const precedents = el("div", { class: "draft-precedents", "aria-live": "polite" });
  const compareParams = new URLSearchParams({ slot: key });
  if (draftState.jimu) compareParams.set("jimu", draftState.jimu);
  const askButton = el("button", { type: "button", class: "draft-ask", onclick: () => askPeers(key, textarea, hints, precedents) }, "ヒントと先例");
  return el("li", { class: "draft-slot", "data-slot": key },
    el("h2", { title: slot.breadcrumb.join(" › ") }, slot.heading || key,
      el("span", { class: "count" }, slot.bodies ? `（比べる団体のうち ${slot.bodies} 団体が記載）` : "（比べる団体の記載なし）")),
    el("div", { class: "draft-slot-body" },
      el("div", { class: "draft-editor" }, textarea,
        el("div", { class: "draft-actions" }, askButton, " ",
          el("a", { href: `/compare?${compareParams}` }, "他団体と比較"))),
      hints),
    precedents);
}

async function askPeers(key, textarea, hintsBox, precedentsBox) {
  const text = textarea.value.trim();
  if (!text) {
    setChildren(hintsBox, el("p", { class: "notice" }, "この項目の下書きが空です。書くか貼り付けてから「ヒントと先例」を押してください。"));
    precedentsBox.replaceChildren();
    return;
  }
  hintsBox.dataset.state = "loading";
  setChildren(hintsBox, el("p", { class: "count" }, "他団体の記載と比べています…"));
  precedentsBox.replaceChildren();
  // Each answer on its own: a draft of no searchable word has hints but no precedents.
  const [hints, precedents] = await Promise.allSettled([
    postDraft("/api/draft/hints", draftPeers(key, text)),
    postDraft("/api/draft/precedents", { ...draftPeers(key, text), limit: 5 }),
  ]);
  setChildren(hintsBox, hints.status === "fulfilled" ? hintsNodes(key, hints.value, textarea)
    : el("p", { class: "error" }, hints.reason.message));
  setChildren(precedentsBox, precedents.status === "fulfilled" ? precedentsNodes(key, precedents.value, textarea)
    : el("p", { class: "error" }, precedents.reason.message));
  hintsBox.dataset.state = hints.status === "fulfilled" ? "ready" : "error";
}

function hintsNodes(key, body, textarea) {
  const peers = `比べた記載: ${figure(body.peer_bodies)} 団体・${figure(body.peer_rows)} 件・${figure(body.wordings)} 通りの文言`
    + (body.wordings_read < body.wordings ? `（多い順に ${figure(body.wordings_read)} 通りを読みました）` : "");
  const nodes = [el("h3", {}, "他団体が書いていて、この下書きにない対策"), el("p", { class: "count" }, peers)];
  if (!body.hints.length) {
    nodes.push(el("p", {}, "他団体の多くが書いていて、この下書きにない語句は見つかりませんでした。"));
  } else {
    nodes.push(el("ol", { class: "hint-list" }, body.hints.map((hint) => el("li", { class: "hint" },
      el("details", {},
        el("summary", {}, el("strong", {}, hint.phrase), ` ${percent(hint.share)}（${hint.bodies}/${body.peer_bodies} 団体）`),
        el("ul", { class: "hint-examples" }, hint.examples.map((example) => el("li", {},
          el("q", {}, example.sentence),
          el("small", { class: "source" }, "出典: ", el("a", { href: `/record/${encodeURIComponent(example.id)}` }, example.source),
            example.bodies > 1 ? `（同じ文言 ${example.bodies} 団体）` : ""),
          el("button", { type: "button", class: "copy-example", onclick: (event) => {
            copyIntoDraft(key, textarea, example.sentence, example.source, example.id);
            event.target.textContent = "下書きに加えました";
          } }, "下書きに加える")))))))));
  }
  if (body.said_otherwise.length) {
    nodes.push(el("p", { class: "said-otherwise" }, "言い換えて書いてある対策: ",
      body.said_otherwise.map((said, index) => [index ? "、" : "", `${said.phrase}（下書きでは「${said.said_as}」・${said.bodies} 団体）`])));
  }
  return nodes;
}

function precedentsNodes(key, body, textarea) {
  if (!body.precedents.length) return [el("h3", {}, "近い記載（先例）"), el("p", {}, "この項目に近い記載は見つかりませんでした。")];
  return [
    el("h3", {}, "近い記載（先例）"),
    el("p", { class: "count" }, `似た記載 ${figure(body.total)} 件・${figure(body.wordings)} 通りの文言・${figure(body.bodies)} 団体のうち、近い順に ${body.precedents.length} 通り。`,
      el("span", { class: "legend" }, "基準はこの下書き: ", el("ins", {}, "下書きにない字句"), el("del", {}, "下書きにあって、ない字句"), "・",
        el("span", { class: "sentence al-own" }, "下書きにない文"))),
    el("ol", { class: "precedent-list" }, body.precedents.map((precedent) => el("li", { class: "card precedent" },
      el("p", { class: "card-head" }, el("a", { href: `/record/${encodeURIComponent(precedent.id)}` }, precedent.body),
        precedent.bodies > 1 ? ` ・ この文言を使う団体: ${precedent.bodies}` : "",
        // The source (kept whole for the export's citation) begins with the body, named just before.
        el("small", { class: "source" }, ` ${precedent.source.startsWith(precedent.body) ? precedent.source.slice(precedent.body.length).trim() : precedent.source}`)),
      // Against the draft: the draft's own sentences the peer lacks are not the peer's text.
      el("p", { class: "aligned" }, alignedNodes(precedent.aligned.filter((sentence) => sentence.alignment !== "missing"), true)),
      el("button", { type: "button", class: "copy-precedent", onclick: (event) => {
        copyIntoDraft(key, textarea, precedent.text, precedent.source, precedent.id);
        event.target.textContent = "下書きに加えました";
      } }, "この記載を下書きに加える")))),
  ];
}

// Appends a peer's sentence to the slot's draft and remembers where it came from (the export
// cites it).
function copyIntoDraft(key, textarea, sentence, source, id) {
  const current = textarea.value;
  textarea.value = current && !current.endsWith("\n") ? `${current}\n${sentence}` : `${current}${sentence}`;
  draftState.texts[key] = textarea.value;
  fitRows(textarea);
  const sources = draftState.sources[key] || [];
  if (!sources.some((known) => known.sentence === sentence)) sources.push({ sentence, source, id });
  draftState.sources[key] = sources;
  saveDraftNow();
}

// ---------- starting from a body's document ----------

async function loadStartBodies() {
  if (draftBodies) return;
  const body = await getJson("/api/municipalities");
  draftBodies = body.municipalities;
  document.getElementById("draft-start-bodies").replaceChildren(...draftBodies.map((known) => el("option", { value: known.municipality })));
}

// A body's current files, asked for once the name typed is a body's (the list of bodies counts
// their files; it does not list them).
const startFilesOf = new Map();

async function fillStartFiles() {
  const name = document.getElementById("draft-start-body").value.trim();
  const select = document.getElementById("draft-start-file");
  const known = (draftBodies || []).some((candidate) => candidate.municipality === name);
  if (!known) {
    select.replaceChildren();
    return;
  }
  if (!startFilesOf.has(name)) {
    const answer = await getJson(`/api/municipalities?${new URLSearchParams({ body: name })}`);
    startFilesOf.set(name, answer.municipalities.flatMap((body) => body.documents || []));
  }
  // Typed on while the files came: the answer is for a name no longer there.
  if (document.getElementById("draft-start-body").value.trim() !== name) return;
  const documents = startFilesOf.get(name).filter((document) => document.current && !document.quoted_in);
  select.replaceChildren(...documents.map((document) => el("option", { value: document.file },
    `${document.doc_title}（${document.doc_type}・${document.jimu_category || document.jimu || "事務不明"}・${document.doc_date || "公表日不明"}）`)));
}

async function startFromDocument(event) {
  event.preventDefault();
  const file = document.getElementById("draft-start-file").value;
  if (!file) {
    draftStatus("団体名を入れて、その団体の文書を選んでください。");
    return;
  }
  const written = Object.values(draftState.texts).some(Boolean);
  if (written && !window.confirm("今の下書きを、選んだ評価書の記載で置き換えます。よろしいですか。")) return;
  const body = await getJson(`/api/draft/start?${new URLSearchParams({ file })}`);
  draftState.texts = {};
  draftState.sources = {};
  for (const slot of body.slots) draftState.texts[slot.slot] = slot.text;
  draftState.doc_type = body.document.doc_type;
  draftState.jimu = body.document.jimu_category || body.document.jimu || "";
  draftState.started_from = { body: body.document.body, file: body.document.file, title: body.document.title, date: body.document.doc_date || null };
  saveDraftNow();
  await drawDraftSlots();
  draftStatus(`${body.document.body}「${body.document.title}」の ${body.slots.length} 項目を下書きに入れました。このブラウザに保存しています。`);
}

// ---------- export: written here, never sent ----------

function draftRows() {
  const order = [...slotsByKey.keys()];
  const keys = new Set([...draftSlotList.map((slot) => slot.key), ...Object.keys(draftState.texts).filter((key) => draftState.texts[key])]);
  return [...keys].sort((left, right) => order.indexOf(left) - order.indexOf(right)).map((key, position) => {
    const text = draftState.texts[key] || "";
    const copied = (draftState.sources[key] || []).filter((known) => text.includes(known.sentence));
    return {
      position: position + 1,
      key,
      heading: ((slotsByKey.get(key) || {}).breadcrumb || [key]).join(" › "),
      text,
      sources: copied.map((known) => `「${known.sentence}」 出典: ${known.source}`).join("\n"),
    };
  });
}

function draftTitle() {
  return `特定個人情報保護評価書 下書き（${draftState.doc_type || "種類の指定なし"}・${draftState.jimu || "事務の指定なし"}）`;
}

function draftFileName(extension) {
  const date = new Date().toISOString().slice(0, 10);
  return `下書き_${draftState.jimu || "事務指定なし"}_${date}.${extension}`.replace(/[\\/:*?\u0022<>|]/g, "_");
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function exportDraftText() {
  const lines = [draftTitle()];
  if (draftState.started_from) lines.push(`元にした文書: ${draftState.started_from.body}「${draftState.started_from.title}」`);
  lines.push(`作成: ${new Date().toLocaleString("ja-JP")}（hyoka）`, "");
  for (const row of draftRows().filter((row) => row.text)) {
    lines.push(`■ ${row.heading}`, row.text);
    if (row.sources) lines.push(...row.sources.split("\n").map((line) => `  ${line}`));
    lines.push("");
  }
  saveBlob(new Blob([lines.join("\r\n")], { type: "text/plain;charset=utf-8" }), draftFileName("txt"));
}

function exportDraftXlsx() {
  const header = ["順", "項目", "見出し（様式の表記）", "下書き", "引用した文と出典"];
  const rows = draftRows().map((row) => [String(row.position), row.key, row.heading, row.text, row.sources]);
  const lead = [[draftTitle()]];
  if (draftState.started_from) lead.push([`元にした文書: ${draftState.started_from.body}「${draftState.started_from.title}」`]);
  lead.push([`作成: ${new Date().toLocaleString("ja-JP")}（hyoka）`], []);
  saveBlob(xlsxBlob([...lead, header, ...rows], lead.length), draftFileName("xlsx"));
}

// The sheet's name in the workbook.
const SHEET_NAME = "下書き";

// A one-sheet .xlsx: the rows as inline strings (never formulas), the header row bold, the text
// wrapped. A workbook is a zip of XML parts; this writes them stored (uncompressed).
function xlsxBlob(rows, headerRow) {
  const escapeXml = (text) => String(text)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\u0022/g, "&quot;");
  const column = (index) => String.fromCharCode(65 + index);
  const sheetRows = rows.map((cells, rowIndex) => {
    const style = rowIndex === headerRow ? 2 : 1;
    const xmlCells = cells.map((value, cellIndex) =>
      `<c r='${column(cellIndex)}${rowIndex + 1}' s='${style}' t='inlineStr'><is><t xml:space='preserve'>${escapeXml(value)}</t></is></c>`).join("");
    return `<row r='${rowIndex + 1}'>${xmlCells}</row>`;
  }).join("");
  const namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const parts = {
    "[Content_Types].xml": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'><Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/><Default Extension='xml' ContentType='application/xml'/><Override PartName='/xl/workbook.xml' ContentType='application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'/><Override PartName='/xl/worksheets/sheet1.xml' ContentType='application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml'/><Override PartName='/xl/styles.xml' ContentType='application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml'/></Types>`,
    "_rels/.rels": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'><Relationship Id='rId1' Type='${relationships}/officeDocument' Target='xl/workbook.xml'/></Relationships>`,
    "xl/workbook.xml": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><workbook xmlns='${namespace}' xmlns:r='${relationships}'><sheets><sheet name='${SHEET_NAME}' sheetId='1' r:id='rId1'/></sheets></workbook>`,
    "xl/_rels/workbook.xml.rels": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'><Relationship Id='rId1' Type='${relationships}/worksheet' Target='worksheets/sheet1.xml'/><Relationship Id='rId2' Type='${relationships}/styles' Target='styles.xml'/></Relationships>`,
    "xl/styles.xml": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><styleSheet xmlns='${namespace}'><fonts count='2'><font><sz val='11'/><name val='Yu Gothic'/></font><font><b/><sz val='11'/><name val='Yu Gothic'/></font></fonts><fills count='2'><fill><patternFill patternType='none'/></fill><fill><patternFill patternType='gray125'/></fill></fills><borders count='1'><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count='1'><xf numFmtId='0' fontId='0' fillId='0' borderId='0'/></cellStyleXfs><cellXfs count='3'><xf numFmtId='0' fontId='0' fillId='0' borderId='0' xfId='0'/><xf numFmtId='0' fontId='0' fillId='0' borderId='0' xfId='0' applyAlignment='1'><alignment wrapText='1' vertical='top'/></xf><xf numFmtId='0' fontId='1' fillId='0' borderId='0' xfId='0' applyFont='1'/></cellXfs><cellStyles count='1'><cellStyle name='Normal' xfId='0' builtinId='0'/></cellStyles></styleSheet>`,
    "xl/worksheets/sheet1.xml": `<?xml version='1.0' encoding='UTF-8' standalone='yes'?><worksheet xmlns='${namespace}'><cols><col min='1' max='1' width='5'/><col min='2' max='2' width='12'/><col min='3' max='3' width='40'/><col min='4' max='4' width='70'/><col min='5' max='5' width='60'/></cols><sheetData>${sheetRows}</sheetData></worksheet>`,
  };
  const encoder = new TextEncoder();
  return new Blob([zipStored(Object.entries(parts).map(([name, text]) => ({ name, data: encoder.encode(text) })))],
    { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// A zip archive of the files, each stored (method 0), with UTF-8 names.
function zipStored(files) {
  const encoder = new TextEncoder();
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const file of files) {
    const name = encoder.encode(file.name);
    const crc = crc32(file.data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint16(8, 0, true);
    local.setUint16(10, 0, true);
    local.setUint16(12, 0x21, true); // 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, file.data.length, true);
    local.setUint32(22, file.data.length, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    chunks.push(new Uint8Array(local.buffer), name, file.data);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true);
    entry.setUint16(6, 20, true);
    entry.setUint16(8, 0x0800, true);
    entry.setUint16(10, 0, true);
    entry.setUint16(12, 0, true);
    entry.setUint16(14, 0x21, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, file.data.length, true);
    entry.setUint32(24, file.data.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), name);
    offset += 30 + name.length + file.data.length;
  }
  const centralSize = central.reduce((sum, part) => sum + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Blob([...chunks, ...central, new Uint8Array(end.buffer)]);
}

// ---------- wiring ----------

document.addEventListener("DOMContentLoaded", () => {
  const rescope = async () => {
    draftState.doc_type = document.getElementById("draft-doc-type").value;
    draftState.jimu = document.getElementById("draft-jimu").value;
    draftState.body_kind = document.getElementById("draft-body-kind").value;
    draftState.same_kind = document.getElementById("draft-same-kind").checked;
    saveDraftNow();
    try {
      await drawDraftSlots();
    } catch (error) {
      showError(error.message);
    }
  };
  for (const id of ["draft-doc-type", "draft-jimu", "draft-body-kind", "draft-same-kind"]) {
    document.getElementById(id).addEventListener("change", rescope);
  }
  document.getElementById("draft-only-written").addEventListener("change", () => drawDraftSlots().catch((error) => showError(error.message)));
  const bodyInput = document.getElementById("draft-start-body");
  bodyInput.addEventListener("focus", () => loadStartBodies().catch((error) => showError(error.message)));
  const fillFiles = () => fillStartFiles().catch((error) => showError(error.message));
  bodyInput.addEventListener("input", fillFiles);
  bodyInput.addEventListener("change", fillFiles);
  document.getElementById("draft-start").addEventListener("submit", (event) =>
    startFromDocument(event).catch((error) => showError(error.message)));
  document.getElementById("draft-scope").addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("draft-export-xlsx").addEventListener("click", exportDraftXlsx);
  document.getElementById("draft-export-text").addEventListener("click", exportDraftText);
  document.getElementById("draft-clear").addEventListener("click", async () => {
    if (!window.confirm("このブラウザに保存した下書きを消します。よろしいですか。")) return;
    localStorage.removeItem(DRAFT_KEY);
    draftState = emptyDraft();
    await drawDraftSlots();
    draftStatus("下書きを消しました。");
  });
});
