// A task as a card, the actions the signed-in person may take on it, and carrying them out
// (claim, start, pause, resume, report, complete, release, handover, assign, unassign,
// cancel). Which buttons show is the server's word: the `actions` each task carries.
// Shared by the pool, "My tasks", the supervisor board and the single-task page.

import { api } from './api.js';
import { icon } from './icons.js';
import { h, isOverdue, duration, actionOf } from './dom.js';
import { t, nameOf, number, shortDate, isZh } from './i18n.js';
import { state, department, operatorsOf } from './state.js';
import { amount, waitingFor } from './flow.js';
import { openDialog, field, askReason, toast, toastError, busy } from './ui.js';

export const RANK = { low: 0, normal: 1, high: 2, urgent: 3 };
export const OPEN = ['pending', 'assigned', 'in_progress', 'paused'];
export const HELD = ['assigned', 'in_progress', 'paused'];

/** Pool order: ready first, then most urgent, then earliest due, then oldest. */
export function poolOrder(a, b) {
  const ra = a.ready === false ? 0 : 1;
  const rb = b.ready === false ? 0 : 1;
  return (rb - ra) || (RANK[b.priority] - RANK[a.priority])
    || String(a.due_date).localeCompare(String(b.due_date)) || a.id - b.id;
}

export function processName(task) {
  return nameOf({ name_zh: task.process_name_zh, name_en: task.process_name_en, code: task.process_code });
}

export function statusChip(status) {
  return h('span', { class: `chip s-${status}` }, t(`status.${status}`));
}

export function priorityBadge(priority) {
  return h('span', { class: `prio p-${priority}` }, t(`priority.${priority}`));
}

export function dueLabel(due, status, { bare = false } = {}) {
  const late = isOverdue(due, status);
  return h('span', { class: `due${late ? ' is-overdue' : ''}` },
    bare ? shortDate(due) : t('task.due', { date: shortDate(due) }), late ? [' ', h('span', { class: 'overdue-tag' }, t('common.overdue'))] : null);
}

export function workedMs(task) {
  return (task.worked_ms || 0) + (task.running_since ? Math.max(0, Date.now() - task.running_since) : 0);
}

/** How each action the server offers is shown: label key and button class, in button order. */
const BUTTONS = [
  ['acknowledge', 'task.acknowledge', 'warn'],
  ['claim', 'task.claim', 'primary big'],
  ['start', 'task.start', 'primary'],
  ['resume', 'task.resume', 'primary'],
  ['report', 'task.report', 'primary'],
  ['complete', 'task.complete', 'ok'],
  ['pause', 'task.pause', 'warn'],
  ['release', 'task.release', ''],
  ['handover', 'task.handover', 'small'],
  ['split', 'task.split', 'small'],
  ['assign', 'task.assign', 'small'],
  ['unassign', 'task.unassign', 'small'],
  ['cancel', 'task.cancel', 'danger small'],
];

// Where a view shows an offered action: directing belongs to the board and the task page,
// cancelling to the page alone. Whether it is offered at all is the server's word (`actions`).
const SHOWN_IN = {
  handover: ['board', 'page'],
  split: ['board', 'page'],
  assign: ['board', 'page'],
  unassign: ['board', 'page'],
  cancel: ['page'],
};

/** The buttons for `task` in a view, as [action, label key, button class]. */
export function actionsFor(task, mode) {
  const offered = new Set(task.actions || []);
  return BUTTONS
    .filter(([action]) => offered.has(action) && (!SHOWN_IN[action] || SHOWN_IN[action].includes(mode)))
    .map(([action, key, cls]) => [action, action === 'assign' && task.operator_id ? 'task.reassign' : key, cls]);
}

/** Why the task went to its operator: presswork's own words come in both languages. */
export function assignReason(task) {
  return (isZh() && task.assign_reason_zh) || task.assign_reason || '';
}

