// Every call the UI makes to the server, in one place so route names are easy to adjust.
// Errors become ApiError with the server's stable code and field; `errorText` turns one
// into words in the user's language. A route the server does not have (404 "no such route"
// or 405) marks its feature missing in the state, so views can hide what cannot work.

import { t, tOr, nameOf, number } from './i18n.js';
import { waitingFor } from './flow.js';
import { state, markMissing } from './state.js';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.details = null;
    this.missing = false;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

const ROUTE_MISSING = /^(no such page or API route|.*action '.*' not found)$/;

export function isMissingRoute(err) {
  return err instanceof ApiError
    && (err.status === 405 || (err.status === 404 && ROUTE_MISSING.test(err.message)));
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function request(feature, method, path, body) {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.field);
  err.details = e.details || null;
  if (isMissingRoute(err)) {
    err.missing = true;
    if (feature) markMissing(feature);
  }
  if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
  throw err;
}

const get = (feature, path, params) => request(feature, 'GET', path + query(params));
const post = (feature, path, body = {}) => request(feature, 'POST', path, body);
const patch = (feature, path, body) => request(feature, 'PATCH', path, body);

/** A page of a keyset list: {items, next_cursor}, whether the server sent that or a bare array. */
function page(data) {
  if (Array.isArray(data)) return { items: data, next_cursor: null };
  return { items: (data && data.items) || [], next_cursor: (data && data.next_cursor) || null };
}

export const api = {
  // people and sessions
  login: (username, password) => post(null, '/auth/login', { username, password }),
  logout: () => post(null, '/auth/logout'),
  me: () => get(null, '/auth/me'),
  users: () => get(null, '/users'),
  createUser: (body) => post('users.create', '/users', body),
  updateUser: (id, body) => patch('users.update', `/users/${id}`, body),
  resetPassword: (id, password) => post('users.password', `/users/${id}/password`, { password }),

  // catalogue
  processes: () => get(null, '/processes'),
  departments: () => get(null, '/departments'),
  updateDepartment: (id, body) => patch('departments.update', `/departments/${id}`, body),
  /** {department_id, wip_cap, operators: [{operator_id, held, held_here}]}: held counts every department, as the cap does. */
  departmentLoad: (id) => get('departments.load', `/departments/${id}/load`),
  updateProcess: (id, body) => patch('processes.update', `/processes/${id}`, body),
  gates: () => get(null, '/gates'),
  scrapReasons: () => get('scrap_reasons', '/scrap-reasons').then((d) => (Array.isArray(d) ? d : (d && d.items) || [])),
  createScrapReason: (body) => post('scrap_reasons.create', '/scrap-reasons', body),
  updateScrapReason: (code, body) => patch('scrap_reasons.update', `/scrap-reasons/${encodeURIComponent(code)}`, body),

  // work orders
  workOrders: (params) => get(null, '/work-orders', params).then(page),
  workOrder: (id) => get(null, `/work-orders/${id}`),
  createWorkOrder: (body) => post(null, '/work-orders', body),
  editWorkOrder: (id, body) => patch(null, `/work-orders/${id}`, body),
  submitWorkOrder: (id) => post(null, `/work-orders/${id}/submit`),
  approveWorkOrder: (id) => post(null, `/work-orders/${id}/approve`),
  rejectWorkOrder: (id, reason) => post(null, `/work-orders/${id}/reject`, { reason }),
  /** Ticks (done=true) or opens again one of the order's gates (proof approved, paper ready…). */
  tickGate: (id, code, done) => post(null, `/work-orders/${id}/gates/${encodeURIComponent(code)}`, { done }),
  cancelWorkOrder: (id, reason) => post(null, `/work-orders/${id}/cancel`, { reason }),
  workOrderHistory: (id) => get('work_order.history', `/work-orders/${id}/history`).then((d) => page(d).items),
  workOrderQrUrl: (id) => `/api/v1/work-orders/${id}/qr.svg`,

  // tasks
  tasks: (params) => get(null, '/tasks', params).then(page),
  task: (id) => get(null, `/tasks/${id}`),
  claim: (id) => post(null, `/tasks/${id}/claim`),
  /** start | pause | resume | release | unassign, with an optional body. */
  taskAction: (id, action, body = {}) => post(null, `/tasks/${id}/${action}`, body),
  progress: (id, good, scrap, scrapReason) =>
    post(null, `/tasks/${id}/progress`, { good, scrap, scrap_reason: scrapReason || undefined }),
  /** {good_total, scrap_total, scrap_reason, shortfall_reason}: the task's final totals. */
  complete: (id, body) => post(null, `/tasks/${id}/complete`, body),
  handover: (id, operatorId, note) => post(null, `/tasks/${id}/handover`, { operator_id: operatorId, note }),
  assign: (id, operatorId, reason) => post('task.assign', `/tasks/${id}/assign`, { operator_id: operatorId, reason }),
  cancelTask: (id, reason) => post('task.cancel', `/tasks/${id}/cancel`, { reason }),
  batch: (body) => post('task.batch', '/tasks/batch', body),
  taskHistory: (id) => get('task.history', `/tasks/${id}/history`).then((d) => page(d).items),
  taskQrUrl: (id) => `/api/v1/tasks/${id}/qr.svg`,

  // live and inbox
  eventsTicket: () => post('events.ticket', '/events/ticket'),
  probeEvents: () => get('events', '/events'),
  notifications: (params) => get('notifications', '/notifications', params).then(page),
  unreadCount: () => get('notifications', '/notifications/unread-count'),
  readNotification: (id) => post('notifications.read', `/notifications/${id}/read`),
  readAllNotifications: () => post('notifications.read', '/notifications/read-all'),

  // figures
  /** {from, to, today, departments: [{department_id, wip_cap, figures, operators}]} */
  workload: (params) => get('stats.workload', '/stats/workload', params),
};

