// One task, as a scanned job-ticket QR code opens it: everything about it, and the buttons
// the signed-in person may press right now (claim, start, report, complete, assign…).

import { api, errorText } from '../api.js';
import { h, put, debounce, duration } from '../dom.js';
import { t, nameOf, number, dateTime } from '../i18n.js';
import { historyList } from '../history.js';
import { department } from '../state.js';
import { taskCard, onTaskButtons, tickTimers, processName, workedMs } from '../tasks.js';
import { amount } from '../flow.js';
import * as live from '../ws.js';

export function taskView(root, params) {
  const id = Number(params.id);
  const head = h('div', { class: 'page-head' }, h('h1', {}, t('task.title')));
  const cardBox = h('div', { class: 'grid-2' });
  const historyBox = h('div', {});
  root.append(head, cardBox, h('section', { class: 'card', style: 'margin-top:16px' }, h('h2', {}, t('wo.history')), historyBox));
  let task = null;

  async function load() {
    try {
      task = await api.task(id);
    } catch (e) {
      put(cardBox, h('div', { class: 'notice danger' }, e.status === 404 ? t('task.not_found') : errorText(e)));
      return;
    }
    if (!root.isConnected) return;
    put(head, h('h1', {}, processName(task), task.part ? ` · ${task.part}` : ''),
      h('a', { class: 'btn', href: `#/work-orders/${task.work_order_id}` }, t('task.open_order', { number: task.work_order_number })));
    put(cardBox, taskCard(task, { mode: 'page' }),
      h('section', { class: 'card' },
        h('dl', { class: 'kv' }, [
          [t('field.department'), nameOf(department(task.department_id))],
          [t('task.sequence'), String(task.sequence)],
          [t('field.parallel'), t(task.parallel ? 'common.yes' : 'common.no')],
          [t('task.quantity'), amount(task.quantity, task.unit)],
          [t('task.good'), number(task.good_qty)],
          [t('task.scrap'), number(task.scrap_qty)],
          task.available_qty != null ? [t('task.available'), amount(task.available_qty, task.unit)] : null,
          [t('task.worked'), duration(workedMs(task))],
          [t('field.operator'), task.operator_name || '—'],
          task.assigned_via ? [t('task.assigned_via'), t(`via.${task.assigned_via}`)] : null,
          task.published_at ? [t('task.published_at'), dateTime(task.published_at)] : null,
          task.claimed_at ? [t('task.claimed_at'), dateTime(task.claimed_at)] : null,
          task.started_at ? [t('task.started_at'), dateTime(task.started_at)] : null,
          task.completed_at ? [t('task.completed_at'), dateTime(task.completed_at)] : null,
        ].filter(Boolean).map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))))));
    loadHistory();
  }

  async function loadHistory() {
    try {
      put(historyBox, historyList(await api.taskHistory(id)));
    } catch (e) {
      put(historyBox, h('p', { class: 'muted' }, errorText(e)));
    }
  }

  onTaskButtons(root, () => task, (after) => {
    if (after.status === 'gone') load();
    else { task = { ...task, ...after }; load(); }
  });
  load();
  const reload = debounce(load, 200);
  const timer = setInterval(() => tickTimers(cardBox), 15000);
  const offEvents = live.onEvents((events) => {
    if (events.some((e) => e.task_id === id)) reload();
  });
  const offResync = live.onResync(reload);
  return () => { clearInterval(timer); offEvents(); offResync(); reload.cancel(); };
}
