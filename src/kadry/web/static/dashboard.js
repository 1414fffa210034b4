// kadry dashboard: plain SVG, no library, no network beyond this server's /api/v1.
"use strict";
const T = {
  ru: { title: "Рынок труда: индекс дефицита", simulated: "Данные частично смоделированы (simulated)", occupation: "Профессия",
    level: "Уровень регионов", lvl_region: "субъекты РФ", lvl_district: "федеральные округа", lvl_all: "вся страна",
    region: "Регион", period: "Период", month: "месяц", quarter: "квартал", week: "неделя", from: "С", to: "По",
    trend: "Индекс дефицита (резюме на вакансию)", ranking: "Регионы", salary: "Зарплата: предлагают и ожидают (₽/мес, медиана)",
    skills: "Навыки: спрос и предложение", table: "Таблица", csv: "Скачать CSV",
    note: "Пустые ячейки скрыты: они опираются на слишком мало записей (защита персональных данных).",
    offered: "предлагают", expected: "ожидают", demand: "доля вакансий", supply: "доля резюме", hidden: "скрыто",
    col_period: "Период", col_v: "Вакансии", col_r: "Резюме", col_i: "Индекс", col_b: "Зона", nodata: "нет данных",
    lang: "English" },
  en: { title: "Labour market: deficiency index", simulated: "Partly simulated data", occupation: "Occupation",
    level: "Region level", lvl_region: "federal subjects", lvl_district: "federal districts", lvl_all: "country",
    region: "Region", period: "Period", month: "month", quarter: "quarter", week: "week", from: "From", to: "To",
    trend: "Deficiency index (resumes per vacancy)", ranking: "Regions", salary: "Salary: offered vs expected (RUB/month, median)",
    skills: "Skills: demand and supply", table: "Table", csv: "Download CSV",
    note: "Blank cells are suppressed: they rest on too few records (privacy protection).",
    offered: "offered", expected: "expected", demand: "share of vacancies", supply: "share of resumes", hidden: "hidden",
    col_period: "Period", col_v: "Vacancies", col_r: "Resumes", col_i: "Index", col_b: "Band", nodata: "no data",
    lang: "Русский" },
};
// HeadHunter's bands come from the server (/api/v1/rules, defined once in kadry.rules.bands)
let BANDS = [];
let lang = "ru", dims = null, shapes = null, renders = 0;
const $ = (id) => document.getElementById(id);
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg(w, h) { return el("svg", { viewBox: `0 0 ${w} ${h}`, role: "img" }); }
function fmt(v, d = 2) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(lang === "ru" ? "ru-RU" : "en-US", { maximumFractionDigits: d }); }
function name(item) { if (!item) return ""; return (lang === "en" && item.name_en) || item.name_ru || item.name_en || item.id; }
function byId(list, id) { return list.find((x) => x.id === id); }

async function api(params) {
  const q = new URLSearchParams(params);
  const r = await fetch("/api/v1/indicators?" + q);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
  return body;
}

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = T[lang][n.dataset.i18n]; });
  $("lang").textContent = T[lang].lang;
  $("bands").innerHTML = "";
  BANDS.forEach((b) => {
    const s = document.createElement("span");
    s.innerHTML = `<i style="background:${b.colour}"></i>${b["span_" + lang]}: ${b[lang]}`;
    $("bands").appendChild(s);
  });
}

function fillSelects() {
  const occ = $("occupation"), keep = occ.value || "it";
  occ.innerHTML = "";
  for (const o of dims.occupations) {
    if (o.id.startsWith("role:") && !o.name_ru) continue;
    const opt = new Option((o.kind === "role" ? "  · " : "") + name(o), o.id);
    occ.appendChild(opt);
  }
  occ.value = byId(dims.occupations, keep) ? keep : "all";
  fillRegions();
}

function fillRegions() {
  const level = $("level").value, reg = $("region"), keep = reg.value;
  reg.innerHTML = "";
  const wanted = dims.regions.filter((r) => r.id === "all" || (level === "district" && r.kind === "district") || (level === "region" && r.kind === "subject"));
  for (const r of wanted) reg.appendChild(new Option(name(r), r.id));
  reg.value = byId(wanted, keep) ? keep : "all";
}

function periodParams() {
  return { period: $("period").value, start: $("start").value || dims.periods.first.slice(0, 7), end: $("end").value || dims.periods.last.slice(0, 7) };
}

async function render() {
  const occupation = $("occupation").value, region = $("region").value, level = $("level").value;
  const base = { occupation, ...periodParams() };
  const [trend, salary] = await Promise.all([
    api({ ...base, region, indicator: "index" }), api({ ...base, region, indicator: "salary" }),
  ]);
  const periods = trend.rows.map((r) => r.period);
  const last = [...trend.rows].reverse().find((r) => r.index !== null) || trend.rows[trend.rows.length - 1];
  const lastPeriod = last ? { start: last.period, end: last.period_end } : {};
  const groupBy = level === "region" ? "region" : "district";
  const [ranking, skills] = await Promise.all([
    last ? api({ ...base, ...lastPeriod, region: "all", group_by: groupBy, indicator: "index" }) : { rows: [] },
    last ? api({ ...base, ...lastPeriod, region, indicator: "skills" }) : { rows: [] },
  ]);
  $("simulated").hidden = !(trend.simulated || salary.simulated || ranking.simulated);
  drawTrend(trend.rows);
  drawRanking(ranking.rows, groupBy);
  drawSalary(salary.rows);
  drawSkills(skills.rows);
  drawTable(trend.rows);
  $("csv").href = "/api/v1/indicators?" + new URLSearchParams({ ...base, region, indicator: "index", format: "csv" });
  document.body.dataset.renders = String(++renders);
  document.body.dataset.periods = periods.join(",");
}

