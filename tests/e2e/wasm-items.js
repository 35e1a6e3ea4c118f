// The largest items of a WebAssembly module: each function's body in the code section and
// each data segment, named from the module's name section (which wasm-bindgen writes with
// Rust's names demangled). Used by bench.js; also a command:
//   node wasm-items.js FILE.wasm [COUNT]
const fs = require("node:fs");

/** Reads an unsigned LEB128 number at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** Reads a length-prefixed UTF-8 name at `at`; returns [name, next offset]. */
function name(bytes, at) {
  const [length, start] = leb(bytes, at);
  return [bytes.toString("utf8", start, start + length), start + length];
}

/** A name map (function or data segment names): index to name. */
function nameMap(bytes, at, end, into) {
  let [count, i] = leb(bytes, at);
  for (; count > 0 && i < end; count--) {
    let index;
    [index, i] = leb(bytes, i);
    let text;
    [text, i] = name(bytes, i);
    into.set(index, text);
  }
}

/** Rust's names, shorter: without crate disambiguators (`core[1234abcd]`) or hashes. */
function tidy(text) {
  return text.replace(/\[[0-9a-f]{8,}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
}

/**
 * Every function body and data segment of the module in `bytes` (a Buffer), largest first:
 * `{ kind: "function" | "data", name, size }`, size in bytes as stored in the module.
 */
function items(bytes) {
  let importedFunctions = 0;
  const bodies = [];
  const segments = [];
  const functionNames = new Map();
  const dataNames = new Map();
  let i = 8; // magic and version
  while (i < bytes.length) {
    const id = bytes[i];
    const [size, start] = leb(bytes, i + 1);
    const end = start + size;
    if (id === 2) {
      // Imports: only imported functions take function indices before the module's own.
      let [count, j] = leb(bytes, start);
      for (; count > 0; count--) {
        [, j] = name(bytes, j);
        [, j] = name(bytes, j);
        const kind = bytes[j++];
        if (kind === 0) {
          [, j] = leb(bytes, j);
          importedFunctions++;
        } else if (kind === 1) {
          j++;
          const [flags, k] = leb(bytes, j);
          [, j] = leb(bytes, k);
          if (flags & 1) [, j] = leb(bytes, j);
        } else if (kind === 2) {
          const [flags, k] = leb(bytes, j);
          [, j] = leb(bytes, k);
          if (flags & 1) [, j] = leb(bytes, j);
        } else if (kind === 3) {
          j += 2;
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
      }
    } else if (id === 10 || id === 11) {
      let [count, j] = leb(bytes, start);
      for (let n = 0; n < count; n++) {
        if (id === 10) {
          const [length, body] = leb(bytes, j);
          bodies.push({ index: importedFunctions + n, size: body - j + length });
          j = body + length;
        } else {
          // A data segment: its header (mode, memory, offset expression), then its bytes.
          const first = j;
          const [mode, k] = leb(bytes, j);
          j = k;
          if (mode === 2) [, j] = leb(bytes, j);
          if (mode !== 1) {
            while (bytes[j] !== 0x0b) j++; // the constant offset expression up to `end`
            j++;
          }
          const [length, data] = leb(bytes, j);
          segments.push({ index: n, size: data + length - first });
          j = data + length;
        }
      }
    } else if (id === 0) {
      const [section, j] = name(bytes, start);
      if (section === "name") {
        let k = j;
        while (k < end) {
          const sub = bytes[k];
          const [length, body] = leb(bytes, k + 1);
          if (sub === 1) nameMap(bytes, body, body + length, functionNames);
          if (sub === 9) nameMap(bytes, body, body + length, dataNames);
          k = body + length;
        }
      }
    }
    i = end;
  }
  const all = [
    ...bodies.map((b) => ({
      kind: "function",
      name: tidy(functionNames.get(b.index) || `function ${b.index}`),
      size: b.size,
    })),
    ...segments.map((s) => ({
      kind: "data",
      name: dataNames.get(s.index) || `segment ${s.index}`,
      size: s.size,
    })),
  ];
  return all.sort((a, b) => b.size - a.size);
}

module.exports = { items };

if (require.main === module) {
  const [file, count = "20"] = process.argv.slice(2);
  for (const item of items(fs.readFileSync(file)).slice(0, Number(count))) {
    console.log(`${String(item.size).padStart(8)}  ${item.kind.padEnd(8)}  ${item.name}`);
  }
}
