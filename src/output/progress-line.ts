/**
 * A line on stderr that says a long run is still working, for a person at a terminal: it appears
 * only after `delayMs` (a quick run shows nothing), rewrites itself in place, and is wiped when
 * the run ends so the report starts on a clean line. Never on a pipe, a file or in a hook.
 */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR = '\r\x1b[K';

export function startProgress(stream: ProgressStream, label: string, options: { delayMs?: number; everyMs?: number } = {}): () => void {
  if (!stream.isTTY) return () => {};
  const started = Date.now();
  let frame = 0;
  let shown = false;
  let ticker: NodeJS.Timeout | undefined;
  const render = () => {
    shown = true;
    const seconds = Math.floor((Date.now() - started) / 1000);
    stream.write(`${CLEAR}${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s`);
  };
  const delay = setTimeout(() => {
    render();
    ticker = setInterval(render, options.everyMs ?? 250);
    ticker.unref();
  }, options.delayMs ?? 1000);
  delay.unref();
  return () => {
    clearTimeout(delay);
    clearInterval(ticker);
    if (shown) stream.write(CLEAR);
  };
}
