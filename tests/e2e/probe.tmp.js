const { chromium } = require("playwright");
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  for (const q of ["view=rnn", "view=remedies", "view=train", "view=rnn&length=1000&hidden=256&batch=2048&samples=2048"]) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => { window.longTasks = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]))).observe({ type: "longtask", buffered: true }); });
    await page.goto("http://127.0.0.1:8732/courses/deep-signal/?" + q);
    await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached" });
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => ({ tasks: window.longTasks, redraws: performance.getEntriesByName("deep-signal:redraw").map((e) => [Math.round(e.startTime), Math.round(e.duration)]).slice(0, 6) }));
    console.log(q, JSON.stringify(r));
    await page.close();
  }
  await browser.close();
})();
