/** `s` as one `sh` word, always quoted (for text a program writes and later compares). */
export const shellQuoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** `s` as one shell word, quoted only where it must be (for a command a person copies from a message; a leading `=` is zsh's). */
export const shellWord = (s: string) => (/^[\w.,:@%+/-][\w.,:@%+=/-]*$/.test(s) ? s : shellQuoted(s));
