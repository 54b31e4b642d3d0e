// The residents' page: free spaces per zone, from the one call that needs no token.
import { api, el } from './api.js';

async function refresh() {
  try {
    const status = await api('GET', '/v1/status');
    document.getElementById('lots').replaceChildren(...status.lots.map((lot) => el('article', { class: 'card' },
      el('h2', {}, lot.name),
      el('p', { class: 'total' }, String(lot.counts.free)),
      el('ul', { class: 'zones' }, lot.zones.map((z) => el('li', { 'data-zone': z.zone_id, class: z.counts.free === 0 ? 'full' : '' },
        el('span', { class: 'zone-id' }, `${z.zone_id} ${z.name_zh} ${z.name_en}`),
        el('span', { class: 'count' }, z.counts.free === 0 ? '满 FULL' : String(z.counts.free))))))));
    document.getElementById('updated').textContent = new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('updated').textContent = e.message;
  }
}

refresh();
setInterval(refresh, 10_000);