export function taskCard(task, { mode = 'pool', selectable = false, selected = false } = {}) {
  const late = isOverdue(task.due_date, task.status);
  const cls = ['task-card', `is-${task.priority}`, late ? 'is-overdue' : ''].join(' ');
  const dept = department(task.department_id);
  const actions = actionsFor(task, mode);
  const showReady = task.ready !== undefined && OPEN.includes(task.status) && task.status !== 'in_progress';
  return h('article', { class: cls, dataset: { taskId: task.id }, 'aria-label': `${processName(task)} ${task.work_order_number}` },
    h('div', { class: 't-head' },
      h('div', {},
        h('div', { class: 't-proc' }, h('a', { href: `#/tasks/${task.id}` }, processName(task))),
        task.part ? h('div', { class: 't-part' }, task.part) : null),
      h('div', { class: 'row', style: 'gap:6px;justify-content:flex-end' },
        task.priority !== 'normal' ? priorityBadge(task.priority) : null,
        statusChip(task.status),
        showReady ? h('span', { class: `chip ${task.ready ? 'ready' : 'waiting'}` }, t(task.ready ? 'task.ready' : 'task.waiting')) : null)),
    h('div', { class: 't-wo' },
      h('a', { href: `#/work-orders/${task.work_order_id}` }, task.work_order_number), ' · ',
      task.customer, ' · ', task.product),
    h('div', { class: 't-meta' },
      h('span', {}, t('task.quantity'), ' ', h('b', { class: 'num' }, amount(task.quantity, task.unit))),
      task.available_qty != null && task.status !== 'completed'
        ? h('span', {}, t('task.available'), ' ', h('b', { class: 'num' }, amount(task.available_qty, task.unit))) : null,
      (task.good_qty || task.scrap_qty) ? h('span', {}, t('task.good'), ' ', h('b', { class: 'num' }, number(task.good_qty)),
        ' · ', t('task.scrap'), ' ', h('b', { class: 'num' }, number(task.scrap_qty))) : null,
      dueLabel(task.due_date, task.status),
      mode !== 'pool' && mode !== 'mine' && dept ? h('span', {}, nameOf(dept)) : null,
      mode !== 'mine' && task.operator_name ? h('span', {}, icon('user', 15), ' ', h('b', {}, task.operator_name)) : null,
      (task.worked_ms || task.running_since) ? h('span', { dataset: { running: task.running_since || '' , worked: task.worked_ms || 0 } },
        icon('clock', 15), ' ', h('b', { class: 'num worked' }, duration(workedMs(task)))) : null),
    !task.ready && (task.blocked_by || []).length && OPEN.includes(task.status)
      ? h('div', { class: 'small waits', dataset: { waits: task.id } }, t('task.waits_for', { what: waitingFor(task.blocked_by, task.unit) })) : null,
    task.target_notice ? h('div', { class: 'notice warn small', dataset: { notice: task.id } },
      t('task.target_changed', { from: amount(task.target_notice.from, task.unit), to: amount(task.target_notice.to, task.unit) })) : null,
    task.shortfall_reason ? h('div', { class: 'small muted' }, t('task.shortfall', { reason: task.shortfall_reason })) : null,
    task.assign_reason && mode !== 'pool' ? h('div', { class: 'small muted why' }, t('task.assign_reason', { reason: assignReason(task) })) : null,
    actions.length || selectable ? h('div', { class: 't-actions' },
      selectable ? h('label', { class: 'pick' }, h('input', { type: 'checkbox', dataset: { pick: task.id }, checked: selected }), t('board.select')) : null,
      actions.map(([action, key, c]) => h('button', { type: 'button', class: `btn ${c}`, dataset: { action, id: task.id } }, t(key))))
      : null);
}

