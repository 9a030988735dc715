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
const t0 = Date.now();
while (Date.now() - t0 < 1500) {
  declared(5000); expression(5000); arrow(5000); bareArrow(5000); asyncArrow(5000);
  new Shape(5000); shape.method(5000); Shape.staticMethod(5000); shape.getter;
  literal.shorthand(5000); literal.asyncMethod(5000); literal.generator(5000).next();
}
console.log(JSON.stringify({
  declared: String(declared), named: String(expression), arrow: String(arrow), bareArrow: String(bareArrow),
  asyncArrow: String(asyncArrow), Shape: String(Shape), method: String(shape.method),
  staticMethod: String(Shape.staticMethod), "get getter": String(getter), shorthand: String(literal.shorthand),
  asyncMethod: String(literal.asyncMethod), generator: String(literal.generator),
}));
