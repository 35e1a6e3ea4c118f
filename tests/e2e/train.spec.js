// The training lab in a real Chromium: presets show their symptoms and diagnoses, steps=
// and the set message, embedding, the CSV against the readouts, navigation between views,
// a responsive page while training, and axe.
const fs = require("node:fs");
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { open, waitReady, readout, pixels, watchErrors } = require("./helpers");

test("opens untrained, plays, pauses and resets", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=train");
  expect(await readout(page, "diagnosis")).toBe("untrained");
  expect(await readout(page, "step")).toBe("0");
  // Controls of the other model are hidden.
  await expect(page.locator('[data-param="w0"]')).toBeVisible();
  await expect(page.locator('[data-param="width"]')).toBeHidden();
  const play = page.locator('[data-view-action="play"]');
  await play.click();
  await expect(play).toHaveAttribute("aria-pressed", "true");
  await expect(play).toHaveText("Pause");
  await expect.poll(async () => Number(await readout(page, "step"))).toBeGreaterThan(20);
  await play.click();
  await expect(play).toHaveText("Play");
  // Paused, the run stops at the step the worker had reached when it heard: `ready` says
  // that step is final.
  await waitReady(page);
  const stopped = await readout(page, "step");
  await page.waitForTimeout(300);
  expect(await readout(page, "step")).toBe(stopped);
  await expect.poll(() => new URL(page.url()).searchParams.get("steps")).toBe(stopped);
  expect(await readout(page, "diagnosis")).toBe("healthy");
  await page.locator('[data-view-action="step100"]').click();
  await expect.poll(() => readout(page, "step")).toBe(String(Number(stopped) + 100));
  await page.keyboard.press("r");
  await expect.poll(() => readout(page, "step")).toBe("0");
  expect(await readout(page, "loss")).toBe("none");
  expect(errors).toEqual([]);
});

test("learning rate too high: overflow, inf loss, NaN gradients, then every weight NaN", async ({ page }) => {
  await open(page, "view=train");
  await page.getByRole("button", { name: "Exploding: learning rate too high" }).click();
  await expect.poll(() => readout(page, "diagnosis")).toBe("exploding");
  // The run halts by itself; these are the engine's exact steps for this preset.
  await expect.poll(() => readout(page, "step")).toBe("10");
  // Steps are numbered from 1 everywhere: the note, the readouts and the step count agree.
  expect(await readout(page, "first-nonfinite-step")).toBe("9");
  expect(await readout(page, "first-nonfinite-layer")).toBe("3");
  expect(await readout(page, "first-nan-weights-step")).toBe("9");
  expect(await readout(page, "halt-step")).toBe("10");
  expect(await readout(page, "nonfinite-weight-layers")).toBe("50");
  expect(await readout(page, "loss")).toBe("NaN");
  const note = page.locator("[data-note=loss]");
  await expect(note).toContainText("at step 9, the activations of layer 3 overflowed");
  await expect(note).toContainText("the update of step 9 left some weights NaN, and that of step 10 every weight");
  await expect(note).toContainText("Training stopped itself");
  await expect(page.locator('[data-view-action="play"]')).toHaveText("Play");
  await expect(page.locator('tr[data-row="exploding"]')).toHaveAttribute("aria-current", "true");
});

test("initial weights above 1 explode on the first update", async ({ page }) => {
  await open(page, "view=train");
  await page.keyboard.press("2");
  await expect.poll(() => readout(page, "step")).toBe("3");
  expect(await readout(page, "diagnosis")).toBe("exploding");
  expect(await readout(page, "first-nonfinite-step")).toBe("2");
  expect(await readout(page, "first-nonfinite-layer")).toBe("20");
  expect(await readout(page, "halt-step")).toBe("3");
  expect(await readout(page, "nonfinite-weight-layers")).toBe("50");
});

test("a deep chain with w0 < 1 vanishes: layer 1's gradient is tiny next to the last's", async ({ page }) => {
  await open(page, "view=train&model=chain&depth=50&w0=0.8&b0=0.1&lr=0.01&steps=300");
  expect(await readout(page, "diagnosis")).toBe("vanishing");
  const loss = Number(await readout(page, "loss"));
  expect(loss).toBeGreaterThan(0.05);
  await expect(page.locator("[data-note=loss]")).toContainText("Vanishing");
});

