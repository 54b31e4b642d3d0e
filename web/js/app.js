// The console's frame: sign-in, the views a role may see, the language, and the live feed that
// keeps every view current. Each view is a module of its own with init(session, allows),
// load() to fetch what it shows, and handlers for the feed's events.
import { api, setCsrf, ApiError } from './api.js';
import { t, applyLanguage, toggleLanguage } from './i18n.js';
import * as map from './map.js';
import * as signs from './signs.js';
import * as gates from './gates.js';
import * as visitors from './visitors.js';
import * as alerts from './alerts.js';
import * as registry from './registry.js';
import * as bills from './bills.js';
import * as audit from './audit.js';

const RANK = { viewer: 0, guard: 1, clerk: 2, admin: 3 };
const VIEWS = {
  map: { module: map, role: 'viewer' },
  signs: { module: signs, role: 'viewer' },
  gates: { module: gates, role: 'viewer' },
  alerts: { module: alerts, role: 'viewer' },
  visitors: { module: visitors, role: 'guard' },
  registry: { module: registry, role: 'clerk' },
  bills: { module: bills, role: 'clerk' },
  audit: { module: audit, role: 'admin' },
};

let session = null;
let feed = null;
let initialised = false;  // the views' listeners, set once per page

const allows = (role) => session !== null && RANK[session.role] >= RANK[role];

function showView(name) {
  for (const section of document.querySelectorAll('main > .view')) section.hidden = section.id !== `view-${name}`;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function route() {
  if (!session) return showView('signin');
  let name = location.hash.slice(1) || 'map';
  if (!VIEWS[name] || !allows(VIEWS[name].role)) name = 'map';
  showView(name);
  const load = VIEWS[name].module.load;
  if (load) {
    try { await load(); } catch (e) { if (e instanceof ApiError && e.status === 401) signedOut(); }
  }
}

function setLive(on) {
  const live = document.getElementById('live');
  live.hidden = false;
  live.textContent = on ? t('live.on') : t('live.off');
  live.className = on ? 'live on' : 'live off';
}

// A lot whose broker session is not online: parkd hears nothing from its devices, which no view
// would show (the map keeps what it heard last). Said above every view, from each status event.
let lastStatus = null;  // for saying it again in the other language
function showBroker(status) {
  lastStatus = status;
  const box = document.getElementById('broker-warning');
  const lines = status.lots.filter((lot) => lot.broker && lot.broker !== 'online')
    .map((lot) => t(`broker.${lot.broker}`, { lot: lot.name || lot.lot_id }));
  box.textContent = lines.join(' ');
  box.hidden = lines.length === 0;
}

function follow() {
  feed = new EventSource('/v1/events');
  const on = (type, handler) => feed.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  on('space', map.onSpace);
  on('frame', signs.onFrame);
  on('decision', gates.onDecision);
  on('alert', alerts.onAlert);
  on('status', (status) => { setLive(true); showBroker(status); });
  feed.onopen = () => setLive(true);
  // EventSource reconnects by itself; after a reconnect the map is fetched again, since changes
  // made meanwhile were not streamed.
  feed.onerror = () => { setLive(false); feed.addEventListener('open', () => map.load(), { once: true }); };
}

function signedIn(s) {
  session = s;
  setCsrf(s.csrf);
  document.getElementById('who').textContent = `${s.name} · ${t(`role.${s.role}`)}`;
  document.getElementById('signout').hidden = false;
  document.getElementById('nav').hidden = false;
  for (const link of document.querySelectorAll('#nav a[data-role]')) link.hidden = !allows(link.dataset.role);
  if (!initialised) {
    for (const view of Object.values(VIEWS)) view.module.init(s, allows);
    initialised = true;
  }
  follow();
  map.load();
  alerts.load().catch(() => {});  // the badge in the navigation, whatever view is open
  route();
}

function signedOut() {
  session = null;
  setCsrf('');
  if (feed) feed.close();
  feed = null;
  document.getElementById('who').textContent = '';
  document.getElementById('signout').hidden = true;
  document.getElementById('nav').hidden = true;
  document.getElementById('live').hidden = true;
  document.getElementById('broker-warning').hidden = true;
  route();
}

async function signIn(e) {
  e.preventDefault();
  const form = e.target;
  const error = form.querySelector('.error');
  error.textContent = '';
  try {
    const s = await api('POST', '/v1/session', { token: form.elements.token.value.trim() });
    form.reset();
    signedIn(s);
  } catch (err) {
    error.textContent = err.status === 401 ? t('error.signin') : err.message;
  }
}

async function start() {
  applyLanguage();
  document.getElementById('lang').addEventListener('click', () => {
    toggleLanguage();
    if (session) document.getElementById('who').textContent = `${session.name} · ${t(`role.${session.role}`)}`;
    if (session && lastStatus) showBroker(lastStatus);
    route();
  });
  document.getElementById('signin-form').addEventListener('submit', signIn);
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api('DELETE', '/v1/session'); } finally { signedOut(); }
  });
  window.addEventListener('hashchange', route);
  try {
    signedIn(await api('GET', '/v1/session'));
  } catch {
    signedOut();
  }
}

start();
