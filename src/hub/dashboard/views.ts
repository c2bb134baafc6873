import { html } from 'hono/html';
import { STATUSES, type Status } from '../../status.js';
import type { HistoryEntry, HubTask } from '../types.js';
import type { ActivityEntry, TaskRowView } from './model.js';
import type { WorkplanProgress } from './progress.js';

/**
 * The dashboard's pages as HTML. Every value goes through hono's `html` template, which escapes
 * it; nothing here is written raw. Pages are plain links, tables and one GET form: nothing writes.
 */

type Html = ReturnType<typeof html>;

const LABELS: Record<Status, string> = { todo: 'todo', in_progress: 'in progress', blocked: 'blocked', done: 'done', cancelled: 'cancelled' };

/** A link's query string; the template escapes it once more for the attribute. */
export const query = (params: Record<string, string | number | null | undefined | readonly string[]>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) search.append(name, one);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

const workplanHref = (repo: string, workplan: string | null) => `/workplan${query({ repo, wp: workplan })}`;
const taskHref = (repo: string, id: string) => `/task${query({ repo, id })}`;

/** A time as date and time of day, each kept on one line. */
const when = (iso: string) => {
  const [day, time] = iso.replace(/\.\d+Z$/, 'Z').split('T');
  return html`<time datetime="${iso}"><span class="line">${day}</span> <span class="line">${time}</span></time>`;
};
const badge = (status: Status) => html`<span class="badge ${status}">${LABELS[status]}</span>`;
/** A status change as badges: `todo → done`, or `created done`. */
const change = (from: Status | null, to: Status) => html`${from ? html`${badge(from)} → ` : html`<em>created</em> `}${badge(to)}`;
const byWhy = (by: string, why: string | null) => html`by ${by}${why ? html` — ${why}` : ''}`;
const workplanName = (p: { workplan: string | null; title: string | null }) =>
  p.workplan === null ? html`<em>no workplan</em>` : p.title ? html`${p.title} <span class="muted">${p.workplan}</span>` : html`${p.workplan}`;

/** A bar of one segment per status, in SVG attributes (no inline style, so the page's CSP holds); the counts are also text. */
export function progressBar(counts: Record<Status, number>, total: number): Html {
  let at = 0;
  const segments = STATUSES.filter((s) => counts[s] > 0).map((s) => {
    const width = (counts[s] / total) * 100;
    const rect = html`<rect class="${s}" x="${at.toFixed(3)}" y="0" width="${width.toFixed(3)}" height="1"></rect>`;
    at += width;
    return rect;
  });
  const label = STATUSES.map((s) => `${counts[s]} ${LABELS[s]}`).join(', ');
  return html`<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label="${label}"><title>${label}</title>${segments}</svg>`;
}

export interface Layout {
  title: string;
  /** What the live script compares: the page's ETag. */
  etag: string;
  body: Html;
  /** Above the live part, left alone while it updates (a form being typed in). */
  before?: Html;
}

export function page(layout: Layout): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${layout.title} · custodian-hooks hub</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body data-etag="${layout.etag}">
<a class="skip" href="#content">Skip to content</a>
<header>
<span class="brand">custodian-hooks hub</span>
<nav aria-label="Pages"><a href="/">Overview</a> · <a href="/activity">Activity</a></nav>
<span id="live" class="muted" role="status"></span>
</header>
<main id="content">
${layout.before ?? ''}
<div data-live>${layout.body}</div>
</main>
</body>
</html>`;
}

/** Where a paged list stands: its first row's offset, its page size, and whether rows follow. */
export interface Paging {
  offset: number;
  pageSize: number;
  more: boolean;
}

export function overviewBody(progress: readonly WorkplanProgress[], emptyRepos: readonly string[], paging: Paging): Html {
  const pageLink = (from: number, label: string) => html`<a href="/${query({ from })}">${label}</a>`;
  const repos = [...new Set(progress.map((p) => p.repo))];
  const header = html`<tr><th scope="col">Workplan</th><th scope="col">Progress</th>${STATUSES.map(
    (s) => html`<th scope="col" class="num wide">${LABELS[s]}</th>`,
  )}<th scope="col" class="num">Closed</th><th scope="col">Last change</th></tr>`;
  const table = (repo: string) => html`<section aria-labelledby="repo-${repos.indexOf(repo)}">
