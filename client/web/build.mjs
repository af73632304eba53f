// Copies the browser builds of our npm dependencies into vendor/, which the server serves at
// /vendor/. Nothing here is committed: vendor/ and node_modules/ are made by `make assets`.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const files = {
  "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
  "axe.min.js": "axe-core/axe.min.js",
  "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
};
mkdirSync(join(here, "vendor"), { recursive: true });
for (const [target, source] of Object.entries(files)) {
  copyFileSync(join(here, "node_modules", source), join(here, "vendor", target));
}
console.log(`vendor/: ${Object.keys(files).join(", ")}`);
