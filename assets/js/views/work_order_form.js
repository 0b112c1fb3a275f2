// Creating and editing a work order: header, print spec, price (for those who see prices),
// and the ordered process lines (drag or arrows, quantity, parallel flag, parts, note) with
// a live preview of the draft tasks they will become. Checks run before sending; the
// server's field errors land beside their fields.

import { api, errorText } from '../api.js';
import { h, formValues, isoDate, addDays } from '../dom.js';
import { t } from '../i18n.js';
import * as router from '../router.js';
import { seesEverything } from '../state.js';
import { field, clearErrors, setFieldError, showError, busy, toast, unavailable } from '../ui.js';
import { lineEditor, linesFromOrder, linesToApi } from './work_order_lines.js';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

function input(name, attrs = {}) {
  return h('input', { name, ...attrs });
}

function priorityPicker(current) {
  return h('div', { class: 'field' },
    h('span', { class: 'label', id: 'prio-label' }, t('field.priority')),
    h('div', { class: 'segmented', role: 'radiogroup', 'aria-labelledby': 'prio-label', dataset: { field: 'priority' } },
      PRIORITIES.map((p) => h('label', { class: `p-${p}` },
        h('input', { type: 'radio', name: 'priority', value: p, checked: p === current }), t(`priority.${p}`)))),
    h('span', { class: 'field-error', dataset: { errorFor: 'priority' } }));
}

/** Client-side checks, mirroring the server's rules; returns {field: message}. */
function check(v, lines) {
  const errs = {};
  if (!v.customer) errs.customer = t('reason.required');
  if (!v.product) errs.product = t('reason.required');
  const q = Number(v.quantity);
  if (!v.quantity || !Number.isInteger(q) || q < 1 || q > 1e9) errs.quantity = t('reason.quantity_range', { n: '1000000000' });
  const whole = (name, min, max) => {
    if (v[name] === undefined || v[name] === '') return;
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < min || n > max) errs[name] = t('reason.range', { n: min, max });
  };
  whole('overs', 0, 1e9);
  whole('gsm', 0, 10000);
  whole('colors_front', 0, 12);
  whole('colors_back', 0, 12);
  whole('ups', 1, 10000);
  if (!v.due_date) errs.due_date = t('reason.required');
  if (v.unit_price && !(Number(v.unit_price) >= 0)) errs.unit_price = t('reason.invalid');
  if (!lines.length) errs.processes = t('reason.need_process');
  lines.forEach((l, i) => {
    if (l.quantity !== '') {
      const n = Number(l.quantity);
      if (!Number.isInteger(n) || n < 1 || n > 1e9) errs[`processes[${i}].quantity`] = t('reason.quantity_range', { n: '1000000000' });
    }
    const parts = l.parts.split(/[,，]/).map((p) => p.trim()).filter(Boolean);
    if (new Set(parts).size !== parts.length) errs[`processes[${i}].parts`] = t('reason.duplicate');
  });
  return errs;
}

