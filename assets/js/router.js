// A tiny hash router: '#/work-orders/12' → the view registered for '/work-orders/:id' with
// {id: '12'}. Each view renders into a fresh <section> and may return a cleanup function,
// called when the user leaves, so its listeners and timers never outlive it.

const routes = [];
let cleanup = null;
let guard = () => null;
let onRoute = () => {};

export function route(pattern, view, opts = {}) {
  const names = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => {
    names.push(n);
    return '([^/]+)';
  })}/?$`);
  routes.push({ pattern, re, names, view, opts });
}

/** guard(match) may return a path to go to instead (e.g. '/login'). */
export function setGuard(fn) {
  guard = fn;
}

export function afterRoute(fn) {
  onRoute = fn;
}

export function currentPath() {
  const raw = location.hash.replace(/^#/, '') || '/';
  return raw.split('?')[0];
}

export function currentQuery() {
  const raw = location.hash.split('?')[1] || '';
  return Object.fromEntries(new URLSearchParams(raw));
}

export function go(path) {
  if (`#${path}` === location.hash) render();
  else location.hash = path;
}

function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { ...r, params };
    }
  }
  return null;
}

export async function render() {
  const path = currentPath();
  const found = match(path);
  const redirect = guard(found, path);
  if (redirect && redirect !== path) {
    location.replace(`#${redirect}`);
    return;
  }
  if (cleanup) {
    try { cleanup(); } catch (e) { console.error(e); }
    cleanup = null;
  }
  const main = document.getElementById('view');
  const section = document.createElement('section');
  section.className = 'view';
  section.dataset.route = found ? found.pattern : 'none';
  main.replaceChildren(section);
  onRoute(found);
  if (!found) return;
  try {
    const result = await found.view(section, found.params, currentQuery());
    if (typeof result === 'function') {
      if (section.isConnected) cleanup = result;
      else result();
    }
  } catch (e) {
    console.error(e);
  }
}

export function start() {
  window.addEventListener('hashchange', render);
  return render();
}
