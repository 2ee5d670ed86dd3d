// A "scanned" 評価書: a page of the form photographed (a JPEG screenshot), printed to PDF with
// no text at all, as a scanner's PDF is.
//   node scan.mjs PAGE.html OUT.pdf
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [page_path, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 600, height: 848 } });
await page.goto(pathToFileURL(page_path).href);
const shot = await page.screenshot({ type: 'jpeg', quality: 25 });
await page.setContent(`<img style="width:100%" src="data:image/jpeg;base64,${shot.toString('base64')}">`);
await page.pdf({ path: out, format: 'A4' });
await browser.close();
