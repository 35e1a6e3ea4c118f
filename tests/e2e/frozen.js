// The benchmark of the settings that once froze the page ("never frozen"): each row opens a
// page at a setting within the documented ranges, records the browser's long tasks (over
// 50 ms) on the page's thread while it loads and while it plays, then presses Pause and
// measures from the press to the last change of the step shown, and to the button's answer.
// `bench.js` prints the rows; `node frozen.js` prints them alone against a running server
// (`BENCH_PORT`).

/** Installed before the page's scripts: every long task, with its start. */
function watchTasks() {
  window.longTasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push([e.startTime, e.duration]))).observe({
    type: "longtask",
    buffered: true,
  });
}

/** The longest task from `since` on, in ms (0 if none was over 50 ms). */
function longestSince(page, since) {
  return page.evaluate((t) => Math.max(0, ...window.longTasks.filter(([s]) => s >= t).map(([, d]) => d)), since);
}

const ready = (page, selector = "[data-state]") =>
  page.waitForFunction((s) => [...document.querySelectorAll(s)].every((e) => e.dataset.state === "ready"), selector, {
    timeout: 600_000,
    polling: 100,
  });

/**
 * Opens `url`, waits for it to be ready, then (with `play`) plays for `seconds` and pauses:
 * the longest task on load and while playing, the time from the press of Pause to the last
 * change of readout `step` (followed for `watch` seconds after it) and to the button's label.
 */
async function row(browser, url, { play = false, seconds = 8, step = "step", watch = 6 } = {}) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(watchTasks);
  const t0 = Date.now();
  await page.goto(url);
  await page.locator("#deep-signal").waitFor({ state: "attached" });
  await ready(page, "#deep-signal");
  const out = { load: await longestSince(page, 0), toReady: Date.now() - t0 };
  if (play) {
    const since = await page.evaluate(() => performance.now());
    await page.locator('[data-view-action="play"]').click();
    await page.waitForTimeout(seconds * 1000);
    out.playing = await longestSince(page, since);
    out.stepAtPause = await page.locator(`[data-readout="${step}"]`).getAttribute("data-value");
    const r = await page.evaluate(
      async ([key, watchMs]) => {
        const readout = document.querySelector(`[data-readout="${key}"]`);
        const button = document.querySelector('[data-view-action="play"]');
        let last = null;
        let label = null;
        const pressed = performance.now();
        new MutationObserver(() => (last = performance.now())).observe(readout, { attributes: true, attributeFilter: ["data-value"] });
        new MutationObserver(() => label === null && button.textContent.includes("Play") && (label = performance.now())).observe(button, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
        button.click();
        await new Promise((r) => setTimeout(r, watchMs));
        return { lastStep: last === null ? 0 : last - pressed, button: label === null ? null : label - pressed, step: readout.dataset.value };
      },
      [step, watch * 1000],
    );
    Object.assign(out, r);
    // What the loss plot says a step takes, where it says it (a step of 250 ms or more).
    const note = await page.locator('figure[data-panel="loss"] [data-note]').first().textContent();
    out.pace = (note.match(/takes about ([\d.]+ m?s) on this computer/) || [])[1];
  }
  await page.close();
  return out;
}

/** A `deep-signal:set` with `steps` sent to an embedded figure: the longest task until its answer. */
async function message(browser, base, figure, steps) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${new URL(base).origin}/host/host.html?figure=${encodeURIComponent(figure)}`);
  const frame = page.frameLocator("#figure");
  await frame.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
  const child = page.frames().find((f) => f !== page.mainFrame());
  await child.evaluate(watchTasks);
  const t0 = Date.now();
  await page.evaluate((n) => document.getElementById("figure").contentWindow.postMessage({ type: "deep-signal:set", params: { steps: n } }, "*"), steps);
  await page.waitForFunction(
    (n) => window.messages.some((m) => m.type === "deep-signal:state" && m.readouts && String(m.readouts.step) === String(n)),
    steps,
    { timeout: 600_000, polling: 50 },
  );
  const out = { longest: await longestSince(child, 0), answered: Date.now() - t0 };
  await page.close();
  return out;
}

/** A page of `n` in-page figures printed (to PDF) right after the first is ready. */
async function printMany(browser, base, n, figures) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(watchTasks);
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${n} figures</title><link rel="icon" href="data:,"></head><body><main>` +
    Array.from({ length: n }, (_, i) => `<div data-deep-signal="${figures[i % figures.length].replace(/&/g, "&amp;")}"></div>`).join("") +
    `</main><script type="module" src="${new URL(base).pathname}figures.js"></script></body></html>`;
  await page.route(`${base}many.html`, (r) => r.fulfill({ contentType: "text/html", body: html }));
  await page.goto(`${base}many.html`);
  await page.locator("[data-deep-signal][data-state=ready]").first().waitFor({ state: "attached", timeout: 120_000 });
  const since = await page.evaluate(() => performance.now());
  const t0 = Date.now();
  await page.pdf({ format: "A4" });
  const out = { longest: await longestSince(page, since), printed: Date.now() - t0 };
  out.unfinished = await page.evaluate(() => document.querySelectorAll("[data-deep-signal][data-state=busy]").length);
  await page.close();
  return out;
}

