#!/usr/bin/env node
// End-to-end checks of the interactive eyemap SVGs in headless Debian Chromium (playwright-core, no bundled browser).
//
//   node tests/browser/e2e.mjs --cli build/eyemap [--example build/examples/report_page] --out DIR
//        [--data-dir ../shared/data/optic-lobe] [--templates templates] [--chromium /usr/bin/chromium] [--docs docs/images]
//        [--render-templates DIR]
//   --templates: where script.js.mustache is read from to make the broken copies of the negative checks;
//   --render-templates: render the sample and real eyemaps with `eyemap render --templates DIR` (try edited templates
//   without rebuilding); --docs: copy the page and one standalone screenshot there as browser-*.png.
//
// It makes its own inputs with the CLI (synthetic sample with per-layer values; the real optic-lobe layout with Mi1),
// serves DIR from a loopback HTTP server on a random port, and checks what a person sees: page loads without errors,
// hover tooltips (text per the spec, hidden when the pointer moves away or leaves, never stuck), layer buttons
// (every hexagon recoloured from data-b, legend relabelled, "all" restores exactly), several eyemaps on one page not
// interfering, accessible name and description of each SVG, axe-core on the page, screenshots; N bins of a named map
// (viridis with 7 and 12 bins) in colours the test knows from matplotlib, through every layer button. Negative checks render with deliberately broken script templates and must be caught.
// Ends with "browser: N passed, M failed" and a non-zero exit status on any failure.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { axeAudit, expect, fail, run, serve, suite } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(HERE, '..', '..');

