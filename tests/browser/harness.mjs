// Shared by the browser suites (e2e, site, report): the run's time bound, playwright-core and Debian's
// Chromium found (or a clear failure, never a silent pass), named checks counted, the CLI runner, the
// Chromium launch, the axe-core audit and the closing "NAME: N passed, M failed" line.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export class CheckError extends Error {}
export function fail(msg) { throw new CheckError(msg); }
export function expect(cond, msg) { if (!cond) fail(msg); }

// Runs a command to completion; throws with its last stderr lines when it fails.
export function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

// A loopback HTTP server of the files under `root` (no listing, nothing outside it); resolves to
// { server, base } once listening.
const TYPES = { '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8', '.png': 'image/png', '.css': 'text/css',
                '.js': 'text/javascript', '.json': 'application/json', '.pdf': 'application/pdf' };
export async function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const file = path.resolve(root, '.' + decodeURIComponent(url.pathname));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

// axe-core (npm, tests/browser/node_modules) run in a page or frame. Fails listing every violation of impact
// moderate or worse (critical, serious, moderate): rule id, impact, what it means, the target selectors;
// resolves to all violations (minor ones included) for the caller to print. `options` go to axe.run
// (e.g. { iframes: false }); `context` is axe's context (default: the whole document).
export const AXE_FAILING = ['critical', 'serious', 'moderate'];
let axeSource = null;
export async function axeAudit(target, where, { context = null, options = {} } = {}) {
  if (axeSource === null) {
    let file;
    try {
      file = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    } catch (e) {
      fail(`axe-core is not installed (${e.code || e.message}); run tests/browser/setup.sh (npm ci in tests/browser)`);
    }
    axeSource = fs.readFileSync(file, 'utf8');
  }
  // Evaluated in the page's global scope rather than added as a <script> element: the same works in an SVG document.
  if (!(await target.evaluate(() => typeof window.axe === 'object'))) await target.evaluate((src) => (0, eval)(src), axeSource);
  const violations = await target.evaluate(async ([context, options]) => {
    const r = await window.axe.run(context || document, { resultTypes: ['violations'], ...options });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, [context, options]);
  const bad = violations.filter((v) => AXE_FAILING.includes(v.impact));
  const list = (t) => t.slice(0, 8).join(', ') + (t.length > 8 ? ` and ${t.length - 8} more` : '');
  expect(bad.length === 0, `${where}: ${bad.length} axe-core violation(s) of impact moderate or worse: ` +
         bad.map((v) => `${v.id} (${v.impact}: ${v.help}) on ${v.targets.length}: ${list(v.targets)}`).join(' | '));
  return violations;
}

// The command line every CLI-driven suite takes (--cli PATH --out DIR [--chromium PATH] [--verbose]), its
// suite, playwright's chromium and the output folder, emptied: { opt, S, chromium, OUT }.
export async function cliSuite(name, { timeoutMs }) {
  const { values: opt } = parseArgs({
    options: {
      cli: { type: 'string' },
      out: { type: 'string' },
      chromium: { type: 'string', default: process.env.EYEMAP_CHROMIUM || '/usr/bin/chromium' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const S = suite(name, { timeoutMs, verbose: opt.verbose });
  if (!opt.cli) S.die('--cli PATH (the eyemap executable) is required');
  if (!opt.out) S.die('--out DIR is required');
  const chromium = await S.chromium(opt.chromium);
  const OUT = path.resolve(opt.out);
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  return { opt, S, chromium, OUT };
}

// A suite named `name`: `die` ends it as one failure; `check(title, fn)` runs and counts one check.
export function suite(name, { timeoutMs, verbose = false }) {
  const T0 = Date.now();
  const s = {
    passed: 0,
    failed: 0,
    failures: [],
    die(msg) {
      console.error(`${name}: ${msg}`);
      console.log(`${name}: 0 passed, 1 failed`);
      process.exit(1);
    },
    pass(title, t, detail = '') {
      s.passed++;
      console.log(`ok   ${title}${detail ? ` (${detail})` : ''} (${Date.now() - t} ms)`);
    },
    record_failure(title, msg) {
      s.failed++;
      s.failures.push(title);
      console.log(`FAIL ${title}: ${msg}`);
    },
    async check(title, fn) {
      const t = Date.now();
      try {
        await fn();
        s.pass(title, t);
      } catch (e) {
        s.record_failure(title, e && e.message ? e.message : e);
        if (verbose && e && e.stack) console.log(e.stack);
      }
    },
    // playwright-core lives in tests/browser/node_modules; without it the suite must fail.
    async chromium(executablePath) {
      let chromium;
      try {
        ({ chromium } = await import('playwright-core'));
      } catch (e) {
        s.die(`playwright-core is not installed (${e.code || e.message}). Run tests/browser/setup.sh ` +
              `(apt chromium + npm ci in tests/browser) and try again.`);
      }
      if (!fs.existsSync(executablePath)) s.die(`Chromium not found at ${executablePath}. Run tests/browser/setup.sh (installs Debian's chromium).`);
      return chromium;
    },
    // Headless Chromium in a fresh profile; `onError` cleans up before the suite dies.
    async launch(chromium, executablePath, { profile, viewport, onError = () => {} }) {
      const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), profile));
      try {
        const context = await chromium.launchPersistentContext(userDataDir, {
          executablePath, headless: true,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--no-first-run', '--disable-quic'],
          viewport, deviceScaleFactor: 1, timeout: 60_000,
        });
        return { context, userDataDir };
      } catch (e) {
        onError();
        fs.rmSync(userDataDir, { recursive: true, force: true });
        s.die(`cannot start Chromium (${executablePath}): ${e.message.split('\n')[0]}`);
      }
    },
    // The closing lines and the exit status.
    finish() {
      if (s.failures.length) console.log(`failed: ${s.failures.join('; ')}`);
      console.log(`time: ${((Date.now() - T0) / 1000).toFixed(1)} s`);
      console.log(`${name}: ${s.passed} passed, ${s.failed} failed`);
      process.exit(s.failed ? 1 : 0);
    },
  };
  // The whole run is bounded: a hung browser must not hang CTest.
  setTimeout(() => s.die(`timed out after ${Math.round((Date.now() - T0) / 1000)} s`), timeoutMs).unref();
  return s;
}
