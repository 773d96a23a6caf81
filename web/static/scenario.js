// scenario.js: the utility-space chart of the scenario page. Any two
// parties as axes; every outcome (grey, green in the zone of possible
// agreement, red across a red line), the Pareto frontier, the solution
// points and the reservation values; hover shows the deal.
"use strict";

(function () {
  const el = document.getElementById("space-chart");
  if (!el) return;
  const hoverEl = document.getElementById("space-hover");
  const note = document.getElementById("space-note");
  const selX = document.getElementById("ax-x"), selY = document.getElementById("ax-y");
  let data = null;

  function draw() {
    if (!data) return;
    const x = +selX.value, y = +selY.value;
    const t0 = performance.now();
    const groups = [[], [], []];
    for (let i = 0; i < data.index.length; i++) groups[data.flag[i]].push(i);
    const cloud = (g, label, color, size) => ({
      label, color, kind: "dot", size, meta: "outcome",
      xs: g.map((i) => data.u[x][i]), ys: g.map((i) => data.u[y][i]), idx: g.map((i) => data.index[i]),
    });
    const fr = data.frontier.slice();
    if (data.parties.length === 2) fr.sort((a, b) => a.u[x] - b.u[x]);
    const series = [
      cloud(groups[0], "outcome", "#b9b9b9", 3),
      cloud(groups[1], "in the zone of agreement", "#74c476", 3),
      cloud(groups[2], "crosses a red line", "#f4a3a3", 3),
      { label: "reservation values", color: "#555", kind: "line", dash: [5, 4], xs: [data.reservation[x], data.reservation[x], null, lo(x), 1], ys: [lo(y), 1, null, data.reservation[y], data.reservation[y]] },
      { label: "Pareto frontier", color: "#1f4fd8", kind: data.parties.length === 2 ? "linedots" : "dot", size: 5, meta: "frontier", pts: fr, xs: fr.map((p) => p.u[x]), ys: fr.map((p) => p.u[y]) },
    ];
    const marks = { "Nash": ["#c00000", "diamond"], "Kalai–Smorodinsky": ["#008c00", "square"], "max welfare": ["#9c27b0", "square"], "egalitarian": ["#e07800", "ring"] };
    for (const s of data.solutions) {
      if (!s.points.length) continue;
      const [color, kind] = marks[s.name] || ["#000", "dot"];
      series.push({ label: s.name, color, kind, size: 11, meta: s.name, pts: s.points, xs: s.points.map((p) => p.u[x]), ys: s.points.map((p) => p.u[y]) });
    }
    parleyCharts.scatter(el, {
      x: { label: "utility of " + data.parties[x], range: [lo(x), 1] },
      y: { label: "utility of " + data.parties[y], range: [lo(y), 1] },
      series, hoverEl,
      hover: (s, i) => {
        if (s.meta === "outcome") {
          return "outcome: " + parleyCharts.decode(data.issues, s.idx[i]) + " — " + data.parties.map((p, k) => p + " " + parleyCharts.fmt(utilOf(s.idx[i], k))).join(", ");
        }
        const p = s.pts[i];
        return s.meta + ": " + Object.entries(p.outcome || {}).map(([k, v]) => k + ": " + v).join(", ") + " — " + data.parties.map((q, k) => q + " " + parleyCharts.fmt(p.u[k])).join(", ");
      },
    });
    el.dataset.points = String(data.index.length);
    // uPlot paints in a microtask: the frame after it is drawn.
    requestAnimationFrame(() => { el.dataset.renderMs = (performance.now() - t0).toFixed(1); });
    note.textContent = data.index.length + " outcomes drawn" + (data.sampled ? " (a sample of " + data.total.toExponential(2) + ")" : "") + "; hover for the deal";
  }

  const pos = new Map();
  function utilOf(idx, k) {
    if (!pos.size) data.index.forEach((v, i) => pos.set(v, i));
    return data.u[k][pos.get(idx)];
  }

  function lo(k) {
    let m = 0;
    for (const v of data.u[k]) if (v < m) m = v;
    return Math.max(-1, m);
  }

  function load() {
    const t0 = performance.now();
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then((r) => r.ok ? r.json() : Promise.reject(r.statusText))
      .then((d) => {
        data = d;
        if (d.parties.length < 2) { note.textContent = "one party: nothing to plot"; return; }
        draw();
        requestAnimationFrame(() => {
          el.dataset.loadMs = (performance.now() - t0).toFixed(1);
          el.dataset.ready = "1";
        });
      })
      .catch((e) => { note.textContent = "the chart could not load: " + e; });
  }

  selX.addEventListener("change", draw);
  selY.addEventListener("change", draw);
  let resize = null;
  window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(draw, 200); });
  load();
})();
