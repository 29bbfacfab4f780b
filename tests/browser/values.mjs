#!/usr/bin/env node
// Value metrics in headless Debian Chromium: an eyemap of a float column with NaNs, zeros and signed values
// (issue 27), on a diverging map. Hover tooltips read the values as the SVG's source prints them ("no data" for
// NaN); every layer button recolours each hexagon from data-b and shows the layer's value in the tooltip for
// every column with a value in that layer, zero and negative ones included (a count eyemap hides 0), and the
// legend switches to the layer scale; the tooltip label is the user's --label/--unit, escaped.
//
//   node tests/browser/values.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium]
//
// Ends with "values: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';

import { axeAudit, cliSuite, expect, run, serve } from './harness.mjs';

const { opt, S, chromium, OUT } = await cliSuite('values', { timeoutMs: 170_000 });

// A seeded data set on a 9 x 9 patch of ME columns (side R): diff is signed, fractional, 0 on some columns and
// empty (no data) on others; per-layer values with empty items (no data in that layer), zeros and negatives.
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const rows = ['neuron_type,region,side,hex1,hex2,diff,layer_diff'];
const cols = [];
for (let a = 10; a < 19; a++) for (let b = 10; b < 19; b++) cols.push([a, b]);
cols.forEach(([a, b], i) => {
  if (i % 11 === 5) return;  // a column of the region without a row: no data
  const v = i % 7 === 3 ? '' : i % 9 === 4 ? '0' : (rand() * 8 - 3).toFixed(3);
  const layers = Array.from({ length: 10 }, (_, l) => (rand() < 0.25 ? '' : l === 2 ? '0' : (rand() * 4 - 2).toFixed(2)));
  rows.push(`V,ME,R,${a},${b},${v},${i % 13 === 6 ? '' : layers.join(';')}`);
});
fs.writeFileSync(path.join(OUT, 'values.csv'), rows.join('\n') + '\n');
run(opt.cli, ['render', '--data', path.join(OUT, 'values.csv'), '--type', 'V', '--metric', 'diff', '--colormap', 'rdbu',
              '--label', 'diff=Δ <synapses>', '--unit', 'diff=%', '-o', path.join(OUT, 'V_ME_R_diff.svg')]);
const LABEL = 'Δ <synapses> (%)';

// The source: per hexagon its fill, data-v items (strings: '' = no data in that layer), data-b, and tooltip lines.
const svg = fs.readFileSync(path.join(OUT, 'V_ME_R_diff.svg'), 'utf8');
const unxml = (s) => s.replace(/&(amp|lt|gt|quot|apos);/g, (m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]);
const id = /^<svg\b[^>]*\bid="([^"]+)"/.exec(svg)[1];
const pal = JSON.parse(/var pal = (\[[^\]]*\]);/.exec(svg)[1]);
const grey = pal[pal.length - 1];
const layers = JSON.parse(unxml(/data-layers="([^"]*)"/.exec(svg)[1]));
const hexes = [...svg.matchAll(/<use\b([^>]*)><title>([\s\S]*?)<\/title><\/use>/g)].map((m) => {
  const a = Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((x) => [x[1], unxml(x[2])]));
  return { fill: a.fill, v: a['data-v'] === undefined ? null : a['data-v'].split(' '), b: a['data-b'] || null, tip: unxml(m[2]).split('\n') };
});

