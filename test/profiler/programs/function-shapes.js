// Every kind of function V8 can report in a CPU profile, each kept busy so
// it is sampled. Run with `node --cpu-prof`; prints each function's
// toString() as JSON (keyed by V8's function name) so the test can compare
// it with the text function-source.ts extracts at the reported position.

function declared(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s; }
const expression = function named(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sin(i); return s; };
const arrow = (n) => { let s = 0; for (let i = 0; i < n; i++) s += Math.cos(i); return s; };
const bareArrow = n => { let s = 0; for (let i = 0; i < n; i++) s += Math.tan(i); return s; };
const asyncArrow = async n => { let s = 0; for (let i = 0; i < n; i++) s += Math.cbrt(i); return s; };
class Shape {
  constructor(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.log1p(i); this.s = s; }
  method(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.log(i + 1); return s; }
  static   staticMethod(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.exp(i % 5); return s; }
  get getter() { let s = 0; for (let i = 0; i < 5000; i++) s += Math.atan(i); return s; }
}
const literal = {
  shorthand(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.atan2(i, 3); return s; },
  async asyncMethod(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.asinh(i); return s; },
  *generator(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.hypot(i, 1); yield s; },
};
const getter = Object.getOwnPropertyDescriptor(Shape.prototype, "getter").get;
const shape = new Shape(10);
// One megamorphic call site (12 targets > V8's 4-map limit) keeps V8 from
// inlining these into the loop, so each is sampled as its own frame.
const calls = [
  [declared], [expression], [arrow], [bareArrow], [asyncArrow], [shape.method, shape], [Shape.staticMethod, Shape],
  [getter, shape], [literal.shorthand, literal], [literal.asyncMethod, literal],
  [function runGenerator(n) { return literal.generator(n).next(); }], // V8 does not inline generators
];
const t0 = Date.now();
while (Date.now() - t0 < 1500) {
  for (const [fn, self] of calls) fn.call(self, 5000);
  Reflect.construct(Shape, [5000]);
}
console.log(JSON.stringify({
  declared: String(declared), named: String(expression), arrow: String(arrow), bareArrow: String(bareArrow),
  asyncArrow: String(asyncArrow), Shape: String(Shape), method: String(shape.method),
  staticMethod: String(Shape.staticMethod), "get getter": String(getter), shorthand: String(literal.shorthand),
  asyncMethod: String(literal.asyncMethod), generator: String(literal.generator),
}));
