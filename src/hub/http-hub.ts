import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { HTTPError, RequestError, type Got, type OptionsOfJSONResponseBody } from 'got';
import type * as z from 'zod/mini';
import { apiBase, repoSyncPath, repoTasksPath, taskPath } from './api-paths.js';
import * as contract from './contract.js';
import { redactLocation } from './location.js';
import {
  HubUnavailableError,
  InvalidRequestError,
  NotFoundError,
  type HistoryEntry,
  type Hub,
  type RepoState,
  type RepoSummary,
  type StatusUpdate,
  type StatusUpdateResult,
  type SyncBatch,
  type SyncResult,
} from './types.js';

export interface HttpHubOptions {
  /** Per attempt, in ms, from the request to the last byte of the answer. Hooks must not hang on a slow hub. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Retries for reads only: a write may have landed before the connection broke. */
  readRetries?: number;
  /** An answer longer than this is refused as it arrives, not held until the deadline (MAX_ANSWER_BYTES by default). */
  maxAnswerBytes?: number;
}

/** No hub's answer is longer: a repo of 100,000 tasks, each with every point kept, reads at about 150 MB. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** Ids go in the query string up to this length: a server refuses long request heads (431). */
const QUERY_CHARS = 2000;
/** Past these, ids do not go in a request body either: the whole repo is read and cut here. */
const BODY_IDS = 10_000;
const BODY_BYTES = 2 * 1024 * 1024;

/** The hub over HTTP, speaking `openapi.yaml`; every answer is checked against it before use. */
export class HttpHub implements Hub {
  private readonly http: Got;
  /**
   * This hub's own connections, not the process's shared pool: a socket kept alive to a hub that
   * restarted since would fail the next write (ECONNRESET) as if the hub were down. Closed with it.
   * An idle socket is let go a second before the keep-alive the hub announces runs out (node does
   * so only for an agent with a timeout): reused as the hub closes it, a write failed the same way.
   */
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** For messages: without the credentials the URL may hold. */
  readonly location: string;
  private readonly maxAnswerBytes: number;

  constructor(baseUrl: string, token: string | undefined, options: HttpHubOptions = {}) {
    const base = baseUrl.replace(/\/+$/, '');
    this.location = redactLocation(base);
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const requestMs = options.timeoutMs ?? 5000;
    this.agents = { http: new HttpAgent({ keepAlive: true, timeout: requestMs }), https: new HttpsAgent({ keepAlive: true, timeout: requestMs }) };
    this.http = got.extend({
      prefixUrl: apiBase(base),
      agent: this.agents,
      timeout: { connect: options.connectTimeoutMs ?? 1000, request: requestMs },
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

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, options: OptionsOfJSONResponseBody = {}) {
    const what = `${method} ${this.location}/v1/${path}`;
    let tooLong = false;
    try {
      const request = this.http<unknown>(path, { method, responseType: 'json', ...options });
      request.on('downloadProgress', ({ transferred }) => {
        if (transferred <= this.maxAnswerBytes || tooLong) return;
        tooLong = true;
        request.cancel();
      });
      const response = await request;
      return { status: response.statusCode, body: response.body, what };
    } catch (error) {
      if (tooLong)
        throw new HubUnavailableError(`hub answered ${what} with more than ${this.maxAnswerBytes} bytes: no hub's answer is that long`, { cause: error });
      const reason = error instanceof RequestError ? (error.code ?? error.message) : String(error);
      const detail = error instanceof HTTPError ? error.message : error instanceof Error ? error.message : '';
      throw new HubUnavailableError(`hub did not answer ${what}: ${reason}${detail && detail !== reason ? ` (${detail})` : ''}`, { cause: error });
    }
  }

  /** Turns an unexpected status into the error the store would have thrown. */
  private fail(response: { status: number; body: unknown; what: string }): never {
    const { status, body, what } = response;
    const message = (body as { error?: unknown } | undefined)?.error;
    const text = typeof message === 'string' ? message : `HTTP ${status}`;
    if (status === 404) throw new NotFoundError(text);
    if (status === 400) throw new InvalidRequestError(text);
    if (status === 413) throw new InvalidRequestError(`hub refused ${what} as too large (413): ${text}`);
    throw new HubUnavailableError(`hub answered ${what} with ${status}: ${text}`);
  }

  /** The answer as the contract has it, or a hub that answered nonsense: nothing of it is passed on. */
  private checked<Schema extends z.ZodMiniType>(schema: Schema, response: { status: number; body: unknown; what: string }): z.output<Schema> {
    const result = schema.safeParse(response.body);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    throw new HubUnavailableError(`hub answered ${response.what} (${response.status}) outside the contract: ${field}: ${issue.message}`);
  }

  async readRepo(repo: string, ifNoneMatch?: string, only?: readonly string[]): Promise<RepoState | 'not-modified'> {
    const path = repoTasksPath(repo);
    const conditional = ifNoneMatch ? { headers: { 'if-none-match': ifNoneMatch } } : {};
    const searchParams = only && new URLSearchParams(only.map((id) => ['id', id]));
    // No ids at all is no `id` parameter, which reads everything: that goes in a body too.
    const inQuery = !only || (only.length > 0 && searchParams!.toString().length <= QUERY_CHARS);
    const ids = JSON.stringify({ ids: only, ...(ifNoneMatch ? { ifNoneMatch } : {}) });
    const inBody = !inQuery && only.length <= BODY_IDS && Buffer.byteLength(ids) <= BODY_BYTES;
    const response = inQuery
      ? await this.call('GET', path, { ...conditional, ...(only ? { searchParams } : {}) })
      : inBody
        ? await this.call('POST', `${path}/query`, { body: ids, headers: { 'content-type': 'application/json' } })
        : await this.call('GET', path, conditional);
    if (response.status === 304) return 'not-modified';
    if (response.status !== 200) this.fail(response);
    const state = this.checked(contract.repoState, response);
    if (!only || inQuery || inBody) return state;
    const wanted = new Set(only);
    return { ...state, tasks: state.tasks.filter((t) => wanted.has(t.id)) };
  }

  async sync(batch: SyncBatch): Promise<SyncResult> {
    const { repo, ...body } = batch;
    const response = await this.call('POST', repoSyncPath(repo), { json: body });
    if (response.status === 200) return this.checked(contract.syncAccepted, response);
    if (response.status === 409) return this.checked(contract.syncRefused, response);
    return this.fail(response);
  }

  async setStatus(update: StatusUpdate): Promise<StatusUpdateResult> {
    const path = `${taskPath(update.repo, update.id)}/status`;
    const json = {
      status: update.status,
      ...(update.expectedVersion ? { expectedVersion: update.expectedVersion } : {}),
      ...(update.why ? { why: update.why } : {}),
    };
    const response = await this.call('PUT', path, { json });
    if (response.status === 200) return { ok: true, task: this.checked(contract.hubTask, response) };
    if (response.status === 409) return { ok: false, current: this.checked(contract.statusRefused, response).current };
    return this.fail(response);
  }

  async history(repo: string, id: string): Promise<HistoryEntry[]> {
    const response = await this.call('GET', `${taskPath(repo, id)}/history`);
    if (response.status !== 200) this.fail(response);
    return this.checked(contract.history, response);
  }

  async listRepos(slug?: string): Promise<RepoSummary[]> {
    const response = await this.call('GET', 'repos', slug ? { searchParams: { slug } } : {});
    if (response.status !== 200) this.fail(response);
    return this.checked(contract.repoSummaries, response);
  }

  async close(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
