// Words for the job's flow: quantities in a task's own unit (plates, sheets, pieces), the
// order gates by name, and what a task that cannot start waits for.

import { t, tOr, nameOf, number } from './i18n.js';
import { state } from './state.js';

/** A quantity in the task's own unit: "2,625 张", "4 plates". */
export function amount(n, unit) {
  return t(`unit.${unit || 'piece'}`, { n: number(n) });
}

/**
 * What a task that cannot start waits for, in words: "签样确认 · 印刷 0/2,625 张". A plate
 * step counts plates made of those planned; any other step what reached the task, in its unit.
 */
export function waitingFor(blockedBy, unit) {
  return (blockedBy || []).map((b) => {
    if (b.kind === 'gate' || b.gate) return gateName(b.gate);
    const proc = state.processes.find((p) => p.code === b.process_code);
    const name = proc ? nameOf(proc) : (b.process_code || '');
    const own = proc && proc.unit === 'plate' ? 'plate' : unit;
    return `${name} ${number(b.have)}/${amount(b.need, own)}`;
  }).join(' · ');
}

/** A gate by its code, in the reader's language when the catalogue knows it. */
export function gateName(code) {
  const gate = (state.gates || []).find((g) => g.code === code);
  return gate ? nameOf(gate) : tOr(`gate.${code}`, code);
}

/** Colours as the floor says them, "4+0" (front+back), from the spec or the older free text. */
export function colorsText(wo) {
  if (wo.colors_front || wo.colors_back) return `${wo.colors_front || 0}+${wo.colors_back || 0}`;
  return wo.colors || '';
}

/**
 * What a line plans when the clerk leaves its quantity empty, counted the way the server
 * counts it (`routing::default_quantity`), for the preview: plates from the colours, press
 * sheets from the pieces, ups and overs, pieces as ordered. Null when plates have no colours.
 */
export function plannedQuantity(unit, spec) {
  if (unit === 'plate') return (spec.colors_front || 0) + (spec.colors_back || 0) || null;
  if (unit === 'sheet') return Math.ceil((spec.quantity || 0) / (spec.ups || 1)) + (spec.overs || 0);
  return spec.quantity || 0;
}
