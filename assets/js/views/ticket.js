// The job ticket (施工单): an A4 sheet of one work order, its spec and process lines, with a
// QR code for the order and one per task. Scanning a task's code opens that task's page.

import { api, errorText } from '../api.js';
import { icon } from '../icons.js';
import { h, put } from '../dom.js';
import { t, nameOf, number, dateTime } from '../i18n.js';
import { department } from '../state.js';
import { processName } from '../tasks.js';
import { amount, colorsText } from '../flow.js';

function specRow(pairs) {
  return h('tr', {}, pairs.flatMap(([k, v, span]) => [h('th', {}, k), h('td', { colspan: span || null }, v || '')]));
}

function sheet(wo) {
  const tasks = (wo.tasks || []).filter((x) => x.status !== 'cancelled');
  return h('article', { class: 'sheet', 'aria-label': t('ticket.title') },
    h('header', { class: 't-top' },
      h('div', {},
        h('h1', {}, t('ticket.title')),
        h('div', {}, h('span', { class: 't-num' }, wo.number),
          h('span', { class: `t-prio p-${wo.priority}` }, t(`priority.${wo.priority}`)),
          ' ', h('span', {}, t(`status.${wo.status}`))),
        h('div', { class: 'small' }, t('ticket.printed', { at: dateTime(Date.now()) }))),
      h('div', {},
        h('img', { class: 'qr', src: api.workOrderQrUrl(wo.id), alt: t('ticket.qr_order', { number: wo.number }), width: 113, height: 113 }),
        h('div', { class: 'qr-cap' }, t('ticket.scan_order')))),
    h('table', { class: 'spec' }, h('tbody', {},
      specRow([[t('field.customer'), wo.customer], [t('field.product'), wo.product]]),
      specRow([[t('field.quantity'), `${number(wo.quantity)} ${wo.unit || ''}`], [t('field.due_date'), wo.due_date]]),
      specRow([[t('field.overs'), amount(wo.overs, 'sheet')], [t('field.paper'), [wo.paper, wo.gsm ? `${wo.gsm} g/m²` : ''].filter(Boolean).join(' · ')]]),
      specRow([[t('field.finished_size'), wo.finished_size], [t('field.colors'), colorsText(wo)]]),
      specRow([[t('field.sheet_size'), wo.sheet_size], [t('field.ups'), number(wo.ups || 1)]]),
      specRow([[t('field.notes'), h('div', { class: 'notes' }, wo.notes || ''), 3]]))),
    h('h2', {}, t('ticket.processes')),
    h('table', { class: 'steps' },
      h('thead', {}, h('tr', {}, ['#', t('field.process'), t('field.department'), t('field.part'), t('field.quantity'),
        t('field.operator'), t('task.good'), t('task.scrap'), t('ticket.date_sign'), t('ticket.qr')].map((c) => h('th', {}, c)))),
      h('tbody', {}, tasks.map((task) => h('tr', {},
        h('td', {}, String(task.sequence)),
        h('td', {}, h('b', {}, processName(task)), task.parallel ? h('div', { class: 'small' }, t('field.parallel')) : null),
        h('td', {}, nameOf(department(task.department_id))),
        h('td', {}, task.part || ''),
        h('td', { class: 'num' }, amount(task.quantity, task.unit)),
        h('td', { class: 'blank' }, task.operator_name || ''),
        h('td', { class: 'blank num' }, task.good_qty ? number(task.good_qty) : ''),
        h('td', { class: 'blank num' }, task.scrap_qty ? number(task.scrap_qty) : ''),
        h('td', { class: 'blank' }),
        h('td', {}, h('img', { class: 'qr-sm', src: api.taskQrUrl(task.id), alt: t('ticket.qr_task', { id: task.id }), width: 80, height: 80 })))))),
    h('div', { class: 't-foot' },
      h('div', {}, t('ticket.sign_maker')), h('div', {}, t('ticket.sign_approver')), h('div', {}, t('ticket.sign_qc'))));
}

export function ticketView(root, params) {
  const id = Number(params.id);
  const tools = h('div', { class: 'ticket-tools' },
    h('a', { class: 'btn', href: `#/work-orders/${id}` }, '← ', t('common.back')),
    h('span', { class: 'muted' }, t('ticket.hint')),
    h('button', { type: 'button', class: 'btn primary', dataset: { action: 'print' } }, icon('printer'), t('ticket.print')));
  const holder = h('div', { class: 'sheet-scroll' }, h('p', { class: 'muted' }, t('common.loading')));
  root.append(tools, holder);
  tools.addEventListener('click', (e) => {
    if (e.target.closest('[data-action="print"]')) window.print();
  });
  api.workOrder(id).then((wo) => {
    if (root.isConnected) put(holder, sheet(wo));
  }, (e) => put(holder, h('div', { class: 'notice danger' }, e.status === 404 ? t('wo.not_found') : errorText(e))));
}
