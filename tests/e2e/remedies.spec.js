// The remedies lab in a real Chromium: each preset shows what its sentence promises, the
// configurations are edited as text, trained side by side, embedded, driven by messages,
// exported, and axe finds nothing serious.
const fs = require("node:fs");
const { test, expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;
const { open, readout, pixels, watchErrors } = require("./helpers");

const number = async (page, key) => Number(await readout(page, key));

async function preset(page, name) {
  await page.getByRole("button", { name }).click();
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached();
}

test("opens with four configurations measured at initialisation", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=remedies");
  for (const [letter, config] of [["a", "relu,xavier,gain:1"], ["b", "relu,he"], ["c", "relu,xavier,gain:1,bn"], ["d", "relu,he,res:sqrt"]]) {
    expect(await readout(page, `${letter}-config`)).toBe(config);
    expect(await number(page, `${letter}-rms-first`)).toBeGreaterThan(0);
  }
  expect(await readout(page, "steps")).toBe("0");
  // Theory and measurement agree within the spread a width of 64 allows.
  for (const letter of ["a", "b", "d"]) {
    const ratio = (await number(page, `${letter}-rms-last`)) / (await number(page, `${letter}-rms-last-theory`));
    expect(Math.abs(Math.log(ratio))).toBeLessThan(2);
  }
  expect(await number(page, "b-chi1")).toBeCloseTo(1, 12);
  for (const panel of ["signal", "gradients", "histogram", "phase", "loss"]) {
    expect((await pixels(page, panel)).length).toBeGreaterThan(1000);
  }
  expect(errors).toEqual([]);
});

test("He et al. 2015: Xavier's last RMS is at least 1,000 times below He's", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "He et al. 2015: 30 ReLU layers");
  const xavier = await number(page, "a-rms-last");
  const he = await number(page, "b-rms-last");
  expect(xavier * 1000).toBeLessThan(he);
  expect(await readout(page, "a-diagnosis")).toBe("vanishing");
  expect(await readout(page, "b-diagnosis")).toBe("healthy");
  expect(await readout(page, "c-config")).toBe("none");
  await expect(page.locator("[data-note=signal]")).toContainText("dashed: what mean-field theory predicts");
});

test("Glorot & Bengio: the standard init shrinks the tanh signal, Xavier's keeps it", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "Glorot & Bengio 2010: 5 tanh layers");
  expect((await number(page, "a-rms-last")) * 4).toBeLessThan(await number(page, "a-rms-first"));
  const kept = (await number(page, "b-rms-last")) / (await number(page, "b-rms-first"));
  expect(kept).toBeGreaterThan(0.7);
  expect(kept).toBeLessThan(1.4);
});

test("PyTorch's default: the biases hold the ReLU signal near the law's floor", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "PyTorch's default on deep ReLU");
  // The floor: pre-activations' mean square 2/(5n) at n = 64, halved by ReLU.
  const floor = Math.sqrt(2 / (5 * 64) / 2);
  expect(await number(page, "a-rms-last-theory")).toBeCloseTo(floor, 6);
  const measured = await number(page, "a-rms-last");
  expect(measured / floor).toBeGreaterThan(0.5);
  expect(measured / floor).toBeLessThan(2);
  expect(await number(page, "a-grad-first")).toBeLessThan(1e-6 * (await number(page, "a-grad-last")));
});

test("plain against residual: α = 1 explodes, 1/√depth stays within e, zero blocks are the identity", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "Plain against residual, depth 50");
  expect(await number(page, "b-rms-last")).toBeGreaterThan(1e5 * (await number(page, "b-rms-first")));
  expect(await readout(page, "b-diagnosis")).toBe("exploding");
  const growth = (await number(page, "c-rms-last")) / (await number(page, "c-rms-first"));
  expect(growth).toBeLessThan(Math.E);
  expect(await readout(page, "d-rms-last")).toBe(await readout(page, "d-rms-first"));
});

test("deep sigmoid: BatchNorm brings the gradient back to the first layers", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "Deep sigmoid, with and without BatchNorm");
  expect(await number(page, "a-grad-first")).toBeLessThan(1e-6 * (await number(page, "a-grad-last")));
  expect(await number(page, "b-grad-first")).toBeGreaterThan(0.1 * (await number(page, "b-grad-last")));
  expect(await readout(page, "a-diagnosis")).toBe("vanishing");
  await expect(page.locator("[data-note=gradients]")).toContainText("Yang et al., 2019");
});

test("tanh at the edge of chaos: ordered, critical and chaotic on the phase diagram", async ({ page }) => {
  await open(page, "view=remedies");
  await preset(page, "tanh at the edge of chaos");
  expect(await number(page, "a-chi1")).toBeLessThan(1);
  expect(await number(page, "a-depth-scale")).toBeLessThan(10);
  expect(await number(page, "b-depth-scale")).toBeGreaterThan(100);
  expect(await number(page, "a-trainable-depth")).toBeCloseTo(6 * (await number(page, "a-depth-scale")), 10);
  expect(await number(page, "c-chi1")).toBeGreaterThan(1);
  expect(await readout(page, "a-diagnosis")).toBe("vanishing");
  expect(await readout(page, "c-diagnosis")).toBe("exploding");
  const phase = page.locator('canvas[data-plot="phase"]');
  await expect.poll(() => phase.getAttribute("aria-label")).toContain("in the chaotic phase");
  const label = await phase.getAttribute("aria-label");
  expect(label).toContain("A at σ_w² = 1");
  expect(label).toContain("in the ordered phase");
  expect(label).toContain("in the chaotic phase");
});

