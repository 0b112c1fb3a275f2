// SVG charts drawn here, not by a library: stacked and grouped horizontal bars, and columns.
// Each returns an <svg> sized by its viewBox, so it scales to any card width.

import { h, s } from './dom.js';

const W = 520;

/** A rough rendered width at 14px: CJK glyphs are square, Latin ones about half as wide. */
function textWidth(str) {
  let w = 0;
  for (const ch of String(str)) w += ch.codePointAt(0) > 0x2e80 ? 14 : 7.6;
  return w;
}

function labelWidth(rows) {
  return Math.min(190, Math.max(60, ...rows.map((r) => textWidth(r.label) + 12)));
}

function legend(series) {
  if (series.length < 2) return null;
  return h('div', { class: 'legend' }, series.map((x) => h('span', {}, h('i', { style: `background:${x.color}` }), x.label)));
}

/** rows: [{label, values: [n…]}], one value per series; bars stack left to right. */
export function stackedBars(rows, series, { title, format = String } = {}) {
  const rowH = 30;
  const labelW = labelWidth(rows);
  const totalW = 56;
  const top = 8;
  const height = top + rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  const scale = (W - labelW - totalW - 8) / max;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': title || '' },
    title ? s('title', {}, title) : null,
    rows.map((r, i) => {
      const y = top + i * rowH;
      let x = labelW;
      const total = r.values.reduce((a, b) => a + b, 0);
      return s('g', {},
        s('text', { x: labelW - 8, y: y + 19, 'text-anchor': 'end' }, r.label),
        r.values.map((v, j) => {
          const w = v * scale;
          const rect = s('rect', { x, y: y + 4, width: Math.max(0, w), height: rowH - 10, rx: 3, fill: series[j].color },
            s('title', {}, `${r.label} · ${series[j].label}: ${format(v)}`));
          x += w;
          return rect;
        }),
        s('text', { x: x + 6, y: y + 19, class: 'val' }, format(total)));
    }));
  return h('div', {}, svg, legend(series));
}

/** rows: [{label, values: [a, b…]}]; one thin bar per series under each label. */
export function groupedBars(rows, series, { title, format = String } = {}) {
  const barH = 16;
  const groupH = series.length * (barH + 3) + 12;
  const labelW = labelWidth(rows);
  const valueW = 80;
  const height = 8 + rows.length * groupH;
  const max = Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v || 0)));
  const scale = (W - labelW - valueW) / max;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': title || '' },
    title ? s('title', {}, title) : null,
    rows.map((r, i) => {
      const y = 8 + i * groupH;
      return s('g', {},
        s('text', { x: labelW - 8, y: y + groupH / 2, 'text-anchor': 'end' }, r.label),
        r.values.map((v, j) => {
          const by = y + j * (barH + 3);
          const w = (v || 0) * scale;
          return s('g', {},
            s('rect', { x: labelW, y: by, width: Math.max(v ? 2 : 0, w), height: barH, rx: 2, fill: series[j].color }),
            s('text', { x: labelW + w + 6, y: by + barH - 2, class: 'val' }, v == null ? '—' : format(v)));
        }));
    }));
  return h('div', {}, svg, legend(series));
}

/** items: [{label, value, highlight?}] as vertical columns with values on top. */
export function columns(items, { title, color = '#1f6feb', highlight = '#0b4fb3', format = String } = {}) {
  const height = 220;
  const bottom = 36;
  const top = 20;
  const gap = 8;
  const colW = (W - gap * (items.length + 1)) / Math.max(1, items.length);
  const max = Math.max(1, ...items.map((x) => x.value));
  const scale = (height - top - bottom) / max;
  const base = height - bottom;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': title || '' },
    title ? s('title', {}, title) : null,
    s('line', { x1: 0, x2: W, y1: base + 0.5, y2: base + 0.5, class: 'axis' }),
    items.map((it, i) => {
      const x = gap + i * (colW + gap);
      const hgt = it.value * scale;
      return s('g', {},
        s('rect', { x, y: base - hgt, width: colW, height: Math.max(0, hgt), rx: 3, fill: it.highlight ? highlight : color },
          s('title', {}, `${it.label}: ${format(it.value)}`)),
        it.value ? s('text', { x: x + colW / 2, y: base - hgt - 5, 'text-anchor': 'middle', class: 'val' }, format(it.value)) : null,
        s('text', { x: x + colW / 2, y: base + 18, 'text-anchor': 'middle', class: it.highlight ? 'val' : null }, it.label));
    }));
  return svg;
}
