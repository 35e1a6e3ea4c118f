// The benchmark, in headless Chromium: the explorer's redraw (median and p95 of the
// `deep-signal:redraw` User Timing measure over 200 slider inputs, after 50 to warm up, at
// depth 1,000 and 10,000 in f32 and 10,000 in bf16, on its own module and on the full one);
// the training lab's engine speed (steps per second of engine time, the `deep-signal:work`
// measure) on the workloads, on its own module and on the full one, its longest
// main-thread task and input latency while training, and its redraw with 10,000 recorded
// steps of 100 layers; the remedies lab's
// recomputation, training and responsiveness while training; in-page figures' start on a
// page of one figure and of twenty-one; the explorer's and the training lab's first paint on
// their own modules and on the full one; then what each view's page and the lecture load, raw and gzipped, and the
// five largest items of each wasm.
// Run it through `bash .ci/bench`, which builds dist/ and a copy of the wasm with names.
const { chromium } = require("@playwright/test");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const { items } = require("./wasm-items.js");
const { frozenRows } = require("./frozen.js");

const port = Number(process.env.BENCH_PORT || 4280);
const base = `http://127.0.0.1:${port}/courses/deep-signal/`;
const dist = path.join(__dirname, "..", "..", "dist");
/**
 * The wasm modules, as Cargo.toml's list gives them ([package.metadata.modules], one line per
 * module): each one's folder in dist/ ("." for the full one) and its features.
 */
