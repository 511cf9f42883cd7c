// Builds the chat page into web/dist/: one bundled, minified script next to a copy of index.html.
// `node build.mjs` (what `make web` runs after `npm ci`); the output is what the emulator and a deployment serve.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.jsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  outfile: join(dist, "app.js"),
  // amazon-cognito-identity-js's `buffer` dependency reads Node's `global`; in the page that is globalThis.
  define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
  logLevel: "warning",
});
await copyFile(join(here, "index.html"), join(dist, "index.html"));
console.log(`web: built ${dist}`);
