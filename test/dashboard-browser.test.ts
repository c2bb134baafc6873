import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import type { Status } from '../src/status.js';
import { A11Y_AUDIT } from './helpers/a11y-audit.js';
import { type Browser, NO_BROWSER, openBrowser } from './helpers/browser.js';
import { runCli } from './helpers/cli.js';
import { httpHubOver, sqliteStore } from './helpers/hubs.js';
import { ROOT } from './helpers/paths.js';
import { tempDir } from './helpers/temp-repo.js';

/** Where the screenshots are kept for people to look at (dist/ is not committed). */
const SHOTS = path.join(ROOT, 'dist', 'screenshots');
const SHA = 'c0ffee'.padEnd(40, '0');

const PLAN: [string, Status, string][] = [
  ['DASH-1', 'done', 'Serve the overview at /'],
  ['DASH-2', 'done', 'Count each workplan’s tasks by status'],
  ['DASH-3', 'in_progress', 'List a workplan’s tasks with filters and a text search'],
  ['DASH-4', 'todo', 'Show a task’s full history, newest first'],
  ['DASH-5', 'blocked', 'Follow changes without a reload'],
  ['DASH-6', 'cancelled', 'A front-end build chain'],
  ['DASH-7', 'todo', 'Keep every asset on the hub, so that the page works on a network with no way out, and say so'],
];

/** A hub on a loopback port holding two repos: the dashboard's own plan, a second plan, and a task no run has seen in a file. */
async function seededHub(t: TestContext) {
  const store = await sqliteStore(t);
  const { url, token } = await httpHubOver(t, store);
  const point = (status: Status) => ({ status, commit: SHA, upstream: null, origin: SHA });
  await store.sync({
    repo: 'acme',
    by: 'workstation',
    why: 'custodian-hooks run --fix',
    changes: PLAN.map(([id, status, title]) => ({
      id,
      expectedVersion: 0,
      status,
      title,
      priority: id === 'DASH-5' ? 'high' : 'medium',
      workplan: { id: 'WP-21', title: 'The progress dashboard' },
      point: point(status),
    })),
  });
  await store.sync({
    repo: 'acme',
    by: 'laptop',
    changes: [1, 2, 3].map((n) => ({
      id: `REL-${n}`,
      expectedVersion: 0,
      status: n === 1 ? ('done' as const) : ('todo' as const),
      title: `Release step ${n}`,
      workplan: { id: 'WP-22', title: 'Release 0.2' },
      point: point(n === 1 ? 'done' : 'todo'),
    })),
  });
  await store.sync({ repo: 'widgets', by: 'ci', changes: [{ id: 'W-1', expectedVersion: 0, status: 'in_progress', title: 'Widget polish' }] });
  await store.setStatus({ repo: 'acme', id: 'DASH-4', status: 'in_progress', by: 'agent-7', why: 'picked up by the night run' });
  return { url, token };
}

const page = (b: Browser, url: string, address: string) => b.goto(new URL(address, url).href);
/** The text of every body row of the page's first table, cells joined by " | ". */
const tableRows = (b: Browser) =>
  b.run<string[]>(
    `return [...document.querySelector('table tbody').rows].map((r) => [...r.cells].map((c) => c.innerText.replace(/\\s+/g, ' ').trim()).join(' | '))`,
  );

