// The page-wide rule in a real Chromium: no badge, note or caption contradicts the readouts
// of the figure it sits on. Every figure of the lecture is checked, then the cases a
// lecturer found saying the opposite of the lesson, and the prose buttons that promised a
// change nobody could see.
const { test, expect } = require("@playwright/test");
const { open, readout, watchErrors, figureReadout, press } = require("./helpers");

/** Every number written after `word ` in `text`. */
function numbersAfter(text, word) {
  return [...text.matchAll(new RegExp(`${word} (\\d+)`, "g"))].map((m) => Number(m[1]));
}

/** The badges and notes of a figure's shown panels, as a reader sees them. */
function captions(page, root) {
  return page.locator(root).evaluate((el) =>
    [...el.querySelectorAll("figure.ds-plot:not([hidden])")].map((f) => {
      const badge = f.querySelector(".ds-regime-badge");
      return {
        panel: f.dataset.panel,
        badge: badge.textContent,
        regime: badge.getAttribute("data-regime"),
        badgeShown: getComputedStyle(badge).display !== "none",
        note: f.querySelector("[data-note]").textContent,
      };
    }),
  );
}

/** The note's first words for a diagnosis. */
const OPENING = {
  exploding: "Exploding",
  vanishing: "Vanishing",
  healthy: "Healthy",
  "lr-zero": "The learning-rate-0 test",
  untrained: "Not trained",
};

/** Checks a training lab figure (page or in-page) against its readouts. */
async function checkTrain(page, root, read) {
  const diagnosis = await read("diagnosis");
  const step = Number(await read("step"));
  for (const c of await captions(page, root)) {
    expect(c.regime, `${root} ${c.panel}`).toBe(diagnosis);
    expect(c.badgeShown).toBe(true);
    for (const n of numbersAfter(c.note, "step")) {
      expect(n, `${root} ${c.panel}: ${c.note}`).toBeGreaterThanOrEqual(1);
      expect(n, `${root} ${c.panel}: ${c.note}`).toBeLessThanOrEqual(step);
    }
    if (c.panel === "loss") expect(c.note.startsWith(OPENING[diagnosis]), c.note).toBe(true);
  }
}

test("every figure of the lecture: badges, notes and captions agree with its readouts", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("./lecture.html");
  const ids = await page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => e.id));
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}[data-state=ready]`)).toBeAttached({ timeout: 20_000 });
    const view = await page.locator(`#${id}`).getAttribute("data-view");
    const read = (key) => figureReadout(page, id, key);
    const caption = await page.locator(`#${id}`).evaluate((el) => el.closest("figure.ds-lecture-figure").querySelector(":scope > figcaption").textContent);
    if (view === "train") {
      await checkTrain(page, `#${id}`, read);
      const step = await read("step");
      // "after N steps" is the step shown; a run that stopped itself says where.
      for (const m of caption.matchAll(/after (\d+) steps/g)) expect(m[1], caption).toBe(step);
      const halt = await read("halt-step");
      if (halt !== "none") expect(caption).toContain(`stopped itself after step ${halt}`);
    }
    if (view === "remedies") {
      for (const c of await captions(page, `#${id}`)) {
        // A panel of several configurations carries no single verdict.
        if (c.panel !== "histogram") expect(c.badgeShown, `${id} ${c.panel}`).toBe(false);
      }
      // Its shown panels are measured at initialisation: no training buttons, and no empty
      // configuration boxes.
      await expect(page.locator(`#${id} [data-param="actions"]`)).toBeHidden();
      for (const letter of ["a", "b", "c", "d"]) {
        const empty = (await read(`${letter}-config`)) === "none";
        const box = page.locator(`#${id} [data-param="${letter}"]`);
        if (empty) await expect(box).toBeHidden();
      }
    }
  }
  expect(errors).toEqual([]);
});

