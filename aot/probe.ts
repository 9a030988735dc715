/**
 * Build-time access to the project's live values. `specializeToSource` needs
 * the function object and the values of the module-level constants and
 * helpers it uses, which an ES module does not export. So kos build writes a
 * probe copy of the emitted JS where every module ends with one extra export,
 * `__kos_probe_bindings__`, mapping each top-level binding name to a getter,
 * and imports that copy (from a fresh directory, hence fresh module URLs).
 *
 * The probe runs the project's module top-level code at build time, as any
 * build-time evaluation does. The probe directory is a sibling of the output
 * directory so that bare imports (`node_modules`) resolve exactly as they
 * will for the output; it is deleted after the build.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { Node, SyntaxKind, type SourceFile } from "ts-morph";
import { BuildError } from "./errors.js";
import { appendBeforeSourceMapComment, type ModuleOutput } from "./emit.js";
import { isPlainIdentifier } from "./literal.js";
import { PROBE_CLASS_HOOK, withClassRegistration } from "./emitted-classes.js";
import { guardProcess, ProbeExit } from "./probe-process.js";

/** A class as the probe saw it created: the class and its own method descriptors at that moment. */
export interface ClassCreation {
  cls: Function;
  /** Own property descriptors of the class (statics) and of its prototype, before any static field ran. */
  statics: Record<string, PropertyDescriptor>;
  proto: Record<string, PropertyDescriptor>;
}

// Classes created by probe modules, by probe module key, then by class index (one entry per creation).
const created = new Map<string, ClassCreation[][]>();

function installClassHook(): void {
  const g = globalThis as Record<string, unknown>;
  if (typeof g[PROBE_CLASS_HOOK] === "function") return;
  Object.defineProperty(g, PROBE_CLASS_HOOK, {
    configurable: true, writable: true, enumerable: false,
    value: (key: string, index: number, cls: Function) => {
      const list = created.get(key) ?? [];
      created.set(key, list);
      const proto = (cls as { prototype?: object }).prototype;
      (list[index] ??= []).push({ cls, statics: Object.getOwnPropertyDescriptors(cls), proto: proto ? Object.getOwnPropertyDescriptors(proto) : {} });
    },
  });
}

export const PROBE_EXPORT = "__kos_probe_bindings__";

/** A module's top-level bindings as loaded at build time. */
export interface ModuleBindings {
  /** Names in declaration order. */
  names: string[];
  /** Names bound by `const`, function and class declarations, enums and imports: never reassigned by the module itself. */
  immutable: Set<string>;
  /** The value of a binding; `found: false` when it is missing or not yet initialized. */
  get(name: string): { found: true; value: unknown } | { found: false; reason: string };
}

/** Top-level value bindings of a TS module (declared or imported), with whether each is immutable. */
export function topLevelBindings(sf: SourceFile): Array<{ name: string; immutable: boolean }> {
  const out: Array<{ name: string; immutable: boolean }> = [];
  const seen = new Set<string>();
  const add = (name: string | undefined, immutable: boolean) => {
    if (!name || seen.has(name) || !isPlainIdentifier(name)) return;
    seen.add(name);
    out.push({ name, immutable });
  };
  for (const st of sf.getStatements()) {
    if (Node.isFunctionDeclaration(st) || Node.isClassDeclaration(st)) {
      if (!st.hasDeclareKeyword()) add(st.getName(), true);
    } else if (Node.isEnumDeclaration(st)) {
      if (!st.isConstEnum() && !st.hasDeclareKeyword()) add(st.getName(), true);
    } else if (Node.isModuleDeclaration(st)) {
      if (!st.hasDeclareKeyword() && st.getDeclarationKind() !== "global") add(st.getName(), true);
    } else if (Node.isVariableStatement(st)) {
      if (st.hasDeclareKeyword()) continue;
      const isConst = st.getDeclarationKind() === "const";
      for (const d of st.getDeclarations()) {
        const nameNode = d.getNameNode();
        if (Node.isIdentifier(nameNode)) add(nameNode.getText(), isConst);
        else for (const id of nameNode.getDescendantsOfKind(SyntaxKind.BindingElement)) {
          const n = id.getNameNode();
          if (Node.isIdentifier(n)) add(n.getText(), isConst);
        }
      }
    } else if (Node.isImportDeclaration(st)) {
      if (st.isTypeOnly()) continue;
      add(st.getDefaultImport()?.getText(), true);
      add(st.getNamespaceImport()?.getText(), true);
      for (const n of st.getNamedImports()) if (!n.isTypeOnly()) add((n.getAliasNode() ?? n.getNameNode()).getText(), true);
    }
  }
  return out;
}

/** A probe over the emitted project: call `load` for modules, then `dispose`. */
export class Probe {
  /** The probe copy's directory (a sibling of the output directory, deleted by `dispose`). */
  readonly dir: string;
  private readonly loaded = new Map<string, ModuleBindings>();
  private readonly outputs: Map<SourceFile, ModuleOutput>;

  /** Ends the process guard (probe-process.ts). */
  private readonly release: () => void;