test("clipping and a lower learning rate fix the exploding preset", async ({ page }) => {
  await open(page, "view=train");
  for (const [name, clipped] of [["Fixed by clipping", true], ["Fixed by a lower learning rate", false]]) {
    await page.getByRole("button", { name }).click();
    // The preset's own run (clipped or not), past step 200: every readout read at once, so
    // that none is of the run before the preset.
    const snapshot = () =>
      page.evaluate(() => Object.fromEntries([...document.querySelectorAll("[data-readout]")].map((e) => [e.dataset.readout, e.dataset.value])));
    let r;
    await expect
      .poll(async () => {
        r = await snapshot();
        return Number(r.step) > 200 && (r["clip-factor"] !== "off") === clipped;
      }, { timeout: 20_000 })
      .toBe(true);
    expect(r.diagnosis).toBe("healthy");
    expect(Number(r.loss)).toBeLessThan(0.01);
    expect(r["first-nonfinite-step"]).toBe("none");
    await page.locator('[data-view-action="play"]').click();
  }
  expect(await readout(page, "clip-factor")).toBe("off");
});

test("the LR = 0 test: the loss moves by itself, exactly as the baseline's", async ({ page }) => {
  await open(page, "view=train&batch=8&noise=0.1&lr=0&steps=40");
  expect(await readout(page, "loss")).toBe(await readout(page, "loss-baseline"));
  await page.locator('[data-view-action="step"]').click();
  const before = await readout(page, "loss");
  await page.locator('[data-view-action="step"]').click();
  await expect.poll(() => readout(page, "step")).toBe("42");
  expect(await readout(page, "loss")).not.toBe(before);
  expect(await readout(page, "loss")).toBe(await readout(page, "loss-baseline"));
  expect(await readout(page, "update-ratio-first")).toBe("0");
});

test("the same URL gives the same numbers, and the MLP trains too", async ({ page }) => {
  const query = "view=train&model=mlp&width=16&depth=6&act=tanh&task=circle&samples=64&batch=16&lr=0.1&seed=7&steps=50";
  await open(page, query);
  const first = await readout(page, "loss");
  expect(Number(first)).toBeGreaterThan(0);
  await expect(page.locator('[data-param="w0"]')).toBeHidden();
  await expect(page.locator('[data-param="act"]')).toBeVisible();
  await open(page, query);
  expect(await readout(page, "loss")).toBe(first);
  await open(page, query.replace("seed=7", "seed=8"));
  expect(await readout(page, "loss")).not.toBe(first);
});

test("embedded with one panel, driven by messages including steps", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/host/host.html?figure=" + encodeURIComponent("view=train&embed=1&panel=loss&hide=seed"));
  const figure = page.frameLocator("#figure");
  await expect(figure.locator("#deep-signal[data-state=ready]")).toBeAttached();
  await expect(figure.locator('figure[data-panel="loss"]')).toBeVisible();
  await expect(figure.locator('figure[data-panel="heatmap"]')).toBeHidden();
  await expect(figure.locator('[data-param="seed"]')).toBeHidden();
  const lastState = () => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").pop());
  await page.evaluate(() =>
    document.getElementById("figure").contentWindow.postMessage(
      { type: "deep-signal:set", params: { lr: 1, steps: 5 } },
      "*",
    ),
  );
  await expect.poll(async () => (await lastState())?.readouts?.step).toBe("5");
  const state = await lastState();
  expect(state.params).toMatchObject({ view: "train", lr: "1", steps: "5" });
  // Learning rate 1: the updates are already far above a tenth of the weights.
  expect(state.readouts.diagnosis).toBe("exploding");
  await page.evaluate(() =>
    document.getElementById("figure").contentWindow.postMessage({ type: "deep-signal:set", params: { steps: 12 } }, "*"),
  );
  await expect.poll(async () => (await lastState())?.readouts?.["first-nonfinite-step"]).toBe("9");
  expect(errors).toEqual([]);
});

test("the CSV holds every recorded step and layer, matching the readouts", async ({ page }) => {
  await open(page, "view=train&lr=1&steps=20");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download data (CSV)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("deep-signal-train-chain50-lr1-step10.csv");
  const rows = fs.readFileSync(await file.path(), "utf8").trim().split("\n").map((l) => l.split(","));
  expect(rows[0].slice(0, 6)).toEqual(["step", "loss", "baseline loss", "total grad norm", "clip factor", "grad norm layer 1"]);
  expect(rows[0].length).toBe(5 + 50);
  expect(rows.length).toBe(1 + 10);
  // The CSV numbers steps from 1, as the readouts do: its last row is the step shown.
  expect(rows.slice(1).map((r) => r[0])).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  const last = rows[rows.length - 1];
  expect(last[0]).toBe(await readout(page, "step"));
  expect(last[1]).toBe(await readout(page, "loss"));
  expect(rows[9][1]).toBe("Infinity");
  expect(rows[9][0]).toBe(await readout(page, "first-nonfinite-step"));
});

