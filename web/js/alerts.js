// Alerts: spaces that lie (blocked, abandoned, flapping), with what was seen and what to do in
// the reader's language; guards dismiss one with a reason. Kept current by the feed's `alert` events.
import { api, el, localTime, segment } from './api.js';
import { t, language } from './i18n.js';

let canDismiss = false;

export function init(session, allows) { canDismiss = allows('guard'); }

function row(a) {
  const detail = language() === 'zh' ? a.detail_zh : a.detail_en;
  const actions = el('td');
  if (canDismiss) {
    const form = el('form', { class: 'dismiss' },
      el('input', { name: 'reason', required: true, maxLength: 200, placeholder: t('alerts.reason'), 'aria-label': t('alerts.reason') }),
      el('button', { type: 'submit' }, t('alerts.dismiss')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const error = form.querySelector('.error') || form.appendChild(el('span', { class: 'error' }));
      error.textContent = '';
      try {
        await api('POST', `/v1/alerts/${segment(a.alert_id)}/dismiss`, { reason: form.elements.reason.value });
        await load();
      } catch (err) {
        error.textContent = err.message;
      }
    });
    actions.append(form);
  }
  return el('tr', { 'data-alert': a.alert_id },
    el('td', {}, t(`alert.${a.kind}`)),
    el('td', {}, a.space_id || a.plate || a.lot_id),
    el('td', {}, localTime(a.raised_at_ms)),
    el('td', {}, detail),
    actions);
}

export async function load() {
  const list = await api('GET', '/v1/alerts');
  const alerts = list.alerts || [];
  document.getElementById('alert-rows').replaceChildren(
    ...(alerts.length ? alerts.map(row) : [el('tr', {}, el('td', { colSpan: 5 }, t('alerts.none')))]));
  const badge = document.getElementById('alert-count');
  badge.textContent = alerts.length ? String(alerts.length) : '';
  badge.hidden = alerts.length === 0;
}

// From the feed: an alert raised or cleared anywhere refreshes the list (and the badge).
export function onAlert() { load().catch(() => {}); }
