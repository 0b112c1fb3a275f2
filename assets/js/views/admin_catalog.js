// Admin: departments (dispatch strategy, auto-assign delay, WIP cap), the process catalogue,
// and scrap reasons.

import { api, errorText } from '../api.js';
import { h, put, actionOf } from '../dom.js';
import { t, nameOf } from '../i18n.js';
import { state, update, department } from '../state.js';
import { busy, field, openDialog, toast, toastError } from '../ui.js';
import { adminNav } from './admin_users.js';
import { gateName } from '../flow.js';

const STRATEGIES = ['manual', 'least_loaded', 'round_robin', 'skill'];
const UNITS = ['plate', 'sheet', 'piece'];

function page(root, current, ...content) {
  root.append(h('div', { class: 'page-head' }, h('h1', {}, t('nav.admin'))), adminNav(current), ...content);
}

async function refreshCatalog() {
  const [departments, processes, gates] = await Promise.all([api.departments(), api.processes(), api.gates()]);
  update({ departments, processes, gates });
}

export function adminDepartmentsView(root) {
  const box = h('div', { class: 'table-wrap' });
  page(root, 'departments', h('section', { class: 'card' }, h('h2', {}, t('admin.departments')), box));

  function paint() {
    put(box, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, [t('admin.code'), t('admin.name'), t('admin.strategy'), t('admin.delay'), t('admin.wip_cap'), ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, state.departments.map((d) => h('tr', { dataset: { deptId: d.id } },
          h('td', { class: 'mono' }, d.code), h('td', {}, nameOf(d)),
          h('td', {}, h('select', { name: 'strategy', 'aria-label': t('admin.strategy') },
            STRATEGIES.map((s) => h('option', { value: s, selected: s === d.strategy }, t(`strategy.${s}`))))),
          h('td', {}, h('input', { name: 'auto_assign_delay_s', type: 'number', min: 0, step: 1, value: d.auto_assign_delay_s, 'aria-label': t('admin.delay'), style: 'width:110px' })),
          h('td', {}, h('input', { name: 'wip_cap', type: 'number', min: 1, step: 1, value: d.wip_cap ?? '', placeholder: '∞', 'aria-label': t('admin.wip_cap'), style: 'width:90px' })),
          h('td', {}, h('button', { type: 'button', class: 'btn small primary', dataset: { action: 'save', id: d.id } }, t('common.save'))))))));
  }

  box.addEventListener('click', async (e) => {
    const el = actionOf(e, box);
    if (!el) return;
    const row = el.closest('tr');
    const value = (n) => row.querySelector(`[name="${n}"]`).value;
    const body = {
      strategy: value('strategy'),
      auto_assign_delay_s: Number(value('auto_assign_delay_s') || 0),
      wip_cap: value('wip_cap') === '' ? null : Number(value('wip_cap')),
    };
    try {
      await busy(el, () => api.updateDepartment(Number(el.dataset.id), body), { quiet: true });
      toast(t('common.saved'), 'ok');
      await refreshCatalog();
    } catch (err) {
      toastError(err);
    }
    paint();
  });
  paint();
}

