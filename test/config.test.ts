import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LIST_ITEMS, parseConfig } from '../src/config-schema.js';

test('.custodian.yml: every key optional, and what is wrong is named with its line', () => {
  assert.deepEqual(parseConfig(''), {});
  assert.deepEqual(parseConfig('# nothing set\n'), {});
  assert.deepEqual(parseConfig('hub: https://hub.example:7420\n'), { hub: 'https://hub.example:7420' });
  assert.deepEqual(parseConfig('repo: acme/app\n'), { repo: 'acme/app' });
  assert.deepEqual(parseConfig('repo: acme.plans\nworkplans: [docs/**/*.md]\nexclude: [docs/old/**]\nbranches: [trunk]\nwriteback: false\n'), {
    repo: 'acme.plans',
    workplans: ['docs/**/*.md'],
    exclude: ['docs/old/**'],
    branches: ['trunk'],
    writeback: false,
  });

  const errors: [string, string][] = [
    ['repo: ok\nwritebak: true\n', '.custodian.yml:1: (top level): Unrecognized key: "writebak"'],
    ['branches: [main]\nrepo: a b\n', '.custodian.yml:2: repo: a name or owner/name: letters, digits, ".", "_" and "-", at most 200 characters'],
    ['repo: acme/apps/app\n', '.custodian.yml:1: repo: a name or owner/name'],
    ['repo: acme/..\n', '.custodian.yml:1: repo: a name or owner/name'],
    ['workplans: []\n', '.custodian.yml:1: workplans: Too small: expected array to have >=1 items'],
    ['branches:\n  - main\n  - ""\n', '.custodian.yml:3: branches.1: Too small: expected string to have >=1 characters'],
    ['writeback: yes please\n', '.custodian.yml:1: writeback: Invalid input: expected boolean, received string'],
    ['repo: [unclosed\n', '.custodian.yml:2: '],
  ];
  for (const [text, message] of errors) {
    assert.throws(
      () => parseConfig(text),
      (error: Error) => error.message.startsWith(message),
      `${JSON.stringify(text)} → ${message}`,
    );
  }
});

test('.custodian.yml: a list of more globs or branches than a team needs is refused with its line, not compiled by every hook', () => {
  const many = (key: string, n: number) => `repo: acme\n${key}:\n${Array.from({ length: n }, (_, i) => `  - d${i}/*.md`).join('\n')}\n`;
  for (const key of ['workplans', 'exclude', 'branches']) {
    assert.throws(
      () => parseConfig(many(key, MAX_LIST_ITEMS + 1)),
      new RegExp(`^UserError: \\.custodian\\.yml:3: ${key}: Too big: expected array to have <=${MAX_LIST_ITEMS} items$`),
    );
    assert.equal(parseConfig(many(key, MAX_LIST_ITEMS))[key as 'workplans']?.length, MAX_LIST_ITEMS);
  }
});
