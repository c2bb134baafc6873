import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * The serious and critical violations axe-core finds in the page as it stands, one line per
 * element. The page must allow the injected script (a context made with `bypassCSP: true`).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const { violations } = await page.evaluate<AxeResults>('axe.run(document, { resultTypes: ["violations"] })');
  return violations
    .filter((rule) => rule.impact === 'serious' || rule.impact === 'critical')
    .flatMap((rule) => rule.nodes.map((node) => `${rule.id} (${rule.impact}) at ${node.target.join(' ')}: ${rule.help}`));
}
