#!/usr/bin/env node
// Continuous and diverging colour maps (issue 27) in headless Debian Chromium (playwright-core).
//
//   node tests/browser/colours.mjs --cli build/eyemap --out DIR [--chromium /usr/bin/chromium]
//
// Writes its own data (one type on the sample layout's ME columns, both sides, per-layer values 1..199 spread on
// both sides of 100, all-layers values 1..599), renders with the CLI:
//   - viridis, continuous (--colormap viridis --continuous);
//   - RdBu centred at 100, continuous (--colormap rdbu --centre 100 --continuous);
//   - RdBu centred at 100, 5 bins (--colormap rdbu --centre 100);
// and in each, clicks every layer button (then "all layers" again) and reads back, per hexagon, the fill the script
// set and the colour Chromium paints, against what the SVG's data say: pal[k] of the layer's palette index k
// (continuous: two base-36 digits per layer in data-b; binned: one), grey kept grey, no per-layer data white.
// The data's indices are checked against the values themselves (data-v): levels never decrease with the value,
// and with a centre, values above it take the map's upper half (levels >= 128, or the upper bins) and values
// below it the lower half. The palette's ends are the published maps' (viridis #440154..#fde725, RdBu
// #67001f..#053061; RdBu's 5 bins #b1182b..#2065ab). The legend shown after each click is that scale's (the per-layer legend for a layer, the
// all-layers one for "all"): its labels read back are the SVG's labels of that legend, numbers increasing
// upwards; continuous: a gradient bar whose first and last stops are the map's ends.
// Ends with "colours: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { expect, fail, run, suite } from './harness.mjs';

const { values: opt } = parseArgs({
  options: {
    cli: { type: 'string' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.EYEMAP_CHROMIUM || '/usr/bin/chromium' },
  },
});
const S = suite('colours', { timeoutMs: 240_000 });
const { die, check } = S;
if (!opt.cli || !opt.out) die('--cli PATH and --out DIR are required');
const chromium = await S.chromium(opt.chromium);

const OUT = path.resolve(opt.out);
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const CENTRE = 100;
const LAYERS = 10;  // ME's built-in layers
// The published maps' ends (matplotlib: viridis(0), viridis(1.0), ...) and RdBu's 5 bins' ends, sampled at 0.1 and 0.9.
const ENDS = { viridis: ['#440154', '#fde725'], rdbu: ['#67001f', '#053061'], rdbu5: ['#b1182b', '#2065ab'] };
const CASES = [
  { name: 'viridis-continuous', map: 'viridis', continuous: true, args: ['--colormap', 'viridis', '--continuous'] },
  { name: 'rdbu-centre-continuous', map: 'rdbu', continuous: true, centre: CENTRE,
    args: ['--colormap', 'rdbu', '--centre', String(CENTRE), '--continuous'] },
  { name: 'rdbu-centre-binned', map: 'rdbu', continuous: false, centre: CENTRE, args: ['--colormap', 'rdbu', '--centre', String(CENTRE)] },
];

