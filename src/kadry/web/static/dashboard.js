// kadry dashboard: plain SVG, no library, no network beyond this server's /api/v1.
// Words come from /api/v1/labels (kadry.vocabulary: the same words as the CLI and the report);
// the default range from /api/v1/span (the latest months with both vacancies and resumes).
"use strict";
const W = { ru: null, en: null };
// HeadHunter's bands come from the server (/api/v1/rules, defined once in kadry.rules.bands): [lower, upper, colour]
let BANDS = [];
let BAND_KEYS = [];
let lang = "ru", dims = null, shapes = null, span = null, health = null, coverage = null, renders = 0;
const $ = (id) => document.getElementById(id);
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function html(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
// a chart's drawing width follows its box (legible text on a phone, no overflow anywhere)
function boxWidth(id, max = 900) { const w = $(id).clientWidth || max; return Math.max(320, Math.min(max, Math.round(w))); }
function svg(w, h) { return el("svg", { viewBox: `0 0 ${w} ${h}`, role: "img" }); }
function fmt(v, d = 2) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(lang === "ru" ? "ru-RU" : "en-US", { maximumFractionDigits: d }); }
function pct(v) { return v === null || v === undefined ? "—" : fmt(v * 100, 1) + "\u00a0%"; }
function name(item) { if (!item) return ""; return (lang === "en" && item.name_en) || item.name_ru || item.name_en || item.id; }
function byId(list, id) { return list.find((x) => x.id === id); }
function word(key, vals) {
  const w = W[lang] || { words: {}, reasons: {} };
  let text = w.words[key] ?? w.reasons[key] ?? key;
  for (const [k, v] of Object.entries(vals || {})) text = text.replaceAll(`{${k}}`, v);
  return text;
}
function bandWord(code, short) { const w = W[lang]; return code ? ((short ? w.short : w.bands)[code] || code) : ""; }
function isUnknown(id) { return id === "unknown" || String(id).endsWith(":unknown"); }

// the server limits concurrent computations, and answers 503 while a release is being made:
// a 503 with Retry-After says when to come back (every view fetches through this)
async function fetchRetrying(url) {
  let r = await fetch(url);
  for (let tries = 0; r.status === 503 && r.headers.get("Retry-After") && tries < 720; tries++) {
    await new Promise((ok) => setTimeout(ok, 1000 * Math.min(5, Number(r.headers.get("Retry-After")) || 1)));
    r = await fetch(url);
  }
  return r;
}

async function get(path, params) {
  const url = path + (params ? "?" + new URLSearchParams(params) : "");
  const r = await fetchRetrying(url);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
  return body;
}
const api = (params) => get("/api/v1/indicators", params);

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = word(n.dataset.i18n); });
  $("lang").textContent = word("lang_switch");
  $("bands").replaceChildren();
  BANDS.forEach(([lo, hi, c], i) => {
    const s = html("span");
    const sw = html("i"); sw.style.background = c;
    s.append(sw, `${hi === Infinity ? "≥ " + lo : lo + "–" + (hi - 0.1)}: ${bandWord(BAND_KEYS[i])}`);
    $("bands").appendChild(s);
  });
}

function fillSelects() {
  const occ = $("occupation"), keep = occ.value || "it";
  occ.replaceChildren();
  for (const o of dims.occupations) {
    if (o.id.startsWith("role:") && !o.name_ru) continue;
    occ.appendChild(new Option((o.kind === "role" ? "  · " : "") + name(o), o.id));
  }
  occ.value = byId(dims.occupations, keep) ? keep : "all";
  fillRegions();
  fillCompare();
}

function fillRegions() {
  const level = $("level").value, reg = $("region"), keep = reg.value;
  reg.replaceChildren();
  const wanted = dims.regions.filter((r) => !isUnknown(r.id) && (r.id === "all" || (level === "district" && r.kind === "district") || (level === "region" && r.kind === "subject")));
  for (const r of wanted) reg.appendChild(new Option(name(r), r.id));
  reg.value = byId(wanted, keep) ? keep : "all";
}

