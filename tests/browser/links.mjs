#!/usr/bin/env node
// Links and provenance (issue 23) in headless Debian Chromium: a column link template makes every hexagon a link; a
// click (and Enter on the focused hexagon) navigates to the expanded URL, from a standalone SVG and from a type
// page's frame (the whole page goes: target=_top), while tooltips still work; a type link on the type page and the
// index; the dataset's label, version and input digest (the manifest's data digest) in the footers; axe-core finds
// nothing of impact moderate or worse. javascript:, data:, relative and other schemes are refused by the CLI with
// a clear error and no file written. The link target's host is answered by the test (no network).
//
//   node tests/browser/links.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium]
//
// Ends with "links: N passed, M failed" and a non-zero exit status on any failure.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { axeAudit, cliSuite, expect, run, serve } from './harness.mjs';

const { opt, S, chromium, OUT } = await cliSuite('links', { timeoutMs: 170_000 });

// Two types on a 6 x 6 patch of ME columns (side R), one with a name every URL part must escape.
const TYPES = ['T4/a b&c', 'Mi1'];
const rows = ['neuron_type,region,side,hex1,hex2,synapses,cells'];
TYPES.forEach((t, k) => {
  for (let a = 8; a < 14; a++) for (let b = 5; b < 11; b++) if ((a + b + k) % 5) rows.push(`"${t}",ME,R,${a},${b},${(a * 7 + b * 3 + k) % 40 + 1},1`);
});
const DATA = path.join(OUT, 'data.csv');
fs.writeFileSync(DATA, rows.join('\n') + '\n');

const HOST = 'https://neuprint.example.org';
const COLUMN_LINK = `${HOST}/view?dataset=optic-lobe&roi={roi}&type={type}&h={hex1:03}`;
const TYPE_LINK = `${HOST}/results?type={type}`;
// The URL a column's link must expand to: RFC 3986's unreserved characters kept, everything else %XX.
const esc = (s) => Array.from(new TextEncoder().encode(s), (c) => {
  const ch = String.fromCharCode(c);
  return /[A-Za-z0-9\-._~]/.test(ch) ? ch : '%' + c.toString(16).toUpperCase().padStart(2, '0');
}).join('');
const pad = (n, w) => (n < 0 ? '-' + String(-n).padStart(w - 1, '0') : String(n).padStart(w, '0'));
const columnUrl = (type, a, b) => `${HOST}/view?dataset=optic-lobe&roi=ME_R_col_${pad(a, 2)}_${pad(b, 2)}&type=${esc(type)}&h=${pad(a, 3)}`;

const SVG = path.join(OUT, 'standalone.svg');
run(opt.cli, ['render', '--data', DATA, '--type', TYPES[0], '--region', 'ME', '--side', 'R', '--metric', 'synapses',
              '--column-link', COLUMN_LINK, '--dataset-label', 'optic <lobe>', '--dataset-version', 'v1.1', '-o', SVG]);
run(opt.cli, ['batch', '--data', DATA, '--out-dir', OUT, '--run', 'site', '--pages', '--no-sync', '--column-link', COLUMN_LINK,
              '--type-link', TYPE_LINK, '--dataset-label', 'optic <lobe>', '--dataset-version', 'v1.1']);
const manifest = JSON.parse(fs.readFileSync(path.join(OUT, 'site', 'manifest.json'), 'utf8'));
const DIGEST = manifest.input.data_digest;
const FOOTER = `Dataset: optic <lobe>, version v1.1, input ${DIGEST}`;

const { server, base } = await serve(OUT);
const { context, userDataDir } = await S.launch(chromium, opt.chromium, {
  profile: 'eyemap-links-', viewport: { width: 1200, height: 900 }, onError: () => server.close(),
});
context.setDefaultTimeout(10_000);
// The link targets' host, answered here: the navigation is real, the network is not needed.
const arrived = [];
await context.route(`${HOST}/**`, (route) => {
  arrived.push(route.request().url());
  route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><title>target</title><p>target</p>' });
});
const page = context.pages()[0] || (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });

// Per hexagon of a document (or frame): its column from the <title> text and the link's href.
const hexagonsOf = (target) => target.evaluate(() => Array.from(document.querySelectorAll('.em-hexes use'), (u) => {
  const a = u.parentElement;
  return { href: a.tagName.toLowerCase() === 'a' ? a.getAttribute('href') : null, target: a.getAttribute('target') };
}));

