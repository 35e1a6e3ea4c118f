// The shell every view shares, as lectures and course notes use it: themes and projector
// mode, shortcuts, embedding and the host-page API, exports, and accessibility.
const fs = require("node:fs");
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { open, readout, pixels, watchErrors } = require("./helpers");

/** Counts pixels of a canvas close to `rgb`, and reads one background pixel. */
function canvasColours(page, panel, rgb) {
  return page.locator(`canvas[data-plot="${panel}"]`).evaluate((c, rgb) => {
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) < 16 && Math.abs(data[i + 1] - rgb[1]) < 16 && Math.abs(data[i + 2] - rgb[2]) < 16) count++;
    }
    return { count, corner: [data[0], data[1], data[2]] };
  }, rgb);
}

test.describe("presentation", () => {
  test("dark mode follows the system, recolours live, and theme= overrides it", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await open(page);
    const light = await canvasColours(page, "activations", [0, 114, 178]);
    expect(light.corner).toEqual([255, 255, 255]);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(async () => (await canvasColours(page, "activations", [0, 0, 0])).corner[0]).toBeLessThan(60);
    // In the dark theme the vanishing curve is the palette's sky blue.
    expect((await canvasColours(page, "activations", [86, 180, 233])).count).toBeGreaterThan(300);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await open(page, "theme=light");
    expect((await canvasColours(page, "activations", [0, 0, 0])).corner).toEqual([255, 255, 255]);
  });

  test("projector mode has large text and thick lines", async ({ page }) => {
    await open(page, "theme=light");
    const thin = await canvasColours(page, "activations", [0, 114, 178]);
    await page.getByRole("button", { name: "Projector mode" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "projector");
    await expect.poll(() => new URL(page.url()).searchParams.get("theme")).toBe("projector");
    await expect(page.getByRole("button", { name: "Projector mode" })).toHaveAttribute("aria-pressed", "true");
    const thick = await canvasColours(page, "activations", [0, 114, 178]);
    expect(thick.count).toBeGreaterThan(1.3 * thin.count);
    // The title is drawn at 24 CSS px at least: its ink is taller than the light theme's.
    const inkHeight = (query) =>
      page.locator('canvas[data-plot="activations"]').evaluate((c) => {
        const ctx = c.getContext("2d");
        const rows = Math.round(60 * devicePixelRatio);
        const data = ctx.getImageData(0, 0, Math.round(c.width / 3), rows).data;
        let first = -1, last = -1;
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < c.width / 3; x++) {
            const i = 4 * (y * Math.round(c.width / 3) + x);
            if (data[i] < 100 && data[i + 1] < 100 && data[i + 2] < 100) {
              if (first < 0) first = y;
              last = y;
              break;
            }
          }
        }
        return (last - first) / devicePixelRatio;
      });
    expect(await inkHeight()).toBeGreaterThanOrEqual(16);
  });

  test("forced colours draw with the system colours", async ({ page }) => {
    await page.emulateMedia({ forcedColors: "active" });
    await open(page);
    const highlight = await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.style.color = "Highlight";
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color.match(/\d+/g).map(Number);
      probe.remove();
      return rgb;
    });
    await expect(page.locator("html")).toHaveAttribute("data-theme", "forced");
    expect((await canvasColours(page, "activations", highlight)).count).toBeGreaterThan(300);
  });

  test("reduced motion turns transitions off", async ({ page }) => {
    await open(page);
    const duration = () => page.locator("[data-action=csv]").evaluate((b) => getComputedStyle(b).transitionDuration);
    expect(await duration()).not.toMatch(/^0s(, 0s)*$/);
    await page.emulateMedia({ reducedMotion: "reduce" });
    expect(await duration()).toMatch(/^0s(, 0s)*$/);
  });

  test("keyboard shortcuts work, and never inside a number box", async ({ page }) => {
    await open(page, "w=0.8&depth=50");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => readout(page, "stored-w")).toBe(String(Math.fround(0.801)));
    await page.keyboard.press("Shift+ArrowLeft");
    await expect(page.locator('[data-number="w"]')).toHaveValue("0.751");
    await page.keyboard.press("ArrowUp");
    await expect(page.locator('[data-number="depth"]')).toHaveValue("51");
    await page.keyboard.press("Shift+ArrowDown");
    await expect(page.locator('[data-number="depth"]')).toHaveValue("41");
    await page.keyboard.press("3");
    await expect.poll(() => readout(page, "regime")).toBe("exploding");
    await page.keyboard.press("1");
    await expect.poll(() => readout(page, "regime")).toBe("vanishing");
    await page.keyboard.press("p");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "projector");
    await page.keyboard.press("p");
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", "projector");
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toBeHidden();
    await page.keyboard.press("f");
    await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(true);
    await page.keyboard.press("f");
    await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(false);

    // Typing in a number box types; it does not trigger shortcuts.
    const box = page.locator('[data-number="depth"]');
    await box.fill("");
    await box.type("3");
    await box.press("ArrowUp");
    await box.press("p");
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", "projector");
    expect(await readout(page, "regime")).toBe("vanishing");
    await box.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("depth")).toBe("4");
  });
});

