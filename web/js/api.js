// The console's only way to parkd: the public API, with the session cookie and, on every change,
// the session's anti-CSRF value.
let csrf = '';

export function setCsrf(value) { csrf = value || ''; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || '';
    this.problems = body.problems || [];
  }
}

// `body`: an object (sent as JSON) or a string (sent as is, with `type`). Answers the parsed JSON,
// or the text when `text` is set.
export async function api(method, path, body, { type = 'application/json', text = false } = {}) {
  const headers = { Accept: text ? '*/*' : 'application/json' };
  if (method !== 'GET') headers['X-Parkd-Csrf'] = csrf;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type;
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const reply = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (!reply.ok) {
    let error = {};
    try { error = await reply.json(); } catch { /* not JSON: the status says it */ }
    throw new ApiError(reply.status, error);
  }
  return text ? reply.text() : reply.json();
}

// A space's, plate's or household's id as one path segment.
export function segment(id) { return encodeURIComponent(id); }

export function yuan(fen) { return (Number(fen) / 100).toFixed(2); }

export function localTime(ms) {
  return ms && Number(ms) > 0 ? new Date(Number(ms)).toLocaleString() : '–';
}

// An element with attributes and children (nodes or text). The console never writes HTML from
// data, so a plate or a reason typed by someone can never become markup.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('data-')) node.setAttribute(name, value);
    else if (name in node) node[name] = value;
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
