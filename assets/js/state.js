// The one app state object: who is signed in, the catalogue, the live connection, the unread
// count. Views read it; only
// app.js, header.js and ws.js write it, through `update` so listeners hear about changes.

export const state = {
  user: null, // {id, username, display_name, role, department_ids, locale}
  departments: [],
  processes: [],
  users: [],
  gates: [], // the order gates catalogue: [{code, name_zh, name_en, active}]
  scrapReasons: [], // [{code, name_zh, name_en, active}] when the server has them
  live: 'offline', // connecting | live | offline
  unread: 0,
  lastEventId: 0,
};

const listeners = new Set();

export function update(patch) {
  Object.assign(state, patch);
  for (const fn of listeners) fn(patch);
}

export function onUpdate(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}


export const ROLES = ['admin', 'manager', 'maker', 'supervisor', 'operator'];

export function role() {
  return state.user ? state.user.role : null;
}

export function hasRole(...roles) {
  return Boolean(state.user) && roles.includes(state.user.role);
}

/** Admin, manager and maker see every order and may see prices. */
export function seesEverything() {
  return hasRole('admin', 'manager', 'maker');
}

export function department(id) {
  return state.departments.find((d) => d.id === id);
}

export function process(id) {
  return state.processes.find((p) => p.id === id);
}

export function user(id) {
  return state.users.find((u) => u.id === id);
}

/** Departments the signed-in person works in (all of them for roles that see everything). */
export function myDepartments() {
  if (!state.user) return [];
  if (seesEverything()) return state.departments.filter((d) => d.active !== false);
  return state.departments.filter((d) => state.user.department_ids.includes(d.id));
}

export function operatorsOf(departmentId) {
  return state.users.filter((u) => u.role === 'operator' && u.active !== false
    && (u.department_ids || []).includes(departmentId));
}
