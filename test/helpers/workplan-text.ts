/** Builds a small workplan in text, one task block per entry, for tests. */
export function workplan(tasks: { id: string; status: string; title?: string; extra?: string }[], front = 'type: workplan'): string {
  const blocks = tasks.map(
    (t) => `### ${t.title ?? t.id}\n\n\`\`\`task\nid: ${t.id}\nstatus: ${t.status}\npriority: medium\n${t.extra ?? ''}\`\`\`\n\nSome prose.\n`,
  );
  return `---\n${front}\n---\n\n# Plan\n\n${blocks.join('\n')}`;
}
