import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import type { Status } from '../src/status.js';
import type { Page } from 'playwright-core';
import { seriousViolations } from './helpers/axe.js';
import { NO_BROWSER, openBrowser } from './helpers/browser.js';
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

/** A hub on a loopback port holding two repos: the dashboard's own plan, a second plan, a task rank decided, and one no run has seen in a file. */
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
  // A run found file and hub both moved on DASH-3, and the hub won by rank (C-22).
  await store.sync({ repo: 'acme', by: 'laptop', changes: [{ id: 'DASH-3', expectedVersion: 1, point: point('in_progress'), decidedByRank: true }] });
  await store.setStatus({ repo: 'acme', id: 'DASH-4', status: 'in_progress', by: 'agent-7', why: 'picked up by the night run' });
  return { url, token };
}

const visit = (page: Page, url: string, address: string) => page.goto(new URL(address, url).href);
/** The text of every body row of the page's first table, cells joined by " | ". */
async function tableRows(page: Page): Promise<string[]> {
  const rows = await page.locator('table').first().locator('tbody tr').all();
  return Promise.all(rows.map(async (row) => (await row.locator('th, td').allInnerTexts()).map((cell) => cell.replace(/\s+/g, ' ').trim()).join(' | ')));
}
/** The id column of the first table's rows. */
const ids = async (page: Page) => (await tableRows(page)).map((row) => row.split(' | ')[1]);

// Each test opens its browser before its hub: the browser then closes first (after-hooks run in the
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
    for (const [name, screen] of [
      ['desktop', { viewport: { width: 1280, height: 900 } }],
      ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
    ] as const) {
      const page = await browser.newPage(screen);
      for (const [what, address] of Object.entries(pages)) {
        await visit(page, url, address);
        await page.screenshot({ path: path.join(SHOTS, `${what}-${name}.png`), fullPage: true });
        const [scrollWidth, innerWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
        assert.ok(scrollWidth <= innerWidth, `${what} at ${name} width: the page is ${scrollWidth}px wide in a ${innerWidth}px window`);
      }
    }
  });

  test('the overview shows each workplan’s counts and a bar whose segments match them', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    const page = await browser.newPage();
    await visit(page, url, '/');
    const rows = await tableRows(page);
    assert.match(rows[0]!, /^The progress dashboard WP-21 \| {2}\| 1 \| 2 \| 1 \| 2 \| 1 \| 3 of 7 \(42%\) \| \d{4}-/);
    assert.match(rows[1]!, /^Release 0\.2 WP-22 \| {2}\| 2 \| 0 \| 0 \| 1 \| 0 \| 1 of 3 \(33%\)/);
    // Each segment's drawn width, in sevenths of the bar drawn: the workplan's seven tasks.
    const segments = await page.locator('svg.bar').first().locator('rect').all();
    const drawn = await Promise.all(segments.map(async (rect) => [await rect.getAttribute('class'), (await rect.boundingBox())!.width] as const));
    const whole = drawn.reduce((sum, [, width]) => sum + width, 0);
    assert.deepEqual(
      drawn.map(([status, width]) => [status, Math.round((width / whole) * 7)]),
      [
        ['todo', 1],
        ['in_progress', 2],
        ['blocked', 1],
        ['done', 2],
        ['cancelled', 1],
      ],
    );
    assert.deepEqual(await page.locator('h2').allTextContents(), ['acme', 'widgets']);
  });

  test('a status set from the CLI shows on an open workplan page without a reload', async (t) => {
    const browser = await openBrowser(t);
    const { url, token } = await seededHub(t);
    const page = await browser.newPage();
    await visit(page, url, '/workplan?repo=acme&wp=WP-21');
    await page.evaluate('window.notReloaded = true');
    await page.locator('#live', { hasText: /^Live/ }).waitFor();
    const set = await runCli(await tempDir(t), ['task', 'set', 'DASH-5', 'done', '--repo', 'acme', '--why', 'unblocked'], {
      CUSTODIAN_HUB: url,
      CUSTODIAN_HUB_TOKEN: token,
    });
    assert.equal(set.code, 0, set.stderr);
    // The page asks every second; Playwright waits for the row to change, its patience only guards against a hung browser.
    const row = page.locator('tbody tr', { hasText: 'DASH-5' }).filter({ hasText: 'unblocked' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /done/);
    assert.equal(await page.evaluate('window.notReloaded'), true, 'the page was not reloaded');
    assert.match((await page.locator('#live').textContent()) ?? '', /^Updated/);
  });

  test('the filters and the search narrow the list, by mouse and by keyboard', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    const page = await browser.newPage();
    await visit(page, url, '/workplan?repo=acme&wp=WP-21');
    await page.click('input[name=status][value=done]');
    await page.click('input[name=status][value=todo]');
    await page.click('button[type=submit]');
    await page.waitForURL(/status=todo&status=done/);
    assert.deepEqual(await ids(page), ['DASH-1', 'DASH-2', 'DASH-7']);
    // The search alone, typed and submitted with Enter from the field.
    await visit(page, url, '/workplan?repo=acme&wp=WP-21');
    await page.locator('input[name=q]').pressSequentially('HISTORY');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=HISTORY/);
    assert.deepEqual(await ids(page), ['DASH-4']);
    // From the top of the page, Tab reaches the skip link first, and the focus is drawn.
    await visit(page, url, '/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<[string, string]>(
      '[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth]',
    );
    assert.equal(focused[0], 'Skip to content');
    assert.match(focused[1], /^solid [1-9]/);
  });

  test('with JavaScript off, every page shows its data and the filter form still works', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    const page = await browser.newPage({ javaScriptEnabled: false });
    await visit(page, url, '/');
    assert.match((await tableRows(page))[0]!, /3 of 7/);
    assert.equal(await page.locator('#live').textContent(), '', 'the live script did not run');
    await visit(page, url, '/workplan?repo=acme&wp=WP-21');
    await page.click('input[name=status][value=blocked]');
    await page.click('button[type=submit]');
    await page.waitForURL(/status=blocked/);
    assert.deepEqual(await ids(page), ['DASH-5']);
    await visit(page, url, '/task?repo=acme&id=DASH-4');
    assert.match((await page.locator('table tbody').first().textContent()) ?? '', /by agent-7 — picked up by the night run/);
    await visit(page, url, '/activity');
    assert.equal((await tableRows(page)).length, 12);
  });

  test('axe-core finds no serious or critical violation on any page, at desktop or phone width', async (t) => {
    const browser = await openBrowser(t);
    const { url } = await seededHub(t);
    // The hub's CSP forbids injected scripts, as it should; these pages let axe in.
    for (const screen of [{ viewport: { width: 1280, height: 900 } }, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }]) {
      const page = await browser.newPage({ ...screen, bypassCSP: true });
      for (const address of [
        '/',
        '/workplan?repo=acme&wp=WP-21',
        '/workplan?repo=acme&wp=WP-21&status=done',
        '/task?repo=acme&id=DASH-4',
        '/activity',
        '/task?repo=acme&id=NOPE',
      ]) {
        await visit(page, url, address);
        assert.deepEqual(await seriousViolations(page), [], `${address} at ${screen.viewport.width}px`);
      }
    }
  });
});
