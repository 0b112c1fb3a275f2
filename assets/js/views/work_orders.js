// Work orders: the filtered list (status, priority, due date, customer, search), most
// urgent first, with urgent and overdue orders marked so nobody can miss them.

import { api } from '../api.js';
import { h, isOverdue, debounce, formValues, addDays, isoDate } from '../dom.js';
import { t, number, shortDate } from '../i18n.js';
import { pagedList } from '../paged.js';
import * as router from '../router.js';
import { hasRole } from '../state.js';
import { statusChip, priorityBadge } from '../tasks.js';
import * as live from '../ws.js';

const STATUSES = ['draft', 'submitted', 'approved', 'in_progress', 'completed', 'cancelled'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const RANK = { low: 0, normal: 1, high: 2, urgent: 3 };

function order(a, b) {
  return (RANK[b.priority] - RANK[a.priority]) || a.due_date.localeCompare(b.due_date) || a.id - b.id;
}

function row(wo) {
  const late = isOverdue(wo.due_date, wo.status);
  const pct = wo.tasks_total ? Math.round((100 * wo.tasks_completed) / wo.tasks_total) : 0;
  return h('li', { class: `wo-row is-${wo.priority}${late ? ' is-overdue' : ''}`, dataset: { id: wo.id } },
    h('a', { href: `#/work-orders/${wo.id}` },
      h('span', { class: 'wo-num' }, wo.number),
      h('span', { class: 'wo-title' }, h('b', {}, wo.product), h('span', {}, wo.customer)),
      h('span', { class: 'wo-cell-qty num' }, number(wo.quantity), ' ', wo.unit || ''),
      h('span', { class: `due${late ? ' is-overdue' : ''}` }, shortDate(wo.due_date),
        late ? [' ', h('span', { class: 'overdue-tag' }, t('common.overdue'))] : null),
      h('span', { class: 'wo-cell-progress' },
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
          h('span', { style: `width:${pct}%` })),
        h('span', { class: 'progress-label' }, t('wo.tasks_done', { done: wo.tasks_completed, total: wo.tasks_total }))),
      h('span', { class: 'wo-badges' },
        wo.priority === 'urgent' || wo.priority === 'high' ? priorityBadge(wo.priority) : null,
        statusChip(wo.status))));
}

function select(name, label, values, prefix, current) {
  const id = `flt-${name}`;
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name }, h('option', { value: '' }, t('common.all')),
      values.map((v) => h('option', { value: v, selected: v === current }, t(`${prefix}.${v}`)))));
}

export function workOrdersView(root, _params, query) {
  const f = { status: query.status || '', priority: query.priority || '', due_before: query.due_before || '', customer: query.customer || '', q: query.q || '' };
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': t('wo.filters') },
    h('div', { class: 'field' }, h('label', { for: 'flt-q' }, t('common.search')),
      h('input', { id: 'flt-q', name: 'q', type: 'search', value: f.q, placeholder: t('wo.search_hint') })),
    select('status', t('field.status'), STATUSES, 'status', f.status),
    select('priority', t('field.priority'), PRIORITIES, 'priority', f.priority),
    h('div', { class: 'field' }, h('label', { for: 'flt-due' }, t('wo.due_before')),
      h('input', { id: 'flt-due', name: 'due_before', type: 'date', value: f.due_before })),
    h('div', { class: 'field' }, h('label', { for: 'flt-customer' }, t('field.customer')),
      h('input', { id: 'flt-customer', name: 'customer', value: f.customer })));
  const quick = h('div', { class: 'quick', role: 'group', 'aria-label': t('wo.quick') },
    h('button', { type: 'button', class: 'btn small', dataset: { quick: 'all' } }, t('wo.quick_all')),
    hasRole('manager', 'admin') ? h('button', { type: 'button', class: 'btn small', dataset: { quick: 'submitted' } }, t('wo.quick_approval')) : null,
    h('button', { type: 'button', class: 'btn small', dataset: { quick: 'urgent' } }, t('wo.quick_urgent')),
    h('button', { type: 'button', class: 'btn small', dataset: { quick: 'overdue' } }, t('wo.quick_overdue')),
    h('button', { type: 'button', class: 'btn small', dataset: { quick: 'week' } }, t('wo.quick_week')));
  const count = h('span', { class: 'list-count' });
  const list = h('div', { class: 'wo-chunks', role: 'region', 'aria-label': t('nav.work_orders') });
  const paged = pagedList({
    list,
    chunkTag: 'ul',
    chunkClass: 'wo-list',
    order,
    render: row,
    empty: t('wo.empty'),
    fetchPage: (cursor) => api.workOrders({ ...f, cursor, limit: 50 }),
    onChange: () => { count.textContent = paged.countText(); },
  });
  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('nav.work_orders')), count,
      h('span', { class: 'spacer' }),
      hasRole('maker', 'manager', 'admin') ? h('a', { class: 'btn primary', href: '#/work-orders/new' }, t('wo.new')) : null),
    quick, h('details', { class: 'filters-box', open: window.innerWidth > 760 }, h('summary', {}, t('wo.filters')), filters), paged.root);

  function markQuick() {
    const overdue = f.due_before === addDays(isoDate(), -1);
    const week = f.due_before === addDays(isoDate(), 7);
    for (const b of quick.querySelectorAll('[data-quick]')) {
      const k = b.dataset.quick;
      const on = (k === 'all' && !f.status && !f.priority && !f.due_before && !f.customer && !f.q)
        || (k === 'submitted' && f.status === 'submitted') || (k === 'urgent' && f.priority === 'urgent')
        || (k === 'overdue' && overdue) || (k === 'week' && week);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  function apply() {
    Object.assign(f, formValues(filters));
    const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
    history.replaceState(null, '', `#/work-orders${q ? `?${q}` : ''}`);
    markQuick();
    paged.reload();
  }
  const applySoon = debounce(apply, 300);
  filters.addEventListener('input', applySoon);
  filters.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  quick.addEventListener('click', (e) => {
    const b = e.target.closest('[data-quick]');
    if (!b) return;
    const k = b.dataset.quick;
    const set = { status: '', priority: '', due_before: '', customer: '', q: '' };
    if (k === 'submitted') set.status = 'submitted';
    if (k === 'urgent') set.priority = 'urgent';
    if (k === 'overdue') set.due_before = addDays(isoDate(), -1);
    if (k === 'week') set.due_before = addDays(isoDate(), 7);
    for (const [name, v] of Object.entries(set)) filters.elements[name].value = v;
    apply();
  });
  markQuick();
  paged.reload();

  // Orders change state often; a changed one is fetched and put in its place.
  const refresh = debounce(async (ids) => {
    for (const id of ids) {
      try {
        const wo = await api.workOrder(id);
        const keep = (!f.status || wo.status === f.status) && (!f.priority || wo.priority === f.priority)
          && (!f.due_before || wo.due_date <= f.due_before);
        if (keep && !f.q && !f.customer) paged.upsert(wo); else if (!keep) paged.remove(id);
      } catch { paged.remove(id); }
    }
    pending.clear();
  }, 500);
  const pending = new Set();
  const offEvents = live.onEvents((events) => {
    for (const e of events) {
      if (e.work_order_id && (e.kind.startsWith('work_order.') || paged.get(e.work_order_id))) pending.add(e.work_order_id);
    }
    if (pending.size) refresh([...pending]);
  });
  const offResync = live.onResync(() => paged.reload());
  return () => { offEvents(); offResync(); paged.destroy(); refresh.cancel(); };
}
