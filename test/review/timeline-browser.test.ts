// The page-lifetime timeline in a real browser: Debian's Chromium driven by playwright-core (no browser
// download). The HTML comes from `iterpin replay --html` on checked-in TLC counterexamples; the page must load with
// no console error, have a column per trace step and a row per page, mark the violating step, and show a step's
// action when its column is clicked. A page whose embedded data is corrupted must fail the same checks.
// Under CI=true a missing browser is a failure, not a skip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../cli-harness.js';
import { readTraceFixture } from '../tlc-harness.js';
import { entries, get, num } from '../../src/trace/bindings/view_values.js';

const CHROMIUM = process.env['ITERPIN_CHROMIUM'] ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const inCi = process.env['CI'] === 'true';
const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, 'out', 'browser-test');

let browser: Browser | undefined;

beforeAll(async () => {
  if (!haveBrowser) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Loaded {
  readonly page: Page;
  readonly errors: string[];
}

async function open(file: string): Promise<Loaded> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

async function html(name: string, argv: readonly string[]): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name);
  const r = await runCli([...argv, '--html', file], { cwd: root });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return file;
}

/** What a reviewer must see; returns the problems instead of asserting, so the corrupted page can show them. */
async function problems(loaded: Loaded, lane: string, steps: number, pages: number, violating: number, click: number, action: string): Promise<string[]> {
  const { page, errors } = loaded;
  const out = [...errors];
  const l = page.locator(`.lane[data-variant="${lane}"]`).first();
  const columns = await l.locator('th.step').count();
  if (columns !== steps) out.push(`${columns} step columns, expected ${steps}`);
  const rows = await l.locator('tr.page').count();
  if (rows !== pages) out.push(`${rows} page rows, expected ${pages}`);
  const marked = await l.locator('th.step.violating').getAttribute('data-step').catch(() => null);
  if (marked !== String(violating)) out.push(`violating step marked ${marked ?? 'nowhere'}, expected ${violating}`);
  await l.locator(`th.step[data-step="${click}"]`).click({ timeout: 2000 }).catch((e: Error) => out.push(`click: ${e.message}`));
  const details = (await l.locator('.details').textContent()) ?? '';
  if (!details.includes(action)) out.push(`after a click on step ${click} the details show ${JSON.stringify(details.slice(0, 80))}, not ${action}`);
  return out;
}