test.describe("embedding", () => {
  test("embed mode shows one panel and hides the header, the prose and the hidden controls", async ({ page }) => {
    await open(page, "embed=1&panel=gradients&hide=b,x,presets&w=1.1");
    await expect(page.locator(".ds-header")).toBeHidden();
    await expect(page.locator(".ds-toolbar")).toBeHidden();
    await expect(page.locator(".ds-facts")).toBeHidden();
    await expect(page.locator("[data-note=gradients]")).toBeHidden();
    for (const key of ["b", "x", "presets"]) await expect(page.locator(`[data-param="${key}"]`)).toBeHidden();
    for (const key of ["depth", "w", "dtype"]) await expect(page.locator(`[data-param="${key}"]`)).toBeVisible();
    await expect(page.locator('figure[data-panel="activations"]')).toBeHidden();
    await expect(page.locator('figure[data-panel="gradients"]')).toBeVisible();
    await expect(page.locator("[data-badge=gradients]")).toHaveText("exploding");
    await expect(page.getByRole("link", { name: "Open in deep-signal" })).toHaveAttribute("href", /w=1.1/);
  });

  test("a host page gets heights, drives the figure, and malformed messages change nothing", async ({ page }) => {
    const errors = watchErrors(page);
    const warnings = [];
    page.on("console", (m) => m.type() === "warning" && m.text().startsWith("deep-signal ignored") && warnings.push(m.text()));
    await page.goto("/host/host.html?figure=" + encodeURIComponent("embed=1&depth=50&w=0.8"));
    const figure = page.frameLocator("#figure");
    await expect(figure.locator("#deep-signal[data-state=ready]")).toBeAttached();
    // Heights arrive, and the host sized the iframe to them.
    await expect.poll(() => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:height").length)).toBeGreaterThan(0);
    const { posted, frameHeight } = await page.evaluate(() => ({
      posted: messages.filter((m) => m.type === "deep-signal:height").pop().height,
      frameHeight: document.getElementById("figure").getBoundingClientRect().height,
    }));
    expect(posted).toBeGreaterThan(300);
    expect(Math.abs(frameHeight - posted)).toBeLessThan(2);

    // Drive it.
    const lastState = () => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").pop());
    await page.evaluate(() =>
      document.getElementById("figure").contentWindow.postMessage(
        { type: "deep-signal:set", params: { depth: 200, w: "2", b: 0, x: 1, dtype: "f32" } },
        "*",
      ),
    );
    await expect.poll(async () => (await lastState())?.readouts?.["first-nonfinite"]).toBe("128");
    const state = await lastState();
    expect(state.params).toMatchObject({ view: "explorer", depth: "200", w: "2", dtype: "f32", embed: "1" });
    expect(state.readouts.regime).toBe("exploding");
    expect(state.readouts["yn-closed"]).toBe("1.6069380442589903e+60");
    await expect(figure.locator('[data-readout="first-nonfinite"]')).toHaveAttribute("data-value", "128");

    // Malformed messages are ignored with a warning, never partly applied.
    const count = await page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").length);
    await page.evaluate(() => {
      const target = document.getElementById("figure").contentWindow;
      for (const m of [
        { type: "deep-signal:set", params: { w: "abc" } },
        { type: "deep-signal:set", params: { w: 1.5, depth: "zz" } },
        { type: "deep-signal:set", params: { w: 1.5, nonsense: 1 } },
        { type: "deep-signal:set", params: { w: 99 } },
        { type: "deep-signal:set", params: [1, 2] },
        { type: "deep-signal:set", params: { w: { nested: 1 } } },
        { type: "deep-signal:set", params: { w: Infinity } },
        { type: "deep-signal:set" },
        { type: "deep-signal:bogus" },
        "deep-signal:set",
        null,
        42,
        { type: "someone-else", params: { w: 3 } },
      ]) target.postMessage(m, "*");
    });
    await expect.poll(() => warnings.length).toBe(9);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").length)).toBe(count);
    await expect(figure.locator('[data-number="w"]')).toHaveValue("2");
    await expect(figure.locator('[data-number="depth"]')).toHaveValue("200");
    expect(errors).toEqual([]);

    // get answers with the current state.
    await page.evaluate(() => document.getElementById("figure").contentWindow.postMessage({ type: "deep-signal:get" }, "*"));
    await expect.poll(() => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").length)).toBe(count + 1);
  });

  test("the figure never captures the page's scroll wheel", async ({ page }) => {
    await page.goto("/host/host.html?figure=" + encodeURIComponent("embed=1"));
    await expect(page.frameLocator("#figure").locator("#deep-signal[data-state=ready]")).toBeAttached();
    const box = await page.locator("#figure").boundingBox();
    await page.mouse.move(box.x + box.width / 2, Math.min(box.y + 200, 700));
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.evaluate(() => scrollY)).toBeGreaterThan(100);
  });

  test("the iframe course-notes example loads, and its prose buttons drive the figures", async ({ page, baseURL }) => {
    const errors = watchErrors(page);
    const hosts = new Set();
    page.on("request", (r) => hosts.add(new URL(r.url()).host));
    await page.goto("./examples/iframe-notes.html");
    const first = page.frameLocator("#figure-1");
    await expect(first.locator("#deep-signal[data-state=ready]")).toBeAttached();
    await expect(page.frameLocator("#figure-2").locator("#deep-signal[data-state=ready]")).toBeAttached();
    expect(await first.locator('[data-readout="regime"]').getAttribute("data-value")).toBe("vanishing");
    await page.getByRole("button", { name: "Now try w = 1.1" }).click();
    await expect(first.locator('[data-readout="regime"]')).toHaveAttribute("data-value", "exploding");
    await expect(page.locator("#figure-1-state")).toContainText("w = 1.1");
    await page.getByRole("button", { name: "With w = 0.5" }).click();
    await expect(page.frameLocator("#figure-2").locator('[data-readout="zero-grad-layers"]')).toHaveAttribute("data-value", "50");
    expect([...hosts]).toEqual([new URL(baseURL).host]);
    expect(errors).toEqual([]);
  });
});

test.describe("export", () => {
  test("PNG at 2×, SVG from the plotting code, and CSV that matches the readouts", async ({ page }) => {
    await open(page, "depth=200&w=2&b=0&x=1&dtype=f32");
    const css = await page.locator('canvas[data-plot="activations"]').evaluate((c) => {
      const r = c.getBoundingClientRect();
      return [Math.round(r.width), Math.round(r.height)];
    });

    let download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download the activations plot as PNG" }).click();
    let file = await (await download).path();
    const png = fs.readFileSync(file);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * css[0], 2 * css[1]]);

    download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download the activations plot as SVG" }).click();
    const svgDownload = await download;
    expect(svgDownload.suggestedFilename()).toBe("deep-signal-activations-n200-w2-f32.svg");
    const svg = fs.readFileSync(await svgDownload.path(), "utf8");
    expect(svg).toContain("<svg");
    expect(svg).toMatch(/<polyline[^>]*stroke="#D55E00"/);
    expect(svg).toContain("inf from layer 128");
    expect(svg).toContain("Activations through 200 layers (f32)");

    download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download data (CSV)" }).click();
    const csv = fs.readFileSync(await (await download).path(), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(csv[0].slice(0, 4)).toEqual(["layer", "live y_k", "live dy_n/dy_k", "live dy_n/dw_k"]);
    expect(csv.length).toBe(202);
    const last = csv[csv.length - 1];
    expect(last[0]).toBe("200");
    expect(last[1]).toBe(await readout(page, "yn"));
    expect(csv[2][2]).toBe(await readout(page, "grad-first"));
    const firstInf = csv.findIndex((row, i) => i > 0 && row[1] === "Infinity") - 1;
    expect(String(firstInf)).toBe(await readout(page, "first-nonfinite"));
  });

  test("copy link, embed code and LaTeX", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await open(page, "w=1.1&depth=30");
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    await page.getByRole("button", { name: "Copy link" }).click();
    await expect(page.locator("[data-toast]")).toHaveText("Link copied");
    const link = await clipboard();
    expect(link).toContain("/courses/deep-signal/?view=explorer&depth=30&w=1.1");
    await page.getByRole("button", { name: "Copy embed code" }).click();
    await expect(page.locator("[data-toast]")).toHaveText("Embed code copied");
    const snippet = await clipboard();
    expect(snippet).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/courses\/deep-signal\/\?view=explorer&amp;depth=30&amp;w=1\.1.*&amp;embed=1" title="deep-signal: a chain of 30 layers with w = 1\.1 \(exploding\)" width="100%" height="\d+"/);
    await page.getByRole("button", { name: "Copy formula as LaTeX" }).click();
    await expect(page.locator("[data-toast]")).toHaveText("LaTeX copied");
    const latex = await clipboard();
    expect(latex).toContain("y_{30} = 1.1^{30} \\cdot 1 + 0.1 \\cdot \\frac{1 - 1.1^{30}}{1 - 1.1}");
  });
});

