// The department pool for operators: tasks ready to start first, then by urgency and due
// date; one tap claims. Live: a task someone else claims leaves the list at once, a newly
// published task appears in its place, without a reload.

import { api } from '../api.js';
import { h, put } from '../dom.js';
import { t, nameOf } from '../i18n.js';
import { pagedList } from '../paged.js';
import { myDepartments } from '../state.js';
import { taskCard, poolOrder, onTaskButtons } from '../tasks.js';
import * as live from '../ws.js';

const PAGE = 40;

export function poolView(root, _params, query) {
  const departments = myDepartments();
  const key = 'presswork.pool.department';
  let deptId = Number(query.department || localStorage.getItem(key)) || (departments[0] && departments[0].id);
  if (!departments.some((d) => d.id === deptId)) deptId = departments[0] && departments[0].id;
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('field.department') });
  const body = h('div', {});
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.pool'))), tabs, body);
  if (!departments.length) {
    put(body, h('p', { class: 'empty-state' }, t('pool.no_department')));
    return undefined;
  }

  let lists = []; // [{paged, accepts(task)}]
  const find = (id) => lists.map((l) => l.paged.get(id)).find(Boolean);

  function paintTabs() {
    put(tabs, departments.length > 1 ? departments.map((d) => h('button', {
      type: 'button', class: 'btn', role: 'tab', 'aria-selected': d.id === deptId ? 'true' : 'false', dataset: { dept: d.id },
    }, nameOf(d))) : null);
  }

  function section(title, ready) {
    const count = h('span', { class: 'list-count' });
    const grid = h('div', { dataset: { pool: ready ? 'ready' : 'waiting' } });
    const paged = pagedList({
      list: grid,
      chunkClass: 'task-grid',
      order: poolOrder,
      render: (task) => taskCard(task, { mode: 'pool' }),
      empty: ready === false ? t('pool.none_waiting') : t('pool.empty'),
      fetchPage: (cursor) => api.tasks({ department_id: deptId, status: 'pending', ready, cursor, limit: PAGE }),
      onChange: () => { count.textContent = paged.countText(); },
    });
    const accepts = (task) => task.status === 'pending' && !task.operator_id && task.department_id === deptId
      && Boolean(task.ready) === ready;
    lists.push({ paged, accepts });
    return h('section', {}, h('div', { class: 'section-title' }, h('h2', {}, title), count), paged.root);
  }

  async function load() {
    localStorage.setItem(key, String(deptId));
    paintTabs();
    for (const l of lists) l.paged.destroy();
    lists = [];
    put(body, [section(t('pool.ready_now'), true), section(t('pool.waiting'), false)]);
    await Promise.all(lists.map((l) => l.paged.reload()));
  }

  /** A task that changed: it belongs in at most one list, and leaves the others. */
  function place(task) {
    for (const l of lists) {
      if (l.accepts(task)) l.paged.upsert(task); else l.paged.remove(task.id);
    }
  }

  tabs.addEventListener('click', (e) => {
    const b = e.target.closest('[data-dept]');
    if (!b) return;
    deptId = Number(b.dataset.dept);
    load();
  });
  onTaskButtons(root, find, (after, before) => {
    if (after.status === 'gone') { for (const l of lists) l.paged.remove(before.id); return; }
    place(after);
  });
  load();

  const offEvents = live.onEvents((events) => {
    for (const e of events) {
      const task = e.data && e.data.task;
      if (task && typeof task.id === 'number') place(task);
      else if (e.task_id && e.kind === 'task.removed') for (const l of lists) l.paged.remove(e.task_id);
    }
  });
  const offResync = live.onResync(() => Promise.all(lists.map((l) => l.paged.reload())));
  return () => { offEvents(); offResync(); for (const l of lists) l.paged.destroy(); };
}
