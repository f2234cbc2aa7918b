// Build the offline layer's workers (docs/offline.md) into lms/static/vendor/offline/ (git-ignored):
//  - sw.js: lms/static/sw/sw.js bundled with its Workbox modules (esbuild), then workbox-build's
//    injectManifest writes the precache list of the LMS's own static files into it;
//  - content-sw.js: the content origin's worker, bundled the same way;
//  - frame.js: the content origin's download frame (no imports), copied.
import { build } from "esbuild";
import { injectManifest } from "workbox-build";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "lms", "static", "sw");
const out = join(root, "lms", "static", "vendor", "offline");
const tmp = join(out, ".sw.bundled.js");
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: "iife", target: "es2019", minify: true, legalComments: "none",
  define: { "process.env.NODE_ENV": '"production"' }, logLevel: "warning" };
await build({ ...common, entryPoints: [join(src, "sw.js")], outfile: tmp });
await build({ ...common, entryPoints: [join(src, "content-sw.js")], outfile: join(out, "content-sw.js") });
copyFileSync(join(src, "frame.js"), join(out, "frame.js"));

const { count, size, warnings } = await injectManifest({
  swSrc: tmp,
  swDest: join(out, "sw.js"),
  globDirectory: join(root, "lms", "static"),
  globPatterns: ["js/*.js", "css/*.css", "icons/*", "vendor/bootstrap/*.{js,css}"],
  modifyURLPrefix: { "": "/static/" },
});
rmSync(tmp);
warnings.forEach((w) => console.warn(w));
console.log(`offline workers built in ${out} (${count} files precached, ${(size / 1024).toFixed(0)} KB)`);
