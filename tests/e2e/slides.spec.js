// The lecture as slides and its predictions (www/slides.js): slides by keyboard and by a
// presenter's clicker, the slide in the URL, speaker notes, a figure filling a projector's
// screen, a prediction before its figure answers, and the page and the handout unchanged.
const { test, expect } = require("@playwright/test");
const { watchErrors, figureReadout } = require("./helpers");

/** The slide elements, in order, as (data-slide, tag, figure id) triples. */
function slideList(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#content [data-slide]")].map((e) => [
      e.dataset.slide,
      e.tagName,
      e.dataset.slideFigure || e.dataset.predict || "",
    ]),
  );
}

/** The elements of main shown now, by tag and id or data-slide. */
function shown(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("#content > *")]
      .filter((e) => getComputedStyle(e).display !== "none")
      .map((e) => e.querySelector("[data-deep-signal]")?.id || e.tagName),
  );
}

/** The index (from 1) of the slide whose data-slide starts with `start`. */
async function slideNumber(page, start) {
  const list = await slideList(page);
  const i = list.findIndex(([claim]) => claim.startsWith(start));
  expect(i, start).toBeGreaterThanOrEqual(0);
  return i + 1;
}

test("slides move by keyboard and by a clicker, keep the slide in the URL, and show one figure at a time", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("./lecture.html?slides=1");
  const list = await slideList(page);
  expect(list.length).toBeGreaterThanOrEqual(20);
  await expect(page.locator("html")).toHaveClass(/ds-slides/);
  await expect(page.locator(".ds-slide-count")).toHaveText(`1 / ${list.length}`);
  await expect(page.locator(".ds-slide-claim")).toHaveText(list[0][0]);
  // A heading slide shows no figure, and the page's header is gone.
  expect(await shown(page)).toEqual([]);
  await expect(page.locator(".ds-lecture-head")).toBeHidden();
  // To the first slide with a figure: the arrows, then a clicker's Page Down and Page Up.
  const first = list.findIndex(([, , fig]) => fig) + 1;
  for (let i = 1; i < first; i++) await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`slide=${first}(&|$)`));
  await expect(page.locator(".ds-slide-claim")).toHaveText(list[first - 1][0]);
  expect(await shown(page)).toEqual([list[first - 1][2]]);
  await page.keyboard.press("PageDown");
  await expect(page).toHaveURL(new RegExp(`slide=${first + 1}(&|$)`));
  await page.keyboard.press("PageUp");
  await page.keyboard.press("ArrowLeft");
  await expect(page).toHaveURL(new RegExp(`slide=${first - 1}(&|$)`));
  await page.keyboard.press("End");
  await expect(page.locator(".ds-slide-count")).toHaveText(`${list.length} / ${list.length}`);
  await page.keyboard.press("Home");
  await expect(page.locator(".ds-slide-count")).toHaveText(`1 / ${list.length}`);
  // A link opens its slide; the buttons move too.
  await page.goto(`./lecture.html?slides=1&slide=${first}`);
  await expect(page.locator(".ds-slide-claim")).toHaveText(list[first - 1][0]);
  await page.getByRole("button", { name: "Next slide" }).click();
  await expect(page.locator(".ds-slide-count")).toHaveText(`${first + 1} / ${list.length}`);
  // S leaves the slides: the whole lecture is back, and the URL forgets them.
  await page.keyboard.press("s");
  await expect(page.locator("html")).not.toHaveClass(/ds-slides/);
  await expect(page).not.toHaveURL(/slides=/);
  await expect(page.locator(".ds-lecture-head")).toBeVisible();
  expect((await shown(page)).length).toBeGreaterThan(40);
  await page.keyboard.press("s");
  await expect(page.locator("html")).toHaveClass(/ds-slides/);
  expect(errors).toEqual([]);
});