test.describe("accessibility", () => {
  test("sliders speak their value and regime, canvases summarise, regime changes are announced", async ({ page }) => {
    await open(page, "w=0.9&depth=50&b=0");
    await expect(page.locator('input[type=range][name="w"]')).toHaveAttribute("aria-valuetext", "0.90, vanishing");
    await expect(page.locator('canvas[data-plot="activations"]')).toHaveAttribute(
      "aria-label",
      /shrinks from 1 at layer 0 to 0\.005154 at layer 50/,
    );
    await page.getByRole("button", { name: "Exploding", exact: true }).click();
    await expect(page.locator("[data-announce]")).toHaveText(/Now exploding/);
    await expect(page.locator('canvas[data-plot="activations"]')).toHaveAttribute("aria-label", /grows from 1 at layer 0/);
    await expect(page.locator('input[type=range][name="w"]')).toHaveAttribute("aria-valuetext", "1.60, exploding");
  });

  test("show data toggles a table of the plotted values", async ({ page }) => {
    await open(page, "depth=20&w=0.5&b=0&x=1");
    const button = page.locator("[data-show-data=activations]");
    await expect(button).toHaveAttribute("aria-expanded", "false");
    await button.click();
    await expect(button).toHaveAttribute("aria-expanded", "true");
    const table = page.locator("[data-table=activations] table");
    await expect(table).toBeVisible();
    await expect(table.locator("tbody tr")).toHaveCount(21);
    await expect(table.locator("tbody tr").nth(20).locator("td").last()).toHaveText("9.537e-7");
    await button.click();
    await expect(table).toBeHidden();
  });

  for (const [name, query] of [["default", ""], ["dark", "theme=dark"], ["projector", "theme=projector"], ["embedded", "embed=1&panel=activations"]]) {
    test(`axe finds no serious or critical violations (${name})`, async ({ page }) => {
      await open(page, query);
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
    });
  }

  test("axe finds no serious or critical violations on the iframe course-notes example", async ({ page }) => {
    await page.goto("./examples/iframe-notes.html");
    await expect(page.frameLocator("#figure-1").locator("#deep-signal[data-state=ready]")).toBeAttached();
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  });
});

