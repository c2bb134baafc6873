import type { RepoState } from './types.js';

/** The state of a repo at one ETag, as the UTF-8 JSON sent. */
export interface RepoJson {
  etag: string;
  /** Bytes, not a string: each response would otherwise encode megabytes afresh. */
  json: Uint8Array<ArrayBuffer>;
}

interface Entry {
  etag: string;
  value: Promise<RepoJson>;
  /** Known once read. */
  bytes: number;
}

/**
 * Whole-repo reads, serialised once per repo and ETag: a hundred clients reading an unchanged
 * repo at once share one database read, one `JSON.stringify` and its encoding. The ETag changes
 * with every write, so an entry is never stale. The repos read last are kept, up to `maxBytes`
 * (the newest always, however large, so that its concurrent readers still share it).
 */
export class RepoReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  read(repo: string, etag: string, load: () => Promise<RepoState>): Promise<RepoJson> {
    const hit = this.entries.get(repo);
    this.entries.delete(repo);
    if (hit?.etag === etag) {
      this.entries.set(repo, hit);
      return hit.value;
    }
    const entry: Entry = { etag, value: load().then((state) => ({ etag: state.etag, json: new TextEncoder().encode(JSON.stringify(state)) })), bytes: 0 };
    this.entries.set(repo, entry);
    entry.value.then(
      (read) => {
        // Written meanwhile: the state read is newer than the ETag asked for, and is kept as what it is.
        entry.etag = read.etag;
        entry.bytes = read.json.byteLength;
        this.trim();
      },
      () => this.entries.get(repo) === entry && this.entries.delete(repo),
    );
    return entry.value;
  }

  /** Drops the repos read longest ago while the cache holds more than `maxBytes`. */
  private trim(): void {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.bytes;
    for (const [repo, entry] of this.entries) {
      if (total <= this.maxBytes || this.entries.size === 1) return;
      this.entries.delete(repo);
      total -= entry.bytes;
    }
  }
}