await S.check('standalone SVG: every hexagon is a link to its expanded, escaped URL; the metadata names the dataset', async () => {
  const src = fs.readFileSync(SVG, 'utf8');
  const columns = [...src.matchAll(/<title>Column: (-?\d+), (-?\d+)\n/g)].map((m) => [+m[1], +m[2]]);
  await page.goto(`${base}/standalone.svg`, { waitUntil: 'load' });
  const hexes = await hexagonsOf(page);
  expect(hexes.length === columns.length && hexes.length === 36, `${hexes.length} linked hexagons, ${columns.length} columns`);
  hexes.forEach((h, i) => {
    expect(h.href === columnUrl(TYPES[0], ...columns[i]), `hexagon #${i}: href ${h.href}, expected ${columnUrl(TYPES[0], ...columns[i])}`);
    expect(h.target === '_top', `hexagon #${i}: target ${h.target}`);
  });
  const meta = await page.evaluate(() => {
    const m = document.querySelector('metadata');
    return m && { dataset: m.getAttribute('data-dataset'), version: m.getAttribute('data-version'), input: m.getAttribute('data-input') };
  });
  expect(meta && meta.dataset === 'optic <lobe>' && meta.version === 'v1.1' && /^[0-9a-f]{16}$/.test(meta.input),
         `metadata ${JSON.stringify(meta)}`);
});

await S.check('standalone SVG: the tooltip still follows the pointer over a linked hexagon', async () => {
  const tip = await page.evaluate(() => {
    const u = document.querySelectorAll('.em-hexes use')[7];
    const b = u.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2, want: u.querySelector('title').textContent };
  });
  await page.mouse.move(tip.x, tip.y, { steps: 2 });
  const lines = await page.evaluate(() => Array.from(document.querySelectorAll('.em-tip text tspan'), (t) => t.textContent));
  expect(lines.length === 3 && lines[0].startsWith('Column: '), `tooltip ${JSON.stringify(lines)}`);
  expect(errors.length === 0, errors.join('; '));
});

await S.check('axe-core: the linked SVG has no violation of impact moderate or worse', async () => {
  await axeAudit(page, 'standalone.svg');
});

await S.check('click: a hexagon navigates to its expanded URL', async () => {
  const hexes = await hexagonsOf(page);
  const i = 20;
  await Promise.all([page.waitForURL(hexes[i].href), page.locator('.em-hexes use').nth(i).click()]);
  expect(page.url() === hexes[i].href, `at ${page.url()}, expected ${hexes[i].href}`);
  expect(arrived.includes(hexes[i].href), 'the target host was not asked');
});

await S.check('keyboard: Tab focuses the first hexagon\'s link, Enter follows it', async () => {
  await page.goto(`${base}/standalone.svg`, { waitUntil: 'load' });
  const first = (await hexagonsOf(page))[0].href;
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('href'));
  expect(focused === first, `focused ${focused}, expected the first hexagon's ${first}`);
  await Promise.all([page.waitForURL(first), page.keyboard.press('Enter')]);
  expect(page.url() === first, `at ${page.url()}`);
});

const pageFile = fs.readdirSync(path.join(OUT, 'site', 'pages')).find((f) => f.startsWith('T4'));
await S.check('type page: the footer names the dataset and the manifest\'s input digest; the type link', async () => {
  expect(pageFile, 'no page for the escaped type');
  await page.goto(`${base}/site/pages/${pageFile}`, { waitUntil: 'load' });
  const footer = await page.locator('#em-provenance').innerText();
  expect(footer === FOOTER, `footer "${footer}", expected "${FOOTER}"`);
  expect(await page.locator('#em-provenance').isVisible(), 'footer not visible');
  const link = await page.locator('#em-type-link').getAttribute('href');
  expect(link === `${HOST}/results?type=${esc(TYPES[0])}`, `type link ${link}`);
  await axeAudit(page, pageFile, { options: { iframes: false } });
});

