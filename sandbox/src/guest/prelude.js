// The only JavaScript the sandbox compiles into every fresh context before the script: what cannot be made
// through the API. QuickJS compiles at 100-150 µs per KB on every run (bytecode cannot be cached across
// contexts in this build), while an API step costs well under a microsecond, so everything else (console,
// the host functions and their namespaces, the locks on globalThis, taking eval and the Function
// constructors away) is built by guest.ts. Keep this tiny: every token counts.
//
// The host calls it once with Array.isArray, a frozen null-prototype object whose keys are the types JSON
// would silently change ('function', 'symbol', 'bigint'), `fail` (a host function that throws the guest's
// TypeError) and Object.getPrototypeOf, all taken before the script ran, and gets [strict,
// AsyncFunction.prototype, GeneratorFunction.prototype, AsyncGeneratorFunction.prototype]. `strict` is a
// JSON.stringify replacer that refuses those types and `undefined` inside arrays (marshal.ts has the host's
// twin).
(a, o, f, p) => [
  function (k, v) {
    return typeof v in o || (v === void 0 && a(this)) ? f(k, v) : v;
  },
  p(async () => {}),
  p(function* () {}),
  p(async function* () {}),
];
