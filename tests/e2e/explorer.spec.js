// The explorer in a real Chromium: sliders, URL state, IEEE facts, notices, HiDPI,
// scheduling, the error banner and the network.
const { test, expect } = require("@playwright/test");
const { open, waitReady, readout, pixels, redraws, watchErrors, dragSlider } = require("./helpers");

test("opens on a vanishing chain that has forgotten its input", async ({ page }) => {
  await open(page);
  expect(await readout(page, "regime")).toBe("vanishing");
  const share = Number(await readout(page, "input-share"));
  expect(share).toBeLessThan(1e-4);
  await expect(page.locator("[data-note=activations]")).toContainText("Vanishing");
  await expect(page.locator("tr[data-row=vanishing]")).toHaveAttribute("aria-current", "true");
  // The formula is MathML with the values substituted.
  await expect(page.locator("[data-formula] math").nth(1)).toContainText("0.8");
});

test("dragging w with the mouse changes readouts, pixels and the URL", async ({ page }) => {
  await open(page, "depth=50&w=0.8");
  const before = { acts: await pixels(page, "activations"), grads: await pixels(page, "gradients") };
  await dragSlider(page, "w", 1.5);
  await expect.poll(() => readout(page, "regime")).toBe("exploding");
  const w = Number(await page.locator('input[type=range][name="w"]').inputValue());
  expect(w).toBeGreaterThan(1.3);
  await expect.poll(() => new URL(page.url()).searchParams.get("w")).toBe(String(w));
  expect(await pixels(page, "activations")).not.toBe(before.acts);
  expect(await pixels(page, "gradients")).not.toBe(before.grads);
  expect(await page.locator('[data-number="w"]').inputValue()).toBe(String(w));
});

test("the w slider stops at exactly 1 when dragged near it", async ({ page }) => {
  await open(page, "w=0.5");
  await dragSlider(page, "w", 1.004);
  await expect.poll(() => readout(page, "regime")).toBe("stable");
  await expect.poll(() => new URL(page.url()).searchParams.get("w")).toBe("1");
});

for (const [dtype, layer] of [["f16", "16"], ["bf16", "128"], ["f32", "128"], ["f64", "1024"]]) {
  test(`a URL restores its state: w=2 in ${dtype} overflows at layer ${layer}`, async ({ page }) => {
    await open(page, `depth=2000&w=2&b=0&x=1&dtype=${dtype}`);
    expect(await readout(page, "first-nonfinite")).toBe(layer);
    expect(await readout(page, "yn")).toBe("Infinity");
    await expect(page.locator('select[name="dtype"]')).toHaveValue(dtype);
    await expect(page.locator('[data-number="depth"]')).toHaveValue("2000");
  });
}

test("the issue's example URL shows the IEEE facts", async ({ page }) => {
  await open(page, "depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight");
  expect(await readout(page, "first-nonfinite")).toBe("128");
  expect(await readout(page, "yn-closed")).toBe("1.6069380442589903e+60");
  expect(await readout(page, "regime")).toBe("exploding");
  await expect(page.locator('input[name="scale"][value="linear"]')).toBeChecked();
  await expect(page.locator('input[name="grad"][value="weight"]')).toBeChecked();
  // The URL is rewritten in full, in the same order every time.
  await expect
    .poll(() => new URL(page.url()).search)
    .toBe("?view=explorer&depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight");
});

test("the regime is that of w as stored: 1.0001 is exactly 1 in f16", async ({ page }) => {
  await open(page, "depth=100&w=1.0001&b=0&x=1&dtype=f16");
  expect(await readout(page, "regime")).toBe("stable");
  expect(await readout(page, "stored-w")).toBe("1");
  const note = page.locator("[data-note=activations]");
  await expect(note).toContainText("Stable: 1.0001 is stored as 1 in f16: every layer multiplies by exactly 1");
  await expect(note).not.toContainText("Exploding");
  await expect(page.locator("[data-note=gradients]")).toContainText("1.0001 is stored as 1 in f16");
  await expect(page.locator("[data-badge=activations]")).toHaveText("stable");
  await expect(page.locator('input[type=range][name="w"]')).toHaveAttribute("aria-valuetext", "1.0001, stable");
  // In f32 the same w stays above 1, and the page never calls it 1.
  await page.locator('select[name="dtype"]').selectOption("f32");
  await expect.poll(() => readout(page, "regime")).toBe("exploding");
  await expect(note).toContainText("every layer scales the signal by 1.0001");
});

test("the closed form keeps its answer beyond f64's range", async ({ page }) => {
  await open(page, "depth=10000&w=4&b=0&x=1&dtype=f32");
  expect(await readout(page, "yn")).toBe("Infinity");
  // log10(4^10000) = 20000 log10(2) = 6020.5999132796239…
  expect(await readout(page, "yn-closed-log10")).toBe("6020.599913279624");
  await expect(page.locator('[data-readout="yn-closed"]')).toHaveText("≈ 3.98 × 10^6020");
  await expect(page.locator('[data-readout="w-pow-n"]')).toHaveText("≈ 3.98 × 10^6020");
  expect(await readout(page, "input-share")).toBe("1");
  await expect(page.locator('[data-readout="rel-diff"]')).toContainText("f32 ran out of range and gives inf from layer 64");
  await expect(page.locator('[data-readout="rel-diff"]')).toContainText("≈ 3.98 × 10^6020 is a finite number");
  const formula = page.locator("[data-formula] math").nth(2);
  await expect(formula).toContainText("3.98");
  await expect(formula).toContainText("6020");
  await expect(formula).not.toContainText("inf");
});

