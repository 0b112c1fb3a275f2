// Events in words: the history of a work order or task, and notification lines. Event kinds
// are open-ended (the server adds new ones), so an unknown kind is named, never hidden.

import { h } from './dom.js';
import { t, tOr, dateTime, number, nameOf, isZh } from './i18n.js';
import { state, user } from './state.js';

export function eventTitle(e) {
  if (e.kind === 'task.assigned' && e.data && e.data.via === 'auto') return t('event.task.auto_assigned');
  return tOr(`event.${e.kind}`, t('event.other', { kind: e.kind || '' }));
}

function actorName(e) {
  const d = e.data || {};
  if (e.actor_name) return e.actor_name;
  if (d.actor_name) return d.actor_name;
  const u = e.actor_id != null ? user(e.actor_id) : null;
  if (u) return u.display_name || u.username;
  return e.actor_id == null ? t('history.system') : `#${e.actor_id}`;
}

/** The facts an event carries that a person wants to read, as short phrases. */
export function eventDetails(e) {
  const d = e.data || {};
  const task = d.task || {};
  const out = [];
  if (task.process_code && e.kind && e.kind.startsWith('task.')) {
    const name = nameOf({ name_zh: task.process_name_zh, name_en: task.process_name_en, code: task.process_code });
    out.push(name + (task.part ? ` · ${task.part}` : ''));
  }
  if (['task.claimed', 'task.assigned', 'task.auto_assigned'].includes(e.kind) && task.operator_name) {
    out.push(t('history.operator', { name: task.operator_name }));
  }
  if (d.good != null || d.scrap != null) {
    out.push(t('history.quantities', { good: number(d.good || 0), scrap: number(d.scrap || 0) }));
  }
  if (d.scrap_reason) {
    const known = state.scrapReasons.find((r) => r.code === d.scrap_reason);
    out.push(t('history.scrap_reason', { reason: known ? nameOf(known) : d.scrap_reason }));
  }
  // An automatic assignment says why in a sentence per language; its `reason` is the facts.
  const why = (isZh() && d.why_zh) || d.why;
  if (why) out.push(t('history.reason', { reason: why }));
  else if (typeof d.reason === 'string' && d.reason) out.push(t('history.reason', { reason: d.reason }));
  if (d.strategy) out.push(t('history.strategy', { strategy: tOr(`strategy.${d.strategy}`, d.strategy) }));
  if (Array.isArray(d.fields) && d.fields.length) {
    out.push(t('history.fields', { fields: d.fields.map((f) => tOr(`field.${f}`, f)).join(', ') }));
  }
  if (d.lines) {
    out.push(t('history.lines', { added: d.lines.added || 0, removed: d.lines.removed || 0, changed: d.lines.changed || 0 }));
  }
  return out;
}

export function historyList(events) {
  if (!events.length) return h('p', { class: 'muted' }, t('history.empty'));
  const sorted = [...events].sort((a, b) => (b.id || 0) - (a.id || 0));
  return h('ol', { class: 'history' }, sorted.map((e) => h('li', {},
    h('time', { datetime: new Date(e.at).toISOString() }, dateTime(e.at)),
    h('div', {},
      h('b', {}, eventTitle(e)), ' · ', h('span', { class: 'muted' }, actorName(e)),
      eventDetails(e).length ? h('div', { class: 'small' }, eventDetails(e).join(' · ')) : null))));
}
