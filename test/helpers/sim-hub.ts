import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { HttpHub } from '../../src/hub/http-hub.js';
import { openStore } from '../../src/hub/open.js';
import { startHub, type RunningHub } from '../../src/hub/serve.js';
import type { SqlStore } from '../../src/hub/sql-store.js';
import type { Retention as StoreRetention } from '../../src/hub/retention.js';
import type { Hub } from '../../src/hub/types.js';

/** How much the hub keeps: small enough to evict within a schedule when a switch asks for it. */
export type Retention = Partial<StoreRetention>;

/**
 * The simulation's hub: a SQLite file, served over HTTP or used in-process, that can be stopped,
 * backed up as a file and restored from that copy as an operator would.
 */
export class SimHub {
  hub!: Hub;
  store!: SqlStore;
  private running: RunningHub | null = null;
  private token: string | null = null;
  private port = 0;
  readonly file: string;
  private readonly backup: string;

  constructor(
    root: string,
    private readonly overHttp: boolean,
    private readonly retention: Retention | null,
  ) {
    this.file = path.join(root, 'hub.sqlite');
    this.backup = path.join(root, 'hub-backup.sqlite');
  }

  get location(): string {
    return this.hub.location;
  }

  /** What a CLI on a clone's machine is given to reach this hub. */
  clientEnv(): Record<string, string> {
    return { CUSTODIAN_HUB: this.location, ...(this.token ? { CUSTODIAN_HUB_TOKEN: this.token } : {}) };
  }

  async open(): Promise<void> {
    this.store = await openStore(this.file, this.retention ? { retention: this.retention } : {});
    if (!this.overHttp) {
      this.hub = this.store;
      return;
    }
    this.token ??= await this.store.createToken('sim');
    // The same port again after a restore: the clones know the hub by its URL.
    this.running = await startHub(this.store, { port: this.port });
    this.port = Number(new URL(this.running.url).port);
    this.hub = new HttpHub(this.running.url, this.token);
  }

  async close(): Promise<void> {
    if (this.hub instanceof HttpHub) await this.hub.close();
    await this.running?.close();
    this.running = null;
    await this.store?.close();
  }

  /** A backup as an operator takes one: the hub stopped, its file copied, the hub started again. */
  async snapshot(): Promise<void> {
    await this.close();
    await copyFile(this.file, this.backup);
    await this.open();
  }

  /** The hub stopped and its file replaced by the backup; false when there is none. */
  async restore(): Promise<boolean> {
    const taken = await copyFile(this.backup, `${this.file}.restoring`).then(
      () => true,
      () => false,
    );
    if (!taken) return false;
    await this.close();
    for (const suffix of ['-wal', '-shm']) await rm(`${this.file}${suffix}`, { force: true });
    await copyFile(`${this.file}.restoring`, this.file);
    await rm(`${this.file}.restoring`);
    await this.open();
    return true;
  }
}
