// Serves the built app (dist/) under a sub-path, as a static host would, plus the test host
// pages of this folder under /host/. Usage: node server.js [port]
const http = require("node:http");
const path = require("node:path");
const sirv = require("sirv");

const port = Number(process.argv[2] || process.env.PORT || 4178);
const prefix = "/courses/deep-signal";
const app = sirv(path.join(__dirname, "..", "..", "dist"), { dev: true, etag: true });
const hosts = sirv(path.join(__dirname, "hosts"), { dev: true });

http
  .createServer((req, res) => {
    const notFound = () => {
      res.statusCode = 404;
      res.end("not found");
    };
    if (req.url === prefix) {
      res.writeHead(301, { location: prefix + "/" });
      return res.end();
    }
    if (req.url.startsWith(prefix + "/")) {
      req.url = req.url.slice(prefix.length);
      return app(req, res, notFound);
    }
    if (req.url.startsWith("/host/")) {
      req.url = req.url.slice("/host".length);
      return hosts(req, res, notFound);
    }
    notFound();
  })
  .listen(port, "127.0.0.1", () => {
    console.log(`serving dist/ at http://127.0.0.1:${port}${prefix}/`);
  });

module.exports = { prefix };
