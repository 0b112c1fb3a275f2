// Shared widgets: toasts, the modal dialog (reasons, confirmations, small forms), field
// errors beside their inputs, and busy buttons. No API calls and no view logic here.

import { h, put, formValues } from './dom.js';
import { t } from './i18n.js';
import { ApiError, errorText, fieldLabel, reasonText } from './api.js';

/** A short message at the bottom of the screen. `id` replaces an earlier toast with that id. */
export function toast(text, kind = '', opts = {}) {
  const box = document.getElementById('toasts');
  if (!box) return;
  if (opts.id) box.querySelector(`[data-toast="${opts.id}"]`)?.remove();
  const el = h('div', { class: `toast ${kind}`, dataset: { toast: opts.id } }, text,
    opts.link ? h('a', { href: opts.link.href }, opts.link.text) : null);
  box.append(el);
  setTimeout(() => el.remove(), opts.ms || (kind === 'error' ? 6000 : 3500));
}

export function toastError(err) {
  toast(errorText(err), 'error');
}

/** Runs `fn` with `button` showing a spinner and disabled; errors are toasted unless `quiet`. */
export async function busy(button, fn, { quiet = false } = {}) {
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    return await fn();
  } catch (e) {
    if (!quiet) toastError(e);
    throw e;
  } finally {
    if (button && button.isConnected) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

/** A labelled control with a slot for its error: field('customer', t('field.customer'), input). */
export function field(name, label, control, hint) {
  const id = control.id || `f-${name.replace(/[^\w-]/g, '_')}-${Math.random().toString(36).slice(2, 7)}`;
  control.id = id;
  if (!control.dataset.field) control.dataset.field = name;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
    h('span', { class: 'field-error', dataset: { errorFor: name } }));
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const general = form.querySelector('.form-error');
  if (general) put(general);
}

/** Shows `message` beside the control named `name`; returns false when there is none. */
export function setFieldError(form, name, message) {
  const control = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!control && !slot) return false;
  if (control) control.setAttribute('aria-invalid', 'true');
  if (slot) slot.textContent = message;
  return true;
}

/** Puts a failed request's error beside its field, or at the form's foot. */
export function showError(form, err) {
  if (err instanceof ApiError && err.field) {
    // "processes[1].quantity" may be shown on the line's row when the exact control is absent.
    const names = [err.field, err.field.replace(/\.\w+$/, ''), err.field.replace(/\[\d+\].*$/, '')];
    for (const name of names) {
      if (setFieldError(form, name, name === err.field ? reasonText(err) : `${fieldLabel(err.field)}: ${reasonText(err)}`)) {
        form.querySelector(`[data-field="${CSS.escape(name)}"]`)?.focus();
        return;
      }
    }
  }
  const general = form.querySelector('.form-error');
  if (general) put(general, h('div', { class: 'notice danger', role: 'alert' }, errorText(err)));
  else toastError(err);
}

// ---- the dialog ----

/**
 * Opens the modal with `title` and `body` controls. Resolves with the form's values when the
 * user confirms and `validate(values, form)` returns no error map; with null when cancelled.
 * `submit(values)` may be async; its errors are shown inside the dialog.
 */
export function openDialog({ title, body, confirm, danger = false, validate, submit }) {
  const dialog = document.getElementById('dialog');
  const ok = h('button', { type: 'submit', class: `btn ${danger ? 'danger solid' : 'primary'}`, value: 'ok' },
    confirm || t('common.ok'));
  const form = h('form', { method: 'dialog', novalidate: true },
    h('h2', {}, title),
    h('div', { class: 'stack' }, body),
    h('div', { class: 'form-error' }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', dataset: { action: 'dialog-cancel' } }, t('common.cancel')),
      ok));
  put(dialog, form);
  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onClose = () => finish(null);
    dialog.addEventListener('close', onClose);
    form.addEventListener('click', (e) => {
      if (e.target.closest('[data-action="dialog-cancel"]')) finish(null);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const values = formValues(form);
      const problems = validate ? validate(values, form) : null;
      if (problems && Object.keys(problems).length) {
        for (const [name, msg] of Object.entries(problems)) setFieldError(form, name, msg);
        return;
      }
      if (submit) {
        try {
          await busy(ok, () => submit(values), { quiet: true });
        } catch (err) {
          showError(form, err);
          return;
        }
      }
      finish(values);
    });
    dialog.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

/** Asks for a required reason; resolves with the text or null. */
export async function askReason(title, { confirm, danger = true, submit } = {}) {
  const input = h('textarea', { name: 'reason', required: true, maxlength: 4000, rows: 3 });
  const values = await openDialog({
    title,
    confirm,
    danger,
    body: field('reason', t('field.reason'), input),
    validate: (v) => (v.reason ? null : { reason: t('reason.required') }),
    submit: submit ? (v) => submit(v.reason) : undefined,
  });
  return values ? values.reason : null;
}

export async function confirmDialog(title, text, { confirm, danger = false } = {}) {
  const values = await openDialog({ title, body: h('p', {}, text), confirm, danger });
  return values !== null;
}

/** A "not available" box for a feature the server does not offer yet. */
export function unavailable(what) {
  return h('div', { class: 'unavailable', dataset: { unavailable: '1' } }, t('common.not_available', { what }));
}