/** Refreshes the running timers inside `root` (called every few seconds by views). */
export function tickTimers(root) {
  for (const el of root.querySelectorAll('[data-running]')) {
    if (!el.dataset.running) continue;
    const ms = Number(el.dataset.worked || 0) + Date.now() - Number(el.dataset.running);
    const b = el.querySelector('.worked');
    if (b) b.textContent = duration(ms);
  }
}

async function loadScrapReasons() {
  if (!state.scrapReasons.length) {
    try { state.scrapReasons = await api.scrapReasons(); } catch { /* typed in by hand instead */ }
  }
  return state.scrapReasons.filter((r) => r.active !== false);
}

async function reportDialog(task) {
  const reasons = await loadScrapReasons();
  const good = h('input', { name: 'good', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: '0' });
  const scrap = h('input', { name: 'scrap', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: '0' });
  const reason = reasonControl('scrap_reason', reasons);
  const left = task.available_qty != null ? task.available_qty : task.quantity;
  return openDialog({
    title: t('task.report_title', { process: processName(task) }),
    confirm: t('task.report'),
    body: [
      h('p', { class: 'muted' }, t('task.report_so_far', { good: number(task.good_qty), scrap: number(task.scrap_qty), total: amount(left, task.unit) })),
      h('div', { class: 'form-grid' },
        field('good', t('task.good_add'), good), field('scrap', t('task.scrap_add'), scrap),
        h('div', { class: 'wide' }, field('scrap_reason', t('field.scrap_reason'), reason)))],
    validate: (v) => {
      const errs = {};
      const g = Number(v.good || 0);
      const s = Number(v.scrap || 0);
      if (!Number.isInteger(g) || g < 0) errs.good = t('reason.whole_number');
      if (!Number.isInteger(s) || s < 0) errs.scrap = t('reason.whole_number');
      if (!errs.good && !errs.scrap && g + s === 0) errs.good = t('task.report_nothing');
      const room = left - (task.good_qty || 0) - (task.scrap_qty || 0);
      if (!errs.good && !errs.scrap && g + s > room) errs.good = t('task.report_too_much', { room: amount(Math.max(0, room), task.unit) });
      if (s > 0 && !v.scrap_reason) errs.scrap_reason = t('reason.required');
      return errs;
    },
    submit: (v) => api.progress(task.id, Number(v.good || 0), Number(v.scrap || 0), v.scrap_reason),
  });
}

/** Selects of scrap reasons, or a text box when the catalogue could not be read. */
function reasonControl(name, reasons) {
  return reasons.length
    ? h('select', { name }, h('option', { value: '' }, t('task.pick_reason')),
      reasons.map((r) => h('option', { value: r.code ?? r.id }, nameOf(r) || r.code)))
    : h('input', { name, maxlength: 200 });
}

/**
 * Completion asks for the final totals, defaulting to all that reached the task; scrap
 * beyond what was reported needs its reason, a good total short of the quantity its why.
 */
