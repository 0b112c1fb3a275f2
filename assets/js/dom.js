// Building DOM nodes without innerHTML (so no text from the server is ever parsed as markup),
// and the small formatting helpers every view shares. Knows nothing about the API or state.

const BOOL_PROPS = new Set(['checked', 'disabled', 'hidden', 'required', 'selected', 'multiple', 'open', 'readOnly']);

/** h('button', {class: 'btn', dataset: {action: 'claim'}}, 'Claim') → <button …>Claim</button> */
export function h(tag, props, ...children) {
  const ns = props && props.ns;
  const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false || k === 'ns') continue;
      if (k.startsWith('on')) throw new Error('use event delegation, not inline handlers');
      if (k === 'dataset') {
        for (const [dk, dv] of Object.entries(v)) if (dv != null) el.dataset[dk] = String(dv);
      } else if (k === 'value' && !ns) {
        el.value = v;
      } else if (BOOL_PROPS.has(k) && !ns) {
        el[k] = Boolean(v);
      } else if (k === 'text') {
        el.textContent = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  return h(tag, { ...attrs, ns: SVG_NS }, ...children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces the children of `el` with `children`. */
export function put(el, ...children) {
  clear(el);
  return append(el, children);
}

/** Local calendar date as YYYY-MM-DD (due dates are plain dates, compared as strings). */
export function isoDate(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  return isoDate(new Date(y, m - 1, d + n));
}

const CLOSED = new Set(['completed', 'cancelled']);
export function isOverdue(due, status) {
  return Boolean(due) && !CLOSED.has(status) && due < isoDate();
}

export function debounce(fn, ms) {
  let timer = 0;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}

/** Milliseconds as h:mm (worked time). */
export function duration(ms) {
  const m = Math.max(0, Math.floor((ms || 0) / 60000));
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

/** Form controls with a `name` as a plain object of trimmed strings (checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      if (el.dataset.multi) (out[el.name] ||= []).push(...(el.checked ? [el.value] : []));
      else out[el.name] = el.checked;
    } else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else {
      out[el.name] = el.value.trim();
    }
  }
  return out;
}

/** The closest element with data-action inside `root`, for delegated handlers. */
export function actionOf(event, root) {
  const el = event.target.closest('[data-action]');
  return el && root.contains(el) ? el : null;
}
