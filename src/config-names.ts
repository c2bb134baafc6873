/** Names the config and the hooks' fast path share, apart from the config's parser, which the fast path does not load. */
export const CONFIG_FILE = '.custodian.yml';

/** Which files are workplans when `.custodian.yml` does not say. */
export const DEFAULT_WORKPLAN_GLOBS: readonly string[] = ['**/*.md', '**/*.markdown'];