test("without JavaScript the page shows a picture and a sentence", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  await page.goto("./");
  const picture = page.locator("noscript img, .ds-noscript img");
  await expect(picture).toBeVisible();
  expect(await picture.evaluate((img) => img.complete && img.naturalWidth > 100)).toBe(true);
  await expect(page.locator(".ds-noscript p")).toContainText("JavaScript and WebAssembly");
  await context.close();
});

test("the pointer reads the live value at the layer under it", async ({ page }) => {
  await open(page, "depth=20&w=0.5&b=0&x=1");
  const canvas = page.locator('canvas[data-plot="activations"]');
  const box = await canvas.boundingBox();
  const tip = page.locator("[data-tip=activations]");
  let previous = -1;
  for (const fraction of [0.3, 0.5, 0.7, 0.9]) {
    await page.mouse.move(box.x + fraction * box.width, box.y + box.height / 2);
    await expect(tip).toBeVisible();
    const [, layer, value] = (await tip.textContent()).match(/^layer (\d+): y_k = (\S+)$/);
    expect(Number(layer)).toBeGreaterThan(previous);
    previous = Number(layer);
    expect(Math.abs(Number(value) / 0.5 ** Number(layer) - 1)).toBeLessThan(1e-3);
  }
  await page.mouse.move(box.x + box.width / 2, box.y - 40);
  await expect(tip).toBeHidden();
});
