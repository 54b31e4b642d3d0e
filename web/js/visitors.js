// Visitors inside now, with the fee so far under today's pact (guards and above).
import { api, el, yuan } from './api.js';
import { t } from './i18n.js';

export function init() {}

export async function load() {
  const list = await api('GET', '/v1/visitors');
  const rows = (list.visitors || []).map((v) => el('tr', { class: v.overstay ? 'overstay' : '' },
    el('td', { class: 'plate' }, v.plate),
    el('td', {}, v.entered_at_local),
    el('td', { class: 'num' }, v.minutes_inside),
    el('td', { class: 'num' }, yuan(v.fee_so_far_fen)),
    el('td', {}, v.note)));
  document.getElementById('visitor-rows').replaceChildren(
    ...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 5 }, t('visitors.none')))]));
}
