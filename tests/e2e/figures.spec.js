// In-page figures (figures.js): the smallest page for course authors, the course-notes
// example, the element methods and events, starting on scroll and pausing off screen,
// the host page's theme, and printing.
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { watchErrors, figureReadout, figureDrawn } = require("./helpers");


test("the smallest page for course authors works from a sub-path, and its button drives the figure", async ({ page, baseURL }) => {
  const errors = watchErrors(page);
  const hosts = new Set();
  page.on("request", (r) => hosts.add(new URL(r.url()).host));
  await page.goto("./examples/smallest.html");
  await expect(page.locator("#chain[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  expect(await figureReadout(page, "chain", "regime")).toBe("vanishing");
  expect(await figureDrawn(page, "chain")).toBe(true);
  // Embedded: one plot, no header; the link to the full page keeps the state.
  await expect(page.locator("#chain canvas[data-plot=gradients]")).toBeHidden();
  await expect(page.locator("#chain .ds-header")).toBeHidden();
  await page.getByRole("button", { name: "Try w = 1.1" }).click();
  await expect(page.locator('#chain [data-readout="regime"]')).toHaveAttribute("data-value", "exploding");
  // A link in the prose drives its figure the same way, without following its href.
  await page.evaluate(() => {
    const a = document.createElement("a");
    a.href = "#chain";
    a.textContent = "back to w = 0.9";
    a.setAttribute("data-deep-signal-for", "chain");
    a.setAttribute("data-deep-signal-set", "w=0.9");
    document.querySelector("p").append(a);
  });
  await page.getByRole("link", { name: "back to w = 0.9" }).click();
  await expect(page.locator('#chain [data-readout="regime"]')).toHaveAttribute("data-value", "vanishing");
  expect(new URL(page.url()).hash).toBe("");
  await page.getByRole("button", { name: "Try w = 1.1" }).click();
  await expect(page.locator('#chain [data-readout="regime"]')).toHaveAttribute("data-value", "exploding");
  await expect(page.locator("#chain [data-open-full]")).toHaveAttribute("href", /\/courses\/deep-signal\/\?view=explorer&depth=50&w=1\.1&/);
  // The host page's own URL and theme are left alone.
  expect(new URL(page.url()).search).toBe("");
  expect(await page.evaluate(() => document.documentElement.hasAttribute("data-theme"))).toBe(false);
  expect([...hosts]).toEqual([new URL(baseURL).host]);
  expect(errors).toEqual([]);
});

test("the course-notes example's buttons drive its in-page figures, which report their state", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("./examples/course-notes.html");
  await expect(page.locator("#figure-1[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  await expect(page.locator("#figure-2[data-state=ready]")).toBeAttached();
  await page.getByRole("button", { name: "Now try w = 1.1" }).click();
  await expect(page.locator('#figure-1 [data-readout="regime"]')).toHaveAttribute("data-value", "exploding");
  await expect(page.locator("#figure-1-state")).toContainText("w = 1.1, 50 layers, exploding");
  await page.getByRole("button", { name: "With w = 0.5" }).click();
  await expect(page.locator('#figure-2 [data-readout="zero-grad-layers"]')).toHaveAttribute("data-value", "50");
  // Two figures of one view in one document: their controls do not share ids or radio groups.
  await page.locator("#figure-2").getByRole("radio", { name: "dy_n/dw_k" }).check();
  await expect.poll(() => page.evaluate(() => document.getElementById("figure-2").get().params.grad)).toBe("weight");
  expect(await page.locator('#figure-1 [data-param=grad] input[value=activation]').isChecked()).toBe(true);
  const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((e) => e.id));
  expect(new Set(ids).size).toBe(ids.length);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  expect(errors).toEqual([]);
});

test.describe("a page of twenty-one figures", () => {
  test("only the figure on screen starts; the others start when scrolled to, with the numbers of the same URL", async ({ page, context }) => {
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    for (const id of ["far", "more-0", "more-19"]) {
      await expect(page.locator(`#${id}`)).toHaveAttribute("data-state", "waiting");
      expect(await page.locator(`#${id} canvas`).count()).toBe(0);
    }
    await page.locator("#more-7").scrollIntoViewIfNeeded();
    await expect(page.locator("#more-7[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    await expect(page.locator("#more-19")).toHaveAttribute("data-state", "waiting");
    const full = await context.newPage();
    await full.goto("./?view=remedies&depth=20&width=32");
    await expect(full.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    for (const key of ["a-rms-last", "b-grad-first", "c-diagnosis"]) {
      const value = await full.locator(`[data-readout="${key}"]`).getAttribute("data-value");
      expect(value).toBeTruthy();
      expect(await figureReadout(page, "more-7", key)).toBe(value);
    }
  });

  test("methods and events set and get a figure, all or nothing", async ({ page }) => {
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    // A figure not started yet takes settings too, and starts with them.
    const waiting = await page.evaluate(() => {
      const far = document.getElementById("far");
      const state = far.set({ w: 0.5, depth: 30 });
      return [far.dataset.state, state.params.w, state.params.depth];
    });
    expect(waiting).toEqual(["waiting", "0.5", "30"]);
    const refused = await page.evaluate(() => {
      try {
        document.getElementById("far").set({ w: 0.7, depth: "lots" });
        return "accepted";
      } catch (e) {
        return e.message;
      }
    });
    expect(refused).toContain("depth");
    await page.locator("#far").scrollIntoViewIfNeeded();
    await expect(page.locator("#far[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    expect(await figureReadout(page, "far", "regime")).toBe("vanishing");
    expect(await page.evaluate(() => document.getElementById("far").get().readouts.regime)).toBe("vanishing");
    // As events: set, and a state event answers.
    const state = await page.evaluate(() => new Promise((resolve) => {
      const far = document.getElementById("far");
      far.addEventListener("deep-signal:state", (e) => resolve(e.detail), { once: true });
      far.dispatchEvent(new CustomEvent("deep-signal:set", { detail: { w: 1.2 } }));
    }));
    expect(state.type).toBe("deep-signal:state");
    expect(state.params.w).toBe("1.2");
    expect(state.readouts.regime).toBe("exploding");
    const got = await page.evaluate(() => new Promise((resolve) => {
      const far = document.getElementById("far");
      far.addEventListener("deep-signal:state", (e) => resolve(e.detail.params.depth), { once: true });
      far.dispatchEvent(new CustomEvent("deep-signal:get"));
    }));
    expect(got).toBe("30");
  });

  test("bad settings never break a figure: a bad attribute is corrected with a notice, bad calls throw and change nothing", async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    const result = await page.evaluate(() => {
      const el = document.createElement("div");
      el.id = "bad";
      el.setAttribute("data-deep-signal", "view=nope&w=%F0%9F%92%A5&depth=1e99&panel=zz&zoom=2");
      document.querySelector("main").prepend(el);
      deepSignal.scan();
      const outcomes = [];
      for (const bad of [null, 42, [], "", { w: NaN }, { w: "1e999" }, { nope: 1 }, { preset: "nope" }, { view: "train" }]) {
        try {
          el.set(bad);
          outcomes.push("accepted");
        } catch (e) {
          outcomes.push(e instanceof Error ? "Error" : typeof e);
        }
      }
      el.dispatchEvent(new CustomEvent("deep-signal:set", { detail: 17 }));
      el.dispatchEvent(new CustomEvent("deep-signal:set"));
      return outcomes;
    });
    expect(result).toEqual(Array(9).fill("Error"));
    const bad = page.locator("#bad");
    await expect(bad).toHaveAttribute("data-state", "ready", { timeout: 15_000 });
    await expect(bad.locator("[data-notices]")).toBeVisible();
    await expect(bad.locator("[data-notices]")).toContainText("view=nope is not a view");
    await expect(bad.locator("[data-notices]")).toContainText("depth");
    const params = await page.evaluate(() => document.getElementById("bad").get().params);
    expect(params.view).toBe("explorer");
    expect(Number(params.depth)).toBe(10000);
    expect(errors).toEqual([]);
  });

  test("a training figure pauses off screen and resumes when scrolled back", async ({ page }) => {
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    // A preset named in a set call plays, as its button does.
    await page.evaluate(() => document.getElementById("train").set({ preset: "lower-lr" }));
    const step = async () => Number(await figureReadout(page, "train", "step"));
    await expect.poll(step).toBeGreaterThan(20);
    await page.locator("#far").scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    const paused = await step();
    await page.waitForTimeout(600);
    expect(await step()).toBe(paused);
    await page.locator("#train").scrollIntoViewIfNeeded();
    await expect.poll(step).toBeGreaterThan(paused);
  });

  test("figures follow the host page's theme", async ({ page }) => {
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    await page.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
    await expect(page.locator("#train")).toHaveAttribute("data-theme", "dark");
    const bg = await page.locator("#train canvas[data-plot=loss]").evaluate((c) => [...c.getContext("2d").getImageData(1, 1, 1, 1).data].slice(0, 3));
    expect(bg[0]).toBeLessThan(60);
    await page.evaluate(() => document.documentElement.setAttribute("data-theme", "projector"));
    await expect(page.locator("#train")).toHaveAttribute("data-theme", "projector");
  });

  test("printing starts every figure and shows a picture of each", async ({ page }) => {
    await page.goto("/host/figures.html");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
    await page.emulateMedia({ media: "print" });
    for (const id of ["train", "far", "more-0", "more-19"]) {
      await expect(page.locator(`#${id} canvas`).first()).toBeAttached();
      expect(await figureDrawn(page, id), id).toBe(true);
      await expect(page.locator(`#${id} .ds-controls`)).toBeHidden();
    }
  });
});

test("the app's 'Copy figure code' gives a figure that shows the same state in another page", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("./?view=explorer&depth=30&w=1.1&panel=gradients");
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  await page.getByRole("button", { name: "Copy figure code" }).click();
  await expect(page.locator("[data-toast]")).toHaveText("Figure code copied");
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  const regime = await page.locator('[data-readout="regime"]').getAttribute("data-value");
  expect(snippet).toMatch(/^<div data-deep-signal="view=explorer&amp;depth=30&amp;w=1\.1&amp;[^"]*panel=gradients" role="figure" aria-label="[^"]+"><\/div>\n<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/courses\/deep-signal\/figures\.js"><\/script>$/);
  // In a course author's page (here the smallest example, whose figures.js is already
  // running): the element becomes a figure in the same state.
  await page.goto("./examples/smallest.html");
  await expect(page.locator("#chain[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  const src = await page.evaluate((snippet) => {
    const box = document.createElement("div");
    box.innerHTML = snippet;
    document.querySelector("main").prepend(box.firstChild);
    deepSignal.scan();
    return new URL(box.querySelector("script").getAttribute("src")).pathname;
  }, snippet);
  expect(src).toBe("/courses/deep-signal/figures.js");
  const copied = page.locator("[data-deep-signal]:not(#chain)");
  await expect(copied).toHaveAttribute("data-state", "ready", { timeout: 15_000 });
  await expect(copied.locator('[data-readout="regime"]')).toHaveAttribute("data-value", regime);
  await expect(copied.locator("canvas[data-plot=activations]")).toBeHidden();
});

test("a host page may call a figure from inside its own events: each call runs after the event, none panics", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/host/figures.html");
  await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  // The pattern: when the run explodes, switch it to clipping.
  await page.evaluate(() => {
    const f = document.getElementById("train");
    window.switched = false;
    f.addEventListener("deep-signal:state", (e) => {
      if (!window.switched && e.detail.readouts.diagnosis === "exploding") {
        window.switched = true;
        window.returned = f.set({ preset: "clipping" });
      }
    });
    f.set({ preset: "exploding-lr" });
  });
  await expect.poll(() => page.evaluate(() => window.switched), { timeout: 15_000 }).toBe(true);
  await expect.poll(() => page.evaluate(() => document.getElementById("train").get().params.clip)).toBe("norm");
  // The call returned the state as it was when the event was sent.
  expect(await page.evaluate(() => window.returned.params.lr)).toBe("1");
  // Every method and event, each called once from inside a state event.
  const calls = {
    "set with an object": (f) => f.set({ lr: "0.02" }),
    "set with a query": (f) => f.set("lr=0.03"),
    get: (f) => f.get(),
    "the deep-signal:set event": (f) => f.dispatchEvent(new CustomEvent("deep-signal:set", { detail: { lr: "0.04" } })),
    "the deep-signal:get event": (f) => f.dispatchEvent(new CustomEvent("deep-signal:get")),
    "an invalid set, which still throws at once": (f) => {
      try {
        f.set({ lr: "fast" });
        return "no error";
      } catch (e) {
        return String(e.message).includes("lr") ? "threw" : String(e);
      }
    },
  };
  for (const [name, call] of Object.entries(calls)) {
    const result = await page.evaluate(
      ([name, source]) =>
        new Promise((resolve) => {
          const f = document.getElementById("train");
          const call = eval(source);
          let states = 0;
          const listener = () => {
            states++;
            if (states === 1) {
              try {
                const r = call(f);
                resolve({ name, ok: true, r: typeof r === "string" ? r : r === undefined ? "undefined" : typeof r });
              } catch (e) {
                resolve({ name, ok: false, error: String(e) });
              }
            }
          };
          f.addEventListener("deep-signal:state", listener);
          f.set({ seed: String(2 + Math.floor(Math.random() * 1000)) });
          setTimeout(() => f.removeEventListener("deep-signal:state", listener), 3000);
        }),
      [name, call.toString()],
    );
    expect(result.ok, `${name}: ${result.error}`).toBe(true);
    if (name.startsWith("an invalid")) expect(result.r).toBe("threw");
    await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  }
  await expect.poll(() => page.evaluate(() => document.getElementById("train").get().params.lr)).toBe("0.04");
  await expect(page.locator("#ds-error")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("figures taken out of the page are let go of: 20 rounds of 25 replaced figures leave nodes, listeners and memory where they were", async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  // Tall enough that every figure starts.
  await page.setViewportSize({ width: 1200, height: 16000 });
  await page.goto("/host/churn.html");
  await page.waitForFunction(() => window.deepSignal);
  const client = await page.context().newCDPSession(page);
  await client.send("Performance.enable");
  const measure = async () => {
    await client.send("HeapProfiler.collectGarbage");
    const { metrics } = await client.send("Performance.getMetrics");
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    return { nodes: m.Nodes, listeners: m.JSEventListeners, wasm: await page.evaluate(() => deepSignal.memoryBytes()) };
  };
  const round = async () => {
    const ids = await page.evaluate(() => window.replaceFigures());
    for (const id of ids) await expect(page.locator(`#${id}[data-state=ready]`)).toBeAttached({ timeout: 20_000 });
    return ids;
  };
  let first;
  const counts = [];
  for (let r = 1; r <= 20; r++) {
    const ids = await round();
    if (r === 1) first = ids;
    if (r === 5 || r === 20) counts.push(await measure());
  }
  const [at5, at20] = counts;
  // Before the fix each round added about 2,800 nodes, 360 listeners and 1 MB.
  expect(at20.nodes - at5.nodes).toBeLessThan(500);
  expect(at20.listeners - at5.listeners).toBeLessThan(50);
  expect(at20.wasm - at5.wasm).toBeLessThanOrEqual(1 << 20);
  // The first round's figures were let go of, and calling them now does nothing harmful.
  expect(await page.evaluate(() => typeof document.createElement("div").set)).toBe("undefined");
  await expect(page.locator("#ds-error")).toHaveCount(0);
  expect(first.length).toBe(25);
  expect(errors).toEqual([]);
});

test("a figure on an element that cannot hold one says so, whatever the element", async ({ page }) => {
  await page.goto("/host/churn.html");
  await page.waitForFunction(() => window.deepSignal);
  const unfit = ["svg", "select", "input", "textarea", "template", "img", "table"];
  await page.evaluate((tags) => {
    const box = document.getElementById("figures");
    for (const tag of tags) {
      const el = tag === "svg" ? document.createElementNS("http://www.w3.org/2000/svg", "svg") : document.createElement(tag);
      el.id = `on-${tag}`;
      el.setAttribute("data-deep-signal", "view=explorer&panel=activations");
      box.append(el);
    }
    const ok = document.createElement("div");
    ok.id = "on-div";
    ok.setAttribute("data-deep-signal", "view=explorer&panel=activations");
    box.append(ok);
    deepSignal.scan();
  }, unfit);
  for (const tag of unfit) {
    await expect(page.locator(`#on-${tag}`)).toHaveAttribute("data-state", "failed");
    expect(await page.evaluate((id) => { try { document.getElementById(id).set({ w: 1 }); return "no error"; } catch (e) { return e.message; } }, `on-${tag}`)).toContain("could not start");
  }
  await expect(page.locator("#ds-error")).toContainText("A deep-signal figure could not start");
  await expect(page.locator("#ds-error")).toContainText("such as <div>");
  await expect(page.locator("#on-div[data-state=ready]")).toBeAttached({ timeout: 15_000 });
});
