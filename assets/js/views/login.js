// Sign-in: username and password, the language switch, and errors in words.

import { api } from '../api.js';
import { h, formValues } from '../dom.js';
import { t, locale, LOCALES } from '../i18n.js';
import { setLocale, signedIn } from '../session.js';
import { field, clearErrors, setFieldError, showError, busy } from '../ui.js';

export function loginView(root) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn primary big' }, t('login.submit'));
  const form = h('form', { class: 'card login', novalidate: true, 'aria-labelledby': 'login-title' },
    h('div', { class: 'brand-big' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'P'),
      h('div', {}, h('h1', { id: 'login-title' }, t('app.name')), h('div', { class: 'muted' }, t('login.tagline')))),
    h('div', { class: 'stack' },
      field('username', t('field.username'), username),
      field('password', t('field.password'), password),
      h('div', { class: 'form-error' }),
      submit,
      h('div', { class: 'row' },
        h('label', { for: 'login-lang', class: 'muted small' }, t('header.language')),
        h('select', { id: 'login-lang', dataset: { action: 'lang' }, style: 'width:auto' },
          LOCALES.map((l) => h('option', { value: l, selected: l === locale() }, t(`lang.${l}`)))))));
  root.append(h('div', { class: 'login-wrap' }, form));
  username.focus();

  form.addEventListener('change', (e) => {
    if (e.target.dataset.action === 'lang') setLocale(e.target.value);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = formValues(form);
    let ok = true;
    if (!v.username) ok = setFieldError(form, 'username', t('reason.required')) && false;
    if (!password.value) ok = setFieldError(form, 'password', t('reason.required')) && false;
    if (!ok) return;
    try {
      const result = await busy(submit, () => api.login(v.username, password.value), { quiet: true });
      await signedIn(result.user);
    } catch (err) {
      if (err.status === 401) setFieldError(form, 'password', t('error.wrong_credentials'));
      else showError(form, err);
      password.select();
    }
  });
}
