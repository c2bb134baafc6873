import got, { HTTPError, RequestError, type Got, type OptionsOfJSONResponseBody } from 'got';
import {
  InvalidRequestError,
  NotFoundError,
  type HistoryEntry,
  type Hub,
  type HubTask,
  type RepoState,
  type RepoSummary,
  type StatusUpdate,
  type StatusUpdateResult,
  type SyncBatch,
  type SyncResult,
} from './types.js';

/** A hub that failed to answer, or answered something else than the contract says. */
export class HubUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubUnavailableError';
  }
}

export interface HttpHubOptions {
  /** Per attempt, in ms. Hooks must not hang on a slow hub. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Retries for reads only: a write may have landed before the connection broke. */
  readRetries?: number;
}

const segment = encodeURIComponent;
const ONLY_IN_QUERY = 200;

/** The hub over HTTP, speaking `openapi.yaml`. */
export class HttpHub implements Hub {
  private readonly http: Got;
  readonly location: string;

  constructor(baseUrl: string, token: string | undefined, options: HttpHubOptions = {}) {
    this.location = baseUrl.replace(/\/+$/, '');
    this.http = got.extend({
      prefixUrl: `${this.location}/v1/`,
      timeout: { connect: options.connectTimeoutMs ?? 1000, request: options.timeoutMs ?? 5000 },
      // A refused connection means nothing listens: retrying only delays the hook. Resets and timeouts may pass.
      retry: {
        limit: options.readRetries ?? 1,
        methods: ['GET'],
        errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN'],
        statusCodes: [408, 429, 502, 503, 504],
        backoffLimit: 200,
      },
      headers: token ? { authorization: `Bearer ${token}` } : {},
      throwHttpErrors: false,
    });
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, options: OptionsOfJSONResponseBody = {}) {
    const what = `${method} ${this.location}/v1/${path}`;
    try {
      const response = await this.http<T>(path, { method, responseType: 'json', ...options });
      return { status: response.statusCode, body: response.body, headers: response.headers };
    } catch (error) {
      const reason = error instanceof RequestError ? (error.code ?? error.message) : String(error);
      const detail = error instanceof HTTPError ? error.message : error instanceof Error ? error.message : '';
      throw new HubUnavailableError(`hub did not answer ${what}: ${reason}${detail && detail !== reason ? ` (${detail})` : ''}`, { cause: error });
    }
  }

  /** Turns an unexpected status into the error the store would have thrown. */
  private fail(what: string, status: number, body: unknown): never {
    const message = (body as { error?: unknown } | undefined)?.error;
    const text = typeof message === 'string' ? message : `HTTP ${status}`;
    if (status === 404) throw new NotFoundError(text);
    if (status === 400 || status === 413) throw new InvalidRequestError(text);
    throw new HubUnavailableError(`hub answered ${what} with ${status}: ${text}`);
  }

  async readRepo(repo: string, ifNoneMatch?: string, only?: readonly string[]): Promise<RepoState | 'not-modified'> {
    const path = `repos/${segment(repo)}/tasks`;
    // Past a few hundred ids the query string grows long: the whole repo is read and cut here.
    const inQuery = only && only.length <= ONLY_IN_QUERY;
    const searchParams = inQuery ? new URLSearchParams(only.map((id) => ['id', id])) : undefined;
    const response = await this.call<RepoState>('GET', path, { ...(ifNoneMatch ? { headers: { 'if-none-match': ifNoneMatch } } : {}), ...(searchParams ? { searchParams } : {}) });
    if (response.status === 304) return 'not-modified';
    if (response.status !== 200 || !Array.isArray(response.body?.tasks)) this.fail(`GET ${path}`, response.status, response.body);
    if (!only || inQuery) return response.body;
    const wanted = new Set(only);
    return { ...response.body, tasks: response.body.tasks.filter((t) => wanted.has(t.id)) };
  }

  async sync(batch: SyncBatch): Promise<SyncResult> {
    const { repo, ...body } = batch;
    const path = `repos/${segment(repo)}/sync`;
    const response = await this.call<SyncResult>('POST', path, { json: body });
    if (response.status === 200 || response.status === 409) return response.body;
    return this.fail(`POST ${path}`, response.status, response.body);
  }

  async setStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    const path = `repos/${segment(update.repo)}/tasks/${segment(update.id)}/status`;
    const json = { status: update.status, ...(update.expectedVersion ? { expectedVersion: update.expectedVersion } : {}), ...(update.why ? { why: update.why } : {}) };
    const response = await this.call<HubTask & { current?: HubTask }>('PUT', path, { json });
    if (response.status === 200) return { ok: true, task: response.body };
    if (response.status === 409 && response.body.current) return { ok: false, current: response.body.current };
    return this.fail(`PUT ${path}`, response.status, response.body);
  }

  async history(repo: string, id: string): Promise<HistoryEntry[]> {
    const path = `repos/${segment(repo)}/tasks/${segment(id)}/history`;
    const response = await this.call<HistoryEntry[]>('GET', path);
    if (response.status !== 200) this.fail(`GET ${path}`, response.status, response.body);
    return response.body;
  }

  async listRepos(slug?: string): Promise<RepoSummary[]> {
    const response = await this.call<RepoSummary[]>('GET', 'repos', slug ? { searchParams: { slug } } : {});
    if (response.status !== 200) this.fail('GET repos', response.status, response.body);
    return response.body;
  }

  async close(): Promise<void> {}
}
