import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { hubKind } from '../src/hub/location.js';
import { openStore } from '../src/hub/open.js';
import { parseReport, scene } from './helpers/scene.js';

describe('a hub location is validated, and check mode creates nothing', () => {
  test('only http(s)://, postgres(ql):// and a path that names a SQLite file are hubs', async () => {
    const hubs: [string, string][] = [
      ['http://127.0.0.1:7420', 'http'],
      ['https://hub.example/', 'http'],
      ['postgres://u@db/custodian', 'postgres'],
      ['postgresql://db/custodian', 'postgres'],
      [path.resolve('hub'), 'sqlite'],
      ['hub.sqlite', 'sqlite'],
      ['data/team.db', 'sqlite'],
    ];
    for (const [location, kind] of hubs) assert.equal(hubKind(location, 'CUSTODIAN_HUB'), kind, location);
    for (const typo of ['https//typo:7420', 'http:/host', 'htp://host', 'hub', 'ftp://host/x.db', 'http://', 'sqlite:hub.db']) {
      assert.throws(() => hubKind(typo, 'CUSTODIAN_HUB'), /^UserError: CUSTODIAN_HUB: '.*' is not a hub location: give an http\(s\):\/\/ URL/, typo);
    }
    await assert.rejects(
      openStore('http://127.0.0.1:7420'),
      /^UserError: --db: 'http:\/\/127\.0\.0\.1:7420' is an HTTP hub; a store is a SQLite file or a postgres:\/\/ URL/,
    );
  });

  test('a typo in CUSTODIAN_HUB is a usage error naming it, credentials hidden, and nothing is created', async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    s.env.CUSTODIAN_HUB = 'https//machine:s3cret@typo:7420';
    for (const args of [['--fix'], []]) {
      const run = await s.workstation.run(...args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(
        run.stderr,
        "custodian-hooks: CUSTODIAN_HUB: 'https//…@typo:7420' is not a hub location: give an http(s):// URL, " +
          'a postgres:// URL, or a SQLite file (an absolute path, or a name ending in .sqlite or .db)',
      );
      assert.ok(!run.stderr.includes('s3cret'));
    }
    assert.ok(!existsSync(path.join(s.workstation.dir, 'https')));
    assert.equal(await s.workstation.git('status', '--porcelain', '--ignored'), '');
  });

  test('check mode reads a hub file that is not there as an empty hub and creates none; an existing one stays as it was', async (t) => {
    const s = await scene(t, [{ id: 'A', status: 'todo' }]);
    const folder = path.join(s.root, 'fresh');
    s.env.CUSTODIAN_HUB = path.join(folder, 'hub.sqlite');
    const check = await s.workstation.run();
    assert.match(
      parseReport(check.stdout)
        .findings.map((f) => f.message)
        .join('\n'),
      /Task '.*' is not in the DB — run --fix to create it/,
    );
    assert.ok(!existsSync(folder), 'check mode created the hub folder');

    assert.equal((await s.workstation.run('--fix')).code, 0);
    const before = await readFile(s.env.CUSTODIAN_HUB);
    const files = await readdir(folder);
    await s.workstation.edit('A', 'done');
    const again = parseReport((await s.workstation.run()).stdout);
    assert.match(again.findings.map((f) => f.message).join('\n'), /newer in the file \(file=done, db=todo\) — run --fix to push it to DB/);
    assert.deepEqual(await readdir(folder), files);
    assert.ok(before.equals(await readFile(s.env.CUSTODIAN_HUB)), 'check mode changed the hub file');
  });
});
