#!/usr/bin/env node
// End-to-end checks of the release site (`eyemap batch --pages`) in headless Debian Chromium (playwright-core).
//
//   node tests/browser/site.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium] [--docs docs/images]
//
// Makes a small release with the CLI (synthetic sample + one type with data in ME only) and a 5,000-type release
// on a tiny layout, then checks, from http:// (a loopback server) and from file://:
//   index: search narrows the rows and the count, sort orders them (mouse and keyboard), filters (region, side,
//   minimum columns) agree with the manifest, thumbnails load, the table is complete without JavaScript,
//   index -> type page -> back;
//   type page: previous/next links, the summary table, "no data in LO", lazily loaded eyemap frames (not loaded
//   before they are scrolled to), tooltips and layer buttons inside the frames, sync layers across the eyemaps
//   of a region (and to frames that load later), the toggle off;
//   5,000 types: filtering timed in the page (input event -> rows updated -> layout), asserted <= 100 ms.
//   axe-core: index, type pages and eyemaps (interactive in a frame, static) without a violation of impact moderate or worse.
// --docs copies the index and type page screenshots there as site-index.png and site-type-page.png.
// Ends with "site: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { axeAudit, expect, fail, run, serve, suite } from './harness.mjs';

const { values: opt } = parseArgs({
  options: {
    cli: { type: 'string' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.EYEMAP_CHROMIUM || '/usr/bin/chromium' },
    docs: { type: 'string' },
    'big-types': { type: 'string', default: '5000' },
    'filter-ms': { type: 'string', default: '100' },
  },
});
const S = suite('site', { timeoutMs: 270_000 });
const { die, check } = S;
if (!opt.cli || !opt.out) die('--cli PATH and --out DIR are required');
const chromium = await S.chromium(opt.chromium);

function expectEq(a, b, what) {
  const x = JSON.stringify(a), y = JSON.stringify(b);
  if (x !== y) fail(`${what}: got ${x.slice(0, 300)}, expected ${y.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs

const OUT = path.resolve(opt.out);
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(path.join(OUT, 'shots'), { recursive: true });
const ONLY_ME = 'Tm9 <ME only> & "co"';  // data in ME only; a name to escape
let small, big;  // { dir, manifest, types }
const readManifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

await check('inputs: a small release and a 5,000-type release made by the CLI', async () => {
  const s = path.join(OUT, 'sample');
  run(opt.cli, ['sample', '--out-dir', s, '--types', '24']);
  // One more type: Mi1's ME rows under another name (grouped: appended at the end).
  const lines = fs.readFileSync(path.join(s, 'data.csv'), 'utf8').trimEnd().split('\n');
  const extra = lines.filter((l) => l.startsWith('Mi1,ME,')).map((l) => `"${ONLY_ME.replace(/"/g, '""')}"` + l.slice(3));
  fs.writeFileSync(path.join(s, 'data.csv'), [...lines, ...extra].join('\n') + '\n');
  run(opt.cli, ['batch', '--data', path.join(s, 'data.csv'), '--columns', path.join(s, 'columns.csv'), '--out-dir', path.join(OUT, 'site'),
                '--run', 'r', '--pages', '-q']);
  const dir = path.join(OUT, 'site', 'r');
  const manifest = readManifest(dir);
  small = { dir, manifest, types: manifest.types };
  expectEq(small.types.length, 25, 'types in the small release');

  // 5,000 types on a tiny layout (3 regions x 2 sides x 3 columns, cells only): every type has >= 1 row.
  const n = Number(opt['big-types']);
  const b = path.join(OUT, 'big-input');
  fs.mkdirSync(b, { recursive: true });
  const cols = ['region,side,hex1,hex2'];
  for (const r of ['ME', 'LO', 'LOP']) for (const sd of ['L', 'R']) for (let h = 1; h <= 3; h++) cols.push(`${r},${sd},${h},1`);
  fs.writeFileSync(path.join(b, 'columns.csv'), cols.join('\n') + '\n');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = ['neuron_type,region,side,hex1,hex2,cells'];
  const words = ['Mi', 'Tm', 'TmY', 'Dm', 'Pm', 'LC', 'LPLC', 'T', 'Lawf', 'C'];
  for (let i = 0; i < n; i++) {
    const name = `${words[i % words.length]}${i}`;
    let any = false;
    for (const r of ['ME', 'LO', 'LOP']) for (const sd of ['L', 'R']) for (let h = 1; h <= 3; h++)
      if (rnd() < 0.3 || (!any && r === 'LOP' && sd === 'R' && h === 3)) { rows.push(`${name},${r},${sd},${h},1,${1 + Math.floor(rnd() * 9)}`); any = true; }
  }
  fs.writeFileSync(path.join(b, 'data.csv'), rows.join('\n') + '\n');
  run(opt.cli, ['batch', '--data', path.join(b, 'data.csv'), '--columns', path.join(b, 'columns.csv'), '--out-dir', path.join(OUT, 'big'),
                '--run', 'r', '--pages', '--static', '-q']);
  const bdir = path.join(OUT, 'big', 'r');
  big = { dir: bdir, manifest: readManifest(bdir) };
  expectEq(big.manifest.types.length, n, 'types in the big release');
});
if (!small || !big) S.finish();