const { values: opt } = parseArgs({
  options: {
    cli: { type: 'string' },
    example: { type: 'string' },
    out: { type: 'string' },
    'data-dir': { type: 'string', default: path.resolve(SOURCE, '..', 'shared', 'data', 'optic-lobe') },
    templates: { type: 'string', default: path.join(SOURCE, 'templates') },
    'render-templates': { type: 'string' },
    chromium: { type: 'string', default: process.env.EYEMAP_CHROMIUM || '/usr/bin/chromium' },
    docs: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const S = suite('browser', { timeoutMs: 170_000, verbose: opt.verbose });
const { die, check } = S;
if (!opt.cli) die('--cli PATH (the eyemap executable) is required');
if (!opt.out) die('--out DIR is required');
const chromium = await S.chromium(opt.chromium);

// ---------------------------------------------------------------------------------------------------------------
// Test bookkeeping

// A check that must fail: proves that the suite notices a broken script.
async function mustFail(name, fn, pattern) {
  const t = Date.now();
  let err = null;
  try { await fn(); } catch (e) { err = e; }
  if (err && pattern.test(String(err.message))) {
    S.pass(name, t, `caught as expected: ${String(err.message).split('\n')[0].slice(0, 160)}`);
  } else {
    S.record_failure(name, err ? `failed for another reason: ${err.message}` : 'the broken script passed the check');
  }
}
function expectEq(actual, expected, what) {
  const a = JSON.stringify(actual), b = JSON.stringify(expected);
  if (a !== b) fail(`${what}: got ${a}, expected ${b}`);
}
// Compares two arrays element-wise, reporting the count and the first few differences.
function expectArrays(actual, expected, what, label = (i) => `#${i}`) {
  if (actual.length !== expected.length) fail(`${what}: ${actual.length} items, expected ${expected.length}`);
  const bad = [];
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) bad.push(i);
  if (bad.length)
    fail(`${what}: ${bad.length} of ${actual.length} differ, e.g. ` +
         bad.slice(0, 3).map((i) => `${label(i)} ${actual[i]} (expected ${expected[i]})`).join('; '));
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs, made with the CLI

const WHITE = '#ffffff';
const PAL = [WHITE, '#fee5d9', '#fcbba1', '#fc9272', '#ef6548', '#a50f15'];
const GREY = '#999999';
// A named map with N bins: bin i is the map's colour at (i + 0.5) / N. Derived once from matplotlib (Debian's
// python3-matplotlib 3.6.3), not from eyemap, each channel rounded to the nearest byte:
//   /usr/bin/python3 -c "import matplotlib as m; v = m.colormaps['viridis']; N = 7; print(['#%02x%02x%02x' %
//       tuple(round(255 * c) for c in v((i + 0.5) / N)[:3]) for i in range(N)])"
const VIRIDIS = {
  7: ['#481b6d', '#3f4788', '#2e6e8e', '#21918c', '#2db27d', '#73d056', '#d0e11c'],
  12: ['#471063', '#472d7b', '#404688', '#365d8d', '#2c728e', '#24868e', '#1f9a8a', '#28ae80', '#48c16e', '#75d054', '#addc30', '#e5e419'],
};


const OUT = path.resolve(opt.out);
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const dirs = {
  sampleData: path.join(OUT, 'sample-data'),
  sample: path.join(OUT, 'sample'),
  real: path.join(OUT, 'real'),
  broken: path.join(OUT, 'broken'),
  shots: path.join(OUT, 'screenshots'),
  bins: path.join(OUT, 'bins'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });

const realData = path.join(opt['data-dir'], 'me_cells.csv');
const realColumns = path.join(opt['data-dir'], 'columns.csv');

const inputs = { sample: [], real: [], page: null };
const renderTemplates = opt['render-templates'] ? ['--templates', path.resolve(opt['render-templates'])] : [];
await check('inputs: sample and real eyemaps rendered by the CLI', async () => {
  run(opt.cli, ['sample', '--out-dir', dirs.sampleData]);
  run(opt.cli, ['render', '--data', path.join(dirs.sampleData, 'data.csv'), '--columns', path.join(dirs.sampleData, 'columns.csv'),
                '--type', 'Tm3', '--out-dir', dirs.sample, ...renderTemplates]);
  inputs.sample = fs.readdirSync(dirs.sample).filter((f) => f.endsWith('.svg')).sort();
  expect(inputs.sample.length === 12, `sample: ${inputs.sample.length} SVGs, expected 12 (3 regions x 2 sides x 2 metrics)`);
  expect(fs.existsSync(realData) && fs.existsSync(realColumns), `real data not found in ${opt['data-dir']} (give --data-dir)`);
  run(opt.cli, ['render', '--data', realData, '--columns', realColumns, '--type', 'Mi1', '--out-dir', dirs.real, ...renderTemplates]);
  inputs.real = fs.readdirSync(dirs.real).filter((f) => f.endsWith('.svg')).sort();
  expectEq(inputs.real, ['Mi1_LOP_R_cell_count.svg', 'Mi1_LO_R_cell_count.svg', 'Mi1_ME_R_cell_count.svg'], 'real SVGs');
});
if (opt.example) {
  await check('inputs: report page with 12 inlined eyemaps', async () => {
    run(opt.example, [path.join(OUT, 'page.html')]);
    inputs.page = 'page.html';
  });
}

// N bins of a named colour map (--colormap viridis --bins 7 / 12): eyemaps whose colours the checks below expect from
// the literals VIRIDIS7 / VIRIDIS12, not from eyemap's tables. 12 bins write data-b in base-36 digits (a, b for 10, 11).
const binMaps = [];
await check('inputs: eyemaps in viridis with 7 and 12 bins rendered by the CLI', async () => {
  for (const [bins, region, side, metric, file] of [[7, 'ME', 'R', 'synapses', 'Tm3_ME_R_synapse_density'], [7, 'LO', 'L', 'cells', 'Tm3_LO_L_cell_count'],
                                                   [12, 'ME', 'R', 'synapses', 'Tm3_ME_R_synapse_density']]) {
    const out = path.join(dirs.bins, `viridis${bins}`);
    run(opt.cli, ['render', '--data', path.join(dirs.sampleData, 'data.csv'), '--columns', path.join(dirs.sampleData, 'columns.csv'),
                  '--type', 'Tm3', '--region', region, '--side', side, '--metric', metric, '--colormap', 'viridis', '--bins', String(bins),
                  '--out-dir', out, ...renderTemplates]);
    const rel = `bins/viridis${bins}/${file}.svg`;
    expect(fs.existsSync(path.join(OUT, rel)), `${rel} not written`);
    binMaps.push({ rel, bins, pal: [WHITE, ...VIRIDIS[bins]] });
  }
});

// Broken copies of the script template, rendered through `--templates DIR` (the CLI overrides the files given).
const pristineScript = fs.readFileSync(path.join(opt.templates, 'script.js.mustache'), 'utf8');
function breakScript(name, edits, page = false, args = ['--region', 'ME', '--side', 'R', '--metric', 'synapses']) {
  let s = pristineScript;
  for (const [from, to] of edits) {
    if (!s.includes(from)) throw new Error(`negative check ${name}: '${from}' not found in script.js.mustache (update the test)`);
    s = s.split(from).join(to);
  }
  const dir = path.join(dirs.broken, `templates-${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'script.js.mustache'), s);
  const outDir = path.join(dirs.broken, name);
  run(opt.cli, ['render', '--data', path.join(dirs.sampleData, 'data.csv'), '--columns', path.join(dirs.sampleData, 'columns.csv'),
                '--type', 'Tm3', ...(page ? [] : args), '--templates', dir, '--out-dir', outDir]);
  if (!page) return `broken/${name}/Tm3_ME_R_synapse_density.svg`;
  // The 12 eyemaps inlined into one page, laid out like report_page's.
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.svg')).sort();
  const figs = files.map((f) => `<figure>${fs.readFileSync(path.join(outDir, f), 'utf8')}<figcaption>${path.basename(f, '.svg')}</figcaption></figure>`);
  fs.writeFileSync(path.join(outDir, 'page.html'), `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${name}</title></head>\n` +
                   `<body><div style="display:flex;flex-wrap:wrap">\n${figs.join('\n')}\n</div></body></html>\n`);
  return `broken/${name}/page.html`;
}
const broken = {};
await check('inputs: eyemaps rendered with deliberately broken script templates', async () => {
  // Off by one layer: each hexagon takes its colour from the neighbouring layer.
  broken.layer = breakScript('layer', [['b.charAt(layer - 1)', 'b.charAt(layer)']]);
  // No hiding on pointer out / leave: the tooltip gets stuck.
  broken.stuck = breakScript('stuck', [
    ['if (!e.relatedTarget || index.get(e.relatedTarget) === undefined) hide();', ''],
    ['root.addEventListener("pointerleave", hide);', ''],
    ['root.addEventListener("mouseleave", hide);', ''],
  ]);
  // A renamed function: clicking a button throws a ReferenceError.
  broken.error = breakScript('error', [['function select(', 'function selectLayer(']]);
  // Hexagons looked up in the document, not in the eyemap: on a page, every eyemap's buttons recolour the first one.
  broken.leak = breakScript('leak', [['root.querySelector(".em-hexes")', 'document.querySelector(".em-hexes")']], true);
  // N bins: the script's colours are the field's five reds (and its grey index 6) whatever the map and bin count.
  const viridis7 = ['--region', 'ME', '--side', 'R', '--metric', 'synapses', '--colormap', 'viridis', '--bins', '7'];
  broken.pal5 = breakScript('pal5', [['var pal = {{{palette_json}}};', `var pal = ${JSON.stringify([WHITE, ...PAL.slice(1), GREY])};`],
                                     ['pal[{{grey}}]', 'pal[6]']], false, viridis7);
  // 12 bins: data-b read as decimal digits, so the layer bins 10 and 11 ('a', 'b') are lost.
  broken.digits = breakScript('digits', [['{{#base36}}parseInt(b.charAt(layer - 1), 36){{/base36}}', '{{#base36}}+b.charAt(layer - 1){{/base36}}']],
                              false, [...viridis7.slice(0, -1), '12']);
});

// ---------------------------------------------------------------------------------------------------------------
// Reading the SVG source (what the C++ writer produced), independently of the browser

const METRIC_LABEL = { synapse_density: 'Synapse count', cell_count: 'Cell count' };
const SPEC_LAYERS = { ME: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], LO: ['1', '2', '3', '4', '5A', '5B', '6'], LOP: ['1', '2', '3', '4'] };

function unxml(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e.toLowerCase()];
  });
}
function attrs(s) {
  const a = {};
  for (const m of s.matchAll(/([\w:-]+)="([^"]*)"/g)) a[m[1]] = unxml(m[2]);
  return a;
}

// One eyemap from its <svg>...</svg> text; stem = <type>_<region>_<side>_<metric> tells what it should show; `pal` the
// colours it should be drawn in (no data, then the bins light to dark; the field's five reds unless a map is chosen).
function parseEyemap(svgText, stem, pal = PAL) {
  const m = /^(.*)_([A-Za-z0-9]+)_([LR])_(synapse_density|cell_count)$/.exec(stem);
  if (!m) throw new Error(`cannot read region/side/metric from ${stem}`);
  const [, type, region, side, metric] = m;
  const root = attrs(/^<svg\b([^>]*)>/.exec(svgText)[1]);
  // What a screen reader says: the root's role, name (<title>) and description (<desc>), right after the root tag.
  const a11y = /^<svg\b[^>]*>\n<title id="([^"]*)">([^<]*)<\/title>\n<desc id="([^"]*)">([^<]*)<\/desc>\n/.exec(svgText);
  const hexStart = svgText.indexOf('<g class="em-hexes">');
  const hexEnd = svgText.indexOf('</g>', hexStart);
  if (hexStart < 0 || hexEnd < 0) throw new Error(`${stem}: no g.em-hexes`);
  const hexes = [];
  for (const h of svgText.slice(hexStart, hexEnd).matchAll(/<use\b([^>]*)>(?:<title>([\s\S]*?)<\/title>)?<\/use>/g)) {
    const a = attrs(h[1]);
    const title = h[2] === undefined ? null : unxml(h[2]);
    const fill = a.fill;
    const hex = { fill, v: a['data-v'] ? a['data-v'].split(' ').map(Number) : null, b: a['data-b'] || null, title };
    hex.status = fill === GREY ? 'not_in_region' : fill === pal[0] ? 'no_data' : 'has_data';
    const col = title && /^Column: (\d+), (\d+)\n/.exec(title);
    hex.col = col ? [Number(col[1]), Number(col[2])] : null;
    const val = title && /\n[^\n:]+: (-?\d+)\n/.exec(title);
    hex.value = val ? Number(val[1]) : null;
    hexes.push(hex);
  }
  // Two legend groups: data-layer="0" (all layers, shown) and, with layers, data-layer="1" (hidden until a layer is chosen).
  let legend = null;
  const groups = [...svgText.matchAll(/<g class="em-legend" data-layer="(\d)"([^>]*)>([\s\S]*?)<\/g>/g)].map((g) => ({
    layer: Number(g[1]), hidden: /display="none"/.test(g[2]),
    boxes: [...g[3].matchAll(/<rect [^>]*y="([^"]+)"[^>]*height="([^"]+)"[^>]*fill="([^"]+)"\/>/g)]
      .map((r) => ({ y: Number(r[1]), h: Number(r[2]), fill: r[3] })).sort((a, b) => b.y - a.y),
    labels: [...g[3].matchAll(/<text class="em-tick"[^>]*>([^<]*)<\/text>/g)].map((t) => unxml(t[1])),
    labelY: [...g[3].matchAll(/<text class="em-tick"[^>]*\by="([^"]+)"[^>]*>/g)].map((t) => Number(t[1])),
  }));
  if (groups.length) {
    const all = groups.find((g) => g.layer === 0), layer = groups.find((g) => g.layer === 1) || null;
    legend = { groups, allGroup: all, layerGroup: layer, all: all.labels, allBoxes: all.boxes.map((b) => b.fill), layer: layer ? layer.labels : null,
               layerBoxes: layer ? layer.boxes.map((b) => b.fill) : null, ticks: all.labels };
  }
  const buttons = [...svgText.matchAll(/<g class="em-btn( em-on)?" data-layer="(\d+)"[^>]*>[\s\S]*?<text[^>]*>([^<]*)<\/text><\/g>/g)]
    .map((b) => ({ layer: Number(b[2]), on: !!b[1], label: unxml(b[3]) }));
  return { stem, id: root.id, type, region, side, metric, role: root.role, labelledby: root['aria-labelledby'],
           describedby: root['aria-describedby'], a11y: a11y && { titleId: a11y[1], title: unxml(a11y[2]), descId: a11y[3], desc: unxml(a11y[4]) }, label: METRIC_LABEL[metric], width: Number(root.width), height: Number(root.height),
           metricAttr: root['data-metric'], layers: JSON.parse(root['data-layers'] || '[]'), hexes, legend, buttons, pal };
}

function parseFile(rel, pal = PAL) {
  const text = fs.readFileSync(path.join(OUT, rel), 'utf8');
  return parseEyemap(text, path.basename(rel, '.svg'), pal);
}
function parsePage(rel) {
  const html = fs.readFileSync(path.join(OUT, rel), 'utf8');
  const out = [];
  for (const f of html.matchAll(/<figure>(<svg\b[\s\S]*?<\/svg>)\s*<figcaption>([^<]*)<\/figcaption><\/figure>/g))
    out.push(parseEyemap(f[1], unxml(f[2]).trim()));
  return out;
}

// What the spec says the tooltip of a hexagon reads (all-layers view), with values from the SVG source.
function expectedTip(em, h) {
  const col = `Column: ${h.col[0]}, ${h.col[1]}`;
  if (h.status === 'not_in_region') return [col, `Column not identified in ${em.region} (${em.side})`];
  return [col, `${em.label}: ${h.status === 'no_data' ? 0 : h.value}`, `ROI: ${em.region} (${em.side})`];
}
// The tooltip after choosing layer n (1-based), as the field writes it: a column with data in that layer shows the
// layer's value and "ROI: <region><layer> (<side>)" (e.g. "ROI: LO5A (R)"); every other column keeps its tooltip.
function expectedLayerTip(em, h, n) {
  if (h.status === 'not_in_region' || !(h.v && h.v[n - 1] > 0)) return expectedTip(em, h);
  return [`Column: ${h.col[0]}, ${h.col[1]}`, `${em.label}: ${h.v[n - 1]}`, `ROI: ${em.region}${em.layers[n - 1]} (${em.side})`];
}
// A legend label as a number: "12", "12.3k", "1.2M", ... (exact by construction).
function labelValue(l) {
  const m = /^(-?\d+(?:\.\d+)?)([kMGTPE]?)$/.exec(l);
  if (!m) throw new Error(`legend label '${l}' is not a number`);
  return Number(m[1]) * 1000 ** ' kMGTPE'.indexOf(m[2] || ' ');
}
// Legend labels are distinct and honest: every value (with its colour) lies in the range its box is labelled with.
// A label sits at a box's middle (small integer ranges: the box's one value) or at an edge (box b spans edges b..b+1);
// which edge or box is read from its position (the boxes' height apart, baseline 3.5 below). Up to 8 boxes every
// label is drawn; with more, some are left out (never the two ends), and a box is checked against the nearest labels.
function checkLegendScale(stem, what, g, maxBoxes, pairs) {
  const labels = g.labels, boxes = g.boxes.map((b) => b.fill);
  expect(new Set(labels).size === labels.length, `${stem}: ${what} legend labels repeat: ${labels.join(' ')}`);
  expect(boxes.length >= 1 && boxes.length <= maxBoxes, `${stem}: ${what} legend has ${boxes.length} boxes (at most ${maxBoxes})`);
  expect(new Set(boxes).size === boxes.length, `${stem}: ${what} legend boxes share a colour`);
  expectEq(labels.length, g.labelY.length, `${stem}: ${what} legend label positions`);
  // (Positions are written with two decimals: 70 / 12 = 5.83 px boxes.)
  const n = g.boxes.length, bottom = g.boxes[0].y, H = n > 1 ? (bottom - g.boxes[n - 1].y) / (n - 1) : g.boxes[0].h;
  expect(g.boxes.every((b, i) => Math.abs(b.y - (bottom - i * H)) < 0.01 && Math.abs(b.h - H) < 0.01), `${stem}: ${what} legend boxes not stacked`);
  const pos = g.labelY.map((y) => (bottom + H + 3.5 - y) / H);  // an edge's index, or a box's index + 0.5
  const near = (x) => Math.abs(x - Math.round(x)) < 0.01;
  const perBox = pos.every((p) => near(p - 0.5));
  expect(perBox || pos.every(near), `${stem}: ${what} legend labels neither at edges nor at box middles: y ${g.labelY.join(' ')}`);
  const at = pos.map((p) => Math.round(perBox ? p - 0.5 : p));
  const ends = perBox ? [0, boxes.length - 1] : [0, boxes.length];
  expect(at.includes(ends[0]) && at.includes(ends[1]), `${stem}: ${what} legend end labels missing: at ${at.join(' ')}`);
  if (boxes.length <= 8) expectEq(labels.length, perBox ? boxes.length : boxes.length + 1, `${stem}: ${what} legend labels for ${boxes.length} boxes`);
  const v = labels.map(labelValue);
  for (let i = 1; i < v.length; i++) {
    expect(at[i] > at[i - 1], `${stem}: ${what} legend labels not bottom to top: at ${at.join(' ')}`);
    expect(v[i] > v[i - 1], `${stem}: ${what} legend labels not increasing: ${labels.join(' ')}`);
  }
  for (const [value, fill] of pairs) {
    const b = boxes.indexOf(fill);
    expect(b >= 0, `${stem}: ${what}: value ${value} has colour ${fill}, which the legend does not show`);
    if (b < 0) continue;
    if (perBox && at.includes(b)) {
      expect(value === v[at.indexOf(b)], `${stem}: ${what}: value ${value} in the box labelled ${labels[at.indexOf(b)]}`);
      continue;
    }
    // The labels below and above the box (its own edges when drawn).
    const lo = at.findLastIndex((k) => k <= b), hi = at.findIndex((k) => k >= b + 1);
    expect(value >= v[lo] && value <= v[hi], `${stem}: ${what}: value ${value} in the box between the labels ${labels[lo]}..${labels[hi]}`);
  }
}
// A hexagon's palette index in layer n (1-based) from its data-b: one digit per layer, base 36 past 9 bins (a = 10).
const layerBin = (h, n) => (h.b ? parseInt(h.b[n - 1], 36) : 0);
function expectedLayerFills(em, n) {
  return em.hexes.map((h) => (n === 0 || h.fill === GREY ? h.fill : em.pal[layerBin(h, n)]));
}

// Source-level sanity of one eyemap (spec facts that make the browser checks meaningful).
function checkSource(em) {
  expect(em.id && /^[A-Za-z][\w-]*$/.test(em.id), `${em.stem}: bad svg id ${em.id}`);
  expectEq(em.metricAttr, em.label, `${em.stem}: data-metric`);
  // Accessible name and description: an interactive eyemap with layer buttons is a graphics document (its buttons
  // stay reachable), any other an image; both named by their <title>, described by their <desc>.
  expectEq(em.role, em.buttons.length ? 'graphics-document' : 'img', `${em.stem}: role of the <svg>`);
  expect(em.a11y, `${em.stem}: no <title> and <desc> right after the <svg> tag`);
  expectEq([em.labelledby, em.describedby, em.a11y.titleId, em.a11y.descId], [`${em.id}-title`, `${em.id}-desc`, `${em.id}-title`, `${em.id}-desc`],
           `${em.stem}: aria-labelledby, aria-describedby and the ids of <title>, <desc>`);
  // (The stem carries the type's file key, which may differ from its name: the name is read back from the title.)
  const t = new RegExp(`^${em.label} of (.+) in ${em.region} \\(${em.side}\\)$`).exec(em.a11y.title);
  expect(t, `${em.stem}: <title> '${em.a11y.title}'`);
  for (const w of [`of ${t[1]} in it`, `Eyemap of ${em.region}, ${em.side === 'L' ? 'left' : 'right'} side`, em.label, 'Colour scale: '])
    expect(em.a11y.desc.includes(w), `${em.stem}: <desc> does not say '${w}': ${em.a11y.desc}`);
  if (em.pal === PAL) expect(!em.a11y.desc.includes('Colour map'), `${em.stem}: the default map named in the <desc>: ${em.a11y.desc}`);
  expect(em.hexes.length > 0, `${em.stem}: no hexagons`);
  const bins = em.pal.length - 1;
  for (const [i, h] of em.hexes.entries()) {
    expect(h.title !== null && h.col, `${em.stem}: hexagon #${i} has no 'Column: h1, h2' title`);
    const lines = h.title.split('\n');
    expectEq(lines, expectedTip(em, h), `${em.stem}: source title of hexagon #${i}`);
    if (h.status === 'has_data') {
      expect(h.value > 0, `${em.stem}: coloured hexagon #${i} has value ${h.value}`);
      expect(em.pal.indexOf(h.fill) >= 1, `${em.stem}: coloured hexagon #${i} has fill ${h.fill}, not one of the bins ${em.pal.slice(1).join(' ')}`);
    }
    if (h.b) {
      // One digit per layer: 0 (no value) to N; past 9 bins base 36 (a = 10, b = 11).
      const digits = bins > 9 ? /^[0-9a-z]+$/ : /^[0-9]+$/;
      expect(h.b.length === em.layers.length && digits.test(h.b) && [...h.b].every((c) => parseInt(c, 36) <= bins),
             `${em.stem}: hexagon #${i} data-b '${h.b}' (${bins} bins)`);
      expect(h.v && h.v.length === em.layers.length, `${em.stem}: hexagon #${i} data-v does not match data-b`);
      h.v.forEach((v, l) => expect((v === 0) === (h.b[l] === '0'), `${em.stem}: hexagon #${i} layer ${l + 1}: value ${v} with bin ${h.b[l]} (a zero layer value is white)`));
    }
  }
  // Bins grow with values (one scale per view): a larger value never gets a lighter bin.
  const pairs = [];
  for (const h of em.hexes) if (h.status === 'has_data') pairs.push([h.value, em.pal.indexOf(h.fill)]);
  const lpairs = [];
  for (const h of em.hexes) if (h.b) h.v.forEach((v, l) => v > 0 && lpairs.push([v, layerBin(h, l + 1)]));
  for (const [what, ps] of [['all-layers', pairs], ['per-layer', lpairs]]) {
    ps.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < ps.length; i++)
      expect(ps[i][1] >= ps[i - 1][1], `${em.stem}: ${what} bins not monotone: value ${ps[i - 1][0]} -> bin ${ps[i - 1][1]}, value ${ps[i][0]} -> bin ${ps[i][1]}`);
  }
  if (em.legend) {
    const g = em.legend.groups;
    expectEq(g.map((x) => [x.layer, x.hidden]), em.buttons.length ? [[0, false], [1, true]] : [[0, false]], `${em.stem}: legend groups [layer, hidden]`);
    checkLegendScale(em.stem, 'all-layers', em.legend.allGroup, bins, pairs.map(([v, b]) => [v, em.pal[b]]));
    if (em.legend.layer && em.legend.layerBoxes.length)
      checkLegendScale(em.stem, 'per-layer', em.legend.layerGroup, bins, lpairs.map(([v, b]) => [v, em.pal[b]]));
  }
  if (em.buttons.length) {
    expectEq(em.layers, SPEC_LAYERS[em.region], `${em.stem}: layer names`);
    expectEq(em.buttons.map((b) => b.label), [em.region, ...em.layers], `${em.stem}: button labels ("all" + one per layer)`);
    expectEq(em.buttons.map((b) => b.layer), em.buttons.map((_, i) => i), `${em.stem}: button data-layer`);
    expectEq(em.buttons.map((b) => b.on), em.buttons.map((_, i) => i === 0), `${em.stem}: initially pressed button`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Loopback HTTP server for OUT

const { server, base: BASE } = await serve(OUT);

// ---------------------------------------------------------------------------------------------------------------
// Browser

const { context, userDataDir } = await S.launch(chromium, opt.chromium, {
  profile: 'eyemap-chromium-', viewport: { width: 1280, height: 800 }, onError: () => server.close(),
});
context.setDefaultTimeout(10_000);
const page = context.pages()[0] || (await context.newPage());
let errors = [];
page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
function takeErrors() { const e = errors; errors = []; return e; }

async function load(rel) {
  takeErrors();
  const resp = await page.goto(`${BASE}/${rel}`, { waitUntil: 'load' });
  expect(resp && resp.ok(), `${rel}: HTTP ${resp && resp.status()}`);
}

// The state of one eyemap as the browser shows it.
async function snapshot(id) {
  return page.evaluate((id) => {
    const r = document.getElementById(id);
    const hx = r.querySelector('.em-hexes').children;
    const tip = r.querySelector('.em-tip');
    return {
      fills: Array.from(hx, (h) => h.getAttribute('fill')),
      painted: Array.from(hx, (h) => getComputedStyle(h).fill),
      ticks: Array.from(r.querySelectorAll('.em-legend'), (g) => g).filter((g) => getComputedStyle(g).display !== 'none')
        .flatMap((g) => Array.from(g.querySelectorAll('.em-tick'), (t) => t.textContent)),
      // The shown legend's boxes, bottom (lowest bin) first, as the browser paints them.
      boxes: Array.from(r.querySelectorAll('.em-legend'), (g) => g).filter((g) => getComputedStyle(g).display !== 'none')
        .flatMap((g) => Array.from(g.querySelectorAll('rect'), (b) => [Number(b.getAttribute('y')), getComputedStyle(b).fill]))
        .sort((a, b) => b[0] - a[0]).map((b) => b[1]),
      opacity: Array.from(hx, (h) => getComputedStyle(h).opacity),
      legendOpacity: Array.from(r.querySelectorAll('.em-legend rect'), (b) => getComputedStyle(b).opacity),
      buttons: Array.from(r.querySelectorAll('.em-btn'), (b) => [Number(b.getAttribute('data-layer')), b.classList.contains('em-on'), b.getAttribute('aria-pressed')]),
      layer: r.getAttribute('data-layer'),
      tip: tip ? tip.getAttribute('visibility') : null,
    };
  }, id);
}
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

// Where to point at hexagon i of eyemap id: its centre in viewport coordinates, after scrolling it into view.
async function hexPoint(id, i) {
  const p = await page.evaluate(([id, i]) => {
    const h = document.getElementById(id).querySelector('.em-hexes').children[i];
    h.scrollIntoView({ block: 'center', inline: 'center' });
    const b = h.getBoundingClientRect();
    const x = b.left + b.width / 2, y = b.top + b.height / 2;
    return { x, y, hit: document.elementFromPoint(x, y) === h };
  }, [id, i]);
  expect(p.hit, `hexagon #${i} of ${id} is not what the pointer hits at its centre`);
  return p;
}
// A point on the eyemap's own background (inside the eyemap, on no hexagon, button or legend).
async function backgroundPoint(id) {
  const p = await page.evaluate((id) => {
    const r = document.getElementById(id);
    const m = r.getScreenCTM(), bg = r.querySelector('.em-bg');
    const vb = r.viewBox.baseVal;
    for (const [fx, fy] of [[0.01, 0.01], [0.99, 0.01], [0.01, 0.99], [0.99, 0.99], [0.5, 0.01], [0.01, 0.5]]) {
      const q = r.createSVGPoint(); q.x = vb.width * fx; q.y = vb.height * fy;
      const s = q.matrixTransform(m);
      if (document.elementFromPoint(s.x, s.y) === bg) return { x: s.x, y: s.y };
    }
    return null;
  }, id);
  expect(p, `${id}: found no bare background point`);
  return p;
}
// A point outside the eyemap (not on it or any of its parts).
async function outsidePoint(id) {
  const p = await page.evaluate((id) => {
    const r = document.getElementById(id), b = r.getBoundingClientRect();
    const cands = [[b.right + 12, b.top + 12], [b.left - 12, b.top + 12], [b.left + 12, b.bottom + 12], [b.left + 12, b.top - 12]];
    for (const [x, y] of cands) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const e = document.elementFromPoint(x, y);
      if (!e || e === r || !r.contains(e)) return { x, y };
    }
    return null;
  }, id);
  expect(p, `${id}: found no point outside the eyemap in the viewport`);
  return p;
}
async function tipState(id) {
  return page.evaluate((id) => {
    const r = document.getElementById(id), tip = r.querySelector('.em-tip');
    const rect = tip.querySelector('rect');
    const vb = r.viewBox.baseVal;
    const tr = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(tip.getAttribute('transform') || '');
    const x = tr ? +tr[1] : 0, y = tr ? +tr[2] : 0, w = +rect.getAttribute('width'), h = +rect.getAttribute('height');
    return {
      visibility: tip.getAttribute('visibility'),
      computed: getComputedStyle(tip).visibility,
      lines: Array.from(tip.querySelectorAll('text tspan'), (t) => t.textContent),
      column: tip.getAttribute('data-column'),
      box: { x, y, w, h }, vb: { w: vb.width, h: vb.height },
      client: (() => { const b = rect.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; })(),
      onTop: tip === r.lastElementChild || !tip.nextElementSibling || tip.nextElementSibling.tagName.toLowerCase() === 'script',
      titlesLeft: Array.from(r.querySelectorAll('.em-hexes title')).filter((t) => t.textContent !== '').length,
      // The native tooltip a browser would show over each hexagon: the text of the nearest <title> up the tree.
      nativeTips: Array.from(r.querySelector('.em-hexes').children, (h) => {
        for (let e = h; e && e.nodeType === 1; e = e.parentNode) {
          const t = Array.from(e.children).find((c) => c.localName === 'title');
          if (t) return t.textContent;
        }
        return null;
      }).filter((x) => x !== ''),
    };
  }, id);
}
async function expectTipShows(em, i, lines, where, pointer = null) {
  const s = await tipState(em.id);
  if (pointer) {  // drawn next to the pointer (within 30 px of it), wherever the eyemap sits on the page
    const d = s.client ? Math.max(s.client.left - pointer.x, pointer.x - s.client.right, 0) + Math.max(s.client.top - pointer.y, pointer.y - s.client.bottom, 0) : Infinity;
    expect(d <= 30, `${where}: tooltip drawn ${Math.round(d)} px away from the pointer at ${Math.round(pointer.x)},${Math.round(pointer.y)}`);
  }
  expect(s.visibility === 'visible' && s.computed === 'visible', `${where}: tooltip not visible over hexagon #${i} (visibility=${s.visibility})`);
  expectEq(s.lines, lines, `${where}: tooltip text over hexagon #${i}`);
  expectEq(s.column, String(i), `${where}: tooltip data-column`);
  expect(s.box.w > 20 && s.box.h > 20, `${where}: tooltip box ${s.box.w}x${s.box.h} too small for its text`);
  expect(s.box.x >= 0 && s.box.y >= 0 && s.box.x + s.box.w <= s.vb.w + 0.5 && s.box.y + s.box.h <= s.vb.h + 0.5,
         `${where}: tooltip box ${JSON.stringify(s.box)} not inside the eyemap ${s.vb.w}x${s.vb.h}`);
  expect(s.onTop, `${where}: tooltip is not drawn last (hexagons or controls would cover it)`);
}
async function expectTipHidden(em, where) {
  const s = await tipState(em.id);
  expect(s.visibility === 'hidden' && s.computed === 'hidden', `${where}: tooltip still visible (stuck) showing ${JSON.stringify(s.lines)}`);
}

function pick(em) {
  const idx = (st) => em.hexes.map((h, i) => [h, i]).filter(([h]) => h.status === st).map(([, i]) => i);
  const data = idx('has_data'), none = idx('no_data'), out = idx('not_in_region');
  const maxData = data.length ? data.reduce((a, b) => (em.hexes[b].value > em.hexes[a].value ? b : a)) : undefined;
  const mid = (a) => (a.length ? a[Math.floor(a.length / 2)] : undefined);
  return { data: [maxData, mid(data)].filter((x) => x !== undefined), none: mid(none), out: mid(out) };
}

// Tooltips: spec text per status, follows the pointer across hexagons, hidden on the background and outside.
async function checkTooltips(em, where, extra = {}) {
  const quick = extra.quick ?? 12;
  const s0 = await tipState(em.id);
  expectEq(s0.titlesLeft, 0, `${where}: native <title> texts left after load (the drawn tooltip replaces them)`);
  expectEq(s0.nativeTips.slice(0, 3), [], `${where}: native tooltips over hexagons after load (e.g. the eyemap's own <title>)`);
  await expectTipHidden(em, `${where} after load`);
  const p = pick(em);
  const targets = [...p.data, p.none, p.out].filter((x) => x !== undefined);
  expect(targets.length >= 2, `${where}: too few hexagons to hover`);
  // The spec's text; with valueFor, the value comes from the input data rather than the SVG source.
  const tipFor = (i) => {
    const want = expectedTip(em, em.hexes[i]);
    if (extra.valueFor && em.hexes[i].status !== 'not_in_region') want[1] = `${em.label}: ${extra.valueFor(em.hexes[i])}`;
    return want;
  };
  for (const i of targets) {  // hexagon to hexagon: the tooltip follows
    const pt = await hexPoint(em.id, i);
    await page.mouse.move(pt.x, pt.y, { steps: 2 });
    await expectTipShows(em, i, tipFor(i), where, pt);
  }
  const bg = await backgroundPoint(em.id);
  await page.mouse.move(bg.x, bg.y, { steps: 2 });
  await expectTipHidden(em, `${where} pointer on the background`);
  // Leaving the eyemap straight from a hexagon (one jump), and many quick in-out moves: never stuck.
  const h = await hexPoint(em.id, targets[0]);
  await page.mouse.move(h.x, h.y);
  await expectTipShows(em, targets[0], tipFor(targets[0]), where, h);
  const out = await outsidePoint(em.id);
  await page.mouse.move(out.x, out.y);
  await expectTipHidden(em, `${where} pointer left the eyemap`);
  for (let k = 0; k < quick; k++) {
    const t = await hexPoint(em.id, targets[k % targets.length]);
    await page.mouse.move(t.x, t.y);
    await page.mouse.move(out.x, out.y);
  }
  await expectTipHidden(em, `${where} after ${quick} quick in-out moves`);
}

// Layer buttons: layer n recolours every hexagon from data-b (grey stays grey) and relabels the legend;
// "all" restores the original fills and labels exactly. Tooltips follow the layer.
async function clickButton(em, n, how = 'click') {
  const sel = `[id="${em.id}"] g.em-btn[data-layer="${n}"]`;
  if (how === 'keyboard') {
    await page.focus(sel);
    await page.keyboard.press('Enter');
  } else {
    await page.click(sel);
  }
}
function expectView(em, snap, n, where, atLoad = false) {
  const want = expectedLayerFills(em, n);
  const lbl = (i) => `hexagon #${i} (${em.hexes[i].col}${em.hexes[i].b ? ' data-b ' + em.hexes[i].b : ''})`;
  expectArrays(snap.fills, want, `${where}: fills`, lbl);
  expectArrays(snap.painted, want.map(rgb), `${where}: painted colours`, lbl);
  // The field's look: hexagons at opacity 0.8, the legend's boxes opaque.
  expectArrays(snap.opacity, want.map(() => '0.8'), `${where}: hexagon opacity`, lbl);
  expect(snap.legendOpacity.every((o) => o === '1'), `${where}: legend boxes faded: ${snap.legendOpacity.join(' ')}`);
  if (em.legend) {
    expectArrays(snap.ticks, n === 0 ? em.legend.ticks : em.legend.layer, `${where}: legend labels`);
    expectArrays(snap.boxes, (n === 0 ? em.legend.allBoxes : em.legend.layerBoxes).map(rgb), `${where}: legend box colours`);
  } else expectEq(snap.ticks, [], `${where}: legend`);
  // aria-pressed is set by the script on the first click; before it, the attribute may be absent.
  expectEq(snap.buttons, em.buttons.map((b, i) => [b.layer, b.layer === n, atLoad && snap.buttons[i] && snap.buttons[i][2] === null ? null : b.layer === n ? 'true' : 'false']),
           `${where}: pressed button [layer, em-on, aria-pressed]`);
  expectEq(snap.tip, 'hidden', `${where}: tooltip after a click`);
}
async function checkLayers(em, where, { layers = null, keyboard = true } = {}) {
  if (!em.buttons.length) {
    expect(em.hexes.every((h) => !h.b), `${where}: per-layer colours but no layer buttons`);
    const s = await snapshot(em.id);
    expectArrays(s.fills, em.hexes.map((h) => h.fill), `${where}: fills`);
    return;
  }
  const before = await snapshot(em.id);
  expect(before.layer === null || before.layer === '0', `${where}: data-layer ${before.layer} before the check (expected none or 0)`);
  expectView(em, { ...before, tip: 'hidden' }, 0, `${where} at load`, true);
  const ns = layers || em.layers.map((_, i) => i + 1);
  let changed = 0;
  for (const n of ns) {
    await clickButton(em, n);
    const s = await snapshot(em.id);
    expectEq(s.layer, String(n), `${where}: svg data-layer after clicking layer ${n}`);
    expectView(em, s, n, `${where} layer ${em.layers[n - 1]}`);
    changed += s.fills.filter((f, i) => f !== em.hexes[i].fill).length;
  }
  expect(changed > 0, `${where}: no layer changed any colour (test data too weak)`);
  // Tooltips follow the chosen layer.
  const n = ns[ns.length - 1];
  const withV = em.hexes.findIndex((h) => h.v && h.v[n - 1] > 0);
  if (withV >= 0) {
    const pt = await hexPoint(em.id, withV);
    await page.mouse.move(pt.x, pt.y, { steps: 2 });
    await expectTipShows(em, withV, expectedLayerTip(em, em.hexes[withV], n), `${where} layer ${em.layers[n - 1]} tooltip`, pt);
    // A column without data in that layer keeps its all-layers tooltip (the field's behaviour).
    const noV = em.hexes.findIndex((h) => h.status !== 'not_in_region' && !(h.v && h.v[n - 1] > 0));
    if (noV >= 0) {
      const q = await hexPoint(em.id, noV);
      await page.mouse.move(q.x, q.y, { steps: 2 });
      await expectTipShows(em, noV, expectedTip(em, em.hexes[noV]), `${where} layer ${em.layers[n - 1]} tooltip without layer data`, q);
    }
    const out = await outsidePoint(em.id);
    await page.mouse.move(out.x, out.y);
  }
  await clickButton(em, 0);
  const after = await snapshot(em.id);
  expectEq(after.layer, '0', `${where}: svg data-layer after "all"`);
  expectView(em, after, 0, `${where} back to all`);
  expectArrays(after.fills, before.fills, `${where}: fills after "all" vs at load`);
  expectArrays(after.ticks, before.ticks, `${where}: legend after "all" vs at load`);
  if (keyboard) {  // the buttons are role=button with tabindex: Enter works too
    await clickButton(em, 1, 'keyboard');
    expectView(em, await snapshot(em.id), 1, `${where} layer 1 by keyboard`);
    await clickButton(em, 0, 'keyboard');
    expectView(em, await snapshot(em.id), 0, `${where} all by keyboard`);
  }
}

async function checkNoErrors(where) {
  await page.waitForTimeout(0);
  const e = takeErrors();
  expect(e.length === 0, `${where}: ${e.length} browser error(s): ${e.slice(0, 3).join(' | ')}`);
}

// The layer with the most coloured hexagons (then the most changed ones), so that the change is visible.
const busiest = (em) => {
  let best = 1, most = -1;
  em.layers.forEach((_, l) => {
    const f = expectedLayerFills(em, l + 1);
    const n = f.filter((x) => x !== em.pal[0] && x !== GREY).length * 1e6 + f.filter((x, i) => x !== em.hexes[i].fill).length;
    if (n > most) most = n, best = l + 1;
  });
  return best;
};
const sameState = (now, prev, what) => {
  expectArrays(now.fills, prev.fills, `${what}: fills`);
  expectArrays(now.ticks, prev.ticks, `${what}: legend labels`);
  expectEq(now.buttons, prev.buttons, `${what}: buttons`);
  expectEq(now.layer, prev.layer, `${what}: data-layer`);
};

async function checkIsolation(ems) {
  for (const [k, em] of ems.entries()) {
    const n = busiest(em);
    const prev = await Promise.all(ems.map((e) => snapshot(e.id)));
    await clickButton(em, n);
    const now = await Promise.all(ems.map((e) => snapshot(e.id)));
    expectView(em, now[k], n, `page ${em.stem} layer ${em.layers[n - 1]}`);
    for (const [j, other] of ems.entries())
      if (j !== k) sameState(now[j], prev[j], `page: ${other.stem} after clicking layer ${n} in ${em.stem}`);
    // Leave it on its layer while the next eyemap is clicked: that click must not reset this one.
    if (k > 0) {
      await clickButton(ems[k - 1], 0);
      const after = await snapshot(em.id);
      sameState(after, now[k], `page: ${em.stem} after "all" in ${ems[k - 1].stem}`);
    }
  }
  await clickButton(ems[ems.length - 1], 0);
  const end = await Promise.all(ems.map((e) => snapshot(e.id)));
  end.forEach((s, j) => expectView(ems[j], s, 0, `page ${ems[j].stem} all back`));
  await checkNoErrors('page layers');
}

// ---------------------------------------------------------------------------------------------------------------
// The checks

// Values of the real data (Mi1 cells per ME column) to compare the tooltips with, beyond the SVG source.
const realCells = new Map();
if (fs.existsSync(realData)) {
  const [head, ...rows] = fs.readFileSync(realData, 'utf8').trim().split('\n');
  const c = head.split(',');
  const [ti, ri, si, h1, h2, ci] = ['neuron_type', 'region', 'side', 'hex1', 'hex2', 'cells'].map((k) => c.indexOf(k));
  for (const r of rows) {
    const f = r.split(',');
    if (f[ti] === 'Mi1') realCells.set(`${f[ri]} ${f[si]} ${f[h1]},${f[h2]}`, Number(f[ci]));
  }
}

const standalone = [...inputs.sample.map((f) => `sample/${f}`), ...inputs.real.map((f) => `real/${f}`)];
for (const rel of standalone) {
  let em;
  await check(`load ${rel}`, async () => {
    em = parseFile(rel);
    checkSource(em);
    await load(rel);
    const ready = await page.evaluate((id) => document.getElementById(id).getAttribute('data-ready'), em.id);
    expectEq(ready, '1', `${rel}: script did not run (data-ready)`);
    await checkNoErrors(rel);
  });
  if (!em) continue;
  const real = rel.startsWith('real/');
  await check(`tooltips ${rel}`, async () => {
    let valueFor;
    if (real && em.region === 'ME') {
      const key = (h) => `${em.region} ${em.side} ${h.col[0]},${h.col[1]}`;
      em.hexes.forEach((h, i) => expectEq(h.status === 'not_in_region' ? null : h.value, h.status === 'not_in_region' ? null : (realCells.get(key(h)) || 0),
                                          `${rel}: source value of hexagon #${i} (${h.col}) vs me_cells.csv`));
      valueFor = (h) => realCells.get(key(h)) || 0;
    }
    await checkTooltips(em, rel, { valueFor });
    await checkNoErrors(rel);
  });
  await check(`layers ${rel}`, async () => {
    await checkLayers(em, rel);
    await checkNoErrors(rel);
  });
}

// N bins of a named map: every view (all layers, each layer) in the map's bins as the literals above give them, the legend's
// boxes in the same colours with that view's labels, tooltips (all layers and per layer) as for the field's reds.
for (const { rel, bins, pal } of binMaps) {
  let em;
  await check(`N bins: ${rel} (viridis, ${bins} bins): source and load`, async () => {
    const e = parseFile(rel, pal);
    checkSource(e);
    // The legend's boxes are the map's bins in order, light to dark: all N for synapse counts (many values); cell
    // counts (a few small integers, a box each) take bins spread over the N. The test data must exercise the bins:
    // the hexagons use most of them, and with 12 bins some layer bins are past 9 (base-36 digits).
    const inOrder = (boxes, what) => {
      const at = boxes.map((c) => VIRIDIS[bins].indexOf(c));
      expect(at.every((k, i) => k >= 0 && (i === 0 || k > at[i - 1])), `${rel}: ${what} legend boxes ${boxes.join(' ')} are not bins of viridis ${bins} in order`);
    };
    if (e.metric === 'synapse_density') {
      expectArrays(e.legend.allBoxes, VIRIDIS[bins], `${rel}: all-layers legend boxes, bottom first`);
      expectArrays(e.legend.layerBoxes, VIRIDIS[bins], `${rel}: per-layer legend boxes, bottom first`);
    } else {
      inOrder(e.legend.allBoxes, 'all-layers');
      inOrder(e.legend.layerBoxes, 'per-layer');
      expectEq(e.legend.allBoxes.at(-1), VIRIDIS[bins].at(-1), `${rel}: the largest value's box`);
    }
    const used = new Set(e.hexes.filter((h) => h.status === 'has_data').map((h) => h.fill));
    expect(used.size >= Math.min(e.legend.allBoxes.length, 3), `${rel}: only ${used.size} of ${bins} bins drawn (test data too weak)`);
    if (e.metric === 'synapse_density') {  // every bin in some layer: 1..9, then a, b, c past 9
      const layerBins = new Set(e.hexes.flatMap((h) => (h.b ? [...h.b].map((c) => parseInt(c, 36)) : [])));
      for (let k = 1; k <= bins; k++) expect(layerBins.has(k), `${rel}: no hexagon in bin ${k} in any layer (test data too weak)`);
    }
    // What a screen reader says names the map and its bins (the field's reds with 5 bins say nothing of them).
    expect(e.a11y.desc.includes(`Colour map: viridis, ${bins} bins.`), `${rel}: <desc> does not name the map and bins: ${e.a11y.desc}`);
    await load(rel);
    const ready = await page.evaluate((id) => document.getElementById(id).getAttribute('data-ready'), e.id);
    expectEq(ready, '1', `${rel}: script did not run (data-ready)`);
    await checkNoErrors(rel);
    em = e;
  });
  if (!em) continue;
  await check(`N bins: tooltips ${rel}`, async () => {
    await checkTooltips(em, rel);
    await checkNoErrors(rel);
  });
  await check(`N bins: layers ${rel} (fills and legend in the map's ${bins} bins)`, async () => {
    await checkLayers(em, rel);
    // Past 9 bins: a layer where some hexagon takes bin 10 or 11 was clicked, and painted in it.
    if (bins > 9) {
      const n = em.layers.findIndex((_, l) => em.hexes.some((h) => h.b && layerBin(h, l + 1) >= 10)) + 1;
      await clickButton(em, n);
      const snap = await snapshot(em.id);
      const i = em.hexes.findIndex((h) => h.b && layerBin(h, n) >= 10);
      expectEq(snap.painted[i], rgb(VIRIDIS[bins][layerBin(em.hexes[i], n) - 1]), `${rel}: hexagon #${i} in layer ${n}`);
      await clickButton(em, 0);
    }
    await checkNoErrors(rel);
  });
}

// Screenshots of standalone eyemaps: after a layer click with a tooltip visible (2x for crisp text).
async function shootEyemap(rel, layer, file) {
  const em = parseFile(rel);
  await load(rel);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 2, mobile: false });
  try {
    if (layer) await clickButton(em, layer);
    const i = layer ? em.hexes.findIndex((h) => h.v && h.v[layer - 1] === Math.max(...em.hexes.filter((x) => x.v).map((x) => x.v[layer - 1])))
                    : pick(em).data[0] ?? pick(em).out;
    const pt = await hexPoint(em.id, i);
    await page.mouse.move(pt.x, pt.y, { steps: 2 });
    expectEq((await tipState(em.id)).visibility, 'visible', `${rel}: tooltip for the screenshot`);
    await page.screenshot({ path: path.join(dirs.shots, file), clip: { x: 0, y: 0, width: em.width, height: em.height } });
  } finally {
    await cdp.send('Emulation.clearDeviceMetricsOverride');
    await cdp.detach();
  }
  const size = fs.statSync(path.join(dirs.shots, file)).size;
  expect(size > 10_000, `${file}: only ${size} bytes`);
  await checkNoErrors(rel);
}
await check('screenshot standalone sample eyemap (layer 5, tooltip)', () => shootEyemap('sample/Tm3_ME_R_synapse_density.svg', 5, 'eyemap-sample-ME-R-layer5.png'));
await check('screenshot standalone real eyemap (tooltip)', () => shootEyemap('real/Mi1_ME_R_cell_count.svg', 0, 'eyemap-real-Mi1-ME-R.png'));

// The page with 12 inlined eyemaps: unique ids, each works, a click in one changes that one only.
if (inputs.page) {
  let ems = [];
  await check('page: loads, 12 eyemaps, unique ids, every script ran', async () => {
    ems = parsePage(inputs.page);
    expectEq(ems.length, 12, 'eyemaps in page.html');
    ems.forEach(checkSource);
    await load(inputs.page);
    const info = await page.evaluate(() => {
      const ids = Array.from(document.querySelectorAll('[id]'), (e) => e.id);
      return { svgs: Array.from(document.querySelectorAll('svg.eyemap'), (s) => [s.id, s.getAttribute('data-ready')]),
               dup: ids.filter((x, i) => ids.indexOf(x) !== i) };
    });
    expectEq(info.svgs, ems.map((e) => [e.id, '1']), 'eyemaps in the DOM (id, data-ready)');
    expectEq(info.dup, [], 'duplicate ids in the page');
    await checkNoErrors('page');
  });
  if (ems.length === 12) {
    await check('page: tooltips in every eyemap, only one visible at a time', async () => {
      for (const em of ems) await checkTooltips(em, `page ${em.stem}`, { quick: 4 });
      // From a hexagon of one eyemap straight to one of the next: the first hides, the second shows.
      for (let k = 0; k + 1 < ems.length; k++) {
        const a = ems[k], b = ems[k + 1];
        const ia = pick(a).data[0], ib = pick(b).data[0];
        const pa = await hexPoint(a.id, ia);
        await page.mouse.move(pa.x, pa.y);
        const pb = await hexPoint(b.id, ib);
        await page.mouse.move(pb.x, pb.y);
        await expectTipShows(b, ib, expectedTip(b, b.hexes[ib]), `page ${b.stem}`, pb);
        const vis = await page.evaluate(() => Array.from(document.querySelectorAll('svg.eyemap .em-tip'), (t) => t.getAttribute('visibility')));
        expectEq(vis, ems.map((_, j) => (j === k + 1 ? 'visible' : 'hidden')), `page: tooltip visibility after moving from ${a.stem} to ${b.stem}`);
      }
      await checkNoErrors('page tooltips');
    });
    await check('page: a layer click changes only its own eyemap', () => checkIsolation(ems));
    await check('page: axe-core finds no violation of impact moderate or worse (12 inlined eyemaps)', async () => {
      await load(inputs.page);
      const minor = await axeAudit(page, inputs.page);
      if (minor.length) console.log(`     axe-core, minor only: ${minor.map((v) => `${v.id} on ${v.targets.length}`).join('; ')}`);
      await checkNoErrors('page axe');
    });
    await check('page: full layer check of every eyemap', async () => {
      for (const em of ems) await checkLayers(em, `page ${em.stem}`, { keyboard: false });
      await checkNoErrors('page layers');
    });
    await check('screenshot page (one eyemap on a layer, a tooltip in another)', async () => {
      await page.setViewportSize({ width: 1480, height: 1000 });  // three eyemaps a row
      try {
        await load(inputs.page);
        const a = ems[0], b = ems[2];
        await clickButton(a, busiest(a));
        await page.evaluate(() => window.scrollTo(0, 0));
        const ib = pick(b).data[0];
        const pb = await page.evaluate(([id, i]) => {
          const h = document.getElementById(id).querySelector('.em-hexes').children[i].getBoundingClientRect();
          return { x: h.left + h.width / 2, y: h.top + h.height / 2 };
        }, [b.id, ib]);
        await page.mouse.move(pb.x, pb.y, { steps: 2 });
        await expectTipShows(b, ib, expectedTip(b, b.hexes[ib]), 'page screenshot');
        await page.screenshot({ path: path.join(dirs.shots, 'page.png'), fullPage: true });
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
      const size = fs.statSync(path.join(dirs.shots, 'page.png')).size;
      expect(size > 30_000, `page.png: only ${size} bytes`);
      await checkNoErrors('page screenshot');
    });
  }
}

// Negative checks: the same checks on deliberately broken scripts must fail.
if (broken.layer) {
  await mustFail('negative: off-by-one layer colours are caught', async () => {
    const em = parseFile(broken.layer);
    await load(broken.layer);
    await checkLayers(em, broken.layer);
  }, /fills: \d+ of \d+ differ/);
  await mustFail('negative: a stuck tooltip is caught', async () => {
    const em = parseFile(broken.stuck);
    await load(broken.stuck);
    await checkTooltips(em, broken.stuck);
  }, /still visible \(stuck\)/);
  await mustFail('negative: a click leaking into another eyemap of the page is caught', async () => {
    const ems = parsePage(broken.leak);
    expectEq(ems.length, 12, 'eyemaps in the broken page');
    await load(broken.leak);
    await checkIsolation(ems);
  }, /fills: \d+ of \d+ differ/);
  await mustFail('negative: N bins drawn by a script with the field\'s five reds are caught', async () => {
    const em = parseFile(broken.pal5, [WHITE, ...VIRIDIS[7]]);
    await load(broken.pal5);
    await checkLayers(em, broken.pal5);
  }, /fills: \d+ of \d+ differ/);
  await mustFail('negative: 12 bins read as decimal digits by the script are caught', async () => {
    const em = parseFile(broken.digits, [WHITE, ...VIRIDIS[12]]);
    await load(broken.digits);
    await checkLayers(em, broken.digits);
  }, /fills: \d+ of \d+ differ/);
  await mustFail('negative: a script error on click is caught', async () => {
    const em = parseFile(broken.error);
    await load(broken.error);
    await checkNoErrors(broken.error);   // loads cleanly ...
    await clickButton(em, 1);            // ... but the click throws
    await checkNoErrors(`${broken.error} after a click`);
  }, /browser error\(s\): page error: .*select/);
}

await context.close();
await new Promise((ok) => server.close(ok));
fs.rmSync(userDataDir, { recursive: true, force: true });

if (opt.docs && S.failed === 0) {
  fs.mkdirSync(opt.docs, { recursive: true });
  fs.copyFileSync(path.join(dirs.shots, 'page.png'), path.join(opt.docs, 'browser-page.png'));
  fs.copyFileSync(path.join(dirs.shots, 'eyemap-sample-ME-R-layer5.png'), path.join(opt.docs, 'browser-eyemap.png'));
  console.log(`copied screenshots to ${opt.docs}`);
}
console.log(`screenshots in ${dirs.shots}`);
S.finish();
