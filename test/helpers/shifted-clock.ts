import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * NODE_OPTIONS that make a node process read a clock `ms` off the machine's (negative: behind), as
 * a host whose clock is wrong does. The module goes in `dir`.
 */
export async function shiftedClock(dir: string, ms: number): Promise<string> {
  const file = path.join(dir, `clock-${ms < 0 ? 'behind' : 'ahead'}-${Math.abs(ms)}.cjs`);
  await writeFile(
    file,
    `const Real = Date; const skew = ${ms};\n` +
      'globalThis.Date = class extends Real { constructor(...a) { super(...(a.length ? a : [Real.now() + skew])); } static now() { return Real.now() + skew; } };\n',
  );
  return `--require ${file}`;
}