// ---- which optional routes this server has ----

/**
 * Feature → a route that exists exactly when the feature does. An OPTIONS request answers
 * 405 for a route that exists (for other methods) and 404 "no such route" for one that does
 * not, without touching any data.
 */
const PROBES = {
  'task.assign': '/tasks/0/assign',
  'task.cancel': '/tasks/0/cancel',
  'task.batch': '/tasks/batch',
  'task.history': '/tasks/0/history',
  'users.update': '/users/0',
  'users.password': '/users/0/password',
  'departments.update': '/departments/0',
  'processes.update': '/processes/0',
  scrap_reasons: '/scrap-reasons',
  'scrap_reasons.create': '/scrap-reasons',
  'scrap_reasons.update': '/scrap-reasons/X',
  'departments.load': '/departments/0/load',
  notifications: '/notifications/unread-count',
  'stats.workload': '/stats/workload',
  events: '/events',
};

export async function probeFeatures() {
  await Promise.all(Object.entries(PROBES).map(async ([feature, path]) => {
    try {
      const res = await fetch(`/api/v1${path}`, { method: 'OPTIONS', credentials: 'same-origin' });
      if (res.status !== 404) return;
      const body = await res.json().catch(() => null);
      const message = body && body.error && body.error.message;
      if (ROUTE_MISSING.test(message || '')) markMissing(feature);
    } catch { /* offline: find out on first use instead */ }
  }));
}

// ---- errors in words ----

const REASONS = [
  [/must not be empty/, 'reason.required'],
  [/must be a whole number from 1 to (\d+)/, 'reason.quantity_range'],
  [/must be a whole number from (\d+) to (\d+)/, 'reason.range'],
  [/must be at most (\d+) characters/, 'reason.too_long'],
  [/must be at least (\d+) characters/, 'reason.too_short'],
  [/at least one process/, 'reason.need_process'],
  [/use 1 to 32 letters, digits or '_'/, 'reason.code_format'],
  [/appears twice/, 'reason.duplicate'],
  [/unknown field/, 'reason.unknown_field'],
  [/input contains invalid characters|premature end of input|invalid/, 'reason.invalid'],
];

/** The reason part of a field error ("must not be empty") in the user's language. */
export function reasonText(err) {
  const raw = String(err.message || '').replace(/^[^:]*:\s*/, '');
  for (const [re, key] of REASONS) {
    const m = raw.match(re);
    if (m) return t(key, { n: m[1], max: m[2] });
  }
  return raw;
}

/** Field names as the forms label them; "processes[2].quantity" → "Process 3 · Quantity". */
export function fieldLabel(field) {
  const m = /^processes\[(\d+)\]\.?(\w+)?/.exec(field || '');
  if (m) {
    const part = m[2] ? ` · ${tOr(`field.${m[2]}`, m[2])}` : '';
    return `${t('field.line', { n: Number(m[1]) + 1 })}${part}`;
  }
  return tOr(`field.${field}`, field || '');
}

/** Any error as one sentence for a toast or a form. */
export function errorText(err) {
  if (!(err instanceof ApiError)) return t('error.unknown', { message: String(err && err.message || err) });
  if (err.missing) return t('error.not_available');
  if (err.code === 'invalid_field' && err.field) {
    return t('error.invalid_field', { field: fieldLabel(err.field), reason: reasonText(err) });
  }
  if (err.code === 'batch_failed' && err.details && Array.isArray(err.details.failures)) {
    const list = err.details.failures.map((f) => {
      const item = new ApiError(409, f.code, f.message, f.field);
      item.details = f.details || null;
      return `#${f.id} ${errorText(item)}`;
    });
    return t('error.batch_failed', { n: list.length, list: list.join('; ') });
  }
  const d = err.details || {};
  // A director assigning hears whose cap it is; an operator claiming, that it is their own.
  if (err.code === 'wip_limit_reached' && d.operator_name && !(state.user && state.user.id === d.operator_id)) {
    return t('error.wip_limit_reached_for', { name: d.operator_name, held: d.held, cap: d.cap });
  }
  if (err.code === 'task_held_by_other' && d.operator_name) {
    return t('error.task_held_by_other', { name: d.operator_name });
  }
  if (err.code === 'not_ready' && Array.isArray(d.blocked_by)) {
    return t('error.not_ready', { what: waitingFor(d.blocked_by) });
  }
  if (err.code === 'quantity_exceeds_available' && d.have != null) {
    return t('error.quantity_exceeds_available', { have: number(d.have), reported: number(d.reported), room: number(d.room), asked: number(d.asked) });
  }
  if (err.code === 'upstream_open' && d.process) {
    const proc = state.processes.find((p) => p.code === d.process);
    return t('error.upstream_open', { process: proc ? nameOf(proc) : d.process });
  }
  if (err.code === 'partial_publish' && Array.isArray(d.missing)) {
    return t('error.partial_publish', { n: d.missing.length });
  }
  let m = /^task_is_(\w+)$/.exec(err.code);
  if (m) return t('error.task_is', { status: tOr(`status.${m[1]}`, m[1]) });
  m = /^work_order_is_(\w+)$/.exec(err.code);
  if (m) return t('error.work_order_is', { status: tOr(`status.${m[1]}`, m[1]) });
  return tOr(`error.${err.code}`, t('error.unknown', { message: err.message }), { message: err.message });
}
