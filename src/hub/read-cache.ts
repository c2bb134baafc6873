import type { RepoState } from './types.js';

/** The state of a repo at one ETag, as the UTF-8 JSON sent. */
export interface RepoJson {
  etag: string;
  /** Bytes, not a string: each response would otherwise encode megabytes afresh. */
  json: Uint8Array<ArrayBuffer>;
}

/**
 * Whole-repo reads, serialised once per repo and ETag: a hundred clients reading an unchanged
 * repo at once share one database read, one `JSON.stringify` and its encoding. The ETag changes with every
 * write, so an entry is never stale; only the last `maxRepos` repos read are kept.
 */
export class RepoReadCache {
  private readonly entries = new Map<string, { etag: string; value: Promise<RepoJson> }>();

  constructor(private readonly maxRepos = 16) {}

  read(repo: string, etag: string, load: () => Promise<RepoState>): Promise<RepoJson> {
    const hit = this.entries.get(repo);
    if (hit?.etag === etag) {
      this.entries.delete(repo);
      this.entries.set(repo, hit);
      return hit.value;
    }
    const entry = { etag, value: load().then((state) => ({ etag: state.etag, json: new TextEncoder().encode(JSON.stringify(state)) })) };
    this.entries.delete(repo);
    this.entries.set(repo, entry);
    if (this.entries.size > this.maxRepos) this.entries.delete(this.entries.keys().next().value!);
    entry.value.then(
      // Written meanwhile: the state read is newer than the ETag asked for, and is kept as what it is.
      (read) => (entry.etag = read.etag),
      () => this.entries.get(repo) === entry && this.entries.delete(repo),
    );
    return entry.value;
  }
}