/** Prints the table's rows. */
async function frozenRows(browser, base) {
  const ms = (x) => (x > 0 ? `${Math.round(x)} ms` : "none over 50 ms");
  const big = "width=256&depth=200";
  const print = (label, r) => {
    let line = `  ${label.padEnd(62)} on load ${ms(r.load)} (ready after ${(r.toReady / 1000).toFixed(1)} s)`;
    if (r.playing !== undefined) {
      line +=
        `; playing ${ms(r.playing)}; Pause to the last step shown ${Math.round(r.lastStep)} ms (target 100), ` +
        `to the button's answer ${r.button === null ? "never" : Math.round(r.button) + " ms"}, at step ${r.step}`;
      if (r.pace) line += `; a step takes about ${r.pace}`;
    }
    console.log(line);
  };
  console.log("settings that once blocked the page (longest main-thread task, target 50 ms; Pause to the last step, target 100 ms):");
  print("remedies lab, seeds=8, four configurations 256 x 200", await row(browser, `${base}?view=remedies&${big}&seeds=8`));
  print(
    "remedies lab, four configurations 256 x 200, batch 2048",
    await row(browser, `${base}?view=remedies&${big}&batch=2048&samples=2048&speed=fast`, { play: true, seconds: 12, step: "steps", watch: 8 }),
  );
  print("training lab, init=orthogonal, MLP 256 x 200", await row(browser, `${base}?view=train&model=mlp&${big}&init=orthogonal`, { play: true, seconds: 5 }));
  print(
    "remedies lab, orthogonal init (a=tanh,orthogonal), 256 x 200",
    await row(browser, `${base}?view=remedies&${big}&a=tanh,orthogonal&b=relu,orthogonal&c=&d=`),
  );
  print(
    "training lab, MLP 256 x 200, batch 2048",
    await row(browser, `${base}?view=train&model=mlp&${big}&batch=2048&samples=2048&speed=fast`, { play: true, seconds: 8 }),
  );
  const rnn = `${base}?view=rnn&length=1000&hidden=256&batch=2048&samples=2048&speed=fast`;
  print("recurrent lab, T = 1000, hidden 256, batch 2048 (cap: 32)", await row(browser, rnn, { play: true, seconds: 8 }));
  print("the same on the page's thread (workers=off: batch 1, lowered)", await row(browser, `${rnn}&workers=off`, { play: true, seconds: 6 }));
  const m = await message(browser, base, "embed=1&view=train&model=mlp&width=64&depth=100&act=relu&samples=256&batch=128&task=circle", 100);
  console.log(`  ${"deep-signal:set with steps=100 (training lab, MLP 64 x 100, ReLU)".padEnd(62)} ${ms(m.longest)}; answered after ${(m.answered / 1000).toFixed(1)} s`);
  const p = await printMany(browser, base, 200, [
    "view=train&model=mlp&width=32&depth=20&steps=50&panel=loss",
    "view=remedies&depth=20&width=32&panel=signal",
    "view=explorer&w=1.1&panel=gradients",
  ]);
  console.log(
    `  ${"200 figures on one page, printed at once".padEnd(62)} ${ms(p.longest)}; printed after ${(p.printed / 1000).toFixed(1)} s, ` +
      `${p.unfinished} figure${p.unfinished === 1 ? "" : "s"} still training when printed`,
  );
}

module.exports = { frozenRows };

if (require.main === module) {
  const { chromium } = require("@playwright/test");
  (async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium" });
    await frozenRows(browser, `http://127.0.0.1:${process.env.BENCH_PORT || 4280}/courses/deep-signal/`);
    await browser.close();
  })();
}
