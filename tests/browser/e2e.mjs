// End-to-end test of the hyoka web page in Debian's headless Chromium, driven by playwright-core.
//
// It builds two indexes with the real `hyoka` binary and serves each on a free loopback port:
// the bundled corpus (the user's journey, figures, screenshots), and the bundled corpus plus a
// hostile copy of a sample whose text and manifest carry <script> and <img onerror> (nothing
// may run, everything must read as text).
//
//   node tests/browser/e2e.mjs [--bin target/debug/hyoka] [--update-screenshots]
//
// Screenshots go to target/e2e/; with --update-screenshots also to docs/ (committed, shown in
// the README). Figures (page weight, time to first result) are printed at the end.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { crc32 } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { inflateRawSync } from "node:zlib";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const options = parseArguments(process.argv.slice(2));
const SCREENSHOTS = join(REPO, "target/e2e");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Flags for a machine without internet: no background connections, no first-run work.
const CHROMIUM_FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function parseArguments(argv) {
  const parsed = { bin: join(REPO, "target/debug/hyoka"), updateScreenshots: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--bin") parsed.bin = resolve(argv[++i]);
    else if (argv[i] === "--update-screenshots") parsed.updateScreenshots = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return parsed;
}

// ---------- the server ----------

async function startServer(corpus, name) {
  const index = mkdtempSync(join(tmpdir(), `hyoka-e2e-${name}-`));
  const child = spawn(options.bin, ["serve", "--corpus", corpus, "--index", index, "--addr", "127.0.0.1:0"], {
    env: { ...process.env, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const address = await new Promise((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no address after 180 s\n${log}`)), 180_000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const found = log.match(/serving on (http:\/\/[^\s/]+)\//);
      if (found) { clearTimeout(timer); resolveAddress(found[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${name}: serve exited ${code}\n${log}`)); });
  });
  return {
    address,
    async stop() {
      child.removeAllListeners("exit");
      child.kill("SIGINT");
      await once(child, "exit").catch(() => {});
      rmSync(index, { recursive: true, force: true });
    },
  };
}

// ---------- page helpers ----------

// Runs `action` and waits until the page has drawn the resulting view (body[data-state]).
async function settle(page, action) {
  await page.evaluate(() => { document.body.dataset.state = "stale"; });
  await action();
  await page.waitForSelector("body[data-state=ready], body[data-state=error]", { timeout: 30_000 });
  const error = await page.locator("#error").textContent();
  assert.equal(await page.getAttribute("body", "data-state"), "ready", `the page shows an error: ${error}`);
}

async function openPage(page, url) {
  await page.goto(url);
  await page.waitForSelector("body[data-state=ready], body[data-state=error]", { timeout: 30_000 });
  assert.equal(await page.getAttribute("body", "data-state"), "ready", await page.locator("#error").textContent());
}

async function total(page) {
  const summary = await page.locator("#summary").textContent();
  const found = summary.match(/^([\d,]+) 件/);
  assert.ok(found, `summary without a count: ${summary}`);
  return Number(found[1].replaceAll(",", ""));
}

const texts = (page, selector) => page.locator(selector).allTextContents();
const query = (page) => new URL(page.url()).searchParams;

