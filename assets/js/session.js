// Signing in and out, the start page of each role, and switching the language. Shared by
// the login view, the header and app.js, so none of them imports another.

import { api } from './api.js';
import * as i18n from './i18n.js';
import * as live from './ws.js';
import * as router from './router.js';
import { state, update } from './state.js';

const NEXT_KEY = 'presswork.next';

/** Where each role starts its day. */
export function home() {
  switch (state.user && state.user.role) {
    case 'operator': return '/pool';
    case 'supervisor': return '/board';
    case 'manager': return '/dashboard';
    case null: case undefined: return '/login';
    default: return '/work-orders';
  }
}

/** Remembers a deep link (e.g. a scanned QR code) to open after signing in. */
export function rememberNext(path) {
  if (path && path !== '/login' && path !== '/') sessionStorage.setItem(NEXT_KEY, path);
}

function takeNext() {
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return next;
}

/** Loads what every view needs once a user is known. */
export async function signedIn(user, { navigate = true } = {}) {
  const loc = i18n.preferred(user.username);
  if (loc !== i18n.locale()) await i18n.load(loc);
  i18n.remember(loc, user.username);
  const [departments, processes, users, gates] = await Promise.all([
    api.departments(),
    api.processes(),
    api.users().catch(() => []),
    api.gates().catch(() => []),
  ]);
  const scrapReasons = await api.scrapReasons().catch(() => []);
  update({ user, departments, processes, users, gates, scrapReasons, unread: 0 });
  live.start();
  if (navigate) router.go(takeNext() || home());
}

export async function signOut() {
  try { await api.logout(); } catch { /* the session may already be gone */ }
  signedOut({ remember: false });
}

/** The session ended (sign-out, or a 401 from any call). */
export function signedOut({ remember = true } = {}) {
  if (!state.user) return;
  if (remember) rememberNext(router.currentPath());
  live.stop();
  update({ user: null, users: [], unread: 0 });
  router.go('/login');
}

export async function setLocale(loc) {
  await i18n.load(loc);
  i18n.remember(loc, state.user && state.user.username);
  update({ locale: loc });
  await router.render();
}

// A session lives a week after its last use, and the cookie with it: coming back to a tablet
// that slept renews both (or, if the session ended meanwhile, the 401 shows the sign-in).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.user) api.me().catch(() => {});
});
