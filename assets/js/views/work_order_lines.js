// The process-line editor of the work order form: pick processes from the catalogue, order
// them by drag or by arrows (arrows work on touch screens), set quantity, step (same step =
// side by side) and what a line needs (line numbers), parts and note, and preview the draft
// tasks the lines will become. Left empty, quantity, step and needs follow the server's plan.

import { h, put, actionOf } from '../dom.js';
import { t, nameOf } from '../i18n.js';
import { state, department, process as processById } from '../state.js';
import { amount, plannedQuantity } from '../flow.js';

export function linesFromOrder(order) {
  return (order.lines || []).map((l) => ({
    id: l.id,
    process_id: l.process_id,
    quantity: l.quantity_set ? String(l.quantity) : '',
    parallel: Boolean(l.parallel),
    step: l.step != null ? String(l.step) : '',
    needs: Array.isArray(l.needs) ? l.needs.map((n) => n + 1).join(', ') : '',
    parts: (l.parts || []).join(', '),
    note: l.note || '',
  }));
}

/** "1, 3" → [1, 3]; empty → null (the line takes its work from the step before). */
function lineNumbers(text) {
  const list = String(text || '').split(/[,，\s]+/).filter(Boolean).map(Number);
  return list.length ? list : null;
}

export function linesToApi(lines) {
  return lines.map((l) => {
    const out = {
      process_id: l.process_id,
      parallel: l.parallel,
      parts: l.parts.split(/[,，]/).map((p) => p.trim()).filter(Boolean),
      note: l.note.trim(),
    };
    if (l.id) out.id = l.id;
    if (l.quantity !== '') out.quantity = Number(l.quantity);
    if (String(l.step ?? '').trim() !== '') out.step = Number(l.step);
    const needs = lineNumbers(l.needs);
    if (needs) out.needs = needs.map((n) => n - 1);
    return out;
  });
}

