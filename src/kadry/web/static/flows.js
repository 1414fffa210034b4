// kadry dashboard, mobility card (issue 8): outflow abroad by month and the largest flows between regions.
// Self-contained: add <script src="/static/flows.js"></script> after dashboard.js. It appends one card to
// <main>, reads the dashboard's controls (#occupation, #start, #end, #lang) and calls /api/v1/flows, whose
// numbers are already suppressed (hidden cells are null and shown as "—" / hatched).
"use strict";
(() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
  const T = {
    ru: { title: "Переезды: отток за рубеж по месяцам", pairs: "Крупнейшие потоки между регионами (последний месяц)",
      from: "откуда", to: "куда", moves: "переезды", other: "прочие / скрыто", none: "нет данных", hidden: "скрыто",
      note: "Переезд — смена региона между двумя наблюдениями резюме; датируется вторым наблюдением. Малые ячейки скрыты.",
      released: "Переезды публикуются для всех резюме и для ИТ; для выбранной профессии показаны все резюме.",
      noise: (n) => `Дифференциальная приватность: ε = ${n.epsilon} за выпуск (всего израсходовано ${n.epsilon_spent}); число в ячейке отличается от истинного не более чем на ±${Math.ceil(n.accuracy95)} в 95% ячеек, суммы — больше.` },
    en: { title: "Moves: outflow abroad by month", pairs: "Largest flows between regions (last month)",
      from: "from", to: "to", moves: "moves", other: "other / hidden", none: "no data", hidden: "hidden",
      note: "A move is a change of region between two sightings of a resume, dated at the later one. Small cells are hidden.",
      released: "Moves are released for all resumes and for IT; for the occupation chosen, all resumes are shown.",
      noise: (n) => `Differential privacy: ε = ${n.epsilon} per release (${n.epsilon_spent} spent in all); a cell is off by at most ±${Math.ceil(n.accuracy95)} in 95% of cells, sums by more.` },
  };
  let renders = 0;
  const $ = (id) => document.getElementById(id);
  const language = () => (typeof lang !== "undefined" && lang === "en" ? "en" : "ru"); // dashboard.js's global, if any
  const t = (key) => T[language()][key];
  const num = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString(language() === "ru" ? "ru-RU" : "en-US"));

  function node(tag, attrs = {}, text) {
    const e = ["svg", "rect", "line", "text", "g", "title", "pattern", "defs"].includes(tag) ? document.createElementNS(NS, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function card() {
    let c = $("flows-card");
    if (c) return c;
    c = node("section", { class: "card wide", id: "flows-card" });
    c.append(node("h2", { id: "flows-title" }), node("div", { id: "flows-chart", class: "chart" }),
      node("h3", { id: "flows-pairs-title" }), node("table", { id: "flows-pairs" }), node("p", { class: "note", id: "flows-note" }));
    (document.querySelector("main") || document.body).appendChild(c);
    return c;
  }

  function params(extra) {
    const q = new URLSearchParams(extra);
    const occ = $("occupation") ? $("occupation").value : "all";
    if (occ === "it") q.append("filter", "it=true"); // the released segments: all resumes and IT
    if ($("start") && $("start").value) q.set("from", $("start").value);
    if ($("end") && $("end").value) q.set("to", $("end").value);
    return q;
  }

  async function get(extra) {
    const r = await fetchRetrying("/api/v1/flows?" + params(extra));
    const body = await r.json();
    if (!r.ok) throw new Error((body.error && body.error.message) || r.statusText);
    return body;
  }

  // every month from the first asked (or seen) to the last, so months without moves show as gaps
  function months(seen) {
    const first = (($("start") && $("start").value) || seen[0]).slice(0, 7), last = (($("end") && $("end").value) || seen[seen.length - 1]).slice(0, 7);
    const out = [];
    let [y, m] = first.split("-").map(Number);
    const [ly, lm] = last.split("-").map(Number);
    while ((y < ly || (y === ly && m <= lm)) && out.length < 600) {
      out.push(`${y}-${String(m).padStart(2, "0")}-01`);
      m += 1; if (m > 12) { m = 1; y += 1; }
    }
    return out.length ? out : seen;
  }

  function nice(peak) {
    const p = Math.pow(10, Math.floor(Math.log10(peak)));
    return [1, 2, 2.5, 5, 10].map((s) => s * p).find((v) => v >= peak);
  }

  function drawOutflow(rows) {
    const box = $("flows-chart");
    box.replaceChildren();
    if (!rows.length) { box.append(node("p", {}, t("none"))); return; }
    const totals = new Map(), parts = new Map(), sums = new Map();
    for (const r of rows) {
      if (r.destination === "all") totals.set(r.period, r.n_moves);
      else {
        parts.set(r.period + "|" + r.destination, r.n_moves);
        sums.set(r.destination, (sums.get(r.destination) || 0) + (r.n_moves || 0));
      }
    }
    const periods = months(rows.map((r) => r.period).sort());
    const top = [...sums.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, COLORS.length).map(([d]) => d);
    const peak = nice(Math.max(1, ...[...totals.values()].filter((v) => v !== null)));
    const W = 900, H = 260, x0 = 50, y0 = 10, w = W - 200, h = H - 50, bw = w / periods.length;
    const s = node("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", id: "flows-svg" });
    const defs = node("defs");
    const pat = node("pattern", { id: "flows-hidden", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    pat.append(node("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#bbb", "stroke-width": 3 }));
    defs.append(pat);
    s.append(defs);
    for (let i = 0; i <= 4; i++) {
      const v = (peak * i) / 4, y = y0 + h - (h * i) / 4;
      s.append(node("line", { x1: x0, x2: x0 + w, y1: y, y2: y, stroke: "#eee" }));
      s.append(node("text", { x: x0 - 6, y: y + 4, "font-size": 11, "text-anchor": "end", fill: "#555" }, num(v)));
    }
    periods.forEach((p, i) => {
      const x = x0 + i * bw + bw * 0.1, bwid = bw * 0.8, total = totals.get(p);
      let y = y0 + h;
      const g = node("g", { class: "flows-bar", "data-period": p, "data-total": total === null || total === undefined ? "" : total });
      if (total === null) {
        g.append(node("rect", { x, y: y - 8, width: bwid, height: 8, fill: "url(#flows-hidden)" }, undefined));
        g.lastChild.append(node("title", {}, `${p}: ${t("hidden")}`));
      } else if (total !== undefined) {
        let shown = 0;
        top.forEach((d, k) => {
          const v = parts.get(p + "|" + d);
          if (!v) return;
          const hh = (h * v) / peak; y -= hh; shown += v;
          const r = node("rect", { x, y, width: bwid, height: hh, fill: COLORS[k] });
          r.append(node("title", {}, `${p} ${d}: ${num(v)}`));
          g.append(r);
        });
        if (total - shown > 0) {
          const hh = (h * (total - shown)) / peak; y -= hh;
          const r = node("rect", { x, y, width: bwid, height: hh, fill: "#999" });
          r.append(node("title", {}, `${p} ${t("other")}: ${num(total - shown)}`));
          g.append(r);
        }
      }
      if (periods.length <= 24 || i % 3 === 0) g.append(node("text", { x: x + bwid / 2, y: H - 22, "font-size": 11, "text-anchor": "middle", fill: "#555" }, p.slice(0, 7)));
      s.append(g);
    });
    [...top, t("other")].forEach((d, k) => {
      s.append(node("rect", { x: x0 + w + 20, y: y0 + 16 * k, width: 10, height: 10, fill: k < top.length ? COLORS[k] : "#999" }));
      s.append(node("text", { x: x0 + w + 36, y: y0 + 16 * k + 9, "font-size": 11 }, d));
    });
    box.append(s);
  }

  function drawPairs(rows) {
    const table = $("flows-pairs");
    table.replaceChildren();
    const last = rows.reduce((m, r) => (r.period > m ? r.period : m), "");
    const shown = rows.filter((r) => r.period === last && r.n_moves !== null).sort((a, b) => b.n_moves - a.n_moves).slice(0, 10);
    const head = node("tr");
    for (const k of ["from", "to", "moves"]) head.append(node("th", {}, t(k)));
    table.append(node("thead"), node("tbody"));
    table.tHead.append(head);
    if (!shown.length) { const tr = node("tr"); tr.append(node("td", { colspan: 3 }, t("none"))); table.tBodies[0].append(tr); }
    for (const r of shown) {
      const tr = node("tr");
      tr.append(node("td", {}, r.origin), node("td", {}, r.destination), node("td", {}, num(r.n_moves)));
      table.tBodies[0].append(tr);
    }
  }

  async function render() {
    card();
    $("flows-title").textContent = t("title");
    $("flows-pairs-title").textContent = t("pairs");
    const occ = $("occupation") ? $("occupation").value : "all";
    $("flows-note").textContent = t("note") + (occ !== "all" && occ !== "it" ? " " + t("released") : "");
    const [abroad, od] = await Promise.all([get({ view: "abroad", period: "month" }), get({ view: "od", level: "region", period: "month" })]);
    const noise = abroad.meta && abroad.meta.noise;
    if (noise) { $("flows-note").textContent += " " + T[language()].noise(noise); document.body.dataset.flowsEpsilon = String(noise.epsilon); }
    drawOutflow(abroad.rows);
    drawPairs(od.rows);
    if (abroad.rows.concat(od.rows).some((r) => r.simulated) && $("simulated")) $("simulated").hidden = false;
    document.body.dataset.flowsRenders = String(++renders);
  }

  function safe() {
    render().catch((e) => { document.body.dataset.flowsError = e.message; console.error(e); });
  }

  function start() {
    for (const id of ["occupation", "start", "end"]) if ($(id)) $(id).addEventListener("change", safe);
    if ($("lang")) $("lang").addEventListener("click", () => setTimeout(safe, 0));
    safe();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
