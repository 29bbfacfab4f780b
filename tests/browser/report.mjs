#!/usr/bin/env node
// The run report (report.html of `eyemap batch --pages`) in headless Debian Chromium (playwright-core).
//
//   node tests/browser/report.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium] [--docs docs/images] [--types N]
//
// Makes a release with the CLI (synthetic sample), then, from file:// (the report needs no server):
//   index.html links the report and the link leads there; the report's five charts (time per stage, eyemaps/s,
//   latency, caches, bytes per format) are SVG elements with a non-zero size whose marks (bars, the line, dots)
//   have a non-zero size too; the latency table lists the operations; no request leaves the run folder, no errors.
//   `eyemap stats report` of the batch's --stats-json renders the same charts.
//   Both pages pass an axe-core audit (no violation of impact moderate or worse).
// --docs copies the report's screenshot there as run-report.png.
// Ends with "report: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { axeAudit, expect, fail, run, suite } from './harness.mjs';

const { values: opt } = parseArgs({
  options: {
    cli: { type: 'string' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.EYEMAP_CHROMIUM || '/usr/bin/chromium' },
    docs: { type: 'string' },
    types: { type: 'string', default: '120' },
  },
});
const S = suite('report', { timeoutMs: 240_000 });
const { die, check } = S;
if (!opt.cli || !opt.out) die('--cli PATH and --out DIR are required');
const chromium = await S.chromium(opt.chromium);


const OUT = path.resolve(opt.out);
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(path.join(OUT, 'shots'), { recursive: true });
const RUN = path.join(OUT, 'site', 'r');
const STATS = path.join(OUT, 'stats.json');

await check('inputs: a release with pages and its statistics JSON, made by the CLI', async () => {
  const s = path.join(OUT, 'sample');
  run(opt.cli, ['sample', '--out-dir', s, '--types', opt.types]);
  run(opt.cli, ['batch', '--data', path.join(s, 'data.csv'), '--columns', path.join(s, 'columns.csv'), '--out-dir', path.join(OUT, 'site'),
                '--run', 'r', '--pages', '--formats', 'svg,png', '-q', '--stats-json', STATS]);
  expect(fs.existsSync(path.join(RUN, 'report.html')), 'no report.html in the run folder');
  run(opt.cli, ['stats', 'report', STATS, '-o', path.join(OUT, 'from-json.html'), '--run-dir', RUN]);
});
if (S.failed) S.finish();

const { context, userDataDir } = await S.launch(chromium, opt.chromium, { profile: 'eyemap-report-chromium-', viewport: { width: 900, height: 900 } });
context.setDefaultTimeout(15_000);
const page = context.pages()[0] || (await context.newPage());
let errors = [];
const requests = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
page.on('requestfailed', (r) => { const e = r.failure() && r.failure().errorText; if (e !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${e}`); });
page.on('request', (r) => requests.push(r.url()));
function noErrors(where) {
  const e = errors;
  errors = [];
  expect(e.length === 0, `${where}: ${e.length} browser error(s): ${e.slice(0, 3).join(' | ')}`);
}

const CHARTS = ['em-stages', 'em-rate', 'em-latency', 'em-caches', 'em-formats'];
// Per chart: its box and how many of its marks (rect, path, circle) have a non-zero box.
const chartState = () => page.evaluate((ids) => ids.map((id) => {
  const svg = document.getElementById(id);
  if (!svg || svg.namespaceURI !== 'http://www.w3.org/2000/svg') return { id, missing: true };
  const r = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll('rect, path, circle')).filter((m) => {
    const b = m.getBBox();
    return b.width > 0 || b.height > 0;
  }).length;
  return { id, w: r.width, h: r.height, marks };
}), CHARTS);

async function checkCharts(where) {
  for (const c of await chartState()) {
    expect(!c.missing, `${where}: chart ${c.id} missing`);
    expect(c.w > 100 && c.h > 20, `${where}: chart ${c.id} is ${c.w}x${c.h}`);
    expect(c.marks > 0, `${where}: chart ${c.id} has no visible marks`);
  }
}

await check('index.html links the report and the link leads to it', async () => {
  await page.goto(pathToFileURL(path.join(RUN, 'index.html')).href, { waitUntil: 'load' });
  const href = await page.getAttribute('#em-report-link', 'href');
  expect(href === 'report.html', `report link href ${href}`);
  await Promise.all([page.waitForURL(/report\.html$/), page.click('#em-report-link')]);
  expect((await page.title()).startsWith('Run report'), `title ${await page.title()}`);
  noErrors('index -> report');
});

await check('report.html: five charts with a size and visible marks; latency table; no request outside the run folder', async () => {
  requests.length = 0;
  await page.goto(pathToFileURL(path.join(RUN, 'report.html')).href, { waitUntil: 'load' });
  await checkCharts('report.html');
  // The rate line has one point per progress sample after the first.
  const points = await page.evaluate(() => (document.querySelector('#em-rate path.series').getAttribute('d').match(/[ML]/g) || []).length);
  expect(points >= 2, `rate line has ${points} points`);
  const rows = await page.$$eval('#em-latency-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  for (const op of ['render_svg', 'write', 'batch_page']) expect(rows.includes(op), `latency table lacks ${op}: ${rows.join(', ')}`);
  const outside = requests.filter((u) => !u.startsWith(pathToFileURL(RUN).href));
  expect(outside.length === 0, `requests outside the run folder: ${outside.slice(0, 3).join(', ')}`);
  const back = await page.getAttribute('#em-index-link', 'href');
  expect(back === 'index.html', `back link ${back}`);
  noErrors('report.html');
  await page.screenshot({ path: path.join(OUT, 'shots', 'run-report.png'), fullPage: true });
  const size = fs.statSync(path.join(OUT, 'shots', 'run-report.png')).size;
  expect(size > 20_000, `screenshot only ${size} bytes`);
});

await check('eyemap stats report: the same charts from the statistics JSON', async () => {
  await page.goto(pathToFileURL(path.join(OUT, 'from-json.html')).href, { waitUntil: 'load' });
  await checkCharts('from-json.html');
  noErrors('from-json.html');
});

await check('axe-core: report.html and the stats report have no violation of impact moderate or worse', async () => {
  for (const f of [path.join(RUN, 'report.html'), path.join(OUT, 'from-json.html')]) {
    await page.goto(pathToFileURL(f).href, { waitUntil: 'load' });
    const minor = await axeAudit(page, path.basename(f));
    if (minor.length) console.log(`     ${path.basename(f)}: axe-core, minor only: ${minor.map((v) => `${v.id} on ${v.targets.length}`).join('; ')}`);
  }
  noErrors('axe');
});

await context.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
if (opt.docs && S.failed === 0) {
  fs.mkdirSync(opt.docs, { recursive: true });
  fs.copyFileSync(path.join(OUT, 'shots', 'run-report.png'), path.join(opt.docs, 'run-report.png'));
  console.log(`copied the screenshot to ${opt.docs}`);
}
S.finish();
