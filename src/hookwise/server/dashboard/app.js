// The hookwise aggregator's dashboard: the portfolio table and four SVG charts,
// kept current by the live feed. Plain JavaScript, no dependencies, nothing
// loaded from outside the aggregator. Every value from the server is put in
// the page as text (textContent), never as HTML.
"use strict";

const TOKEN_KEY = "hookwise.token"; // sessionStorage: this tab only, never the URL
const WINDOW_DAYS = 30; // the portfolio's window; the live feed's velocity uses the same
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30000;
const POLICY_VIOLATION = 1008; // the live feed refused the token
const PALETTE = ["#0969da", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#57606a", "#0a7c86", "#9a6700"];

const state = {
  repos: new Map(), // "team/repo" -> {team, repo, velocity, days: Map(day -> summary)}
  until: null,
  socket: null,
  retryMs: RETRY_FIRST_MS,
  retryTimer: null,
  fresh: false, // loaded just before this subscription: no need to load again
};

function $(id) {
  return document.getElementById(id);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function keyOf(team, repo) {
  return team + "/" + repo;
}

function setStatus(kind, text) {
  const status = $("status");
  status.className = "status " + kind;
  status.textContent = text || kind;
}

function askForToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  stopLive();
  $("forget").hidden = true;
  $("login-error").textContent = message || "";
  $("token").value = "";
  if (!$("login").open) {
    $("login").showModal();
  }
}

class Unauthorized extends Error {}

async function api(path) {
  const answer = await fetch(path, {
    headers: { Authorization: "Bearer " + token() },
    cache: "no-store",
  });
  if (answer.status === 401) {
    throw new Unauthorized("the aggregator refused this token");
  }
  if (!answer.ok) {
    throw new Error(path + ": " + answer.status);
  }
  return answer.json();
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function daysBefore(day, count) {
  const date = new Date(day + "T00:00:00Z");
  date.setUTCDate(date.getUTCDate() - count);
  return isoDay(date);
}

async function load() {
  const portfolio = await api("api/v1/portfolio?days=" + WINDOW_DAYS);
  state.until = portfolio.until;
  const since = daysBefore(portfolio.until, WINDOW_DAYS - 1);
  const repos = new Map();
  await Promise.all(
    portfolio.repos.map(async (velocity) => {
      const query = "?since=" + since + "&until=" + portfolio.until + "&team=" + encodeURIComponent(velocity.team);
      const series = await api("api/v1/repos/" + encodeURIComponent(velocity.repo) + "/days" + query);
      const days = new Map(series.days.map((summary) => [summary.day, summary]));
      repos.set(keyOf(velocity.team, velocity.repo), { team: velocity.team, repo: velocity.repo, velocity, days });
    }),
  );
  state.repos = repos;
  render(new Set());
}

// -- figures --------------------------------------------------------------

function totals(entry) {
  const sum = {
    merges: 0, conflicted: 0, eligible: 0, compliant: 0, attempts: 0, successes: 0,
    branches: 0, reported: 0,
  };
  const since = state.until ? daysBefore(state.until, WINDOW_DAYS - 1) : "";
  for (const summary of entry.days.values()) {
    if (summary.day < since || (state.until && summary.day > state.until)) continue;
    sum.merges += summary.merges;
    sum.conflicted += summary.conflicted_merges;
    sum.eligible += summary.cc_eligible;
    sum.compliant += summary.cc_compliant;
    sum.attempts += summary.fix_attempts;
    sum.successes += summary.fix_successes;
    // null: sent by a client older than the figure, so it is no day of zero branches.
    if (summary.active_branches !== null && summary.active_branches !== undefined) {
      sum.branches += summary.active_branches;
      sum.reported += 1;
    }
  }
  const rate = (part, whole) => (whole > 0 ? part / whole : null);
  return {
    conflicts: rate(sum.conflicted, sum.merges),
    compliance: rate(sum.compliant, sum.eligible),
    fixes: rate(sum.successes, sum.attempts),
    branches: sum.reported > 0 ? sum.branches / sum.reported : null,
  };
}

function percent(value) {
  return value === null ? "\u2014" : (100 * value).toFixed(0) + "%";
}

function sortedEntries() {
  return Array.from(state.repos.values()).sort(
    (a, b) => a.team.localeCompare(b.team) || a.repo.localeCompare(b.repo),
  );
}

// -- the table ------------------------------------------------------------

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderTable(entries, updated) {
  const body = $("portfolio").tBodies[0];
  body.replaceChildren();
  for (const entry of entries) {
    const row = document.createElement("tr");
    row.dataset.repo = entry.repo;
    row.dataset.team = entry.team;
    if (updated.has(keyOf(entry.team, entry.repo))) row.className = "updated";
    const name = cell(row, "");
    const team = document.createElement("span");
    team.className = "team";
    team.textContent = entry.team + " / ";
    name.append(team, entry.repo);
    const velocity = entry.velocity;
    cell(row, velocity ? velocity.commits_per_day.toFixed(2) : "0.00", "num commits-per-day");
    const trend = velocity ? velocity.trend : 0;
    const arrow = trend > 0 ? "\u2197 " : trend < 0 ? "\u2198 " : "\u2192 ";
    cell(row, arrow + trend.toFixed(2), "num trend " + (trend > 0 ? "up" : trend < 0 ? "down" : ""));
    cell(row, velocity ? String(velocity.active_authors) : "0", "num authors");
    const rates = totals(entry);
    cell(row, rates.branches === null ? "\u2014" : rates.branches.toFixed(1), "num branches");
    cell(row, percent(rates.conflicts), "num conflicts");
    cell(row, percent(rates.compliance), "num compliance");
    cell(row, percent(rates.fixes), "num fixes");
    cell(row, velocity ? velocity.last_day : "\u2014", "num last-day");
    body.appendChild(row);
  }
  $("empty").hidden = entries.length > 0;
}

// -- the charts (plain SVG) -----------------------------------------------

function svgElement(name, attributes, text) {
  // The SVG namespace, read from the page's own charts rather than spelt out.
  const element = document.createElementNS($("chart-velocity").namespaceURI, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function chartBox(svg) {
  const width = Math.max(svg.clientWidth || 0, 300);
  const height = Math.max(svg.clientHeight || 0, 120);
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.replaceChildren();
  return { width, height, left: 36, right: 10, top: 10, bottom: 22 };
}

function renderVelocity(entries) {
  const svg = $("chart-velocity");
  const box = chartBox(svg);
  const legend = $("legend");
  legend.replaceChildren();
  const series = entries.filter((entry) => entry.velocity);
  const peak = Math.max(1, ...series.flatMap((entry) => entry.velocity.days.map((d) => d.commits)));
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const x = (i, n) => box.left + (n > 1 ? (i * plotW) / (n - 1) : plotW / 2);
  const y = (v) => box.top + plotH - (v * plotH) / peak;
  svg.append(
    svgElement("line", { class: "axis", x1: box.left, y1: y(0), x2: box.width - box.right, y2: y(0) }),
    svgElement("text", { x: box.left - 4, y: y(peak) + 4, "text-anchor": "end" }, String(peak)),
    svgElement("text", { x: box.left - 4, y: y(0) + 4, "text-anchor": "end" }, "0"),
  );
  if (series.length > 0) {
    const days = series[0].velocity.days;
    svg.append(
      svgElement("text", { x: box.left, y: box.height - 4 }, days[0].day),
      svgElement("text", { x: box.width - box.right, y: box.height - 4, "text-anchor": "end" }, days[days.length - 1].day),
    );
  }
  series.forEach((entry, index) => {
    const colour = PALETTE[index % PALETTE.length];
    const points = entry.velocity.days.map((d, i, all) => x(i, all.length).toFixed(1) + "," + y(d.commits).toFixed(1));
    const line = svgElement("polyline", { class: "series", stroke: colour, points: points.join(" ") });
    line.dataset.repo = entry.repo;
    line.appendChild(svgElement("title", {}, keyOf(entry.team, entry.repo)));
    svg.appendChild(line);
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour;
    item.append(swatch, keyOf(entry.team, entry.repo));
    legend.appendChild(item);
  });
}

function renderBars(id, entries, pick) {
  const svg = $(id);
  const box = chartBox(svg);
  const labelW = Math.min(180, box.width * 0.35);
  const rows = entries.map((entry) => ({ entry, value: pick(totals(entry)) }));
  const rowH = Math.min(24, (box.height - 4) / Math.max(rows.length, 1));
  const barW = box.width - labelW - 50;
  rows.forEach(({ entry, value }, index) => {
    const top = 2 + index * rowH;
    const label = svgElement("text", { x: labelW - 6, y: top + rowH * 0.65, "text-anchor": "end" }, entry.repo);
    label.appendChild(svgElement("title", {}, keyOf(entry.team, entry.repo)));
    svg.appendChild(label);
    svg.appendChild(svgElement("rect", { x: labelW, y: top + 3, width: barW, height: rowH - 6, fill: "#eef1f5" }));
    if (value !== null) {
      const bar = svgElement("rect", {
        class: "bar",
        x: labelW,
        y: top + 3,
        width: Math.max(1, value * barW).toFixed(1),
        height: rowH - 6,
        fill: PALETTE[index % PALETTE.length],
      });
      bar.dataset.repo = entry.repo;
      bar.dataset.value = String(value);
      svg.appendChild(bar);
    }
    svg.appendChild(svgElement("text", { x: labelW + barW + 6, y: top + rowH * 0.65 }, percent(value)));
  });
}

function render(updated) {
  const entries = sortedEntries();
  renderTable(entries, updated);
  renderVelocity(entries);
  renderBars("chart-conflicts", entries, (rates) => rates.conflicts);
  renderBars("chart-compliance", entries, (rates) => rates.compliance);
  renderBars("chart-fixes", entries, (rates) => rates.fixes);
  $("window").textContent = state.until ? "to " + state.until + " (UTC)" : "";
}

// -- the live feed --------------------------------------------------------

function liveUrl() {
  const url = new URL("api/v1/live", document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

function stopLive() {
  clearTimeout(state.retryTimer);
  if (state.socket) {
    const socket = state.socket;
    state.socket = null;
    socket.close();
  }
  setStatus("disconnected");
}

function startLive() {
  clearTimeout(state.retryTimer);
  setStatus("connecting", "connecting\u2026");
  const socket = new WebSocket(liveUrl());
  state.socket = socket;
  socket.addEventListener("open", () => socket.send(JSON.stringify({ token: token() })));
  socket.addEventListener("message", (event) => {
    if (socket !== state.socket) return;
    const message = JSON.parse(event.data);
    if (message.type === "subscribed") {
      setStatus("live");
      $("scope").textContent = message.admin ? "all teams (admin)" : "team " + message.team;
      state.retryMs = RETRY_FIRST_MS;
      // Whatever was sent while this tab was not subscribed is in the database: reload it.
      if (!state.fresh) refresh();
      state.fresh = false;
    } else if (message.type === "summary") {
      applySummary(message);
    } else if (message.type === "resync") {
      refresh();
    }
  });
  socket.addEventListener("close", (event) => {
    if (socket !== state.socket) return; // closed on purpose
    state.socket = null;
    if (event.code === POLICY_VIOLATION) {
      askForToken("The live feed refused the token: " + (event.reason || "unknown or revoked"));
      return;
    }
    setStatus("disconnected");
    state.retryTimer = setTimeout(startLive, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, RETRY_MAX_MS);
  });
}

function applySummary(message) {
  const key = keyOf(message.team, message.repo);
  let entry = state.repos.get(key);
  if (!entry) {
    entry = { team: message.team, repo: message.repo, velocity: null, days: new Map() };
    state.repos.set(key, entry);
  }
  entry.days.set(message.summary.day, message.summary);
  if (message.velocity) {
    entry.velocity = message.velocity;
    const last = message.velocity.days[message.velocity.days.length - 1].day;
    if (!state.until || last > state.until) state.until = last; // a new day has begun
  }
  render(new Set([key]));
}

// Load the portfolio; true when it worked. A refused token asks for another;
// any other failure (the server is away) leaves the last figures on screen,
// and the live feed's reconnection loads again.
async function refresh() {
  try {
    await load();
    return true;
  } catch (error) {
    if (error instanceof Unauthorized) {
      askForToken("The aggregator refused this token; paste another.");
      return null;
    }
    $("window").textContent = "could not load the portfolio (" + String(error.message || error) + ")";
    return false;
  }
}

async function connect() {
  $("forget").hidden = false;
  const loaded = await refresh();
  if (loaded === null) return;
  state.fresh = loaded;
  startLive();
}

function start() {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    $("login").close();
    connect();
  });
  $("forget").addEventListener("click", () => askForToken(""));
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => render(new Set()), 150);
  });
  if (token()) {
    connect();
  } else {
    askForToken("");
  }
}

start();
