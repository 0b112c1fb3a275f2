// A keyset-paginated list that stays smooth at 10,000 rows. Pages are fetched with the
// server's next_cursor when the end scrolls into view (or "Load more" is pressed) and rows
// are appended, never re-rendered wholesale. Rows live in chunks of CHUNK; a chunk out of
// view is skipped by the browser (content-visibility), so style and layout cost what is on
// screen, not what was loaded. Live changes insert, replace or remove one row, and chunks
// are rebalanced so every grid row stays full.

import { h, put } from './dom.js';
import { t, number } from './i18n.js';
import { toastError } from './ui.js';

/** Divisible by 1, 2, 3 and 4: a chunk of cards fills whole grid rows at every width. */
const CHUNK = 48;

/**
 * fetchPage(cursor) → {items, next_cursor}; render(item) → Node; order(a, b) sorts rows the
 * way the server pages them (used to place live inserts). `list` is the outer element;
 * each chunk is a `chunkTag` with `chunkClass` (the grid or list styling).
 */
export function pagedList({ list, chunkTag = 'div', chunkClass = '', fetchPage, render, order, empty, onChange }) {
  const rows = new Map(); // id → {item, node}
  let ids = []; // display order
  let cursor = null;
  let more = false;
  let loading = false;
  let generation = 0;

  const moreBtn = h('button', { type: 'button', class: 'btn', dataset: { action: 'load-more' } }, t('common.load_more'));
  const footer = h('div', { class: 'load-more' });
  const emptyEl = h('p', { class: 'empty-state', hidden: true }, empty || t('common.empty'));
  const root = h('div', { class: 'paged' }, list, emptyEl, footer);
  moreBtn.addEventListener('click', () => loadMore());

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && more && !loading) loadMore();
  }, { rootMargin: '600px' });
  observer.observe(footer);

  const chunks = () => list.children;
  const newChunk = () => list.appendChild(h(chunkTag, { class: `chunk ${chunkClass}` }));
  function lastChunk() {
    const last = list.lastElementChild;
    return last && last.childElementCount < CHUNK ? last : newChunk();
  }

  /** Moves rows between neighbouring chunks from `start` on, so each holds CHUNK rows. */
  function rebalance(start) {
    const all = [...chunks()];
    for (let i = Math.max(0, all.indexOf(start)); i < all.length; i += 1) {
      const c = all[i];
      let next = all[i + 1];
      while (c.childElementCount > CHUNK) {
        if (!next) { next = newChunk(); all.push(next); }
        next.prepend(c.lastElementChild);
      }
      while (next && c.childElementCount < CHUNK && next.firstElementChild) c.append(next.firstElementChild);
      if (!c.childElementCount) c.remove();
    }
  }

  function paint() {
    emptyEl.hidden = ids.length > 0 || loading || more;
    put(footer, loading ? h('span', { class: 'muted' }, t('common.loading')) : more ? moreBtn : null);
    if (onChange) onChange(ids.length, more);
  }

  async function loadMore() {
    if (loading) return;
    loading = true;
    const gen = generation;
    paint();
    try {
      const page = await fetchPage(cursor);
      if (gen !== generation) return;
      for (const item of page.items) {
        if (rows.has(item.id)) continue;
        const node = render(item);
        rows.set(item.id, { item, node });
        ids.push(item.id);
        lastChunk().append(node);
      }
      cursor = page.next_cursor;
      more = Boolean(cursor);
    } catch (e) {
      if (gen === generation) {
        more = false;
        toastError(e);
      }
    } finally {
      if (gen === generation) {
        loading = false;
        paint();
        // The observer only reports changes; if the end is still in view (a short page, or
        // a fast scroll), nothing would change, so look once more after this frame.
        requestAnimationFrame(() => {
          if (gen === generation && more && !loading && footer.isConnected
              && footer.getBoundingClientRect().top < window.innerHeight + 600) loadMore();
        });
      }
    }
  }

  function reload() {
    generation += 1;
    rows.clear();
    ids = [];
    cursor = null;
    more = false;
    loading = false;
    put(list);
    return loadMore();
  }

  /** Removes a row (with a short fade) if it is shown. */
  function remove(id) {
    const row = rows.get(id);
    if (!row) return false;
    rows.delete(id);
    ids = ids.filter((x) => x !== id);
    row.node.classList.add('leaving');
    row.node.dataset.leaving = '1';
    setTimeout(() => {
      const chunk = row.node.parentElement;
      row.node.remove();
      if (chunk && chunk.parentElement === list) rebalance(chunk);
    }, 250);
    paint();
    return true;
  }

  /** Puts `item` where the server's order would have it; skips rows beyond the loaded pages. */
  function upsert(item) {
    const existing = rows.get(item.id);
    const others = ids.filter((x) => x !== item.id);
    let at = others.findIndex((x) => order(item, rows.get(x).item) < 0);
    if (at === -1) {
      if (more) {
        if (existing) remove(item.id);
        return;
      }
      at = others.length;
    }
    const node = render(item);
    if (!existing) node.classList.add('arrived');
    const oldChunk = existing && existing.node.parentElement;
    if (existing) existing.node.remove();
    const before = at < others.length ? rows.get(others[at]).node : null;
    const chunk = before && before.parentElement ? before.parentElement : lastChunk();
    chunk.insertBefore(node, before && before.parentElement === chunk ? before : null);
    rows.set(item.id, { item, node });
    others.splice(at, 0, item.id);
    ids = others;
    const all = [...chunks()];
    const first = oldChunk && all.indexOf(oldChunk) >= 0 && all.indexOf(oldChunk) < all.indexOf(chunk) ? oldChunk : chunk;
    rebalance(first);
    paint();
  }

  function get(id) {
    const row = rows.get(id);
    return row ? row.item : null;
  }

  return {
    root,
    reload,
    remove,
    upsert,
    get,
    count: () => ids.length,
    items: () => ids.map((id) => rows.get(id).item),
    destroy: () => observer.disconnect(),
    countText: () => t('common.count', { n: number(ids.length), more: more ? '+' : '' }),
  };
}
