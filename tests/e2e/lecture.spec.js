// The lecture, live (lecture.html): every figure starts when scrolled to and reaches its
// ready state, the numbers the prose quotes are the figures' own readouts, prose buttons
// drive their figures, printing shows pictures, nothing leaves the origin, axe.
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { watchErrors, figureReadout, figureDrawn, press } = require("./helpers");


/** The ids of the page's figures, in order. */
function figureIds(page) {
  return page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => e.id));
}

test("every figure starts only when scrolled to, then reaches its ready state with a clean query; nothing leaves the origin", async ({ page, baseURL }) => {
  const errors = watchErrors(page);
  const hosts = new Set();
  page.on("request", (r) => hosts.add(new URL(r.url()).host));
  await page.goto("./lecture.html");
  const ids = await figureIds(page);
  expect(ids.length).toBeGreaterThanOrEqual(9);
  // The lecture's order: the chain first, the remedies lab last.
  const views = await page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => new URLSearchParams(e.dataset.deepSignal).get("view")));
  expect(views[0]).toBe("explorer");
  expect(views).toContain("train");
  expect(views[views.length - 1]).toBe("remedies");
  await page.waitForTimeout(500);
  for (const id of ids.slice(2)) {
    await expect(page.locator(`#${id}`)).toHaveAttribute("data-state", "waiting");
    expect(await page.locator(`#${id} canvas`).count(), id).toBe(0);
  }
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}[data-state=ready]`), id).toBeAttached({ timeout: 20_000 });
    expect(await figureDrawn(page, id), id).toBe(true);
    // The figure's query is one the app accepts as written: no corrections to report.
    await expect(page.locator(`#${id} [data-notices]`), id).toBeHidden();
  }
  expect([...hosts]).toEqual([new URL(baseURL).host]);
  expect(errors).toEqual([]);
});

