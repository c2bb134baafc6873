/**
 * Every `--json` document has one shape: the schema's version, what kind of document it is, then
 * the command's own fields. A script checks `schemaVersion` before it reads the rest; a field is
 * only ever added within a version, never renamed or removed.
 */
export const JSON_SCHEMA_VERSION = 1;

export type JsonKind = 'run' | 'task-list' | 'status';

export function jsonDocument(kind: JsonKind, fields: object): string {
  return `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, kind, ...fields }, null, 2)}\n`;
}