test("configurations are edited as text, corrected aloud, and trained side by side", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=remedies&depth=10&width=16&steps=40&batch=16");
  expect(await readout(page, "steps")).toBe("40");
  const losses = [];
  for (const letter of ["a", "b", "c", "d"]) {
    const loss = await number(page, `${letter}-loss`);
    expect(Number.isFinite(loss)).toBe(true);
    losses.push(loss);
  }
  // The same URL gives the same numbers.
  await open(page, "view=remedies&depth=10&width=16&steps=40&batch=16");
  for (const [i, letter] of ["a", "b", "c", "d"].entries()) {
    expect(await number(page, `${letter}-loss`)).toBe(losses[i]);
  }
  // Typing a configuration: canonical in the URL and the readouts.
  const box = page.locator('input[type=text][name="b"]');
  await box.fill("BN he relu");
  await box.press("Enter");
  await expect.poll(() => readout(page, "b-config")).toBe("relu,he,bn");
  await expect.poll(() => new URL(page.url()).searchParams.get("b")).toBe("relu,he,bn");
  await expect(box).toHaveValue("relu,he,bn");
  // A word it does not know is dropped, and the page says so.
  await box.fill("relu,banana");
  await box.press("Enter");
  await expect(page.locator("[data-notices]")).toContainText("banana");
  await expect.poll(() => readout(page, "b-config")).toBe("relu,he");
  // Emptying a slot removes it; copying fills it again with the shown configuration.
  await page.locator('input[type=text][name="d"]').fill("");
  await page.locator('input[type=text][name="d"]').press("Enter");
  await expect.poll(() => readout(page, "d-config")).toBe("none");
  await page.locator('select[name="show"]').selectOption("b");
  await page.getByRole("button", { name: "Copy the shown configuration" }).click();
  await expect.poll(() => readout(page, "d-config")).toBe("relu,he");
  await expect(page.locator('select[name="show"]')).toHaveValue("d");
  await expect(page.locator('input[type=text][name="d"]')).toHaveValue("relu,he");
  await page.getByRole("button", { name: "Remove the shown configuration" }).click();
  await expect.poll(() => readout(page, "d-config")).toBe("none");
  await expect.poll(() => new URL(page.url()).searchParams.get("d")).toBe("");
  expect(errors).toEqual([]);
});

test("what the reader types in a configuration box stays there while the lab trains, until Enter", async ({ page }) => {
  const errors = watchErrors(page);
  await open(page, "view=remedies&depth=10&width=16&batch=16&a=relu,he");
  await page.locator('[data-view-action="play"]').click();
  const box = page.locator('input[type=text][name="c"]');
  await box.fill("tanh xavier");
  // Many redraws go by while the four networks train; the half-made edit is not reset.
  const steps = Number(await readout(page, "steps"));
  await expect.poll(async () => Number(await readout(page, "steps"))).toBeGreaterThan(steps + 30);
  await expect(box).toHaveValue("tanh xavier");
  await box.press("Enter");
  await expect.poll(() => readout(page, "c-config")).toBe("tanh,xavier");
  await expect(box).toHaveValue("tanh,xavier");
  // An edit that reads as the value already there is shown as read too.
  const a = page.locator('input[type=text][name="a"]');
  await a.fill("HE relu");
  await a.press("Enter");
  await expect(a).toHaveValue("relu,he");
  expect(await readout(page, "a-config")).toBe("relu,he");
  await page.locator('[data-view-action="play"]').click();
  expect(errors).toEqual([]);
});

test("res:slider follows the α slider, which shows only while a configuration uses it", async ({ page }) => {
  await open(page, "view=remedies");
  await expect(page.locator('[data-param="alpha"]')).toBeHidden();
  await open(page, "view=remedies&a=relu,he,res:slider&b=relu,he,res&c=&d=&depth=20&alpha=1");
  await expect(page.locator('[data-param="alpha"]')).toBeVisible();
  // At α = 1 the slider's configuration is exactly the res one.
  expect(await readout(page, "a-rms-last")).toBe(await readout(page, "b-rms-last"));
  const box = page.locator('[data-number="alpha"]');
  await box.fill("0.2");
  await box.press("Enter");
  await expect.poll(async () => Number(await readout(page, "a-rms-last"))).toBeLessThan(0.1 * (await number(page, "b-rms-last")));
});

