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

module.exports = { open, waitReady, readout, pixels, redraws, watchErrors, dragSlider, figureReadout, figureDrawn, press };
