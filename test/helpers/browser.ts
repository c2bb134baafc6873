import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { execa } from 'execa';

/**
 * A real headless Chromium driven over W3C WebDriver by Debian's chromedriver: plain HTTP, so the
 * tests need no browser library. Debian's packages chromium and chromium-driver; tests that need
 * them skip with this reason when they are missing.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMEDRIVER = '/usr/bin/chromedriver';
export const NO_BROWSER =
  existsSync(CHROMIUM) && existsSync(CHROMEDRIVER)
    ? false
    : `${CHROMIUM} or ${CHROMEDRIVER} is not installed (Debian packages chromium and chromium-driver); these checks need a real browser`;

/** The W3C key of an element reference in WebDriver answers. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export interface Browser {
  goto(url: string): Promise<void>;
  /** The page's viewport, as a desktop window or, with `mobile`, as a phone would lay it out. */
  viewport(width: number, height: number, mobile?: boolean): Promise<void>;
  /** Runs `body` (a function body) in the page with `args` as `arguments`; returns what it returns. */
  run<T>(body: string, ...args: unknown[]): Promise<T>;
  click(selector: string): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  /** Sends a key to whatever has the focus (`\uE004` is Tab, `\uE007` Enter). */
  key(key: string): Promise<void>;
  /** The whole page, not just the window, as a PNG file. */
  screenshot(file: string): Promise<void>;
  /** Waits until `body` returns something truthy in the page, checking every 100 ms; gives up after `patienceMs`. */
  until<T>(body: string, patienceMs?: number): Promise<T>;
}

/** A fresh browser with its own profile, closed when the test ends. `javascript: false` turns scripts off. */
export async function openBrowser(t: TestContext, { javascript = true } = {}): Promise<Browser> {
  const driver = execa(CHROMEDRIVER, ['--port=0'], { reject: false, stdin: 'ignore' });
  const base = await new Promise<string>((resolve, reject) => {
    let seen = '';
    driver.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const port = /started successfully on port (\d+)/.exec(seen)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    driver.once('exit', () => reject(new Error(`chromedriver stopped before it listened: ${seen}`)));
  }).catch((error: unknown) => {
    driver.kill();
    throw error;
  });
  let session: string | undefined;
  // The session first: it quits the browser, whose processes would otherwise outlive the driver.
  t.after(async () => {
    if (session) await call('DELETE', `/session/${session}`).catch(() => undefined);
    driver.kill();
  });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { value: T & { error?: string; message?: string } };
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${answer.value.error}: ${answer.value.message?.split('\n')[0]}`);
    return answer.value;
  };

  const created = await call<{ sessionId: string }>('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'chrome',
        'goog:chromeOptions': {
          binary: CHROMIUM,
          args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,900', '--lang=en-US'],
          prefs: javascript ? {} : { 'profile.managed_default_content_settings.javascript': 2 },
        },
      },
    },
  });
  session = created.sessionId;
  const at = `/session/${session}`;

  const find = async (selector: string) => (await call<Record<string, string>>('POST', `${at}/element`, { using: 'css selector', value: selector }))[ELEMENT]!;
  /** A DevTools Protocol command, through chromedriver's own passage for them. */
  const cdp = <T>(cmd: string, params: Record<string, unknown>) => call<T>('POST', `${at}/goog/cdp/execute`, { cmd, params });
  const run = <T>(body: string, ...args: unknown[]) => call<T>('POST', `${at}/execute/sync`, { script: body, args });

  return {
    goto: async (url) => {
      await call('POST', `${at}/url`, { url });
    },
    viewport: async (width, height, mobile = false) => {
      await cdp('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
    },
    run,
    click: async (selector) => {
      await call('POST', `${at}/element/${await find(selector)}/click`, {});
    },
    type: async (selector, text) => {
      const element = await find(selector);
      await call('POST', `${at}/element/${element}/clear`, {});
      await call('POST', `${at}/element/${element}/value`, { text });
    },
    key: async (key) => {
      await call('POST', `${at}/actions`, {
        actions: [
          {
            type: 'key',
            id: 'keyboard',
            actions: [
              { type: 'keyDown', value: key },
              { type: 'keyUp', value: key },
            ],
          },
        ],
      });
      await call('DELETE', `${at}/actions`);
    },
    screenshot: async (file) => {
      const [width, height] = await run<[number, number]>(
        'const root = document.documentElement; return [Math.max(root.scrollWidth, innerWidth), Math.max(root.scrollHeight, innerHeight)]',
      );
      const shot = await cdp<{ data: string }>('Page.captureScreenshot', {
        format: 'png',
        captureBeyondViewport: true,
        clip: { x: 0, y: 0, width, height, scale: 1 },
      });
      await writeFile(file, Buffer.from(shot.data, 'base64'));
    },
    until: async <T>(body: string, patienceMs = 10_000) => {
      const give = Date.now() + patienceMs;
      for (;;) {
        const value = await run<T>(body);
        if (value) return value;
        if (Date.now() > give) throw new Error(`the page never satisfied: ${body}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