test("embedded with the histograms, driven by messages", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/host/host.html?figure=" + encodeURIComponent("view=remedies&embed=1&panel=histogram&hide=a,seed"));
  const figure = page.frameLocator("#figure");
  await expect(figure.locator("#deep-signal[data-state=ready]")).toBeAttached();
  await expect(figure.locator('figure[data-panel="histogram"]')).toBeVisible();
  await expect(figure.locator('figure[data-panel="signal"]')).toBeHidden();
  await expect(figure.locator('[data-param="a"]')).toBeHidden();
  const lastState = () => page.evaluate(() => messages.filter((m) => m.type === "deep-signal:state").pop());
  await page.evaluate(() =>
    document.getElementById("figure").contentWindow.postMessage(
      { type: "deep-signal:set", params: { a: "tanh,standard", depth: 5, hist: "gradients" } },
      "*",
    ),
  );
  await expect.poll(async () => (await lastState())?.readouts?.["a-config"]).toBe("tanh,standard");
  const state = await lastState();
  expect(state.params).toMatchObject({ view: "remedies", a: "tanh,standard", depth: "5", hist: "gradients" });
  // Spoken summaries follow within a quarter of a second.
  await expect
    .poll(() => figure.locator('canvas[data-plot="histogram"]').getAttribute("aria-label"))
    .toMatch(/gradients \|dL\/dz\| at initialisation\. 6 layers\. Most of layer 1's values lie near 1e/);
  expect(errors).toEqual([]);
});

test("the CSV holds every configuration's layers and losses, matching the readouts", async ({ page }) => {
  await open(page, "view=remedies&depth=8&width=16&steps=5");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download data (CSV)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("deep-signal-remedies-n8-w16.csv");
  const rows = fs.readFileSync(await file.path(), "utf8").trim().split("\n").map((l) => l.split(","));
  expect(rows[0]).toEqual(["section", "configuration", "x", "value"]);
  const find = (section, config, x) => rows.find((r) => r[0] === section && r[1] === config && r[2] === String(x))?.[3];
  for (const letter of ["A", "B", "C", "D"]) {
    const l = letter.toLowerCase();
    expect(find("rms", letter, 1)).toBe(await readout(page, `${l}-rms-first`));
    expect(find("rms", letter, 8)).toBe(await readout(page, `${l}-rms-last`));
    expect(find("grad_norm", letter, 1)).toBe(await readout(page, `${l}-grad-first`));
    // Steps are numbered from 1, as the readout counts them: the last row is step 5.
    expect(find("loss", letter, 5)).toBe(await readout(page, `${l}-loss`));
    expect(find("loss", letter, 0)).toBe(undefined);
  }
});

test("navigation carries the depth from the training lab", async ({ page }) => {
  await open(page, "view=train&model=mlp&depth=12");
  await page.getByRole("link", { name: "4. Remedies" }).click();
  await expect(page.locator("#deep-signal[data-view=remedies]")).toBeAttached();
  await expect(page.locator('[data-number="depth"]')).toHaveValue("12");
});

for (const [name, query] of [["light", "view=remedies"], ["projector", "view=remedies&theme=projector"], ["embedded", "view=remedies&embed=1&panel=phase"]]) {
  test(`axe finds no serious or critical violations in the remedies lab (${name})`, async ({ page }) => {
    await open(page, query);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`)).toEqual([]);
  });
}

test("screenshot of the remedies lab for the README", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 1100 });
  await open(page, "view=remedies");
  await page.screenshot({ path: require("node:path").join(__dirname, "..", "..", "www", "screenshot-remedies.png") });
});

test("every readout keeps its name, label and kind of value when a slot is emptied or filled", async ({ page }) => {
  const errors = watchErrors(page);
  const check = async (when) => {
    const rows = await page.locator("dd[data-readout]").evaluateAll((dds) =>
      dds.map((dd) => ({ key: dd.dataset.readout, label: dd.previousElementSibling.textContent, value: dd.dataset.value })),
    );
    for (const { key, label, value } of rows) {
      const m = key.match(/^([abcd])-(.*)$/);
      if (!m) continue;
      expect(label.startsWith(`${m[1].toUpperCase()}: `), `${when}: ${key} labelled ${label}`).toBe(true);
      const kind = { config: "configuration", diagnosis: "diagnosis", finding: "why", "trainable-depth": "trainable depth", chi1: "χ₁" }[m[2]];
      if (kind) expect(label, `${when}: ${key}`).toContain(kind);
      if (m[2] === "diagnosis") expect(["none", "exploding", "vanishing", "healthy"], `${when}: ${key}`).toContain(value);
      if (m[2] === "chi1") expect(value === "none" || !Number.isNaN(Number(value)), `${when}: ${key} = ${value}`).toBe(true);
    }
  };
  await open(page, "view=remedies&depth=8&width=16");
  await check("at the start");
  await page.getByRole("button", { name: "Remove the shown configuration" }).click();
  await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached();
  expect(await readout(page, "a-config")).toBe("none");
  await check("after Remove");
  const box = page.locator('[data-param="a"] input');
  await box.fill("relu,he");
  await box.press("Enter");
  await expect.poll(() => readout(page, "a-config")).toBe("relu,he");
  await check("after typing into the empty slot");
  expect(errors).toEqual([]);
});
