// The supervisor board: one department's pool and each operator's tasks by status, workload
// bars against the department's WIP cap, assign/reassign with a reason, and batch assign.
// A bar counts what the cap counts: the tasks shown here plus those the person holds in
// other departments (from GET /departments/{id}/load).

import { api } from '../api.js';
import { h, put, actionOf, debounce } from '../dom.js';
import { t, nameOf, number } from '../i18n.js';
import { pagedList } from '../paged.js';
import { department, operatorsOf, myDepartments } from '../state.js';
import { taskCard, poolOrder, onTaskButtons, HELD } from '../tasks.js';
import { field, busy, toast, toastError, clearErrors, setFieldError, showError } from '../ui.js';
import * as live from '../ws.js';

const STATUS_ORDER = { in_progress: 0, paused: 1, assigned: 2 };

async function allHeld(departmentId) {
  const out = [];
  for (const status of HELD) {
    let cursor = null;
    do {
      const page = await api.tasks({ department_id: departmentId, status, cursor, limit: 500 });
      out.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && out.length < 5000);
  }
  return out;
}

function loadBar(held, elsewhere, cap, max) {
  const pct = cap ? Math.min(100, (100 * held) / cap) : max ? (100 * held) / max : 0;
  const cls = cap && held >= cap ? 'load full' : cap && held >= cap - 1 ? 'load near' : 'load';
  return h('div', { class: cls, title: t('board.load_title') },
    h('div', { class: 'bar', role: 'meter', 'aria-valuenow': held, 'aria-valuemin': 0, 'aria-valuemax': cap || max || 1,
      'aria-label': t('board.load_title') }, h('span', { style: `width:${pct}%` })),
    h('span', { class: 'num' }, cap ? t('board.load_cap', { n: held, cap }) : t('board.load_nocap', { n: held })),
    elsewhere ? h('span', { class: 'muted small elsewhere' }, t('board.load_elsewhere', { n: elsewhere })) : null);
}

