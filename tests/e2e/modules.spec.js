// The three builds of the app: the explorer's and the training lab's pages load their own,
// lighter modules; the remedies lab, the lecture and in-page figures load the full one.
// All of them compute the same numbers.
const { test, expect } = require("@playwright/test");
const { open, waitReady, readout, watchErrors, TRAIN_RUNS } = require("./helpers");

/** Records the wasm files a page requests, by their path under the app's folder. */
function watchWasm(page) {
  const wasm = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith(".wasm")) wasm.push(url.pathname.replace(/^\/courses\/deep-signal\//, ""));
  });
  return wasm;
}

/** Every readout in `scope` (a page or an element), as `{ key: exact value }`. */
function readouts(scope) {
  return scope.locator("[data-readout]").evaluateAll((list) =>
    Object.fromEntries(list.map((r) => [r.getAttribute("data-readout"), r.getAttribute("data-value")])),
  );
}

test("the explorer's page loads only the explorer's own module", async ({ page }) => {
  const wasm = watchWasm(page);
  const errors = watchErrors(page);
  await open(page, "depth=50&w=0.8");
  expect(wasm).toEqual(["explorer/deep-signal_bg.wasm"]);
  expect(await page.locator("#deep-signal").getAttribute("data-view")).toBe("explorer");
  // The navigation still leads to every view, carrying the shared parameters.
  await expect(page.locator("a[data-view-link=train]")).toHaveAttribute("href", /view=train.*depth=50/);
  await expect(page.locator("a[data-view-link=remedies]")).toHaveAttribute("href", /view=remedies/);
  expect(errors).toEqual([]);
});

test("the training lab loads only its own module, the remedies lab only the full one, whatever the case of view=", async ({ page }) => {
  for (const [query, view, module] of [
    ["view=train", "train", "train/deep-signal_bg.wasm"],
    ["view=%20TRAIN%20&depth=30", "train", "train/deep-signal_bg.wasm"],
    ["view=%20Remedies%20", "remedies", "deep-signal_bg.wasm"],
  ]) {
    const wasm = watchWasm(page);
    const errors = watchErrors(page);
    await open(page, query);
    expect(await page.locator("#deep-signal").getAttribute("data-view")).toBe(view);
    expect(wasm).toEqual([module]);
    expect(errors).toEqual([]);
    page.removeAllListeners("request");
    page.removeAllListeners("pageerror");
    page.removeAllListeners("console");
  }
  // The training lab's module still leads to every view, carrying the shared parameters.
  await open(page, "view=train&depth=30");
  await expect(page.locator("a[data-view-link=explorer]")).toHaveAttribute("href", /depth=30/);
  await expect(page.locator("a[data-view-link=remedies]")).toHaveAttribute("href", /view=remedies.*depth=30/);
});

test("a view the page's first guess misses still opens, on the full module", async ({ page }) => {
  // U+0085 (next line) is white space to Rust's trim, which the app uses, but not to
  // JavaScript's: the page guesses the explorer, whose module finds it lacks the view and
  // hands over to the full one.
  const wasm = watchWasm(page);
  const errors = watchErrors(page);
  await open(page, "view=%C2%85train&depth=40");
  expect(await page.locator("#deep-signal").getAttribute("data-view")).toBe("train");
  expect(await readout(page, "step")).toBe("0");
  expect(await page.locator('input[type=range][name="depth"]').inputValue()).toBe("40");
  expect(wasm).toEqual(["explorer/deep-signal_bg.wasm", "deep-signal_bg.wasm"]);
  expect(errors).toEqual([]);
});

/**
 * The readouts of in-page figures, one per query, on a page of the app's folder: these run
 * the full module.
 */
async function figureReadouts(page, name, queries) {
  const figures = queries
    .map((q, i) => `<div id="f${i}" data-deep-signal="${q.replace(/&/g, "&amp;")}"></div>`)
    .join("\n");
  await page.route(`**/examples/${name}.html`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><title>${name}</title><body>${figures}<script type="module" src="../figures.js"></script></body></html>`,
    }),
  );
  await page.goto(`./examples/${name}.html`);
  const all = [];
  for (let i = 0; i < queries.length; i++) {
    const figure = page.locator(`#f${i}`);
    await figure.scrollIntoViewIfNeeded();
    await expect(figure).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
    all.push(await readouts(figure));
  }
  return all;
}

test("the explorer's module and the full one compute the same readouts, bit for bit", async ({ page }) => {
  const queries = [
    "depth=50&w=0.8&b=0.1&x=1&dtype=f32",
    "depth=1000&w=1.0001&b=0&x=1&dtype=f16",
    "depth=10000&w=4&b=0&x=1&dtype=bf16",
    "depth=300&w=0.97&b=0.02&x=-3&dtype=f64",
  ];
  // The explorer's own module, on its page.
  const own = [];
  for (const q of queries) {
    await open(page, q);
    own.push(await readouts(page.locator("#deep-signal")));
  }
  const full = await figureReadouts(page, "explorer-both", queries.map((q) => `view=explorer&${q}`));
  for (let i = 0; i < queries.length; i++) {
    expect(Object.keys(full[i]).length).toBeGreaterThan(10);
    expect(full[i], queries[i]).toEqual(own[i]);
  }
});

test("the training lab's module, optimised for size, trains the same bits as the full one", async ({ page }) => {
  test.setTimeout(90_000);
  // The readouts after `steps` steps (loss, norms, ratios, the first non-finite step).
  const queries = TRAIN_RUNS;
  const own = [];
  for (const q of queries) {
    await open(page, `view=train&${q}`);
    await expect(page.locator('[data-readout="step"]')).not.toHaveAttribute("data-value", "0");
    own.push(await readouts(page.locator("#deep-signal")));
  }
  const full = await figureReadouts(page, "train-both", queries.map((q) => `view=train&${q}`));
  for (let i = 0; i < queries.length; i++) {
    expect(Object.keys(full[i]).length).toBeGreaterThan(10);
    expect(full[i], queries[i]).toEqual(own[i]);
  }
});
