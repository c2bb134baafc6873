/**
 * A YAML error said in one line: its first, without the colon that led to the excerpt below it.
 * `ownPosition: false` drops the "at line N, column M" too, where it counts from somewhere else
 * than the file (a task block's body, front matter) or the caller names the line itself.
 */
export function yamlReason(message: string, ownPosition = false): string {
  const first = (message.split('\n')[0] ?? '').replace(/:$/, '');
  return ownPosition ? first : first.replace(/ at line \d+, column \d+$/, '');
}
