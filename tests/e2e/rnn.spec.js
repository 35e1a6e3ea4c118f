// The recurrent lab (view=rnn): the one neuron's loss surface against an independent
// computation in JavaScript, a click that moves the descents' start, the presets' promises,
// what the words say against the numbers, bad input, embedding and axe.
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { open, waitReady, readout, watchErrors } = require("./helpers");

/** Pascanu et al.'s neuron in plain JavaScript: E(w, b) after 50 steps from x0 = 0.5. */
function neuronLoss(w, b, linear = false) {
  const sigma = (x) => 1 / (1 + Math.exp(-x));
  let x = 0.5;
  for (let t = 0; t < 50; t++) x = linear ? w * x + b : w * sigma(x) + b;
  return (sigma(x) - 0.7) ** 2;
}

const number = async (page, key) => Number(await readout(page, key));

test("the one neuron's readouts agree with an independent computation, and a click moves the start", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=rnn&w=4.4&b=-2.5");
  const [w, b] = [4.4, -2.5];
  const e = await number(page, "surface-loss");
  expect(Math.abs(e - neuronLoss(w, b))).toBeLessThan(1e-12);
  // The gradient against central differences of the JavaScript loss.
  const h = 1e-6;
  const dw = (neuronLoss(w + h, b) - neuronLoss(w - h, b)) / (2 * h);
  const db = (neuronLoss(w, b + h) - neuronLoss(w, b - h)) / (2 * h);
  expect(Math.abs((await number(page, "surface-dw")) - dw) / Math.abs(dw)).toBeLessThan(1e-4);
  expect(Math.abs((await number(page, "surface-db")) - db) / Math.abs(db)).toBeLessThan(1e-4);
  // The note says what the descents did: plain SGD is thrown far away, the clipped one not.
  const note = await page.locator('figure[data-panel="surface"] [data-note]').first().textContent();
  const plain = Number(note.match(/its longest step was ([\d.e+-]+)\./)[1]);
  const bound = Number(note.match(/times the threshold, ([\d.e+-]+)\./)[1]);
  expect(bound).toBe(1);
  expect(plain).toBeGreaterThan(10 * bound);
  // A click in the middle of the surface starts both descents there.
  const canvas = page.locator('figure[data-panel="surface"] canvas').first();
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await canvas.click({ position: { x: box.width * 0.55, y: box.height * 0.6 } });
  await expect.poll(() => new URL(page.url()).searchParams.get("w")).not.toBe("4.4");
  await waitReady(page);
  const url = new URL(page.url());
  const [w2, b2] = [Number(url.searchParams.get("w")), Number(url.searchParams.get("b"))];
  expect(w2).toBeGreaterThan(-4);
  expect(w2).toBeLessThan(16);
  expect(Math.abs((await number(page, "surface-loss")) - neuronLoss(w2, b2))).toBeLessThan(1e-12);
  expect(errors).toEqual([]);
});

test("vanishing through time: the loss stays above 1/12 while the first time step gets almost nothing", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "view=rnn&preset=vanishing-time&steps=100");
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 100_000 });
  expect(await readout(page, "step")).toBe("100");
  expect(await readout(page, "diagnosis")).toBe("vanishing");
  // Above what using only the later marked value gives: the earlier one is out of reach.
  expect(await number(page, "loss")).toBeGreaterThan(1 / 12);
  expect((await number(page, "grad-norm-t1")) / (await number(page, "grad-norm-tT"))).toBeLessThan(1e-4);
  const note = await page.locator('figure[data-panel="loss"] [data-note]').first().textContent();
  expect(note).toContain("Vanishing");
  expect(note).toContain("T = 100");
});

test("exploding through time, then fixed by clipping", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "view=rnn&preset=exploding-time&steps=60");
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 100_000 });
  expect(await readout(page, "diagnosis")).toBe("exploding");
  await open(page, "view=rnn&preset=clipping-time&steps=60");
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 100_000 });
  expect(await readout(page, "diagnosis")).not.toBe("exploding");
  expect(await number(page, "clip-factor")).toBeLessThanOrEqual(1);
  expect(await readout(page, "first-nonfinite-step")).toBe("none");
});

test("bad input is clamped and said, and a run past the memory cap is lowered with a notice", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=rnn&hidden=9999&length=-3&rho=7&task=nonsense&dtype=f16&batch=2048&samples=2048");
  const notices = await page.locator("[data-notices]").textContent();
  for (const key of ["hidden", "length", "rho", "task", "dtype"]) expect(notices).toContain(key);
  expect(errors).toEqual([]);
  // In a worker, only the memory cap lowers the batch: the step may take long, the page
  // does not wait for it.
  const lossNote = () => page.locator('figure[data-panel="loss"] [data-note]').first().textContent();
  await open(page, "view=rnn&hidden=256&length=1000&batch=2048&samples=2048");
  let note = await lossNote();
  expect(note).toContain("lowers the batch to 32");
  expect(note).not.toContain("page's thread");
  // On the page's thread (no worker), a step must also fit a frame, and that is said.
  await open(page, "view=rnn&hidden=256&length=1000&batch=2048&samples=2048&workers=off");
  note = await lossNote();
  expect(note).toContain("lowers the batch to 32");
  expect(note).toMatch(/trained with batch 1 and hidden size \d+, about \d+ ms a step/);
  expect(errors).toEqual([]);
});

