import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDryRunPush } from '../src/hook/dry-run.js';

const words = (line: string) => line.split(' ');

test('a dry run is read from git push as its option parser reads it', () => {
  for (const line of [
    'git push --dry-run',
    'git push -n origin main',
    'git push -vn origin',
    'git push -fnu origin main',
    'git push --dr',
    'git push --dry-run=x',
    'git -c push.default=current -C /repo push -n',
    '/usr/bin/git --git-dir /repo/.git push --dry-run',
    'git push -o ci.skip -n',
    'git push --no-dry-run --dry-run',
  ])
    assert.equal(isDryRunPush(words(line)), true, line);
  for (const line of [
    'git push',
    'git push origin main',
    'git push --delete origin old',
    'git push --d origin',
    'git push -o n origin',
    'git push -onx origin',
    'git push --push-option -n origin',
    'git push --repo -n',
    'git push origin -- -n',
    'git push --end-of-options -n',
    'git push --dry-run --no-dry-run',
    'git push --no-dr',
    'git pushy -n',
    'git p -n',
    'git -C -n push',
    'git fetch -n',
  ])
    assert.equal(isDryRunPush(words(line)), false, line);
});
