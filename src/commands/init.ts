import { rename, writeFile } from 'node:fs/promises';
import { readIfExists } from '../read-if-exists.js';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { CONFIG_FILE } from '../config-names.js';
import { parseConfig, type RepoConfig } from '../config-schema.js';
import { attributesBlock, unsaidLine, withAttributesBlock } from '../hook/merge-setup.js';
import { UserError } from '../errors.js';
import { hubKind, redactLocation } from '../hub/location.js';
import { openRepo } from '../repo.js';

export const PREPARE = 'custodian-hooks install';

/**
 * A hub a whole team may share through a committed file: a URL every machine can reach and that
 * holds no secret. A SQLite file is one machine's; a password belongs in the credentials file.
 */
function shareableHub(location: string, named: string): string {
  const kind = hubKind(location, named);
  if (kind === 'sqlite')
    throw new UserError(
      `${named}: '${location}' is a SQLite file on this machine; a hub in ${CONFIG_FILE} is shared by every clone, so give an http(s):// or postgres:// URL`,
    );
  if (redactLocation(location) !== location)
    throw new UserError(
      `${named}: '${redactLocation(location)}' holds credentials, which must not be committed; give the URL without them and put the token in the credentials file`,
    );
  return location;
}

/** Replaces a file whole or not at all. */
async function writeWhole(file: string, text: string): Promise<void> {
  const temp = `${file}.custodian-${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/**
 * `.custodian.yml` with `repo` and `hub` added where missing; comments and every other key kept.
 * An explicit `--hub` replaces a different one: that is what the user asked for.
 */
export function configWith(text: string | null, slug: string, hub: { location: string; explicit: boolean } | null): { text: string; said: string[] } {
  const doc = parseDocument(text ?? '');
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) parseConfig(text ?? ''); // throws the config's own message, file and line
  const said: string[] = [];
  if (!doc.has('repo')) {
    doc.set('repo', slug);
    said.push(`repo: ${slug}`);
  }
  const current = doc.get('hub');
  if (hub && (current === undefined || (hub.explicit && current !== hub.location))) {
    doc.set('hub', hub.location);
    said.push(`hub: ${hub.location}`);
  }
  const next = said.length === 0 && text !== null ? text : doc.toString();
  parseConfig(next);
  return { text: next, said };
}

/** package.json's `prepare` running `custodian-hooks install` after whatever it ran before; the file's own indentation kept. */
export function packageJsonWith(text: string): { text: string; said: string | null } {
  let json: { scripts?: Record<string, unknown> };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (error) {
    throw new UserError(`package.json: not valid JSON (${(error as Error).message}); fix it, then run init again`);
  }
  // npm reads none of these: init would write a prepare script no install runs, or garble one.
  const notAn = (value: unknown) => typeof value !== 'object' || value === null || Array.isArray(value);
  if (notAn(json)) throw new UserError('package.json: not an object, as npm reads one; fix it, then run init again');
  if (json.scripts !== undefined && notAn(json.scripts))
    throw new UserError('package.json: "scripts" is not an object of named scripts; fix it, then run init again');
  const prepare = json.scripts?.prepare;
  if (prepare !== undefined && typeof prepare !== 'string')
    throw new UserError('package.json: "scripts.prepare" is not a command line; fix it, then run init again');
  if (prepare?.includes(PREPARE)) return { text, said: null };
  const next = prepare ? `${prepare} && ${PREPARE}` : PREPARE;
  json.scripts = { ...json.scripts, prepare: next };
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  const ending = text.endsWith('\n') ? '\n' : '';
  return { text: `${JSON.stringify(json, null, indent)}${ending}`, said: `"prepare": "${next}"` };
}

/**
 * `custodian-hooks init`: the repo's `.custodian.yml` (its slug, and the team's hub when one is
 * given by --hub or an http(s) CUSTODIAN_HUB) and package.json's `prepare` script, so that every
 * clone that runs `npm ci` gets the hooks. Running it again changes nothing.
 */
export async function initCommand(
  options: { cwd: string; hub?: string; mergeAttributes?: boolean },
  write: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const repo = await openRepo(options.cwd);
  const fromEnv = env.CUSTODIAN_HUB?.trim();
  const hub = options.hub
    ? { location: shareableHub(options.hub, '--hub'), explicit: true }
    : fromEnv && hubKind(fromEnv, 'CUSTODIAN_HUB') === 'http' && redactLocation(fromEnv) === fromEnv
      ? { location: fromEnv, explicit: false }
      : null;

  // Both files are worked out before either is written: a package.json init cannot read leaves the config alone too.
  const configFile = path.join(repo.top, CONFIG_FILE);
  const packageFile = path.join(repo.top, 'package.json');
  const [before, pkg] = await Promise.all([readIfExists(configFile), readIfExists(packageFile)]);
  const config = configWith(before, repo.slug, hub);
  const scripts = pkg === null ? null : packageJsonWith(pkg);

  if (config.text !== before) await writeWhole(configFile, config.text);
  write(config.said.length > 0 ? `${CONFIG_FILE}: ${config.said.join(', ')}\n` : `${CONFIG_FILE}: already set up\n`);
  if (!parseConfig(config.text).hub) write('  no hub in it: each machine keeps its own embedded store until you run init --hub URL\n');
  if (scripts === null) write('no package.json: each clone runs "npx custodian-hooks install" once\n');
  else {
    if (scripts.said) await writeWhole(packageFile, scripts.text);
    write(scripts.said ? `package.json: ${scripts.said}\n` : 'package.json: prepare already runs custodian-hooks install\n');
  }
  const attributes = options.mergeAttributes ? await markWorkplansInGitattributes(repo.top, parseConfig(config.text), write) : null;
  const files = [CONFIG_FILE, ...(pkg === null ? [] : ['package.json']), ...(attributes ? ['.gitattributes'] : [])];
  if (!options.mergeAttributes) write('  (init --merge-attributes marks the workplans for the merge driver in a committed .gitattributes, for every clone)\n');
  else write(attributes ? '.gitattributes: workplans marked for the merge driver\n' : '.gitattributes: workplans already marked\n');
  write(`commit ${files.join(', ').replace(/, ([^,]*)$/, ' and $1')}, then run custodian-hooks install here\n`);
}

/** The merge driver's attributes in the committed .gitattributes; false when they are there already. */
async function markWorkplansInGitattributes(top: string, config: RepoConfig, write: (text: string) => void): Promise<boolean> {
  const file = path.join(top, '.gitattributes');
  const block = attributesBlock(config);
  for (const glob of block.unsaid) write(`  ${unsaidLine(glob)}\n`);
  const after = withAttributesBlock(await readIfExists(file), block.text);
  if (after !== null) await writeWhole(file, after);
  return after !== null;
}
