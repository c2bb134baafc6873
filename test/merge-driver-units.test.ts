import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributePatterns } from '../src/hook/attribute-patterns.js';
import { strategyOptions } from '../src/merge/git-command-line.js';
import { idCounts } from '../src/workplan/tasks-among.js';

test('-X ours / -X theirs read from git’s command line or from what a rebase keeps; a value of another option is not one', () => {
  const git = (...args: string[]) => ['git', ...args];
  const strategyFavor = (argv: string[] | null, kept: string) => strategyOptions(argv, kept).favor;
  assert.equal(strategyFavor(git('merge', '-X', 'theirs', 'side'), ''), 'theirs');
  assert.equal(strategyFavor(git('pull', '-Xours'), ''), 'ours');
  assert.equal(strategyFavor(git('rebase', '--strategy-option=theirs', 'main'), ''), 'theirs');
  assert.equal(strategyFavor(git('merge', '-m', '-Xtheirs', 'side'), ''), null, 'a message that reads like -X is the message');
  assert.equal(strategyFavor(git('-c', 'x=-Xours', 'merge', 'side'), ''), null);
  assert.equal(strategyFavor(git('merge', '-X', 'patience', 'side'), ''), null);
  assert.equal(strategyFavor(git('rebase', '--continue'), ' --theirs'), 'theirs', 'rebase-merge/strategy_opts');
  assert.equal(strategyFavor(null, '[options]\n\tstrategy-option = ours\n'), 'ours', 'sequencer/opts');
  assert.equal(strategyFavor(null, '[options]\n\tstrategy = ours\n'), null, 'the ours strategy is not the ours option');
  assert.equal(strategyFavor(git('rebase', '--continue'), " '--ours'"), 'ours', 'strategy_opts as git quotes it');
  assert.equal(strategyFavor(git('merge', '-X', 'ours', 'side'), ' --theirs'), 'ours', "the command line's own wins");
});

test('the -X options that change how text merges, which the driver does not pass to git merge-file, are named; ours, theirs, renames and renormalize (git applies it first) are not', () => {
  const unapplied = (argv: string[] | null, kept: string) => strategyOptions(argv, kept).unapplied;
  assert.deepEqual(unapplied(['git', 'merge', '-X', 'ignore-space-change', '-Xtheirs', '-X', 'find-renames=40', 'ws'], ''), ['ignore-space-change']);
  assert.deepEqual(unapplied(['git', 'rebase', '--continue'], ' --diff-algorithm=patience --theirs'), ['diff-algorithm=patience']);
  assert.deepEqual(unapplied(null, '[options]\n\tstrategy-option = histogram\n\tstrategy-option = renormalize\n\tstrategy-option = ours\n'), ['histogram']);
  assert.deepEqual(unapplied(['git', 'merge', '-m', '-Xpatience', 'side'], ''), [], 'a message is not an option');
});

test('a task id is counted however YAML spells it, as the reconciler reads ids', () => {
  const blocks = (...bodies: string[]) => bodies.map((b) => `\`\`\`task\n${b}\nstatus: todo\n\`\`\`\n`).join('\n');
  const count = (text: string, id: string) => idCounts(text, 'plan.md', [id]).get(id) ?? 0;
  assert.equal(count(blocks('id: A', '"id": A'), 'A'), 2, 'a quoted key');
  assert.equal(count(blocks('id: A', 'id: "\\x41"'), 'A'), 2, 'an escape');
  assert.equal(count(blocks('id: A', 'id: !!str A'), 'A'), 2, 'a tag');
  assert.equal(count(blocks('id: Infinity', 'id: .inf'), 'Infinity'), 1, 'a number is the id as written: .inf is not Infinity');
  assert.equal(count(blocks("id: it's", "id: 'it''s'"), "it's"), 2, 'a quote doubled');
  assert.equal(count(blocks('id: A B', 'id: A\n  B'), 'A B'), 2, 'a folded plain scalar');
  assert.equal(count(blocks('id: 1000', 'id: 1e3'), '1000'), 1, 'nor 1e3 1000');
  assert.equal(count(blocks('id: 2.10', 'id: "2.10"'), '2.10'), 2, 'quoted or not, as written');
  assert.equal(count(blocks('id: A', 'id: B'), 'A'), 1);
});

test("workplan globs said as gitattributes patterns match what the config's globs select, or are named as unsayable", () => {
  assert.deepEqual(attributePatterns('*.md'), ['/*.md'], 'the top folder only, as picomatch reads it');
  assert.deepEqual(attributePatterns('./docs/*.md'), ['/docs/*.md']);
  assert.deepEqual(attributePatterns('docs/{a,{b,c}}/*.md'), ['/docs/a/*.md', '/docs/b/*.md', '/docs/c/*.md']);
  assert.deepEqual(attributePatterns('#notes/*.md'), ['/#notes/*.md'], 'never a comment');
  assert.deepEqual(attributePatterns('plans with spaces/*.md'), ['"/plans with spaces/*.md"']);
  for (const glob of ['@(a|b).md', '!docs/n.md', '/docs/*.md', 'docs/{1..2}.md', 'a[!a]/x.md', 'docs/[ab\\].md'])
    assert.equal(attributePatterns(glob), null, glob);
});
