// The residents' page: free spaces per zone and the published monthly notices, from the calls
// that need no token.
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

async function notices() {
  try {
    const list = await api('GET', '/v1/public/notices');
    document.getElementById('notices').replaceChildren(...list.months.map((m) =>
      el('li', {}, el('a', { href: `/v1/public/notice?month=${m}&format=html` }, m))));
  } catch (e) {
    document.getElementById('notices').replaceChildren(el('li', {}, e.message));
  }
}

refresh();
notices();
setInterval(refresh, 10_000);
