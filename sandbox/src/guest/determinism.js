// Evaluated only for runs that ask for determinism (see determinism.ts), before the script.
(function determinism(config) {
  'use strict';
  const { apply, construct, defineProperty } = Reflect;
  const { imul } = Math;
  const { now, seed } = JSON.parse(config);

  // `new Date()` and `Date.now()` answer `now`; a Date built from explicit arguments is unaffected.
  if (typeof now === 'number') {
    const RealDate = Date;
    const FixedDate = function Date(...args) {
      if (new.target === undefined) return apply(RealDate.prototype.toString, construct(RealDate, [now]), []);
      return construct(RealDate, args.length === 0 ? [now] : args, new.target);
    };
    defineProperty(FixedDate, 'prototype', { value: RealDate.prototype });
    FixedDate.now = () => now;
    FixedDate.parse = RealDate.parse;
    FixedDate.UTC = RealDate.UTC;
    defineProperty(RealDate.prototype, 'constructor', { value: FixedDate, writable: true, configurable: true });
    defineProperty(globalThis, 'Date', { value: FixedDate, writable: true, configurable: true });
  }

  // mulberry32: small, fast and repeatable; not for anything secret.
  if (typeof seed === 'number') {
    let state = seed >>> 0;
    const random = function random() {
      state = (state + 0x6d2b79f5) | 0;
      let t = imul(state ^ (state >>> 15), state | 1);
      t ^= t + imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    defineProperty(Math, 'random', { value: random, writable: true, configurable: true });
  }
});
