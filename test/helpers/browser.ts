import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium (package chromium), driven by playwright-core: no browser download. Tests that
 * need it skip with this reason when it is missing.
 */
const CHROMIUM = '/usr/bin/chromium';
export const NO_BROWSER = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (Debian package chromium); these checks need a real browser`;

/** A fresh headless browser, closed when the test ends; each `newPage` gets its own profile. */
export async function openBrowser(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  t.after(() => browser.close());
  return browser;
}
