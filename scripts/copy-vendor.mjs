// Copy the front-end files the app serves from node_modules into lms/static/vendor (git-ignored).
import { cpSync, mkdirSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "lms", "static", "vendor");
const files = {
  "axe-core/axe.min.js": "axe-core/axe.min.js",  // accessibility checks injected by the browser tests
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
  "chart.js/dist/chart.umd.js": "chartjs/chart.umd.js",
  "scorm-again/dist/scorm-again.min.js": "scorm-again/scorm-again.min.js",
  "scorm-again/dist/scorm12.min.js": "scorm-again/scorm12.min.js",
  "scorm-again/dist/scorm2004.min.js": "scorm-again/scorm2004.min.js",
  "scorm-again/dist/cross-frame-api.min.js": "scorm-again/cross-frame-api.min.js",
  "scorm-again/dist/cross-frame-lms.min.js": "scorm-again/cross-frame-lms.min.js",
};
for (const [from, to] of Object.entries(files)) {
  const source = join(root, "node_modules", from);
  if (!existsSync(source)) {
    if (from.endsWith(".map")) continue;
    console.error(`missing ${source}: run npm ci first`);
    process.exit(1);
  }
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(source, join(vendor, to));
}
writeFileSync(join(vendor, ".copied"), new Date().toISOString() + "\n");
console.log(`vendor assets copied to ${vendor}`);