// Each test opens its browser before its hub: the browser then quits first (after-hooks run in the
// order they were added), and the hub is not left waiting out the sockets Chromium opens ahead.
describe('the dashboard in a real browser', { skip: NO_BROWSER }, () => {
  test('each page, at desktop and phone widths, is saved as a screenshot and fits the screen', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    await mkdir(SHOTS, { recursive: true });
    const pages = {
      overview: '/',
      workplan: '/workplan?repo=acme&wp=WP-21',
      task: '/task?repo=acme&id=DASH-4',
      activity: '/activity',
    };
    for (const [width, height, mobile, name] of [
      [1280, 900, false, 'desktop'],
      [390, 844, true, 'phone'],
    ] as const) {
      await browser.viewport(width, height, mobile);
      for (const [what, address] of Object.entries(pages)) {
        await page(browser, url, address);
        await browser.screenshot(path.join(SHOTS, `${what}-${name}.png`));
        const [scrollWidth, innerWidth] = await browser.run<[number, number]>('return [document.documentElement.scrollWidth, window.innerWidth]');
        assert.ok(scrollWidth <= innerWidth, `${what} at ${name} width: the page is ${scrollWidth}px wide in a ${innerWidth}px window`);
      }
    }
  });

  test('the overview shows each workplan’s counts and a bar whose segments match them', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    await page(browser, url, '/');
    const rows = await tableRows(browser);
    assert.match(rows[0]!, /^The progress dashboard WP-21 \| {2}\| 1 \| 2 \| 1 \| 2 \| 1 \| 3 of 7 \(42%\) \| \d{4}-/);
    assert.match(rows[1]!, /^Release 0\.2 WP-22 \| {2}\| 2 \| 0 \| 0 \| 1 \| 0 \| 1 of 3 \(33%\)/);
    // Each segment's drawn width, in sevenths of the bar drawn: the workplan's seven tasks.
    const segments = await browser.run<[string, number][]>(
      `const rects = [...document.querySelector('svg.bar').querySelectorAll('rect')];
       const drawn = rects.reduce((sum, r) => sum + r.getBoundingClientRect().width, 0);
       return rects.map((r) => [r.getAttribute('class'), Math.round(r.getBoundingClientRect().width / drawn * 7)])`,
    );
    assert.deepEqual(segments, [
      ['todo', 1],
      ['in_progress', 2],
      ['blocked', 1],
      ['done', 2],
      ['cancelled', 1],
    ]);
    assert.deepEqual(await browser.run('return [...document.querySelectorAll("h2")].map((h) => h.textContent)'), ['acme', 'widgets']);
  });

  test('a status set from the CLI shows on an open workplan page without a reload', async (t) => {
    const browser = await openBrowser(t);
    const { url, token } = await seededHub(t);
    await page(browser, url, '/workplan?repo=acme&wp=WP-21');
    await browser.run('window.notReloaded = true');
    await browser.until('return document.getElementById("live").textContent.startsWith("Live")');
    const set = await runCli(await tempDir(t), ['task', 'set', 'DASH-5', 'done', '--repo', 'acme', '--why', 'unblocked'], {
      CUSTODIAN_HUB: url,
      CUSTODIAN_HUB_TOKEN: token,
    });
    assert.equal(set.code, 0, set.stderr);
    // The page asks every second; waiting longer only guards against a hung browser.
    const row = await browser.until<string>(
      `const row = [...document.querySelectorAll('tbody tr')].find((r) => r.innerText.includes('DASH-5')); return row && row.innerText.includes('unblocked') && row.innerText`,
    );
    assert.match(row, /done/);
    assert.equal(await browser.run('return window.notReloaded'), true, 'the page was not reloaded');
    assert.match(await browser.run<string>('return document.getElementById("live").textContent'), /^Updated/);
  });

  test('the filters and the search narrow the list, by mouse and by keyboard', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    await page(browser, url, '/workplan?repo=acme&wp=WP-21');
    await browser.click('input[name=status][value=done]');
    await browser.click('input[name=status][value=todo]');
    await browser.click('button[type=submit]');
    await browser.until('return location.search.includes("status=")');
    assert.match(await browser.run<string>('return location.search'), /status=todo&status=done/);
    assert.deepEqual(
      (await tableRows(browser)).map((r) => r.split(' | ')[1]),
      ['DASH-1', 'DASH-2', 'DASH-7'],
    );
    // The search alone, submitted with Enter from the field.
    await page(browser, url, '/workplan?repo=acme&wp=WP-21');
    await browser.type('input[name=q]', 'HISTORY');
    await browser.key('\uE007');
    await browser.until('return location.search.includes("q=HISTORY")');
    assert.deepEqual(
      (await tableRows(browser)).map((r) => r.split(' | ')[1]),
      ['DASH-4'],
    );
    // From the top of the page, Tab reaches the skip link first, and the focus is drawn.
    await page(browser, url, '/');
    await browser.key('\uE004');
    const focused = await browser.run<[string, string]>(
      'const el = document.activeElement; return [el.textContent, getComputedStyle(el).outlineStyle + " " + getComputedStyle(el).outlineWidth]',
    );
    assert.equal(focused[0], 'Skip to content');
    assert.match(focused[1], /^solid [1-9]/);
  });

  test('with JavaScript off, every page shows its data and the filter form still works', async (t) => {
    const browser = await openBrowser(t, { javascript: false });
    const { url } = await seededHub(t);
    await page(browser, url, '/');
    assert.match((await tableRows(browser))[0]!, /3 of 7/);
    assert.equal(await browser.run('return document.getElementById("live").textContent'), '', 'the live script did not run');
    await page(browser, url, '/workplan?repo=acme&wp=WP-21');
    await browser.click('input[name=status][value=blocked]');
    await browser.click('button[type=submit]');
    await browser.until('return location.search.includes("status=blocked")');
    assert.deepEqual(
      (await tableRows(browser)).map((r) => r.split(' | ')[1]),
      ['DASH-5'],
    );
    await page(browser, url, '/task?repo=acme&id=DASH-4');
    assert.match(await browser.run<string>('return document.querySelector("table tbody").innerText'), /by agent-7 — picked up by the night run/);
    await page(browser, url, '/activity');
    assert.equal((await tableRows(browser)).length, 12);
  });

  test('every page passes the accessibility audit', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    for (const address of [
      '/',
      '/workplan?repo=acme&wp=WP-21',
      '/workplan?repo=acme&wp=WP-21&status=done',
      '/task?repo=acme&id=DASH-4',
      '/activity',
      '/task?repo=acme&id=NOPE',
    ]) {
      await page(browser, url, address);
      assert.deepEqual(await browser.run<string[]>(A11Y_AUDIT), [], address);
    }
  });
});
