// deep-signal's training worker. The page (src/web/workers.rs) starts it as a module worker
// and sends it, first, the address of the module's JavaScript and the compiled
// WebAssembly.Module it runs itself, so the worker runs the very same code without compiling
// it again; `worker_start` (src/web/worker.rs) then trains what the page hands it. Messages
// that arrive while the module loads are kept and handed over.
const queued = [];
let started = false;
onmessage = (event) => {
  if (started) {
    queued.push(event.data);
    return;
  }
  started = true;
  start(event.data).catch((error) => postMessage({ failed: String((error && error.message) || error) }));
};

async function start({ glue, module }) {
  const bindings = await import(glue);
  const wasm = await bindings.default({ module_or_path: module });
  // What this worker's WebAssembly memory takes, for the benchmark's memory report.
  self.memoryBytes = () => wasm.memory.buffer.byteLength;
  bindings.worker_start(queued);
}
