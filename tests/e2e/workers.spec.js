// Training in Web Workers: the training lab's and the remedies lab's runs train off the
// page's thread, in a bounded pool of workers, with the bits of the page's thread
// (`workers=off`); play, pause, a step, a hundred and reset behave as on the page's thread;
// where a worker cannot start or fails, the page trains itself and nothing else changes.
const { test, expect } = require("@playwright/test");
const { open, waitReady, watchErrors, TRAIN_RUNS } = require("./helpers");

/** Every readout of the page's view, as `{ key: exact value }`. */
function readouts(page) {
  return page
    .locator("#deep-signal [data-readout]")
    .evaluateAll((list) => Object.fromEntries(list.map((r) => [r.getAttribute("data-readout"), r.getAttribute("data-value")])));
}

/** Counts the workers a page starts. */
function watchWorkers(page) {
  const workers = [];
  page.on("worker", (w) => workers.push(w.url()));
  return workers;
}

/** The time the page's own thread spent training (the `deep-signal:work` measures). */
function pageWork(page) {
  return page.evaluate(() => performance.getEntriesByName("deep-signal:work").reduce((a, e) => a + e.duration, 0));
}

// The seven runs the modules test compares between builds.
const TRAIN = TRAIN_RUNS;

test("the training lab trains in a worker, with the bits of the page's thread", async ({ page }) => {
  test.setTimeout(120_000);
  const workers = watchWorkers(page);
  const errors = watchErrors(page);
  for (const q of TRAIN) {
    await open(page, `view=train&${q}&workers=off`);
    const here = await readouts(page);
    expect(await pageWork(page), `${q}: trained on the page's thread`).toBeGreaterThan(0);
    await open(page, `view=train&${q}`);
    const away = await readouts(page);
    expect(Object.keys(away).length).toBeGreaterThan(10);
    expect(away, q).toEqual(here);
    // The page's thread trained nothing: the worker did.
    expect(await pageWork(page), q).toBe(0);
  }
  expect(workers.length).toBe(TRAIN.length);
  expect(workers.every((u) => u.endsWith("/courses/deep-signal/worker.js"))).toBe(true);
  expect(errors).toEqual([]);
});

test("the recurrent lab trains in a worker, with the bits of the page's thread", async ({ page }) => {
  test.setTimeout(120_000);
  const workers = watchWorkers(page);
  for (const q of ["preset=identity&steps=30", "preset=lstm&steps=15", "preset=exploding-time&steps=40"]) {
    await open(page, `view=rnn&${q}&workers=off`);
    const here = await readouts(page);
    expect(await pageWork(page), `${q}: trained on the page's thread`).toBeGreaterThan(0);
    await open(page, `view=rnn&${q}`);
    const away = await readouts(page);
    expect(Object.keys(away).length).toBeGreaterThan(10);
    expect(away, q).toEqual(here);
    expect(await pageWork(page), q).toBe(0);
  }
  expect(workers.length).toBe(3);
});

test("a kept run trains in a worker too, and its ghost is the page thread's", async ({ page }) => {
  const query = "view=train&preset=vanishing&steps=12&keep=lr:1,steps:10";
  const table = async () => {
    await page.locator("[data-show-data=loss]").click();
    return page.locator("[data-table=loss] table").textContent();
  };
  await open(page, `${query}&workers=off`);
  const here = await readouts(page);
  const ghost = await table();
  expect(ghost).toContain("kept run, step 10 (");
  await open(page, query);
  expect(await readouts(page)).toEqual(here);
  expect(await pageWork(page)).toBe(0);
  expect(await table()).toBe(ghost);
});

test("the remedies lab's four configurations train in at most cores − 1 workers, with the bits of the page's thread", async ({ page }) => {
  test.setTimeout(120_000);
  const workers = watchWorkers(page);
  for (const q of ["preset=residual&steps=30", "preset=batchnorm&steps=25&width=32", "preset=he-2015&steps=20"]) {
    await open(page, `view=remedies&${q}&workers=off`);
    const here = await readouts(page);
    const before = workers.length;
    await open(page, `view=remedies&${q}`);
    const away = await readouts(page);
    expect(away, q).toEqual(here);
    expect(await pageWork(page), q).toBe(0);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(workers.length - before, q).toBe(Math.max(1, Math.min(4, cores - 1)));
  }
});

