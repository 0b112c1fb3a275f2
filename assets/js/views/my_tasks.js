// "My tasks" for operators: what I hold, running work first. Start, pause and resume,
// report good and scrap (with a reason), complete, release back to the pool.

import { api } from '../api.js';
import { h, put } from '../dom.js';
import { t } from '../i18n.js';
import { state } from '../state.js';
import { taskCard, poolOrder, onTaskButtons, tickTimers, HELD } from '../tasks.js';
import { toastError } from '../ui.js';
import * as live from '../ws.js';

const STATUS_ORDER = { in_progress: 0, paused: 1, assigned: 2 };

function order(a, b) {
  return (STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) || poolOrder(a, b);
}

export function myTasksView(root) {
  const tasks = new Map();
  const grid = h('div', { class: 'task-grid', dataset: { list: 'mine' } });
  const count = h('span', { class: 'list-count' });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.my_tasks')), count,
    h('span', { class: 'spacer' }), h('a', { class: 'btn', href: '#/pool' }, t('mine.to_pool'))), grid);

  function paint() {
    const list = [...tasks.values()].sort(order);
    count.textContent = t('common.count', { n: list.length, more: '' });
    put(grid, list.length ? list.map((task) => taskCard(task, { mode: 'mine' }))
      : h('div', { class: 'empty-state' }, h('p', {}, t('mine.empty')), h('a', { class: 'btn primary big', href: '#/pool' }, t('mine.to_pool'))));
  }

  async function load() {
    try {
      const pages = await Promise.all(HELD.map((status) =>
        api.tasks({ operator_id: state.user.id, status, limit: 200 })));
      tasks.clear();
      for (const p of pages) for (const task of p.items) tasks.set(task.id, task);
      if (root.isConnected) paint();
    } catch (e) {
      toastError(e);
    }
  }

  function place(task) {
    const mine = task.operator_id === state.user.id && HELD.includes(task.status);
    if (mine) tasks.set(task.id, task);
    else if (!tasks.delete(task.id)) return;
    paint();
  }

  onTaskButtons(root, (id) => tasks.get(id), (after, before) => {
    if (after.status === 'gone') { tasks.delete(before.id); paint(); return; }
    place(after);
    // Reports answer with the task only through a re-read; make sure the card shows it.
    if (after.id === before.id && after.version === before.version) api.task(before.id).then(place, () => {});
  });
  load();
  const timer = setInterval(() => tickTimers(grid), 15000);
  const offEvents = live.onEvents((events) => {
    for (const e of events) {
      const task = e.data && e.data.task;
      if (task && (task.operator_id === state.user.id || tasks.has(task.id))) place(task);
    }
  });
  const offResync = live.onResync(load);
  return () => { clearInterval(timer); offEvents(); offResync(); };
}