export function adminProcessesView(root) {
  const box = h('div', { class: 'table-wrap' });
  const gateBox = h('div', { class: 'stack' });
  page(root, 'processes', h('section', { class: 'card' }, h('h2', {}, t('admin.processes')), box),
    h('section', { class: 'card' }, h('h2', {}, t('admin.gates_title')), h('p', { class: 'muted small' }, t('admin.gates_hint')), gateBox));

  function paintGates() {
    put(gateBox, h('ul', { class: 'gates' }, (state.gates || []).map((g) => h('li', {}, h('span', { class: 'mono' }, g.code), ' ', nameOf(g)))),
      h('p', {}, h('button', { type: 'button', class: 'btn', dataset: { action: 'add-gate' } }, t('admin.add_gate'))));
  }

  gateBox.addEventListener('click', async (e) => {
    const el = actionOf(e, gateBox);
    if (!el) return;
    const ok = await openDialog({
      title: t('admin.add_gate'),
      confirm: t('common.save'),
      body: h('div', { class: 'form-grid' },
        field('code', t('admin.code'), h('input', { name: 'code', maxlength: 40, placeholder: 'ink_ready', autocapitalize: 'off' }), t('admin.gate_code_hint')),
        field('name_zh', t('admin.name_zh'), h('input', { name: 'name_zh', maxlength: 200 })),
        field('name_en', t('admin.name_en'), h('input', { name: 'name_en', maxlength: 200 }))),
      submit: (v) => api.createGate(v),
    });
    if (ok) {
      toast(t('common.saved'), 'ok');
      await refreshCatalog().catch(toastError);
    }
    paintGates();
    paint();
  });

  function paint() {
    put(box, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('admin.code'), t('admin.name_zh'), t('admin.name_en'), t('field.department'), t('task.sequence'), t('admin.unit'), t('admin.default_step'), t('admin.gates'), t('admin.active'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, state.processes.map((p) => h('tr', {},
        h('td', { class: 'mono' }, p.code), h('td', {}, p.name_zh), h('td', {}, p.name_en),
        h('td', {}, nameOf(department(p.department_id))), h('td', { class: 'num' }, String(p.sequence)),
        h('td', {}, t(`unit.name.${p.unit}`)), h('td', { class: 'num' }, String(p.default_step)),
        h('td', {}, (p.gates || []).map(gateName).join('、') || '—'), h('td', {}, t(p.active ? 'common.yes' : 'common.no')),
        h('td', {}, h('button', { type: 'button', class: 'btn small', dataset: { action: 'edit', id: p.id } }, t('common.edit'))))))));
  }

  box.addEventListener('click', async (e) => {
    const el = actionOf(e, box);
    if (!el) return;
    const p = state.processes.find((x) => x.id === Number(el.dataset.id));
    const ok = await openDialog({
      title: t('admin.edit_process', { code: p.code }),
      confirm: t('common.save'),
      body: h('div', { class: 'form-grid' },
        field('name_zh', t('admin.name_zh'), h('input', { name: 'name_zh', value: p.name_zh, maxlength: 200 })),
        field('name_en', t('admin.name_en'), h('input', { name: 'name_en', value: p.name_en, maxlength: 200 })),
        field('department_id', t('field.department'), h('select', { name: 'department_id' },
          state.departments.map((d) => h('option', { value: d.id, selected: d.id === p.department_id }, nameOf(d))))),
        field('sequence', t('task.sequence'), h('input', { name: 'sequence', type: 'number', step: 1, value: p.sequence })),
        field('unit', t('admin.unit'), h('select', { name: 'unit' },
          UNITS.map((u) => h('option', { value: u, selected: u === p.unit }, t(`unit.name.${u}`))))),
        field('default_step', t('admin.default_step'), h('input', { name: 'default_step', type: 'number', min: 0, step: 1, value: p.default_step }), t('admin.default_step_hint')),
        h('fieldset', { class: 'wide', dataset: { field: 'gates' } }, h('legend', {}, t('admin.gates')),
          (state.gates || []).filter((g) => g.active !== false).map((g) => h('label', { class: 'check' },
            h('input', { type: 'checkbox', name: 'gates', value: g.code, checked: (p.gates || []).includes(g.code), dataset: { multi: '1' } }), nameOf(g)))),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'parallel', checked: p.parallel }), t('field.parallel')),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'active', checked: p.active }), t('admin.active'))),
      submit: (v) => api.updateProcess(p.id, {
        ...v, department_id: Number(v.department_id), sequence: Number(v.sequence), default_step: Number(v.default_step), gates: state.gates.length ? (v.gates || []) : undefined,
      }),
    });
    if (ok) {
      toast(t('common.saved'), 'ok');
      await refreshCatalog().catch(toastError);
    }
    paint();
  });
  paint();
  paintGates();
}

