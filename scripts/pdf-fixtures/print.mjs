// Prints HTML pages to PDF in Debian's Chromium (playwright-core), with a running header
// (the document's title) and footer (「n / N」) on every page, as bodies' Web forms print.
//   node print.mjs PAGE.html OUT.pdf TITLE
import { createRequire } from 'node:module';
// playwright-core is the browser test's (tests/browser/node_modules).
const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
import { pathToFileURL } from 'node:url';

const [page_path, out, title] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(pathToFileURL(page_path).href);
const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
await page.pdf({
  path: out,
  format: 'A4',
  displayHeaderFooter: true,
  headerTemplate: `<div style="font-size:8px;width:100%;text-align:center;font-family:IPAGothic">${escaped}</div>`,
  footerTemplate: '<div style="font-size:8px;width:100%;text-align:center;font-family:IPAGothic"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
  margin: { top: '18mm', bottom: '16mm', left: '14mm', right: '14mm' },
});
await browser.close();
