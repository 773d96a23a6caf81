// charts.js: parley's charts, drawn with uPlot in its facet mode (mode 2:
// each series its own x and y arrays), so that clouds of outcomes, the
// frontier and offers share one plot. Hover is the page's own: the nearest
// point within a few pixels, found by one scan of the drawn points.
"use strict";

const parleyCharts = (function () {
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

  // dots draws a series' points: circles (or squares, diamonds) of size
  // px; lines joins them in order too.
  function paths(kind, size) {
    return (u, si) => {
      const d = u.data[si];
      if (!d || !d[0]) return null;
      const xs = d[0], ys = d[1];
      const s = u.series[si];
      const sx = s.facets[0].scale, sy = s.facets[1].scale;
      const r = size * uPlot.pxRatio / 2;
      const pts = new Path2D(), line = new Path2D();
      let first = true;
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] == null || ys[i] == null) { first = true; continue; }
        const x = u.valToPos(xs[i], sx, true), y = u.valToPos(ys[i], sy, true);
        if (kind === "line" || kind === "linedots") {
          if (first) line.moveTo(x, y); else line.lineTo(x, y);
          first = false;
        }
        if (kind === "line") continue;
        if (kind === "square") pts.rect(x - r, y - r, 2 * r, 2 * r);
        else if (kind === "diamond") { pts.moveTo(x, y - r * 1.3); pts.lineTo(x + r * 1.3, y); pts.lineTo(x, y + r * 1.3); pts.lineTo(x - r * 1.3, y); pts.closePath(); }
        else { pts.moveTo(x + r, y); pts.arc(x, y, r, 0, 2 * Math.PI); }
      }
      if (kind === "line") return { stroke: line, fill: null };
      if (kind === "linedots") { line.addPath(pts); return { stroke: line, fill: pts }; }
      return { stroke: kind === "ring" ? pts : null, fill: kind === "ring" ? null : pts };
    };
  }

  // scatter makes a chart in el. spec: {title, x: {label, range}, y: {...},
  // series: [{label, color, xs, ys, kind, size, meta}], hover(series, i)
  // returning the text to show, into spec.hoverEl}.
  function scatter(el, spec) {
    const width = Math.max(260, Math.min(el.clientWidth || 600, 900));
    const height = spec.height || Math.round(Math.min(width * 0.75, 520));
    const series = [{}];
    const data = [null];
    spec.series.forEach((s, i) => {
      const color = s.color || palette[i % palette.length];
      series.push({
        label: s.label,
        stroke: color,
        fill: s.kind === "line" || s.kind === "ring" ? null : color,
        width: s.kind === "line" || s.kind === "linedots" ? 1.5 : (s.kind === "ring" ? 2 : 0),
        dash: s.dash,
        paths: paths(s.kind || "dot", s.size || 4),
        points: { show: false },
        facets: [{ scale: "x", auto: false }, { scale: "y", auto: false }],
      });
      data.push([s.xs, s.ys]);
    });
    const opts = {
      mode: 2,
      title: spec.title,
      width, height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, dataIdx: () => null },
      scales: {
        x: { time: false, auto: false, range: spec.x.range || [0, 1] },
        y: { auto: false, range: spec.y.range || [0, 1] },
      },
      axes: [{ label: spec.x.label, values: spec.x.values, splits: spec.x.splits }, { label: spec.y.label, values: spec.y.values, splits: spec.y.splits, size: spec.y.size || 50 }],
      series,
    };
    el.innerHTML = "";
    const u = new uPlot(opts, data, el);
    legend(el, spec.series);
    if (spec.hover && spec.hoverEl) {
      u.over.addEventListener("mousemove", (ev) => {
        const hit = nearest(u, spec.series, ev.offsetX, ev.offsetY);
        spec.hoverEl.textContent = hit ? spec.hover(hit.s, hit.i) : "";
      });
    }
    return u;
  }

  // nearest finds the point nearest the mouse (CSS pixels), within 8 px,
  // preferring later series (drawn on top).
  function nearest(u, series, left, top) {
    let best = null, bestD = 64;
    for (let si = series.length - 1; si >= 0; si--) {
      const s = series[si];
      if (!s.meta && !s.hoverable) continue;
      const xs = s.xs, ys = s.ys;
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] == null || ys[i] == null) continue;
        const dx = u.valToPos(xs[i], "x") - left, dy = u.valToPos(ys[i], "y") - top;
        const d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = { s, i }; }
      }
      if (best) return best;
    }
    return best;
  }

  function legend(el, series) {
    const ul = document.createElement("ul");
    ul.className = "chart-legend";
    series.forEach((s, i) => {
      if (!s.label) return;
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = s.color || palette[i % palette.length];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.label));
      ul.appendChild(li);
    });
    el.appendChild(ul);
  }

  // decode turns an outcome index into its value labels (first issue
  // fastest, as parley enumerates outcomes).
  function decode(issues, idx) {
    const out = [];
    for (const is of issues) {
      const n = is.labels.length;
      out.push(is.id + ": " + is.labels[idx % n]);
      idx = Math.floor(idx / n);
    }
    return out.join(", ");
  }

  function fmt(x) { return x == null ? "–" : (Math.round(x * 1000) / 1000).toFixed(3); }

  return { scatter, decode, fmt, palette };
})();
