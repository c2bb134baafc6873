/**
 * An accessibility audit run inside a page (as a WebDriver script body): the checks of the WCAG
 * rules an axe scan would call serious on pages like the dashboard's. Returns one line per
 * violation, naming the rule and the element; none means the page passed.
 *
 * - the page has a language, a title, one h1, a main landmark, and headings that skip no level;
 * - every visible form control, image, link and button has an accessible name;
 * - ids are unique; navigation landmarks are told apart by their labels;
 * - every data table has header cells, each with a scope;
 * - text contrasts with what is behind it: 4.5:1, or 3:1 for large text (WCAG 1.4.3).
 */
export const A11Y_AUDIT = String.raw`
const problems = [];
const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
const visible = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect(); return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0; };
const named = (el) => {
  if ((el.getAttribute('aria-label') || '').trim()) return true;
  const by = el.getAttribute('aria-labelledby');
  if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
  if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
  if (el.tagName === 'IMG') return (el.getAttribute('alt') || '').trim() !== '';
  if (el.tagName === 'svg') return !!el.querySelector('title')?.textContent.trim();
  if (el.tagName === 'A' || el.tagName === 'BUTTON') return el.textContent.trim() !== '';
  return false;
};
if (!document.documentElement.lang) problems.push('html-has-lang: <html> has no lang');
if (!document.title.trim()) problems.push('document-title: the page has no title');
if (document.querySelectorAll('main').length !== 1) problems.push('landmark-one-main: the page needs exactly one <main>');
if (document.querySelectorAll('h1').length !== 1) problems.push('page-has-heading-one: the page needs exactly one h1, has ' + document.querySelectorAll('h1').length);
let level = 0;
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const next = Number(h.tagName[1]);
  if (next > level + 1) problems.push('heading-order: ' + describe(h) + ' skips from h' + level);
  level = next;
}
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, img, svg[role=img], a[href], button')) {
  if (visible(el) && !named(el)) problems.push('name: ' + describe(el) + ' has no accessible name');
}
const ids = new Map();
for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
for (const [id, n] of ids) if (n > 1) problems.push('duplicate-id: ' + id + ' is used ' + n + ' times');
const navs = [...document.querySelectorAll('nav')];
if (navs.length > 1) for (const nav of navs) if (!named(nav)) problems.push('landmark-unique: ' + describe(nav) + ' has no label to tell it apart');
for (const table of document.querySelectorAll('table')) {
  if (!table.querySelector('th')) problems.push('th-has-data-cells: ' + describe(table) + ' has no header cell');
  for (const th of table.querySelectorAll('th')) if (!th.getAttribute('scope')) problems.push('th-scope: ' + describe(th) + ' has no scope');
}
const rgba = (text) => { const m = text.match(/[\d.]+/g) || ['0', '0', '0', '0']; return { r: +m[0], g: +m[1], b: +m[2], a: m[3] === undefined ? 1 : +m[3] }; };
const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1 });
const background = (el) => {
  const layers = [];
  for (let at = el; at; at = at.parentElement) {
    const c = rgba(getComputedStyle(at).backgroundColor);
    if (c.a > 0) layers.push(c);
    if (c.a === 1) break;
  }
  return layers.reverse().reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
};
const luminance = (c) => { const ch = [c.r, c.g, c.b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]; };
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || seen.has(el) || !visible(el) || el.closest('svg, .skip')) continue;
  seen.add(el);
  const style = getComputedStyle(el);
  const back = background(el);
  const fore = over(rgba(style.color), back);
  const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) problems.push('color-contrast: ' + describe(el) + ' has ' + ratio.toFixed(2) + ':1');
}
return problems;
`;
