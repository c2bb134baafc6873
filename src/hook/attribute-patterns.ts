/**
 * A workplan glob (picomatch, as the config reads it) said as gitattributes patterns, which match
 * otherwise: braces are expanded (gitattributes has none), every pattern is anchored at the top
 * (`*.md` is the top folder's files to picomatch, every folder's to gitattributes; a leading `/`
 * also keeps a `#` or `!` from reading as a comment or a negation), and a pattern with a space, a
 * quote or a backslash is written in the C-style quotes gitattributes reads; a leading `./` is
 * dropped. Null for a glob gitattributes cannot say as picomatch reads it (see UNSAYABLE).
 */
export function attributePatterns(glob: string): string[] | null {
  return (
    gitGlobs(glob)?.map((pattern) => {
      const anchored = pattern.startsWith('/') ? pattern : `/${pattern}`;
      return /[\s"\\]/.test(anchored) ? JSON.stringify(anchored) : anchored;
    }) ?? null
  );
}

/**
 * A workplan glob as the globs git matches alike (in gitattributes, or as `:(glob)` pathspecs):
 * braces expanded, a leading `./` dropped. Null for one git cannot say as picomatch reads it.
 */
export function gitGlobs(glob: string): string[] | null {
  if (UNSAYABLE.some((form) => form.test(glob))) return null;
  return expandBraces(glob.replace(/^(?:\.\/)+/, ''));
}

/** The folders a glob git cannot say stays within: its leading segments free of glob characters, as a glob of everything below them. */
export function enclosingGlob(glob: string): string {
  if (/^[!/]/.test(glob)) return '**';
  const segments = glob.replace(/^(?:\.\/)+/, '').split('/');
  const literal = segments.slice(0, -1);
  const end = literal.findIndex((segment) => /[*?[\]{}()!@+\\]/.test(segment));
  return [...(end === -1 ? literal : literal.slice(0, end)), '**'].join('/');
}

/**
 * What picomatch reads otherwise than git, or git cannot say: extglobs, a negation, a path from
 * the root (the config's globs are relative), a range `{1..3}`, a negated or escaping class.
 */
const UNSAYABLE = [/[@+!?*]\(/, /^[!/]/, /\{[^{}]*\.\.[^{}]*\}/, /\[[!^]/, /\[[^\]]*\\/];

/** `a/{b,c}/*.md` as `a/b/*.md` and `a/c/*.md`, nested braces too; a brace without a comma stays as written. */
function expandBraces(glob: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{' && depth++ === 0) open = i;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && depth > 0 && --depth === 0) {
      if (commas.length === 0) return expandBraces(glob.slice(i + 1)).map((rest) => glob.slice(0, i + 1) + rest);
      const cuts = [open, ...commas, i];
      const options = cuts.slice(1).map((cut, k) => glob.slice(cuts[k]! + 1, cut));
      return options.flatMap((option) => expandBraces(glob.slice(0, open) + option + glob.slice(i + 1)));
    }
  }
  return [glob];
}