export async function workOrderFormView(root, params) {
  let order = null;
  if (params.id) {
    try {
      order = await api.workOrder(params.id);
    } catch (e) {
      root.append(h('h1', {}, t('wo.edit')), h('div', { class: 'notice danger' }, errorText(e)));
      return undefined;
    }
    if (['completed', 'cancelled', 'submitted'].includes(order.status)) {
      root.append(h('h1', {}, t('wo.edit')), unavailable(t('wo.edit_closed', { status: t(`status.${order.status}`) })));
      return undefined;
    }
  }
  const o = order || { priority: 'normal', due_date: addDays(isoDate(), 7) };
  const num = (name) => Number(form.elements[name].value) || 0;
  const spec = () => ({ quantity: num('quantity'), colors_front: num('colors_front'), colors_back: num('colors_back'), ups: num('ups') || 1, overs: num('overs') });
  const editor = lineEditor(order ? linesFromOrder(order) : [], spec);
  const submit = h('button', { type: 'submit', class: 'btn primary big' }, t(order ? 'common.save' : 'wo.create'));
  const form = h('form', { class: 'stack', novalidate: true, 'aria-label': t(order ? 'wo.edit' : 'wo.new') },
    h('div', { class: 'page-head' },
      h('h1', {}, order ? t('wo.edit_title', { number: order.number }) : t('wo.new')),
      order ? h('a', { class: 'btn ghost', href: `#/work-orders/${order.id}` }, t('common.back')) : null),
    h('section', { class: 'card' }, h('h2', {}, t('wo.section_order')),
      h('div', { class: 'form-grid' },
        field('customer', t('field.customer'), input('customer', { required: true, maxlength: 200, value: o.customer || '', autocomplete: 'organization' })),
        field('product', t('field.product'), input('product', { required: true, maxlength: 200, value: o.product || '' })),
        field('quantity', t('field.quantity'), input('quantity', { type: 'number', min: 1, step: 1, required: true, inputmode: 'numeric', value: o.quantity || '' })),
        field('unit', t('field.unit'), input('unit', { maxlength: 200, value: o.unit || '', placeholder: t('wo.unit_hint') })),
        field('due_date', t('field.due_date'), input('due_date', { type: 'date', required: true, value: o.due_date || '' })),
        seesEverything() ? field('unit_price', t('field.unit_price'), input('unit_price', { type: 'number', min: 0, step: '0.0001', inputmode: 'decimal', value: o.unit_price ?? '' })) : null,
        h('div', { class: 'wide' }, priorityPicker(o.priority)))),
    h('section', { class: 'card' }, h('h2', {}, t('wo.section_spec')),
      h('div', { class: 'form-grid' },
        field('paper', t('field.paper'), input('paper', { maxlength: 200, value: o.paper || '', placeholder: t('wo.paper_hint') })),
        field('finished_size', t('field.finished_size'), input('finished_size', { maxlength: 200, value: o.finished_size || '', placeholder: '210×285mm' })),
        field('gsm', t('field.gsm'), input('gsm', { type: 'number', min: 0, max: 10000, step: 1, inputmode: 'numeric', value: o.gsm || '' })),
        field('sheet_size', t('field.sheet_size'), input('sheet_size', { maxlength: 200, value: o.sheet_size || '', placeholder: '787×1092mm' })),
        field('colors_front', t('field.colors_front'), input('colors_front', { type: 'number', min: 0, max: 12, step: 1, inputmode: 'numeric', value: o.colors_front ?? '' })),
        field('colors_back', t('field.colors_back'), input('colors_back', { type: 'number', min: 0, max: 12, step: 1, inputmode: 'numeric', value: o.colors_back ?? '' })),
        field('ups', t('field.ups'), input('ups', { type: 'number', min: 1, max: 10000, step: 1, inputmode: 'numeric', value: o.ups || 1 })),
        field('overs', t('field.overs'), input('overs', { type: 'number', min: 0, step: 1, inputmode: 'numeric', value: o.overs || '' }), t('wo.overs_hint')),
        h('div', { class: 'wide' }, field('notes', t('field.notes'), h('textarea', { name: 'notes', maxlength: 4000, rows: 3, value: o.notes || '' }))))),
    editor.section,
    h('div', { class: 'form-error' }),
    h('div', { class: 'sticky-actions' },
      h('a', { class: 'btn', href: order ? `#/work-orders/${order.id}` : '#/work-orders' }, t('common.cancel')), submit));
  root.append(form);
  editor.refresh();

  form.addEventListener('input', (e) => {
    if (['quantity', 'colors_front', 'colors_back', 'ups', 'overs'].includes(e.target.name)) editor.refresh();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = formValues(form);
    const lines = editor.lines();
    const errs = check(v, lines);
    if (Object.keys(errs).length) {
      for (const [name, msg] of Object.entries(errs)) setFieldError(form, name, msg);
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const body = {
      customer: v.customer, product: v.product, quantity: Number(v.quantity), unit: v.unit,
      overs: Number(v.overs || 0), due_date: v.due_date, priority: v.priority || 'normal',
      paper: v.paper, finished_size: v.finished_size, notes: v.notes,
      gsm: Number(v.gsm || 0), sheet_size: v.sheet_size, ups: Number(v.ups || 1),
      colors_front: Number(v.colors_front || 0), colors_back: Number(v.colors_back || 0),
      processes: linesToApi(lines),
    };
    if (v.unit_price !== undefined && v.unit_price !== '') body.unit_price = Number(v.unit_price);
    if (order) body.version = order.version;
    try {
      const saved = await busy(submit, () => (order ? api.editWorkOrder(order.id, body) : api.createWorkOrder(body)), { quiet: true });
      toast(t(order ? 'wo.saved' : 'wo.created', { number: saved.number }), 'ok');
      router.go(`/work-orders/${saved.id}`);
    } catch (err) {
      showError(form, err);
    }
  });
  return undefined;
}
