/**
 * The dashboard's stylesheet and script, served by the hub itself so that it works on a network
 * with no way out. The script only makes the page follow changes; everything works without it.
 */

export const STYLESHEET = `
:root { --todo: #6b7280; --in_progress: #2563eb; --blocked: #dc2626; --done: #15803d; --cancelled: #a16207; --line: #d1d5db; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #111827; background: #f9fafb; }
a { color: #1d4ed8; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; padding: .75rem 1rem; background: #111827; color: #f9fafb; }
header a, header .muted { color: #f9fafb; }
header .brand { font-weight: 700; margin-right: auto; }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: .5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td { overflow-wrap: break-word; }
tbody th { background: transparent; font-size: inherit; color: inherit; }
th.line, .line { white-space: nowrap; }
caption { text-align: left; padding: .25rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dd { margin: 0; }
th { font-size: .85rem; color: #374151; background: #f3f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #4b5563; font-size: .85rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.todo { background: var(--todo); } .badge.in_progress { background: var(--in_progress); } .badge.blocked { background: var(--blocked); }
.badge.done { background: var(--done); } .badge.cancelled { background: var(--cancelled); }
.flag { display: inline-block; margin-top: .2rem; padding: 0 .4rem; border: 2px solid #b45309; border-radius: .3rem; font-size: .8rem; color: #78350f; background: #fef3c7; }
tr.stands-out { background: #fffbeb; }
svg.bar { display: block; width: 100%; min-width: 8rem; height: .9rem; border: 1px solid var(--line); background: #fff; }
rect.todo { fill: var(--todo); } rect.in_progress { fill: var(--in_progress); } rect.blocked { fill: var(--blocked); }
rect.done { fill: var(--done); } rect.cancelled { fill: var(--cancelled); }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .75rem 0; }
form.filters fieldset { border: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: .25rem .75rem; margin: 0; }
input[type=search] { padding: .3rem; min-width: 12rem; }
nav.pages { display: flex; gap: 1rem; margin: .75rem 0; }
#live { min-height: 1.2em; }
@media (max-width: 40rem) { .wide { display: none; } main { padding: .5rem; } th, td { padding: .35rem .3rem; } }
`;

/**
 * Follows the page: asks for it again every second with its ETag, which the hub answers with an
 * empty 304 while nothing changed, and swaps in the new content when something did. Stops
 * asking while the tab is hidden.
 */
export const LIVE_SCRIPT = `
(() => {
  let etag = document.body.dataset.etag;
  const status = document.getElementById('live');
  if (!etag) return;
  async function poll() {
    if (!document.hidden) {
      try {
        const response = await fetch(location.href, { headers: { 'If-None-Match': etag }, cache: 'no-store' });
        if (response.status === 200) {
          const next = new DOMParser().parseFromString(await response.text(), 'text/html');
          const fresh = next.querySelector('[data-live]');
          const current = document.querySelector('[data-live]');
          if (fresh && current) current.replaceWith(document.importNode(fresh, true));
          etag = next.body.dataset.etag || etag;
          if (status) status.textContent = 'Updated ' + new Date().toLocaleTimeString();
        }
      } catch {
        if (status) status.textContent = 'The hub does not answer; retrying';
      }
    }
    setTimeout(poll, 1000);
  }
  if (status) status.textContent = 'Live: follows changes';
  setTimeout(poll, 1000);
})();
`;