export function lineEditor(initial, spec) {
  let lines = initial;
  const list = h('ol', { class: 'lines', 'aria-label': t('wo.lines'), dataset: { field: 'processes' } });
  const preview = h('div', { class: 'table-wrap' });
  const active = state.processes.filter((p) => p.active !== false);
  const picker = h('div', { class: 'chips-pick', role: 'group', 'aria-label': t('wo.add_process') },
    active.map((p) => h('button', { type: 'button', class: 'btn', dataset: { action: 'add-line', processId: p.id } },
      '+ ', nameOf(p), ' ', h('span', { class: 'muted' }, nameOf(department(p.department_id))))));
  const section = h('section', { class: 'card stack' },
    h('h2', {}, t('wo.lines')),
    h('p', { class: 'muted small' }, t('wo.lines_hint')),
    picker,
    list,
    h('span', { class: 'field-error', dataset: { errorFor: 'processes' } }),
    h('h3', {}, t('wo.preview')),
    preview);

  /** What a line of `p` plans when left empty, in its unit ("4 版"), or null. */
  function planned(p) {
    const q = plannedQuantity(p.unit, spec());
    return q ? amount(q, p.unit) : null;
  }

  function lineRow(l, i) {
    const p = processById(l.process_id) || { code: '?' };
    const at = (name) => `processes[${i}].${name}`;
    return h('li', { class: 'line', dataset: { index: i } },
      h('span', { class: 'handle', title: t('wo.drag'), 'aria-hidden': 'true', dataset: { handle: '1' } }, '⠿'),
      h('span', { class: 'seq' }, String(i + 1)),
      h('span', { class: 'l-name' }, h('b', {}, nameOf(p)), h('span', {}, nameOf(department(p.department_id)))),
      h('label', { class: 'l-qty' }, h('span', { class: 'sr-only', hidden: true }, t('field.quantity')),
        h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', value: l.quantity, dataset: { lineField: 'quantity', field: at('quantity') },
          placeholder: planned(p) ?? t('field.quantity'), 'aria-label': t('wo.line_quantity', { n: i + 1 }) })),
      h('label', { class: 'check l-par' }, h('input', { type: 'checkbox', checked: l.parallel, dataset: { lineField: 'parallel', field: at('parallel') } }), t('field.parallel')),
      h('input', { class: 'l-step', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: l.step ?? '', placeholder: t('wo.step_auto'),
        dataset: { lineField: 'step', field: at('step') }, 'aria-label': t('wo.line_step', { n: i + 1 }) }),
      h('input', { class: 'l-needs', value: l.needs ?? '', maxlength: 200, placeholder: t('wo.needs_hint'),
        dataset: { lineField: 'needs', field: at('needs') }, 'aria-label': t('wo.line_needs', { n: i + 1 }) }),
      h('input', { class: 'l-parts', value: l.parts, maxlength: 2000, placeholder: t('wo.parts_hint'), dataset: { lineField: 'parts', field: at('parts') }, 'aria-label': t('wo.line_parts', { n: i + 1 }) }),
      h('input', { class: 'l-note', value: l.note, maxlength: 4000, placeholder: t('field.note'), dataset: { lineField: 'note', field: at('note') }, 'aria-label': t('wo.line_note', { n: i + 1 }) }),
      h('span', { class: 'l-move' },
        h('button', { type: 'button', class: 'btn small', dataset: { action: 'up', index: i }, disabled: i === 0, 'aria-label': t('wo.move_up') }, '↑'),
        h('button', { type: 'button', class: 'btn small', dataset: { action: 'down', index: i }, disabled: i === lines.length - 1, 'aria-label': t('wo.move_down') }, '↓'),
        h('button', { type: 'button', class: 'btn small danger', dataset: { action: 'remove', index: i }, 'aria-label': t('wo.remove_line') }, '✕')),
      h('span', { class: 'field-error', dataset: { errorFor: `processes[${i}]` } }),
      h('span', { class: 'field-error', dataset: { errorFor: at('quantity') } }),
      h('span', { class: 'field-error', dataset: { errorFor: at('parts') } }),
      h('span', { class: 'field-error', dataset: { errorFor: at('needs') } }),
      h('span', { class: 'field-error', dataset: { errorFor: at('step') } }));
  }

  function paintPreview() {
    if (!lines.length) {
      put(preview, h('p', { class: 'muted' }, t('wo.preview_empty')));
      return;
    }
    const rows = [];
    let upstream = null;
    lines.forEach((l, i) => {
      const p = processById(l.process_id) || {};
      const parts = l.parts.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
      const qty = l.quantity !== '' ? Number(l.quantity) : plannedQuantity(p.unit, spec());
      const starts = l.parallel ? t('wo.starts_parallel')
        : upstream ? t('wo.starts_after', { process: nameOf(upstream) }) : t('wo.starts_first');
      for (const part of parts.length ? parts : ['']) {
        rows.push(h('tr', {}, h('td', { class: 'num' }, String(i + 1)), h('td', {}, nameOf(p)),
          h('td', {}, nameOf(department(p.department_id))), h('td', {}, part || '—'),
          h('td', { class: 'num' }, qty ? amount(qty, p.unit) : t('wo.plates_from_colours')), h('td', {}, starts)));
      }
      if (!l.parallel) upstream = p;
    });
    put(preview, h('table', { class: 'preview' },
      h('thead', {}, h('tr', {}, ['#', t('field.process'), t('field.department'), t('field.part'), t('field.quantity'), t('wo.starts')].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)),
    h('p', { class: 'muted small' }, t('wo.preview_count', { n: rows.length })));
  }

  function paint() {
    put(list, lines.map(lineRow));
    paintPreview();
  }

  function move(from, to) {
    if (to < 0 || to >= lines.length || from === to) return;
    const [l] = lines.splice(from, 1);
    lines.splice(to, 0, l);
    paint();
    list.querySelector(`[data-index="${to}"] [data-action="${from < to ? 'down' : 'up'}"]`)?.focus();
  }

  section.addEventListener('click', (e) => {
    const el = actionOf(e, section);
    if (!el) return;
    const i = Number(el.dataset.index);
    switch (el.dataset.action) {
      case 'add-line': {
        const p = processById(Number(el.dataset.processId));
        lines.push({ process_id: p.id, quantity: '', parallel: Boolean(p.parallel), step: '', needs: '', parts: '', note: '' });
        paint();
        break;
      }
      case 'up': move(i, i - 1); break;
      case 'down': move(i, i + 1); break;
      case 'remove': lines.splice(i, 1); paint(); break;
      default:
    }
  });
  section.addEventListener('input', (e) => {
    const key = e.target.dataset.lineField;
    if (!key) return;
    const i = Number(e.target.closest('.line').dataset.index);
    lines[i][key] = e.target.type === 'checkbox' ? e.target.checked : e.target.value;
    paintPreview();
  });

  // Drag and drop by the handle (mouse and pen); arrows do the same for touch and keyboard.
  let dragFrom = -1;
  list.addEventListener('pointerdown', (e) => {
    const li = e.target.closest('.line');
    if (li) li.draggable = Boolean(e.target.dataset.handle);
  });
  list.addEventListener('dragstart', (e) => {
    const li = e.target.closest('.line');
    dragFrom = Number(li.dataset.index);
    li.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(dragFrom));
  });
  list.addEventListener('dragover', (e) => {
    const li = e.target.closest('.line');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    for (const x of list.querySelectorAll('.drop-target')) x.classList.remove('drop-target');
    li.classList.add('drop-target');
  });
  list.addEventListener('drop', (e) => {
    const li = e.target.closest('.line');
    if (dragFrom < 0 || !li) return;
    e.preventDefault();
    const to = Number(li.dataset.index);
    const from = dragFrom;
    dragFrom = -1;
    move(from, to);
  });
  list.addEventListener('dragend', () => {
    dragFrom = -1;
    for (const x of list.querySelectorAll('.dragging, .drop-target')) x.classList.remove('dragging', 'drop-target');
  });

  return { section, lines: () => lines, refresh: paint };
}