await S.check('type page: a hexagon clicked in the page\'s frame takes the whole page to its URL', async () => {
  const frameEl = page.locator('iframe.em-frame').first();
  await frameEl.scrollIntoViewIfNeeded();
  const frame = await (await frameEl.elementHandle()).contentFrame();
  await frame.waitForLoadState('load');
  const hexes = await hexagonsOf(frame);
  expect(hexes.length === 36 && hexes.every((h) => h.href && h.href.startsWith(`${HOST}/view?`)), 'the framed eyemap is not linked');
  const i = 11;
  await Promise.all([page.waitForURL(hexes[i].href), frame.locator('.em-hexes use').nth(i).click()]);
  expect(page.url() === hexes[i].href, `the page is at ${page.url()}, expected ${hexes[i].href}`);
});

await S.check('type page: the type link navigates', async () => {
  await page.goto(`${base}/site/pages/${pageFile}`, { waitUntil: 'load' });
  const want = `${HOST}/results?type=${esc(TYPES[0])}`;
  await Promise.all([page.waitForURL(want), page.locator('#em-type-link').click()]);
  expect(page.url() === want, `at ${page.url()}`);
});

await S.check('index: a Link column with each type\'s link, the footer, the report\'s footer; axe-core', async () => {
  await page.goto(`${base}/site/index.html`, { waitUntil: 'load' });
  const links = await page.evaluate(() => Array.from(document.querySelectorAll('#em-types tbody tr'), (tr) => ({
    name: tr.cells[1].textContent, href: tr.querySelector('a.em-type-link') && tr.querySelector('a.em-type-link').getAttribute('href'),
  })));
  expect(links.length === 2, `${links.length} rows`);
  for (const l of links) expect(l.href === `${HOST}/results?type=${esc(l.name)}`, `${l.name}: ${l.href}`);
  expect((await page.locator('#em-provenance').innerText()) === FOOTER, 'index footer');
  // Search still reads the name column only (the link sits in its own column).
  await page.fill('#em-q', 'mi1');
  await page.waitForFunction(() => document.querySelectorAll('#em-types tbody tr').length === 1);
  await axeAudit(page, 'index.html');
  await page.goto(`${base}/site/report.html`, { waitUntil: 'load' });
  expect((await page.locator('#em-provenance').innerText()) === FOOTER, 'report footer');
  expect(errors.length === 0, errors.join('; '));
});

await S.check('refused: javascript:, data:, relative and other schemes, placeholder errors; nothing written', async () => {
  const cases = [
    ['--column-link', 'javascript:alert({type})', 'only http and https'],
    ['--column-link', 'data:text/html,<script>alert(1)</script>', 'only http and https'],
    ['--column-link', 'JavaScript:alert(1)', 'only http and https'],
    ['--column-link', 'vbscript:x', 'only http and https'],
    ['--column-link', 'ftp://h/{roi}', 'only http and https'],
    ['--column-link', '/relative/{roi}', 'relative'],
    ['--column-link', '//h/{roi}', 'relative'],
    ['--column-link', 'https://h/{nope}', 'unknown placeholder {nope}'],
    ['--column-link', 'https://h/{hex1:x}', "bad padding spec 'x'"],
    ['--column-link', 'https://h/{roi', 'unbalanced braces'],
    ['--type-link', 'javascript:alert({type})', 'only http and https'],
  ];
  for (const [flag, value, says] of cases) {
    const target = path.join(OUT, 'refused.svg');
    const args = flag === '--type-link'
      ? ['batch', '--data', DATA, '--out-dir', path.join(OUT, 'refused'), '--run', 'r', '--pages', flag, value]
      : ['render', '--data', DATA, '--type', 'Mi1', '--region', 'ME', '--side', 'R', '--metric', 'synapses', '-o', target, flag, value];
    const r = spawnSync(opt.cli, args, { encoding: 'utf8' });
    expect(r.status === 1, `${flag} ${value}: exit ${r.status}`);
    expect(r.stderr.includes(`${flag} '${value}'`) && r.stderr.includes(says), `${flag} ${value}: ${r.stderr.trim()}`);
    expect(!fs.existsSync(target) && !fs.existsSync(path.join(OUT, 'refused')), `${flag} ${value}: something was written`);
  }
});

await context.close();
await new Promise((ok) => server.close(ok));
fs.rmSync(userDataDir, { recursive: true, force: true });
S.finish();