test("play, pause, one step, a hundred and reset behave as on the page's thread", async ({ page }) => {
  test.setTimeout(90_000);
  const query = "view=train&model=mlp&width=16&depth=10&act=tanh&task=sine&lr=0.01";
  await open(page, query);
  const step = () => page.locator('[data-readout="step"]').getAttribute("data-value");
  await page.getByRole("button", { name: "Play" }).click();
  await expect.poll(async () => Number(await step()), { timeout: 10_000 }).toBeGreaterThan(50);
  await page.getByRole("button", { name: "Pause" }).click();
  await waitReady(page);
  const paused = Number(await step());
  // Paused: it stays there, and the URL says where.
  await page.waitForTimeout(300);
  expect(Number(await step())).toBe(paused);
  await expect.poll(() => new URL(page.url()).searchParams.get("steps")).toBe(String(paused));
  await page.getByRole("button", { name: "One step" }).click();
  await expect.poll(step).toBe(String(paused + 1));
  await page.getByRole("button", { name: "100 steps" }).click();
  await expect.poll(step).toBe(String(paused + 101));
  await waitReady(page);
  const away = await readouts(page);
  // The same step count trained on the page's thread from a link gives the same numbers.
  await open(page, `${query}&steps=${paused + 101}&workers=off`);
  expect(await readouts(page)).toEqual(away);
  await open(page, query);
  await page.getByRole("button", { name: "100 steps" }).click();
  await expect.poll(step).toBe("100");
  await page.getByRole("button", { name: "Reset" }).click();
  await expect.poll(step).toBe("0");
});

test("the remedies lab paused while playing ends every configuration at the same step", async ({ page }) => {
  test.setTimeout(90_000);
  const query = "view=remedies&preset=residual&depth=20&width=16";
  await open(page, query);
  await page.getByRole("button", { name: "Play" }).click();
  const steps = () => page.locator('[data-readout="steps"]').getAttribute("data-value");
  await expect.poll(async () => Number(await steps()), { timeout: 15_000 }).toBeGreaterThan(20);
  await page.getByRole("button", { name: "Pause" }).click();
  await waitReady(page);
  const n = await steps();
  const away = await readouts(page);
  await open(page, `${query}&steps=${n}&workers=off`);
  expect(await readouts(page)).toEqual(away);
});

test("where no worker can start, or the worker fails, the page trains itself with the same bits", async ({ page, context }) => {
  test.setTimeout(60_000);
  const query = "view=train&preset=vanishing&steps=120";
  await open(page, `${query}&workers=off`);
  const here = await readouts(page);
  // No Worker at all (as in a page opened from a file).
  const nothing = await context.newPage();
  await nothing.addInitScript(() => {
    window.Worker = function () {
      throw new Error("no workers here");
    };
  });
  const errors = watchErrors(nothing);
  await open(nothing, query);
  expect(await readouts(nothing)).toEqual(here);
  expect(errors).toEqual([]);
  // A worker whose script fails as it starts.
  const broken = await context.newPage();
  await broken.route("**/worker.js", (route) => route.fulfill({ contentType: "text/javascript", body: "throw new Error('broken on purpose');" }));
  await open(broken, query);
  expect(await readouts(broken)).toEqual(here);
  await expect(broken.locator("#ds-error")).toHaveCount(0);
});

