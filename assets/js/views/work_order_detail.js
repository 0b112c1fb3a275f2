// One work order: header and print spec, the approval actions (submit, approve, reject and
// cancel with reasons), a stepper of its processes with every task's state, operator and
// good/scrap quantities, and its history. Refreshes itself when its events arrive.

import { api, errorText } from '../api.js';
import { icon } from '../icons.js';
import { h, put, isOverdue, debounce, actionOf } from '../dom.js';
import { t, nameOf, number, money, dateTime } from '../i18n.js';
import { historyList } from '../history.js';
import { hasRole, department } from '../state.js';
import { statusChip, priorityBadge, processName, dueLabel } from '../tasks.js';
import { amount, colorsText, waitingFor } from '../flow.js';
import { askReason, busy, confirmDialog, toast, toastError } from '../ui.js';
import * as live from '../ws.js';

const MAKERS = ['maker', 'manager', 'admin'];
const APPROVERS = ['manager', 'admin'];

/** As `work_order_flow::cancel_work_order` rules: clerks cancel before approval, managers always. */
function mayCancel(wo) {
  if (['completed', 'cancelled'].includes(wo.status)) return false;
  return hasRole(...APPROVERS) || (hasRole('maker') && ['draft', 'submitted'].includes(wo.status));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

function actionButtons(wo) {
  const b = (action, key, cls = '') => h('button', { type: 'button', class: `btn ${cls}`, dataset: { action } }, t(key));
  const out = [];
  if (hasRole(...MAKERS) && ['draft', 'approved', 'in_progress'].includes(wo.status)) {
    out.push(h('a', { class: 'btn', href: `#/work-orders/${wo.id}/edit` }, t('wo.edit')));
  }
  if (hasRole(...MAKERS) && wo.status === 'draft') out.push(b('submit', 'wo.submit', 'primary'));
  if (hasRole(...APPROVERS) && ['draft', 'submitted'].includes(wo.status)) out.push(b('approve', 'wo.approve', 'ok'));
  if (hasRole(...APPROVERS) && wo.status === 'submitted') out.push(b('reject', 'wo.reject', 'warn'));
  if (mayCancel(wo)) out.push(b('cancel', 'wo.cancel', 'danger'));
  out.push(h('a', { class: 'btn', href: `#/work-orders/${wo.id}/ticket` }, icon('printer'), t('wo.ticket')));
  return out;
}

// As `gates::TICKERS`: who confirms that proof, paper and die are there.
const TICKERS = ['maker', 'supervisor', 'manager', 'admin'];

/** The order's gates (proof approved, paper ready…): who ticked each and when, and a button. */
function gateList(wo) {
  const open = ['draft', 'submitted', 'approved', 'in_progress'].includes(wo.status);
  const may = open && hasRole(...TICKERS);
  return h('ul', { class: 'gates', 'aria-label': t('wo.gates') }, (wo.gates || []).map((g) => h('li', { class: `gate${g.done_at ? ' done' : ''}` },
    h('b', {}, nameOf(g)), ' ',
    h('span', { class: 'muted' }, g.done_at ? t('wo.gate_done', { name: g.done_by_name || '', time: dateTime(g.done_at) }) : t('wo.gate_open')),
    may ? h('button', { type: 'button', class: `btn small${g.done_at ? '' : ' ok'}`, dataset: { action: 'gate', gate: g.code, done: g.done_at ? '' : '1' } },
      t(g.done_at ? 'wo.gate_reopen' : 'wo.gate_tick')) : null)));
}

/** Each process line as a step; its tasks (one per part) beneath it. */
function stepper(wo) {
  const tasks = wo.tasks || [];
  const lines = wo.lines || [];
  if (!lines.length) return h('p', { class: 'muted' }, t('wo.no_lines'));
  return h('ol', { class: 'stepper', 'aria-label': t('wo.steps') }, lines.map((line, i) => {
    const mine = tasks.filter((task) => task.line_id === line.id && task.status !== 'cancelled');
    const done = mine.length > 0 && mine.every((task) => task.status === 'completed');
    const active = mine.some((task) => ['in_progress', 'paused', 'assigned'].includes(task.status));
    const ready = mine.some((task) => task.ready && task.status === 'pending');
    const cls = `step${done ? ' done' : active ? ' active' : ready ? ' ready' : ''}`;
    return h('li', { class: cls },
      h('div', { class: 'dot', 'aria-hidden': 'true' }, done ? '✓' : String(i + 1)),
      h('div', { class: 's-name' }, nameOf({ name_zh: line.process_name_zh, name_en: line.process_name_en, code: line.process_code })),
      h('div', { class: 's-dept' }, nameOf(department(line.department_id)), ' · ', amount(line.quantity, line.unit)),
      line.parallel ? h('div', { class: 's-flag' }, t('field.parallel')) : null,
      h('ul', { class: 'step-tasks' }, mine.map((task) => {
        const pct = task.quantity ? Math.min(100, (100 * task.good_qty) / task.quantity) : 0;
        const spct = task.quantity ? Math.min(100 - pct, (100 * task.scrap_qty) / task.quantity) : 0;
        return h('li', {}, h('a', { href: `#/tasks/${task.id}` },
          h('div', { class: 'row' }, h('b', {}, task.part || processName(task)), statusChip(task.status)),
          h('div', { class: 'progress scrap', style: 'margin:6px 0 4px' },
            h('span', { style: `width:${pct}%` }), h('span', { style: `width:${spct}%` })),
          h('div', { class: 'muted' }, t('wo.good_scrap', { good: number(task.good_qty), scrap: number(task.scrap_qty), total: amount(task.quantity, task.unit) })),
          !task.ready && (task.blocked_by || []).length && task.status !== 'completed'
            ? h('div', { class: 'small waits' }, t('task.waits_for', { what: waitingFor(task.blocked_by, task.unit) })) : null,
          task.operator_name ? h('div', {}, icon('user', 14), ' ', task.operator_name) : null));
      })));
  }));
}

export function workOrderDetailView(root, params) {
  const id = Number(params.id);
  const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, t('common.loading')));
  const historyBox = h('div', {});
  root.append(body);
  let wo = null;

  async function load() {
    try {
      wo = await api.workOrder(id);
    } catch (e) {
      put(body, h('div', { class: 'notice danger' }, e.status === 404 ? t('wo.not_found') : errorText(e)));
      return;
    }
    if (!root.isConnected) return;
    const late = isOverdue(wo.due_date, wo.status);
    put(body,
      h('div', { class: 'page-head' },
        h('div', { class: 'detail-head' },
          h('a', { href: '#/work-orders', class: 'btn ghost small', 'aria-label': t('common.back') }, '←'),
          h('span', { class: 'wo-num' }, wo.number), statusChip(wo.status), priorityBadge(wo.priority),
          late ? h('span', { class: 'overdue-tag' }, t('common.overdue')) : null),
        h('div', { class: 'actions-bar' }, actionButtons(wo))),
      wo.status === 'draft' && wo.reject_reason ? h('div', { class: 'notice warn' }, t('wo.rejected_because', { reason: wo.reject_reason })) : null,
      wo.status === 'cancelled' && wo.cancel_reason ? h('div', { class: 'notice danger' }, t('wo.cancelled_because', { reason: wo.cancel_reason })) : null,
      h('section', { class: 'card' },
        h('h2', {}, wo.product, h('span', { class: 'muted' }, ' · ', wo.customer)),
        kv([
          [t('field.quantity'), `${number(wo.quantity)} ${wo.unit || ''}`],
          [t('field.overs'), wo.overs ? amount(wo.overs, 'sheet') : null],
          [t('field.due_date'), dueLabel(wo.due_date, wo.status, { bare: true })],
          [t('field.paper'), [wo.paper, wo.gsm ? `${wo.gsm} g/m²` : ''].filter(Boolean).join(' · ')],
          [t('field.sheet_size'), wo.sheet_size], [t('field.finished_size'), wo.finished_size], [t('field.colors'), colorsText(wo)],
          [t('field.ups'), wo.ups > 1 ? number(wo.ups) : null],
          [t('field.unit_price'), wo.unit_price != null ? money(wo.unit_price) : null],
          [t('field.amount'), wo.amount != null ? money(wo.amount) : null],
          [t('wo.created_at'), dateTime(wo.created_at)],
          [t('wo.approved_at'), wo.approved_at ? dateTime(wo.approved_at) : null],
          [t('wo.progress'), t('wo.tasks_done', { done: wo.tasks_completed, total: wo.tasks_total })],
        ]),
        wo.notes ? h('p', { class: 'notes', style: 'white-space:pre-wrap;margin-bottom:0' }, wo.notes) : null),
      (wo.gates || []).length ? h('section', { class: 'card' }, h('h2', {}, t('wo.gates')), gateList(wo)) : null,
      h('section', { class: 'card' }, h('h2', {}, t('wo.steps')), stepper(wo)),
      h('section', { class: 'card' }, h('h2', {}, t('wo.history')), historyBox));
    loadHistory();
  }

  async function loadHistory() {
    try {
      put(historyBox, historyList(await api.workOrderHistory(id)));
    } catch (e) {
      put(historyBox, h('p', { class: 'muted' }, errorText(e)));
    }
  }

  async function act(el) {
    const action = el.dataset.action;
    try {
      if (action === 'submit') {
        await busy(el, () => api.submitWorkOrder(id), { quiet: true });
        toast(t('wo.submitted'), 'ok');
      } else if (action === 'approve') {
        if (!await confirmDialog(t('wo.approve_title', { number: wo.number }), t('wo.approve_text', { n: wo.tasks_total }), { confirm: t('wo.approve') })) return;
        await busy(el, () => api.approveWorkOrder(id), { quiet: true });
        toast(t('wo.approved'), 'ok');
      } else if (action === 'reject') {
        if (!await askReason(t('wo.reject_title', { number: wo.number }), { confirm: t('wo.reject'), submit: (r) => api.rejectWorkOrder(id, r) })) return;
        toast(t('wo.rejected'), 'ok');
      } else if (action === 'gate') {
        await busy(el, () => api.tickGate(id, el.dataset.gate, el.dataset.done === '1'), { quiet: true });
      } else if (action === 'cancel') {
        if (!await askReason(t('wo.cancel_title', { number: wo.number }), { confirm: t('wo.cancel'), submit: (r) => api.cancelWorkOrder(id, r) })) return;
        toast(t('wo.cancelled'), 'ok');
      } else {
        return;
      }
    } catch (e) {
      toastError(e);
    }
    load();
  }

  root.addEventListener('click', (e) => {
    const el = actionOf(e, root);
    if (el) act(el);
  });
  load();
  const reload = debounce(load, 300);
  const offEvents = live.onEvents((events) => {
    if (events.some((e) => e.work_order_id === id)) reload();
  });
  const offResync = live.onResync(reload);
  return () => { offEvents(); offResync(); reload.cancel(); };
}
