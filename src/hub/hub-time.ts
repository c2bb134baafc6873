/**
 * Whether `value` is a time as the hub writes every `at` (`Date.prototype.toISOString`): the rules
 * compare such times as text, which orders them only in that one form.
 */
export function isHubTime(value: string): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}
