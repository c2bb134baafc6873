import { fileURLToPath } from 'node:url';

/** The repository root, whether tests run from sources or from dist/. */
export const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
export const FIXTURES = `${ROOT}test/fixtures/`;
export const CLI = `${ROOT}dist/src/cli.js`;
