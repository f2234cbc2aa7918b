// Drives lms/static/js/sequencing.js (scorm-again's sequencing engine) in Node for tests/scorm/test_engine.py.
// stdin: {"settings": {...}, "steps": [{"op": "nav"|"finish"|"reload", ...}]}; stdout: one result per step.
"use strict";
const fs = require("fs"), vm = require("vm"), path = require("path");
const repo = path.resolve(__dirname, "..", "..");
const bundle = fs.readFileSync(path.join(repo, "node_modules/scorm-again/dist/scorm2004.js"), "utf8");
const glue = fs.readFileSync(path.join(repo, "lms/static/js/sequencing.js"), "utf8");
const quiet = { log() {}, info() {}, warn() {}, debug() {}, error() {} };

function engine(settings, saved) {
  const ctx = { console: quiet, setTimeout, clearTimeout, setInterval, clearInterval };
  ctx.window = ctx;
  vm.createContext(ctx);
  vm.runInContext(bundle, ctx);
  vm.runInContext(glue, ctx);
  return new ctx.lmsSequencing.Engine(settings, saved);
}

const input = JSON.parse(fs.readFileSync(0, "utf8"));
let e = engine(input.settings, input.saved || null);
const out = [];
for (const step of input.steps) {
  let r = {};
  if (step.op === "nav") r = e.navigate(step.request, step.target);
  else if (step.op === "finish") r = e.finish(step.cmi || {}, step.request);
  else if (step.op === "reload") {  // another page (or browser) restores the saved state
    const snap = JSON.parse(JSON.stringify(e.snapshot()));
    e = engine(step.settings || input.settings, step.keepObjectivesOnly ? { objectives: snap.objectives } : snap);
    r = { current: e.current(), suspended: e.suspended() };
  }
  r.root = e.rootStatus();
  r.validity = e.validity(step.ids || []);
  r.hideLmsUi = e.hideLmsUi();
  out.push(r);
}
process.stdout.write(JSON.stringify(out));