/** The add and edit dialog's fields; a reason's code never changes once it exists. */
function reasonFields(r) {
  return h('div', { class: 'form-grid' },
    r ? null : field('code', t('admin.code'), h('input', { name: 'code', maxlength: 32, autocapitalize: 'characters' })),
    field('name_zh', t('admin.name_zh'), h('input', { name: 'name_zh', maxlength: 200, value: r ? r.name_zh : '' })),
    field('name_en', t('admin.name_en'), h('input', { name: 'name_en', maxlength: 200, value: r ? r.name_en : '' })),
    r ? field('position', t('admin.position'), h('input', { name: 'position', type: 'number', step: 1, value: r.position })) : null);
}

/** Only what is plainly missing is caught here; the server checks the rest and the dialog shows its words. */
function requireFilled(names) {
  return (v) => Object.fromEntries(names.filter((n) => !String(v[n] || '').trim()).map((n) => [n, t('reason.required')]));
}

export function adminScrapReasonsView(root) {
  const box = h('div', {});
  page(root, 'scrap-reasons', h('section', { class: 'card' }, h('h2', {}, t('admin.scrap_reasons')), box));
  let reasons = [];

  function row(r) {
    const active = r.active !== false;
    return h('tr', { dataset: { code: r.code }, class: active ? '' : 'muted' },
      h('td', { class: 'mono' }, r.code), h('td', {}, r.name_zh || ''), h('td', {}, r.name_en || ''),
      h('td', {}, t(active ? 'common.yes' : 'common.no')),
      h('td', {}, h('div', { class: 'row', style: 'gap:6px' },
        h('button', { type: 'button', class: 'btn small', dataset: { action: 'edit', code: r.code } }, t('common.edit')),
        h('button', { type: 'button', class: `btn small${active ? ' danger' : ''}`, dataset: { action: active ? 'retire' : 'reuse', code: r.code } },
          t(active ? 'admin.retire_reason' : 'admin.reuse_reason')))));
  }

  async function load() {
    try {
      reasons = await api.scrapReasons();
      if (!root.isConnected) return;
      put(box, h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, [t('admin.code'), t('admin.name_zh'), t('admin.name_en'), t('admin.active'), ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, reasons.map(row)))),
      h('p', {}, h('button', { type: 'button', class: 'btn', dataset: { action: 'add' } }, t('admin.add_reason'))));
    } catch (e) {
      put(box, h('p', { class: 'notice danger' }, errorText(e)));
    }
  }

  async function act(el) {
    const r = reasons.find((x) => x.code === el.dataset.code);
    const action = el.dataset.action;
    if (action === 'add') {
      const ok = await openDialog({
        title: t('admin.add_reason'),
        confirm: t('common.save'),
        body: reasonFields(null),
        validate: requireFilled(['code', 'name_zh', 'name_en']),
        submit: (v) => api.createScrapReason({ code: v.code, name_zh: v.name_zh, name_en: v.name_en }),
      });
      if (ok) toast(t('common.saved'), 'ok');
    } else if (action === 'edit' && r) {
      const ok = await openDialog({
        title: t('admin.edit_reason', { code: r.code }),
        confirm: t('common.save'),
        body: reasonFields(r),
        validate: requireFilled(['name_zh', 'name_en']),
        submit: (v) => api.updateScrapReason(r.code, {
          name_zh: v.name_zh, name_en: v.name_en, position: v.position === '' ? undefined : Number(v.position),
        }),
      });
      if (ok) toast(t('common.saved'), 'ok');
    } else if ((action === 'retire' || action === 'reuse') && r) {
      try {
        await busy(el, () => api.updateScrapReason(r.code, { active: action === 'reuse' }), { quiet: true });
        toast(t(action === 'retire' ? 'admin.reason_retired' : 'admin.reason_reused', { code: r.code }), 'ok');
      } catch (err) {
        toastError(err);
      }
    } else {
      return;
    }
    // The report dialog keeps its own copy of the list; the next one reads it afresh.
    update({ scrapReasons: [] });
    load();
  }

  box.addEventListener('click', (e) => {
    const el = actionOf(e, box);
    if (el) act(el);
  });
  load();
}
