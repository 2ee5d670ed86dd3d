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
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

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
  const found = summary.match(/^(\d+) 件/);
  assert.ok(found, `summary without a count: ${summary}`);
  return Number(found[1]);
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
    for (const name of await texts(page, ".hit .body-name")) assert.equal(name, "札幌市");
    assert.match(await page.locator("#active-filters").textContent(), /団体: 札幌市/);
    await settle(page, () => page.goBack());
    assert.equal(await total(page), searchTotal);
    assert.equal(query(page).get("municipality"), null);
    await settle(page, () => page.goForward());
    assert.equal(await total(page), sapporoTotal);
  });

  await step("a filter that leaves nothing says so and suggests removing it", async () => {
    // (生体認証 would find 指紋認証 in the 新旧対照表 through the synonym dictionary.)
    await openPage(page, `${base}/?q=ISMAP&doc_type=${encodeURIComponent("新旧対照表")}`);
    assert.match(await page.locator(".results .empty").textContent(), /該当する記載はありません。絞り込みを外すと/);
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
  await step("the slot tree browses Ⅲ 7 リスク1 ⑤物理的対策 without a query", async () => {
    await openPage(page, `${base}/`);
    await page.click("#slot-tree-box summary");
    await settle(page, () => page.click('#slot-tree a[href="/?slot=III.7.R1.5"]'));
    assert.equal(query(page).get("slot"), "III.7.R1.5");
    assert.ok(await total(page) > 0);
    for (const crumb of await texts(page, ".hit .breadcrumb")) assert.match(crumb, /物理的対策/);
  });

  await step("「他団体と比較」 opens III.7.R1.5 across bodies with differences marked", async () => {
    await settle(page, () => page.locator(".hit a", { hasText: "他団体と比較" }).first().click());
    assert.equal(new URL(page.url()).pathname, "/compare");
    assert.equal(query(page).get("slot"), "III.7.R1.5");
    assert.match(await page.locator("#compare-title").textContent(), /物理的対策/);
    const bodies = new Set((await texts(page, ".compare-row h2")).map((name) => name.replace(/基準$/, "")));
    assert.ok(bodies.size >= 3, `bodies: ${[...bodies]}`);
    assert.ok(await page.locator(".compare-row.base").count() > 0, "the base body is marked");
    assert.ok(await page.locator(".compare-row:not(.base) ins, .compare-row:not(.base) del").count() > 0);
    assert.match(await page.locator("#ratings").textContent(), /評価の分布: .+ \d+/);
    assert.ok(await page.locator(".compare-row dl.change dt", { hasText: "変更後" }).count() > 0,
      "change-table rows show 変更前 / 変更後");
    // The screenshot and the next step compare against 札幌市.
    if (await page.inputValue("#base-select") !== "札幌市") {
      await settle(page, () => page.selectOption("#base-select", "札幌市"));
    }
    await screenshot(page, "compare.png");
  });

  await step("switching the base body re-marks the differences and goes into the URL", async () => {
    const before = await page.inputValue("#base-select");
    const other = (await page.locator("#base-select option").evaluateAll((options) => options.map((o) => o.value)))
      .find((name) => name !== before && name !== "札幌市") || "";
    assert.ok(other, "a second body to switch to");
    await settle(page, () => page.selectOption("#base-select", other));
    assert.equal(query(page).get("base"), other);
    assert.equal(await page.inputValue("#base-select"), other);
    for (const name of await texts(page, ".compare-row.base h2")) assert.ok(name.startsWith(other), name);
    const formerBase = page.locator(".compare-row:not(.base)", { has: page.locator("h2", { hasText: before }) });
    assert.ok(await formerBase.locator("ins, del").count() > 0, "the former base now shows its differences");
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
    assert.equal(await page.locator(".compare-controls").isVisible(), false);
    assert.equal(await page.locator(".site-header").isVisible(), false);
    assert.equal(await page.locator(".compare-row").first().isVisible(), true);
    await page.emulateMedia({ media: "screen" });
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
    // 7. 保管・消去 with everything below it: more rows than one page of 50.
    await openPage(page, `${base}/compare?slot=III.7`);
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

  await step("a pasted draft finds its precedent first, and コピー copies its clean text", async () => {
    const api = await (await page.request.get(`${base}/api/search?q=${encodeURIComponent("生体認証")}&municipality=${encodeURIComponent("札幌市")}&limit=1`)).json();
    const passage = api.hits[0].text;
    await openPage(page, `${base}/`);
    await page.click("#draft-box summary");
    await page.fill("#draft", passage);
    await settle(page, () => page.click("#draft-form button[type=submit]"));
    assert.match(await page.locator("#summary").textContent(), /下書きに近い記載 \d+ 件/);
    assert.equal(await page.locator(".hit .body-name").first().textContent(), "札幌市");
    await page.locator(".hit button", { hasText: "コピー" }).first().click();
    await page.waitForSelector(".hit button:has-text('コピーしました')");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), passage);
  });

  await step("keyboard: Tab reaches the search box with a visible focus ring", async () => {
    await openPage(page, `${base}/`);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "q");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none");
  });

  await step("a narrow window (390 px) needs no sideways scrolling, search and compare", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    for (const url of [`${base}/?q=${encodeURIComponent("生体認証")}`, compareUrl]) {
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

  await step("the same text is shown as text in the comparison, its base list and its diff", async () => {
    const params = new URLSearchParams({ slot: "III.7.R1.5", base: '<img src=x onerror="window.__hyokaPwned=1">村' });
    await openPage(page, `${base}/compare?${params}`);
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