  constructor(private readonly outDir: string, modules: ModuleOutput[], private readonly esm: boolean) {
    this.dir = `${outDir}.kos-probe-${process.pid}-${Date.now().toString(36)}`;
    const dir = this.dir;
    // Removed however the process ends, and a module's process.exit() is an error of the build.
    this.release = guardProcess(() => rmSync(dir, { recursive: true, force: true }));
    this.outputs = new Map(modules.map((m) => [m.sourceFile, m] as const));
    for (const m of modules) {
      for (const f of m.others) this.write(f.path, f.text);
      if (m.js) this.write(m.js.path, appendBeforeSourceMapComment(this.registering(m.js.path, m.js.text), this.accessor(m.sourceFile)));
    }
  }

  private write(path: string, text: string): void {
    const target = join(this.dir, relative(this.outDir, path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }

  private classKey(jsPath: string): string {
    return `${this.dir}|${relative(this.outDir, jsPath)}`;
  }

  /** The module with its classes reporting their creation (emitted-classes.ts); unchanged if it does not parse. */
  private registering(jsPath: string, js: string): string {
    try {
      return withClassRegistration(js, this.esm, this.classKey(jsPath));
    } catch {
      return js;
    }
  }

  /** Classes of `sf` created while the probe loaded (call after `load`): by class index, one entry per creation. */
  classes(sf: SourceFile): ClassCreation[][] {
    const out = this.outputs.get(sf);
    return out?.js ? (created.get(this.classKey(out.js.path)) ?? []) : [];
  }

  private accessor(sf: SourceFile): string {
    const getters = topLevelBindings(sf).map((b) => `${b.name}: () => ${b.name}`).join(", ");
    return this.esm ? `export const ${PROBE_EXPORT} = { ${getters} };\n` : `exports.${PROBE_EXPORT} = { ${getters} };\n`;
  }

  /** Imports the probe copy of `sf` (once) and returns its bindings. */
  async load(sf: SourceFile, display: string): Promise<ModuleBindings> {
    registerBundlerResolution();
    installClassHook();
    const key = sf.getFilePath();
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const out = this.outputs.get(sf);
    if (!out?.js) throw new BuildError("EBUILD_LOAD", "the module emits no JavaScript", { file: key, display });
    const url = pathToFileURL(join(this.dir, relative(this.outDir, out.js.path))).href;
    let ns: Record<string, unknown>;
    try {
      ns = await import(url);
    } catch (e) {
      if (e instanceof ProbeExit) {
        throw new BuildError("EBUILD_LOAD", `${e.message} when kos build imported it at build time; keep a program's exit behind a main-module check (\`import.meta.url === pathToFileURL(process.argv[1]).href\`), which the build-time import never passes`, { file: key, display }, { cause: e });
      }
      throw new BuildError("EBUILD_LOAD", `importing the compiled module at build time failed: ${(e as Error).message}`, { file: key, display }, { cause: e });
    }
    const getters = (ns[PROBE_EXPORT] ?? (ns.default as Record<string, unknown> | undefined)?.[PROBE_EXPORT]) as Record<string, () => unknown> | undefined;
    if (!getters) throw new BuildError("EBUILD_LOAD", "the compiled module has no probe bindings (unsupported module format)", { file: key, display });
    const list = topLevelBindings(sf);
    const bindings: ModuleBindings = {
      names: list.map((b) => b.name),
      immutable: new Set(list.filter((b) => b.immutable).map((b) => b.name)),
      get(name) {
        const g = Object.prototype.hasOwnProperty.call(getters, name) ? getters[name] : undefined;
        if (!g) return { found: false, reason: `\`${name}\` is not a module-level binding` };
        try {
          return { found: true, value: g() };
        } catch {
          return { found: false, reason: `\`${name}\` is not available at build time (erased by the TypeScript emit, or not initialized)` };
        }
      },
    };
    this.loaded.set(key, bindings);
    return bindings;
  }

  /** Deletes the probe directory. Modules stay loaded in this process. */
  dispose(): void {
    for (const k of [...created.keys()]) if (k.startsWith(`${this.dir}|`)) created.delete(k);
    rmSync(this.dir, { recursive: true, force: true });
    this.release();
  }
}

/**
 * Projects built for bundlers (`moduleResolution: "bundler"`) import
 * `./serialize` without an extension, which Node's ESM loader rejects. For
 * the build-time import only, a resolve hook retries such relative imports
 * from probe directories with `.js`, `/index.js`, `.mjs`, `/index.mjs`. The
 * output is not changed: it still runs wherever the project's own output runs.
 */
const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || !context.parentURL || !context.parentURL.includes(".kos-probe-")) throw error;
    for (const suffix of [".js", "/index.js", ".mjs", "/index.mjs"]) {
      try { return await next(specifier + suffix, context); } catch {}
    }
    throw error;
  }
}
`;

let hookRegistered = false;

function registerBundlerResolution(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  // A data: URL, not a file: a temp file removed on "exit" was left behind by
  // every process that ended without that event (test workers, issue 14).
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}
