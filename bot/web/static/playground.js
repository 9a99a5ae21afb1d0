// Playground: emulates WeCom / DingTalk / Feishu chats against /playground/api. Vanilla JS, no build step.
"use strict";

const API = "/playground/api";
const BOT = document.body.dataset.botName || "销售助手";
const MENTION = "@" + BOT;
const STORE_KEY = "salesbot.playground";
const ROLE_LABEL = { rep: "销售", manager: "主管", admin: "管理员" };
const STATUS_LABEL = { pending: "待发送", sending: "发送中", sent: "已发送", dead: "失败" };
const JOB_LABEL = {
  sla_scan: "首响超时扫描", must_do: "今日必做推送", morning_breakpoints: "早间卡点提醒",
  daily_report: "日报", weekly_report: "周报", weekly_insight: "每周洞察",
  wecom_workbench: "企微工作台数据", media_fetch: "凭证文件下载", feedback_digest: "反馈周报", intake_rejects: "线索拒收日报",
};
const $ = (id) => document.getElementById(id);

const state = {
  skin: "wecom", memberId: null, chatId: null,
  members: [], groups: [], jobs: [], now: null,
  cursor: "", pollGen: 0, byId: new Map(), lastAt: null,
  outbox: new Map(), pendingSend: null, clickIds: new Map(), offline: false,
};

// ---------- helpers ----------

// Make a fresh random id for one send or click.
function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
}

// Create an element with a class and optional text (always set via textContent).
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// Show a short message in the corner; kind is "error" or "info".
function toast(message, kind = "error") {
  const node = el("div", "toast toast-" + kind, message);
  $("toasts").appendChild(node);
  setTimeout(() => node.classList.add("toast-out"), 3600);
  setTimeout(() => node.remove(), 4000);
}

// Mark the connection indicator and tell the user once when the server goes away or comes back.
function setOnline(ok) {
  if (ok === !state.offline) return;
  state.offline = !ok;
  $("conn").dataset.state = ok ? "ok" : "down";
  $("conn").textContent = ok ? "已连接" : "连接中断，重试中…";
  if (!ok) toast("连接不上服务器，正在自动重试…");
}

// Call the API; returns parsed JSON or throws an Error whose message is fit for a toast.
async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  let resp;
  try {
    resp = await fetch(API + path, opts);
  } catch (err) {
    setOnline(false);
    const e = new Error("网络错误，请稍后重试"); e.network = true; throw e;
  }
  setOnline(true);
  let data = {};
  try { data = await resp.json(); } catch (_) { /* empty or non-JSON body */ }
  if (!resp.ok) {
    const fields = data.fields ? Object.entries(data.fields).map(([k, v]) => `${k}: ${v}`).join("；") : "";
    throw new Error((data.error || `请求失败（${resp.status}）`) + (fields ? `（${fields}）` : ""));
  }
  return data;
}