test("gradients underflow to exactly 0 in the first 50 of 200 f32 layers", async ({ page }) => {
  await open(page, "depth=200&w=0.5&b=0&x=1&dtype=f32");
  expect(await readout(page, "zero-grad-layers")).toBe("50");
  expect(await readout(page, "first-underflow")).toBe("150");
});

test("garbage parameters give a plain notice and no console error", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "depth=abc&w=9e999&dtype=f8&scale=sideways&x=&bogus=1");
  const notices = page.locator("[data-notices]");
  await expect(notices).toBeVisible();
  await expect(notices).toContainText("depth=abc is not a number; using 50");
  await expect(notices).toContainText("w=9e999 is above the maximum 4; using 4");
  await expect(notices).toContainText("dtype=f8 is not one of f16, bf16, f32, f64; using f32");
  await expect(notices).toContainText("scale=sideways is not one of log, linear; using log");
  await expect(notices).toContainText("x is empty; using 1");
  await expect(notices).toContainText("bogus is not a setting of this page; ignored");
  expect(await readout(page, "regime")).toBe("exploding");
  await page.locator("[data-dismiss]").click();
  await expect(notices).toBeHidden();
  expect(errors).toEqual([]);
});

test("a number typed out of range is clamped with a notice", async ({ page }) => {
  await open(page);
  const box = page.locator('[data-number="w"]');
  await box.fill("9");
  await box.press("Enter");
  await expect(page.locator("[data-notices]")).toContainText("w=9 is above the maximum 4; using 4");
  await expect(box).toHaveValue("4");
  await expect.poll(() => readout(page, "w-pow-n")).toBe(String(4 ** 50));
});

test("presets jump to each regime", async ({ page }) => {
  await open(page);
  for (const [label, regime] of [["Exploding", "exploding"], ["Ideal", "stable"], ["Vanishing", "vanishing"]]) {
    await page.getByRole("button", { name: label, exact: true }).click();
    await expect.poll(() => readout(page, "regime")).toBe(regime);
  }
});

test("input events are coalesced into one redraw per frame", async ({ page }) => {
  await open(page);
  const counted = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const slider = document.querySelector('input[type=range][name="w"]');
        const before = performance.getEntriesByName("deep-signal:redraw").length;
        for (let i = 0; i < 50; i++) {
          slider.value = String(0.5 + i / 100);
          slider.dispatchEvent(new Event("input", { bubbles: true }));
        }
        // The redraw runs in the very next frame, once.
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            resolve(performance.getEntriesByName("deep-signal:redraw").length - before),
          ),
        );
      }),
  );
  expect(counted).toBe(1);
  expect(await readout(page, "stored-w")).toBe(String(Math.fround(0.99)));
});

test("at deviceScaleFactor 2 each canvas's backing store is twice its CSS size", async ({ browser }) => {
  const context = await browser.newContext({ deviceScaleFactor: 2, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await open(page);
  for (const panel of ["activations", "gradients"]) {
    const size = await page.locator(`canvas[data-plot="${panel}"]`).evaluate((c) => {
      const r = c.getBoundingClientRect();
      return { w: c.width, h: c.height, cssW: r.width, cssH: r.height };
    });
    expect(Math.abs(size.w - 2 * size.cssW)).toBeLessThanOrEqual(1);
    expect(Math.abs(size.h - 2 * size.cssH)).toBeLessThanOrEqual(1);
  }
  // Resizing the window resizes the backing store.
  await page.setViewportSize({ width: 900, height: 900 });
  await expect
    .poll(() => page.locator('canvas[data-plot="activations"]').evaluate((c) => Math.abs(c.width - 2 * c.getBoundingClientRect().width)))
    .toBeLessThanOrEqual(1);
  await context.close();
});

test("a Rust panic shows a banner with its message", async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    setTimeout(() => window.wasmBindings.debug_panic("the test's deliberate panic"));
  });
  const banner = page.locator("#ds-error");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("the test's deliberate panic");
});

test("the page requests nothing from any other host", async ({ page, baseURL }) => {
  const hosts = new Set();
  page.on("request", (r) => hosts.add(new URL(r.url()).host));
  await open(page);
  await dragSlider(page, "w", 1.2);
  await expect.poll(() => readout(page, "regime")).toBe("exploding");
  expect([...hosts]).toEqual([new URL(baseURL).host]);
});

test("screenshot for the README", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await open(page);
  await page.screenshot({ path: require("node:path").join(__dirname, "..", "..", "www", "screenshot.png") });
});
