// Admin: people. The list with roles, departments and skills; adding a user; editing role,
// departments and skills, resetting a password, deactivating — where the server offers it.

import { api } from '../api.js';
import { h, put, actionOf, formValues } from '../dom.js';
import { t, nameOf } from '../i18n.js';
import { state, update, ROLES, department, process as processById } from '../state.js';
import { field, openDialog, busy, toast, toastError, clearErrors, setFieldError, showError } from '../ui.js';

export function adminNav(current) {
  const links = [['users', 'admin.users'], ['departments', 'admin.departments'], ['processes', 'admin.processes'], ['scrap-reasons', 'admin.scrap_reasons']];
  return h('nav', { class: 'admin-nav', 'aria-label': t('nav.admin') }, links.map(([p, key]) =>
    h('a', { href: `#/admin/${p}`, 'aria-current': p === current ? 'page' : null }, t(key))));
}

function checks(name, items, chosen, label) {
  return h('fieldset', { class: 'field', dataset: { field: name } },
    h('legend', { class: 'label' }, label),
    h('div', { class: 'checks' }, items.map((x) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name, value: x.code, checked: chosen.includes(x.id), dataset: { multi: '1' } }), nameOf(x)))),
    h('span', { class: 'field-error', dataset: { errorFor: name } }));
}

function roleSelect(current) {
  return h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r, selected: r === current }, t(`role.${r}`))));
}

function userForm(u) {
  return [
    h('div', { class: 'form-grid' },
      u ? null : field('username', t('field.username'), h('input', { name: 'username', required: true, maxlength: 200, autocomplete: 'off' })),
      field('display_name', t('field.display_name'), h('input', { name: 'display_name', maxlength: 200, value: u ? u.display_name : '' })),
      field('role', t('field.role'), roleSelect(u ? u.role : 'operator')),
      u ? null : field('password', t('field.password'), h('input', { name: 'password', type: 'password', minlength: 8, autocomplete: 'new-password' }), t('admin.password_hint'))),
    checks('departments', state.departments, u ? u.department_ids : [], t('admin.departments')),
    checks('skills', state.processes, u ? u.skill_process_ids : [], t('admin.skills')),
  ];
}

export function adminUsersView(root) {
  const table = h('div', { class: 'table-wrap' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('admin.add_user'));
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-label': t('admin.add_user') },
    h('h2', {}, t('admin.add_user')), userForm(null), h('div', { class: 'form-error' }), h('div', {}, submit));
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.admin'))), adminNav('users'),
    h('section', { class: 'card' }, h('h2', {}, t('admin.users')), table), form);

  function paint() {
    put(table, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('field.username'), t('field.display_name'), t('field.role'), t('admin.departments'), t('admin.skills'), t('admin.active'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, state.users.map((u) => h('tr', { dataset: { userId: u.id } },
        h('td', { class: 'mono' }, u.username), h('td', {}, u.display_name), h('td', {}, t(`role.${u.role}`)),
        h('td', {}, u.department_ids.map((id) => nameOf(department(id))).join('、') || '—'),
        h('td', {}, u.skill_process_ids.map((id) => nameOf(processById(id))).join('、') || '—'),
        h('td', {}, t(u.active === false ? 'common.no' : 'common.yes')),
        h('td', { class: 'nowrap' }, [
          h('button', { type: 'button', class: 'btn small', dataset: { action: 'edit', id: u.id } }, t('common.edit')), ' ',
          h('button', { type: 'button', class: 'btn small', dataset: { action: 'password', id: u.id } }, t('admin.reset_password')), ' ',
          u.id === state.user.id ? null : h('button', { type: 'button', class: 'btn small danger', dataset: { action: 'toggle', id: u.id } }, t(u.active === false ? 'admin.activate' : 'admin.deactivate')),
        ]))))));
  }

  async function reloadUsers() {
    try { update({ users: await api.users() }); } catch (e) { toastError(e); }
    if (root.isConnected) paint();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = formValues(form);
    if (!v.username) return void setFieldError(form, 'username', t('reason.required'));
    if ((v.password || '').length < 8) return void setFieldError(form, 'password', t('reason.too_short', { n: 8 }));
    try {
      await busy(submit, () => api.createUser({ username: v.username, display_name: v.display_name || undefined, role: v.role,
        password: v.password, departments: v.departments || [], skills: v.skills || [] }), { quiet: true });
      toast(t('admin.user_added', { name: v.username }), 'ok');
      form.reset();
      reloadUsers();
    } catch (err) {
      showError(form, err);
    }
  });

  root.addEventListener('click', async (e) => {
    const el = actionOf(e, table);
    if (!el) return;
    const u = state.users.find((x) => x.id === Number(el.dataset.id));
    try {
      if (el.dataset.action === 'edit') {
        const ok = await openDialog({ title: t('admin.edit_user', { name: u.username }), body: userForm(u), confirm: t('common.save'),
          submit: (v) => api.updateUser(u.id, { display_name: v.display_name, role: v.role, departments: v.departments || [], skills: v.skills || [] }) });
        if (ok) toast(t('common.saved'), 'ok');
      } else if (el.dataset.action === 'password') {
        const ok = await openDialog({ title: t('admin.reset_password_for', { name: u.username }), confirm: t('admin.reset_password'),
          body: field('password', t('field.password'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }), t('admin.password_hint')),
          validate: (v) => ((v.password || '').length < 8 ? { password: t('reason.too_short', { n: 8 }) } : null),
          submit: (v) => api.resetPassword(u.id, v.password) });
        if (ok) toast(t('admin.password_reset'), 'ok');
      } else if (el.dataset.action === 'toggle') {
        await busy(el, () => api.updateUser(u.id, { active: u.active === false }), { quiet: true });
      }
    } catch (err) {
      toastError(err);
    }
    reloadUsers();
  });
  paint();
  reloadUsers();
}