// Split an ISO time into wall-clock parts in the org's timezone (from /state; the config default otherwise).
function wall(iso) {
  const t = new Date(iso);
  if (!iso || isNaN(t)) return null;
  const tz = state.timezone || "Asia/Shanghai";
  if (!state.fmt || state.fmt.tz !== tz) {
    const opts = { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", weekday: "short" };
    let f;
    try { f = new Intl.DateTimeFormat("en-US", opts); } catch (_) { f = new Intl.DateTimeFormat("en-US", { ...opts, timeZone: undefined }); }
    state.fmt = { tz, f };
  }
  const p = Object.fromEntries(state.fmt.f.formatToParts(t).map((x) => [x.type, x.value]));
  const week = "日一二三四五六"[["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(p.weekday)];
  return { y: p.year, mo: p.month, d: p.day, hm: `${p.hour}:${p.minute}`, week };
}

// Format an ISO time as HH:MM, with the date in front when asked.
function fmtTime(iso, withDate) {
  const w = wall(iso);
  if (!w) return "";
  return withDate ? `${w.mo}月${w.d}日 ${w.hm}` : w.hm;
}

// Save the chosen skin, person and chat so a reload lands in the same place.
function savePrefs() {
  localStorage.setItem(STORE_KEY, JSON.stringify({ skin: state.skin, memberId: state.memberId, chatId: state.chatId }));
}

// Read saved choices, tolerating missing or corrupt storage.
function loadPrefs() {
  try { return JSON.parse(localStorage.getItem(STORE_KEY)) || {}; } catch (_) { return {}; }
}

const me = () => state.members.find((m) => m.id === state.memberId);
const isGroup = (chatId) => String(chatId || "").startsWith("group:");
const dmId = () => "dm:" + state.memberId;

// Pick an avatar colour from a name so each person keeps the same colour.
function avatarFor(name, extra) {
  const palette = ["#5B8FF9", "#61DDAA", "#F6BD16", "#7262FD", "#78D3F8", "#F6903D", "#9661BC", "#E8684A"];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  const node = el("span", "avatar " + (extra || ""), name.slice(-2));
  node.style.background = palette[h % palette.length];
  return node;
}

// ---------- left column: skin, people, chats ----------

// Switch the platform look of the whole page.
function setSkin(skin) {
  state.skin = skin;
  document.body.className = "skin-" + skin;
  document.querySelectorAll(".skin-btn").forEach((b) => {
    const on = b.dataset.skin === skin;
    b.classList.toggle("is-active", on);
    b.setAttribute("aria-checked", String(on));
  });
  const btn = document.querySelector(`.skin-btn[data-skin="${skin}"]`);
  $("chat-platform").textContent = btn ? btn.textContent.trim() : skin;
  savePrefs();
  if (state.chatId) openChat(state.chatId); // redraw every card, pushes included, in this skin
}

// Draw the person picker grouped by team, with role badges.
function renderPeople() {
  const box = $("people");
  box.replaceChildren();
  const teams = new Map();
  const sorted = [...state.members].sort((a, b) => (a.team ? 0 : 1) - (b.team ? 0 : 1)); // people without a team last
  for (const m of sorted) {
    if (!teams.has(m.team)) teams.set(m.team, []);
    teams.get(m.team).push(m);
  }
  for (const [team, list] of teams) {
    box.appendChild(el("div", "team-name", team || "其他"));
    for (const m of list) {
      const row = el("button", "person" + (m.id === state.memberId ? " is-active" : ""));
      row.type = "button";
      row.dataset.id = m.id;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", String(m.id === state.memberId));
      row.append(avatarFor(m.name, "avatar-sm"), el("span", "person-name", m.name),
        el("span", "role role-" + m.role, ROLE_LABEL[m.role] || m.role));
      box.appendChild(row);
    }
  }
  const active = box.querySelector(".is-active"); // keep the chosen person visible in a long list
  if (active) box.scrollTop = Math.max(0, active.offsetTop - box.offsetTop - box.clientHeight / 2);
}

// Draw the chat list: the team groups, then the 1:1 chat with the bot.
function renderChats() {
  const list = $("chats");
  list.replaceChildren();
  const chats = state.groups.map((g) => ({ id: g.id, name: g.name, sub: "群聊 · 需 " + MENTION }));
  chats.push({ id: dmId(), name: `与${BOT}单聊`, sub: "单聊 · 直接说就行", bot: true });
  for (const c of chats) {
    const li = el("li");
    const btn = el("button", "chat-item" + (c.id === state.chatId ? " is-active" : ""));
    btn.type = "button";
    btn.dataset.id = c.id;
    const av = c.bot ? el("span", "avatar avatar-bot", BOT.slice(0, 1)) : el("span", "avatar avatar-group", c.name.slice(0, 2));
    const text = el("span", "chat-item-text");
    text.append(el("span", "chat-item-name", c.name), el("span", "chat-item-sub", c.sub));
    btn.append(av, text);
    li.appendChild(btn);
    list.appendChild(li);
  }
  const active = list.querySelector(".is-active");
  if (active && list.scrollWidth > list.clientWidth) { // narrow screens: the list scrolls sideways
    list.scrollLeft += active.getBoundingClientRect().left - list.getBoundingClientRect().left - 8;
  }
}

// Choose who is typing; a 1:1 chat follows the person.
function selectMember(id) {
  state.memberId = id;
  renderPeople();
  updateAdminPanel();
  if (!isGroup(state.chatId)) openChat(dmId());
  else { renderChats(); savePrefs(); }
}

// Open a chat: reset the timeline and start polling it.
function openChat(chatId) {
  state.chatId = chatId;
  state.cursor = "";
  state.byId.clear();
  state.lastAt = null;
  state.loaded = false;
  state.pollGen += 1;
  const tl = $("timeline");
  tl.querySelectorAll(".msg, .time-sep, .typing").forEach((n) => n.remove());
  $("empty").hidden = false;
  const group = state.groups.find((g) => g.id === chatId);
  $("chat-title").textContent = group ? group.name : `与${BOT}单聊`;
  $("chat-sub").textContent = group ? `群聊 · 在群里要先 ${MENTION} 才会回复` : "单聊 · 直接发指令即可";
  $("composer-hint").textContent = group ? `提示：输入 @ 可选择 ${BOT}` : "";
  renderChats();
  savePrefs();
  pollTimeline(state.pollGen);
}

// ---------- centre: timeline ----------

// Build one message row (user bubble or bot card) from a timeline item.
function buildMessage(item) {
  const mine = item.from === "user" && item.member === (me() || {}).name;
  const row = el("div", "msg " + (item.from === "bot" ? "msg-bot" : mine ? "msg-mine" : "msg-other"));
  row.dataset.id = item.id;
  const name = item.from === "bot" ? BOT : item.member || "成员";
  const avatar = item.from === "bot" ? el("span", "avatar avatar-bot", BOT.slice(0, 1)) : avatarFor(name);
  const body = el("div", "msg-body");
  const meta = el("div", "msg-meta");
  meta.append(el("span", "msg-name", name));
  if (item.from === "bot") meta.append(el("span", "bot-tag", "机器人"));
  body.appendChild(meta);
  fillContent(body, item);
  row.append(avatar, body);
  return row;
}

// Put the item's content into a message body: server-rendered card HTML, or escaped text.
function fillContent(body, item) {
  body.querySelectorAll(".bubble, .card-wrap").forEach((n) => n.remove());
  if (item.html) {
    const wrap = el("div", "card-wrap");
    wrap.innerHTML = item.html; // already rendered and escaped by the server
    body.appendChild(wrap);
  } else {
    body.appendChild(el("div", "bubble", item.text));
  }
}

// Add a time separator when messages are far apart, like IM apps do.
function maybeTimeSep(at) {
  const t = new Date(at);
  if (isNaN(t)) return null;
  const gap = state.lastAt ? t - state.lastAt : Infinity;
  const day = (wall(at) || {}).d;
  const newDay = !state.lastAt || day !== state.lastDay;
  state.lastAt = t;
  state.lastDay = day;
  return gap > 5 * 60 * 1000 ? el("div", "time-sep", fmtTime(at, newDay)) : null;
}

// Apply a batch of timeline items: update cards in place or append new rows.
function applyItems(items) {
  const tl = $("timeline");
  const nearBottom = tl.scrollHeight - tl.scrollTop - tl.clientHeight < 80;
  let appendedMine = false, appended = false;
  for (const item of items) {
    const old = item.replaces && state.byId.get(item.replaces);
    if (old) {
      fillContent(old.querySelector(".msg-body"), item);
      old.dataset.id = item.id;
      state.byId.set(item.id, old);
      old.classList.remove("is-updated"); void old.offsetWidth; old.classList.add("is-updated");
      continue;
    }
    if (state.byId.has(item.id)) continue;
    const sep = maybeTimeSep(item.at);
    if (sep) tl.appendChild(sep);
    const row = buildMessage(item);
    if (state.loaded) row.classList.add("is-new"); // history appears at once, live messages slide in
    state.byId.set(item.id, row);
    tl.appendChild(row);
    appended = true;
    if (row.classList.contains("msg-mine")) appendedMine = true;
    if (item.from === "bot") hideTyping();
  }
  if (state.byId.size) $("empty").hidden = true;
  const typing = tl.querySelector(".typing");
  if (typing) tl.appendChild(typing); // keep the indicator last
  if (appendedMine || nearBottom) tl.scrollTop = tl.scrollHeight;
  else if (appended) $("new-msgs").hidden = false;
}

// Show "对方正在输入…" for the bot until its answer arrives (or a few seconds pass).
function showTyping() {
  hideTyping();
  const row = el("div", "msg msg-bot typing");
  const body = el("div", "msg-body");
  const bubble = el("div", "bubble bubble-typing");
  bubble.append(el("i"), el("i"), el("i"));
  body.appendChild(bubble);
  row.append(el("span", "avatar avatar-bot", BOT.slice(0, 1)), body);
  $("timeline").appendChild(row);
  $("timeline").scrollTop = $("timeline").scrollHeight;
  state.typingTimer = setTimeout(hideTyping, 8000);
}

// Remove the typing indicator.
function hideTyping() {
  clearTimeout(state.typingTimer);
  document.querySelectorAll(".typing").forEach((n) => n.remove());
}

// Poll the open chat's timeline about once a second; a newer generation stops older loops.
async function pollTimeline(gen) {
  if (gen !== state.pollGen || !state.chatId) return;
  try {
    const q = `?chat_id=${encodeURIComponent(state.chatId)}&after=${encodeURIComponent(state.cursor || "")}` +
      `&skin=${encodeURIComponent(state.skin)}`;
    const data = await api("/timeline" + q);
    if (gen !== state.pollGen) return;
    applyItems(data.items || []);
    state.loaded = true;
    if (data.cursor !== undefined && data.cursor !== null) state.cursor = data.cursor;
  } catch (err) {
    if (!err.network) toast(err.message);
  }
  clearTimeout(state.pollTimer);
  state.pollTimer = setTimeout(() => pollTimeline(gen), state.offline ? 3000 : 1000);
}

// Fetch new items right now (after a send or click) instead of waiting for the next tick.
function pollNow() {
  state.pollGen += 1;
  pollTimeline(state.pollGen);
}

// ---------- composer ----------

// Send text as the chosen person; reuse the client id when retrying the same text after a network error.
async function sendText(text, fromInput = false) {
  text = text.trim();
  if (!text || !state.memberId || !state.chatId) return;
  const p = state.pendingSend;
  const clientId = p && p.text === text && p.chatId === state.chatId && p.memberId === state.memberId ? p.clientId : newClientId();
  state.pendingSend = { text, chatId: state.chatId, memberId: state.memberId, clientId };
  $("send").disabled = true;
  try {
    await api("/message", { member_id: state.memberId, chat_id: state.chatId, skin: state.skin, text, client_id: clientId });
    state.pendingSend = null;
    if (fromInput) { $("input").value = ""; autosize(); }
    if (!isGroup(state.chatId) || text.includes(MENTION)) showTyping();
    else toast(`群里要先 ${MENTION}，${BOT}才会回复（和真实平台一样）`, "info");
    pollNow();
    if (/开群|\broom\b/.test(text)) setTimeout(refreshGroups, 1500); // the new deal room joins the chat list
  } catch (err) {
    if (!err.network) state.pendingSend = null; // the server answered: a retry is a new message
    toast(err.message);
  } finally {
    $("send").disabled = false;
  }
}

// Reload the chat list (a deal room made by 开群 appears in it).
async function refreshGroups() {
  try {
    const data = await api("/state");
    if ((data.groups || []).length !== state.groups.length) { state.groups = data.groups; renderChats(); }
  } catch (_) { /* the 15 s poll retries */ }
}

// Quick chips: in a 1:1 chat the @mention is unnecessary, so drop it.
function chipText(text) {
  return isGroup(state.chatId) ? text : text.replace(MENTION, "").trim();
}

// Insert text at the caret of the input box.
function insertAtCaret(text, replaceBefore = 0) {
  const input = $("input");
  const start = input.selectionStart - replaceBefore, end = input.selectionEnd;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  input.selectionStart = input.selectionEnd = start + text.length;
  input.focus();
  autosize();
}

// Show the @ autocomplete when the character before the caret is a fresh "@".
function updateMentionPop() {
  const input = $("input");
  const before = input.value.slice(0, input.selectionStart);
  const open = /(^|\s)@$/.test(before);
  $("mention-pop").hidden = !open;
}

// Replace the typed "@" with the full bot mention.
function acceptMention() {
  $("mention-pop").hidden = true;
  insertAtCaret(MENTION + " ", 1);
}

// Grow the textarea with its content, up to a few lines.
function autosize() {
  const input = $("input");
  input.style.height = "auto";
  if (input.value) input.style.height = Math.min(input.scrollHeight, 120) + "px"; // empty: one line, whatever the placeholder
}

// ---------- card clicks ----------

// Post a card button's action; the button is disabled briefly so a double click sends once.
async function clickButton(btn) {
  const msg = btn.closest(".msg");
  if (!msg || btn.disabled) return;
  const key = msg.dataset.id + "|" + btn.dataset.action;
  const clientId = state.clickIds.get(key) || newClientId();
  state.clickIds.set(key, clientId);
  btn.disabled = true;
  btn.classList.add("is-busy");
  try {
    const box = btn.closest("form") && btn.closest("form").querySelector("input"); // a form's submit sends its text
    await api("/click", { member_id: state.memberId, chat_id: state.chatId, skin: state.skin,
      value: btn.dataset.action, client_id: clientId, message_id: msg.dataset.id, text: box ? box.value : "" });
    state.clickIds.delete(key);
    pollNow();
  } catch (err) {
    if (!err.network) state.clickIds.delete(key); // keep the id only for a network retry
    toast(err.message);
  } finally {
    setTimeout(() => { btn.disabled = false; btn.classList.remove("is-busy"); }, 1200);
  }
}

// ---------- right column: clock, jobs, outbox ----------

// Show the simulated time.
function renderClock(iso) {
  const w = wall(iso);
  if (!w) return;
  state.now = iso;
  $("clock-time").textContent = w.hm;
  $("clock-date").textContent = `${w.y}年${w.mo}月${w.d}日 星期${w.week}`;
}

// Move the simulated clock forward.
async function advanceClock(minutes) {
  if (!Number.isInteger(minutes) || minutes <= 0) { toast("请输入大于 0 的整数分钟"); return; }
  try {
    const data = await api("/clock", { advance_minutes: minutes });
    renderClock(data.now);
    pollAdmin();
    const label = minutes % 1440 === 0 ? `${minutes / 1440} 天` : minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`;
    toast(`时间已快进 ${label}`, "info");
  } catch (err) { toast(err.message); }
}

// List the scheduled jobs, each with a run button and a result line.
function renderJobs() {
  const list = $("jobs");
  list.replaceChildren();
  if (!state.jobs.length) list.appendChild(el("li", "placeholder", "没有定时任务"));
  for (const name of state.jobs) {
    const li = el("li", "job");
    const head = el("div", "job-head");
    const label = el("div", "job-label");
    label.append(el("span", "job-name", JOB_LABEL[name] || name), el("code", "job-code", name));
    const btn = el("button", "btn-run", "运行");
    btn.type = "button";
    btn.dataset.job = name;
    head.append(label, btn);
    li.append(head, el("div", "job-result"));
    list.appendChild(li);
  }
}

// Run one job now and show what it did.
async function runJob(btn) {
  const result = btn.closest(".job").querySelector(".job-result");
  btn.disabled = true;
  btn.textContent = "运行中…";
  try {
    const data = await api("/jobs/" + encodeURIComponent(btn.dataset.job), {});
    result.className = "job-result " + (data.ran ? "is-ran" : "is-skipped");
    result.textContent = data.ran ? (data.summary || "已运行") : "这个时点已经跑过了";
    result.title = data.fire_key || "";
    pollNow();
    pollOutbox();
    pollAdmin();
  } catch (err) { toast(err.message); }
  btn.disabled = false;
  btn.textContent = "运行";
}

// Refetch the newest outbox rows and redraw, flashing rows whose status changed.
async function pollOutbox() {
  try {
    const data = await api("/outbox?after=0");
    const rows = (data.items || []).slice().sort((a, b) => b.id - a.id).slice(0, 50);
    renderOutbox(rows);
  } catch (err) { if (!err.network) toast(err.message); }
}

// Draw outbox rows newest first, with status colours and counts.
function renderOutbox(rows) {
  const list = $("outbox");
  list.replaceChildren();
  const counts = {};
  if (!rows.length) list.appendChild(el("li", "placeholder", "还没有待发消息"));
  for (const r of rows) {
    counts[r.status] = (counts[r.status] || 0) + 1;
    const prev = state.outbox.get(r.id);
    const li = el("li", "ob-row ob-" + r.status + (prev && prev !== r.status ? " is-changed" : ""));
    const top = el("div", "ob-top");
    top.append(el("span", "ob-status", STATUS_LABEL[r.status] || r.status), el("span", "ob-key", r.key));
    top.lastChild.title = r.key;
    const meta = el("div", "ob-meta");
    const when = r.sent_at || r.created_at;
    meta.append(el("span", "ob-platform", r.platform), el("span", "ob-target", "→ " + r.target),
      el("span", "ob-time", (r.attempts ? `第${r.attempts}次 · ` : "") + (when ? fmtTime(when) : "")));
    li.append(top, meta);
    if (r.last_error) li.appendChild(el("div", "ob-error", r.last_error));
    list.appendChild(li);
    state.outbox.set(r.id, r.status);
  }
  $("outbox-count").textContent = rows.length
    ? Object.entries(counts).map(([s, n]) => `${STATUS_LABEL[s] || s} ${n}`).join(" · ") : "";
}

// ---------- right column: the admin view (admins and managers only) ----------

const canSeeAdmin = () => ["admin", "manager"].includes((me() || {}).role);

// Format minutes as "N 分钟" or "X 小时 Y 分".
function fmtMinutes(m) {
  if (m === null || m === undefined) return "—";
  const total = Math.round(m);
  if (total < 60) return `${total} 分钟`;
  const h = Math.floor(total / 60), rest = total % 60;
  return rest ? `${h} 小时 ${rest} 分` : `${h} 小时`;
}

// Show the admin view when the chosen person is an admin or a manager, and load it at once.
function updateAdminPanel() {
  const show = canSeeAdmin();
  $("admin-panel").hidden = !show;
  if (show) pollAdmin();
}

// Refetch the admin numbers; nothing is asked while the panel is hidden.
async function pollAdmin() {
  if (!canSeeAdmin()) return;
  try { renderAdmin(await api("/admin")); } catch (err) { if (!err.network) toast(err.message); }
}

// Draw the lead numbers, open rejects, dead letters and the breaches per team (most first).
function renderAdmin(d) {
  const rate = d.auto_distribution_rate;
  $("st-rate").textContent = rate === null || rate === undefined ? "—" : `${Math.floor(rate * 1000 + 1e-6) / 10}%`;
  $("st-rate-sub").textContent = d.leads ? `${d.auto_assigned} / ${d.leads} 条自动分到人` : "还没有线索";
  $("st-median").textContent = fmtMinutes(d.median_first_response_minutes);
  $("st-rejects").textContent = `${d.intake_rejects_open} 条`;
  $("st-dead").textContent = `${d.outbox_dead} 条`;
  $("st-rejects-box").classList.toggle("is-warn", d.intake_rejects_open > 0);
  $("st-dead-box").classList.toggle("is-bad", d.outbox_dead > 0);
  const rows = Object.entries(d.breaches_per_team || {}).sort((a, b) => b[1] - a[1]);
  const list = $("admin-breaches");
  list.replaceChildren();
  if (!rows.length) list.appendChild(el("li", "placeholder", `近 ${d.days || 30} 天没有超时，保持住`));
  for (const [team, n] of rows) {
    const track = el("span", "breach-track");
    const bar = el("span", "breach-bar");
    bar.style.width = `${Math.max(4, (n / rows[0][1]) * 100)}%`;
    track.appendChild(bar);
    const li = el("li", "breach");
    li.append(el("span", "breach-team", team || "未分组"), track, el("span", "breach-n", `${n} 条`));
    list.appendChild(li);
  }
  $("admin-hint").textContent = `近 ${d.days || 30} 天 · 每 10 秒刷新`;
}

// ---------- start-up ----------

// Load members, groups, jobs and time; retry until the server answers.
async function loadState() {
  try {
    const data = await api("/state");
    state.members = data.members || [];
    state.groups = data.groups || [];
    state.jobs = data.jobs || [];
    state.timezone = data.timezone || "";
    renderClock(data.now);
    return true;
  } catch (err) {
    toast("加载体验台数据失败：" + err.message);
    $("people").replaceChildren(el("p", "placeholder", "加载失败，3 秒后重试…"));
    return false;
  }
}

// Wire up every event handler once (no inline handlers in the HTML).
function bindEvents() {
  $("skin-switch").addEventListener("click", (e) => { const b = e.target.closest(".skin-btn"); if (b) setSkin(b.dataset.skin); });
  $("people").addEventListener("click", (e) => { const b = e.target.closest(".person"); if (b) selectMember(Number(b.dataset.id)); });
  $("chats").addEventListener("click", (e) => { const b = e.target.closest(".chat-item"); if (b && b.dataset.id !== state.chatId) openChat(b.dataset.id); });
  $("timeline").addEventListener("click", (e) => { const b = e.target.closest(".card button[data-action]"); if (b) clickButton(b); });
  $("timeline").addEventListener("scroll", () => {
    const tl = $("timeline");
    if (tl.scrollHeight - tl.scrollTop - tl.clientHeight < 40) $("new-msgs").hidden = true;
  });
  $("new-msgs").addEventListener("click", () => { $("timeline").scrollTop = $("timeline").scrollHeight; $("new-msgs").hidden = true; });
  $("chips").addEventListener("click", (e) => { const c = e.target.closest(".chip"); if (c) sendText(chipText(c.dataset.text)); });
  $("send").addEventListener("click", () => sendText($("input").value, true));
  $("at-btn").addEventListener("click", () => insertAtCaret(MENTION + " "));
  $("mention-pop").addEventListener("mousedown", (e) => { e.preventDefault(); acceptMention(); });
  const input = $("input");
  input.addEventListener("input", () => { autosize(); updateMentionPop(); });
  input.addEventListener("blur", () => { $("mention-pop").hidden = true; });
  input.addEventListener("keydown", (e) => {
    if (e.isComposing || e.keyCode === 229) return; // IME is composing Chinese: Enter picks a word
    const popOpen = !$("mention-pop").hidden;
    if (popOpen && (e.key === "Enter" || e.key === "Tab")) { e.preventDefault(); acceptMention(); return; }
    if (popOpen && e.key === "Escape") { $("mention-pop").hidden = true; return; }
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendText(input.value, true); }
  });
  document.querySelectorAll(".clock-actions [data-minutes]").forEach((b) =>
    b.addEventListener("click", () => advanceClock(Number(b.dataset.minutes))));
  $("clock-form").addEventListener("submit", (e) => { e.preventDefault(); advanceClock(Number($("clock-minutes").value)); });
  $("jobs").addEventListener("click", (e) => { const b = e.target.closest(".btn-run"); if (b) runJob(b); });
}

// Start the page: restore choices, load state, open a chat and begin polling.
async function main() {
  bindEvents();
  const prefs = loadPrefs();
  const skins = [...document.querySelectorAll(".skin-btn")].map((b) => b.dataset.skin);
  setSkin(skins.includes(prefs.skin) ? prefs.skin : skins[0] || "wecom");
  while (!(await loadState())) await new Promise((r) => setTimeout(r, 3000));
  const saved = state.members.find((m) => m.id === prefs.memberId);
  state.memberId = (saved || state.members.find((m) => m.role === "rep") || state.members[0] || {}).id ?? null;
  renderPeople();
  updateAdminPanel();
  renderJobs();
  const known = state.groups.some((g) => g.id === prefs.chatId) || prefs.chatId === dmId();
  openChat(known ? prefs.chatId : (state.groups[0] || {}).id || dmId());
  pollOutbox();
  setInterval(pollOutbox, 2000);
  setInterval(pollAdmin, 10000);
  setInterval(async () => {
    try {
      const data = await api("/state");
      renderClock(data.now);
      if ((data.groups || []).length !== state.groups.length) { state.groups = data.groups; renderChats(); }
    } catch (_) { /* toast shown by poller */ }
  }, 15000);
}

main();
