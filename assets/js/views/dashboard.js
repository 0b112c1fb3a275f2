// The manager dashboard: headline figures, open work per department, overdue tasks, queue
// time against work time, and tasks completed per day over the last 14 days. Every figure
// comes from GET /stats/workload (kept by the server's tallies, scoped like every read):
// one request for the fortnight, and one per day for the daily completions — past days do
// not change, so only today's is asked again when events arrive.

import { api, errorText } from '../api.js';
import { columns, groupedBars, stackedBars } from '../charts.js';
import { h, put, debounce, addDays } from '../dom.js';
import { t, nameOf, number, shortDate } from '../i18n.js';
import * as live from '../ws.js';

const DAYS = 14;
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

/** A department's figures: flattened into it by the server (`counts`, `open`, `overdue`…). */
function figuresOf(d) {
  const f = d.figures || d;
  return { ...f, ...(f.counts || {}) };
}

function completedOn(workload) {
  return workload.departments.reduce((a, d) => a + (figuresOf(d).completed_in_period || 0), 0);
}

function render(w, days) {
  const depts = w.departments.map((d) => ({ ...figuresOf(d), label: nameOf(d) || d.code }));
  const sum = (k) => depts.reduce((a, f) => a + (f[k] || 0), 0);
  const overdue = sum('overdue');
  const today = days.length ? days[days.length - 1].completed : 0;
  const withWork = depts.filter((f) => f.open > 0);
  const late = depts.filter((f) => f.overdue > 0).sort((a, b) => b.overdue - a.overdue);
  const timed = depts.filter((f) => f.avg_queue_ms != null || f.avg_work_ms != null);
  return [
    h('div', { class: 'tiles' },
      tile(number(sum('open')), t('dash.open')),
      tile(number(sum('ready')), t('dash.ready')),
      tile(number(sum('in_progress')), t('dash.running')),
      tile(number(overdue), t('dash.overdue'), overdue ? 'danger' : ''),
      tile(number(today), t('dash.done_today')),
      tile(number(sum('completed_in_period')), t('dash.done_days', { n: DAYS }))),
    h('div', { class: 'charts' },
      card(t('dash.workload'), withWork.length
        ? stackedBars(withWork.map((f) => ({ label: f.label, values: SERIES.map(([k]) => f[k] || 0) })),
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
      card(t('dash.completed_per_day', { n: DAYS }),
        h('div', {},
          columns(days.map((x, i) => ({ label: String(Number(x.date.slice(8))), value: x.completed, highlight: i === days.length - 1 })),
            { title: t('dash.completed_per_day', { n: DAYS }), color: '#16a34a', highlight: '#15803d', format: number }),
          days.length ? h('p', { class: 'muted small', style: 'text-align:center;margin:4px 0 0' },
            `${shortDate(days[0].date)} – ${shortDate(days[days.length - 1].date)}`) : null))),
  ];
}

export function dashboardView(root) {
  const body = h('div', {}, h('p', { class: 'muted' }, t('common.loading')));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.dashboard'))), body);
  const past = new Map(); // date → completions (a finished day does not change)

  async function load() {
    try {
      const now = await api.workload();
      const dates = Array.from({ length: DAYS }, (_, i) => addDays(now.today, i - DAYS + 1));
      const [fortnight, ...perDay] = await Promise.all([
        api.workload({ from: dates[0], to: now.today }),
        ...dates.map((day) => (past.has(day) && day !== now.today
          ? past.get(day) : api.workload({ from: day, to: day }).then(completedOn))),
      ]);
      dates.forEach((day, i) => { if (day !== now.today) past.set(day, perDay[i]); });
      const days = dates.map((date, i) => ({ date, completed: perDay[i] }));
      if (root.isConnected) put(body, render(fortnight, days));
    } catch (e) {
      put(body, h('div', { class: 'notice danger' }, errorText(e)));
    }
  }
  load();
  const reload = debounce(load, 3000);
  const offEvents = live.onEvents(reload);
  const offResync = live.onResync(reload);
  return () => { offEvents(); offResync(); reload.cancel(); };
}
