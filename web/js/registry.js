// The registry (clerks): search by plate, household or room; a household with its cars;
// registering and removing a car; importing the office's CSV files — all or nothing, every
// problem shown by its line.
import { api, segment, el, yuan } from './api.js';
import { t } from './i18n.js';

export function init() {
  document.getElementById('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    search(e.target.elements.q.value.trim());
  });
  document.getElementById('vehicle-form').addEventListener('submit', add);
  document.getElementById('import-form').addEventListener('submit', importFile);
}

export async function load() {}

async function search(q) {
  const results = document.getElementById('search-results');
  try {
    const r = await api('GET', `/v1/registry/search?q=${encodeURIComponent(q)}`);
    const pick = (id, text) => {
      const b = el('button', { type: 'button', class: 'link' }, text);
      b.addEventListener('click', () => show(id));
      return el('li', {}, b);
    };
    const items = [
      ...r.households.map((h) => pick(h.household_id, `${h.household_id} · ${h.building}-${h.room} · ${h.household_type}`)),
      ...r.vehicles.map((v) => pick(v.household_id, `${v.plate} → ${v.household_id}${v.removed_on ? ` (${v.removed_on})` : ''}`)),
    ];
    if (r.truncated) items.push(el('li', {}, t('registry.more')));
    results.replaceChildren(...(items.length ? items : [el('li', {}, t('registry.nothing'))]));
  } catch (e) {
    results.replaceChildren(el('li', { class: 'error' }, e.message));
  }
}

async function show(id) {
  const box = document.getElementById('household');
  try {
    const h = await api('GET', `/v1/households/${segment(id)}`);
    const cars = (h.vehicles || []).map((v) => {
      const remove = el('button', { type: 'button' }, t('registry.remove'));
      remove.hidden = !v.in_force;
      remove.addEventListener('click', () => removeVehicle(v.plate, id));
      return el('tr', {},
        el('td', { class: 'plate' }, v.plate), el('td', {}, v.registered_on), el('td', {}, v.removed_on || ''),
        el('td', { class: 'num' }, v.rank || ''), el('td', { class: 'num' }, v.monthly_fee_fen ? yuan(v.monthly_fee_fen) : ''),
        el('td', {}, remove));
    });
    const hh = h.household;
    box.replaceChildren(el('article', { class: 'card' },
      el('h3', {}, `${hh.household_id} · ${hh.building}-${hh.room} · ${hh.household_type}${hh.lease_end ? ` → ${hh.lease_end}` : ''}`),
      el('p', {}, t('registry.fees_today', { fee: yuan(h.monthly_fees_today_fen), pact: h.pact_version })),
      el('table', {}, el('tbody', {}, cars))));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
  }
}

async function add(e) {
  e.preventDefault();
  const form = e.target;
  const error = form.querySelector('.error');
  error.textContent = '';
  const body = { plate: form.elements.plate.value.trim(), household_id: form.elements.household_id.value.trim() };
  if (form.elements.registered_on.value) body.registered_on = form.elements.registered_on.value;
  try {
    const v = await api('POST', '/v1/vehicles', body);
    error.textContent = t('registry.added', { plate: v.plate });
    show(body.household_id);
  } catch (err) {
    error.textContent = err.message;
  }
}

async function removeVehicle(plate, household) {
  try {
    await api('POST', `/v1/vehicles/${segment(plate)}/remove`, {});
    show(household);
  } catch (err) {
    document.getElementById('household').prepend(el('p', { class: 'error', role: 'alert' }, err.message));
  }
}

async function importFile(e) {
  e.preventDefault();
  const form = e.target;
  const errors = form.querySelector('.error');
  const ok = form.querySelector('.ok');
  errors.replaceChildren();
  ok.textContent = '';
  const file = form.elements.file.files[0];
  if (!file) return;
  try {
    const r = await api('POST', `/v1/import/${form.elements.kind.value}`, await file.text(), { type: 'text/csv' });
    ok.textContent = t('registry.imported', r);
  } catch (err) {
    const lines = err.problems.map((p) => el('li', { 'data-line': p.line },
      `${t('registry.line', { line: p.line })}${p.column ? `:${p.column}` : ''} — ${p.message}`));
    errors.replaceChildren(el('p', {}, err.message), el('ol', { class: 'problems' }, lines));
  }
}
