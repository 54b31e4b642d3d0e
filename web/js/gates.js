// The gate feed: decisions as they reach the barriers, newest first, with their reasons. A viewer's
// feed carries no plate (parkd leaves it out).
import { el, yuan } from './api.js';
import { t, language } from './i18n.js';

const MAX_ROWS = 200;

export function init() {}

// A `decision` event from the feed.
export function onDecision(d) {
  const body = document.getElementById('gate-feed');
  const outcome = d.admit ? t('gates.admit') : t('gates.refuse');
  const fee = Number(d.fee_due_fen) > 0 ? ` · ${yuan(d.fee_due_fen)}` : '';
  body.prepend(el('tr', { class: d.admit ? 'admit' : 'refuse' },
    el('td', {}, d.gate_id),
    el('td', { class: 'plate' }, d.plate || '—'),
    el('td', {}, `${outcome} (${d.reason})${fee}`),
    el('td', {}, d.assigned_space || ''),
    el('td', {}, language() === 'zh' ? d.message_zh : d.message_en)));
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
}