test("Figure 4: the exploding chain is called exploding at step 1, and its output gradient grows toward layer 1", async ({ page }) => {
  await page.goto("./lecture.html#fig-explode-grads");
  await page.locator("#fig-explode-grads").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-explode-grads[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  expect(await figureReadout(page, "fig-explode-grads", "diagnosis")).toBe("exploding");
  const badge = page.locator('#fig-explode-grads figure[data-panel="gradients"] .ds-regime-badge');
  await expect(badge).toHaveText("exploding");
  const note = page.locator('#fig-explode-grads figure[data-panel="gradients"] [data-note]');
  await expect(note).toContainText("‖∂L/∂y_k‖, grows from");
  // The ratio the prose quotes: each update about 80 times its weight.
  expect(Number(await figureReadout(page, "fig-explode-grads", "update-ratio-first"))).toBeGreaterThan(70);
  expect(Number(await figureReadout(page, "fig-explode-grads", "update-ratio-first"))).toBeLessThan(90);
});

test("the LR = 0 test says nothing learns, how far the data moved the loss, and draws no hidden twin", async ({ page }) => {
  await open(page, "view=train&preset=lr-zero&steps=100");
  expect(await readout(page, "diagnosis")).toBe("lr-zero");
  const loss = page.locator('figure[data-panel="loss"]');
  await expect(loss.locator(".ds-regime-badge")).toHaveText("LR = 0 test");
  await expect(loss.locator("[data-note]")).toContainText("nothing is learned");
  await expect(loss.locator("[data-note]")).toContainText("yardstick");
  await expect(page.locator('tr[data-row="lr-zero"]')).toHaveAttribute("aria-current", "true");
  // One curve: the baseline would lie exactly under it.
  const label = await page.locator('canvas[data-plot="loss"]').getAttribute("aria-label");
  expect(label).not.toContain("baseline");
});

test("the remedies lab's defaults after 300 steps: BatchNorm trains best and is called healthy; no panel of four has one verdict", async ({ page }) => {
  await open(page, "view=remedies&steps=300");
  expect(await readout(page, "c-diagnosis")).toBe("healthy");
  const losses = {};
  for (const l of ["a", "b", "c", "d"]) losses[l] = Number(await readout(page, `${l}-loss`));
  expect(Math.min(losses.a, losses.b, losses.d)).toBeGreaterThan(losses.c);
  for (const c of await captions(page, "#deep-signal")) {
    if (c.panel === "histogram") expect(c.regime).toBe(await readout(page, "a-diagnosis"));
    else expect(c.badgeShown, c.panel).toBe(false);
  }
  // At initialisation the words name what BatchNorm does, not a bare "exploding".
  await open(page, "view=remedies");
  expect(await readout(page, "c-diagnosis")).toBe("exploding");
  const finding = await readout(page, "c-finding");
  expect(finding).toContain("keeps the forward signal");
  expect(finding).toContain("Yang et al., 2019");
});

test("step numbers agree between the note, the readouts and the CSV", async ({ page }) => {
  await open(page, "view=train&preset=exploding-lr&steps=20");
  const note = await page.locator('figure[data-panel="loss"] [data-note]').textContent();
  const first = await readout(page, "first-nonfinite-step");
  const some = await readout(page, "first-nan-weights-step");
  const halt = await readout(page, "halt-step");
  expect(note).toContain(`at step ${first}, `);
  expect(note).toContain(`the update of step ${some} left some weights NaN`);
  expect(note).toContain(`that of step ${halt} every weight`);
  expect(halt).toBe(await readout(page, "step"));
});

test("prose buttons make the change their sentence promises visible", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("./lecture.html");
  // Figure 9: at 0.01 the plateau is reached by step 46; doubled, by step 23.
  await page.locator("#fig-vanish-loss").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-vanish-loss[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  const note = page.locator('#fig-vanish-loss figure[data-panel="loss"] [data-note]');
  await expect(note).toContainText("within 1% of that by step 46");
  await press(page, "double it to 0.02 in Figure 9");
  await expect.poll(async () => Number(await figureReadout(page, "fig-vanish-loss", "step")), { timeout: 20_000 }).toBeGreaterThan(60);
  await expect(note).toContainText("within 1% of that by step 23");
  await expect(note).toContainText("0.08871");
  // Figure 11: LayerNorm in B leaves the gradient vanishing, about 1.5e-8 of the last
  // layer's, as the sentence says.
  await page.locator("#fig-norm").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-norm[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  await press(page, "Try LayerNorm in B");
  await expect.poll(() => figureReadout(page, "fig-norm", "b-config")).toBe("sigmoid,xavier,ln");
  const ratio = Number(await figureReadout(page, "fig-norm", "b-grad-first")) / Number(await figureReadout(page, "fig-norm", "b-grad-last"));
  expect(ratio).toBeGreaterThan(1e-8);
  expect(ratio).toBeLessThan(2e-8);
  const a = Number(await figureReadout(page, "fig-norm", "a-grad-first")) / Number(await figureReadout(page, "fig-norm", "a-grad-last"));
  expect(a).toBeGreaterThan(2e-13);
  expect(a).toBeLessThan(4e-13);
  expect(errors).toEqual([]);
});
