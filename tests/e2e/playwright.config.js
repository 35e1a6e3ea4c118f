// End-to-end tests in Debian's Chromium (never a downloaded browser).
const { defineConfig } = require("@playwright/test");

const port = Number(process.env.E2E_PORT || 4178);

module.exports = defineConfig({
  testDir: ".",
  testMatch: "*.spec.js",
  timeout: 60_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}/courses/deep-signal/`,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
  webServer: {
    command: `node server.js ${port}`,
    url: `http://127.0.0.1:${port}/courses/deep-signal/`,
    reuseExistingServer: false,
    timeout: 20_000,
  },
});