function fillCompare() {
  const sel = $("compare"), keep = sel.value;
  sel.replaceChildren(new Option(word("compare_none"), ""));
  const sources = [...new Set((coverage ? coverage.rows : []).filter((r) => !r.suppressed && r.source !== "all").map((r) => r.source))];
  for (let i = 0; i < sources.length; i++) for (let j = i + 1; j < sources.length; j++)
    sel.appendChild(new Option(`${word("source")}: ${sources[i]} / ${sources[j]}`, `source=${sources[i]}&source2=${sources[j]}`));
  for (const r of dims.regions.filter((r) => r.kind === "subject" && !isUnknown(r.id)))
    sel.appendChild(new Option(`${word("region")}: ${name(r)}`, `region2=${r.id}`));
  for (const o of dims.occupations.filter((o) => o.kind === "category" || o.id === "it" || o.id === "all"))
    sel.appendChild(new Option(`${word("occupation")}: ${name(o)}`, `occupation2=${o.id}`));
  sel.value = [...sel.options].some((o) => o.value === keep) ? keep : "";
}

function periodParams() {
  const first = (span && span.start) || dims.periods.first, last = (span && span.end) || dims.periods.last;
  return { period: $("period").value, start: $("start").value || first.slice(0, 7), end: $("end").value || last.slice(0, 7) };
}

