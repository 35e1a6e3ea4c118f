// deep-signal's in-page figures. One script include,
//   <script type="module" src="…/deep-signal/figures.js"></script>
// turns every element with a data-deep-signal attribute (a URL query such as
// "view=explorer&w=0.8&panel=activations") into a live figure. It loads the app's
// stylesheet and its one WebAssembly module from the folder this script is in, so the
// figures work from any host and sub-path. See "For course authors" in the README.
const base = new URL(".", import.meta.url);

if (!document.querySelector("link[data-deep-signal-style]")) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("style.css", base).href;
  link.setAttribute("data-deep-signal-style", "");
  document.head.append(link);
}

try {
  // Where the training workers find their script and this module (src/web/workers.rs).
  globalThis.deepSignalWorker = {
    script: new URL("worker.js", base).href,
    glue: new URL("deep-signal.js", base).href,
  };
  const app = await import(new URL("deep-signal.js", base).href);
  const wasm = await app.default({ module_or_path: new URL("deep-signal_bg.wasm", base) });
  const scan = () => app.figures(base.href);
  scan();
  // For pages that add figures later: deepSignal.scan() turns the new ones on (figures
  // taken out of the page are let go of by themselves). memoryBytes() is the size of the
  // memory all figures share, for checking that a page which replaces figures stays bounded.
  window.deepSignal = { scan, memoryBytes: () => wasm.memory.buffer.byteLength };
} catch (error) {
  for (const el of document.querySelectorAll("[data-deep-signal]")) {
    el.setAttribute("data-state", "failed");
    const p = document.createElement("p");
    p.setAttribute("role", "alert");
    p.textContent = "This figure could not start: " + ((error && error.message) || error);
    el.replaceChildren(p);
  }
}