async function completeDialog(task) {
  const reasons = await loadScrapReasons();
  const reached = task.available_qty != null ? task.available_qty : task.quantity;
  const good0 = Math.max(task.good_qty || 0, Math.min(reached, task.quantity) - (task.scrap_qty || 0));
  const good = h('input', { name: 'good_total', type: 'number', min: task.good_qty || 0, step: 1, inputmode: 'numeric', value: String(good0) });
  const scrap = h('input', { name: 'scrap_total', type: 'number', min: task.scrap_qty || 0, step: 1, inputmode: 'numeric', value: String(task.scrap_qty || 0) });
  const shortWhy = h('input', { name: 'shortfall_reason', maxlength: 4000 });
  const scrapBox = h('div', { class: 'wide', hidden: true }, field('scrap_reason', t('field.scrap_reason'), reasonControl('scrap_reason', reasons)));
  const shortBox = h('div', { class: 'wide', hidden: true }, field('shortfall_reason', t('field.shortfall_reason'), shortWhy, t('task.shortfall_hint', { quantity: amount(task.quantity, task.unit) })));
  const sync = () => {
    scrapBox.hidden = !(Number(scrap.value) > (task.scrap_qty || 0));
    shortBox.hidden = !(Number(good.value) < task.quantity);
  };
  good.addEventListener('input', sync);
  scrap.addEventListener('input', sync);
  sync();
  let result = null;
  const values = await openDialog({
    title: t('task.complete_title'),
    confirm: t('task.complete'),
    body: [
      h('p', { class: 'muted' }, t('task.complete_text', { process: processName(task), good: number(task.good_qty), quantity: amount(task.quantity, task.unit) })),
      h('div', { class: 'form-grid' },
        field('good_total', t('field.good_total'), good), field('scrap_total', t('field.scrap_total'), scrap), scrapBox, shortBox)],
    validate: (v) => {
      const errs = {};
      const g = Number(v.good_total);
      const sc = Number(v.scrap_total || 0);
      if (v.good_total === '' || !Number.isInteger(g) || g < 0) errs.good_total = t('reason.whole_number');
      else if (g < (task.good_qty || 0)) errs.good_total = t('task.below_reported', { n: number(task.good_qty) });
      if (!Number.isInteger(sc) || sc < 0) errs.scrap_total = t('reason.whole_number');
      else if (sc < (task.scrap_qty || 0)) errs.scrap_total = t('task.below_reported', { n: number(task.scrap_qty) });
      if (!errs.good_total && !errs.scrap_total && g + sc > reached) errs.good_total = t('task.report_too_much', { room: amount(reached, task.unit) });
      if (sc > (task.scrap_qty || 0) && !v.scrap_reason) errs.scrap_reason = t('reason.required');
      if (g < task.quantity && !String(v.shortfall_reason || '').trim()) errs.shortfall_reason = t('reason.required');
      return errs;
    },
    submit: async (v) => {
      const body = { good_total: Number(v.good_total), scrap_total: Number(v.scrap_total || 0) };
      if (v.scrap_reason) body.scrap_reason = v.scrap_reason;
      if (String(v.shortfall_reason || '').trim()) body.shortfall_reason = v.shortfall_reason.trim();
      result = await api.complete(task.id, body);
    },
  });
  return values ? result : null;
}

/** A shift change: the work so far stays credited to who did it; the rest goes to the next. */
async function handoverDialog(task) {
  const operators = operatorsOf(task.department_id).filter((u) => u.id !== task.operator_id);
  const select = h('select', { name: 'operator_id', required: true },
    h('option', { value: '' }, t('board.pick_operator')),
    operators.map((u) => h('option', { value: u.id }, u.display_name || u.username)));
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 4000 });
  let result = null;
  const values = await openDialog({
    title: t('task.handover_title', { process: processName(task) }),
    confirm: t('task.handover'),
    body: [h('p', { class: 'muted' }, t('task.handover_text')),
      field('operator_id', t('field.operator'), select), field('note', t('field.note'), note)],
    validate: (v) => (v.operator_id ? {} : { operator_id: t('reason.required') }),
    submit: async (v) => { result = await api.handover(task.id, Number(v.operator_id), v.note || ''); },
  });
  return values ? result : null;
}