// every period of the range, so months without data are gaps (never zeros, never squeezed out)
function calendar(period, start, end) {
  if (period === "week") return null;
  const step = period === "quarter" ? 3 : 1;
  let [y, m] = start.split("-").map(Number);
  if (period === "quarter") m = Math.floor((m - 1) / 3) * 3 + 1;
  const [ey, em] = end.split("-").map(Number), out = [];
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}-${String(m).padStart(2, "0")}-01`);
    m += step; if (m > 12) { m -= 12; y += 1; }
  }
  return out;
}

function reason(r) {
  if (!r || r.missing) return "no_data";
  if (r.index !== null && r.index !== undefined) return null;
  if (health && health.resumes === 0) return "no_resumes";
  if (health && health.vacancies === 0) return "no_vacancies";
  if (r.suppressed) return "hidden";
  if (r.n_resumes === 0) return "no_resumes";
  if (r.n_vacancies === 0) return "no_vacancies";
  return "no_data";
}
const reasonText = (code) => word(code, { k: dims ? dims.k : "k" });

function withGaps(rows, p) {
  const cal = calendar(p.period, p.start, p.end);
  if (!cal) return rows;
  const have = Object.fromEntries(rows.map((r) => [r.period, r]));
  return cal.map((d) => have[d] || { period: d, missing: true, index: null, n_vacancies: null, n_resumes: null, band: null });
}

async function render() {
  const occupation = $("occupation").value, region = $("region").value, level = $("level").value;
  const p = periodParams(), base = { occupation, ...p };
  const [trend, salary, skills] = await Promise.all([
    api({ ...base, region, indicator: "index" }), api({ ...base, region, indicator: "salary" }),
    api({ ...base, region, indicator: "skills", period: "quarter", limit: 10000 }),  // released by quarter only
  ]);
  const rows = withGaps(trend.rows, p);
  const last = [...trend.rows].reverse().find((r) => r.index !== null) || trend.rows[trend.rows.length - 1];
  const lastPeriod = last ? { start: last.period, end: last.period_end } : {};
  const groupBy = level === "region" ? "region" : "district";
  const ranking = last ? await api({ ...base, ...lastPeriod, region: "all", group_by: groupBy, indicator: "index" }) : { rows: [] };
  $("simulated").hidden = !(trend.simulated || salary.simulated || ranking.simulated);
  drawTrend(rows);
  drawRanking(ranking.rows.filter((r) => !isUnknown(r.region)), groupBy, last);
  drawSalary(withGaps(salary.rows, p));
  drawSkills(skills.rows);
  drawTable(rows);
  drawCoverage();
  const q = (extra) => new URLSearchParams({ ...base, region, format: "csv", ...extra });
  $("csv-trend").href = "/api/v1/indicators?" + q({ indicator: "index" });
  $("csv-ranking").href = "/api/v1/indicators?" + new URLSearchParams({ ...base, ...lastPeriod, region: "all", group_by: groupBy, indicator: "index", format: "csv" });
  $("csv-salary").href = "/api/v1/indicators?" + q({ indicator: "salary" });
  $("csv-skills").href = "/api/v1/indicators?" + q({ indicator: "skills", period: "quarter", limit: 10000 });
  await renderSeries();
  document.body.dataset.renders = String(++renders);
  document.body.dataset.periods = rows.map((r) => r.period).join(",");
}

function axes(s, x0, y0, w, h, ymax, ticks, digits = 1) {
  for (const t of ticks) {
    const y = y0 + h - (t / ymax) * h;
    s.appendChild(el("line", { x1: x0, x2: x0 + w, y1: y, y2: y, stroke: "#ddd" }));
    s.appendChild(el("text", { x: x0 - 6, y: y + 4, "font-size": 11, "text-anchor": "end", fill: "#555" }, fmt(t, digits)));
  }
}

function niceTicks(max) {
  const raw = max / 4, p = Math.pow(10, Math.floor(Math.log10(raw))), step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= raw);
  const out = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(t);
  return out;
}

function xLabels(s, rows, x, y, every) {
  rows.forEach((r, i) => { if (i % every === 0) s.appendChild(el("text", { x: x(i), y, "font-size": 11, "text-anchor": "middle", fill: "#555" }, r.period.slice(0, 7))); });
}

function drawTrend(rows) {
  const W0 = boxWidth("trend"), H = 280, x0 = 50, y0 = 10, w = W0 - 70, h = H - 50;
  const s = svg(W0, H);
  s.id = "trend-svg";
  const vals = rows.map((r) => r.index).filter((v) => v !== null);
  const ymax = Math.max(4, ...vals.map((v) => v * 1.15));
  for (const [lo, hi, c] of BANDS) {
    if (lo >= ymax) continue;
    const top = Math.min(hi, ymax);
    s.appendChild(el("rect", { x: x0, width: w, y: y0 + h - (top / ymax) * h, height: ((top - lo) / ymax) * h, fill: c, "fill-opacity": 0.18 }));
  }
  axes(s, x0, y0, w, h, ymax, [0, 2, 4, 6, 8, 12, 16, 20, 30, 40].filter((t) => t <= ymax));
  const n = rows.length, x = (i) => x0 + (n > 1 ? (i * w) / (n - 1) : w / 2);
  xLabels(s, rows, x, H - 22, Math.ceil(n / Math.max(3, Math.floor(w / 70))));
  let path = "", gaps = 0;
  rows.forEach((r, i) => {
    if (r.index === null) {
      path += " ";
      gaps++;
      const why = reason(r);
      const g = el("rect", { x: x(i) - 5, y: y0 + h - 10, width: 10, height: 10, fill: "#bbb", class: "gap", "data-period": r.period, "data-reason": why });
      g.appendChild(el("title", {}, `${r.period.slice(0, 7)}: ${reasonText(why)}`));
      s.appendChild(g);
      return;
    }
    const y = y0 + h - (r.index / ymax) * h;
    path += (path.trim() === "" || path.endsWith(" ") ? ` M${x(i)},${y}` : ` L${x(i)},${y}`);
    const dot = el("circle", { cx: x(i), cy: y, r: 4, fill: "#1f3b57", "data-period": r.period, "data-value": r.index });
    dot.appendChild(el("title", {}, `${r.period.slice(0, 7)}: ${fmt(r.index)} (${bandWord(r.band)})`));
    s.appendChild(dot);
  });
  s.insertBefore(el("path", { d: path.trim(), fill: "none", stroke: "#1f3b57", "stroke-width": 2 }), s.querySelector("circle"));
  if (!vals.length) s.appendChild(el("text", { x: W0 / 2, y: H / 2, "text-anchor": "middle", fill: "#888" }, word("nodata")));
  $("trend").replaceChildren(s);
  const codes = [...new Set(rows.map(reason).filter(Boolean))];
  $("trend-note").textContent = gaps ? "▪ " + codes.map(reasonText).join("; ") : "";
}

function bandColor(v) { if (v === null) return "#ccc"; return BANDS.find(([lo, hi]) => v >= lo && v < hi)[2]; }

function knownShare(kind, key) {
  // the kind's total row when published, else the published sources weighted by their records
  const rows = (coverage ? coverage.rows : []).filter((r) => r.kind === kind && !r.suppressed && r.records && r[key] !== null && r[key] !== undefined);
  const total = rows.find((r) => r.source === "all");
  if (total) return total[key];
  const n = rows.reduce((a, r) => a + r.records, 0);
  return n ? rows.reduce((a, r) => a + r.records * r[key], 0) / n : null;
}

function drawRanking(rows, groupBy, last) {
  const named = (id) => name(byId(dims.regions, id)) || id;
  if (groupBy === "region" && shapes) {
    const m = el("svg", { viewBox: shapes.viewBox, class: "map", role: "img" });
    const vals = Object.fromEntries(rows.map((r) => [r.region, r.index]));
    for (const [code, shape] of Object.entries(shapes.regions)) {
      const v = code in vals ? vals[code] : null;
      const p = el("path", { d: shape.d, transform: shape.transform || "", fill: bandColor(v), "data-region": code });
      p.appendChild(el("title", {}, `${named(code) || shape.name_ru}: ${v === null ? reasonText("hidden") : fmt(v)}`));
      m.appendChild(p);
    }
    $("map").replaceChildren(m);
  } else $("map").replaceChildren();
  const shown = rows.filter((r) => r.index !== null).sort((a, b) => a.index - b.index);
  const W0 = 460, bh = 18, H = Math.max(40, shown.length * bh + 10), x0 = 170;
  const s = svg(W0, H);
  s.id = "ranking-svg";
  const max = Math.max(1, ...shown.map((r) => r.index));
  shown.forEach((r, i) => {
    const y = 5 + i * bh;
    s.appendChild(el("text", { x: x0 - 6, y: y + 13, "font-size": 11, "text-anchor": "end" }, named(r.region)));
    s.appendChild(el("rect", { x: x0, y: y + 2, height: bh - 4, width: ((W0 - x0 - 50) * r.index) / max, fill: bandColor(r.index), "data-region": r.region, "data-value": r.index }));
    s.appendChild(el("text", { x: x0 + ((W0 - x0 - 50) * r.index) / max + 4, y: y + 13, "font-size": 11 }, fmt(r.index)));
  });
  if (!shown.length) s.appendChild(el("text", { x: W0 / 2, y: 25, "text-anchor": "middle", fill: "#888" }, word("nodata")));
  $("ranking").replaceChildren(s);
  const v = knownShare("vacancy", "region_known_share"), r = knownShare("resume", "region_known_share");
  $("ranking-note").textContent = `${last ? last.period.slice(0, 7) + ". " : ""}${word("region_known")}: ${word("vacancy")} ${pct(v)}, ${word("resume")} ${pct(r)}. ${word("unknown_excluded")}`;
}

function drawSalary(rows) {
  const W0 = 460, H = 220, x0 = 60, y0 = 10, w = W0 - 80, h = H - 45;
  const s = svg(W0, H);
  const vals = rows.flatMap((r) => [r.offered_median, r.expected_median]).filter((v) => v !== null && v !== undefined);
  const ymax = Math.max(1, ...vals) * 1.15;
  axes(s, x0, y0, w, h, ymax, [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((ymax * f) / 1000) * 1000), 0);
  const n = rows.length, bw = w / Math.max(1, n);
  rows.forEach((r, i) => {
    [["offered_median", "#4575b4", 0, "offered"], ["expected_median", "#f46d43", 1, "expected"]].forEach(([k, c, j, label]) => {
      if (r[k] === null || r[k] === undefined) return;
      const bar = el("rect", { x: x0 + i * bw + 1 + j * (bw / 2), width: Math.max(1, bw / 2 - 2), y: y0 + h - (r[k] / ymax) * h, height: (r[k] / ymax) * h, fill: c });
      bar.appendChild(el("title", {}, `${r.period.slice(0, 7)} ${word(label)}: ${fmt(r[k], 0)}`));
      s.appendChild(bar);
    });
    if (i % Math.ceil(n / 6) === 0) s.appendChild(el("text", { x: x0 + i * bw + bw / 2, y: H - 18, "font-size": 10, "text-anchor": "middle" }, r.period.slice(0, 7)));
  });
  s.appendChild(el("text", { x: x0, y: H - 3, "font-size": 11, fill: "#4575b4" }, "■ " + word("offered")));
  s.appendChild(el("text", { x: x0 + 190, y: H - 3, "font-size": 11, fill: "#f46d43" }, "■ " + word("expected")));
  $("salary").replaceChildren(s);
}

// top skills demanded and supplied, with their ratio, in the latest period that has any published
function drawSkills(rows) {
  const shown = rows.filter((r) => r.demand_share !== null || r.supply_share !== null);
  const period = shown.length ? shown.map((r) => r.period).sort().at(-1) : null;
  const here = shown.filter((r) => r.period === period);
  const top = (key) => here.filter((r) => r[key] !== null).sort((a, b) => b[key] - a[key]).slice(0, 8);
  const pick = [...new Map([...top("demand_share"), ...top("supply_share")].map((r) => [r.skill, r])).values()]
    .sort((a, b) => (b.demand_share ?? -1) - (a.demand_share ?? -1));
  const box = $("skills");
  const notes = [];
  if (!pick.length) {
    box.replaceChildren(html("p", { class: "empty", id: "skills-empty" }, word("skills_none")));
  } else {
    const t = html("table", { id: "skills-table" });
    const head = html("tr");
    for (const k of ["skill", "demand_share", "supply_share", "ratio"]) head.appendChild(html("th", {}, word(k)));
    t.createTHead().appendChild(head);
    const body = t.createTBody();
    const max = Math.max(0.01, ...pick.flatMap((r) => [r.demand_share || 0, r.supply_share || 0]));
    for (const r of pick) {
      const tr = html("tr", { "data-skill": r.skill });
      tr.appendChild(html("td", {}, r.skill));
      for (const [k, c] of [["demand_share", "#4575b4"], ["supply_share", "#f46d43"]]) {
        const td = html("td", { "data-value": r[k] ?? "" });
        const bar = html("span", { class: "bar" }); bar.style.width = `${Math.round((60 * (r[k] || 0)) / max)}px`; bar.style.background = c;
        td.append(bar, " " + pct(r[k]));
        tr.appendChild(td);
      }
      tr.appendChild(html("td", { "data-value": r.demand_supply_ratio ?? "" }, fmt(r.demand_supply_ratio)));
      body.appendChild(tr);
    }
    box.replaceChildren(t);
    notes.push(period.slice(0, 7));
  }
  // a side with no skill at all: say whether its source carries none
  for (const [kind, key, side] of [["vacancy", "demand_share", "vacancy"], ["resume", "supply_share", "resume"]]) {
    if (here.some((r) => r[key] !== null)) continue;
    const share = knownShare(kind, "skills_known_share");
    notes.push(share !== null && share < 0.05 ? word("no_skills_source", { side: word(side) }) + ` (${word("skills_known")}: ${pct(share)})`
      : `${word(side)}: ${reasonText("hidden")}`);
  }
  $("skills-note").textContent = notes.join(". ");
  $("skills-note").dataset.sides = String(pick.length ? 2 - notes.length + 1 : 0);
}

function drawTable(rows) {
  const head = ["period", "n_vacancies", "n_resumes", "index_short", "band"].map((k) => `<th>${word(k)}</th>`).join("");
  $("numbers").tHead.innerHTML = `<tr>${head}</tr>`;
  const body = $("numbers").tBodies[0];
  body.replaceChildren();
  for (const r of rows) {
    const why = reason(r);
    const tr = html("tr", { "data-period": r.period });
    if (r.suppressed) tr.className = "hidden";
    if (why) tr.dataset.reason = why;
    tr.appendChild(html("td", {}, r.period.slice(0, 7)));
    tr.appendChild(html("td", {}, fmt(r.n_vacancies, 0)));
    tr.appendChild(html("td", {}, fmt(r.n_resumes, 0)));
    tr.appendChild(html("td", { "data-value": r.index === null ? "" : r.index }, fmt(r.index)));
    tr.appendChild(html("td", {}, why ? reasonText(why) : bandWord(r.band)));
    body.appendChild(tr);
  }
}

function drawCoverage() {
  const t = $("coverage"), keys = ["region_known_share", "role_known_share", "salary_known_share", "skills_known_share"];
  const head = ["kind", "source", "records", ...keys.map((k) => k.replace("_share", ""))].map((k) => `<th>${word(k)}</th>`).join("");
  t.tHead.innerHTML = `<tr>${head}</tr>`;
  t.tBodies[0].replaceChildren(...(coverage ? coverage.rows : []).map((r) => {
    const tr = html("tr", { "data-kind": r.kind, "data-source": r.source });
    tr.append(html("td", {}, word(r.kind)), html("td", {}, r.source === "all" ? word("total") : r.source + (r.simulated && r.source !== "sim" ? " (sim)" : "")), html("td", {}, fmt(r.records, 0)));
    for (const k of keys) tr.appendChild(html("td", { "data-col": k, "data-value": r[k] ?? "" }, pct(r[k])));
    return tr;
  }));
}

async function renderSeries() {
  const p = periodParams(), measure = $("measure").value, cmp = $("compare").value;
  // series are monthly or quarterly; flows (new records) are released by month only
  const period = p.period === "week" || measure.startsWith("new_") ? "month" : p.period;
  const params = new URLSearchParams({ measure, occupation: $("occupation").value, region: $("region").value, period, start: p.start, end: p.end });
  for (const [k, v] of new URLSearchParams(cmp)) params.set(k, v);
  const body = await get("/api/v1/series", Object.fromEntries(params));
  $("csv-series").href = "/api/v1/series?" + params + "&format=csv";
  drawSeries(body);
}

function segName(seg) {
  if (seg.source) return `${word("source")}: ${seg.source}`;
  const o = byId(dims.occupations, seg.occupation), r = byId(dims.regions, seg.region);
  return `${name(o) || seg.occupation} · ${name(r) || seg.region}`;
}

function drawSeries(body) {
  const W0 = boxWidth("series"), H = 300, x0 = 60, y0 = 24, w = W0 - 80, h = H - 64;
  const s = svg(W0, H);
  s.id = "series-svg";
  const all = body.series.flatMap((x) => x.rows.flatMap((r) => [r.value, r.adjusted, r.trend_high]).filter((v) => v !== null));
  const ymax = Math.max(1e-9, ...all) * 1.1 || 1;
  const rows0 = body.series.length ? body.series[0].rows : [];
  const n = rows0.length, x = (i) => x0 + (n > 1 ? (i * w) / (n - 1) : w / 2), y = (v) => y0 + h - (v / ymax) * h;
  const digits = body.measure === "index" ? 1 : 0;
  axes(s, x0, y0, w, h, ymax, niceTicks(ymax), digits);
  xLabels(s, rows0, x, H - 26, Math.ceil(n / Math.max(3, Math.floor(w / 70))));
  const colours = [["#1f3b57", "#6b8fb3"], ["#d95f02", "#f4a582"]];
  const line = (rows, key) => {
    let d = "";
    rows.forEach((r, i) => { const v = r[key]; if (v === null) { d += " "; return; } d += (d.trim() === "" || d.endsWith(" ") ? ` M${x(i)},${y(v)}` : ` L${x(i)},${y(v)}`); });
    return d.trim();
  };
  const legend = [];
  body.series.forEach((ser, k) => {
    const [dark, light] = colours[k % 2];
    const band = ser.rows.map((r, i) => [i, r]).filter(([, r]) => r.trend_low !== null);
    if (band.length > 1) {
      const up = band.map(([i, r]) => `${x(i)},${y(r.trend_high)}`).join(" "), lo = band.reverse().map(([i, r]) => `${x(i)},${y(r.trend_low)}`).join(" ");
      s.appendChild(el("polygon", { points: `${up} ${lo}`, fill: light, "fill-opacity": 0.25, class: "trend-ci" }));
    }
    s.appendChild(el("path", { d: line(ser.rows, "value"), fill: "none", stroke: light, "stroke-width": 1.5, class: "raw", "data-series": k }));
    if (ser.adjusted) s.appendChild(el("path", { d: line(ser.rows, "adjusted"), fill: "none", stroke: dark, "stroke-width": 2.5, class: "adjusted", "data-series": k }));
    s.appendChild(el("path", { d: line(ser.rows, "trend"), fill: "none", stroke: dark, "stroke-dasharray": "6 4", "stroke-width": 1.5, class: "trend", "data-series": k }));
    ser.rows.forEach((r, i) => {
      if (r.value === null) {
        const g = el("rect", { x: x(i) - 4, y: y0 + h - 8 - 9 * k, width: 8, height: 8, fill: light, class: "gap", "data-reason": r.reason || "no_data" });
        g.appendChild(el("title", {}, `${r.period.slice(0, 7)}: ${reasonText(r.reason === "no_index" ? "no_data" : r.reason || "no_data")}`));
        s.appendChild(g);
        return;
      }
      const c = el("circle", { cx: x(i), cy: y(r.value), r: 2.5, fill: light, "data-period": r.period, "data-value": r.value });
      c.appendChild(el("title", {}, `${segName(ser.segment)} ${r.period.slice(0, 7)}: ${fmt(r.value)}${r.adjusted !== null ? " / " + word("adjusted") + " " + fmt(r.adjusted) : ""}`));
      s.appendChild(c);
    });
    legend.push([segName(ser.segment), dark, light, ser]);
  });
  legend.forEach(([label, dark], k) => s.appendChild(el("text", { x: x0 + k * (w / 2), y: 14, "font-size": 12, fill: dark }, "■ " + label)));
  $("series").replaceChildren(s);
  const key = html("p", { class: "legend", id: "series-legend" });
  key.textContent = `— ${word("raw")}   ━ ${word("adjusted")}   ╌ ${word("trend")} (${word("trend_ci", { level: "95 %" })})`;
  $("series").appendChild(key);
  drawYoy(body, colours);
  const notes = body.series.map((ser) => {
    const why = ser.why ? word(ser.why.code, ser.why) : "";
    const adj = ser.adjusted ? word("method", { method: ser.method, span: ser.span }) : word("not_adjusted", { why });
    const t = ser.trend && ser.trend.fitted ? " " + word("slope", { slope: fmt(ser.trend.slope_per_year), low: fmt(ser.trend.slope_low), high: fmt(ser.trend.slope_high) }) : "";
    return `${segName(ser.segment)}: ${adj}${t}`;
  });
  $("series-note").textContent = notes.join(" · ");
  $("series-note").dataset.adjusted = body.series.map((x) => x.adjusted).join(",");
}

function drawYoy(body, colours) {
  const W0 = boxWidth("yoy"), H = 150, x0 = 60, y0 = 20, w = W0 - 80, h = H - 40;
  const s = svg(W0, H);
  s.id = "yoy-svg";
  const vals = body.series.flatMap((x) => x.rows.map((r) => r.yoy).filter((v) => v !== null));
  s.appendChild(el("text", { x: x0, y: 12, "font-size": 12, fill: "#333" }, word("yoy")));
  if (!vals.length) {
    s.appendChild(el("text", { x: W0 / 2, y: H / 2, "text-anchor": "middle", fill: "#888" }, `${word("yoy")}: ${word("nodata")}`));
    $("yoy").replaceChildren(s);
    return;
  }
  const m = Math.max(0.05, ...vals.map(Math.abs)), mid = y0 + h / 2;
  s.appendChild(el("line", { x1: x0, x2: x0 + w, y1: mid, y2: mid, stroke: "#999" }));
  const rows0 = body.series[0].rows, n = rows0.length, bw = w / Math.max(1, n), ns = body.series.length;
  body.series.forEach((ser, k) => ser.rows.forEach((r, i) => {
    if (r.yoy === null) return;
    const hh = (Math.abs(r.yoy) / m) * (h / 2);
    const b = el("rect", { x: x0 + i * bw + (k * bw) / ns, width: Math.max(1, bw / ns - 1), y: r.yoy >= 0 ? mid - hh : mid, height: hh, fill: colours[k % 2][0], class: "yoy", "data-value": r.yoy });
    b.appendChild(el("title", {}, `${r.period.slice(0, 7)}: ${pct(r.yoy)}`));
    s.appendChild(b);
  }));
  s.appendChild(el("text", { x: x0 - 6, y: y0 + 8, "font-size": 10, "text-anchor": "end" }, pct(m)));
  s.appendChild(el("text", { x: x0 - 6, y: y0 + h, "font-size": 10, "text-anchor": "end" }, pct(-m)));
  $("yoy").replaceChildren(s);
}

function notices() {
  const box = $("notices");
  box.replaceChildren();
  const say = (text, cls, code) => box.appendChild(html("p", { class: "notice " + (cls || ""), "data-code": code }, text));
  if (span && span.reason) say(word(span.reason), "warn", span.reason);
  else if (span && span.start) say(word("range_note", { start: span.start.slice(0, 7), end: span.end.slice(0, 7) }), "", "range");
  const undated = span ? Object.values(span.undated || {}).reduce((a, b) => a + b, 0) : 0;
  if (undated) say(word("undated", { n: fmt(undated, 0) }), "", "undated");
}

function safeRender() {
  render().catch((e) => { document.body.dataset.error = e.message; console.error(e); });
}

async function main() {
  const [ru, en, d, m, sp, he, cov, rules] = await Promise.all([
    get("/api/v1/labels", { lang: "ru" }), get("/api/v1/labels", { lang: "en" }), get("/api/v1/dimensions"),
    fetch("/static/vendor/russia-regions.json").then((r) => (r.ok ? r.json() : null)).catch(() => null),
    get("/api/v1/span"), get("/api/v1/health"), get("/api/v1/coverage"), get("/api/v1/rules"),
  ]);
  BANDS = rules.bands.map((b) => [b.lower, b.upper === null ? Infinity : b.upper, b.colour]);
  BAND_KEYS = rules.bands.map((b) => b.key);
  W.ru = ru; W.en = en; dims = d; shapes = m; span = sp; health = he; coverage = cov;
  translate();
  $("start").value = (span.start || dims.periods.first).slice(0, 7);
  $("end").value = (span.end || dims.periods.last).slice(0, 7);
  fillSelects();
  notices();
  $("level").addEventListener("change", () => { fillRegions(); safeRender(); });
  for (const id of ["occupation", "region", "period", "start", "end"]) $(id).addEventListener("change", safeRender);
  for (const id of ["measure", "compare"]) $(id).addEventListener("change", () => renderSeries().catch((e) => { document.body.dataset.error = e.message; }));
  $("lang").addEventListener("click", () => { lang = lang === "ru" ? "en" : "ru"; translate(); fillSelects(); notices(); safeRender(); });
  safeRender();
}
main().catch((e) => { document.body.dataset.error = e.message; console.error(e); });