<h2 id="repo-${repos.indexOf(repo)}">${repo}</h2>
<div class="scroll"><table>
<thead>${header}</thead>
<tbody>${progress
    .filter((p) => p.repo === repo)
    .map(
      (p) => html`<tr>
<th scope="row"><a href="${workplanHref(p.repo, p.workplan)}">${workplanName(p)}</a></th>
<td>${progressBar(p.counts, p.total)}</td>
${STATUSES.map((s) => html`<td class="num wide">${p.counts[s]}</td>`)}
<td class="num">${p.closed} of ${p.total} (${Math.floor((p.closed / p.total) * 100)}%)</td>
<td>${when(p.lastChange)}</td>
</tr>`,
    )}</tbody>
</table></div>
</section>`;
  return html`<h1>Overview</h1>
${progress.length === 0 && emptyRepos.length === 0 ? html`<p>The hub holds no tasks yet.</p>` : ''}
${repos.map(table)}
${emptyRepos.length > 0 ? html`<h2>Repos with no tasks</h2><ul>${emptyRepos.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
<nav class="pages" aria-label="Pages of workplans">${paging.offset > 0 ? pageLink(Math.max(0, paging.offset - paging.pageSize), 'Previous workplans') : ''}
${paging.more ? pageLink(paging.offset + paging.pageSize, 'Next workplans') : ''}</nav>`;
}

/** What the hub knows of a task's agreement with its file, when it is worth a look. */
function standsOut(task: TaskRowView): Html[] {
  const flags: Html[] = [];
  if (task.inNoFile) flags.push(html`<span class="flag">in no file (C-21): kept in the hub, never deleted</span>`);
  else if (task.agreed !== null && task.agreed !== task.status)
    flags.push(html`<span class="flag">differs from its file (last agreed: ${LABELS[task.agreed]})</span>`);
  if (task.rankDecidedAt !== null)
    flags.push(html`<span class="flag">decided by rank ${when(task.rankDecidedAt)}: file and hub had both changed (C-22)</span>`);
  return flags;
}

export interface WorkplanView {
  repo: string;
  workplan: string | null;
  title: string | null;
  counts: Record<Status, number>;
  total: number;
  tasks: readonly TaskRowView[];
  matching: number;
  offset: number;
  pageSize: number;
  statuses: readonly Status[];
  text: string;
}

function workplanFilters(view: WorkplanView): Html {
  return html`<form class="filters" method="get" action="/workplan" role="search">
<input type="hidden" name="repo" value="${view.repo}">
${view.workplan === null ? '' : html`<input type="hidden" name="wp" value="${view.workplan}">`}
<fieldset><legend>Status</legend>${STATUSES.map(
    (s) => html`<label><input type="checkbox" name="status" value="${s}"${view.statuses.includes(s) ? ' checked' : ''}> ${LABELS[s]}</label>`,
  )}</fieldset>
<label>Search id or title <input type="search" name="q" value="${view.text}" maxlength="200"></label>
<button type="submit">Filter</button> <a href="${workplanHref(view.repo, view.workplan)}">Clear</a>
</form>`;
}

export function workplanBody(view: WorkplanView): Html {
  const pageLink = (offset: number, label: string) =>
    html`<a href="/workplan${query({ repo: view.repo, wp: view.workplan, status: view.statuses, q: view.text, from: offset })}">${label}</a>`;
  const rows = view.tasks.map((task, index) => {
    const flags = standsOut(task);
    return html`<tr${flags.length > 0 ? html` class="stands-out"` : ''}>
<td class="num wide">${view.offset + index + 1}</td>
<th scope="row" class="line"><a href="${taskHref(view.repo, task.id)}">${task.id}</a></th>
<td>${task.title}${flags.map((flag) => html`<br>${flag}`)}</td>
<td>${badge(task.status)}</td>
<td class="wide">${task.priority ?? ''}</td>
<td class="num wide">${task.version}</td>
<td>${when(task.updatedAt)}<br><span class="muted">${byWhy(task.updatedBy, task.why)}</span></td>
</tr>`;
  });
  const last = view.offset + view.tasks.length;
  return html`<p>${progressBar(view.counts, view.total)}</p>
<p>${STATUSES.map((s) => html`${badge(s)} ${view.counts[s]} `)}· ${view.total} tasks</p>
<p class="muted">${view.matching === 0 ? 'No task matches.' : `Tasks ${view.offset + 1}–${last} of ${view.matching} matching.`}</p>
<div class="scroll"><table>
<caption class="muted">In the order the hub first saw them</caption>
<thead><tr><th scope="col" class="num wide">#</th><th scope="col">Id</th><th scope="col">Title</th><th scope="col">Status</th>
<th scope="col" class="wide">Priority</th><th scope="col" class="num wide">Version</th><th scope="col">Last change</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<nav class="pages" aria-label="Pages of tasks">${view.offset > 0 ? pageLink(Math.max(0, view.offset - view.pageSize), 'Previous') : ''}
${last < view.matching ? pageLink(last, 'Next') : ''}</nav>`;
}

