/** The task statuses a workplan may use, with the spec's ranks for the no-regress rule. */
export const STATUS_RANK = {
  todo: 0,
  in_progress: 1,
  blocked: 1,
  done: 2,
  cancelled: 2,
} as const;

export type Status = keyof typeof STATUS_RANK;

export const STATUSES = Object.keys(STATUS_RANK) as Status[];

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && Object.hasOwn(STATUS_RANK, value);
}

export function rank(status: Status): number {
  return STATUS_RANK[status];
}
