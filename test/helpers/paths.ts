import { fileURLToPath } from 'node:url';

/** The repository root, whether tests run from sources or from dist/. */
export const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
export const FIXTURES = `${ROOT}test/fixtures/`;
/** The CLI as it ships: the bundle `npm run build` makes. */
export const CLI = `${ROOT}dist/bundle/cli.cjs`;
