// forecast.js: trajectories of the actors' positions per issue, for the
// chosen model, on the 0–100 scale labelled with the options.
"use strict";

(function () {
  const el = document.getElementById("fc-charts");
  if (!el) return;
  const data = JSON.parse(document.getElementById("fc-data").textContent);
  const sel = document.getElementById("fc-model");

  function draw() {
    const m = data.models.find((x) => x.name === sel.value) || data.models[0];
    if (!m) return;
    el.innerHTML = "";
    const r = m.result;
    r.dimensions.forEach((dimName, d) => {
      const dim = data.dimensions.find((x) => x.name === dimName) || { options: [], anchors: [] };
      const marks = (dim.options && dim.options.length ? dim.options : dim.anchors || []).slice().sort((a, b) => a.value - b.value);
      const box = document.createElement("div");
      box.className = "chart";
      box.dataset.ticks = marks.map((o) => o.label).join("|");
      el.appendChild(box);
      const longest = Math.max(4, ...marks.map((o) => (o.label + " (" + o.value + ")").length));
      const rounds = r.rounds.map((x) => x.round);
      const series = r.actors.map((a, i) => ({ label: a, kind: "linedots", size: 4, xs: rounds, ys: r.rounds.map((x) => x.positions[i][d]) }));
      series.push({ label: "forecast (" + r.model + ")", color: "#000", kind: "line", dash: [8, 4], xs: rounds, ys: r.rounds.map((x) => x.forecast[d]) });
      const last = Math.max(1, rounds[rounds.length - 1] || 1);
      parleyCharts.scatter(box, {
        title: dimName + " — " + r.model, height: 300,
        x: { label: "round", range: [0, last] },
        y: { label: "", range: [-3, 103], size: Math.min(300, 12 + 6.2 * longest), splits: () => marks.map((o) => o.value), values: (u, vs) => vs.map((v) => { const o = marks.find((x) => x.value === v); return o ? o.label + " (" + v + ")" : String(v); }) },
        series,
      });
    });
  }
  sel.addEventListener("change", draw);
  draw();
})();