test("in-page figures share one bounded pool, and a figure scrolled away stops training", async ({ page }) => {
  test.setTimeout(90_000);
  const workers = watchWorkers(page);
  await page.goto("./lecture.html");
  const ids = await page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => e.id));
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}[data-state=ready]`), id).toBeAttached({ timeout: 20_000 });
  }
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(workers.length).toBeGreaterThan(0);
  expect(workers.length).toBeLessThanOrEqual(Math.max(1, Math.min(4, cores - 1)));
  // Figure 9 plays on; scrolled out of view, its step stops; back in view, it goes on.
  const figure = page.locator("#fig-vanish-loss");
  await figure.scrollIntoViewIfNeeded();
  await figure.getByRole("button", { name: "Play" }).click();
  const step = () => figure.locator('[data-readout="step"]').getAttribute("data-value").then(Number);
  const start = await step();
  await expect.poll(step, { timeout: 10_000 }).toBeGreaterThan(start + 20);
  await page.locator("h1").first().scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  const away = await step();
  await page.waitForTimeout(1000);
  expect(await step()).toBe(away);
  await figure.scrollIntoViewIfNeeded();
  await expect.poll(step, { timeout: 10_000 }).toBeGreaterThan(away);
  expect(workers.length).toBeLessThanOrEqual(Math.max(1, Math.min(4, cores - 1)));
});

test("a network whose step takes long: the page says how long, Pause holds the step it caught, and the next step shows at once", async ({ page }) => {
  test.setTimeout(180_000);
  const query = "view=train&model=mlp&width=256&depth=60&batch=1024&samples=1024&task=sine&lr=0.001&speed=fast";
  await open(page, query);
  const step = () => page.locator('[data-readout="step"]').getAttribute("data-value").then(Number);
  const note = page.locator('figure[data-panel="loss"] [data-note]').first();
  await page.getByRole("button", { name: "Play" }).click();
  await expect.poll(step, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await expect(note).toContainText(/One training step of this network takes about \d+ (ms|\.\d s)|takes about [\d.]+ s/, { timeout: 30_000 });
  const said = (await note.textContent()).match(/takes about ([\d.]+) (ms|s)/);
  const stepMs = Number(said[1]) * (said[2] === "s" ? 1000 : 1);
  expect(stepMs).toBeGreaterThanOrEqual(250);
  // Pause in the middle of a step: the page stays at the step shown when it was pressed,
  // though the worker finishes the step it was in.
  const caught = await page.evaluate(() => {
    document.querySelector('[data-view-action="play"]').click();
    return Number(document.querySelector('[data-readout="step"]').dataset.value);
  });
  await page.waitForTimeout(2 * stepMs + 500);
  expect(await step()).toBe(caught);
  await waitReady(page);
  expect(await step()).toBe(caught);
  // That step is ready in the worker: one step more shows it within a frame or two, not a
  // step's time later.
  const shownAfter = await page.evaluate(async () => {
    const readout = document.querySelector('[data-readout="step"]');
    const t0 = performance.now();
    const shown = new Promise((resolve) =>
      new MutationObserver(() => resolve(performance.now() - t0)).observe(readout, { attributes: true, attributeFilter: ["data-value"] }),
    );
    [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "One step").click();
    return shown;
  });
  expect(await step()).toBe(caught + 1);
  expect(shownAfter).toBeLessThan(Math.min(250, stepMs / 2));
  await waitReady(page);
  const away = await readouts(page);
  await open(page, `${query}&steps=${caught + 1}&workers=off`);
  const here = await readouts(page);
  expect(away).toEqual(here);
});

test("the remedies lab measures at initialisation in the background, and says so", async ({ page }) => {
  test.setTimeout(120_000);
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: "longtask", buffered: true });
  });
  const query = "view=remedies&width=256&depth=100&seeds=4";
  await page.goto(`./?${query}`);
  const note = page.locator('figure[data-panel="signal"] [data-note]').first();
  await expect(note).toContainText("Measuring A, B, C, D at initialisation (the mean of 4 draws of the weights) in the background");
  expect(await page.locator("#deep-signal").getAttribute("data-state")).toBe("busy");
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 100_000 });
  await expect(note).toContainText("Solid: measured on 16 samples at initialisation (the mean of 4 draws of the weights)");
  expect(await pageWork(page)).toBe(0);
  // The page's thread never held on for a network's measurement (about a second each here).
  expect(Math.max(0, ...(await page.evaluate(() => window.longTasks)))).toBeLessThan(400);
  expect(Number(await page.locator('[data-readout="a-rms-last"]').getAttribute("data-value"))).toBeGreaterThan(0);
});
