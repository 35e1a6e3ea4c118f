// The plots' regime badges and the pages on a phone: every badge key in every theme (a page's,
// or an in-page figure's own) has text and background at a WCAG contrast of 4.5 at least (a
// transparent badge counts as the background it shows through), the keys without a verdict
// are grey, a badge with no key or no word is not shown, badges keep their colours in print;
// and on a 390 px wide phone no page scrolls sideways and the settings do not cover the plots.
const { test, expect } = require("@playwright/test");
const { open } = require("./helpers");

/** Every key a badge can show; the last two have no verdict colour. */
const KEYS = ["vanishing", "stable", "healthy", "exploding", "untrained", "lr-zero"];
const NEUTRAL = ["untrained", "lr-zero"];

/**
 * For each of `keys`, sets it and its word on the first badge (a real one, inside a plot's
 * caption) inside the element `scope` (the page if none; given `theme`, its data-theme is set
 * to it first and the page's to `pageTheme`, in the same task, before the app can react) and
 * returns the badge's computed text colour, its background composited over every ancestor's
 * down to an opaque one (white past the root, as a browser's canvas), and their WCAG contrast
 * ratio. Runs in the page.
 */
function measureBadges(page, keys, { scope = "", theme, pageTheme } = {}) {
  return page.evaluate(([keys, scope, theme, pageTheme]) => {
    if (pageTheme) document.documentElement.setAttribute("data-theme", pageTheme);
    if (theme) document.querySelector(scope).setAttribute("data-theme", theme);
    const parse = (css) => {
      const m = css.match(/^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
      if (!m) throw new Error(`cannot parse the colour ${css}`);
      const a = m[4] === undefined ? 1 : m[4].endsWith("%") ? parseFloat(m[4]) / 100 : Number(m[4]);
      return [Number(m[1]), Number(m[2]), Number(m[3]), a];
    };
    const over = ([r, g, b, a], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
    /** The opaque colour `el`'s background shows, painting every ancestor's under it. */
    const backdrop = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        layers.push(c);
        if (c[3] === 1) break;
      }
      return layers.reverse().reduce((under, c) => over(c, under), [255, 255, 255]);
    };
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (x, y) => {
      const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
      return (hi + 0.05) / (lo + 0.05);
    };
    const badge = document.querySelector(`${scope} figcaption .ds-regime-badge`);
    if (!badge) throw new Error(`no badge in ${scope || "the page"}`);
    return keys.map((key) => {
      badge.setAttribute("data-regime", key);
      badge.textContent = key;
      const style = getComputedStyle(badge);
      const background = backdrop(badge);
      // The text is painted over the badge's own (composited) background.
      const text = over(parse(style.color), background);
      return {
        key,
        display: style.display,
        color: style.color,
        backgroundColor: style.backgroundColor,
        text: text.map(Math.round),
        background: background.map(Math.round),
        ratio: Math.round(contrast(text, background) * 100) / 100,
      };
    });
  }, [keys, scope, theme, pageTheme]);
}

/** Whether a badge with this key (null: no attribute) and word is displayed. */
function badgeShown(page, key, word) {
  return page.evaluate(
    ([key, word]) => {
      const badge = document.querySelector("figcaption .ds-regime-badge");
      if (key === null) badge.removeAttribute("data-regime");
      else badge.setAttribute("data-regime", key);
      badge.textContent = word;
      const shown = getComputedStyle(badge).display !== "none" && badge.getClientRects().length > 0;
      badge.setAttribute("data-regime", "untrained");
      badge.textContent = "untrained";
      return shown;
    },
    [key, word],
  );
}

/** Checks every key's contrast, that the keys without a verdict are grey, and returns the measures. */
async function expectReadable(page, where) {
  const measured = await measureBadges(page, KEYS, where);
  for (const m of measured) {
    expect(m.display, m.key).not.toBe("none");
    expect(m.ratio, `${m.key}: text ${m.color} on ${m.backgroundColor} (shows as rgb(${m.background}))`).toBeGreaterThanOrEqual(4.5);
  }
  for (const m of measured.filter((m) => NEUTRAL.includes(m.key))) {
    const [r, g, b] = m.background;
    expect(Math.max(r, g, b) - Math.min(r, g, b), `${m.key} is grey, not a verdict colour: rgb(${m.background})`).toBeLessThanOrEqual(8);
  }
  return measured;
}

for (const theme of ["light", "dark", "projector"]) {
  test(`every badge key is readable in the ${theme} theme`, async ({ page }, info) => {
    await open(page, `view=train&theme=${theme}`);
    await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
    // The lab opens untrained, and its badge says so.
    await expect(page.locator("figcaption .ds-regime-badge").first()).toHaveAttribute("data-regime", "untrained");
    const measured = await expectReadable(page);
    info.annotations.push({ type: "contrast", description: measured.map((m) => `${m.key} ${m.ratio}`).join(", ") });
  });
}