test("a figure keeps its own keys and controls on a slide; its prose buttons work from the notes", async ({ page }) => {
  await page.goto(`./lecture.html?slides=1`);
  const n = await slideNumber(page, "50 layers at w = 0.8");
  await page.goto(`./lecture.html?slides=1&slide=${n}`);
  await expect(page.locator("#fig-chain[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  // With the focus in the figure (its w slider), the arrows move w, not the slides.
  const w = await figureReadout(page, "fig-chain", "stored-w");
  await page.locator('#fig-chain input[type="range"][name="w"]').focus();
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`slide=${n}(&|$)`));
  await expect.poll(() => figureReadout(page, "fig-chain", "stored-w")).not.toBe(w);
  // A clicker still moves.
  await page.keyboard.press("PageDown");
  await expect(page).toHaveURL(new RegExp(`slide=${n + 1}(&|$)`));
  await page.keyboard.press("PageUp");
  // N shows the speaker notes under the figure: the paragraph the slide stands for, whose
  // button drives the figure.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("n");
  const notes = page.locator(".ds-slide-note");
  await expect(notes.first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Cut Figure 1 to two layers" })).toBeVisible();
  await page.getByRole("button", { name: "Cut Figure 1 to two layers" }).click();
  await expect.poll(() => page.evaluate(() => document.getElementById("fig-chain").get().params.depth)).toBe("2");
  const noteTop = await notes.first().evaluate((e) => e.getBoundingClientRect().top);
  const figureBottom = await page.locator("#fig-chain").evaluate((e) => e.getBoundingClientRect().bottom);
  expect(noteTop).toBeGreaterThan(figureBottom);
  await page.keyboard.press("n");
  await expect(notes.first()).toBeHidden();
});

test("at 1920 × 1080 in projector mode a slide's plot fills most of the screen", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto("./lecture.html?slides=1");
  const n = await slideNumber(page, "Learning rate 1");
  await page.goto(`./lecture.html?slides=1&slide=${n}`);
  await page.evaluate(() => document.documentElement.setAttribute("data-theme", "projector"));
  await expect(page.locator("#fig-explode-loss[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  const box = await page.locator("#fig-explode-loss canvas").first().boundingBox();
  expect(box.height).toBeGreaterThan(1080 * 0.5);
  expect(box.width).toBeGreaterThan(1920 * 0.55);
  // The slide fits the screen: nothing to scroll to see the plot.
  expect(box.y + box.height).toBeLessThanOrEqual(1080);
  // On the page, too, a projector's figures take the screen's width and most of its height.
  await page.goto("./lecture.html");
  await page.evaluate(() => document.documentElement.setAttribute("data-theme", "projector"));
  await page.locator("#fig-residual").scrollIntoViewIfNeeded();
  await expect(page.locator("#fig-residual[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  const onPage = await page.locator("#fig-residual canvas").first().boundingBox();
  expect(onPage.width).toBeGreaterThan(1920 * 0.7);
  expect(onPage.height).toBeGreaterThan(1080 * 0.6);
});

test("at 1920 × 1080 in projector mode no legend takes more than a fifth of its plot", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const shares = async (selector) =>
    page.locator(`${selector} canvas[data-legend-share]`).evaluateAll((cs) => cs.map((c) => [c.dataset.plot, Number(c.dataset.legendShare), c.clientHeight]));
  await page.goto("./lecture.html");
  await page.evaluate(() => document.documentElement.setAttribute("data-theme", "projector"));
  const ids = await page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => e.id));
  let measured = 0;
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}[data-state=ready]`), id).toBeAttached({ timeout: 20_000 });
    for (const [plot, share, height] of await shares(`#${id}`)) {
      if (height === 0) continue;
      measured++;
      expect(share, `${id} ${plot}`).toBeGreaterThan(0);
      expect(share, `${id} ${plot}`).toBeLessThanOrEqual(0.2);
    }
  }
  expect(measured).toBeGreaterThanOrEqual(ids.length);
  // The views themselves, with four configurations and with a kept run beside the live one.
  for (const query of ["view=remedies&preset=residual", "view=remedies&preset=batchnorm", "view=train&preset=exploding-mlp&steps=5&keep=lr:0.001,steps:5"]) {
    await page.goto(`./?${query}&theme=projector`);
    await expect(page.locator("#deep-signal[data-state=ready]")).toBeAttached({ timeout: 30_000 });
    const all = (await shares("#deep-signal")).filter(([, , height]) => height > 0);
    expect(all.length, query).toBeGreaterThanOrEqual(2);
    for (const [plot, share] of all) expect(share, `${query} ${plot}`).toBeLessThanOrEqual(0.2);
  }
});