function parseCsv(bytes) {
  const text = bytes.toString("utf8");
  assert.ok(text.startsWith("\uFEFF"), "CSV starts with a BOM for Excel");
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// The rows of the first sheet of an .xlsx, each a list of its cells' text. The zip's entries are
// read from their local headers (stored or deflated) and their CRCs checked, so a broken archive
// fails here as it would in Excel.
function readXlsxRows(bytes) {
  const entries = new Map();
  let offset = 0;
  while (bytes.readUInt32LE(offset) === 0x04034b50) {
    const method = bytes.readUInt16LE(offset + 8);
    const crc = bytes.readUInt32LE(offset + 14);
    const size = bytes.readUInt32LE(offset + 18);
    const nameLength = bytes.readUInt16LE(offset + 26);
    const extraLength = bytes.readUInt16LE(offset + 28);
    const name = bytes.subarray(offset + 30, offset + 30 + nameLength).toString("utf8");
    const start = offset + 30 + nameLength + extraLength;
    const raw = bytes.subarray(start, start + size);
    const data = method === 0 ? raw : inflateRawSync(raw);
    assert.equal(crc32(data), crc, `${name}: CRC`);
    entries.set(name, data.toString("utf8"));
    offset = start + size;
  }
  for (const part of ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]) assert.ok(entries.has(part), `${part} missing`);
  const decode = (text) => text.replace(/&(lt|gt|quot|amp);/g, (_, name) => ({ lt: "<", gt: ">", quot: '"', amp: "&" })[name]);
  return [...entries.get("xl/worksheets/sheet1.xml").matchAll(/<row r=["'](\d+)["']>([\s\S]*?)<\/row>/g)].map((row) =>
    [...row[2].matchAll(/<c r=["']([A-Z]+)\d+["'][^>]*>(?:<is><t[^>]*>([\s\S]*?)<\/t><\/is>)?<\/c>/g)].map((cell) => decode(cell[2] || "")));
}

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync(await file.path());
}

async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: false });
  if (options.updateScreenshots) copyFileSync(path, join(REPO, "docs", name));
}

// ---------- the steps ----------

const figures = {};
let failures = 0;

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(error.stack || error).split("\n").join("\n     ")}`);
  }
}

async function journey(browser, base) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 }, locale: "ja-JP", acceptDownloads: true,
  });
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  page.on("pageerror", (error) => { failures++; console.log(`FAIL script error on the page: ${error}`); });

  // Page weight: what the browser fetched for the page itself (not the API's answers).
  const weight = new Map();
  page.on("response", async (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/api/")) return;
    const body = await response.body().catch(() => null);
    if (body) weight.set(path, body.length);
  });

  let searchTotal = 0;
  let sapporoTotal = 0;

  await step("the page loads with an empty search box and the slot tree", async () => {
    const started = Date.now();
    await openPage(page, `${base}/`);
    figures.firstLoadMs = Date.now() - started;
    assert.equal(await page.inputValue("#q"), "");
    assert.match(await page.locator("#summary").textContent(), /検索語を入れるか/);
    assert.ok(await page.locator("#slot-tree a").count() > 10, "the slot tree lists slots");
    figures.pageBytes = Object.fromEntries(weight);
  });

  await step("Enter searches 生体認証, the query stays, 札幌市 hits show with breadcrumb and marks", async () => {
    await page.fill("#q", "生体認証");
    const started = Date.now();
    await settle(page, () => page.press("#q", "Enter"));
    figures.typedSearchMs = Date.now() - started;
    assert.equal(query(page).get("q"), "生体認証");
    assert.equal(await page.inputValue("#q"), "生体認証");
    searchTotal = await total(page);
    assert.ok(searchTotal > 0);
    assert.ok((await texts(page, ".hit .body-name")).includes("札幌市"));
    // Hits aligned to a slot show its path; a cover-page value (熊本県's 特記事項) has none.
    const aligned = page.locator(".hit", { has: page.locator("a", { hasText: "他団体と比較" }) });
    assert.ok(await aligned.count() > 0);
    for (const crumb of await aligned.locator(".breadcrumb").allTextContents()) assert.match(crumb, / › /);
    assert.ok(await page.locator(".hit .snippet mark").count() >= searchTotal, "every snippet marks a match");
    assert.ok(await page.locator(".hit .badge.rating").count() > 0, "ratings show as badges");
    await screenshot(page, "search.png");
  });

  await step("time to first result, measured over five typed searches", async () => {
    const timings = [];
    for (const word of ["入退室管理", "生体認証", "目的外の入手", "クラウド", "生体認証"]) {
      await page.fill("#q", word);
      const started = Date.now();
      await settle(page, () => page.press("#q", "Enter"));
      await page.waitForSelector(".hit");
      timings.push(Date.now() - started);
    }
    timings.sort((a, b) => a - b);
    figures.typedSearchMedianMs = timings[2];
    figures.typedSearchMaxMs = timings[4];
    // The same inside the page, without the driver's round trips: from the form's submit to the
    // first frame drawn after the results are in the DOM.
    const inPage = [];
    for (const word of ["入退室管理", "生体認証", "目的外の入手", "クラウド", "生体認証"]) {
      inPage.push(await page.evaluate((typed) => new Promise((resolve) => {
        document.getElementById("q").value = typed;
        document.body.dataset.state = "stale";
        const started = performance.now();
        new MutationObserver((_, observer) => {
          if (document.body.dataset.state !== "ready") return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - started));
        }).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
        document.getElementById("search-form").requestSubmit();
      }), word));
      assert.ok(await page.locator(".hit").count() > 0);
    }
    inPage.sort((a, b) => a - b);
    figures.inPageMedianMs = Math.round(inPage[2]);
    figures.inPageMaxMs = Math.round(inPage[4]);
  });

  await step("checking the 札幌市 facet narrows the count, unchecking through back restores it", async () => {
    const label = page.locator(".facet", { has: page.locator("h2", { hasText: "団体" }) })
      .locator("label", { hasText: /^札幌市$/ });
    await settle(page, () => label.click());
    assert.equal(query(page).get("municipality"), "札幌市");
    assert.equal(query(page).get("q"), "生体認証");
    sapporoTotal = await total(page);
    assert.ok(sapporoTotal > 0 && sapporoTotal < searchTotal, `${sapporoTotal} of ${searchTotal}`);
    const names = await texts(page, ".hit .body-name");
    assert.ok(names.length > 0, "札幌市's hits are listed");
    for (const name of names) assert.equal(name, "札幌市");
    assert.match(await page.locator("#active-filters").textContent(), /団体: 札幌市/);
    await settle(page, () => page.goBack());
    assert.equal(await total(page), searchTotal);
    assert.equal(query(page).get("municipality"), null);
    await settle(page, () => page.goForward());
    assert.equal(await total(page), sapporoTotal);
  });

  await step("facets are multi-select: a second body adds its hits (any of the bodies), another dimension narrows (all of them)", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent("札幌市")}&fold=off`);
    const sapporo = await total(page);
    const bodies = page.locator(".facet", { has: page.locator("h2", { hasText: "団体" }) });
    // The other bodies stay listed with what they would add.
    const others = (await texts(page, ".facet[data-dimension=municipality] label")).filter((name) => name !== "札幌市");
    assert.ok(others.length > 0, "other bodies are still offered");
    const other = others[0];
    const otherAlone = await (await page.request.get(`${base}/api/search?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent(other)}&fold=off`)).json();
    await settle(page, () => bodies.locator("label", { hasText: new RegExp(`^${other}$`) }).click());
    assert.equal(query(page).get("municipality"), `札幌市,${other}`);
    assert.equal(await total(page), sapporo + otherAlone.total, "any of the bodies");
    const names = new Set(await texts(page, ".hit .body-name"));
    assert.ok(names.has("札幌市") && names.has(other), [...names].join(","));
    assert.equal((await texts(page, "#active-filters .active-filter")).length, 2, "one chip per body");
    // Removing one value keeps the other.
    await settle(page, () => page.locator("#active-filters .active-filter", { hasText: other }).locator("button").click());
    assert.equal(query(page).get("municipality"), "札幌市");
    assert.equal(await total(page), sapporo);
  });

  await step("a filter that leaves nothing says so and suggests removing it", async () => {
    // (生体認証 would find 指紋認証 in the 新旧対照表 through the synonym dictionary.)
    await openPage(page, `${base}/?q=ISMAP&doc_type=${encodeURIComponent("新旧対照表")}`);
    assert.match(await page.locator(".results .empty").textContent(), /該当する記載はありません。絞り込みを外すと/);
  });

  await step("a query that cannot be read replaces the last answer with its error, at the top of the page", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("生体認証")}`);
    assert.ok(await page.locator("#results .hit").count() > 0);
    await page.fill("#q", "\"閉じない");
    await page.press("#q", "Enter");
    await page.waitForSelector("body[data-state=error]");
    // The last search's hits and count are not shown as if they answered this query.
    assert.equal(await page.locator("#results .hit:visible").count(), 0);
    assert.equal(await page.locator("#summary:visible").count(), 0);
    const box = await page.locator("#error").boundingBox();
    assert.ok(box && box.y < page.viewportSize().height, `the error is out of sight at y=${box && box.y}`);
    // The empty page has nothing to save: no CSV link of no question.
    await openPage(page, `${base}/`);
    assert.equal(await page.locator("#search-csv:visible").count(), 0);
  });

  await step("the search CSV holds every hit under the Japanese header", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("生体認証")}`);
    const rows = parseCsv(await download(page, "#search-csv"));
    const header = rows[0];
    for (const column of ["団体名", "項目", "本文"]) assert.ok(header.includes(column), `header has ${column}`);
    assert.equal(rows.length - 1, searchTotal);
    assert.ok(rows.slice(1).some((row) => row[header.indexOf("団体名")] === "札幌市"));
  });

  await step("words the documents put otherwise: the synonyms used and the fallback are shown and switchable", async () => {
    await page.fill("#q", "再委託 承認");
    await settle(page, () => page.press("#q", "Enter"));
    const synonym = page.locator(".synonym-box li", { hasText: "承認 → 承諾" });
    assert.equal(await synonym.count(), 1, "承認 → 承諾 is listed");
    assert.ok(await synonym.locator("input").isChecked());
    assert.match(await page.locator(".fallback-note").textContent(), /『承認』.*を含まない結果も表示しています/);
    // Hits holding every word come first; later ones say what they lack.
    const cards = page.locator(".hit");
    assert.equal(await cards.first().locator(".missing").count(), 0);
    assert.match(await page.locator(".hit .missing").first().textContent(), /を含まない記載/);
    assert.ok((await texts(page, ".hit .snippet mark")).includes("承諾"), "the synonym is marked");
    await screenshot(page, "search-synonyms.png");
    const expanded = await total(page);

    await settle(page, () => synonym.locator("input").uncheck());
    assert.equal(query(page).get("synonyms_off"), "承認");
    assert.equal(await page.locator(".synonym-box li input").first().isChecked(), false);
    assert.ok(await total(page) <= expanded);

    await settle(page, () => page.click(".fallback-note a"));
    assert.equal(query(page).get("fallback"), "off");
    assert.equal(await page.locator(".fallback-note").count(), 0);
    assert.equal(await page.locator(".hit .missing").count(), 0);
  });

  let compareUrl = "";
  let recordId = "";
  await step("the slot tree browses Ⅲ 7 リスク1 ⑤物理的対策 without a query", async () => {
    await openPage(page, `${base}/`);
    await page.click("#slot-tree-box summary");
    await settle(page, () => page.click('#slot-tree a[href="/?slot=III.7.R1.5"]'));
    assert.equal(query(page).get("slot"), "III.7.R1.5");
    assert.ok(await total(page) > 0);
    const crumbs = await texts(page, ".hit .breadcrumb");
    assert.ok(crumbs.length > 0, "the slot's records are listed");
    for (const crumb of crumbs) assert.match(crumb, /物理的対策/);
  });

  await step("「他団体と比較」 opens III.7.R1.5 across bodies with differences marked", async () => {
    await settle(page, () => page.locator(".hit a", { hasText: "他団体と比較" }).first().click());
    assert.equal(new URL(page.url()).pathname, "/compare");
    assert.equal(query(page).get("slot"), "III.7.R1.5");
    assert.match(await page.locator("#compare-title").textContent(), /物理的対策/);
    const bodies = new Set((await texts(page, ".compare-row h2")).map((name) => name.replace(/基準$/, "")));
    assert.ok(bodies.size >= 3, `bodies: ${[...bodies]}`);
    assert.equal(await page.locator(".compare-row.base").count(), 1, "one base text is marked");
    assert.ok(await page.locator(".compare-row:not(.base) ins, .compare-row:not(.base) del").count() > 0);
    assert.match(await page.locator("#tallies").textContent(), /この項目の選択:.+ \d+ 団体/);
    assert.ok(await page.locator(".compare-row dl.change dt", { hasText: "変更後" }).count() > 0,
      "change-table rows show 変更前 / 変更後");
    // The screenshot and the next step compare against 札幌市.
    if (await page.inputValue("#base-select") !== "札幌市") {
      await settle(page, () => page.selectOption("#base-select", "札幌市"));
    }
  });

  await step("switching the base body re-marks the differences and goes into the URL", async () => {
    const before = await page.inputValue("#base-select");
    const other = (await page.locator("#base-select option").evaluateAll((options) => options.map((o) => o.value)))
      .find((name) => name !== before && name !== "札幌市") || "";
    assert.ok(other, "a second body to switch to");
    await settle(page, () => page.selectOption("#base-select", other));
    assert.equal(query(page).get("base"), other);
    assert.equal(await page.inputValue("#base-select"), other);
    const bases = await texts(page, ".compare-row.base h2");
    assert.ok(bases.length > 0, "the base is shown");
    for (const name of bases) assert.ok(name.startsWith(other), name);
    const formerBase = page.locator(".compare-row:not(.base)", { has: page.locator("h2", { hasText: before }) });
    const named = await formerBase.locator(".compared-with").first().textContent();
    assert.ok(named.startsWith(`比較の相手: ${other}`), `the former base is now compared with the new one: ${named}`);
    compareUrl = page.url();
  });

  await step("「共通文言を隠す」 hides the shared sentences and keeps a body's own", async () => {
    await page.check("#hide-shared");
    const shared = page.locator(".compare-row .shared").first();
    assert.ok(await page.locator(".compare-row .shared").count() > 0, "some sentences are shared");
    assert.equal(await shared.isVisible(), false);
    assert.equal(await page.locator(".compare-row .own").first().isVisible(), true);
    await page.uncheck("#hide-shared");
    assert.equal(await shared.isVisible(), true);
  });

  await step("the comparison's CSV holds its rows, all of slot III.7.R1.5", async () => {
    const rows = parseCsv(await download(page, "#compare-csv"));
    const header = rows[0];
    const slotColumn = header.indexOf("項目");
    assert.ok(slotColumn >= 0 && header.includes("団体名") && header.includes("変更後"));
    assert.ok(rows.length > 3);
    for (const row of rows.slice(1)) assert.equal(row[slotColumn], "III.7.R1.5");
  });

  await step("the print stylesheet keeps the comparison and drops the controls", async () => {
    await page.emulateMedia({ media: "print" });
    try {
      const allControls = await page.locator("#compare-view .compare-controls").all();
      assert.ok(allControls.length > 0, "the comparison has controls");
      for (const controls of allControls) {
        assert.equal(await controls.isVisible(), false);
      }
      assert.equal(await page.locator("#compare-view .compare-actions").isVisible(), false);
      assert.equal(await page.locator(".site-header").isVisible(), false);
      assert.equal(await page.locator(".compare-row").first().isVisible(), true);
    } finally {
      await page.emulateMedia({ media: "screen" });
    }
  });

  await step("permalinks reopen the same comparison and the same filtered search in a new tab", async () => {
    const tab = await context.newPage();
    await openPage(tab, compareUrl);
    assert.equal(await tab.inputValue("#base-select"), query(page).get("base"));
    assert.equal(await tab.locator(".compare-row").count(), await page.locator(".compare-row").count());
    await openPage(tab, `${base}/?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent("札幌市")}`);
    assert.equal(await total(tab), sapporoTotal);
    assert.equal(await tab.inputValue("#q"), "生体認証");
    const checked = tab.locator(".facet input:checked + label");
    assert.deepEqual(await checked.allTextContents(), ["札幌市"]);
    await tab.close();
  });

  await step("a comparison longer than a page is paged: 次へ shows the next rows, back the first", async () => {
    // 7. 保管・消去 with everything below it: more rows than one page of 50 (one card per text).
    await openPage(page, `${base}/compare?slot=III.7&view=rows`);
    const first = await page.locator("#compare-count").textContent();
    const match = first.match(/^(\d+) 件中 1–50 件（(\d+) 団体）$/);
    assert.ok(match, first);
    assert.ok(Number(match[1]) > 50, first);
    assert.equal(await page.locator(".compare-row").count() > 0, true);
    const firstRowBefore = await page.locator(".compare-row").first().textContent();
    assert.equal(await page.locator("#compare-pager a", { hasText: "前へ" }).count(), 0);
    await settle(page, () => page.locator("#compare-pager a", { hasText: "次へ" }).click());
    assert.equal(query(page).get("offset"), "50");
    assert.match(await page.locator("#compare-count").textContent(), new RegExp(`^${match[1]} 件中 51–`));
    assert.notEqual(await page.locator(".compare-row").first().textContent(), firstRowBefore);
    // The base list holds every body of the comparison, not only those on this page.
    assert.equal(await page.locator("#base-select option").count(), Number(match[2]));
    await settle(page, () => page.goBack());
    assert.equal(await page.locator("#compare-count").textContent(), first);
  });

  await step("a pasted draft finds its precedent first, and コピー copies its clean text with its source", async () => {
    const api = await (await page.request.get(`${base}/api/search?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent("札幌市")}&limit=1`)).json();
    const passage = api.hits[0].text;
    await openPage(page, `${base}/`);
    await page.click("#draft-box summary");
    await page.fill("#draft", passage);
    await settle(page, () => page.click("#draft-form button[type=submit]"));
    assert.match(await page.locator("#summary").textContent(), /下書きに近い記載: 近い順に \d+ 通りの文言/);
    assert.equal(await page.locator(".hit .body-name").first().textContent(), "札幌市");
    await page.locator(".hit button", { hasText: "コピー" }).first().click();
    await page.waitForSelector(".hit button:has-text('コピーしました')");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied.split("\n出典: ")[0], passage);
    assert.match(copied, /\n出典: 札幌市 .*評価書.* Ⅲ \d+\. /);
    // A copy the browser refuses says so instead of 「コピーしました」.
    await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new Error("denied")); });
    const second = page.locator(".hit button", { hasText: "コピー" }).nth(1);
    await second.click();
    assert.match(await second.textContent(), /コピーできませんでした/);
  });

  await step("keyboard: Tab reaches the search box with a visible focus ring", async () => {
    await openPage(page, `${base}/`);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "q");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none");
  });

  await step("with each body as the base: characters are diffed only inside aligned sentences, the base first and alone", async () => {
    // Every 事務, so that 熊本県's 住基ネット is among the bases too; the grouped view, the base
    // beside the groups.
    await openPage(page, `${base}/compare?slot=III.7.R1.5&jimu=all`);
    const bases = await page.locator("#base-select option").evaluateAll((options) => options.map((o) => o.value));
    assert.ok(bases.length >= 4, `bases: ${bases}`);
    for (const body of bases) {
      await openPage(page, `${base}/compare?${new URLSearchParams({ slot: "III.7.R1.5", base: body, jimu: "all" })}`);
      const found = await page.evaluate(() => {
        const rows = [...document.querySelectorAll(".compare-layout .compare-row")];
        const stray = [...document.querySelectorAll(".compare-layout ins, .compare-layout del")].filter((mark) => {
          const sentence = mark.closest(".sentence");
          return !sentence || sentence.dataset.alignment !== "changed" || Number(sentence.dataset.similarity) < 0.5;
        }).map((mark) => mark.textContent);
        return {
          firstIsBase: rows[0] && rows[0].classList.contains("base"),
          baseBadges: document.querySelectorAll(".compare-layout .compare-row .base-badge").length,
          bases: document.querySelectorAll(".compare-layout .compare-row.base").length,
          // Every other card with text names the text it was compared with.
          unnamed: rows.slice(1).filter((row) => row.querySelector(".text .sentence") && !row.querySelector(".compared-with")).length,
          changed: document.querySelectorAll(".compare-layout .sentence[data-alignment=changed]").length,
          stray,
        };
      });
      assert.ok(found.firstIsBase, `${body}: the base card is first`);
      assert.equal(found.bases, 1, `${body}: one base card`);
      assert.equal(found.baseBadges, 1, `${body}: one 基準 badge`);
      assert.equal(found.unnamed, 0, `${body}: cards without their base named`);
      assert.deepEqual(found.stray, [], `${body}: character diffs outside aligned sentences`);
      if (body === "札幌市") assert.ok(found.changed > 0, "札幌市's files differ by a few words");
      if (body === "札幌市") await screenshot(page, "compare.png");
    }
  });

  await step("豊島区 通番98 reads as a deletion in its card and in the comparison", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("外部侵入防止 手のひら静脈認証")}`);
    const card = page.locator(".hit.deleted").first();
    assert.equal(await card.locator(".body-name").textContent(), "豊島区");
    assert.match(await card.locator(".badge.change-deleted").textContent(), /削除された記載/);
    assert.match(await card.locator(".removed-label").textContent(), /削除された記載（変更前）/);
    assert.equal(await card.locator("button", { hasText: "コピー" }).count(), 0, "a removed measure is not offered for copying");
    await openPage(page, `${base}/compare?${new URLSearchParams({ slot: "III.7.R1.5", base: "札幌市" })}`);
    const row = page.locator(".compare-row.deleted");
    assert.equal(await row.count(), 1);
    assert.match(await row.locator(".removed-label").textContent(), /この措置は削除されました/);
    assert.match(await row.locator("dl.change").textContent(), /変更の種類削除/);
    assert.match(await row.locator("dl.change").textContent(), /変更後（削除）/);
    assert.equal(await row.locator(".compared-with").count(), 0);
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, "compare-deletion.png");
  });

  await step("every hit opens its record page: whole text, headings, neighbours, source; 検索に戻る returns", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("生体認証")}`);
    const hits = await page.locator(".hit").count();
    assert.equal(await page.locator(".hit a.record-link").count(), hits, "every hit links its record");
    const searchUrl = page.url();
    await settle(page, () => page.locator(".hit a.record-link").first().click());
    assert.match(new URL(page.url()).pathname, /^\/record\//);
    recordId = decodeURIComponent(new URL(page.url()).pathname.slice("/record/".length));
    assert.ok((await page.locator(".record-text").textContent()).trim().length > 10, "the whole text");
    // The searched word is marked in the whole text.
    assert.equal(query(page).get("q"), "生体認証");
    const marked = await texts(page, ".record-text mark");
    assert.ok(marked.length > 0 && marked.every((word) => /生体|認証/.test(word)), `marked: ${marked}`);
    assert.match(await page.locator("#record-breadcrumb").textContent(), / › /);
    assert.match(await page.locator(".facts").textContent(), /出典.+行目/);
    assert.ok(await page.locator("#record-neighbours li a").count() > 0, "neighbours are links");
    assert.match(await page.locator("#record-position").textContent(), /件の記載のうち \d+ 件目/);
    await screenshot(page, "record.png");
    await settle(page, () => page.locator("#record-actions a", { hasText: "検索に戻る" }).click());
    assert.equal(page.url(), searchUrl);
    assert.equal(await page.locator(".hit").count(), hits);
  });

  await step("paging says 「21–40 通り目」 (wordings) and starts the next page at its top", async () => {
    await openPage(page, `${base}/?q=${encodeURIComponent("管理")}`);
    assert.ok(await total(page) > 40, "more than two pages");
    // Pages of wordings: one wording written in several files is one hit.
    assert.match(await page.locator("#pager .page-range").textContent(), /^1–20 通り目（全 \d+ 通りの文言）$/);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await settle(page, () => page.locator("#pager a", { hasText: "次へ" }).click());
    assert.match(await page.locator("#pager .page-range").textContent(), /^21–40 通り目/);
    assert.equal(await page.evaluate(() => window.scrollY), 0);
  });

  await step("a paragraph pasted into the search box offers 下書きから探す; the draft is in the URL and its CSV holds its hits", async () => {
    const api = await (await page.request.get(`${base}/api/search?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent("札幌市")}&limit=1`)).json();
    const paragraph = api.hits[0].text.replace(/\n/g, "");
    await openPage(page, `${base}/?q=${encodeURIComponent("外部侵入防止")}`);
    assert.equal(await page.locator("#paste-offer").isVisible(), false, "search words are not offered as a draft");
    await page.fill("#q", paragraph);
    await page.press("#q", "Enter");
    await page.waitForSelector("#paste-offer:not([hidden])");
    // Offered before anything is searched: the paragraph was not run as words.
    assert.equal(query(page).get("q"), "外部侵入防止");
    await settle(page, () => page.click("#paste-offer-button"));
    assert.equal(query(page).get("draft"), paragraph);
    assert.match(await page.locator("#summary").textContent(), /下書きに近い記載: 近い順に \d+ 通りの文言/);
    const shown = await page.locator(".hit").count();
    // Marks fall on words, not on endings and particles; one hit per wording.
    const markedWords = await texts(page, ".hit .snippet mark");
    assert.ok(markedWords.length > 0, "the draft's words are marked");
    for (const marked of markedWords) {
      assert.ok([...marked].length >= 2 && !/^[ぁ-ゖ]+$/.test(marked), `marked 「${marked}」`);
    }
    const snippets = await texts(page, ".hit .snippet");
    assert.equal(new Set(snippets).size, snippets.length, "a wording is listed once");
    const rows = parseCsv(await download(page, "#search-csv"));
    assert.equal(rows.length - 1, shown, "the CSV holds the draft's hits only");
    // Reopened from the URL, the same draft search.
    const tab = await context.newPage();
    await openPage(tab, page.url());
    assert.equal(await tab.locator(".hit").count(), shown);
    await tab.close();
  });

  await step("compare settings are in the permalink", async () => {
    await openPage(page, `${base}/compare?slot=III.7.R1.5`);
    await page.uncheck("#show-diff");
    await page.check("#hide-shared");
    assert.equal(query(page).get("diff"), "off");
    assert.equal(query(page).get("shared"), "hide");
    const tab = await context.newPage();
    await openPage(tab, page.url());
    assert.equal(await tab.isChecked("#show-diff"), false);
    assert.equal(await tab.isChecked("#hide-shared"), true);
    assert.equal(await tab.locator("#compare-rows ins").count(), 0);
    await tab.close();
  });

  await step("the answers view for III.7.R1 lists each body once; the OCR variant is folded and its print shown", async () => {
    await openPage(page, `${base}/answers?slot=III.7.R1`);
    const bodies = await texts(page, "#answers-table tbody th");
    assert.equal(new Set(bodies).size, bodies.length, `each body once: ${bodies}`);
    assert.ok(bodies.includes("札幌市") && bodies.includes("熊本県"), `${bodies}`);
    const kumamoto = page.locator("#answers-table tbody tr", { has: page.locator("th", { hasText: "熊本県" }) });
    assert.match(await kumamoto.textContent(), /特に力を入れて行っている.*印刷は「特に入力を進めている」/);
    await screenshot(page, "answers.png");
    await settle(page, () => page.selectOption("#answers-filter", "発生あり"));
    assert.equal(await page.locator("#answers-table tbody tr").count(), 1);
  });

  await step("the draft workspace: start from 札幌市, copy a hint's example into ⑤物理的対策, kept over a reload, exported in the form's order with its source; the draft never in a URL", async () => {
    const requests = [];
    const listener = (request) => requests.push({ url: request.url(), body: request.postData() || "" });
    page.on("request", listener);
    await openPage(page, `${base}/draft`);
    assert.match(await page.locator("#draft-view .lead").textContent(), /サーバーには保存されません/);
    await page.locator("#draft-start-body").focus();
    await page.waitForSelector("#draft-start-bodies option[value='札幌市']", { state: "attached" });
    await page.locator("#draft-start-body").fill("札幌市");
    await page.waitForSelector("#draft-start-file option", { state: "attached" });
    await page.locator("#draft-start button[type=submit]").click();
    await page.waitForFunction(() => /札幌市「.*」の \d+ 項目を下書きに入れました/.test(document.getElementById("draft-status").textContent));
    // Peers of every 事務: the bundled corpus has few bodies of each.
    await page.selectOption("#draft-jimu", "");
    // The slots are drawn anew for the new peers: a hint asked for before that is drawn in the
    // list being replaced.
    await page.waitForSelector("#draft-slots[data-state=ready]");
    await page.waitForFunction(() => document.getElementById("draft-jimu").value === "" && document.querySelector('[id="draft-text-III.7.R1.5"]'));
    const slot = page.locator('li[data-slot="III.7.R1.5"]');
    const area = page.locator('[id="draft-text-III.7.R1.5"]');
    const started = await area.inputValue();
    assert.match(started, /監視カメラ/, "札幌市's own text of ⑤物理的対策");
    const marker = "来庁者の入退室は台帳に記入させる。";
    const edited = started.split(/(?<=。)/).filter((sentence) => !sentence.includes("カメラ")).join("") + "\n" + marker;
    await area.fill(edited);
    await slot.locator(".draft-ask").click();
    await slot.locator(".draft-hints[data-state=ready]").waitFor();
    const camera = slot.locator(".hint", { hasText: "監視カメラ" });
    assert.match(await camera.locator("summary").textContent(), /監視カメラ \d+ %（\d+\/\d+ 団体）/);
    await camera.locator("summary").click();
    const example = camera.locator(".hint-examples li").first();
    const sentence = (await example.locator("q").textContent()).trim();
    const source = (await example.locator(".source a").textContent()).trim();
    assert.ok(sentence.includes("監視カメラ") && !source.startsWith("札幌市"), `${sentence} / ${source}`);
    await example.locator(".copy-example").click();
    assert.ok((await area.inputValue()).endsWith(sentence));
    assert.ok(await slot.locator(".precedent").count() > 0, "precedents are listed");
    assert.ok(!(await slot.locator(".precedent .card-head a").allTextContents()).includes("札幌市"), "the body's own text is not a precedent");
    await camera.scrollIntoViewIfNeeded();
    await screenshot(page, "draft-workspace.png");

    await page.reload();
    await page.waitForSelector("body[data-state=ready]");
    const kept = await page.locator('[id="draft-text-III.7.R1.5"]').inputValue();
    assert.ok(kept.includes(marker) && kept.includes(sentence), "the draft survives a reload");

    const rows = readXlsxRows(await download(page, "#draft-export-xlsx"));
    const header = rows.findIndex((row) => row[0] === "順");
    assert.ok(header > 0, "a header row");
    assert.deepEqual(rows[header], ["順", "項目", "見出し（様式の表記）", "下書き", "引用した文と出典"]);
    const body = rows.slice(header + 1);
    const order = await page.evaluate(() => [...slotsByKey.keys()]);
    const positions = body.map((row) => order.indexOf(row[1]));
    assert.ok(positions.every((position) => position >= 0), "every row is a slot of the form");
    assert.ok(positions.every((position, index) => index === 0 || positions[index - 1] < position), "rows in the form's order");
    const physical = body.find((row) => row[1] === "III.7.R1.5");
    assert.match(physical[2], /Ⅲ .* › 7\. .* › リスク1: .* › ⑤物理的対策/);
    assert.ok(physical[3].includes(marker) && physical[3].includes(sentence));
    assert.ok(physical[4].includes(sentence) && physical[4].includes(source), physical[4]);

    const text = (await download(page, "#draft-export-text")).toString("utf8");
    assert.ok(text.includes("⑤物理的対策") && text.includes(`出典: ${source}`));

    page.off("request", listener);
    const leaked = requests.filter((request) => decodeURIComponent(request.url).includes(marker));
    assert.deepEqual(leaked.map((request) => request.url), [], "the draft is never in a URL");
    assert.ok(requests.some((request) => request.url.endsWith("/api/draft/hints") && request.body.includes(marker)),
      "the hints request carries the draft in its body");
  });

  await step("the list of bodies and documents", async () => {
    await openPage(page, `${base}/bodies`);
    const sapporo = page.locator("#bodies-table tbody tr", { has: page.locator("th", { hasText: "札幌市" }) });
    assert.match(await sapporo.textContent(), /011002/);
    assert.match(await page.locator("#bodies-count").textContent(), /^\d+ 団体、\d+ ファイル（うち最新の版 \d+）$/);
    // A body's files are asked for when its list opens (one or two files: open at once).
    await sapporo.locator(".documents li", { hasText: /\.txt/ }).first().waitFor();
    assert.match(await sapporo.locator(".documents").textContent(), /（\d+ 件）/);
    // Typing narrows the list to the bodies it names (by name, prefecture or code), and
    // clearing it shows every body again.
    const rows = page.locator("#bodies-table tbody tr");
    const all = await rows.count();
    await page.fill("#bodies-filter", "011002");
    assert.deepEqual(await page.locator("#bodies-table tbody tr:visible th").allTextContents(), ["札幌市"]);
    assert.match(await page.locator("#bodies-count").textContent(), /^「011002」で絞り込み: 1 団体を表示（全 /);
    await page.fill("#bodies-filter", "");
    assert.equal(await page.locator("#bodies-table tbody tr:visible").count(), all);
  });

  await step("the page's own words are Japanese: labels, notes and errors", async () => {
    const allowed = new Set(["Excel", "CSV", "PDF", "hyoka", "ISMAP"]);
    // The page's own words only: names of bodies and documents in the lists are data.
    const english = async (selector) => {
      const text = await page.evaluate((selector) => [...document.querySelectorAll(selector)].map((element) => {
        const copy = element.cloneNode(true);
        for (const data of copy.querySelectorAll("select, option")) data.remove();
        return copy.textContent;
      }).join(" "), selector);
      return (text.match(/[A-Za-z]{3,}/g) || []).filter((word) => !allowed.has(word));
    };
    const chrome = ".site-header, .sidebar h2, #summary, #pager, #error, .compare-controls, .compare-actions, .legend, #tallies .note-label, #answers-view h1, #answers-view .lead, #bodies-view thead, #draft-view h1, #draft-view .lead, .draft-slot h2";
    for (const url of [`${base}/?q=${encodeURIComponent("生体認証")}`, `${base}/compare?slot=III.7.R1.5`, `${base}/answers?slot=III.7.R1`, `${base}/bodies`, `${base}/draft`]) {
      await openPage(page, url);
      assert.deepEqual(await english(chrome), [], url);
    }
    for (const url of [`${base}/?q=${encodeURIComponent("\"閉じない")}`, `${base}/?q=${encodeURIComponent("あ".repeat(1001))}`,
      `${base}/compare?slot=IX.9`, `${base}/record/0000000000000000`, `${base}/no-such-page`]) {
      await page.goto(url);
      await page.waitForSelector("body[data-state=error]");
      const message = await page.locator("#error").textContent();
      assert.match(message, /[ぁ-んァ-ン一-龥]/, `${url}: ${message}`);
      assert.deepEqual(await english("#error"), [], `${url}: ${message}`);
    }
  });

  await step("a narrow window (390 px) needs no sideways scrolling: search, compare, answers, record, draft", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    for (const url of [`${base}/?q=${encodeURIComponent("生体認証")}`, compareUrl, `${base}/answers?slot=III.7.R1`, `${base}/record/${encodeURIComponent(recordId)}`, `${base}/draft`]) {
      await openPage(page, url);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${url} overflows by ${overflow}px`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await context.close();
}

// A copy of the 札幌市 sample with markup in its text (as entities, which the parser decodes to
// the literal characters) and in its manifest entry, next to the bundled corpus.
function hostileCorpus() {
  const folder = mkdtempSync(join(tmpdir(), "hyoka-e2e-hostile-"));
  for (const name of readdirSync(join(REPO, "corpus"))) copyFileSync(join(REPO, "corpus", name), join(folder, name));
  const sample = readFileSync(join(REPO, "corpus/002_ac2772f135d57124.txt"), "utf8");
  const payload = "&lt;script&gt;window.__hyokaPwned='text'&lt;/script&gt;&lt;img src=x onerror=\"window.__hyokaPwned='img'\"&gt; ";
  const hostile = sample.replace("1 サーバ室は、", `1 ${payload}サーバ室は、`);
  assert.notEqual(hostile, sample, "the sample line to inject into moved");
  writeFileSync(join(folder, "hostile.txt"), hostile);
  writeFileSync(join(folder, "manifest.toml"), readFileSync(join(REPO, "corpus/manifest.toml"), "utf8") + `
[[document]]
file = "hostile.txt"
municipality = '<img src=x onerror="window.__hyokaPwned=1">村'
title = '<script>window.__hyokaPwned="title"</script>評価書'
doc_type = "全項目評価書"
`);
  return folder;
}

async function hostile(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  const requests = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  const nothingRan = async () => {
    assert.equal(await page.evaluate(() => window.__hyokaPwned), undefined, "document text ran as script");
    assert.equal(await page.locator("main img, main script").count(), 0, "document text became elements");
    assert.deepEqual(dialogs, []);
    assert.ok(!requests.includes("/x"), "an <img src=x> from a document was requested");
  };

  await step("document text with <script> and <img onerror> is shown as text in search", async () => {
    await openPage(page, `${base}/?q=onerror`);
    assert.ok(await total(page) > 0);
    const names = await texts(page, ".hit .body-name");
    assert.ok(names.includes('<img src=x onerror="window.__hyokaPwned=1">村'), `names: ${names}`);
    const hit = page.locator(".hit", { has: page.locator(".body-name", { hasText: "<img" }) }).first();
    assert.match(await hit.locator(".meta").textContent(), /<script>window.__hyokaPwned="title"<\/script>評価書/);
    assert.match(await hit.locator(".snippet").textContent(), /<img src=x onerror=/);
    assert.ok((await texts(page, ".facet label")).some((label) => label.startsWith("<img")), "facet label as text");
    await nothingRan();
  });

  await step("one wording is one hit: the other body is listed under 「ほか 1 団体が同じ文言」, its name as text, its link opening its record", async () => {
    // The hostile document is the 札幌市 sample with a body name of markup: its other texts are
    // 札幌市's wording.
    await openPage(page, `${base}/?q=${encodeURIComponent("統合端末")}`);
    assert.match(await page.locator("#summary").textContent(), /^\d+ 件の記載・\d+ 通りの文言・\d+ 団体/);
    const folded = page.locator(".hit .folded", { has: page.locator(".folded-bodies a", { hasText: "<img" }) }).first();
    assert.match(await folded.locator("summary").textContent(), /^ほか \d+ 団体が同じ文言/);
    await folded.locator("summary").click();
    const link = folded.locator(".folded-bodies a", { hasText: "<img" }).first();
    assert.equal(await link.textContent(), '<img src=x onerror="window.__hyokaPwned=1">村');
    await settle(page, () => link.click());
    assert.equal(new URL(page.url()).pathname.startsWith("/record/"), true);
    assert.match(await page.locator("#record-title").textContent(), /^<img src=x onerror=/);
    // Unfolded, the two bodies' records are two hits.
    await openPage(page, `${base}/?q=${encodeURIComponent("統合端末")}&fold=off`);
    const names = await texts(page, ".hit .body-name");
    assert.ok(names.includes("札幌市") && names.some((name) => name.startsWith("<img")), `names: ${names}`);
    await nothingRan();
  });

  await step("a wording of many bodies lists 20 with its hit; 「残り N 団体も表示」 asks for the rest under the same search and lists them as text", async () => {
    // No wording of the bundled corpus has 21 bodies: the search's real answer gets a long list
    // on its first hit, and the list asked for is answered here (the API has its own tests).
    const others = (count) => Array.from({ length: count }, (_, n) =>
      ({ body: `<img src=x onerror="window.__hyokaPwned=1">団体${n}`, id: "0000000000000001", file: "x.txt" }));
    let asked = null;
    const searches = /\/api\/search\?/;
    const bodies = /\/api\/search\/bodies\?/;
    await page.route(searches, async (route) => {
      const response = await route.fetch();
      const answer = await response.json();
      answer.hits[0].folded = { records: 30, bodies: 26, others: others(20) };
      await route.fulfill({ response, json: answer });
    });
    await page.route(bodies, async (route) => {
      asked = new URL(route.request().url());
      await route.fulfill({ json: { records: 30, bodies: 26, others: others(25) } });
    });
    try {
      await openPage(page, `${base}/?q=${encodeURIComponent("統合端末")}`);
      const folded = page.locator(".hit .folded").first();
      assert.equal(await folded.locator("summary").textContent(), "ほか 25 団体が同じ文言（30 件の記載）");
      await folded.locator("summary").click();
      assert.equal(await folded.locator(".folded-bodies a").count(), 20);
      const more = folded.locator(".folded-more");
      assert.equal(await more.textContent(), "残り 5 団体も表示");
      await more.click();
      await more.waitFor({ state: "detached" });
      const links = folded.locator(".folded-bodies a");
      assert.equal(await links.count(), 25);
      assert.equal(await links.nth(24).textContent(), '<img src=x onerror="window.__hyokaPwned=1">団体24');
      assert.equal(asked.searchParams.get("q"), "統合端末");
      assert.match(asked.searchParams.get("hit"), /^[0-9a-f]{16}$/);
      // The keyboard goes on from the first body just listed.
      assert.equal(await page.evaluate(() => document.activeElement.textContent), '<img src=x onerror="window.__hyokaPwned=1">団体20');
    } finally {
      await page.unroute(searches);
      await page.unroute(bodies);
    }
    await nothingRan();
  });

  await step("the draft workspace shows peers' names and text as text in its hints and precedents", async () => {
    await openPage(page, `${base}/draft`);
    const slot = page.locator('li[data-slot="III.7.R1.5"]');
    await page.locator('[id="draft-text-III.7.R1.5"]').fill("サーバ室は、機械による入退室管理設備を設置している。");
    await slot.locator(".draft-ask").click();
    await slot.locator(".draft-hints[data-state=ready]").waitFor();
    const bodies = await slot.locator(".precedent .card-head a").allTextContents();
    assert.ok(bodies.includes('<img src=x onerror="window.__hyokaPwned=1">村'), `precedents: ${bodies}`);
    const texts = await slot.locator(".precedent .aligned").allTextContents();
    assert.ok(texts.some((text) => text.includes("<script>window.__hyokaPwned='text'</script>")), "the payload as text");
    await nothingRan();
  });

  await step("the grouped comparison: the base beside the groups, 「この文言を使う団体」 counted, the base's group marked", async () => {
    await openPage(page, `${base}/compare?${new URLSearchParams({ slot: "III.7.R1.5", base: "札幌市", jimu: "all" })}`);
    assert.equal(await page.locator(".compare-base .compare-row.base").count(), 1);
    const sizes = (await texts(page, ".wording-group .group-size")).map((text) => Number(text.match(/この文言を使う団体: (\d+)/)[1]));
    assert.ok(sizes.length > 0);
    assert.deepEqual(sizes, [...sizes].sort((left, right) => right - left), "largest first");
    assert.match(await page.locator("#compare-count").textContent(), /\d+ 団体・\d+ 件の記載が \d+ 通りの文言に分かれます/);
    assert.match(await page.locator("#compare-pager .page-range").textContent(), /通り目（全 \d+ 通りの文言）/);
    await nothingRan();
  });

  await step("the same text is shown as text in the comparison, its base list and its diff", async () => {
    // Every 事務: the hostile document names none.
    const params = new URLSearchParams({ slot: "III.7.R1.5", base: '<img src=x onerror="window.__hyokaPwned=1">村', jimu: "all" });
    await openPage(page, `${base}/compare?${params}`);
    // The hostile body's own text of 住民基本台帳ファイル as the base, chosen by its label.
    await settle(page, () => page.selectOption("#base-record-select",
      { label: '<img src=x onerror="window.__hyokaPwned=1">村 ・ 住民基本台帳ファイル ・ 札幌市' }));
    const hostileRow = page.locator(".compare-row.base", { hasText: "__hyokaPwned='text'" }).first();
    assert.match(await hostileRow.locator("h2").textContent(), /^<img src=x onerror=/);
    assert.match(await hostileRow.locator(".text").textContent(), /<script>window.__hyokaPwned='text'<\/script><img src=x/);
    await settle(page, () => page.selectOption("#base-select", "札幌市"));
    assert.ok(await page.locator(".compare-row:not(.base) ins", { hasText: "<script>" }).count() > 0,
      "the inserted markup is marked as inserted text");
    await nothingRan();
  });

  await context.close();
}

// ---------- main ----------

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
const servers = [];
try {
  const bundled = await startServer(join(REPO, "corpus"), "bundled");
  servers.push(bundled);
  console.log(`# the bundled corpus on ${bundled.address} (${options.bin})`);
  await journey(browser, bundled.address);

  const folder = hostileCorpus();
  const withHostile = await startServer(folder, "hostile");
  servers.push(withHostile);
  console.log(`# the bundled corpus plus a hostile document on ${withHostile.address}`);
  await hostile(browser, withHostile.address);
  rmSync(folder, { recursive: true, force: true });
} finally {
  await browser.close();
  for (const server of servers) await server.stop();
}

const bytes = Object.values(figures.pageBytes || {}).reduce((sum, size) => sum + size, 0);
console.log(`# page weight: ${bytes} bytes (${Object.entries(figures.pageBytes || {}).map(([path, size]) => `${path} ${size}`).join(", ")})`);
console.log(`# first load of / until ready: ${figures.firstLoadMs} ms`);
console.log(`# time to first result, typed 生体認証 + Enter: ${figures.typedSearchMs} ms (first), median of 5 ${figures.typedSearchMedianMs} ms, max ${figures.typedSearchMaxMs} ms`);
console.log(`# in the page, submit to first frame with results: median of 5 ${figures.inPageMedianMs} ms, max ${figures.inPageMaxMs} ms`);
console.log(failures ? `browser test: ${failures} failed` : "browser test: all steps passed");
process.exit(failures ? 1 : 0);