test("an in-page figure's own theme colours its badges, whatever the page's", async ({ page }) => {
  await page.goto("/host/figures.html");
  await expect(page.locator("#train[data-state=ready]")).toBeAttached({ timeout: 15_000 });
  // (A figure without a theme of its own takes the page's a moment later; measured before.)
  for (const [pageTheme, theme] of [["dark", "light"], ["dark", "projector"], ["light", "dark"], ["projector", "dark"]]) {
    await test.step(`a ${theme} figure on a ${pageTheme} page`, () => expectReadable(page, { scope: "#train", theme, pageTheme }));
  }
});

test("badges are readable in forced colours, and the keys without a verdict look unlike the verdicts", async ({ page }, info) => {
  await page.emulateMedia({ forcedColors: "active" });
  await open(page, "view=train");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "forced");
  const measured = await measureBadges(page, KEYS);
  for (const m of measured) {
    expect(m.ratio, `${m.key}: text ${m.color} on ${m.backgroundColor}`).toBeGreaterThanOrEqual(4.5);
  }
  const verdict = measured.find((m) => m.key === "exploding").background.join();
  for (const m of measured.filter((m) => NEUTRAL.includes(m.key))) expect(m.background.join(), m.key).not.toBe(verdict);
  info.annotations.push({ type: "contrast", description: measured.map((m) => `${m.key} ${m.ratio}`).join(", ") });
});

test("badges keep their colours in print, readable", async ({ page }) => {
  await open(page, "view=train");
  await page.emulateMedia({ media: "print" });
  await expectReadable(page);
  // Without this a browser leaves the backgrounds out by default, and white words vanish.
  const adjust = await page.locator("figcaption .ds-regime-badge").first().evaluate((b) => {
    const s = getComputedStyle(b);
    return s.getPropertyValue("print-color-adjust") || s.getPropertyValue("-webkit-print-color-adjust");
  });
  expect(adjust).toBe("exact");
});

test("a badge with no key or no word is not shown", async ({ page }) => {
  await open(page, "view=train");
  expect(await badgeShown(page, "untrained", "untrained")).toBe(true);
  expect(await badgeShown(page, "", "")).toBe(false);
  expect(await badgeShown(page, "", "untrained")).toBe(false);
  expect(await badgeShown(page, null, "untrained")).toBe(false);
  expect(await badgeShown(page, null, "")).toBe(false);
  expect(await badgeShown(page, "healthy", "")).toBe(false);
});

test.describe("on a 390 × 844 phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  /** How far the page scrolls sideways, and the widest elements past the right edge. */
  const overflow = (page) =>
    page.evaluate(() => {
      const width = window.innerWidth;
      const past = [...document.querySelectorAll("body *")]
        .map((e) => [e, e.getBoundingClientRect().right + window.scrollX])
        .filter(([, right]) => right > width + 0.5)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([e, right]) => `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).split(" ").join(".") : ""} to ${Math.round(right)}`);
      return { scroll: document.documentElement.scrollWidth, width, past };
    });

  for (const view of ["train", "remedies", "explorer"]) {
    test(`?view=${view} does not scroll sideways`, async ({ page }) => {
      await open(page, `view=${view}`);
      const o = await overflow(page);
      expect(o.scroll, `wider than the screen: ${o.past.join(", ")}`).toBeLessThanOrEqual(o.width);
    });
  }

  test("the settings scroll away with the page, not over the plots", async ({ page }) => {
    await open(page, "view=train");
    await page.evaluate(() => document.querySelector("figure[data-panel]").scrollIntoView());
    const [settingsBottom, plotTop] = await page.evaluate(() => [
      document.querySelector(".ds-controls").getBoundingClientRect().bottom,
      document.querySelector("figure[data-panel]").getBoundingClientRect().top,
    ]);
    expect(settingsBottom).toBeLessThanOrEqual(plotTop);
  });

  test("lecture.html does not scroll sideways, with every figure started", async ({ page }) => {
    await page.goto("./lecture.html");
    const ids = await page.evaluate(() => [...document.querySelectorAll("[data-deep-signal]")].map((e) => e.id));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await expect(page.locator(`#${id}[data-state=ready]`)).toBeAttached({ timeout: 15_000 });
    }
    const o = await overflow(page);
    expect(o.scroll, `wider than the screen: ${o.past.join(", ")}`).toBeLessThanOrEqual(o.width);
  });
});
