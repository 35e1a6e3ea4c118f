// The two builds of the app: the explorer's page loads its own, lighter module; the labs,
// the lecture and in-page figures load the full one. Both compute the same numbers.
const { test, expect } = require("@playwright/test");
const { open, waitReady, readout, watchErrors } = require("./helpers");

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

test("the labs load only the full module, whatever the case of view=", async ({ page }) => {
  for (const [query, view] of [
    ["view=train", "train"],
    ["view=%20Remedies%20", "remedies"],
  ]) {
    const wasm = watchWasm(page);
    await open(page, query);
    expect(await page.locator("#deep-signal").getAttribute("data-view")).toBe(view);
    expect(wasm).toEqual(["deep-signal_bg.wasm"]);
    page.removeAllListeners("request");
  }
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

test("both modules compute the same readouts, bit for bit", async ({ page }) => {
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
  // The full module, through in-page figures on a page of the app's folder.
  const figures = queries
    .map((q, i) => `<div id="f${i}" data-deep-signal="view=explorer&amp;${q.replace(/&/g, "&amp;")}"></div>`)
    .join("\n");
  await page.route("**/examples/both-modules.html", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><title>Both modules</title><body>${figures}<script type="module" src="../figures.js"></script></body></html>`,
    }),
  );
  await page.goto("./examples/both-modules.html");
  for (let i = 0; i < queries.length; i++) {
    const figure = page.locator(`#f${i}`);
    await figure.scrollIntoViewIfNeeded();
    await expect(figure).toHaveAttribute("data-state", "ready", { timeout: 15_000 });
    const full = await readouts(figure);
    expect(Object.keys(full).length).toBeGreaterThan(10);
    expect(full, queries[i]).toEqual(own[i]);
  }
});
