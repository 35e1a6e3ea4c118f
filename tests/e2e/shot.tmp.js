const { chromium } = require("@playwright/test");
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const t0 = Date.now();
  await page.goto("http://127.0.0.1:4281/courses/deep-signal/?view=rnn&steps=50");
  await page.locator("#deep-signal[data-state=ready]").waitFor({ state: "attached", timeout: 120000 });
  console.log("ready after", Date.now() - t0, "ms");
  await page.screenshot({ path: "/tmp/rnn1.png", fullPage: true });
  const r = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll("[data-readout]")].map((e) => [e.dataset.readout, e.dataset.value])));
  console.log(JSON.stringify(r));
  console.log(errors);
  await browser.close();
})();
