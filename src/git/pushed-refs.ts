/** What a push sends, from the lines git gives pre-push on stdin: `<local ref> <sha> <remote ref> <sha>`. */
export interface PushedRef {
  commit: string;
  remoteRef: string;
}

/** The refs a push updates; deletions (an all-zero local sha) send no commit and are left out. */
export function pushedRefs(stdin: string): PushedRef[] {
  const refs: PushedRef[] = [];
  for (const line of stdin.split('\n')) {
    const [, commit, remoteRef] = line.trim().split(/\s+/);
    if (commit && remoteRef && !/^0+$/.test(commit)) refs.push({ commit, remoteRef });
  }
  return refs;
}
