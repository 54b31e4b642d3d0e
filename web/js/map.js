// The lot map: every space by zone, coloured by its state, live from the event feed; a click
// shows the space with its recent changes and, for a guard, closes or opens it.
import { api, segment, el, localTime } from './api.js';
import { t } from './i18n.js';

const buttons = new Map();  // "lot/space" -> button
const spaces = new Map();   // "lot/space" -> SpaceInfo
let zoneNames = new Map();  // "lot/zone" -> {zh, en}
let canChange = false;
let shown = null;           // the key of the space in the dialog
const HISTORY_SHOWN = 20;

const STATES = ['free', 'occupied', 'held', 'closed', 'suspect', 'unknown'];

export function init(session, allows) {
  canChange = allows('guard');
  document.getElementById('space-actions').hidden = !canChange;
  document.getElementById('space-close').addEventListener('click', () => change('close'));
  document.getElementById('space-open').addEventListener('click', () => change('open'));
}

export async function load() {
  const [status, list] = await Promise.all([api('GET', '/v1/status'), api('GET', '/v1/spaces')]);
  zoneNames = new Map();
  for (const lot of status.lots) {
    for (const z of lot.zones) zoneNames.set(`${lot.lot_id}/${z.zone_id}`, { zh: z.name_zh, en: z.name_en });
  }
  spaces.clear();
  for (const s of list.spaces) spaces.set(`${s.lot_id}/${s.space_id}`, s);
  render(status);
}

function render(status) {
  buttons.clear();
  const map = document.getElementById('map');
  map.replaceChildren();
  document.getElementById('legend').replaceChildren(
    ...STATES.map((s) => el('span', { class: `space s-${s}` }, t(`state.${s}`))));
  for (const lot of status.lots) {
    for (const zone of lot.zones) {
      const grid = el('div', { class: 'spaces' });
      for (const s of spaces.values()) {
        if (s.lot_id !== lot.lot_id || s.zone_id !== zone.zone_id) continue;
        const key = `${s.lot_id}/${s.space_id}`;
        const b = el('button', { type: 'button', class: 'space', 'data-space': key }, s.space_id);
        b.addEventListener('click', () => open(key));
        buttons.set(key, b);
        paint(s);
        grid.append(b);
      }
      const title = `${zone.zone_id} · ${zone.name_zh} ${zone.name_en}`;
      map.append(el('section', { class: 'zone', 'data-zone': zone.zone_id }, el('h3', {}, title), grid));
    }
  }
}

function paint(s) {
  const b = buttons.get(`${s.lot_id}/${s.space_id}`);
  if (!b) return;
  b.className = `space s-${s.state}${s.kind !== 'ordinary' ? ` k-${s.kind}` : ''}`;
  b.dataset.state = s.state;
  b.title = `${s.space_id}: ${t(`state.${s.state}`)}`;
  b.setAttribute('aria-label', b.title);
}

// A `space` event from the feed.
export function onSpace(s) {
  const key = `${s.lot_id}/${s.space_id}`;
  const before = spaces.get(key);
  spaces.set(key, s);
  paint(s);
  if (shown !== key) return;
  facts(s);
  if (before?.state !== s.state) history(key);
}

// The space's last changes, newest first (GET /v1/spaces/{id}/history).
async function history(key) {
  const body = document.getElementById('space-history');
  try {
    const h = await api('GET', `/v1/spaces/${segment(key)}/history?limit=${HISTORY_SHOWN}`);
    if (shown !== key) return;  // another space was opened meanwhile
    const rows = h.changes.map((c) => el('tr', {},
      el('td', {}, c.at_local), el('td', {}, t(`state.${c.state}`)), el('td', {}, c.note)));
    body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 3 }, t('space.history_none')))]));
    document.getElementById('space-history-more').hidden = !h.more;
  } catch (e) {
    document.getElementById('space-dialog').querySelector('.error').textContent = e.message;
  }
}

function facts(s) {
  const rows = [
    ['fact.state', t(`state.${s.state}`)],
    ['fact.kind', t(`kind.${s.kind}`)],
    ['fact.held_for', s.held_for],
    ['fact.closed_reason', s.closed_reason],
    ['fact.sensor', s.sensor?.sensor_id],
    ['fact.last_heard', s.sensor?.heard ? s.sensor.last_heard_local || localTime(s.sensor.last_heard_ms) : '–'],
    ['fact.battery', s.sensor?.battery_mv || '–'],
  ];
  document.getElementById('space-facts').replaceChildren(
    ...rows.filter(([, v]) => v !== '' && v !== undefined).flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
  document.getElementById('space-close').hidden = s.state === 'closed';
  document.getElementById('space-open').hidden = s.state !== 'closed';
}

async function open(key) {
  shown = key;
  const dialog = document.getElementById('space-dialog');
  dialog.querySelector('.error').textContent = '';
  dialog.querySelector('[name=reason]').value = '';
  document.getElementById('space-title').textContent = key;
  document.getElementById('space-history').replaceChildren();
  facts(spaces.get(key));
  dialog.showModal();
  history(key);
  try {
    onSpace(await api('GET', `/v1/spaces/${segment(key)}`));  // the sensor's latest, not only the last change
  } catch (e) {
    dialog.querySelector('.error').textContent = e.message;
  }
}

async function change(action) {
  const dialog = document.getElementById('space-dialog');
  const error = dialog.querySelector('.error');
  error.textContent = '';
  try {
    const body = action === 'close' ? { reason: dialog.querySelector('[name=reason]').value } : {};
    onSpace(await api('POST', `/v1/spaces/${segment(shown)}/${action}`, body));
  } catch (e) {
    error.textContent = e.status === 403 ? t('error.forbidden') : e.message;
  }
}
