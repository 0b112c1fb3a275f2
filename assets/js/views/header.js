// The top bar: brand, the role's navigation, the live indicator, the notification bell with
// its unread count and panel, the language switch, who is signed in, and sign-out.

import { api, errorText } from '../api.js';
import { h, put, debounce, actionOf } from '../dom.js';
import { t, locale, LOCALES, dateTime } from '../i18n.js';
import { eventDetails, eventTitle } from '../history.js';
import { icon } from '../icons.js';
import * as router from '../router.js';
import { home, setLocale, signOut } from '../session.js';
import { state, update, onUpdate, hasRole } from '../state.js';
import { toastError } from '../ui.js';
import * as live from '../ws.js';

const NAV = [
  ['/pool', 'nav.pool', ['operator']],
  ['/my-tasks', 'nav.my_tasks', ['operator']],
  ['/board', 'nav.board', ['supervisor', 'manager', 'admin']],
  ['/work-orders', 'nav.work_orders', ['maker', 'manager', 'admin', 'supervisor']],
  ['/dashboard', 'nav.dashboard', ['manager', 'admin', 'supervisor']],
  ['/admin/users', 'nav.admin', ['admin']],
];

const bar = () => document.getElementById('topbar');
let panelOpen = false;

export function renderHeader() {
  const el = bar();
  if (!state.user) {
    el.hidden = true;
    put(el);
    return;
  }
  el.hidden = false;
  const path = router.currentPath();
  const nav = NAV.filter(([, , roles]) => hasRole(...roles)).map(([href, key]) =>
    h('a', { href: `#${href}`, 'aria-current': path.startsWith(href.replace(/\/users$/, '')) ? 'page' : null }, t(key)));
  const lang = h('select', { class: 'lang-select', 'aria-label': t('header.language'), dataset: { action: 'lang' } },
    LOCALES.map((l) => h('option', { value: l, selected: l === locale() }, t(`lang.${l}`))));
  put(el,
    h('a', { class: 'brand', href: `#${home()}` }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'P'), h('span', { class: 'brand-text' }, t('app.name'))),
    h('nav', { class: 'nav', 'aria-label': t('header.nav') }, nav),
    h('div', { class: 'bar-tools' },
      h('span', { class: 'live', id: 'live', role: 'status' }),
      h('button', { type: 'button', class: 'icon-btn', id: 'bell', dataset: { action: 'bell' }, 'aria-haspopup': 'true' },
        icon('bell', 22), h('span', { class: 'badge-count', id: 'unread', hidden: true })),
      lang,
      h('div', { class: 'who' }, h('b', {}, state.user.display_name || state.user.username),
        h('span', {}, t(`role.${state.user.role}`))),
      h('button', { type: 'button', class: 'icon-btn', dataset: { action: 'logout' }, title: t('header.sign_out'), 'aria-label': t('header.sign_out') },
        icon('logout', 20))),
    h('div', { class: 'panel', id: 'notif-panel', hidden: true, role: 'dialog', 'aria-label': t('notif.title') }));
  paintLive();
  paintUnread();
  if (panelOpen) openPanel();
}

function paintLive() {
  const el = document.getElementById('live');
  if (!el) return;
  el.dataset.state = state.live;
  put(el, h('span', { class: 'live-text' }, t(`live.${state.live}`)));
  el.title = t(`live.${state.live}`);
}

function paintUnread() {
  const el = document.getElementById('unread');
  const bell = document.getElementById('bell');
  if (!el || !bell) return;
  el.hidden = !state.unread;
  el.textContent = state.unread > 99 ? '99+' : String(state.unread);
  bell.setAttribute('aria-label', t('notif.bell', { n: state.unread }));
}

function unreadOf(data) {
  if (typeof data === 'number') return data;
  if (!data) return 0;
  return Number(data.count ?? data.unread ?? data.unread_count ?? 0) || 0;
}

