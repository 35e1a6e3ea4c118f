// Shared helpers of the end-to-end tests.
const { expect } = require("@playwright/test");

/** Opens the app with `query` and waits until both plots are drawn. */
async function open(page, query = "") {
  await page.goto(query ? `./?${query}` : "./");
  await waitReady(page);
}

/** Waits until the app has drawn both canvases at their current size. */
async function waitReady(page) {
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 15_000 });
}

/** The exact value behind a readout (its data-value attribute). */
function readout(page, key) {
  return page.locator(`[data-readout="${key}"]`).getAttribute("data-value");
}

/** A fingerprint of a canvas's pixels. */
function pixels(page, panel) {
  return page.locator(`canvas[data-plot="${panel}"]`).evaluate((c) => c.toDataURL());
}

/** Counts the redraws so far (User Timing measures). */
function redraws(page) {
  return page.evaluate(() => performance.getEntriesByName("deep-signal:redraw").length);
}

/** Collects console errors and uncaught page errors. */
function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/**
 * Drags a range input's thumb with the mouse from its current value to `to`, in small
 * steps, as a person would. Assumes Chromium's default thumb width.
 */
async function dragSlider(page, name, to) {
  const slider = page.locator(`input[type=range][name="${name}"]`);
  const box = await slider.boundingBox();
  const { min, max, value } = await slider.evaluate((s) => ({
    min: Number(s.min),
    max: Number(s.max),
    value: Number(s.value),
  }));
  const thumb = 8;
  const x = (v) => box.x + thumb + ((v - min) / (max - min)) * (box.width - 2 * thumb);
  const y = box.y + box.height / 2;
  await page.mouse.move(x(value), y);
  await page.mouse.down();
  await page.mouse.move(x(to), y, { steps: 12 });
  await page.mouse.up();
}

/** The exact value behind the readout `key` of the in-page figure with id `figure`. */
function figureReadout(page, figure, key) {
  return page.locator(`#${figure} [data-readout="${key}"]`).getAttribute("data-value");
}

/** Whether any pixel of the in-page figure's first shown canvas differs from its corner. */
function figureDrawn(page, figure) {
  return page.locator(`#${figure} figure:not([hidden]) canvas`).first().evaluate((c) => {
    if (!c.width || !c.height) return false;
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
    }
    return false;
  });
}

/** Presses the prose button named `name`, and waits for its figure to be ready again. */
async function press(page, name) {
  const button = page.getByRole("button", { name, exact: true });
  const figure = await button.getAttribute("data-deep-signal-for");
  await button.click();
  await expect(page.locator(`#${figure}[data-state=ready]`)).toBeAttached({ timeout: 15_000 });
  return figure;
}

/**
 * Seven training lab runs that cover both models, every number format, an exploding run,
 * momentum and both kinds of clipping (queries without `view=`), for comparing builds and
 * threads bit for bit.
 */
const TRAIN_RUNS = [
  "model=chain&depth=40&dtype=bf16&w0=0.9&init_noise=0.1&seed=7&batch=16&lr=0.05&steps=300",
  "model=chain&depth=20&dtype=f16&w0=1&lr=0.01&steps=200",
  "model=chain&depth=100&dtype=f32&w0=1&samples=256&batch=32&lr=0.001&momentum=0.9&steps=500",
  "preset=exploding-lr&steps=60",
  "model=mlp&width=24&depth=12&act=tanh&init=xavier-normal&task=circle&batch=32&lr=0.1&clip=norm&clip_max=0.5&steps=150",
  "model=mlp&width=16&depth=20&act=relu&init=kaiming&task=spiral&dtype=f64&momentum=0.5&clip=value&clip_max=0.1&lr=0.05&steps=100",
  "model=mlp&width=32&depth=50&act=tanh&init=normal&sigma=0.05&task=sine&batch=64&lr=0.001&steps=40",
];

module.exports = { open, waitReady, readout, pixels, redraws, watchErrors, dragSlider, figureReadout, figureDrawn, press, TRAIN_RUNS };
