import pc from 'picocolors';

/**
 * picocolors, but FORCE_COLOR=0 (or false) means no colour, as in Node and most CLIs: picocolors
 * takes any non-empty FORCE_COLOR as a request for colour.
 */
export function colorWanted(env: NodeJS.ProcessEnv, supported: boolean): boolean {
  return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' ? false : supported;
}

export const colors = pc.createColors(colorWanted(process.env, pc.isColorSupported));