test("a prediction asks first, then its figure answers with its own number", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("./lecture.html?slides=1");
  const n = await slideNumber(page, "Predict: in f16");
  await page.goto(`./lecture.html?slides=1&slide=${n}`);
  const predict = page.locator('.ds-predict[data-predict="fig-chain"]');
  await expect(predict).toBeVisible();
  // The figure is on the slide, covered.
  await expect(page.locator("#fig-chain")).toBeHidden();
  await predict.getByRole("button", { name: "layer 128" }).click();
  await expect(predict.getByRole("button", { name: "layer 128" })).toHaveAttribute("aria-pressed", "true");
  // The next key answers, and stays on the slide.
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`slide=${n}(&|$)`));
  await expect(page.locator("#fig-chain")).toBeVisible();
  await expect(predict).toHaveAttribute("data-revealed", "");
  const answer = predict.locator(".ds-predict-answer");
  await expect(answer).toHaveAttribute("data-quoted", /.+/, { timeout: 20_000 });
  // The answer marked right is the figure's own readout.
  const quoted = await answer.getAttribute("data-quoted");
  expect(quoted).toBe(await figureReadout(page, "fig-chain", "first-nonfinite"));
  const correct = await predict.locator("[data-correct]").textContent();
  expect(correct).toContain(quoted);
  await expect(answer).toContainText("Your guess was different");
  await expect(answer).toContainText(`layer ${quoted}`);
  // Then the next key moves on.
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`slide=${n + 1}(&|$)`));
  expect(errors).toEqual([]);
});

test("every prediction's right answer agrees with its figure, on the page as on a slide", async ({ page }) => {
  await page.goto("./lecture.html");
  const predictions = page.locator(".ds-predict");
  expect(await predictions.count()).toBeGreaterThanOrEqual(3);
  for (let i = 0; i < (await predictions.count()); i++) {
    const predict = predictions.nth(i);
    const figure = await predict.getAttribute("data-predict");
    const choices = predict.locator("[data-choice]");
    expect(await choices.count()).toBeGreaterThanOrEqual(2);
    expect(await choices.count()).toBeLessThanOrEqual(4);
    expect(await predict.locator("[data-correct]").count()).toBe(1);
    await predict.scrollIntoViewIfNeeded();
    await page.locator(`#${figure}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${figure}[data-state=ready]`)).toBeAttached({ timeout: 20_000 });
    await predict.scrollIntoViewIfNeeded();
    await predict.locator("[data-correct]").click();
    await predict.getByRole("button", { name: "Show the answer" }).click();
    const answer = predict.locator(".ds-predict-answer");
    await expect(answer).toContainText("Your guess was right");
    const key = await predict.getAttribute("data-predict-readout");
    if (key) {
      await expect(answer).toHaveAttribute("data-quoted", /.+/, { timeout: 20_000 });
      const quoted = await answer.getAttribute("data-quoted");
      expect(quoted).toBe(await figureReadout(page, figure, key));
      const correct = (await predict.locator("[data-correct]").textContent()).replace("−", "-");
      const value = Number(quoted);
      if (Number.isFinite(value) && !/^\d+$/.test(quoted)) {
        // "about 2 × 10⁻⁵": the right answer's order of magnitude is the figure's.
        const m = correct.match(/about ([\d.]+)(?: × 10-?(\d+))?/);
        const stated = Number(m[1]) * (m[2] ? 10 ** -Number(m[2]) : 1);
        expect(Math.abs(Math.log10(value / stated))).toBeLessThan(0.3);
      } else {
        expect(correct).toContain(quoted);
      }
    } else {
      // A prediction without a number is answered by the figure's diagnosis.
      expect(await figureReadout(page, figure, "diagnosis")).toBe("lr-zero");
    }
  }
});