function axes(s, x0, y0, w, h, ymax, ticks) {
  for (const t of ticks) {
    const y = y0 + h - (t / ymax) * h;
    s.appendChild(el("line", { x1: x0, x2: x0 + w, y1: y, y2: y, stroke: "#ddd" }));
    s.appendChild(el("text", { x: x0 - 6, y: y + 4, "font-size": 11, "text-anchor": "end", fill: "#555" }, fmt(t, 1)));
  }
}

function drawTrend(rows) {
  const W = 900, H = 280, x0 = 50, y0 = 10, w = W - 70, h = H - 50;
  const s = svg(W, H);
  s.id = "trend-svg";
  const vals = rows.map((r) => r.index).filter((v) => v !== null);
  const ymax = Math.max(4, ...vals.map((v) => v * 1.15));
  for (const { lower: lo, upper, colour: c } of BANDS) {
    const hi = upper === null ? Infinity : upper;
    if (lo >= ymax) continue;
    const top = Math.min(hi, ymax);
    s.appendChild(el("rect", { x: x0, width: w, y: y0 + h - (top / ymax) * h, height: ((top - lo) / ymax) * h, fill: c, "fill-opacity": 0.18 }));
  }
  axes(s, x0, y0, w, h, ymax, [0, 2, 4, 6, 8, 12, 16, 20, 30, 40].filter((t) => t <= ymax));
  const n = rows.length, step = n > 1 ? w / (n - 1) : 0;
  let path = "";
  rows.forEach((r, i) => {
    const x = x0 + (n > 1 ? i * step : w / 2);
    if (i % Math.ceil(n / 12) === 0) s.appendChild(el("text", { x, y: H - 22, "font-size": 11, "text-anchor": "middle", fill: "#555" }, r.period.slice(0, 7)));
    if (r.index === null) { path += " "; return; }
    const y = y0 + h - (r.index / ymax) * h;
    path += (path.trim() === "" || path.endsWith(" ") ? ` M${x},${y}` : ` L${x},${y}`);
    const dot = el("circle", { cx: x, cy: y, r: 4, fill: "#1f3b57", "data-period": r.period, "data-value": r.index });
    dot.appendChild(el("title", {}, `${r.period}: ${fmt(r.index)} (${bandLabel(r.band)})`));
    s.appendChild(dot);
  });
  s.insertBefore(el("path", { d: path.trim(), fill: "none", stroke: "#1f3b57", "stroke-width": 2 }), s.querySelector("circle"));
  if (!vals.length) s.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#888" }, T[lang].nodata));
  $("trend").replaceChildren(s);
}

function bandOf(v) { return BANDS.find((b) => v >= b.lower && (b.upper === null || v < b.upper)); }
function bandColor(v) { const b = v === null ? null : bandOf(v); return b ? b.colour : "#ccc"; }
function bandLabel(key) { const b = BANDS.find((x) => x.key === key); return b ? b[lang] : ""; }

function drawRanking(rows, groupBy) {
  const named = (id) => name(byId(dims.regions, id)) || id;
  if (groupBy === "region" && shapes) {
    const m = el("svg", { viewBox: shapes.viewBox, class: "map", role: "img" });
    const vals = Object.fromEntries(rows.map((r) => [r.region, r.index]));
    for (const [code, shape] of Object.entries(shapes.regions)) {
      const v = code in vals ? vals[code] : null;
      const p = el("path", { d: shape.d, transform: shape.transform || "", fill: bandColor(v), "data-region": code });
      p.appendChild(el("title", {}, `${named(code) || shape.name_ru}: ${v === null ? T[lang].hidden : fmt(v)}`));
      m.appendChild(p);
    }
    $("map").replaceChildren(m);
  } else $("map").replaceChildren();
  const shown = rows.filter((r) => r.index !== null).sort((a, b) => a.index - b.index);
  const W = 460, bh = 18, H = Math.max(40, shown.length * bh + 10), x0 = 170;
  const s = svg(W, H);
  s.id = "ranking-svg";
  const max = Math.max(1, ...shown.map((r) => r.index));
  shown.forEach((r, i) => {
    const y = 5 + i * bh;
    s.appendChild(el("text", { x: x0 - 6, y: y + 13, "font-size": 11, "text-anchor": "end" }, named(r.region)));
    s.appendChild(el("rect", { x: x0, y: y + 2, height: bh - 4, width: ((W - x0 - 50) * r.index) / max, fill: bandColor(r.index), "data-region": r.region, "data-value": r.index }));
    s.appendChild(el("text", { x: x0 + ((W - x0 - 50) * r.index) / max + 4, y: y + 13, "font-size": 11 }, fmt(r.index)));
  });
  $("ranking").replaceChildren(s);
}

