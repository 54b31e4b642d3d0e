// The console's words in Chinese and English. Elements name theirs with data-i18n; the reader's
// choice is kept in this browser.
// Each key: [Chinese, English]. One line per text keeps the two side by side.
const words = {
  'title': ['停车管理', 'Parking office'],
  'nav.map': ['车位图', 'Lot map'],
  'nav.signs': ['引导屏', 'Signs'],
  'nav.gates': ['道闸', 'Gates'],
  'nav.visitors': ['访客', 'Visitors'],
  'nav.alerts': ['告警', 'Alerts'],
  'alerts.title': ['告警', 'Alerts'],
  'alerts.kind': ['类型', 'Kind'],
  'alerts.since': ['发现时间', 'Since'],
  'alerts.detail': ['情况与处理', 'What was seen, what to do'],
  'alerts.reason': ['处理说明', 'What was done'],
  'alerts.dismiss': ['关闭告警', 'Dismiss'],
  'alerts.none': ['没有告警', 'No alert'],
  'alert.BLOCKED_SUSPECT': ['疑似被占（地锁、杂物）', 'Blocked? (ground lock, object)'],
  'alert.LONG_OCCUPANCY': ['长期占用（僵尸车）', 'Never moves (abandoned car?)'],
  'alert.FLAPPING_SENSOR': ['传感器跳变', 'Flapping sensor'],
  'alert.OCCUPIED_WITHOUT_ENTRY': ['占用多于入场', 'Occupied without entry'],
  'alert.MISSED_EXITS': ['出场记录缺失', 'Missed exits'],
  'alert.VISITOR_OVERSTAY': ['访客超时', 'Visitor overstay'],
  'nav.registry': ['登记', 'Registry'],
  'nav.bills': ['账单与公示', 'Bills & notice'],
  'nav.audit': ['操作记录', 'Audit log'],
  'signout': ['退出', 'Sign out'],
  'signin.title': ['登录', 'Sign in'],
  'signin.token': ['令牌', 'Token'],
  'signin.submit': ['登录', 'Sign in'],
  'signin.hint': ['令牌由物业管理员发放（parkd.token 文件中的一行）。', 'The property office hands out tokens (a line of the parkd.token file).'],
  'map.title': ['车位图', 'Lot map'],
  'space.reason': ['原因', 'Reason'],
  'space.close': ['关闭车位', 'Close space'],
  'space.open': ['开放车位', 'Open space'],
  'dialog.done': ['完成', 'Done'],
  'signs.title': ['入口引导屏', 'Entrance signs'],
  'gates.title': ['道闸实时记录', 'Gate feed'],
  'gates.gate': ['道闸', 'Gate'],
  'gates.plate': ['车牌', 'Plate'],
  'gates.outcome': ['结果', 'Outcome'],
  'gates.space': ['车位', 'Space'],
  'gates.message': ['提示', 'Message'],
  'gates.admit': ['放行', 'admitted'],
  'gates.refuse': ['拒绝', 'refused'],
  'visitors.title': ['场内访客', 'Visitors inside'],
  'visitors.since': ['入场时间', 'Since'],
  'visitors.minutes': ['停留（分钟）', 'Minutes'],
  'visitors.fee': ['当前费用（元）', 'Fee so far (yuan)'],
  'visitors.note': ['备注', 'Note'],
  'visitors.none': ['场内没有访客车辆', 'No visitor is inside'],
  'registry.title': ['住户与车辆登记', 'Households and vehicles'],
  'registry.household': ['户号', 'Household'],
  'registry.show': ['查看', 'Show'],
  'registry.search': ['车牌、户号或房号', 'Plate, household or room'],
  'registry.find': ['查找', 'Find'],
  'registry.nothing': ['没有找到', 'Nothing found'],
  'registry.more': ['结果过多，请输入更多字符', 'More matched: type more'],
  'registry.add': ['登记车辆', 'Register a vehicle'],
  'registry.registered_on': ['登记日期', 'Registered on'],
  'registry.add_button': ['登记', 'Register'],
  'registry.import': ['导入 CSV', 'Import CSV'],
  'registry.households': ['住户', 'Households'],
  'registry.vehicles': ['车辆', 'Vehicles'],
  'registry.import_button': ['导入', 'Import'],
  'registry.remove': ['注销', 'Remove'],
  'registry.imported': ['已导入 {rows} 行：新增 {added}，变更 {changed}，未变 {unchanged}', '{rows} rows imported: {added} added, {changed} changed, {unchanged} unchanged'],
  'registry.added': ['{plate} 已登记', '{plate} registered'],
  'registry.removed': ['{plate} 已注销', '{plate} removed'],
  'registry.line': ['第 {line} 行', 'line {line}'],
  'registry.fees_today': ['今日月费合计 {fee} 元（公约 {pact}）', 'Monthly fees today: {fee} yuan (pact {pact})'],
  'bills.title': ['账单与公示', 'Bills and the notice'],
  'bills.month': ['月份', 'Month'],
  'bills.preview': ['预览账单', 'Preview the bill'],
  'bills.download': ['下载账单（出账）', 'Download (issues the month)'],
  'bills.notice': ['公示', 'Notice'],
  'bills.print': ['打印公示', 'Print the notice'],
  'bills.empty': ['本月没有账单行', 'No bill lines this month'],
  'audit.title': ['操作记录', 'Audit log'],
  'audit.when': ['时间', 'When'],
  'audit.who': ['操作人', 'Who'],
  'audit.action': ['操作', 'Action'],
  'audit.target': ['对象', 'Target'],
  'role.viewer': ['查看', 'viewer'],
  'role.guard': ['保安', 'guard'],
  'role.clerk': ['物业', 'clerk'],
  'role.admin': ['管理员', 'admin'],
  'state.free': ['空闲', 'free'],
  'state.occupied': ['占用', 'occupied'],
  'state.held': ['预留', 'held'],
  'state.closed': ['关闭', 'closed'],
  'state.unknown': ['未知', 'unknown'],
  'state.suspect': ['可疑', 'suspect'],
  'fact.state': ['状态', 'State'],
  'fact.kind': ['类型', 'Kind'],
  'fact.held_for': ['预留给', 'Held for'],
  'fact.closed_reason': ['关闭原因', 'Closed because'],
  'fact.sensor': ['传感器', 'Sensor'],
  'fact.last_heard': ['最后上报', 'Last heard'],
  'fact.battery': ['电池（mV）', 'Battery (mV)'],
  'space.history': ['最近变化', 'Recent changes'],
  'space.history_at': ['时间', 'At'],
  'space.history_state': ['变为', 'Became'],
  'space.history_note': ['备注', 'Note'],
  'space.history_none': ['90 天内没有变化', 'No change in 90 days'],
  'space.history_more': ['只显示最近 20 次；更早的变化可通过 API 查询（before=）', 'The last 20 shown; older changes through the API (before=)'],
  'kind.ordinary': ['普通', 'ordinary'],
  'kind.accessible': ['无障碍', 'accessible'],
  'kind.ev_charging': ['充电', 'charger'],
  'live.on': ['实时', 'live'],
  'live.off': ['重新连接中…', 'reconnecting…'],
  'broker.subscribing': ['{lot}：消息服务器尚未允许 parkd 订阅，收不到传感器和道闸摄像机的消息。',
    '{lot}: the broker has not granted parkd its subscriptions; it does not hear the sensors and gate cameras.'],
  'broker.not_hearing': ['{lot}：消息服务器没有把传感器和道闸摄像机的消息交给 parkd，正在重新连接。',
    '{lot}: the broker delivers nothing from the sensors and gate cameras to parkd; reconnecting.'],
  'broker.disconnected': ['{lot}：parkd 与消息服务器断开，正在重新连接；车位图显示的是断开前的情况。',
    '{lot}: parkd has lost the broker and is reconnecting; the map shows what it heard before.'],
  'free': ['空闲 {n}', '{n} free'],
  'full': ['满', 'FULL'],
  'error.forbidden': ['您的角色不能执行此操作', 'Your role may not do this'],
  'error.signin': ['令牌无效', 'That token is not valid'],
};

let current = localStorage.getItem('parkd.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');

export function language() { return current; }

// The text of `key`, with {name} filled from `vars`.
export function t(key, vars = {}) {
  const pair = words[key];
  const text = pair ? pair[current === 'zh' ? 0 : 1] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

export function applyLanguage(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang');
  toggle.textContent = current === 'zh' ? 'English' : '中文';
  toggle.lang = current === 'zh' ? 'en' : 'zh-CN';
}

export function toggleLanguage() {
  current = current === 'zh' ? 'en' : 'zh';
  localStorage.setItem('parkd.lang', current);
  applyLanguage();
}
