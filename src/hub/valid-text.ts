/**
 * Text the hub stores must come back as it went in: PostgreSQL refuses NUL, and both databases
 * store a lone surrogate as U+FFFD, so a task with either could never be matched again.
 */
export function textProblem(value: string): string | null {
  if (value.includes('\0')) return 'holds a NUL character';
  if (/\p{Cs}/u.test(value)) return 'is not valid Unicode (a lone surrogate)';
  return null;
}

/** A task id must also be reachable as a URL path segment: `.` and `..` are resolved away by every client. */
export function taskIdProblem(id: string): string | null {
  if (id === '.' || id === '..') return 'cannot be addressed in a URL';
  return textProblem(id);
}

/** `value` for a message: quoted, with control characters and lone surrogates escaped. */
export const shown = (value: string): string => JSON.stringify(value);