export async function refreshUnread() {
  if (!state.user) return;
  try {
    update({ unread: unreadOf(await api.unreadCount()) });
  } catch { /* the bell simply keeps its last count */ }
}
const refreshSoon = debounce(refreshUnread, 1200);

/** An inbox entry is {id, read_at, event}; older shapes carried the event's fields inline. */
function eventOf(n) {
  return n.event || n;
}

function notificationText(n) {
  const e = eventOf(n);
  if (n.message || n.title) return n.message || n.title;
  if (!e.kind) return t('notif.generic');
  const task = (e.data && e.data.task) || {};
  const about = [eventDetails(e)[0], task.work_order_number || (e.data && e.data.number)].filter(Boolean);
  return [eventTitle(e), ...about].join(' · ');
}

function notificationLink(n) {
  const e = eventOf(n);
  const taskId = e.task_id ?? (e.data && e.data.task && e.data.task.id);
  if (taskId) return `#/tasks/${taskId}`;
  if (e.work_order_id) return `#/work-orders/${e.work_order_id}`;
  return null;
}

async function openPanel() {
  const panel = document.getElementById('notif-panel');
  if (!panel) return;
  panel.hidden = false;
  put(panel, h('header', {}, h('b', {}, t('notif.title'))), h('p', { class: 'empty' }, t('common.loading')));
  try {
    const { items } = await api.notifications({ limit: 30 });
    const readAll = h('button', { type: 'button', class: 'btn small', dataset: { action: 'read-all' } }, t('notif.read_all'));
    put(panel, h('header', {}, h('b', {}, t('notif.title')), items.length ? readAll : null),
      items.length ? h('ul', {}, items.map((n) => {
        const unread = !(n.read || n.read_at);
        const at = eventOf(n).at || n.created_at;
        const href = notificationLink(n);
        const body = [h('div', {}, notificationText(n)), h('div', { class: 'small muted' }, dateTime(at))];
        return h('li', { class: unread ? 'unread' : '' }, href
          ? h('a', { href, dataset: { action: 'read', id: n.id } }, body)
          : h('div', { class: 'note', dataset: { action: 'read', id: n.id } }, body));
      })) : h('p', { class: 'empty' }, t('notif.empty')));
  } catch (e) {
    put(panel, h('header', {}, h('b', {}, t('notif.title'))), h('p', { class: 'empty' }, errorText(e)));
  }
}

function closePanel() {
  panelOpen = false;
  const panel = document.getElementById('notif-panel');
  if (panel) panel.hidden = true;
}

async function onClick(e) {
  const el = actionOf(e, bar());
  if (!el) {
    return;
  }
  switch (el.dataset.action) {
    case 'bell':
      panelOpen = !panelOpen;
      if (panelOpen) openPanel(); else closePanel();
      break;
    case 'read-all':
      try { await api.readAllNotifications(); update({ unread: 0 }); openPanel(); } catch (err) { toastError(err); }
      break;
    case 'read':
      closePanel();
      api.readNotification(el.dataset.id).then(refreshUnread, () => {});
      break;
    case 'logout':
      closePanel();
      signOut();
      break;
    default:
  }
}

/** Wires the bar once; it re-renders itself on route and state changes. */
export function initHeader() {
  const el = bar();
  el.addEventListener('click', onClick);
  el.addEventListener('change', (e) => {
    if (e.target.dataset.action === 'lang') setLocale(e.target.value);
  });
  document.addEventListener('click', (e) => {
    if (panelOpen && !e.target.closest('#notif-panel') && !e.target.closest('#bell')) closePanel();
  });
  onUpdate((patch) => {
    if ('user' in patch) {
      renderHeader();
      if (patch.user) refreshUnread();
    } else if ('locale' in patch) renderHeader();
    if ('live' in patch) paintLive();
    if ('unread' in patch) paintUnread();
  });
  live.onEvents(() => refreshSoon());
  live.onResync(() => refreshSoon());
}