function drawSalary(rows) {
  const W = 460, H = 220, x0 = 60, y0 = 10, w = W - 80, h = H - 45;
  const s = svg(W, H);
  const vals = rows.flatMap((r) => [r.offered_median, r.expected_median]).filter((v) => v !== null);
  const ymax = Math.max(1, ...vals) * 1.15;
  axes(s, x0, y0, w, h, ymax, [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((ymax * f) / 1000) * 1000));
  const n = rows.length, bw = w / Math.max(1, n);
  rows.forEach((r, i) => {
    [["offered_median", "#4575b4", 0], ["expected_median", "#f46d43", 1]].forEach(([k, c, j]) => {
      if (r[k] === null) return;
      const bar = el("rect", { x: x0 + i * bw + 2 + j * (bw / 2 - 2), width: bw / 2 - 3, y: y0 + h - (r[k] / ymax) * h, height: (r[k] / ymax) * h, fill: c });
      bar.appendChild(el("title", {}, `${r.period} ${T[lang][k.split("_")[0]]}: ${fmt(r[k], 0)}`));
      s.appendChild(bar);
    });
    if (i % Math.ceil(n / 6) === 0) s.appendChild(el("text", { x: x0 + i * bw + bw / 2, y: H - 18, "font-size": 10, "text-anchor": "middle" }, r.period.slice(0, 7)));
  });
  s.appendChild(el("text", { x: x0, y: H - 3, "font-size": 11, fill: "#4575b4" }, "■ " + T[lang].offered));
  s.appendChild(el("text", { x: x0 + 120, y: H - 3, "font-size": 11, fill: "#f46d43" }, "■ " + T[lang].expected));
  $("salary").replaceChildren(s);
}

function drawSkills(rows) {
  const top = rows.filter((r) => r.demand_share !== null).sort((a, b) => b.demand_share - a.demand_share).slice(0, 10);
  const W = 460, bh = 22, H = Math.max(40, top.length * bh + 24), x0 = 140, w = W - x0 - 20;
  const s = svg(W, H);
  const max = Math.max(0.01, ...top.flatMap((r) => [r.demand_share || 0, r.supply_share || 0]));
  top.forEach((r, i) => {
    const y = 4 + i * bh;
    s.appendChild(el("text", { x: x0 - 6, y: y + 14, "font-size": 11, "text-anchor": "end" }, r.skill));
    s.appendChild(el("rect", { x: x0, y: y + 2, height: 8, width: (w * r.demand_share) / max, fill: "#4575b4", "data-skill": r.skill }));
    s.appendChild(el("rect", { x: x0, y: y + 11, height: 8, width: (w * (r.supply_share || 0)) / max, fill: "#f46d43" }));
  });
  s.appendChild(el("text", { x: x0, y: H - 4, "font-size": 11, fill: "#4575b4" }, "■ " + T[lang].demand));
  s.appendChild(el("text", { x: x0 + 140, y: H - 4, "font-size": 11, fill: "#f46d43" }, "■ " + T[lang].supply));
  $("skills").replaceChildren(s);
}

function drawTable(rows) {
  const head = ["col_period", "col_v", "col_r", "col_i", "col_b"].map((k) => `<th>${T[lang][k]}</th>`).join("");
  $("numbers").tHead.innerHTML = `<tr>${head}</tr>`;
  $("numbers").tBodies[0].innerHTML = rows.map((r) => {
    const cls = r.suppressed ? ' class="hidden"' : "";
    const band = r.band ? bandLabel(r.band) : (r.suppressed ? T[lang].hidden : "");
    return `<tr data-period="${r.period}"${cls}><td>${r.period}</td><td>${fmt(r.n_vacancies, 0)}</td><td>${fmt(r.n_resumes, 0)}</td>` +
      `<td data-value="${r.index === null ? "" : r.index}">${fmt(r.index)}</td><td>${band}</td></tr>`;
  }).join("");
}

function safeRender() {
  render().catch((e) => { document.body.dataset.error = e.message; console.error(e); });
}

async function main() {
  const [d, m, rules] = await Promise.all([
    fetch("/api/v1/dimensions").then((r) => r.json()),
    fetch("/static/vendor/russia-regions.json").then((r) => (r.ok ? r.json() : null)).catch(() => null),
    fetch("/api/v1/rules").then((r) => r.json()),
  ]);
  dims = d; shapes = m; BANDS = rules.bands;
  translate();
  $("start").value = dims.periods.first.slice(0, 7);
  $("end").value = dims.periods.last.slice(0, 7);
  fillSelects();
  $("level").addEventListener("change", () => { fillRegions(); safeRender(); });
  for (const id of ["occupation", "region", "period", "start", "end"]) $(id).addEventListener("change", safeRender);
  $("lang").addEventListener("click", () => { lang = lang === "ru" ? "en" : "ru"; translate(); fillSelects(); safeRender(); });
  safeRender();
}
main();
