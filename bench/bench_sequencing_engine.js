// How long the page's sequencing engine takes (lms/static/js/sequencing.js + scorm-again 3.4.3) in Node:
// build from settings + start, save (snapshot), rebuild from the saved state, and a continue after a SCO's
// outcome, for a flat course of N SCOs in C chapters. Usage: node bench/bench_sequencing_engine.js [N] [C]
"use strict";
const fs = require("fs"), vm = require("vm"), path = require("path");
const repo = path.resolve(__dirname, "..");
const bundle = fs.readFileSync(path.join(repo, "node_modules/scorm-again/dist/scorm2004.js"), "utf8");
const glue = fs.readFileSync(path.join(repo, "lms/static/js/sequencing.js"), "utf8");
const quiet = { log() {}, info() {}, warn() {}, debug() {}, error() {} };
const ctx = { console: quiet, setTimeout, clearTimeout, setInterval, clearInterval };
ctx.window = ctx;
vm.createContext(ctx);
vm.runInContext(bundle, ctx);
vm.runInContext(glue, ctx);
const N = Number(process.argv[2] || 200), C = Number(process.argv[3] || 10);
const flow = { choice: true, flow: true };
const tree = { id: "root", title: "Course", sequencingControls: flow, children: [] };
for (let c = 0; c < C; c++) {
  const ch = { id: `c${c}`, title: `Chapter ${c}`, sequencingControls: flow, children: [] };
  for (let i = 0; i < N / C; i++) ch.children.push({ id: `c${c}_s${i}`, title: `SCO ${i}` });
  tree.children.push(ch);
}
const settings = { activityTree: tree };
function time(label, fn, runs = 20) {
  const t = [];
  let out;
  for (let r = 0; r < runs; r++) { const s = process.hrtime.bigint(); out = fn(); t.push(Number(process.hrtime.bigint() - s) / 1e6); }
  t.sort((a, b) => a - b);
  console.log(`${label}: median ${t[runs >> 1].toFixed(1)} ms, max ${t[runs - 1].toFixed(1)} ms`);
  return out;
}
const e = time("build + start", () => { const x = new ctx.lmsSequencing.Engine(settings, null); x.navigate("start"); return x; });
const snap = time("snapshot (save)", () => e.snapshot());
console.log(`saved tree: ${snap.tree.length} characters`);
time("rebuild from saved state", () => new ctx.lmsSequencing.Engine(settings, snap));
time("SCO outcome + continue", () => { const x = new ctx.lmsSequencing.Engine(settings, snap); return x.finish({ "cmi.completion_status": "completed" }, "continue"); });
time("TOC + validity", () => e.validity(Object.keys(e.toc())));
