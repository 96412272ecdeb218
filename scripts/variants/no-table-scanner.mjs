// table-scanner.ts for a bench build without the WebAssembly scanner (scripts/build.mjs
// --without wasm-scanner): no scanner, so sysvipc.ts parses every table with its regular expressions.
export const LINE_OK = 1;
export const LINE_WIDE = 2;
export const scannerForText = () => undefined;
export const scannerForFile = () => undefined;
