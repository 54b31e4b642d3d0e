// The entrance signs as they show now: one panel per display, drawn from its last frame.
import { el } from './api.js';
import { t } from './i18n.js';

const ARROWS = { ARROW_LEFT: '←', ARROW_RIGHT: '→', ARROW_STRAIGHT: '↑' };
const frames = new Map();  // display_id -> DisplayFrame

export function init() {}

// A `frame` event from the feed (on connecting, the last of each display).
export function onFrame(frame) {
  frames.set(frame.display_id, frame);
  render();
}

function render() {
  const box = document.getElementById('signs');
  box.replaceChildren(...[...frames.values()].map(panel));
}

function panel(f) {
  const zones = (f.zones || []).map((z) =>
    el('li', { class: z.full ? 'full' : '' },
      el('span', { class: 'arrow' }, ARROWS[z.arrow] || ''),
      el('span', { class: 'zone-id' }, z.zone_id),
      el('span', { class: 'count' }, z.full ? t('full') : String(z.free)),
      z.free_accessible > 0 ? el('span', { class: 'accessible', title: t('kind.accessible') }, `♿${z.free_accessible}`) : null));
  return el('figure', { class: `sign${f.engine_online ? '' : ' offline'}`, 'data-display': f.display_id },
    el('figcaption', {}, f.display_id),
    el('p', { class: 'total' }, f.free_total > 0 ? String(f.free_total) : t('full')),
    el('ul', { class: 'zones' }, zones),
    el('p', { class: 'lines', lang: 'zh-CN' }, (f.lines_zh || []).join(' · ')),
    el('p', { class: 'lines', lang: 'en' }, (f.lines_en || []).join(' · ')));
}
