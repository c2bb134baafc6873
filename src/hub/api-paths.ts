/** Where the HTTP API lives under a hub's address: one place for the client, the hooks' ETag probe and openapi.yaml's paths. */
export const apiBase = (hubUrl: string): string => `${hubUrl.replace(/\/+$/, '')}/v1/`;

const segment = encodeURIComponent;

/** A repo's tasks: read (with its ETag), or the ETag alone (304). */
export const repoTasksPath = (repo: string): string => `repos/${segment(repo)}/tasks`;
export const repoSyncPath = (repo: string): string => `repos/${segment(repo)}/sync`;
export const taskPath = (repo: string, id: string): string => `${repoTasksPath(repo)}/${segment(id)}`;