test("printing with slides on prints the whole lecture, and no slide controls", async ({ page }) => {
  await page.goto("./lecture.html?slides=1&slide=3");
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".ds-slide-bar")).toBeHidden();
  await expect(page.locator("#content > h2").first()).toBeVisible();
  await expect(page.locator("#fig-init")).toBeAttached();
  expect(await page.locator("#content > figure").evaluateAll((fs) => fs.every((f) => getComputedStyle(f).display !== "none"))).toBe(true);
  await expect(page.getByRole("button", { name: "Show the answer" }).first()).toBeHidden();
});

test("every slide's figure shows what the slide's line says, whatever the figure was left at", async ({ page }) => {
  await page.goto("./lecture.html?slides=1");
  // The line's words, and the figure's readout that must agree with them.
  const cases = [
    ["50 layers at w = 0.8", "fig-chain", "regime", "vanishing"],
    ["w < 1", "fig-chain", "regime", "vanishing"],
    ["w = 1 passes the input intact", "fig-chain", "w-pow-n", (v) => Math.abs(Number(v) - 7.316) < 0.01],
    ["w > 1", "fig-chain", "first-nonfinite", "189"],
    ["The gradient shrinks by w", "fig-backward", "regime", "vanishing"],
    ["Learning rate 1", "fig-explode-loss", "diagnosis", "exploding"],
    ["Weights at 0.8", "fig-vanish-loss", "diagnosis", "vanishing"],
    ["Clip the gradient", "fig-explode-fix", "diagnosis", "healthy"],
    // A residual sum (B) doubles the mean square every block; C and D hold it.
    ["50 ReLU layers: a residual sum doubles", "fig-residual", "b-rms-last", (v) => Number(v) > 1e6],
    ["50 ReLU layers: a residual sum doubles", "fig-residual", "c-rms-last", (v) => Number(v) > 0.5 && Number(v) < 3],
    ["50 ReLU layers: a residual sum doubles", "fig-residual", "d-rms-last", (v) => Number(v) > 0.5 && Number(v) < 3],
    ["He’s initialisation holds the signal", "fig-init", "b-diagnosis", "healthy"],
  ];
  for (const [start, figure, key, expected] of cases) {
    const n = await slideNumber(page, start);
    // Leave the figure somewhere else first, as a lecturer's detour would.
    if (figure === "fig-chain") await page.evaluate(() => document.getElementById("fig-chain").set?.("w=1.3&depth=7"));
    await page.goto(`./lecture.html?slides=1&slide=${n}`);
    await expect(page.locator(`#${figure}[data-state=ready]`)).toBeAttached({ timeout: 30_000 });
    if (typeof expected === "function") {
      await expect.poll(async () => expected(await figureReadout(page, figure, key)), start).toBe(true);
    } else {
      await expect.poll(() => figureReadout(page, figure, key), start).toBe(expected);
    }
  }
  // Moving onto a slide sets its figure again, after the reader changed it.
  const n = await slideNumber(page, "w > 1");
  await page.goto(`./lecture.html?slides=1&slide=${n - 2}`);
  await expect(page.locator("#fig-chain[data-state=ready]")).toBeAttached({ timeout: 20_000 });
  await page.evaluate(() => document.getElementById("fig-chain").set("w=0.5"));
  await page.keyboard.press("PageDown");
  await page.keyboard.press("PageDown");
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`slide=${n}(&|$)`));
  await expect.poll(() => figureReadout(page, "fig-chain", "regime")).toBe("exploding");
});
