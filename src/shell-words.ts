/** `s` as one `sh` word, always quoted (for text a program writes and later compares). */
export const shellQuoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** `s` as one `sh` word, quoted only where it must be (for a command a person copies from a message). */
export const shellWord = (s: string) => (/^[\w.,:@%+=/-]+$/.test(s) ? s : shellQuoted(s));
