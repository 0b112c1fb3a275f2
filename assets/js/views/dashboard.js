// The manager dashboard: headline figures, open work per department, overdue tasks, queue
// time against work time, and tasks completed per day over the last 14 days.

import { api } from '../api.js';
import { columns, groupedBars, stackedBars } from '../charts.js';
import { h, put, debounce } from '../dom.js';
import { t, nameOf, number, shortDate } from '../i18n.js';
import { department } from '../state.js';
import { unavailable } from '../ui.js';
import * as live from '../ws.js';

const SERIES = [
  ['pending', '#60a5fa'], ['assigned', '#0ea5e9'], ['in_progress', '#f59e0b'], ['paused', '#eab308'],
];

function hours(ms) {
  if (ms == null) return null;
  return Math.round((ms / 3600000) * 10) / 10;
}

function tile(value, label, cls = '') {
  return h('div', { class: `tile ${cls}` }, h('div', { class: 'v' }, value), h('div', { class: 'k' }, label));
}

function card(title, content) {
  return h('section', { class: 'card' }, h('h2', {}, title), content);
}

function render(d) {
  const depts = d.departments.map((f) => ({ ...f, label: nameOf(department(f.department_id)) || `#${f.department_id}` }));
  const open = depts.reduce((a, f) => a + f.pending + f.assigned + f.in_progress + f.paused, 0);
  const running = depts.reduce((a, f) => a + f.in_progress, 0);
  const overdue = depts.reduce((a, f) => a + f.overdue, 0);
  const days = d.completed_per_day || [];
  const today = days.length ? days[days.length - 1].completed : 0;
  const fortnight = days.reduce((a, x) => a + x.completed, 0);
  const withWork = depts.filter((f) => f.pending + f.assigned + f.in_progress + f.paused > 0);
  const late = depts.filter((f) => f.overdue > 0).sort((a, b) => b.overdue - a.overdue);
  const timed = depts.filter((f) => f.avg_queue_ms != null || f.avg_work_ms != null);
  return [
    h('div', { class: 'tiles' },
      tile(number(open), t('dash.open')),
      tile(number(running), t('dash.running')),
      tile(number(overdue), t('dash.overdue'), overdue ? 'danger' : ''),
      tile(number(today), t('dash.done_today')),
      tile(number(fortnight), t('dash.done_days', { n: d.days }))),
    h('div', { class: 'charts' },
      card(t('dash.workload'), withWork.length
        ? stackedBars(withWork.map((f) => ({ label: f.label, values: SERIES.map(([k]) => f[k]) })),
          SERIES.map(([k, color]) => ({ label: t(`status.${k}`), color })), { title: t('dash.workload'), format: number })
        : h('p', { class: 'muted' }, t('dash.no_open'))),
      card(t('dash.overdue_by_dept'), late.length
        ? stackedBars(late.map((f) => ({ label: f.label, values: [f.overdue] })),
          [{ label: t('dash.overdue'), color: '#dc2626' }], { title: t('dash.overdue_by_dept'), format: number })
        : h('p', { class: 'muted' }, t('dash.no_overdue'))),
      card(t('dash.queue_vs_work'), timed.length
        ? groupedBars(timed.map((f) => ({ label: f.label, values: [hours(f.avg_queue_ms), hours(f.avg_work_ms)] })),
          [{ label: t('dash.queue_time'), color: '#a78bfa' }, { label: t('dash.work_time'), color: '#16a34a' }],
          { title: t('dash.queue_vs_work'), format: (v) => t('dash.hours', { n: v }) })
        : h('p', { class: 'muted' }, t('dash.no_completed'))),
      card(t('dash.completed_per_day', { n: d.days }),
        h('div', {},
          columns(days.map((x, i) => ({ label: String(Number(x.date.slice(8))), value: x.completed, highlight: i === days.length - 1 })),
            { title: t('dash.completed_per_day', { n: d.days }), color: '#16a34a', highlight: '#15803d', format: number }),
          days.length ? h('p', { class: 'muted small', style: 'text-align:center;margin:4px 0 0' },
            `${shortDate(days[0].date)} – ${shortDate(days[days.length - 1].date)}`) : null))),
  ];
}

export function dashboardView(root) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.dashboard'))), body);

  async function load() {
    try {
      const d = await api.dashboard();
      if (root.isConnected) put(body, render(d));
    } catch (e) {
      put(body, e.missing ? unavailable(t('nav.dashboard')) : h('div', { class: 'notice danger' }, String(e.message)));
    }
  }
  load();
  const reload = debounce(load, 2000);
  const offEvents = live.onEvents(reload);
  const offResync = live.onResync(reload);
  return () => { offEvents(); offResync(); reload.cancel(); };
}
