// The live connection: one WebSocket to /api/v1/events, reconnecting with backoff and
// resuming with ?after=<last event id> so nothing is missed, then saying so ("caught up").
// Views subscribe to event batches and to "resync" (reload everything: used when there is
// no id to resume from, or the server's event log was reset).

import { api } from './api.js';
import { state, update } from './state.js';
import { t } from './i18n.js';
import { toast } from './ui.js';

const eventListeners = new Set();
const resyncListeners = new Set();
const QUIET_MS = 400;

let socket = null;
let stopped = true;
let attempt = 0;
let opened = false; // has any connection opened since start()
let retryTimer = 0;
let catchUp = null; // {count, timer} while replaying after a reconnect

/** fn(events[]) for every batch of new events, oldest first. Returns an unsubscribe function. */
export function onEvents(fn) {
  eventListeners.add(fn);
  return () => eventListeners.delete(fn);
}

/** fn() when the view should reload from the API. */
export function onResync(fn) {
  resyncListeners.add(fn);
  return () => resyncListeners.delete(fn);
}

function emit(set, arg) {
  for (const fn of [...set]) {
    try { fn(arg); } catch (e) { console.error(e); }
  }
}

export function start() {
  if (!stopped) return;
  stopped = false;
  attempt = 0;
  opened = false;
  connect();
}

export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  if (socket) {
    const s = socket;
    socket = null;
    s.close(1000, 'signed out');
  }
  update({ live: 'offline', lastEventId: 0 });
}

function url() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const after = state.lastEventId ? `?after=${state.lastEventId}` : '';
  return `${proto}//${location.host}/api/v1/events${after}`;
}

function connect() {
  if (stopped || socket) return;
  update({ live: 'connecting' });
  const reconnecting = opened;
  const s = new WebSocket(url());
  socket = s;
  s.addEventListener('open', () => {
    if (socket !== s) return;
    attempt = 0;
    opened = true;
    update({ live: 'live' });
    if (reconnecting) beginCatchUp();
  });
  s.addEventListener('message', (m) => {
    if (socket !== s) return;
    receive(m.data);
  });
  s.addEventListener('close', (ev) => {
    if (socket !== s) return;
    socket = null;
    if (stopped) return;
    // 4009: the event log was reset (a restored database); reload and resume where it says.
    const resume = /after=(\d+)/.exec(ev.reason || '');
    if (ev.code === 4009 && resume) {
      state.lastEventId = Number(resume[1]);
      emit(resyncListeners);
    }
    // 4401: the session ended (signed out elsewhere, deactivated, password reset). Asking
    // who we are answers 401, which takes the app back to the sign-in screen.
    if (ev.code === 4401) {
      update({ live: 'offline' });
      api.me().catch(() => {});
      return;
    }
    // 4008 (fell behind) and 1001 (server restarting): reconnect at once with after=.
    if (ev.code === 4008 || ev.code === 4009 || ev.code === 1001) attempt = 0;
    update({ live: 'offline' });
    scheduleRetry();
  });
}

function receive(raw) {
  let data;
  try { data = JSON.parse(raw); } catch { return; }
  const list = Array.isArray(data) ? data : (data && data.id ? [data] : []);
  const fresh = list.filter((e) => e && typeof e.id === 'number' && e.id > state.lastEventId)
    .sort((a, b) => a.id - b.id);
  if (!fresh.length) return;
  state.lastEventId = fresh[fresh.length - 1].id;
  emit(eventListeners, fresh);
  if (catchUp) {
    catchUp.count += fresh.length;
    clearTimeout(catchUp.timer);
    catchUp.timer = setTimeout(endCatchUp, QUIET_MS);
  }
}

/** After a reconnect the server replays what we missed; once it goes quiet, say so. */
function beginCatchUp() {
  if (!state.lastEventId) {
    // Nothing to resume from: the views reload instead.
    emit(resyncListeners);
  }
  catchUp = { count: 0, timer: setTimeout(endCatchUp, QUIET_MS) };
}

function endCatchUp() {
  if (!catchUp) return;
  const n = catchUp.count;
  catchUp = null;
  toast(n ? t('live.caught_up_n', { n }) : t('live.caught_up'), 'ok', { id: 'caught-up' });
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const delay = Math.min(10000, 500 * 2 ** attempt) + Math.random() * 300;
  attempt += 1;
  retryTimer = setTimeout(connect, delay);
}

/** Reconnect at once when the tablet wakes up or the network comes back. */
function wake() {
  if (stopped || socket || document.visibilityState !== 'visible') return;
  clearTimeout(retryTimer);
  attempt = 0;
  connect();
}
document.addEventListener('visibilitychange', wake);
window.addEventListener('online', wake);
