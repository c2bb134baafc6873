/**
 * What the hub's contract can store (openapi.yaml). A value past these limits would make the hub
 * refuse the whole batch it rides in, so the parser turns it into a finding on its own task.
 */
export const TEXT_LIMITS = { id: 200, title: 1000, priority: 100, hubId: 200, workplanId: 500, workplanTitle: 1000 } as const;

// A surrogate half without its partner: YAML's "\uD800" makes one; no store keeps it as it is.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls, DEL and the C1 controls.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Why `value` cannot be stored as free text (a title, a priority), or null when it can. */
export function textProblem(value: string, max: number): string | null {
  if (value.includes('\0')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode (a lone surrogate)';
  if (value.length > max) return `is longer than ${max} characters`;
  return null;
}

/**
 * Why `id` cannot name a task, or null when it can. Ids travel in URL paths, commit messages and
 * one-line reports, so on top of free text they may hold no control character, and `.` and `..`
 * are refused because a URL path cannot address them.
 */
export function idProblem(id: string): string | null {
  if (CONTROL.test(id)) return 'contains a control character (a tab, a newline, …)';
  if (id === '.' || id === '..') return `'${id}' cannot be addressed in a URL`;
  return textProblem(id, TEXT_LIMITS.id);
}