test("navigation keeps depth, format and the weight between views", async ({ page }) => {
  await open(page, "view=explorer&depth=80&w=0.9&dtype=f64");
  await page.getByRole("link", { name: "2. Training" }).click();
  await expect(page.locator("#deep-signal[data-view=train]")).toBeAttached();
  await expect(page.locator('[data-number="depth"]')).toHaveValue("80");
  await expect(page.locator('[data-number="w0"]')).toHaveValue("0.9");
  await expect(page.locator('select[name="dtype"]')).toHaveValue("f64");
  await expect(page.getByRole("link", { name: "2. Training" })).toHaveAttribute("aria-current", "page");
});

test("the page stays responsive while an MLP trains", async ({ page }) => {
  // The tanh workload; the benchmark reports the heaviest one.
  await open(page, "view=train&model=mlp&width=32&depth=50&act=tanh&batch=64&samples=256&task=sine&speed=fast");
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: "longtask" });
  });
  await page.locator('[data-view-action="play"]').click();
  await expect.poll(async () => Number(await readout(page, "step"))).toBeGreaterThan(3);
  // A slider moved while training reaches the page promptly.
  const t0 = Date.now();
  await page.locator('[data-number="seed"]').fill("5");
  await page.locator('[data-number="seed"]').press("Enter");
  await expect.poll(() => new URL(page.url()).searchParams.get("seed"), { timeout: 1500 }).toBe("5");
  expect(Date.now() - t0).toBeLessThan(1500);
  await page.locator('[data-view-action="play"]').click();
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  // Frames take about 8 ms of training; generous for a loaded machine (the benchmark
  // reports the real figures).
  expect(longest).toBeLessThan(200);
});

test("plots draw, and the heat map shows inf and NaN in their own colours", async ({ page }) => {
  await open(page, "view=train&lr=1&steps=20");
  const counts = await page.locator('canvas[data-plot="heatmap"]').evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] === 204 && d[i + 1] === 121 && d[i + 2] === 167) nan++;
      if (d[i] === 213 && d[i + 1] === 94 && d[i + 2] === 0) inf++;
    }
    return { nan, inf };
  });
  expect(counts.nan).toBeGreaterThan(100);
  const label = await page.locator('canvas[data-plot="heatmap"]').getAttribute("aria-label");
  expect(label).toContain("50 layers");
  for (const panel of ["loss", "gradients", "weights", "activations"]) {
    expect((await pixels(page, panel)).length).toBeGreaterThan(1000);
  }
});

for (const [name, query] of [["light", "view=train&steps=30"], ["projector", "view=train&steps=30&theme=projector"], ["embedded", "view=train&embed=1&panel=heatmap&steps=30"]]) {
  test(`axe finds no serious or critical violations in the training lab (${name})`, async ({ page }) => {
    await open(page, query);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  });
}

test("screenshot of the training lab for the README", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await open(page, "view=train&lr=1&steps=20");
  await page.screenshot({ path: require("node:path").join(__dirname, "..", "..", "www", "screenshot-train.png") });
});

test("a kept run stays on the plots as a faint ghost beside the next one, and in the URL", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=train&preset=exploding-lr&steps=20");
  expect(await readout(page, "halt-step")).toBe("10");
  const before = await pixels(page, "loss");
  await page.getByRole("button", { name: "Keep this run" }).click();
  await expect(page).toHaveURL(/keep=lr%3A1%2Csteps%3A10/);
  await expect(page.locator('input[name="keep"]')).toHaveValue("lr:1,steps:10");
  // The next run, on the same axes: learning rate 0.05 for 30 steps.
  await page.goto(page.url().replace("lr=1", "lr=0.05").replace("steps=10", "steps=30"));
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(await readout(page, "step")).toBe("30");
  expect(await readout(page, "diagnosis")).toBe("healthy");
  // Its data table has the kept run's column, named by what differs.
  await page.locator("[data-show-data=loss]").click();
  const table = page.locator("[data-table=loss] table");
  await expect(table.locator("thead")).toContainText("kept run, step 10 (lr 1)");
  await expect(page.locator("[data-table=gradients]")).toBeAttached();
  // Forgetting it takes it off the plot and the URL.
  await page.getByRole("button", { name: "Forget the kept run" }).click();
  await expect(page).toHaveURL(/keep=(&|$)/);
  await expect(table.locator("thead")).not.toContainText("kept run");
  expect(before).not.toBe(await pixels(page, "loss"));
  expect(errors).toEqual([]);
});