test("the CSV holds every recorded step and the gradient through time, as the readouts give them", async ({ page }) => {
  await open(page, "view=rnn&preset=lstm&steps=12");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download data (CSV)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("deep-signal-rnn-lstm-h32-t30.csv");
  const text = require("node:fs").readFileSync(await file.path(), "utf8");
  const [history, through] = text.split("\n\n");
  const rows = history.trim().split("\n").slice(2).map((l) => l.split(","));
  expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
  const last = rows[rows.length - 1];
  expect(last[1]).toBe(await readout(page, "loss"));
  expect(last[3]).toBe(await readout(page, "accuracy"));
  expect(last[6]).toBe(await readout(page, "sigma-max"));
  const times = through.trim().split("\n").slice(2).map((l) => l.split(","));
  expect(times.length).toBe(30);
  expect(times[0][2]).toBe(await readout(page, "grad-norm-t1"));
  expect(times[29][2]).toBe(await readout(page, "grad-norm-tT"));
});

test("a first drawing divided over frames ends with every plot drawn, as a drawing made at once", async ({ page }) => {
  // An in-page figure of the whole lab: printing draws it at once, which must change nothing.
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>divided</title><link rel="icon" href="data:,"></head><body><main>' +
    '<div id="f" data-deep-signal="view=rnn&amp;preset=identity&amp;steps=20"></div>' +
    '</main><script type="module" src="figures.js"></script></body></html>';
  await page.route("**/divided.html", (r) => r.fulfill({ contentType: "text/html", body }));
  await page.goto("./divided.html");
  await expect(page.locator("#f[data-state=ready]")).toBeAttached({ timeout: 30_000 });
  const panels = ["surface", "through-time", "time-heat", "loss", "sigma"];
  const look = () =>
    page.evaluate((names) => {
      const out = {};
      for (const name of names) {
        const c = document.querySelector(`#f canvas[data-plot="${name}"]`);
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let ink = false;
        for (let i = 4; i < d.length && !ink; i += 4) ink = d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2];
        out[name] = { ink, url: c.toDataURL() };
      }
      return out;
    }, panels);
  const divided = await look();
  for (const name of panels) expect(divided[name].ink, name).toBe(true);
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  const atOnce = await look();
  for (const name of panels) expect(atOnce[name].url === divided[name].url, name).toBe(true);
});

test("the shared shortcuts drive the recurrent lab: a step, reset, a preset by its number, projector mode", async ({ page }) => {
  await open(page, "view=rnn&length=20");
  await page.keyboard.press("s");
  await expect.poll(() => readout(page, "step")).toBe("1");
  await page.keyboard.press("h");
  await expect.poll(() => readout(page, "step")).toBe("101");
  await page.keyboard.press("r");
  await expect.poll(() => readout(page, "step")).toBe("0");
  // The fifth preset, the LSTM on the temporal order problem: its controls follow.
  await page.keyboard.press("5");
  await expect(page.locator('[data-param="task"] select')).toHaveValue("order");
  await expect(page.locator('[data-number="length"]')).toHaveValue("30");
  await page.keyboard.press("p");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "projector");
});

test("embedded: one panel of the recurrent lab, hidden controls, driven by its host page", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/host/host.html?figure=" + encodeURIComponent("view=rnn&embed=1&panel=through-time&hide=cell,presets&preset=vanishing-time&steps=3"));
  const figure = page.frameLocator("#figure");
  await expect(figure.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 60_000 });
  await expect(figure.locator('figure[data-panel="through-time"]')).toBeVisible();
  for (const panel of ["surface", "time-heat", "loss", "sigma"]) await expect(figure.locator(`figure[data-panel="${panel}"]`)).toBeHidden();
  for (const key of ["cell", "presets"]) await expect(figure.locator(`[data-param="${key}"]`)).toBeHidden();
  await expect(figure.locator('[data-param="length"]')).toBeVisible();
  await expect(figure.locator("[data-badge=through-time]")).toHaveText("vanishing");
  const lastState = () => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").pop());
  await page.evaluate(() =>
    document.getElementById("figure").contentWindow.postMessage({ type: "deep-signal:set", params: { length: 20, steps: 5 } }, "*"),
  );
  await expect.poll(async () => (await lastState())?.readouts?.step, { timeout: 30_000 }).toBe("5");
  const state = await lastState();
  expect(state.params).toMatchObject({ view: "rnn", length: "20", steps: "5" });
  // The gradient reaching the first of 20 time steps, as the readout gives it, is finite.
  expect(Number(state.readouts["grad-norm-t1"])).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test("projector mode at 1920 × 1080: two of the recurrent lab's figures fill the screen's width, their words larger than the light theme's", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const measure = async (query) => {
    await open(page, query);
    const widths = {};
    for (const panel of ["surface", "through-time", "loss"]) {
      widths[panel] = (await page.locator(`figure[data-panel="${panel}"] canvas`).first().boundingBox()).width;
    }
    const note = await page.locator('figure[data-panel="loss"] [data-note]').first().evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
    return { widths, note };
  };
  const light = await measure("view=rnn&preset=identity&steps=10");
  const projector = await measure("view=rnn&theme=projector&preset=identity&steps=10");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "projector");
  for (const panel of Object.keys(light.widths)) {
    // Two figures side by side fill the screen beside the controls.
    expect(projector.widths[panel], panel).toBeGreaterThan(700);
  }
  expect(projector.note).toBeGreaterThanOrEqual(1.2 * light.note);
});

for (const [name, query] of [["light", "view=rnn"], ["projector", "view=rnn&theme=projector"], ["embedded", "view=rnn&embed=1&panel=surface"]]) {
  test(`axe finds no serious or critical violations in the recurrent lab (${name})`, async ({ page }) => {
    await open(page, query);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  });
}
