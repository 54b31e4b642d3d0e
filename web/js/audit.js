// The audit log: who changed what, newest first (admin).
import { api, el, localTime } from './api.js';

export function init() {}

export async function load() {
  const list = await api('GET', '/v1/audit?limit=200');
  document.getElementById('audit-rows').replaceChildren(...(list.entries || []).map((e) => el('tr', {},
    el('td', {}, localTime(e.at_ms)),
    el('td', {}, e.token_name),
    el('td', {}, e.action),
    el('td', {}, e.target))));
}