describe.skipIf(!haveBrowser && !inCi)('timeline HTML in headless Chromium', () => {
  it('the browser is there (CI installs Debian chromium)', () => {
    expect(haveBrowser, `${CHROMIUM} is missing: apt-get install -y chromium (ITERPIN_CHROMIUM names another)`).toBe(true);
  });

  it('replay --against: both variants, a column per step, a row per page, the violation marked, a click shows the action', async () => {
    const fixture = 'MCSpliceReadPipeExtractNoRef';
    const trace = await readTraceFixture(fixture);
    const last = trace.states.length - 1;
    const pages = entries(trace.states[0]!.values.get('owner')).length;
    const file = await html('against.html', ['replay', `test/fixtures/traces/${fixture}.itf.json`, '--against', 'copy-splice-read']);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const loaded = await open(file);
    expect(await problems(loaded, 'pipe-extract-no-ref', trace.states.length, pages, last, 2, 'Truncate(size=2048)')).toEqual([]);
    const own = loaded.page.locator('.lane[data-variant="pipe-extract-no-ref"]');
    expect(await own.locator('.violation').textContent()).toMatch(new RegExp(`step ${last}: ${trace.meta.invariant} fails — .*page 2`));
    // The final design below: the same columns, no violation; its revert narrated in its own terms.
    const fix = loaded.page.locator('.lane[data-variant="copy-splice-read"]');
    expect(await fix.locator('th.step').count()).toBe(trace.states.length);
    expect(await fix.locator('.violation').count()).toBe(0);
    await fix.locator(`th.step[data-step="${last}"]`).click();
    expect(await fix.locator('.details').textContent()).toMatch(/iov_iter_revert\(ITER_BVEC/);
    await loaded.page.screenshot({ path: join(outDir, 'timeline.png'), fullPage: true });
    expect(existsSync(join(outDir, 'timeline.png'))).toBe(true);
    await loaded.page.close();
  }, 60_000);

  it('PageLifetime: refcounts, pins by the GUP bias and the bio holding each page', async () => {
    const fixture = 'MCPageLifetimeBugDioReffed';
    const trace = await readTraceFixture(fixture);
    const pages = entries(trace.states[0]!.values.get('kind')).length;
    const file = await html('page-lifetime.html', ['replay', `test/fixtures/traces/${fixture}.itf.json`, '--against', 'v6.5']);
    const loaded = await open(file);
    expect(await problems(loaded, 'bug-dio-reffed', trace.states.length, pages, trace.states.length - 1, 1, 'GetPages(dio=1, gup=0, add=0, alloc=0, bio=1)')).toEqual([]);
    const row = loaded.page.locator('.lane[data-variant="v6.5"] tr.page[data-key="page 3"] td').nth(1);
    expect(await row.textContent()).toMatch(/ref 1025.*pin 1.*DIO 1 bio #1 \(built\)/s);
    await loaded.page.close();
  }, 60_000);

  it('SpliceRead: pages freed and reallocated to another user are marked, the refusal on the final design shown', async () => {
    const fixture = 'MCSpliceReadPipeExtractNoRefCorruption';
    const trace = await readTraceFixture(fixture);
    const pages = entries(trace.states[0]!.values.get('owner')).length;
    const file = await html('splice.html', ['replay', `test/fixtures/traces/${fixture}.itf.json`, '--against', 'copy-splice-read']);
    const loaded = await open(file);
    expect(await problems(loaded, 'pipe-extract-no-ref', trace.states.length, pages, trace.states.length - 1, 2, 'Truncate(size=2048)')).toEqual([]);
    const own = loaded.page.locator('.lane[data-variant="pipe-extract-no-ref"]');
    expect(await own.locator('td.reallocated').count()).toBeGreaterThan(0);
    expect(await loaded.page.locator('.lane[data-variant="copy-splice-read"] .refusal').textContent()).toMatch(/refuses OtherAlloc\(page=2\) — page 2 is not free/);
    await loaded.page.close();
  }, 60_000);

  it('IterToSg: a row per scatterlist entry and per page, the page array over an old entry, the entry written over', async () => {
    const fixture = 'MCIterToSgBugTempOverTable';
    const trace = await readTraceFixture(fixture);
    const last = trace.states.length - 1;
    // Rows: every entry of the array, and every page a word of the array points at or that holds pins, in any state.
    const first = trace.states[0]!.values;
    const capacity = entries(first.get('mem')).length / num(get(first.get('tbl'), 'ptrs'))!;
    const pages = new Set<string>();
    for (const st of trace.states) {
      for (const [, w] of entries(st.values.get('mem'))) {
        const f = new Map(w.kind === 'record' ? w.fields : []);
        const k = f.get('k');
        const a = f.get('a');
        if (k?.kind === 'str' && k.value === 'page' && a?.kind === 'int') pages.add(String(a.value));
      }
      for (const [p, n] of entries(st.values.get('pins'))) if (n.kind === 'int' && n.value !== 0n) pages.add(String(p));
    }
    const file = await html('iter-to-sg.html', ['replay', `test/fixtures/traces/${fixture}.itf.json`, '--against', 'v7.0.7']);
    const loaded = await open(file);
    expect(await problems(loaded, 'bug-user-temp-over-table', trace.states.length, capacity + pages.size, last, 1, 'Call(maxsize=5, sgMax=3)')).toEqual([]);
    const own = loaded.page.locator('.lane[data-variant="bug-user-temp-over-table"]');
    expect(await own.locator('.violation').textContent()).toMatch(new RegExp(`step ${last}: SgPreservedInv fails — .*sg 2 word 1`));
    // The step before: the user call's page array lies over entry 2, which an earlier call filled.
    const entry2 = own.locator('tr.page[data-key="sg 2"] td');
    expect(await entry2.nth(last - 1).textContent()).toMatch(/an earlier call.*words 9-11 hold the page array/s);
    expect(await entry2.nth(last).textContent()).toMatch(/written over: word 1/);
    expect(await own.locator('tr.page[data-key="page 1"] td').nth(last).textContent()).toMatch(/user.*pin 1.*sg 2/s);
    // The final design puts the array after the used entries: entry 2 keeps its words.
    const fix = loaded.page.locator('.lane[data-variant="v7.0.7"]');
    expect(await fix.locator('.violation').count()).toBe(0);
    expect(await fix.locator('tr.page[data-key="sg 2"] td').nth(last).textContent()).not.toMatch(/written over/);
    await loaded.page.close();
  }, 60_000);

  it('a page whose embedded data is corrupted fails the checks', async () => {
    const fixture = 'MCSpliceReadPipeExtractNoRef';
    const trace = await readTraceFixture(fixture);
    const pages = entries(trace.states[0]!.values.get('owner')).length;
    const good = await html('good.html', ['replay', `test/fixtures/traces/${fixture}.itf.json`]);
    const broken = join(outDir, 'corrupted.html');
    writeFileSync(broken, readFileSync(good, 'utf8').replace('<script type="application/json" id="iterpin-data">{', '<script type="application/json" id="iterpin-data">{,'));
    const args = ['pipe-extract-no-ref', trace.states.length, pages, trace.states.length - 1, 2, 'Truncate(size=2048)'] as const;
    const ok = await open(good);
    expect(await problems(ok, ...args)).toEqual([]);
    const bad = await open(broken);
    const found = await problems(bad, ...args);
    expect(found.some((p) => /JSON/.test(p))).toBe(true);
    expect(found.some((p) => /after a click on step 2/.test(p))).toBe(true);
    await ok.page.close();
    await bad.page.close();
  }, 60_000);
});