// Pages never copy eyemap bytes: no <svg> in a page, every frame refers to a file of the run.
await check('pages refer to the eyemap files, no SVG inlined', async () => {
  for (const t of small.types) {
    const page = t.outputs.find((o) => o.format === 'html');
    const html = fs.readFileSync(path.join(small.dir, page.path), 'utf8');
    expect(!html.includes('<svg'), `${page.path}: inlines an SVG`);
    for (const m of html.matchAll(/<iframe class="em-frame" src="\.\.\/([^"]+)"/g))
      expect(fs.existsSync(path.join(small.dir, decodeURIComponent(m[1]))), `${page.path}: frame source ${m[1]} missing`);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Server and browser

const { server, base: HTTP } = await serve(OUT);

const { context, userDataDir } = await S.launch(chromium, opt.chromium, {
  profile: 'eyemap-site-chromium-', viewport: { width: 1280, height: 800 }, onError: () => server.close(),
});
context.setDefaultTimeout(15_000);
const page = context.pages()[0] || (await context.newPage());
let errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
// (Requests aborted by leaving a page, e.g. lazy thumbnails, are not errors.)
page.on('requestfailed', (r) => { const e = r.failure() && r.failure().errorText; if (e !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${e}`); });
page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
function noErrors(where) {
  const e = errors;
  errors = [];
  expect(e.length === 0, `${where}: ${e.length} browser error(s): ${e.slice(0, 3).join(' | ')}`);
}
// The URL of a file of a run, over http or file.
const url = (scheme, file) => scheme === 'http' ? `${HTTP}/${path.relative(OUT, file).split(path.sep).map(encodeURIComponent).join('/')}`
                                                  : pathToFileURL(file).href;
async function open(u) {
  errors = [];
  const resp = await page.goto(u, { waitUntil: 'load' });
  if (u.startsWith('http')) expect(resp && resp.ok(), `${u}: HTTP ${resp && resp.status()}`);
}

// What the index shows: visible rows' names, the count line.
const indexState = () => page.evaluate(() => ({
  names: Array.from(document.querySelectorAll('#em-types tbody tr'), (r) => r.hidden ? null : r.cells[1].textContent).filter((x) => x !== null),
  count: document.getElementById('em-count').textContent,
}));
const maxHas = (t, pred) => Math.max(-1, ...t.eyemaps.filter(pred).map((e) => e.has_data));

// ---------------------------------------------------------------------------------------------------------------
// Index

const names = small.types.map((t) => t.name);
for (const scheme of ['http', 'file']) {
  const indexUrl = url(scheme, path.join(small.dir, 'index.html'));
  await check(`${scheme}: index loads, all rows and thumbnails`, async () => {
    await open(indexUrl);
    const st = await indexState();
    expectEq(st.names, names, 'rows in input order');
    expectEq(st.count, `${names.length} types`, 'count line');
    // Thumbnails: lazy images; scroll through and wait until each has loaded.
    await page.evaluate(async () => {
      for (const img of document.querySelectorAll('#em-types img')) {
        img.scrollIntoView();
        if (!img.complete) await new Promise((ok) => { img.onload = img.onerror = ok; });
      }
    });
    const thumbs = await page.evaluate(() => Array.from(document.querySelectorAll('#em-types img'), (i) => [i.naturalWidth, i.complete]));
    expectEq(thumbs.length, names.length, 'thumbnails');
    expect(thumbs.every(([w, c]) => c && w > 0), `thumbnails not loaded: ${JSON.stringify(thumbs.slice(0, 4))}`);
    noErrors('index');
  });
  await check(`${scheme}: search narrows rows and count (case-insensitive substring)`, async () => {
    await open(indexUrl);
    for (const q of ['tYpE0001', 'mi', 'ME ONLY', 'zzz', '']) {
      await page.fill('#em-q', q);
      const want = names.filter((n) => n.toLowerCase().includes(q.toLowerCase()));
      const st = await indexState();
      expectEq(st.names, want, `rows for "${q}"`);
      expectEq(st.count, want.length === names.length ? `${names.length} types` : `${want.length} of ${names.length} types`, `count for "${q}"`);
    }
    noErrors('search');
  });
  await check(`${scheme}: sort by any column, mouse and keyboard`, async () => {
    await open(indexUrl);
    const byRows = [...small.types].sort((a, b) => b.rows - a.rows || a.seq - b.seq).map((t) => t.name);
    await page.click('th[data-kind=rows] button');
    expectEq((await indexState()).names, byRows, 'rows descending');
    expectEq(await page.getAttribute('th[data-kind=rows]', 'aria-sort'), 'descending', 'aria-sort');
    await page.focus('th[data-kind=rows] button');
    await page.keyboard.press('Enter');
    const asc = [...small.types].sort((a, b) => a.rows - b.rows || a.seq - b.seq).map((t) => t.name);
    expectEq((await indexState()).names, asc, 'rows ascending (keyboard)');
    await page.click('th[data-kind=name] button');
    const coll = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
    expectEq((await indexState()).names, [...names].sort((a, b) => coll.compare(a, b) || names.indexOf(a) - names.indexOf(b)), 'names ascending');
    const k = await page.$$eval('#em-types thead th', (ths) => ths.findIndex((t) => t.getAttribute('data-region') === 'LO' && t.getAttribute('data-side') === 'R'));
    await page.click(`#em-types thead th:nth-child(${k + 1}) button`);
    const lo = (t) => maxHas(t, (e) => e.region === 'LO' && e.side === 'R');
    expectEq((await indexState()).names, [...small.types].sort((a, b) => lo(b) - lo(a) || a.seq - b.seq).map((t) => t.name), 'LO R descending');
    noErrors('sort');
  });
  await check(`${scheme}: filters (region, side, minimum columns) agree with the manifest`, async () => {
    await open(indexUrl);
    const cases = [['LO', '', 0], ['LO', 'L', 0], ['', 'R', 600], ['ME', '', 650], ['LOP', 'R', 1]];
    for (const [region, side, min] of cases) {
      await page.selectOption('#em-region', region);
      await page.selectOption('#em-side', side);
      await page.fill('#em-min', String(min));
      const want = small.types.filter((t) => t.eyemaps.some((e) => (!region || e.region === region) && (!side || e.side === side) &&
                                                                 e.has_data >= Math.max(1, min))).map((t) => t.name);
      expectEq((await indexState()).names, want, `filter ${region || 'any'}/${side || 'any'}/${min}`);
    }
    expect(!(await indexState()).names.includes(ONLY_ME), 'the ME-only type passes a LOP filter');
    await page.click('button[type=reset]');
    await page.waitForFunction((n) => document.getElementById('em-count').textContent === `${n} types`, names.length);
    noErrors('filters');
  });
  await check(`${scheme}: index -> type page -> back`, async () => {
    await open(indexUrl);
    await page.fill('#em-q', 'tm3');
    await Promise.all([page.waitForURL(/pages\/Tm3\.html$/), page.click('#em-types tbody tr:not([hidden]) a')]);
    expectEq(await page.textContent('h1'), 'Tm3', 'page title');
    await Promise.all([page.waitForURL(/index\.html$/), page.click('#em-index-link')]);
    expect(page.url().endsWith('/index.html'), `back on ${page.url()}`);
    noErrors('navigation');
  });
}

const t0page = () => small.types[0].outputs.find((o) => o.format === 'html').path;
await check('without JavaScript the index table and the page grid are complete', async () => {
  const ctx = await chromium.launch({ executablePath: opt.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const p = await ctx.newPage({ javaScriptEnabled: false });
    await p.goto(url('http', path.join(small.dir, t0page())));
    expectEq(await p.$$eval('.em-cell', (c) => c.filter((x) => x.offsetParent !== null).length), 12, 'eyemaps shown without script (both metrics)');
    await p.goto(url('http', path.join(small.dir, 'index.html')));
    const rows = await p.$$eval('#em-types tbody tr', (r) => r.filter((x) => x.offsetParent !== null).map((x) => x.cells[1].textContent));
    expectEq(rows, names, 'visible rows without script');
    expect(!(await p.isVisible('#em-filters')), 'the filter form is hidden without script');
  } finally {
    await ctx.close();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Type page

const PAL = ['#ffffff', '#fee5d9', '#fcbba1', '#fc9272', '#ef6548', '#a50f15'];
const GREY = '#999999';
function frameFor(sel) {
  return page.$(sel).then((h) => h && h.contentFrame());
}
const cellSel = (region, side, metric) => `.em-cell[data-region="${region}"][data-side="${side}"][data-metric="${metric}"] iframe`;
// A frame's eyemap state: layer, fills checked against data-b (grey stays grey), tooltip.
const eyemapState = (frame) => frame.evaluate(() => {
  const r = document.documentElement;
  const hx = Array.from(r.querySelector('.em-hexes').children);
  return { ready: r.getAttribute('data-ready'), layer: r.getAttribute('data-layer') || '0',
           fills: hx.map((h) => h.getAttribute('fill')), b: hx.map((h) => h.getAttribute('data-b')) };
});
async function loadedFrame(sel) {
  await page.$eval(sel, (f) => f.scrollIntoView({ block: 'center' }));
  await page.waitForFunction((s) => { const f = document.querySelector(s); return f && f.getAttribute('data-loaded') === '1'; }, sel);
  const f = await frameFor(sel);
  await f.waitForFunction(() => document.documentElement.getAttribute('data-ready') === '1');
  return f;
}
function layerFillsOk(st, layer, what) {
  expectEq(st.layer, String(layer), `${what}: data-layer`);
  if (layer === 0) return;
  const bad = st.fills.filter((f, i) => f !== (st.b[i] === null ? (f === GREY ? GREY : PAL[0]) : (f === GREY ? GREY : PAL[+st.b[i][layer - 1]])));
  expect(bad.length === 0, `${what}: ${bad.length} hexagons not coloured from data-b layer ${layer}`);
}

for (const scheme of ['http', 'file']) {
  const t = small.types[2];  // a sample type with per-layer values
  const pageFile = (ty) => path.join(small.dir, ty.outputs.find((o) => o.format === 'html').path);
  await check(`${scheme}: type page: summary, navigation, frames load lazily`, async () => {
    // Mark frames as they load, from the start (the page's own listener is not visible to the test).
    await page.addInitScript(() => {
      // (A frame without src loads about:blank: not counted.)
      document.addEventListener('load', (e) => { if (e.target.tagName === 'IFRAME' && e.target.getAttribute('src')) e.target.setAttribute('data-loaded', '1'); }, true);
    });
    await open(url(scheme, pageFile(t)));
    expectEq(await page.textContent('h1'), t.name, 'h1');
    expectEq(await page.$$eval('.em-summary tbody tr', (r) => r.length), t.eyemaps.length, 'summary rows');
    const first = await page.$$eval('.em-summary tbody tr:first-child td', (td) => td.map((x) => x.textContent));
    const e0 = t.eyemaps[0];
    expectEq(first.slice(0, 5), [e0.region, e0.side, 'Synapse count', `${e0.has_data} / ${e0.summary.columns}`, String(e0.summary.total)], 'summary row 1');
    expectEq(await page.getAttribute('#em-prev', 'href'), `${encodeURIComponent(small.types[1].key)}.html`, 'previous link');
    expectEq(await page.textContent('#em-prev span'), small.types[1].name, 'previous name');
    expectEq(await page.textContent('#em-next span'), small.types[3].name, 'next name');
    // Lazy frames: the shown metric's frames load (Chromium loads lazy frames within ~1,250 px of the viewport,
    // so on this short page all of them); the other metric's (hidden) frames load only when switched to.
    await page.waitForFunction(() => document.querySelectorAll('.em-cell[data-metric=synapses] iframe[data-loaded]').length === 6);
    const hidden = await page.$$eval('.em-cell[data-metric=cells]', (c) => c.map((x) => [x.hidden, x.querySelector('iframe').getAttribute('data-loaded')]));
    expectEq(hidden, Array(6).fill([true, null]), 'cell-count eyemaps while synapses are shown: [hidden, loaded]');
    await page.check('input[name=em-metric][value=cells]');
    await page.waitForFunction(() => document.querySelectorAll('.em-cell[data-metric=cells] iframe[data-loaded]').length === 6);
    expect(await page.$$eval('.em-cell[data-metric=synapses]', (c) => c.every((x) => x.hidden)), 'synapse eyemaps hidden after the switch');
    noErrors('type page');
  });
  await check(`${scheme}: type page: tooltips and layer buttons inside a lazily loaded frame`, async () => {
    await open(url(scheme, pageFile(t)));
    const sel = cellSel('LOP', 'R', 'synapses');
    const f = await loadedFrame(sel);
    // Hover the first coloured hexagon: the drawn tooltip shows its column.
    const i = await f.evaluate(() => Array.from(document.querySelector('.em-hexes').children).findIndex((h) => h.getAttribute('fill') !== '#999999' && h.getAttribute('fill') !== '#ffffff'));
    expect(i >= 0, 'no coloured hexagon');
    const box = await (await f.$(`.em-hexes > :nth-child(${i + 1})`)).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 2 });
    await f.waitForFunction(() => document.querySelector('.em-tip').getAttribute('visibility') === 'visible');
    const tip = await f.$eval('.em-tip text', (x) => Array.from(x.children, (s) => s.textContent));
    expect(tip.length >= 2 && /^Column: /.test(tip[0]) && /Synapse count: \d+/.test(tip.join('\n')), `tooltip lines ${JSON.stringify(tip)}`);
    await page.mouse.move(2, 2);
    await f.waitForFunction(() => document.querySelector('.em-tip').getAttribute('visibility') === 'hidden');
    // Layer 2 by mouse recolours from data-b; "all" (0) restores.
    const before = await eyemapState(f);
    await f.click('.em-btn[data-layer="2"]');
    layerFillsOk(await eyemapState(f), 2, 'LOP R layer 2');
    await f.click('.em-btn[data-layer="0"]');
    expectEq((await eyemapState(f)).fills, before.fills, 'fills after "all"');
    noErrors('frame');
  });
  await check(`${scheme}: type page: sync layers switches every eyemap of the region, and only those`, async () => {
    await open(url(scheme, pageFile(t)));
    await page.check('input[name=em-metric][value=both]');
    const me = [];
    for (const side of ['L', 'R']) for (const m of ['synapses', 'cells']) me.push(await loadedFrame(cellSel('ME', side, m)));
    const lo = await loadedFrame(cellSel('LO', 'L', 'synapses'));
    await me[0].click('.em-btn[data-layer="3"]');
    for (const [k, f] of me.entries()) {
      await f.waitForFunction(() => document.documentElement.getAttribute('data-layer') === '3');
      layerFillsOk(await eyemapState(f), 3, `ME frame ${k} after layer 3 in ME L synapses`);
    }
    expectEq((await eyemapState(lo)).layer, '0', 'LO frame after a click in ME');
    // A frame of the region that loads later gets the region's layer: LOP first, then its cell-count frame.
    const lopS = await loadedFrame(cellSel('LOP', 'L', 'synapses'));
    await lopS.click('.em-btn[data-layer="4"]');
    const lopC = await loadedFrame(cellSel('LOP', 'R', 'cells'));
    await lopC.waitForFunction(() => document.documentElement.getAttribute('data-layer') === '4');
    // Sync off: a click changes its own eyemap only.
    await page.uncheck('#em-sync');
    await me[1].click('.em-btn[data-layer="1"]');
    await page.waitForTimeout(150);
    expectEq((await eyemapState(me[1])).layer, '1', 'clicked frame with sync off');
    expectEq((await Promise.all([me[0], me[2], me[3]].map(eyemapState))).map((s) => s.layer), ['3', '3', '3'], 'other ME frames with sync off');
    noErrors('sync');
  });
  await check(`${scheme}: type page: a region without data is one line`, async () => {
    const only = small.types.find((x) => x.name === ONLY_ME);
    await open(url(scheme, pageFile(only)));
    expectEq(await page.textContent('h1'), ONLY_ME, 'escaped name shown as text');
    expectEq(await page.$$eval('.em-region[data-region=LO] .em-nodata', (p) => p.map((x) => x.textContent)), ['no data in LO'], 'LO line');
    expectEq(await page.$$eval('.em-region[data-region=LO] iframe', (f) => f.length), 0, 'LO frames');
    expect(await page.isHidden('#em-next'), 'the last type has no next link');
    noErrors('no data');
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 5,000 types: filtering time in the page (input event handled, rows shown/hidden, layout done)

await check(`${big.manifest.types.length} types: filtering <= ${opt['filter-ms']} ms`, async () => {
  await open(url('http', path.join(big.dir, 'index.html')));
  await page.waitForSelector('#em-filters:not([hidden])');
  const STEP = 100;
  const times = await page.evaluate(() => {
    const q = document.getElementById('em-q'), region = document.getElementById('em-region'), min = document.getElementById('em-min');
    const out = [];
    const time = (what, set, el) => {
      const t = performance.now();
      set();
      el.dispatchEvent(new Event('input', { bubbles: true }));
      void document.body.offsetHeight;  // style and layout of the table
      out.push([what, performance.now() - t, document.getElementById('em-count').textContent]);
    };
    for (let k = 0; k < 3; k++) {
      time('search "mi1"', () => { q.value = 'mi1'; }, q);
      time('search "tmy12"', () => { q.value = 'tmy12'; }, q);
      time('search cleared', () => { q.value = ''; }, q);
      time('region LO', () => { region.value = 'LO'; }, region);
      time('min 3 columns', () => { min.value = '3'; }, min);
      time('filters cleared', () => { region.value = ''; min.value = '0'; }, min);
    }
    return out;
  });
  // Per operation the median of its 3 runs (the machine may be busy); all runs printed.
  const per = new Map();
  for (const [w, t] of times) per.set(w, [...(per.get(w) || []), t]);
  const med = [...per].map(([w, ts]) => [w, [...ts].sort((a, b) => a - b)[1], Math.max(...ts)]);
  const all = times.map((x) => x[1]).sort((a, b) => a - b);
  console.log(`     filter times (ms), all ${all.length} runs: median ${all[Math.floor(all.length / 2)].toFixed(1)}, max ${all[all.length - 1].toFixed(1)}; ` +
              `per operation (median/max): ${med.map(([w, m, x]) => `${w} ${m.toFixed(1)}/${x.toFixed(1)}`).join('; ')}`);
  console.log(`     counts: ${times.slice(0, 6).map(([w, , c]) => `${w}: ${c}`).join('; ')}`);
  const n = big.manifest.types.length;
  const shown = (k) => (k > STEP ? ` (first ${STEP} shown)` : '');
  expectEq(times[2][2], `${n} types${shown(n)}`, 'count after clearing');
  const mi1 = big.manifest.types.filter((t) => t.name.toLowerCase().includes('mi1')).length;
  expectEq(times[0][2], `${mi1} of ${n} types${shown(mi1)}`, 'count for "mi1"');
  const lo = big.manifest.types.filter((t) => t.eyemaps.some((e) => e.region === 'LO' && e.has_data > 0)).length;
  expectEq(times[3][2], `${lo} of ${n} types${shown(lo)}`, 'count for region LO');
  for (const [w, m] of med) expect(m <= Number(opt['filter-ms']), `${w}: filtering took ${m.toFixed(1)} ms (median of 3)`);
  // The first STEP matches are in the table; "more" adds STEP, "all" shows every match.
  expectEq(await page.$$eval('#em-types tbody tr', (r) => r.length), STEP, 'rows in the table');
  await page.click('#em-more');
  expectEq(await page.$$eval('#em-types tbody tr', (r) => r.length), 2 * STEP, 'rows after "more"');
  await page.fill('#em-q', 'mi1');
  await page.click('#em-all');
  expectEq(await page.$$eval('#em-types tbody tr', (r) => r.length), mi1, 'rows after "all"');
  const sortMs = await page.evaluate(() => { const t = performance.now(); window.eyemapIndex.sortBy(2); void document.body.offsetHeight; return performance.now() - t; });
  console.log(`     sort by rows: ${sortMs.toFixed(1)} ms`);
  noErrors('big index');
});

// ---------------------------------------------------------------------------------------------------------------
// Accessibility: axe-core in the loaded pages (scripts run, controls shown); frames are audited on their own.

const minorSeen = [];
async function audit(target, where, options = { iframes: false }) {
  const all = await axeAudit(target, where, { options });
  for (const v of all) minorSeen.push(`${where}: ${v.id} (${v.impact}) on ${v.targets.length}`);
}
await check('axe-core: index, a type page with greyed rows, an eyemap in its frame', async () => {
  await open(url('http', path.join(small.dir, 'index.html')));
  await audit(page, 'index.html');
  const onlyMe = small.types.find((t) => t.name === ONLY_ME);
  await open(url('http', path.join(small.dir, onlyMe.outputs.find((o) => o.format === 'html').path)));
  expect(await page.$$eval('.em-summary tr.z', (r) => r.length) > 0, `${ONLY_ME}: no greyed summary row to audit`);
  await audit(page, `type page of ${ONLY_ME}`);
  await open(url('http', path.join(small.dir, small.types[2].outputs.find((o) => o.format === 'html').path)));
  await page.check('input[name=em-metric][value=both]');
  await audit(page, `type page of ${small.types[2].name} (both metrics)`);
  const f = await loadedFrame(cellSel('ME', 'L', 'synapses'));
  await audit(f, `${small.types[2].name} ME L eyemap (SVG document in its frame)`);
  await open(url('http', path.join(big.dir, 'index.html')));
  await audit(page, 'index.html of the 5,000-type release (static eyemaps)');
  const staticSvg = big.manifest.types[0].outputs.find((o) => o.format === 'svg');
  await open(url('http', path.join(big.dir, staticSvg.path)));
  expectEq(await page.evaluate(() => [document.documentElement.getAttribute('role'), !!document.querySelector('script')]), ['img', false],
           `${staticSvg.path}: role and script of a static eyemap`);
  await audit(page, `${staticSvg.path} (static)`);
  if (minorSeen.length) console.log(`     axe-core, minor only: ${minorSeen.join('; ')}`);
  noErrors('axe');
});

// ---------------------------------------------------------------------------------------------------------------
// Screenshots

await check('screenshots of the index and a type page', async () => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await open(url('http', path.join(small.dir, 'index.html')));
  await page.fill('#em-q', 'type0');
  await page.selectOption('#em-region', 'LO');
  await page.click('th[data-kind=synapses] button');
  await page.evaluate(async () => {
    for (const img of document.querySelectorAll('#em-types tr:not([hidden]) img'))
      if (!img.complete) await new Promise((ok) => { img.onload = img.onerror = ok; });
  });
  await page.screenshot({ path: path.join(OUT, 'shots', 'site-index.png') });
  const t = small.types[0];
  await open(url('http', path.join(small.dir, t.outputs.find((o) => o.format === 'html').path)));
  await page.setViewportSize({ width: 1280, height: 1300 });
  const f = await loadedFrame(cellSel('ME', 'L', 'synapses'));
  await loadedFrame(cellSel('ME', 'R', 'synapses'));
  await f.click('.em-btn[data-layer="4"]');
  await page.evaluate(() => window.scrollTo(0, 0));
  const i = await f.evaluate(() => Array.from(document.querySelector('.em-hexes').children).findIndex((h) => h.getAttribute('fill') === '#a50f15'));
  if (i >= 0) {
    const box = await (await f.$(`.em-hexes > :nth-child(${i + 1})`)).boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 2 });
  }
  await page.waitForTimeout(100);
  await page.screenshot({ path: path.join(OUT, 'shots', 'site-type-page.png') });
  for (const s of ['site-index.png', 'site-type-page.png']) {
    const size = fs.statSync(path.join(OUT, 'shots', s)).size;
    expect(size > 20_000, `${s}: only ${size} bytes`);
  }
  noErrors('screenshots');
});

const tc = Date.now();
await context.close();
server.closeAllConnections();
await new Promise((ok) => server.close(ok));
console.log(`closed in ${Date.now() - tc} ms`);
fs.rmSync(userDataDir, { recursive: true, force: true });
if (opt.docs && S.failed === 0) {
  fs.mkdirSync(opt.docs, { recursive: true });
  for (const s of ['site-index.png', 'site-type-page.png']) fs.copyFileSync(path.join(OUT, 'shots', s), path.join(opt.docs, s));
  console.log(`copied screenshots to ${opt.docs}`);
}
S.finish();
