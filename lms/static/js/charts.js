/* Dashboard charts: Chart.js with the Okabe–Ito palette, hatch patterns and value labels, so colour is
   never the only cue. The same numbers are always in a table next to each chart. */
(function () {
  "use strict";
  var OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

  function pattern(colour, kind) {
    var c = document.createElement("canvas");
    c.width = c.height = 10;
    var g = c.getContext("2d");
    g.fillStyle = colour;
    g.fillRect(0, 0, 10, 10);
    g.strokeStyle = "rgba(255,255,255,0.75)";
    g.lineWidth = 2;
    g.beginPath();
    if (kind === 1) { g.moveTo(0, 10); g.lineTo(10, 0); }
    else if (kind === 2) { g.moveTo(0, 5); g.lineTo(10, 5); }
    else if (kind === 3) { g.moveTo(5, 0); g.lineTo(5, 10); }
    g.stroke();
    return g.createPattern(c, "repeat");
  }

  /* draws each bar's / point's value above it (numbers, not only colour) */
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = "#222";
      ctx.textAlign = "center";
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden || ds.noLabels) { return; }
        meta.data.forEach(function (el, j) {
          var v = ds.data[j];
          if (v === null || v === undefined) { return; }
          var p = el.tooltipPosition();
          var text = (typeof v === "number" && !Number.isInteger(v)) ? v.toFixed(1) : String(v);
          if (chart.options.indexAxis === "y") { ctx.textAlign = "left"; ctx.fillText(text, p.x + 4, p.y + 4); }
          else { ctx.fillText(text, p.x, p.y - 6); }
        });
      });
      ctx.restore();
    }
  };

  function base(horizontal) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
      scales: {}
    };
  }

  function sizeBox(canvas, rows) {
    var box = canvas.parentElement;
    box.style.position = "relative";
    box.style.height = Math.max(220, Math.min(600, 40 + rows * 34)) + "px";
  }

  function monthLabel(iso) { var p = iso.split("-"); return p[1] + "/" + p[0]; }

  function render() {
    var el = document.getElementById("chart-data");
    if (!el || !window.Chart || !el.textContent.trim()) { return; }
    var data = JSON.parse(el.textContent);
    var children = document.getElementById("chart-children");
    if (children && data.children && data.children.labels.length) {
      sizeBox(children, data.children.labels.length);
      var opts = base(true);
      opts.scales.x = { min: 0, max: 100, title: { display: true, text: data.children.label } };
      new window.Chart(children, {
        type: "bar", plugins: [valueLabels], options: opts,
        data: { labels: data.children.labels, datasets: [{ label: data.children.label, data: data.children.values,
          backgroundColor: pattern(OKABE_ITO[0], 1), borderColor: OKABE_ITO[0], borderWidth: 1 }] }
      });
    }
    var trend = document.getElementById("chart-trend");
    if (trend && data.trend) {
      sizeBox(trend, 6);
      var t = base(false);
      t.scales.y = { min: 0, max: 100 };
      var sets = [{ label: data.trend.label, data: data.trend.values, borderColor: OKABE_ITO[0],
        backgroundColor: OKABE_ITO[0], pointStyle: "circle", pointRadius: 4, borderWidth: 2 }];
      if (data.trend.target !== null && data.trend.target !== undefined) {
        sets.push({ label: data.trend.target_label, data: data.trend.values.map(function () { return data.trend.target; }),
          borderColor: OKABE_ITO[3], backgroundColor: OKABE_ITO[3], borderDash: [6, 4], pointStyle: "triangle",
          pointRadius: 0, borderWidth: 2, noLabels: true });
      }
      new window.Chart(trend, { type: "line", plugins: [valueLabels], options: t,
        data: { labels: data.trend.labels.map(monthLabel), datasets: sets } });
    }
    var plan = document.getElementById("chart-plan");
    if (plan && data.plan && data.plan.labels.length) {
      sizeBox(plan, data.plan.labels.length * 2);
      var p = base(true);
      p.scales.x = { beginAtZero: true, grace: "15%" };
      new window.Chart(plan, {
        type: "bar", plugins: [valueLabels], options: p,
        data: { labels: data.plan.labels, datasets: data.plan.series.map(function (s, i) {
          return { label: s.label, data: s.values, backgroundColor: pattern(OKABE_ITO[i], i === 0 ? 2 : 1),
            borderColor: OKABE_ITO[i], borderWidth: 1 };
        }) }
      });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", render); }
  else { render(); }
})();
