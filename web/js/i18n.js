// The console's words in Chinese and English. Elements name theirs with data-i18n; the reader's
// choice is kept in this browser.
const words = {
  zh: {
    'title': '停车管理', 'nav.map': '车位图', 'nav.signs': '引导屏', 'nav.gates': '道闸', 'nav.visitors': '访客',
    'nav.registry': '登记', 'nav.bills': '账单与公示', 'nav.audit': '操作记录', 'signout': '退出',
    'signin.title': '登录', 'signin.token': '令牌', 'signin.submit': '登录',
    'signin.hint': '令牌由物业管理员发放（parkd.token 文件中的一行）。',
    'map.title': '车位图', 'space.reason': '原因', 'space.close': '关闭车位', 'space.open': '开放车位', 'dialog.done': '完成',
    'signs.title': '入口引导屏', 'gates.title': '道闸实时记录', 'gates.gate': '道闸', 'gates.plate': '车牌',
    'gates.outcome': '结果', 'gates.space': '车位', 'gates.message': '提示', 'gates.admit': '放行', 'gates.refuse': '拒绝',
    'visitors.title': '场内访客', 'visitors.since': '入场时间', 'visitors.minutes': '停留（分钟）',
    'visitors.fee': '当前费用（元）', 'visitors.note': '备注', 'visitors.none': '场内没有访客车辆',
    'registry.title': '住户与车辆登记', 'registry.household': '户号', 'registry.show': '查看',
    'registry.search': '车牌、户号或房号', 'registry.find': '查找', 'registry.nothing': '没有找到', 'registry.more': '结果过多，请输入更多字符', 'registry.add': '登记车辆',
    'registry.registered_on': '登记日期', 'registry.add_button': '登记', 'registry.import': '导入 CSV',
    'registry.households': '住户', 'registry.vehicles': '车辆', 'registry.import_button': '导入',
    'registry.remove': '注销', 'registry.imported': '已导入 {rows} 行：新增 {added}，变更 {changed}，未变 {unchanged}',
    'registry.added': '{plate} 已登记', 'registry.removed': '{plate} 已注销', 'registry.line': '第 {line} 行',
    'registry.fees_today': '今日月费合计 {fee} 元（公约 {pact}）',
    'bills.title': '账单与公示', 'bills.month': '月份', 'bills.preview': '预览账单', 'bills.download': '下载账单（出账）',
    'bills.notice': '公示', 'bills.print': '打印公示', 'bills.empty': '本月没有账单行',
    'audit.title': '操作记录', 'audit.when': '时间', 'audit.who': '操作人', 'audit.action': '操作', 'audit.target': '对象',
    'role.viewer': '查看', 'role.guard': '保安', 'role.clerk': '物业', 'role.admin': '管理员',
    'state.free': '空闲', 'state.occupied': '占用', 'state.held': '预留', 'state.closed': '关闭', 'state.unknown': '未知',
    'state.suspect': '可疑',
    'fact.state': '状态', 'fact.kind': '类型', 'fact.held_for': '预留给', 'fact.closed_reason': '关闭原因',
    'fact.sensor': '传感器', 'fact.last_heard': '最后上报', 'fact.battery': '电池（mV）',
    'kind.ordinary': '普通', 'kind.accessible': '无障碍', 'kind.ev_charging': '充电',
    'live.on': '实时', 'live.off': '重新连接中…', 'free': '空闲 {n}', 'full': '满',
    'error.forbidden': '您的角色不能执行此操作', 'error.signin': '令牌无效',
  },
  en: {
    'title': 'Parking office', 'nav.map': 'Lot map', 'nav.signs': 'Signs', 'nav.gates': 'Gates', 'nav.visitors': 'Visitors',
    'nav.registry': 'Registry', 'nav.bills': 'Bills & notice', 'nav.audit': 'Audit log', 'signout': 'Sign out',
    'signin.title': 'Sign in', 'signin.token': 'Token', 'signin.submit': 'Sign in',
    'signin.hint': 'The property office hands out tokens (a line of the parkd.token file).',
    'map.title': 'Lot map', 'space.reason': 'Reason', 'space.close': 'Close space', 'space.open': 'Open space', 'dialog.done': 'Done',
    'signs.title': 'Entrance signs', 'gates.title': 'Gate feed', 'gates.gate': 'Gate', 'gates.plate': 'Plate',
    'gates.outcome': 'Outcome', 'gates.space': 'Space', 'gates.message': 'Message', 'gates.admit': 'admitted', 'gates.refuse': 'refused',
    'visitors.title': 'Visitors inside', 'visitors.since': 'Since', 'visitors.minutes': 'Minutes',
    'visitors.fee': 'Fee so far (yuan)', 'visitors.note': 'Note', 'visitors.none': 'No visitor is inside',
    'registry.title': 'Households and vehicles', 'registry.household': 'Household', 'registry.show': 'Show',
    'registry.search': 'Plate, household or room', 'registry.find': 'Find', 'registry.nothing': 'Nothing found', 'registry.more': 'More matched: type more', 'registry.add': 'Register a vehicle',
    'registry.registered_on': 'Registered on', 'registry.add_button': 'Register', 'registry.import': 'Import CSV',
    'registry.households': 'Households', 'registry.vehicles': 'Vehicles', 'registry.import_button': 'Import',
    'registry.remove': 'Remove', 'registry.imported': '{rows} rows imported: {added} added, {changed} changed, {unchanged} unchanged',
    'registry.added': '{plate} registered', 'registry.removed': '{plate} removed', 'registry.line': 'line {line}',
    'registry.fees_today': 'Monthly fees today: {fee} yuan (pact {pact})',
    'bills.title': 'Bills and the notice', 'bills.month': 'Month', 'bills.preview': 'Preview the bill', 'bills.download': 'Download (issues the month)',
    'bills.notice': 'Notice', 'bills.print': 'Print the notice', 'bills.empty': 'No bill lines this month',
    'audit.title': 'Audit log', 'audit.when': 'When', 'audit.who': 'Who', 'audit.action': 'Action', 'audit.target': 'Target',
    'role.viewer': 'viewer', 'role.guard': 'guard', 'role.clerk': 'clerk', 'role.admin': 'admin',
    'state.free': 'free', 'state.occupied': 'occupied', 'state.held': 'held', 'state.closed': 'closed', 'state.unknown': 'unknown',
    'state.suspect': 'suspect',
    'fact.state': 'State', 'fact.kind': 'Kind', 'fact.held_for': 'Held for', 'fact.closed_reason': 'Closed because',
    'fact.sensor': 'Sensor', 'fact.last_heard': 'Last heard', 'fact.battery': 'Battery (mV)',
    'kind.ordinary': 'ordinary', 'kind.accessible': 'accessible', 'kind.ev_charging': 'charger',
    'live.on': 'live', 'live.off': 'reconnecting…', 'free': '{n} free', 'full': 'FULL',
    'error.forbidden': 'Your role may not do this', 'error.signin': 'That token is not valid',
  },
};

let current = localStorage.getItem('parkd.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');

export function language() { return current; }

// The text of `key`, with {name} filled from `vars`.
export function t(key, vars = {}) {
  const text = words[current][key] ?? words.en[key] ?? key;
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
