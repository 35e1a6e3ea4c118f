// The redraw benchmark: median and p95 of the `deep-signal:redraw` User Timing measure over
// 200 slider inputs (one per frame, after 50 to warm up) at depth 1,000 and 10,000, in
// headless Chromium; then
// the size of the built page, raw and gzipped. Run it through `bash .ci/bench`, which
// builds dist/ first.
const { chromium } = require("@playwright/test");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const port = 4280;
const base = `http://127.0.0.1:${port}/courses/deep-signal/`;
const dist = path.join(__dirname, "..", "..", "dist");

function quantile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the test server did not start");
}

async function measure(page, depth) {
  await page.goto(`${base}?depth=${depth}&w=0.9&b=0.1&x=1&dtype=f32`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
  return page.evaluate(async () => {
    const slider = document.querySelector('input[type=range][name="w"]');
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    // Sweep w from 0.5 to 1.5 and back: all three regimes, inf and underflow included.
    const sweep = async (count) => {
      for (let i = 0; i < count; i++) {
        const t = i < 100 ? i / 99 : (199 - i) / 99;
        slider.value = (0.5 + t).toFixed(3);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
        await frame();
        await frame();
      }
    };
    // Warm up first, as a page in use is: the browser compiles hot WebAssembly functions
    // a second time, optimised, after their first calls.
    await sweep(50);
    const durations = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntriesByName("deep-signal:redraw")) durations.push(e.duration);
    });
    observer.observe({ type: "measure" });
    await sweep(200);
    observer.disconnect();
    return durations;
  });
}

function sizes() {
  // The files at the top of dist/ (examples/ is another page).
  const files = fs.readdirSync(dist).filter((f) => fs.statSync(path.join(dist, f)).isFile());
  const row = (name) => {
    const bytes = fs.readFileSync(path.join(dist, name));
    return { name, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  };
  const wasm = files.filter((f) => f.endsWith(".wasm")).map(row);
  const js = files.filter((f) => f.endsWith(".js")).map(row);
  // What a browser loads for the page: everything but the no-JavaScript picture.
  const page = files.filter((f) => !f.endsWith(".png")).map(row);
  const sum = (rows) => rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
  return { wasm: sum(wasm), js: sum(js), page: sum(page) };
}

(async () => {
  const server = spawn(process.execPath, [path.join(__dirname, "server.js"), String(port)], { stdio: "ignore" });
  try {
    await waitForServer();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    console.log("redraw time (deep-signal:redraw), 200 slider inputs after 50 to warm up, headless Chromium:");
    for (const depth of [1000, 10000]) {
      const d = (await measure(page, depth)).sort((a, b) => a - b);
      console.log(
        `  depth ${String(depth).padStart(6)}: median ${quantile(d, 0.5).toFixed(2)} ms, ` +
          `p95 ${quantile(d, 0.95).toFixed(2)} ms, max ${d[d.length - 1].toFixed(2)} ms (${d.length} redraws)`,
      );
    }
    await browser.close();
    const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
    const s = sizes();
    console.log("size of dist/ (raw, gzip -9):");
    console.log(`  wasm: ${kb(s.wasm.raw)}, ${kb(s.wasm.gzip)}`);
    console.log(`  js:   ${kb(s.js.raw)}, ${kb(s.js.gzip)}`);
    console.log(`  whole page (html, css, js, wasm, icon): ${kb(s.page.raw)}, ${kb(s.page.gzip)}`);
  } finally {
    server.kill();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
