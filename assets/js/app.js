// Boot: load the language, find out who is signed in, register the views, start routing.

import { api, whenUnauthorized } from './api.js';
import * as i18n from './i18n.js';
import * as router from './router.js';
import { home, rememberNext, signedIn, signedOut } from './session.js';
import { state, hasRole } from './state.js';
import { h } from './dom.js';
import { initHeader, renderHeader } from './views/header.js';
import { loginView } from './views/login.js';
import { workOrdersView } from './views/work_orders.js';
import { workOrderFormView } from './views/work_order_form.js';
import { workOrderDetailView } from './views/work_order_detail.js';
import { ticketView } from './views/ticket.js';
import { poolView } from './views/pool.js';
import { myTasksView } from './views/my_tasks.js';
import { taskView } from './views/task.js';
import { boardView } from './views/board.js';
import { dashboardView } from './views/dashboard.js';
import { adminUsersView } from './views/admin_users.js';
import { adminDepartmentsView, adminProcessesView, adminScrapReasonsView } from './views/admin_catalog.js';

const MAKERS = ['maker', 'manager', 'admin'];
const BOSSES = ['supervisor', 'manager', 'admin'];

function notFound(root) {
  root.append(h('div', { class: 'empty-state' }, h('h1', {}, t404()), h('a', { class: 'btn primary', href: `#${home()}` }, i18n.t('common.home'))));
}
const t404 = () => i18n.t('common.page_not_found');

function registerRoutes() {
  router.route('/login', loginView, { public: true });
  router.route('/work-orders', workOrdersView);
  router.route('/work-orders/new', workOrderFormView, { roles: MAKERS });
  router.route('/work-orders/:id', workOrderDetailView);
  router.route('/work-orders/:id/edit', workOrderFormView, { roles: MAKERS });
  router.route('/work-orders/:id/ticket', ticketView);
  router.route('/pool', poolView, { roles: ['operator'] });
  router.route('/my-tasks', myTasksView, { roles: ['operator'] });
  router.route('/tasks/:id', taskView);
  router.route('/board', boardView, { roles: BOSSES });
  router.route('/dashboard', dashboardView, { roles: BOSSES });
  router.route('/admin/users', adminUsersView, { roles: ['admin'] });
  router.route('/admin/departments', adminDepartmentsView, { roles: ['admin'] });
  router.route('/admin/processes', adminProcessesView, { roles: ['admin'] });
  router.route('/admin/scrap-reasons', adminScrapReasonsView, { roles: ['admin'] });
  router.route('/', () => router.go(home()));
  router.route('/404', notFound);
}

function guard(found, path) {
  if (!state.user) {
    if (found && found.opts.public) return null;
    rememberNext(path);
    return '/login';
  }
  if (!found) return '/404';
  if (found.opts.public) return home();
  if (found.opts.roles && !hasRole(...found.opts.roles)) return home();
  return null;
}

async function boot() {
  await i18n.load(i18n.preferred());
  whenUnauthorized(() => signedOut());
  initHeader();
  registerRoutes();
  router.setGuard(guard);
  router.afterRoute(() => {
    renderHeader();
    document.querySelector('.skip-link').textContent = i18n.t('header.skip');
  });
  try {
    const me = await api.me();
    await signedIn(me, { navigate: false });
  } catch { /* not signed in: the guard sends us to the login page */ }
  await router.start();
  document.body.dataset.ready = '1';
}

boot();