test("the numbers the prose quotes are what the figures compute", async ({ page }) => {
  await page.goto("./lecture.html");
  await page.locator("#fig-chain").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-chain[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  await press(page, "Cut Figure 1 to two layers");
  expect(Number(await figureReadout(page, "fig-chain", "yn"))).toBeCloseTo(0.82, 6);
  await press(page, "Feed it x = 5 instead of 1");
  expect(Number(await figureReadout(page, "fig-chain", "yn"))).toBeCloseTo(0.500064, 6);
  await press(page, "Load the exploding case");
  expect(await figureReadout(page, "fig-chain", "first-nonfinite")).toBe("189");
  await press(page, "Double the signal at every layer");
  expect(await figureReadout(page, "fig-chain", "first-nonfinite")).toBe("128");
  await press(page, "Switch to f64");
  expect(await figureReadout(page, "fig-chain", "first-nonfinite")).toBe("none");
  await press(page, "switch to f16");
  expect(await figureReadout(page, "fig-chain", "first-nonfinite")).toBe("16");
  await press(page, "Miss by 1% below (w = 0.99, 200 layers)");
  expect(Number(await figureReadout(page, "fig-chain", "w-pow-n"))).toBeCloseTo(0.134, 3);
  await press(page, "Miss by 1% above (w = 1.01)");
  expect(Number(await figureReadout(page, "fig-chain", "w-pow-n"))).toBeCloseTo(7.32, 2);

  await page.locator("#fig-backward").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-backward[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(Number(await figureReadout(page, "fig-backward", "grad-first"))).toBeCloseTo(1.78e-5, 7);
  await press(page, "Try w = 1.2");
  expect(Number(await figureReadout(page, "fig-backward", "grad-first"))).toBeCloseTo(7583, -1);

  // Figure 3: learning rate 1 ends in NaN weights, and training stopped by itself.
  await page.locator("#fig-explode-loss").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-explode-loss[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(await figureReadout(page, "fig-explode-loss", "diagnosis")).toBe("exploding");
  expect(Number(await figureReadout(page, "fig-explode-loss", "nonfinite-weight-layers"))).toBe(50);

  // Figure 4's real network: a 50-layer tanh MLP at σ = 2, whose weight gradients grow
  // toward the input to about 140 times the output layer's at step 1.
  await page.locator("#fig-explode-grads").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-explode-grads[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  await press(page, "Load a 50-layer tanh MLP whose weights start too large");
  await expect.poll(() => figureReadout(page, "fig-explode-grads", "step"), { timeout: 20_000 }).toBe("1");
  await expect(page.locator("#fig-explode-grads[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  const growth = Number(await figureReadout(page, "fig-explode-grads", "grad-norm-first")) / Number(await figureReadout(page, "fig-explode-grads", "grad-norm-last"));
  expect(Math.round(growth / 10) * 10).toBe(140);
  expect(await figureReadout(page, "fig-explode-grads", "diagnosis")).toBe("exploding");

  // Figure 13: Xavier's RMS falls about 30,000-fold over 30 ReLU layers; He's holds.
  await page.locator("#fig-init").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-init[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  const fall = Number(await figureReadout(page, "fig-init", "a-rms-first")) / Number(await figureReadout(page, "fig-init", "a-rms-last"));
  expect(fall).toBeGreaterThan(5_000);
  expect(fall).toBeLessThan(200_000);
  expect(await figureReadout(page, "fig-init", "b-diagnosis")).toBe("healthy");

  // Figure 8: through 100 time steps, the first gets about 2e-20 of the last one's gradient.
  await page.locator("#fig-rnn-time").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-rnn-time[data-state=ready]")).toBeAttached({ timeout: 30_000 });
  expect(await figureReadout(page, "fig-rnn-time", "step")).toBe("100");
  const through = Number(await figureReadout(page, "fig-rnn-time", "grad-norm-t1")) / Number(await figureReadout(page, "fig-rnn-time", "grad-norm-tT"));
  expect(through).toBeGreaterThan(1e-20);
  expect(through).toBeLessThan(3e-20);
  expect(await figureReadout(page, "fig-rnn-time", "diagnosis")).toBe("vanishing");
});

test("Switch to an LSTM: Figure 8's gradient reaches the first time step about ten decades further", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("./lecture.html");
  await page.locator("#fig-rnn-time").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-rnn-time[data-state=ready]")).toBeAttached({ timeout: 30_000 });
  const ratio = async () =>
    Number(await figureReadout(page, "fig-rnn-time", "grad-norm-t1")) / Number(await figureReadout(page, "fig-rnn-time", "grad-norm-tT"));
  const plain = await ratio();
  await page.getByRole("button", { name: "Switch to an LSTM" }).click();
  await expect.poll(ratio, { timeout: 60_000 }).toBeGreaterThan(1e-12);
  await expect(page.locator("#fig-rnn-time[data-state=ready]")).toBeAttached({ timeout: 60_000 });
  expect(await figureReadout(page, "fig-rnn-time", "step")).toBe("100");
  const lstm = await ratio();
  expect(Math.log10(lstm / plain)).toBeGreaterThan(9);
  expect(Math.log10(lstm / plain)).toBeLessThan(13);
  await page.getByRole("button", { name: "reset Figure 8" }).click();
  await expect.poll(ratio, { timeout: 60_000 }).toBeLessThan(1e-15);
});

test("prose buttons drive their figures, from the keyboard too, and a training figure replays", async ({ page }) => {
  await page.goto("./lecture.html");
  await page.locator("#fig-vanish-loss").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-vanish-loss[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(await figureReadout(page, "fig-vanish-loss", "step")).toBe("300");
  const button = page.getByRole("button", { name: "Shorten it to 3 layers" });
  await button.focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.evaluate(() => document.getElementById("fig-vanish-loss").get().params.depth)).toBe("3");
  // The preset plays from step 0.
  await expect.poll(async () => Number(await figureReadout(page, "fig-vanish-loss", "step"))).toBeGreaterThan(0);
  await page.locator("#fig-residual").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-residual[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(await figureReadout(page, "fig-residual", "d-config")).not.toBe("none");
  await press(page, "Compare plain Xavier with its residual version");
  expect(await figureReadout(page, "fig-residual", "c-config")).toBe("none");
  expect(await figureReadout(page, "fig-residual", "b-config")).toContain("res");
});

test("every prose button is accepted by its figure and leaves it with no corrections", async ({ page }) => {
  const warnings = [];
  page.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") warnings.push(m.text());
  });
  await page.goto("./lecture.html");
  const buttons = page.locator("button[data-deep-signal-for]");
  const count = await buttons.count();
  expect(count).toBeGreaterThan(20);
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    const figure = await button.getAttribute("data-deep-signal-for");
    const set = new URLSearchParams(await button.getAttribute("data-deep-signal-set"));
    await button.click();
    await expect(page.locator(`#${figure}[data-state=ready]`)).toBeAttached({ timeout: 20_000 });
    const params = await page.evaluate((id) => document.getElementById(id).get().params, figure);
    for (const [key, value] of set) {
      if (key !== "preset") expect(params[key], `${figure}: ${key}`).toBe(value);
    }
    await expect(page.locator(`#${figure} [data-notices]`)).toBeHidden();
  }
  expect(warnings).toEqual([]);
});

test("printing shows a picture of every figure, and no controls", async ({ page }) => {
  await page.goto("./lecture.html");
  await expect(page.locator("#fig-chain")).toHaveAttribute("data-state", /waiting|ready/);
  await page.emulateMedia({ media: "print" });
  for (const id of await figureIds(page)) {
    await expect(page.locator(`#${id} canvas`).first(), id).toBeAttached({ timeout: 15_000 });
    expect(await figureDrawn(page, id), id).toBe(true);
    await expect(page.locator(`#${id} .ds-controls`)).toBeHidden();
  }
  await expect(page.locator(".ds-theme")).toBeHidden();
});

for (const theme of ["light", "dark", "projector"]) {
  test(`axe finds no serious or critical violations on the lecture (${theme})`, async ({ page }) => {
    await page.goto("./lecture.html");
    await page.getByLabel("Theme").selectOption(theme);
    await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
    for (const id of ["fig-chain", "fig-explode-loss", "fig-init"]) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await expect(page.locator(`#${id}[data-state=ready]`)).toBeAttached({ timeout: 15_000 });
      await expect(page.locator(`#${id}`)).toHaveAttribute("data-theme", theme);
    }
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  });
}

test("on a phone the lecture fits the screen, formulas in MathML", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.goto("./lecture.html");
  expect(await page.locator("math").count()).toBeGreaterThan(10);
  await page.locator("#fig-chain").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-chain[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await context.close();
});

test("every figure shows its own sentence under its plot, on screen and on paper", async ({ page }) => {
  await page.goto("./lecture.html");
  await expect(page.locator(".ds-lede")).toContainText("point at a plot to read the value");
  for (const id of await figureIds(page)) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}[data-state=ready]`), id).toBeAttached({ timeout: 20_000 });
    // The shown panel's note: visible, not empty, under the plot.
    const note = page.locator(`#${id} .ds-plot:not([hidden]) [data-note]`).first();
    await expect(note, id).toBeVisible();
    expect((await note.textContent()).trim().length, id).toBeGreaterThan(20);
    const noteTop = await note.evaluate((e) => e.getBoundingClientRect().top);
    const canvasBottom = await page.locator(`#${id} canvas`).first().evaluate((e) => e.getBoundingClientRect().bottom);
    expect(noteTop, id).toBeGreaterThanOrEqual(canvasBottom - 1);
  }
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("#fig-explode-loss .ds-plot:not([hidden]) [data-note]").first()).toBeVisible();
});