const { server, base } = await serve(OUT);
const { context, userDataDir } = await S.launch(chromium, opt.chromium, {
  profile: 'eyemap-values-', viewport: { width: 1000, height: 800 }, onError: () => server.close(),
});
context.setDefaultTimeout(10_000);
const page = context.pages()[0] || (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
await page.goto(`${base}/V_ME_R_diff.svg`, { waitUntil: 'load' });

async function hover(i) {
  const p = await page.evaluate(([id, i]) => {
    const h = document.getElementById(id).querySelector('.em-hexes').children[i];
    const b = h.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  }, [id, i]);
  await page.mouse.move(p.x, p.y, { steps: 2 });
  return page.evaluate((id) => Array.from(document.getElementById(id).querySelectorAll('.em-tip text tspan'), (t) => t.textContent), id);
}
async function state() {
  return page.evaluate((id) => {
    const r = document.getElementById(id);
    const shown = Array.from(r.querySelectorAll('.em-legend')).filter((g) => getComputedStyle(g).display !== 'none');
    return { fills: Array.from(r.querySelector('.em-hexes').children, (h) => h.getAttribute('fill')),
             ticks: shown.flatMap((g) => Array.from(g.querySelectorAll('.em-tick'), (t) => t.textContent)),
             title: shown.map((g) => g.querySelector('.em-ltitle').textContent) };
  }, id);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

await S.check('source: a signed float metric with no-data columns, zero and negative values, layer values', async () => {
  const inRegion = hexes.filter((h) => h.fill !== grey);
  expect(inRegion.some((h) => h.tip[1] === `${LABEL}: no data`), 'no "no data" tooltip');
  expect(inRegion.some((h) => h.tip[1] === `${LABEL}: 0`), 'no zero value tooltip');
  expect(inRegion.some((h) => /: -\d/.test(h.tip[1])), 'no negative value tooltip');
  expect(hexes.some((h) => h.v && h.v.includes('')) && hexes.some((h) => h.v && h.v.includes('0')), 'layer values lack empty items or zeros');
  expect(layers.length === 10, `ME has ${layers.length} layers`);
});

await S.check('hover: every hexagon\'s tooltip reads its value as the source prints it (float, 0, negative, no data)', async () => {
  for (let i = 0; i < hexes.length; i++) {
    const got = await hover(i);
    expect(same(got, hexes[i].tip), `hexagon #${i}: tooltip ${JSON.stringify(got)}, source ${JSON.stringify(hexes[i].tip)}`);
  }
  expect(errors.length === 0, errors.join('; '));
});

await S.check('layer buttons: fills from data-b, layer values in tooltips (zero and negative ones too), layer legend', async () => {
  const all = await state();
  for (const n of [1, 3, 7, 10]) {
    await page.click(`#${id} .em-btn[data-layer="${n}"]`);
    const s = await state();
    const want = hexes.map((h) => (h.fill === grey ? grey : pal[h.b ? parseInt(h.b[n - 1], 36) : 0]));
    const differ = want.filter((f, i) => f !== s.fills[i]).length;
    expect(differ === 0, `layer ${n}: fills: ${differ} of ${want.length} differ`);
    expect(!same(s.ticks, all.ticks) && s.ticks.length >= 2, `layer ${n}: the legend did not switch to the layer scale`);
    expect(same(s.title, [LABEL]), `layer ${n}: legend title ${JSON.stringify(s.title)}`);
    let zeros = 0, negatives = 0;
    for (let i = 0; i < hexes.length; i++) {
      const h = hexes[i];
      const item = h.fill !== grey && h.v ? h.v[n - 1] : '';
      const want = item === '' ? h.tip : [h.tip[0], `${LABEL}: ${item}`, `ROI: ME${layers[n - 1]} (R)`];
      if (item === '0') zeros++;
      if (item.startsWith('-')) negatives++;
      if (i % 3 && item !== '0' && !item.startsWith('-')) continue;  // every zero and negative, a third of the rest
      const got = await hover(i);
      expect(same(got, want), `layer ${n}, hexagon #${i}: tooltip ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
    expect(n !== 3 || zeros > 0, 'layer 3 has no zero value to check');
    expect(n === 3 || negatives > 0, `layer ${n} has no negative value to check`);
  }
  await page.click(`#${id} .em-btn[data-layer="0"]`);
  expect(same(await state(), all), '"all" does not restore the first view exactly');
  expect(errors.length === 0, errors.join('; '));
});

await S.check('axe-core: no violation of impact moderate or worse', async () => {
  await axeAudit(page, 'V_ME_R_diff.svg');
});

await context.close();
await new Promise((ok) => server.close(ok));
fs.rmSync(userDataDir, { recursive: true, force: true });
S.finish();
