import { taskIdProblem, textProblem } from '../hub/valid-text.js';
import { printable } from '../output/printable.js';

/**
 * What the hub's contract can store (openapi.yaml). A value past these limits, or text the hub
 * refuses, would make it refuse the whole batch it rides in, so the parser turns it into a
 * finding on its own task.
 */
export const TEXT_LIMITS = { id: 200, title: 1000, priority: 100, hubId: 200, workplanId: 500, workplanTitle: 1000 } as const;

/** Why `value` cannot be stored as free text (a title, a priority), or null when it can. */
export function freeTextProblem(value: string, max: number): string | null {
  return textProblem(value) ?? (value.length > max ? `is longer than ${max} characters` : null);
}

/**
 * Why `id` cannot name a task, or null when it can. Ids travel in URL paths, commit messages and
 * one-line reports, so on top of what the hub refuses they may hold no control character.
 */
export function idProblem(id: string): string | null {
  if (printable(id) !== id) return 'contains a control character (a tab, a newline, …)';
  return taskIdProblem(id) ?? (id.length > TEXT_LIMITS.id ? `is longer than ${TEXT_LIMITS.id} characters` : null);
}