test("printing right after loading prints every training figure at its final step, never untrained", async ({ page }) => {
  await page.goto("./lecture.html");
  await expect(page.locator("#fig-chain")).toHaveAttribute("data-state", /waiting|ready|busy/);
  // Printed at once: no figure below the first screen has been scrolled to or trained.
  await page.emulateMedia({ media: "print" });
  const figures = await page.evaluate(() =>
    [...document.querySelectorAll("[data-deep-signal]")].map((e) => [e.id, new URLSearchParams(e.dataset.deepSignal)]).map(([id, q]) => [id, q.get("view"), q.get("steps")]),
  );
  let trained = 0;
  for (const [id, view, steps] of figures) {
    await expect(page.locator(`#${id} canvas`).first(), id).toBeAttached({ timeout: 15_000 });
    if (view !== "train" || !steps) continue;
    trained++;
    // Its final step: the one asked for, or the one where the run stopped itself.
    const halt = await figureReadout(page, id, "halt-step");
    expect(await figureReadout(page, id, "step"), id).toBe(halt === "none" ? steps : halt);
    expect(await figureReadout(page, id, "diagnosis"), id).not.toBe("untrained");
    await expect(page.locator(`#${id} .ds-plot:not([hidden]) [data-badge]`).first(), id).not.toHaveText(/untrained/i);
  }
  expect(trained).toBeGreaterThanOrEqual(6);
});

