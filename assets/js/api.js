// Every call the UI makes to the server, in one place so route names are easy to adjust.
// Errors become ApiError with the server's stable code and field; `errorText` turns one
// into words in the user's language, from the code and the facts in `details`.

import { t, tOr, nameOf, number } from './i18n.js';
import { waitingFor } from './flow.js';
import { state } from './state.js';

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.details = null;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function request(method, path, body) {
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
  if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
  throw err;
}

const get = (path, params) => request('GET', path + query(params));
const post = (path, body = {}) => request('POST', path, body);
const patch = (path, body) => request('PATCH', path, body);

/** A page of a keyset list: {items, next_cursor}, whether the server sent that or a bare array. */
function page(data) {
  if (Array.isArray(data)) return { items: data, next_cursor: null };
  return { items: (data && data.items) || [], next_cursor: (data && data.next_cursor) || null };
}

export const api = {
  // people and sessions
  login: (username, password) => post('/auth/login', { username, password }),
  logout: () => post('/auth/logout'),
  me: () => get('/auth/me'),
  users: () => get('/users'),
  createUser: (body) => post('/users', body),
  updateUser: (id, body) => patch(`/users/${id}`, body),
  resetPassword: (id, password) => post(`/users/${id}/password`, { password }),

  // catalogue
  processes: () => get('/processes'),
  departments: () => get('/departments'),
  updateDepartment: (id, body) => patch(`/departments/${id}`, body),
  /** {department_id, wip_cap, operators: [{operator_id, held, held_here}]}: held counts every department, as the cap does. */
  departmentLoad: (id) => get(`/departments/${id}/load`),
  updateProcess: (id, body) => patch(`/processes/${id}`, body),
  gates: () => get('/gates'),
  createGate: (body) => post('/gates', body),
  scrapReasons: () => get('/scrap-reasons').then((d) => (Array.isArray(d) ? d : (d && d.items) || [])),
  createScrapReason: (body) => post('/scrap-reasons', body),
  updateScrapReason: (code, body) => patch(`/scrap-reasons/${encodeURIComponent(code)}`, body),

  // work orders
  workOrders: (params) => get('/work-orders', params).then(page),
  workOrder: (id) => get(`/work-orders/${id}`),
  createWorkOrder: (body) => post('/work-orders', body),
  editWorkOrder: (id, body) => patch(`/work-orders/${id}`, body),
  submitWorkOrder: (id) => post(`/work-orders/${id}/submit`),
  approveWorkOrder: (id) => post(`/work-orders/${id}/approve`),
  rejectWorkOrder: (id, reason) => post(`/work-orders/${id}/reject`, { reason }),
  /** Ticks (done=true) or opens again one of the order's gates (proof approved, paper ready…). */
  tickGate: (id, code, done) => post(`/work-orders/${id}/gates/${encodeURIComponent(code)}`, { done }),
  cancelWorkOrder: (id, reason) => post(`/work-orders/${id}/cancel`, { reason }),
  workOrderHistory: (id) => get(`/work-orders/${id}/history`).then((d) => page(d).items),
  workOrderQrUrl: (id) => `/api/v1/work-orders/${id}/qr.svg`,

  // tasks
  tasks: (params) => get('/tasks', params).then(page),
  task: (id) => get(`/tasks/${id}`),
  claim: (id) => post(`/tasks/${id}/claim`),
  /** start | pause | resume | release | unassign, with an optional body. */
  taskAction: (id, action, body = {}) => post(`/tasks/${id}/${action}`, body),
  progress: (id, good, scrap, scrapReason) =>
    post(`/tasks/${id}/progress`, { good, scrap, scrap_reason: scrapReason || undefined }),
  /** {good_total, scrap_total, scrap_reason, shortfall_reason}: the task's final totals. */
  complete: (id, body) => post(`/tasks/${id}/complete`, body),
  /** {quantity, operator_id?, reason} → {task, split}: the task and the one split off it. */
  split: (id, body) => post(`/tasks/${id}/split`, body),
  handover: (id, operatorId, note) => post(`/tasks/${id}/handover`, { operator_id: operatorId, note }),
  assign: (id, operatorId, reason) => post(`/tasks/${id}/assign`, { operator_id: operatorId, reason }),
  cancelTask: (id, reason) => post(`/tasks/${id}/cancel`, { reason }),
  batch: (body) => post('/tasks/batch', body),
  taskHistory: (id) => get(`/tasks/${id}/history`).then((d) => page(d).items),
  taskQrUrl: (id) => `/api/v1/tasks/${id}/qr.svg`,

  // live and inbox
  eventsTicket: () => post('/events/ticket'),
  notifications: (params) => get('/notifications', params).then(page),
  unreadCount: () => get('/notifications/unread-count'),
  readNotification: (id) => post(`/notifications/${id}/read`),
  readAllNotifications: () => post('/notifications/read-all'),

  // figures
  /** {from, to, today, departments: [{department_id, wip_cap, figures, operators}]} */
  workload: (params) => get('/stats/workload', params),
};

// ---- errors in words ----

/**
 * The reason part of a field error in the user's language, from the rule the server names
 * in `details` ({rule: "range", min, max}); never the server's English.
 */
export function reasonText(err) {
  const d = err.details || {};
  const key = `reason.${d.rule || 'invalid'}`;
  return tOr(key, t('reason.invalid'), { n: d.min ?? d.max, min: d.min, max: d.max });
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
  if (!(err instanceof ApiError)) return t('error.unknown', { code: String(err && err.message || err) });
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
  if (err.code === 'task_in_use' && d.process) {
    return t('error.task_in_use', { process: d.process, status: tOr(`status.${d.status}`, d.status), name: d.operator_name || '' });
  }
  // Other codes are worded from their own key and facts; one without words names the code.
  return tOr(`error.${err.code}`, t('error.unknown', { code: err.code }), d);
}