/** Part of the unstarted remainder to a second crew, or back to the pool for anyone. */
async function splitDialog(task) {
  const left = task.quantity - (task.good_qty || 0) - (task.scrap_qty || 0);
  const most = Math.min(left, task.quantity - 1);
  const qty = h('input', { name: 'quantity', type: 'number', min: 1, max: most, step: 1, inputmode: 'numeric', value: String(Math.floor(left / 2) || 1) });
  const select = h('select', { name: 'operator_id' },
    h('option', { value: '' }, t('task.split_to_pool')),
    operatorsOf(task.department_id).filter((u) => u.id !== task.operator_id)
      .map((u) => h('option', { value: u.id }, u.display_name || u.username)));
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 4000 });
  let result = null;
  const values = await openDialog({
    title: t('task.split_title', { process: processName(task) }),
    confirm: t('task.split'),
    body: [h('p', { class: 'muted' }, t('task.split_text', { left: amount(left, task.unit) })),
      field('quantity', t('field.quantity'), qty), field('operator_id', t('field.operator'), select), field('reason', t('field.reason'), reason)],
    validate: (v) => {
      const n = Number(v.quantity);
      return Number.isInteger(n) && n >= 1 && n <= most ? {} : { quantity: t('reason.range', { n: 1, max: number(most) }) };
    },
    submit: async (v) => {
      const body = { quantity: Number(v.quantity), reason: v.reason || '' };
      if (v.operator_id) body.operator_id = Number(v.operator_id);
      result = await api.split(task.id, body);
    },
  });
  if (values && result) toast(t('task.split_done', { n: amount(result.split.quantity, task.unit) }), 'ok');
  return values && result ? result.task : null;
}

async function assignDialog(task) {
  const operators = operatorsOf(task.department_id);
  const select = h('select', { name: 'operator_id', required: true },
    h('option', { value: '' }, t('board.pick_operator')),
    operators.map((u) => h('option', { value: u.id, selected: u.id === task.operator_id }, u.display_name || u.username)));
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 4000 });
  let result = null;
  const values = await openDialog({
    title: t(task.operator_id ? 'task.reassign' : 'task.assign'),
    confirm: t('task.assign'),
    body: [field('operator_id', t('field.operator'), select), field('reason', t('field.reason'), reason)],
    validate: (v) => {
      const errs = {};
      if (!v.operator_id) errs.operator_id = t('reason.required');
      if (!v.reason) errs.reason = t('reason.required');
      return errs;
    },
    submit: async (v) => { result = await api.assign(task.id, Number(v.operator_id), v.reason); },
  });
  return values ? result : null;
}

/**
 * Carries out the action of a clicked button on `task`. Resolves with the task as the
 * server now has it (or null when it did not say, or nothing happened).
 */
export async function runTaskAction(button, task) {
  const action = button.dataset.action;
  try {
    switch (action) {
      case 'claim': {
        const done = await busy(button, () => api.claim(task.id), { quiet: true });
        toast(t('task.claimed_toast'), 'ok', { link: { href: '#/my-tasks', text: t('nav.my_tasks') } });
        return done;
      }
      case 'report': {
        const values = await reportDialog(task);
        if (values) toast(t('task.reported'), 'ok');
        return values ? await api.task(task.id) : null;
      }
      case 'complete': {
        const done = await completeDialog(task);
        if (done) toast(t('task.completed_toast', { process: processName(task), good: amount(done.good_qty, done.unit) }), 'ok');
        return done;
      }
      case 'handover':
        return await handoverDialog(task);
      case 'split':
        return await splitDialog(task);
      case 'assign':
        return await assignDialog(task);
      case 'cancel': {
        let out = null;
        const reason = await askReason(t('task.cancel_title'), { confirm: t('task.cancel'), submit: async (r) => { out = await api.cancelTask(task.id, r); } });
        return reason ? out : null;
      }
      default:
        return await busy(button, () => api.taskAction(task.id, action), { quiet: true });
    }
  } catch (err) {
    toastError(err);
    if (['task_already_claimed', 'task_held_by_other'].includes(err.code) || err.status === 404) return { ...task, status: 'gone' };
    return null;
  }
}

/** Wires delegated clicks on task buttons inside `root`; `find(id)` gives the task shown. */
export function onTaskButtons(root, find, changed) {
  root.addEventListener('click', async (e) => {
    const el = actionOf(e, root);
    if (!el || !el.dataset.id) return;
    const task = find(Number(el.dataset.id));
    if (!task) return;
    const after = await runTaskAction(el, task);
    if (after) changed(after, task);
  });
}