/** The pages of a PDF: each page's text (without white space, which the PDF's text runs
 * break arbitrarily) and its pictures. Chromium prints a canvas as an image of what was
 * copied onto it (the plot's axes, grid and legend) with the lines drawn since as vector
 * paths over it; so each picture counts the paths that follow it inside its own area in a
 * saturated colour: the curves and markers (legend samples are filled bars, never lines,
 * and axes, grid and text are grey). */
async function pdfPages(buffer) {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await pdfjs.getDocument({ data: new Uint8Array(buffer), isEvalSupported: false }).promise;
  const saturated = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return Math.max(r, g, b) - Math.min(r, g, b) > 60;
  };
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const text = (await page.getTextContent()).items.map((item) => item.str).join("").replace(/\s+/g, "");
    const { fnArray, argsArray } = await page.getOperatorList();
    const pictures = [];
    let stroke = "#000000";
    for (let k = 0; k < fnArray.length; k++) {
      const [op, args] = [fnArray[k], argsArray[k]];
      if (op === pdfjs.OPS.paintImageXObject) {
        pictures.push({ width: args[1], height: args[2], curves: 0 });
      } else if (op === pdfjs.OPS.setStrokeRGBColor) {
        stroke = args[0];
      } else if (op === pdfjs.OPS.constructPath && args[0] === pdfjs.OPS.stroke && pictures.length) {
        const picture = pictures[pictures.length - 1];
        const [x0, y0, x1, y1] = args[2];
        const inside = x0 >= 0 && y0 >= 0 && x1 <= picture.width && y1 <= picture.height;
        if (inside && saturated(stroke)) picture.curves++;
      }
    }
    pages.push({ text, pictures });
  }
  return pages;
}

test("printed to PDF right after loading, every figure is on one page with its data, caption and note", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto("./lecture.html");
  // Right after loading: the figures are set up and waiting to be scrolled to; none has
  // trained or drawn yet.
  await expect(page.locator("[data-deep-signal]:not([data-state])")).toHaveCount(0, { timeout: 15_000 });
  const figures = await page.evaluate(() =>
    [...document.querySelectorAll("figure.ds-lecture-figure")].map((f) => ({
      id: f.querySelector("[data-deep-signal]").id,
      caption: f.querySelector("figcaption").textContent.match(/^Figure \d+\./)[0],
    })),
  );
  expect(figures.length).toBeGreaterThanOrEqual(12);
  const pages = await pdfPages(await page.pdf({ format: "A4", printBackground: true }));
  // One picture per figure: a figure split over two pages would print its canvas twice.
  expect(pages.reduce((n, p) => n + p.pictures.length, 0)).toBe(figures.length);
  for (const { id, caption } of figures) {
    const on = pages.filter((p) => p.text.includes(caption.replace(/\s+/g, "")));
    expect(on.length, `${id}: ${caption} printed once`).toBe(1);
    const [printed] = on;
    expect(printed.pictures.length, `${id}: its picture is on its caption's page`).toBeGreaterThanOrEqual(1);
    for (const picture of printed.pictures) {
      expect(picture.curves, `${id}: a picture with data`).toBeGreaterThan(0);
    }
    // Its note, with the numbers the prose quotes, printed on the same page.
    const note = await page.locator(`#${id} .ds-plot:not([hidden]) [data-note]`).first().textContent();
    expect(printed.text, `${id}: its note`).toContain(note.replace(/\s+/g, "").slice(0, 60));
    expect(printed.text, `${id}: never printed untrained`).not.toMatch(/UNTRAINED/i);
  }
});