export function boardView(root, _params, query) {
  const departments = myDepartments();
  const key = 'presswork.board.department';
  let deptId = Number(query.department || localStorage.getItem(key)) || (departments[0] && departments[0].id);
  if (!departments.some((d) => d.id === deptId)) deptId = departments[0] && departments[0].id;
  const held = new Map();
  // Per operator: tasks held in other departments, which count against the cap too.
  const elsewhere = new Map();
  let loadCap;
  const selected = new Set();
  let pool = null;

  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const batchBar = h('form', { class: 'batch-bar', hidden: true, novalidate: true, 'aria-label': t('board.batch') });
  const columns = h('div', { class: 'board' });
  const poolCol = h('section', { class: 'col', dataset: { column: 'pool' } });
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.board'))), tabs, batchBar, columns);
  if (!departments.length) {
    put(columns, h('p', { class: 'empty-state' }, t('pool.no_department')));
    return undefined;
  }

  const find = (id) => held.get(id) || (pool && pool.get(id));

  function paintTabs() {
    put(tabs, departments.map((d) => h('button', {
      type: 'button', class: 'btn', role: 'tab', 'aria-selected': d.id === deptId ? 'true' : 'false', dataset: { dept: d.id },
    }, nameOf(d))));
  }

  function card(task) {
    const assignable = ['pending', 'assigned', 'paused'].includes(task.status);
    return taskCard(task, { mode: 'board', selectable: assignable, selected: selected.has(task.id) });
  }

  function paintBatch() {
    batchBar.hidden = !selected.size;
    if (batchBar.hidden) return;
    const ops = operatorsOf(deptId);
    put(batchBar,
      h('b', {}, t('board.selected', { n: selected.size })),
      field('operator_id', t('field.operator'), h('select', { name: 'operator_id' }, h('option', { value: '' }, t('board.pick_operator')),
        ops.map((u) => h('option', { value: u.id }, u.display_name || u.username)))),
      field('reason', t('field.reason'), h('input', { name: 'reason', maxlength: 4000 })),
      h('button', { type: 'submit', class: 'btn primary' }, t('board.assign_selected')),
      h('button', { type: 'button', class: 'btn ghost', style: 'color:#fff', dataset: { action: 'clear' } }, t('board.clear')),
      h('div', { class: 'form-error', style: 'flex-basis:100%' }));
  }

  function paintOperators() {
    const dept = department(deptId);
    const cap = loadCap !== undefined ? loadCap : dept && dept.wip_cap;
    const ops = operatorsOf(deptId);
    const byOp = new Map(ops.map((u) => [u.id, []]));
    const others = [];
    for (const task of held.values()) (byOp.get(task.operator_id) || others).push(task);
    const total = (id) => byOp.get(id).length + (elsewhere.get(id) || 0);
    const max = Math.max(1, ...ops.map((u) => total(u.id)));
    const col = (title, list, user) => {
      list.sort((a, b) => (STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) || poolOrder(a, b));
      const counts = HELD.map((s) => [s, list.filter((x) => x.status === s).length]).filter(([, n]) => n);
      return h('section', { class: 'col', dataset: { column: user ? `op-${user.id}` : 'other' } },
        h('header', {}, h('h3', {}, title, h('span', { class: 'muted small' }, number(list.length))),
          user ? loadBar(total(user.id), elsewhere.get(user.id) || 0, cap, max) : null,
          h('div', { class: 'status-counts' }, counts.map(([s, n]) => h('span', { class: `chip s-${s}` }, `${t(`status.${s}`)} ${n}`)))),
        h('div', { class: 'cards' }, list.length ? list.map(card) : h('p', { class: 'muted small' }, t('board.idle'))));
    };
    const cols = ops.map((u) => col(u.display_name || u.username, byOp.get(u.id), u));
    if (others.length) cols.push(col(t('board.others'), others, null));
    if (!ops.length) cols.push(h('section', { class: 'col' }, h('p', { class: 'muted' }, t('board.no_operators'))));
    put(columns, poolCol, cols);
  }

  async function loadCounts() {
    const asked = deptId;
    const reply = await api.departmentLoad(asked);
    if (asked !== deptId) return;
    elsewhere.clear();
    for (const o of reply.operators) elsewhere.set(o.operator_id, o.held - o.held_here);
    loadCap = reply.wip_cap;
  }
  const refreshCounts = debounce(async () => {
    try { await loadCounts(); } catch { return; }
    if (root.isConnected) paintOperators();
  }, 400);

  async function load() {
    localStorage.setItem(key, String(deptId));
    elsewhere.clear();
    loadCap = undefined;
    selected.clear();
    paintTabs();
    paintBatch();
    if (pool) pool.destroy();
    const count = h('span', { class: 'muted small' });
    const list = h('div', {});
    pool = pagedList({
      list, chunkClass: 'cards', order: poolOrder, render: card, empty: t('pool.empty'),
      fetchPage: (cursor) => api.tasks({ department_id: deptId, status: 'pending', cursor, limit: 30 }),
      onChange: () => { count.textContent = pool.countText(); },
    });
    put(poolCol, h('header', {}, h('h3', {}, t('board.pool'), count)), pool.root);
    held.clear();
    paintOperators();
    try {
      const [tasks] = await Promise.all([allHeld(deptId), pool.reload(), loadCounts()]);
      for (const task of tasks) held.set(task.id, task);
    } catch (e) {
      toastError(e);
    }
    if (root.isConnected) paintOperators();
  }

  function place(task) {
    if (task.department_id !== deptId) return;
    const inPool = task.status === 'pending' && !task.operator_id;
    if (inPool) pool.upsert(task); else pool.remove(task.id);
    const wasHeld = held.delete(task.id);
    if (HELD.includes(task.status)) held.set(task.id, task);
    if (!HELD.includes(task.status)) selected.delete(task.id);
    if (wasHeld || HELD.includes(task.status)) {
      paintOperators();
      // Catches what the same people took or finished in other departments meanwhile.
      refreshCounts();
    }
  }

  tabs.addEventListener('click', (e) => {
    const b = e.target.closest('[data-dept]');
    if (b) { deptId = Number(b.dataset.dept); load(); }
  });
  root.addEventListener('change', (e) => {
    const id = Number(e.target.dataset.pick);
    if (!id) return;
    if (e.target.checked) selected.add(id); else selected.delete(id);
    paintBatch();
  });
  batchBar.addEventListener('click', (e) => {
    const el = actionOf(e, batchBar);
    if (el && el.dataset.action === 'clear') {
      selected.clear();
      for (const c of root.querySelectorAll('[data-pick]')) c.checked = false;
      paintBatch();
    }
  });
  batchBar.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(batchBar);
    const operatorId = Number(batchBar.elements.operator_id.value);
    const reason = batchBar.elements.reason.value.trim();
    if (!operatorId) return void setFieldError(batchBar, 'operator_id', t('reason.required'));
    if (!reason) return void setFieldError(batchBar, 'reason', t('reason.required'));
    const ids = [...selected];
    const button = batchBar.querySelector('[type="submit"]');
    try {
      if (ids.length === 1) {
        await busy(button, () => api.assign(ids[0], operatorId, reason), { quiet: true });
      } else {
        await busy(button, () => api.batch({ action: 'assign', ids, operator_id: operatorId, reason }), { quiet: true });
      }
      toast(t('board.assigned', { n: ids.length }), 'ok');
      load();
    } catch (err) {
      showError(batchBar, err);
    }
  });
  onTaskButtons(root, find, (after, before) => {
    if (after.status === 'gone') { load(); return; }
    place(after.id ? after : before);
  });
  load();

  const offEvents = live.onEvents((events) => {
    for (const e of events) {
      const task = e.data && e.data.task;
      if (task && typeof task.id === 'number') place(task);
    }
  });
  const offResync = live.onResync(load);
  return () => { offEvents(); offResync(); refreshCounts.cancel(); if (pool) pool.destroy(); };
}
