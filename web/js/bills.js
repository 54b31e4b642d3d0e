// Bills and the notice of a month (clerks): a preview as a table, the CSV download (which issues an
// ended month), and the notice as parkd renders it, ready to print.
import { api, el } from './api.js';
import { t } from './i18n.js';

function month() {
  const input = document.querySelector('#month-form [name=month]');
  if (!input.value) input.reportValidity();
  return input.value;
}

export function init() {
  const input = document.querySelector('#month-form [name=month]');
  input.value = new Date().toISOString().slice(0, 7);
  document.getElementById('bill-preview').addEventListener('click', preview);
  document.getElementById('bill-download').addEventListener('click', () => {
    if (month()) window.location.assign(`/v1/bill?month=${month()}&excel=true`);
  });
  document.getElementById('notice-show').addEventListener('click', () => notice(false));
  document.getElementById('notice-print').addEventListener('click', () => notice(true));
}

export async function load() {}

function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) { cells.push(cell); cell = ''; }
      else cell += c;
    }
    cells.push(cell);
    rows.push(cells);
  }
  return rows;
}

async function preview() {
  const error = document.querySelector('#month-form .error');
  error.textContent = '';
  const m = month();
  if (!m) return;
  try {
    const [head, ...rows] = parseCsv(await api('GET', `/v1/bill?month=${m}&preview=true`, undefined, { text: true }));
    document.getElementById('notice-frame').hidden = true;
    document.getElementById('bill-table').replaceChildren(rows.length === 0 ? el('p', {}, t('bills.empty')) :
      el('table', { class: 'bill' },
        el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
        el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))))));
  } catch (e) {
    error.textContent = e.message;
  }
}

function notice(print) {
  const m = month();
  if (!m) return;
  const frame = document.getElementById('notice-frame');
  document.getElementById('bill-table').replaceChildren();
  frame.hidden = false;
  frame.onload = () => { if (print) frame.contentWindow.print(); };
  frame.src = `/v1/notice?month=${m}&format=html`;
}
