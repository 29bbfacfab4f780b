#!/usr/bin/env node
// A release compared with a baseline (issue 23) in headless Debian Chromium: `eyemap batch --baseline` gives each type
// page a compare section (A and B on one locked scale, and their difference), and the index a change column that ranks
// the types when sorted, with the types of only one dataset listed apart. Checked against values computed here from
// the two CSVs: the difference's tooltips (A - B, a missing count 0), the change scores, the lists; the locked scale
// (A's and B's legends read the same); axe-core finds nothing of impact moderate or worse on the page and the index.
//
//   node tests/browser/compare.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium]
//
// Ends with "compare: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';

import { axeAudit, cliSuite, expect, run, serve } from './harness.mjs';

const { opt, S, chromium, OUT } = await cliSuite('compare', { timeoutMs: 170_000 });

// ME side R, a 6 x 6 patch. Same: in both, a little changed; Moved: disjoint halves; OnlyA / OnlyB: in one dataset.
const cols = [];
for (let a = 8; a < 14; a++) for (let b = 5; b < 11; b++) cols.push([a, b]);
const A = new Map(), B = new Map();  // "type|a|b" -> synapses
for (const [a, b] of cols) {
  if ((a + b) % 4) A.set(`Same|${a}|${b}`, (a * 7 + b * 3) % 40 + 1);
  if ((a + b) % 5) B.set(`Same|${a}|${b}`, (a * 5 + b * 11) % 40 + 1);
  if (a < 11) A.set(`Moved|${a}|${b}`, a + b);
  else B.set(`Moved|${a}|${b}`, a * b);
  A.set(`OnlyA|${a}|${b}`, 3);
  B.set(`OnlyB|${a}|${b}`, 4);
}
const csv = (m) => ['neuron_type,region,side,hex1,hex2,synapses,cells',
  ...[...m].sort((x, y) => (x[0].split('|')[0] < y[0].split('|')[0] ? -1 : x[0].split('|')[0] > y[0].split('|')[0] ? 1 : 0))
    .map(([k, v]) => { const [t, a, b] = k.split('|'); return `${t},ME,R,${a},${b},${v},1`; })].join('\n') + '\n';
fs.writeFileSync(path.join(OUT, 'male.csv'), csv(A));
fs.writeFileSync(path.join(OUT, 'female.csv'), csv(B));
const layout = ['region,side,hex1,hex2', ...cols.map(([a, b]) => `ME,R,${a},${b}`)].join('\n') + '\n';
fs.writeFileSync(path.join(OUT, 'columns.csv'), layout);
run(opt.cli, ['batch', '--data', path.join(OUT, 'male.csv'), '--baseline', path.join(OUT, 'female.csv'), '--columns',
              path.join(OUT, 'columns.csv'), '--metric', 'synapses', '--out-dir', OUT, '--run', 'site', '--pages', '--no-sync', '--quiet']);

// The change of a type by the documented rule: sum |A - B| / sum (|A| + |B|), missing counts 0.
const change = (t) => {
  let d = 0, s = 0;
  for (const [a, b] of cols) {
    const x = A.get(`${t}|${a}|${b}`) || 0, y = B.get(`${t}|${a}|${b}`) || 0;
    d += Math.abs(x - y);
    s += Math.abs(x) + Math.abs(y);
  }
  return d / s;
};

const { server, base } = await serve(OUT);
const { context, userDataDir } = await S.launch(chromium, opt.chromium, {
  profile: 'eyemap-compare-', viewport: { width: 1400, height: 900 }, onError: () => server.close(),
});
context.setDefaultTimeout(10_000);
const page = context.pages()[0] || (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });

await S.check('index: the change column ranks the types when sorted; types of one dataset listed apart; axe-core', async () => {
  await page.goto(`${base}/site/index.html`, { waitUntil: 'load' });
  const head = page.locator('#em-types thead th', { hasText: 'Change vs female' });
  expect((await head.count()) === 1, 'no "Change vs female" column');
  await head.locator('button').click();
  const rows = await page.evaluate(() => {
    const heads = Array.from(document.querySelectorAll('#em-types thead th'));
    const k = heads.findIndex((h) => h.textContent.includes('Change vs'));
    return Array.from(document.querySelectorAll('#em-types tbody tr'), (tr) => [tr.cells[1].textContent, tr.cells[k].textContent]);
  });
  expect(rows.length === 3, `${rows.length} rows: ${JSON.stringify(rows)}`);
  const got = Object.fromEntries(rows);
  for (const t of ['Same', 'Moved'])
    expect(Math.abs(parseFloat(got[t]) - change(t)) < 0.0006, `${t}: change ${got[t]}, expected ${change(t).toFixed(3)}`);
  expect(got.OnlyA === 'only in male', `OnlyA: ${got.OnlyA}`);
  expect(rows[0][0] === 'Moved' && rows[1][0] === 'Same', `sorted (most changed first): ${rows.map((r) => r[0])}`);
  expect(change('Moved') === 1, `Moved should be disjoint: ${change('Moved')}`);
  const onlyA = await page.locator('#em-only-a li').allInnerTexts(), onlyB = await page.locator('#em-only-b li').allInnerTexts();
  expect(JSON.stringify(onlyA) === '["OnlyA"]' && JSON.stringify(onlyB) === '["OnlyB"]', `only in: ${onlyA} / ${onlyB}`);
  await axeAudit(page, 'index.html');
});

await S.check('type page: A, B and the difference side by side; the difference is A - B column by column', async () => {
  await page.goto(`${base}/site/pages/Same.html`, { waitUntil: 'load' });
  const frames = page.locator('.em-compare iframe.em-frame');
  expect((await frames.count()) === 3, `${await frames.count()} compare frames`);
  const captions = await page.locator('.em-compare figcaption').allInnerTexts();
  expect(captions[0] === 'male' && captions[1] === 'female' && captions[2].includes('male \u2212 female'), `captions ${captions}`);
  const diff = await (await frames.nth(2).elementHandle()).contentFrame();
  await frames.nth(2).scrollIntoViewIfNeeded();
  await diff.waitForLoadState('load');
  // The tooltips as written (the eyemap's script takes the <title>s over for its own tooltip once loaded).
  const src = await frames.nth(2).getAttribute('src');
  const file = path.join(OUT, 'site', 'pages', src);
  const tips = [...fs.readFileSync(file, 'utf8').matchAll(/<title>(Column: [^<]*)<\/title>/g)].map((m) => m[1]);
  expect((await diff.evaluate(() => document.querySelectorAll('.em-hexes use').length)) === cols.length, 'the frame has not drawn its hexagons');
  expect(tips.length === cols.length, `${tips.length} hexagons`);
  let checked = 0;
  for (const tip of tips) {
    const m = tip.match(/^Column: (\d+), (\d+)\n[^:]*: (-?\d+|no data)/);
    expect(m, `tooltip ${JSON.stringify(tip)}`);
    const x = A.get(`Same|${m[1]}|${m[2]}`), y = B.get(`Same|${m[1]}|${m[2]}`);
    const want = x === undefined && y === undefined ? 'no data' : String((x || 0) - (y || 0));
    expect(m[3] === want, `column ${m[1]}, ${m[2]}: ${m[3]}, expected ${want}`);
    checked++;
  }
  expect(checked === cols.length, `${checked} checked`);
});

await S.check('type page: A and B share one locked scale (their legends read the same); the difference is centred at 0', async () => {
  const ticks = async (i) => {
    const el = page.locator('.em-compare iframe.em-frame').nth(i);
    await el.scrollIntoViewIfNeeded();
    const f = await (await el.elementHandle()).contentFrame();
    await f.waitForLoadState('load');
    return f.evaluate(() => Array.from(document.querySelectorAll('text.em-tick'), (t) => t.textContent));
  };
  const [ta, tb, td] = [await ticks(0), await ticks(1), await ticks(2)];
  expect(ta.length > 0 && JSON.stringify(ta) === JSON.stringify(tb), `A ${ta} vs B ${tb}`);
  const nums = td.map(Number).filter((v) => Number.isFinite(v));
  expect(nums.length > 1 && Math.abs(Math.min(...nums) + Math.max(...nums)) <= 1, `difference legend ${td}`);
  await axeAudit(page, 'Same.html', { options: { iframes: false } });
  expect(errors.length === 0, errors.join('; '));
});

await S.check('type page of a type the baseline lacks: says so, no compare frames', async () => {
  await page.goto(`${base}/site/pages/OnlyA.html`, { waitUntil: 'load' });
  expect((await page.locator('.em-compare iframe').count()) === 0, 'compare frames for a type the baseline lacks');
  expect((await page.locator('#compare + p').innerText()).includes('female has no type of this name'), 'no notice');
});

await context.close();
await new Promise((ok) => server.close(ok));
fs.rmSync(userDataDir, { recursive: true, force: true });
S.finish();