const modules = (() => {
  const toml = fs.readFileSync(path.join(__dirname, "..", "..", "Cargo.toml"), "utf8");
  const list = toml.split(/^\[package\.metadata\.modules\][^\n]*\n/m)[1].split(/^\[/m)[0];
  return [...list.matchAll(/^"?([^"\s=#]+)"?\s*=\s*\{[^}]*features\s*=\s*"([^"]*)"/gm)].map(
    ([, dir, features]) => ({ dir, features }),
  );
})();
/** The copy of module `dir` built with its names kept (see `.ci/bench`). */
const namedCopy = (dir) =>
  path.join(__dirname, "..", "..", "target", "names", dir === "." ? "bindgen" : dir, "deep_signal_bg.wasm");

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

async function measure(page, depth, dtype) {
  await page.goto(`${base}?depth=${depth}&w=0.9&b=0.1&x=1&dtype=${dtype}`);
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

/**
 * Trains `query` of `view` (which must not end by itself) for about `seconds` and returns the median
 * steps per second of engine time over one-second windows: steps trained divided by the
 * time of the frames' training work.
 */
async function trainSpeed(page, query, seconds = 6, view = "train", stepReadout = "step") {
  // On the page's thread: the engine's time is measured there.
  await page.goto(`${base}?view=${view}&speed=fast&workers=off&${query}`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
  return page.evaluate(async ([seconds, stepReadout]) => {
    const step = () => Number(document.querySelector(`[data-readout="${stepReadout}"]`).dataset.value);
    const work = () => performance.getEntriesByName("deep-signal:work").reduce((a, e) => a + e.duration, 0);
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    document.querySelector('[data-view-action="play"]').click();
    await wait(1000); // warm up
    const rates = [];
    for (let i = 0; i < seconds; i++) {
      const [s0, w0] = [step(), work()];
      await wait(1000);
      const [s1, w1] = [step(), work()];
      if (w1 > w0) rates.push(((s1 - s0) / (w1 - w0)) * 1000);
    }
    document.querySelector('[data-view-action="play"]').click();
    rates.sort((a, b) => a - b);
    return rates[Math.floor(rates.length / 2)];
  }, [seconds, stepReadout]);
}

/**
 * Trains `query` of `view` at full speed with `workers` (`off` or `auto`) for `seconds` of
 * wall-clock time after a second to warm up; returns the steps per second of wall-clock
 * time and the share of it the page's thread spent training (`deep-signal:work`).
 */
async function wallSpeed(page, query, workers, view = "train", stepReadout = "step", seconds = 10) {
  await page.goto(`${base}?view=${view}&speed=fast&workers=${workers}&${query}`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
  return page.evaluate(async ([seconds, stepReadout]) => {
    const step = () => Number(document.querySelector(`[data-readout="${stepReadout}"]`).dataset.value);
    const work = () => performance.getEntriesByName("deep-signal:work").reduce((a, e) => a + e.duration, 0);
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    document.querySelector('[data-view-action="play"]').click();
    await wait(1000);
    const [s0, w0, t0] = [step(), work(), performance.now()];
    await wait(seconds * 1000);
    const [s1, w1, t1] = [step(), work(), performance.now()];
    document.querySelector('[data-view-action="play"]').click();
    return { rate: ((s1 - s0) / (t1 - t0)) * 1000, busy: (w1 - w0) / (t1 - t0) };
  }, [seconds, stepReadout]);
}

/**
 * While a workload plays in `view` (the training lab's heaviest, or the remedies lab's four
 * networks), after a second to warm up: the longest main-thread task over the next 40 inputs, and how long a control's input takes to reach the screen (input
 * event to the end of the next redraw), p95 of those 40.
 */
async function responsiveness(page, query, view = "train", workers = "off") {
  await page.goto(`${base}?view=${view}&speed=fast&workers=${workers}&${query}`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
  return page.evaluate(async () => {
    document.querySelector('[data-view-action="play"]').click();
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    // A second to warm up first, as for every other figure: the browser compiles the hot
    // WebAssembly functions a second time, optimised, after their first calls.
    await wait(1000);
    const tasks = [];
    const started = performance.now();
    new PerformanceObserver((l) => l.getEntries().forEach((e) => tasks.push(e.duration))).observe({ type: "longtask" });
    const latencies = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const done = window.nextRedraw(t0);
      // Speed is a view setting that leaves the run alone, so training goes on.
      const speed = document.querySelector('select[name="speed"]');
      speed.value = i % 2 ? "fast" : "medium";
      speed.dispatchEvent(new Event("change", { bubbles: true }));
      latencies.push(await done);
      await wait(100);
    }
    document.querySelector('[data-view-action="play"]').click();
    latencies.sort((a, b) => a - b);
    // The browser reports only tasks over 50 ms; the app's own longest task on the page's
    // thread is its longest redraw (each is one frame's callback, training included).
    const redraws = performance.getEntriesByName("deep-signal:redraw").filter((e) => e.startTime >= started);
    return {
      longest: Math.max(0, ...tasks),
      redraw: Math.max(0, ...redraws.map((e) => e.duration)),
      p95: latencies[Math.ceil(0.95 * latencies.length) - 1],
    };
  });
}

/** Redraws of the lab with `query` trained (no training in the frames): 200 after 50. */
async function labRedraw(page, query) {
  await page.goto(`${base}?view=train&${query}`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached", timeout: 120_000 });
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const ask = async (count) => {
      for (let i = 0; i < count; i++) {
        window.postMessage({ type: "deep-signal:get" }, "*");
        await frame();
        await frame();
      }
    };
    await ask(50);
    const durations = [];
    const o = new PerformanceObserver((l) => l.getEntriesByName("deep-signal:redraw").forEach((e) => durations.push(e.duration)));
    o.observe({ type: "measure" });
    await ask(200);
    o.disconnect();
    return durations.sort((a, b) => a - b);
  });
}

/**
 * Installed in the benchmark's page: `nextRedraw(t0)` resolves with the milliseconds from
 * `t0` to the end of the first redraw (`deep-signal:redraw`) that starts at `t0` or later.
 */
function installNextRedraw() {
  window.nextRedraw = (t0) =>
    new Promise((resolve) => {
      const o = new PerformanceObserver((l) => {
        for (const e of l.getEntriesByName("deep-signal:redraw")) {
          if (e.startTime >= t0) {
            o.disconnect();
            resolve(e.startTime + e.duration - t0);
            return;
          }
        }
      });
      o.observe({ type: "measure" });
    });
}

/**
 * The recurrent lab's one-neuron surface: the time from a change of the recurrence (the
 * 200 × 200 surface computed again, both descents, the redraw) to the end of the redraw that
 * shows it, 5 changes to warm up, then 20, as sorted durations.
 */
async function surfaceRedraw(page) {
  await page.goto(`${base}?view=rnn`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached", timeout: 120_000 });
  return page.evaluate(async () => {
    const durations = [];
    for (let i = 0; i < 25; i++) {
      const input = document.querySelector(`[data-param="neuron"] input[value="${i % 2 ? "sigmoid" : "linear"}"]`);
      const t0 = performance.now();
      const done = window.nextRedraw(t0);
      input.checked = true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      const d = await done;
      if (i >= 5) durations.push(d);
      await new Promise((r) => setTimeout(r, 50));
    }
    return durations.sort((a, b) => a - b);
  });
}

/**
 * The remedies lab with four configurations of `query`: the time from a change of the depth
 * box (every configuration measured again at initialisation) or, with `one`, of
 * configuration A's text (only A measured again) to the end of the redraw that shows it
 * (5 changes to warm up, then 15), as sorted durations.
 */
async function remediesRecompute(page, query, one = false) {
  await page.goto(`${base}?view=remedies&${query}`);
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached", timeout: 120_000 });
  return page.evaluate(async (one) => {
    const box = document.querySelector(one ? 'input[type=text][name="a"]' : '[data-number="depth"]');
    const values = one ? ["relu,xavier,gain:1", "relu,xavier,gain:1.1"] : ["200", "199"];
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    const change = async (i) => {
      const t0 = performance.now();
      // Until the redraw that shows every configuration measured (the page is ready again:
      // changed configurations are measured one or more a frame).
      const root = document.getElementById("deep-signal");
      const done = new Promise((resolve) => {
        const o = new PerformanceObserver((l) => {
          const after = l.getEntriesByName("deep-signal:redraw").filter((e) => e.startTime >= t0);
          if (after.length && root.dataset.state === "ready") {
            o.disconnect();
            const e = after[after.length - 1];
            resolve(e.startTime + e.duration - t0);
          }
        });
        o.observe({ type: "measure" });
      });
      box.value = values[i % 2];
      box.dispatchEvent(new Event("change", { bubbles: true }));
      const took = await done;
      await wait(50);
      return took;
    };
    for (let i = 0; i < 5; i++) await change(i);
    const durations = [];
    for (let i = 5; i < 20; i++) durations.push(await change(i));
    return durations.sort((a, b) => a - b);
  }, one);
}

/** The files a page loads from dist/ (its own origin), by name. */
async function loaded(browser, url, before = async () => {}) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const names = new Set();
  page.on("requestfinished", (r) => {
    const u = new URL(r.url());
    if (u.href.startsWith(base)) names.add(decodeURIComponent(u.pathname.slice(new URL(base).pathname.length)) || "index.html");
  });
  await page.goto(url);
  await before(page);
  await page.close();
  return [...names];
}

/** Raw and gzip -9 sizes of files of dist/. */
function sizes(names) {
  let raw = 0;
  let gzip = 0;
  for (const name of names) {
    const bytes = fs.readFileSync(path.join(dist, name));
    raw += bytes.length;
    gzip += zlib.gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/**
 * Makes `page` answer requests for the explorer's and the training lab's own modules with
 * the full module, as every page loaded before they had modules of their own.
 */
async function useFullModule(page) {
  await page.route(/\/(explorer|train)\/deep-signal(\.js|_bg\.wasm)$/, (route) => {
    const name = route.request().url().endsWith(".js") ? "deep-signal.js" : "deep-signal_bg.wasm";
    const type = name.endsWith(".js") ? "text/javascript" : "application/wasm";
    route.fulfill({ body: fs.readFileSync(path.join(dist, name)), contentType: type });
  });
}

/**
 * Milliseconds from navigation to the first element's ready state (the app, or the first
 * in-page figure, drawn) in one load of `url` in a new page. With `full`, a view's own
 * module is answered with the full one, as every page loaded it before the view had its own.
 */
async function loadToReady(browser, url, full = false) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (full) await useFullModule(page);
  await page.addInitScript(() => {
    new MutationObserver((records, observer) => {
      if (records.some((r) => r.target.getAttribute("data-state") === "ready")) {
        window.firstReady = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributeFilter: ["data-state"] });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.firstReady !== undefined);
  const time = await page.evaluate(() => window.firstReady);
  await page.close();
  return time;
}

/** {@link loadToReady} over `runs` loads, sorted. */
async function firstReady(browser, url, runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await loadToReady(browser, url));
  return times.sort((a, b) => a - b);
}

/**
 * {@link loadToReady} on the view's own module and on the full one, `runs` loads each,
 * taken in turn so that any drift of the machine weighs on both alike; each list sorted.
 */
async function firstReadyBoth(browser, url, runs) {
  const own = [];
  const full = [];
  for (let i = 0; i < runs; i++) {
    own.push(await loadToReady(browser, url));
    full.push(await loadToReady(browser, url, true));
  }
  return [own.sort((a, b) => a - b), full.sort((a, b) => a - b)];
}

/** The five largest functions and data segments of a wasm, named from its named copy. */
function largest(label, wasmFile, namedFile) {
  const code = (list) => list.filter((i) => i.kind === "function").reduce((a, i) => a + i.size, 0);
  if (!fs.existsSync(namedFile)) {
    console.log(`five largest items of ${label}: no copy with names (run the benchmark through .ci/bench)`);
    return;
  }
  const shipped = items(fs.readFileSync(wasmFile));
  const copy = items(fs.readFileSync(namedFile));
  // wasm-bindgen's own glue differs by a few bytes between the two builds; the rest is the
  // same code.
  const differ = code(copy) - code(shipped);
  console.log(
    `five largest items of ${label} (bytes as stored; names from the copy with names, ` +
      `whose code differs by ${differ} bytes of ${code(shipped)}):`,
  );
  for (const item of copy.slice(0, 5)) {
    console.log(`  ${String(item.size).padStart(7)}  ${item.kind.padEnd(8)}  ${item.name}`);
  }
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
    await page.addInitScript(installNextRedraw);
    const fullPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await useFullModule(fullPage);
    console.log("the explorer's redraw (deep-signal:redraw), 200 slider inputs after 50 to warm up, headless Chromium,");
    console.log("on its own module and, for comparison, on the full module:");
    for (const [depth, dtype] of [[1000, "f32"], [10000, "f32"], [10000, "bf16"]]) {
      for (const [label, p] of [["own", page], ["full", fullPage]]) {
        const d = (await measure(p, depth, dtype)).sort((a, b) => a - b);
        console.log(
          `  depth ${String(depth).padStart(6)} ${dtype.padEnd(4)} ${label.padEnd(4)}: median ${quantile(d, 0.5).toFixed(2)} ms, ` +
            `p95 ${quantile(d, 0.95).toFixed(2)} ms, max ${d[d.length - 1].toFixed(2)} ms (${d.length} redraws)`,
        );
      }
    }
    console.log("training lab, engine steps per second (median of 1 s windows, headless Chromium), on its own module");
    console.log("(built for size, opt-level s) and, for comparison, on the full module (opt-level 3):");
    for (const [name, target, query] of [
      ["chain, depth 100, batch 32, f32", 300000, "model=chain&depth=100&samples=256&batch=32&lr=0.001&w0=1"],
      ["MLP width 32, depth 50, batch 64, tanh", 450, "model=mlp&width=32&depth=50&act=tanh&samples=256&batch=64&task=sine&lr=0.001"],
      ["the same, signal vanishing (normal init, sigma 0.05)", 250, "model=mlp&width=32&depth=50&act=tanh&init=normal&sigma=0.05&samples=256&batch=64&task=sine&lr=0.001"],
      ["MLP width 64, depth 100, batch 128, ReLU", 70, "model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle&lr=0.001"],
    ]) {
      const rate = await trainSpeed(page, query);
      const full = await trainSpeed(fullPage, query);
      console.log(
        `  ${name.padEnd(52)} ${Math.round(rate).toLocaleString("en")} steps/s (target ${target.toLocaleString("en")}); ` +
          `full module ${Math.round(full).toLocaleString("en")}`,
      );
    }
    await fullPage.close();
    const r = await responsiveness(page, "model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle&lr=0.001");
    // The browser reports only tasks over 50 ms.
    const longest = r.longest > 0 ? `${r.longest.toFixed(1)} ms` : "none over 50 ms";
    console.log(`  while the heaviest plays: longest main-thread task ${longest} (target 50), input to screen p95 ${r.p95.toFixed(1)} ms (target 50)`);
    const lab = await labRedraw(page, "model=chain&depth=100&lr=0.001&steps=10000");
    console.log(
      `  lab redraw at 10,000 recorded steps x 100 layers: median ${quantile(lab, 0.5).toFixed(2)} ms, ` +
        `p95 ${quantile(lab, 0.95).toFixed(2)} ms (target 8), max ${lab[lab.length - 1].toFixed(2)} ms (${lab.length} redraws)`,
    );
    console.log("remedies lab, four configurations (relu xavier, he, xavier + BatchNorm, he + residual):");
    const re = await remediesRecompute(page, "width=128&depth=200");
    console.log(
      `  at-init statistics, width 128, depth 200, after a depth change: median ${quantile(re, 0.5).toFixed(1)} ms ` +
        `(target 100), p95 ${quantile(re, 0.95).toFixed(1)} ms (${re.length} changes)`,
    );
    const one = await remediesRecompute(page, "width=128&depth=200", true);
    console.log(
      `  the same after a change of one configuration: median ${quantile(one, 0.5).toFixed(1)} ms, ` +
        `p95 ${quantile(one, 0.95).toFixed(1)} ms (${one.length} changes)`,
    );
    // The configurations train in step, so the shared step count is each one's.
    const rs = await trainSpeed(page, "width=64&depth=50&batch=64&samples=256&task=sine&lr=0.001", 6, "remedies", "steps");
    console.log(`  training side by side, width 64, depth 50, batch 64: ${Math.round(rs)} steps/s each (target 100)`);
    const rr = await responsiveness(page, "width=64&depth=50&batch=64&samples=256&task=sine&lr=0.001", "remedies");
    const longestSide = rr.longest > 0 ? `${rr.longest.toFixed(1)} ms` : "none over 50 ms";
    console.log(`  while they train: longest main-thread task ${longestSide} (target 50), input to screen p95 ${rr.p95.toFixed(1)} ms (target 50)`);
    console.log("recurrent lab, engine steps per second (median of 1 s windows, f32, on the page's thread):");
    for (const [name, target, query] of [
      ["tanh RNN, hidden 128, T = 100, batch 32", 60, "cell=rnn&act=tanh&hidden=128&length=100&batch=32&samples=512&lr=0.001"],
      ["LSTM, hidden 64, T = 100, batch 32", 40, "cell=lstm&hidden=64&length=100&batch=32&samples=512&lr=0.001"],
    ]) {
      const rate = await trainSpeed(page, query, 6, "rnn", "step");
      console.log(`  ${name.padEnd(52)} ${Math.round(rate).toLocaleString("en")} steps/s (target ${target})`);
    }
    const sr = await surfaceRedraw(page);
    console.log(
      `  the one neuron's surface (200 x 200 at T = 50, both descents) after a change of recurrence: median ` +
        `${quantile(sr, 0.5).toFixed(1)} ms, max ${sr[sr.length - 1].toFixed(1)} ms (target 50, ${sr.length} changes)`,
    );
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const pool = Math.max(1, Math.min(4, cores - 1));
    console.log(
      `training off the page's thread: wall-clock steps per second over 10 s at full speed, headless Chromium, ` +
        `${cores} cores (so ${pool} worker${pool > 1 ? "s" : ""} for the page); on the page's thread (workers=off, with the share ` +
        `of wall-clock time the engine ran there) against workers (workers=auto), and the workers' rate against the engine's own ` +
        `speed on the page's thread (steps per second of engine time):`,
    );
    for (const [name, view, readout, query] of [
      ["training lab, MLP 64 x 100, ReLU, batch 128", "train", "step", "model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle&lr=0.001"],
      ["training lab, MLP 32 x 50, tanh, batch 64", "train", "step", "model=mlp&width=32&depth=50&act=tanh&samples=256&batch=64&task=sine&lr=0.001"],
      ["training lab, chain depth 100, batch 32", "train", "step", "model=chain&depth=100&samples=256&batch=32&lr=0.001&w0=1"],
      ["remedies lab, four configurations 64 x 50, batch 64", "remedies", "steps", "width=64&depth=50&batch=64&samples=256&task=sine&lr=0.001"],
      ["recurrent lab, tanh RNN, hidden 128, T = 100", "rnn", "step", "hidden=128&length=100&batch=32&samples=512&lr=0.001"],
    ]) {
      const here = await wallSpeed(page, query, "off", view, readout);
      const away = await wallSpeed(page, query, "auto", view, readout);
      const own = await trainSpeed(page, query, 6, view, readout);
      const n = (x) => Math.round(x).toLocaleString("en");
      console.log(
        `  ${name.padEnd(52)} page's thread ${n(here.rate)} steps/s (engine ${(100 * here.busy).toFixed(0)}% of the time); ` +
          `workers ${n(away.rate)} steps/s (${(away.rate / here.rate).toFixed(2)}x, target 1.8x; page's thread training ` +
          `${(100 * away.busy).toFixed(0)}%); engine's own speed ${n(own)} steps/s, workers at ${((100 * away.rate) / own).toFixed(0)}% of it (target 90%)`,
      );
    }
    for (const [name, view, query] of [
      ["the training lab's heaviest (MLP 64 x 100, ReLU)", "train", "model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle&lr=0.001"],
      ["the remedies lab's four configurations", "remedies", "width=64&depth=50&batch=64&samples=256&task=sine&lr=0.001"],
    ]) {
      const w = await responsiveness(page, query, view, "auto");
      const longestW = w.longest > 0 ? `${w.longest.toFixed(1)} ms` : "none over 50 ms";
      console.log(
        `  while ${name} trains in workers: longest main-thread task ${longestW}, longest redraw ${w.redraw.toFixed(1)} ms ` +
          `(target 16), input to screen p95 ${w.p95.toFixed(1)} ms (target 20)`,
      );
    }
    // What the workers cost: each one's WebAssembly memory after training (its compiled
    // code is the page's, sent to it, not compiled again), and how many a page starts.
    for (const [label, url] of [
      ["the remedies lab, four configurations 64 x 50 trained 200 steps", `${base}?view=remedies&width=64&depth=50&batch=64&samples=256&task=sine&lr=0.001&steps=200`],
      ["the training lab, MLP 64 x 100 trained 100 steps", `${base}?view=train&model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle&lr=0.001&steps=100`],
      ["the lecture, every figure started", `${base}lecture.html`],
    ]) {
      const p = await browser.newPage({ viewport: { width: 1200, height: 20000 } });
      await p.goto(url);
      await p.locator("[data-state]").first().waitFor({ state: "attached" });
      await p.waitForFunction(() => [...document.querySelectorAll("[data-state]")].every((e) => e.dataset.state === "ready"), null, { timeout: 120_000 });
      const page_ = await p.evaluate(() => (window.deepSignal ? window.deepSignal.memoryBytes() : null));
      const each = [];
      for (const w of p.workers()) each.push(await w.evaluate(() => (self.memoryBytes ? self.memoryBytes() : 0)));
      const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
      console.log(
        `  memory, ${label}: ${each.length} worker${each.length === 1 ? "" : "s"}, WebAssembly memory ${each.map(mb).join(", ") || "none"}` +
          (page_ ? ` (the page's own: ${mb(page_)})` : ""),
      );
      await p.close();
    }
    await frozenRows(browser, base);
    console.log("in-page figures (figures.js), from navigation to the first figure's ready state (median of 7 loads):");
    const host = `http://127.0.0.1:${port}/host/figures.html`;
    const single = await firstReady(browser, `${base}examples/smallest.html`);
    const many = await firstReady(browser, host);
    console.log(`  a page with one figure: ${quantile(single, 0.5).toFixed(0)} ms; a page with twenty-one: ${quantile(many, 0.5).toFixed(0)} ms`);
    const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
    const show = (label, names, target = "") => {
      const t = sizes(names);
      console.log(`  ${label}: ${kb(t.raw)}, ${kb(t.gzip)} gzip${target} (${names.sort().join(", ")})`);
    };
    console.log("the explorer's first paint, from navigation to both plots drawn (median of 21 loads, taken in turn with the other module's):");
    const [own, before] = await firstReadyBoth(browser, base, 21);
    console.log(
      `  on its own module: ${quantile(own, 0.5).toFixed(0)} ms; on the full module, as before it had its own: ` +
        `${quantile(before, 0.5).toFixed(0)} ms`,
    );
    console.log("the training lab's first paint, from navigation to every plot drawn (median of 21 loads, taken in turn):");
    const [ownLab, fullLab] = await firstReadyBoth(browser, `${base}?view=train`, 21);
    console.log(
      `  on its own module: ${quantile(ownLab, 0.5).toFixed(0)} ms; on the full module: ${quantile(fullLab, 0.5).toFixed(0)} ms`,
    );
    const ready = (p) => p.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
    const pages = [];
    for (const [label, query, target] of [
      ["the explorer's page (index.html)", "", " (target 150)"],
      ["the training lab's page (index.html?view=train)", "?view=train", " (target 220)"],
      ["the remedies lab's page (index.html?view=remedies)", "?view=remedies", ""],
    ]) {
      pages.push([label, await loaded(browser, base + query, ready), target]);
    }
    // The lecture with every figure started (scrolled through), as a reader who reads it all.
    const lecture = await loaded(browser, `${base}lecture.html`, async (p) => {
      await p.emulateMedia({ media: "print" });
      await p.locator("[data-deep-signal][data-state=waiting]").first().waitFor({ state: "detached" }).catch(() => {});
      await p.waitForLoadState("networkidle");
    });
    await browser.close();
    console.log("size, what a browser loads (raw, gzip -9):");
    const moduleLabel = (m) => (m.dir === "." ? "the full module" : `the module ${m.dir}/`) + ` (features ${m.features})`;
    const wasmOf = (m) => (m.dir === "." ? "" : `${m.dir}/`) + "deep-signal_bg.wasm";
    for (const m of modules) show(`${moduleLabel(m)}'s wasm`, [wasmOf(m)]);
    for (const [label, names, target] of pages) show(label, names, target);
    show("the lecture (lecture.html, every figure started)", lecture, " (target 300)");
    for (const m of modules) largest(moduleLabel(m), path.join(dist, wasmOf(m)), namedCopy(m.dir));
  } finally {
    server.kill();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