/** The heading and the filter form, which stay put while the list under them follows changes. */
export function workplanHeading(view: WorkplanView): Html {
  return html`<p class="muted"><a href="/">Overview</a> › ${view.repo}</p><h1>${workplanName(view)}</h1>${workplanFilters(view)}`;
}

export function taskBody(repo: string, task: HubTask, history: readonly HistoryEntry[], offset: number, pageSize: number): Html {
  const points = [...task.points].reverse();
  const pageLink = (from: number, label: string) => html`<a href="/task${query({ repo, id: task.id, from })}">${label}</a>`;
  return html`<p class="muted"><a href="/">Overview</a> › <a href="${workplanHref(repo, task.workplan)}">${repo} · ${task.workplan ?? 'no workplan'}</a></p>
<h1>${task.title}</h1>
<dl>
<dt>Id</dt><dd>${task.id}</dd>
<dt>Status</dt><dd>${badge(task.status)}</dd>
<dt>Priority</dt><dd>${task.priority ?? 'none'}</dd>
<dt>Version</dt><dd>${task.version}</dd>
<dt>Last change</dt><dd>${when(task.updatedAt)} by ${task.updatedBy}</dd>
<dt>Hub id</dt><dd>${task.hubId}</dd>
</dl>
<h2>History, newest first</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">By, and why</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${when(h.at)}</td><td>${change(h.from, h.to)}</td><td>${byWhy(h.by, h.why)}</td></tr>`)}</tbody>
</table></div>
<nav class="pages" aria-label="Pages of history">${offset > 0 ? pageLink(Math.max(0, offset - pageSize), 'Newer') : ''}
${history.length === pageSize ? pageLink(offset + pageSize, 'Older') : ''}</nav>
<h2>Sync points, newest first</h2>
<p class="muted">The moments a run found the file and the hub agreeing.</p>
${
  points.length === 0
    ? html`<p>None: no run has agreed on this task with a file yet.</p>`
    : html`<div class="scroll"><table>
<thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Commit</th><th scope="col" class="wide">Upstream</th><th scope="col" class="wide">Status line from</th></tr></thead>
<tbody>${points.map(
        (p) =>
          html`<tr><td>${when(p.at)}</td><td>${badge(p.status)}</td><td><code>${p.commit.slice(0, 12)}</code></td><td class="wide"><code>${p.upstream?.slice(0, 12) ?? 'none'}</code></td><td class="wide"><code>${p.origin.slice(0, 12)}</code></td></tr>`,
      )}</tbody>
</table></div>`
}`;
}

export function activityBody(entries: readonly ActivityEntry[], offset: number, pageSize: number, more: boolean): Html {
  const pageLink = (from: number, label: string) => html`<a href="/activity${query({ from })}">${label}</a>`;
  return html`<h1>Activity in the last 24 hours</h1>
${entries.length === 0 ? html`<p>No status changed in the last 24 hours.</p>` : ''}
<div class="scroll"><table>
<thead><tr><th scope="col">When</th><th scope="col">Task</th><th scope="col">Change</th><th scope="col">By, and why</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr><td>${when(e.at)}</td><td>${e.repo} · <a href="${taskHref(e.repo, e.taskId)}">${e.taskId}</a><br><span class="muted">${e.title}</span></td>
<td>${change(e.from, e.to)}</td><td>${byWhy(e.by, e.why)}</td></tr>`,
  )}</tbody>
</table></div>
<nav class="pages" aria-label="Pages of activity">${offset > 0 ? pageLink(Math.max(0, offset - pageSize), 'Newer') : ''}
${more ? pageLink(offset + pageSize, 'Older') : ''}</nav>`;
}

export function problemPage(title: string, message: string): Html {
  return page({ title, etag: '', body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the overview</a></p>` });
}