await check('inputs: data with values on both sides of the centre, and the three SVGs made by the CLI', async () => {
  const s = path.join(OUT, 'sample');
  run(opt.cli, ['sample', '--out-dir', s, '--types', '1']);
  const cols = fs.readFileSync(path.join(s, 'columns.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const rows = ['neuron_type,region,side,hex1,hex2,synapses,layer_synapses'];
  let i = 0;
  for (const [region, side, h1, h2] of cols) {
    if (region !== 'ME') continue;
    i++;
    if (i % 7 === 3) continue;  // columns without data: white
    const layers = Array.from({ length: LAYERS }, (_, l) => ((i * (l + 7) + l * 13) % 11 === 0 ? 0 : 1 + ((i * (l + 5) + 31 * l) % 199)));
    rows.push(`T,ME,${side},${h1},${h2},${1 + ((i * 37) % 599)},${layers.join(';')}`);
  }
  fs.writeFileSync(path.join(OUT, 'data.csv'), rows.join('\n') + '\n');
  for (const c of CASES)
    run(opt.cli, ['render', '--data', path.join(OUT, 'data.csv'), '--columns', path.join(s, 'columns.csv'), '--type', 'T', '--region', 'ME',
                  '--side', 'R', '--metric', 'synapses', '-o', path.join(OUT, `${c.name}.svg`), ...c.args]);
});
if (S.failed) S.finish();

// What the SVG's source says: the script's palette, per hexagon its fill, data-b and data-v, the two legends' labels.
function parseSvg(text, c) {
  const pal = JSON.parse((text.match(/var pal = (\[[^\]]*\]);/) || fail(`${c.name}: no palette in the script`))[1]);
  const hexes = [...text.matchAll(/<use href="#[^"]*-h" x="[^"]*" y="[^"]*" fill="(#[0-9a-f]{6})"( data-v="([^"]*)" data-b="([^"]*)")?>/g)]
    .map((m) => ({ fill: m[1], v: m[3] ? m[3].split(' ').map(Number) : null, b: m[4] || null }));
  const legends = [...text.matchAll(/<g class="em-legend" data-layer="(\d)"[^>]*>([\s\S]*?)<\/g>/g)].map((m) => ({
    layer: Number(m[1]),
    labels: [...m[2].matchAll(/<text class="em-tick" x="[^"]*" y="([^"]*)">([^<]*)<\/text>/g)].map((t) => ({ y: Number(t[1]), text: t[2] })),
    gradient: /fill="url\(#[^"]*-grad\)"/.test(m[2]),
  }));
  const id = (text.match(/<svg[^>]* id="([^"]+)"/) || fail(`${c.name}: no svg id`))[1];
  return { pal, hexes, legends, id };
}
// The palette index of hexagon h in layer l (1-based) as the SVG's data say.
function layerIndex(h, l, continuous) {
  if (!h.b) return 0;
  return continuous ? parseInt(h.b.substr(2 * (l - 1), 2), 36) : parseInt(h.b.charAt(l - 1), 36);
}
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

const { context, userDataDir } = await S.launch(chromium, opt.chromium, { profile: 'eyemap-colours-chromium-', viewport: { width: 900, height: 900 } });
context.setDefaultTimeout(15_000);
const page = context.pages()[0] || (await context.newPage());
let errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
function noErrors(where) {
  const e = errors;
  errors = [];
  expect(e.length === 0, `${where}: ${e.length} browser error(s): ${e.slice(0, 3).join(' | ')}`);
}

async function state(id) {
  return page.evaluate((id) => {
    const r = document.getElementById(id);
    const hx = r.querySelector('.em-hexes').children;
    const shown = Array.from(r.querySelectorAll('.em-legend')).filter((g) => getComputedStyle(g).display !== 'none');
    const grad = r.querySelector('linearGradient');
    return {
      ready: r.getAttribute('data-ready'),
      layer: r.getAttribute('data-layer'),
      fills: Array.from(hx, (h) => h.getAttribute('fill')),
      painted: Array.from(hx, (h) => getComputedStyle(h).fill),
      shown: shown.map((g) => Number(g.getAttribute('data-layer'))),
      labels: shown.flatMap((g) => Array.from(g.querySelectorAll('.em-tick'), (t) => ({ y: Number(t.getAttribute('y')), text: t.textContent }))),
      bar: shown.flatMap((g) => Array.from(g.querySelectorAll('rect'), (b) => getComputedStyle(b).fill)),
      stops: grad ? Array.from(grad.querySelectorAll('stop'), (s) => getComputedStyle(s).stopColor) : [],
    };
  }, id);
}

// Clicks every layer button of `c`'s SVG `file` (then "all layers") and checks the fills, the painted colours and the legend.
async function checkLayers(c, file, src) {
  const grey = src.pal.at(-1);
  errors = [];
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  let st = await state(src.id);
  expect(st.ready === '1', `${c.name}: the script did not run`);
  const legendOf = (l) => src.legends.find((g) => g.layer === (l ? 1 : 0));
  for (const l of [...Array.from({ length: LAYERS }, (_, k) => k + 1), 0]) {
    await page.click(`[id="${src.id}"] g.em-btn[data-layer="${l}"]`);
    st = await state(src.id);
    expect(st.layer === String(l), `${c.name}: data-layer ${st.layer} after clicking ${l}`);
    let bad = 0, first = '';
    src.hexes.forEach((h, i) => {
      const want = l === 0 || h.fill === grey ? h.fill : src.pal[layerIndex(h, l, c.continuous)];
      if (st.fills[i] !== want || st.painted[i] !== rgb(want)) {
        if (!bad++) first = `hexagon #${i}: fill ${st.fills[i]} painted ${st.painted[i]}, want ${want}`;
      }
    });
    expect(bad === 0, `${c.name}: layer ${l}: ${bad} hexagon(s) wrong; ${first}`);
    // The legend: that scale's group alone, its labels as the SVG has them, numbers increasing upwards.
    expect(st.shown.length === 1 && st.shown[0] === (l ? 1 : 0), `${c.name}: layer ${l}: legends shown ${st.shown.join(',')}`);
    const want = legendOf(l);
    expect(JSON.stringify(st.labels) === JSON.stringify(want.labels),
           `${c.name}: layer ${l}: labels ${st.labels.map((t) => t.text).join(' ')}, want ${want.labels.map((t) => t.text).join(' ')}`);
    expect(st.labels.length >= 3, `${c.name}: layer ${l}: only ${st.labels.length} labels`);
    const nums = st.labels.map((t) => Number(t.text.replace(/^[≥≤] /, '').replace(/k$/, 'e3')));
    for (let k = 1; k < nums.length; k++)
      expect(nums[k] > nums[k - 1] && st.labels[k].y < st.labels[k - 1].y, `${c.name}: layer ${l}: labels not increasing upwards: ${st.labels.map((t) => t.text).join(' ')}`);
    if (c.continuous) {
      expect(want.gradient && st.bar.length === 1 && st.bar[0].startsWith('url('), `${c.name}: layer ${l}: legend bar ${st.bar.join(' ')}`);
      expect(st.stops[0] === rgb(ENDS[c.map][0]) && st.stops.at(-1) === rgb(ENDS[c.map][1]), `${c.name}: gradient stops ${st.stops[0]} .. ${st.stops.at(-1)}`);
    } else {
      expect(st.bar.length === 5 && st.bar.every((f) => src.pal.slice(1, 6).map(rgb).includes(f)), `${c.name}: layer ${l}: legend boxes ${st.bar.join(' ')}`);
    }
  }
  // Layers re-label: some layer's legend differs from the all-layers one (the values differ).
  expect(JSON.stringify(legendOf(0).labels) !== JSON.stringify(legendOf(1).labels), `${c.name}: the two legends have the same labels (test data too weak)`);
  noErrors(c.name);
}

for (const c of CASES) {
  const file = path.join(OUT, `${c.name}.svg`);
  const src = parseSvg(fs.readFileSync(file, 'utf8'), c);
  const levels = c.continuous ? 256 : 5;

  await check(`${c.name}: the data's palette indices follow the values (and the centre), the palette's ends are the map's`, async () => {
    expect(src.pal.length === levels + 2, `${c.name}: ${src.pal.length} palette entries, want ${levels + 2}`);
    const ends = ENDS[c.continuous ? c.map : `${c.map}${levels}`];
    expect(src.pal[1] === ends[0] && src.pal[levels] === ends[1], `${c.name}: palette ends ${src.pal[1]}, ${src.pal[levels]}, want ${ends.join(', ')}`);
    const withData = src.hexes.filter((h) => h.b);
    expect(withData.length > 100, `${c.name}: only ${withData.length} hexagons with per-layer data (test data too weak)`);
    let above = 0, below = 0;
    for (let l = 1; l <= LAYERS; l++) {
      const pts = withData.map((h) => [h.v[l - 1], layerIndex(h, l, c.continuous)]).filter(([v]) => v > 0).sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < pts.length; k++)
        expect(pts[k][1] >= pts[k - 1][1], `${c.name}: layer ${l}: value ${pts[k][0]} has index ${pts[k][1]} below ${pts[k - 1][1]} of value ${pts[k - 1][0]}`);
      for (const h of withData) {
        const k = layerIndex(h, l, c.continuous);
        if (!(h.v[l - 1] > 0)) expect(k === 0, `${c.name}: layer ${l}: no value but index ${k}`);
        else expect(k >= 1 && k <= levels, `${c.name}: layer ${l}: index ${k} out of 1..${levels}`);
        if (c.centre === undefined || !(h.v[l - 1] > 0) || h.v[l - 1] === c.centre) continue;
        const upper = c.continuous ? k - 1 >= 128 : k >= 4, lower = c.continuous ? k - 1 <= 127 : k <= 2;
        if (h.v[l - 1] > c.centre) { above++; expect(upper || (!c.continuous && k === 3), `${c.name}: layer ${l}: ${h.v[l - 1]} > centre but index ${k}`); }
        else { below++; expect(lower || (!c.continuous && k === 3), `${c.name}: layer ${l}: ${h.v[l - 1]} < centre but index ${k}`); }
      }
    }
    if (c.centre !== undefined) expect(above > 100 && below > 100, `${c.name}: values above/below the centre: ${above}/${below} (test data too weak)`);
  });

  await check(`${c.name}: load; every layer button re-colours every hexagon and shows that scale's legend; back to all layers`,
              () => checkLayers(c, file, src));
}

// The checks above fail for a script that decodes a continuous map's data-b as the binned one does (one digit).
await check('negative: a script reading one base-36 digit per layer of a continuous map is caught', async () => {
  const templates = path.join(OUT, 'broken-templates');
  fs.cpSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../templates'), templates, { recursive: true });
  const js = path.join(templates, 'script.js.mustache');
  const good = 'parseInt(b.substr(2 * (layer - 1), 2), 36)';
  const text = fs.readFileSync(js, 'utf8');
  expect(text.includes(good), 'the script template no longer holds the two-digit decoding this negative test breaks');
  fs.writeFileSync(js, text.replace(good, 'parseInt(b.charAt(layer - 1), 36)'));
  const c = CASES[0];
  const file = path.join(OUT, 'broken.svg');
  run(opt.cli, ['render', '--data', path.join(OUT, 'data.csv'), '--columns', path.join(OUT, 'sample', 'columns.csv'), '--type', 'T',
                '--region', 'ME', '--side', 'R', '--metric', 'synapses', '-o', file, '--templates', templates, ...c.args]);
  let caught = '';
  try {
    await checkLayers(c, file, parseSvg(fs.readFileSync(file, 'utf8'), c));
  } catch (e) {
    caught = e.message;
  }
  expect(/hexagon\(s\) wrong/.test(caught), `the broken script was not caught (${caught || 'no failure'})`);
  errors = [];
});

await context.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
S.finish();
