import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../src/hub/open.js';
import type { RepoState } from '../src/hub/types.js';
import { tempDir } from './helpers/temp-repo.js';

test('a hub restored from a backup never repeats an ETag a clone settled at, even at the same revision', async (t) => {
  const dir = await tempDir(t);
  const db = path.join(dir, 'hub.sqlite');
  const write = async (status: 'todo' | 'done' | 'blocked', expectedVersion: number) => {
    const store = await openStore(db);
    try {
      const change = { id: 'A', expectedVersion, status, ...(expectedVersion === 0 ? { title: 'A' } : {}) };
      const result = await store.sync({ repo: 'acme', by: 'test', changes: [change] });
      assert.ok(result.ok);
      return { etag: result.etag, basis: result.basis, read: ((await store.readRepo('acme')) as RepoState).etag };
    } finally {
      await store.close();
    }
  };
  await write('todo', 0);
  await copyFile(db, path.join(dir, 'backup.sqlite'));
  await write('done', 1);
  const settled = await write('blocked', 2);
  assert.equal(settled.read, settled.etag);

  // Restored: the revision counts up again to the one the clone settled at.
  await copyFile(path.join(dir, 'backup.sqlite'), db);
  const first = await write('done', 1);
  const again = await write('blocked', 2);
  assert.notEqual(again.etag, settled.etag, 'same revision, another ETag');
  assert.equal(again.basis, first.etag, "a batch's basis is the ETag just before it");
});
