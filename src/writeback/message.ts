import type { Writeback } from '../reconcile/types.js';
import { isStatus, type Status } from '../status.js';

/** The subject of every writeback commit (CUST-WP-0026, T03); a team's suffix may follow it. */
export const WRITEBACK_SUBJECT = 'chore(consistency): sync task status from DB [auto]';

/** The spec's commit message, for writebacks the edit accepted: five statuses, ids without control characters. */
export function writebackMessage(hostname: string, writebacks: readonly Writeback[]): string {
  const lines = writebacks.map((w) => `- ${w.taskId}: ${w.from} → ${w.to}`);
  return `${WRITEBACK_SUBJECT}\n\nUpdated by fix-consistency on ${hostname}:\n${lines.join('\n')}\n`;
}

/**
 * What a writeback commit's message says it wrote, by task id: its lines `- <id>: <from> → <to>`.
 * Nothing for a message with another subject (a revert names the subject in quotes).
 */
export function writtenByMessage(message: string): Map<string, Status> {
  const written = new Map<string, Status>();
  if (!message.startsWith(WRITEBACK_SUBJECT)) return written;
  for (const line of message.split('\n')) {
    const parts = /^- ([^\n]+): (\S+) \u2192 (\S+?)\r?$/.exec(line);
    if (parts && isStatus(parts[2]) && isStatus(parts[3])) written.set(parts[1]!, parts[3]);
  }
  return written;
}
