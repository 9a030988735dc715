/**
 * The `kos` command line's conventions (issue 13), on the built CLI
 * (dist/cli/kos.js, built by `pretest`): --version, --help on every command
 * (stdout, exit 0), errors on stderr with a nonzero code, no arguments →
 * usage on stderr and exit 2, bad values refused.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EXIT, failure, numberOption, parseCommand, UsageError, type Output } from "../../cli/args.js";

const repo = resolve(__dirname, "..", "..");
const kosJs = resolve(repo, "dist", "cli", "kos.js");

function kos(...args: string[]) {
  const r = spawnSync(process.execPath, [kosJs, ...args], { encoding: "utf8", cwd: repo, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("kos (the built CLI)", () => {
  it("with no arguments prints the usage to stderr and exits 2", () => {
    const r = kos();
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("usage: kos <command>");
  });

  it("--version and -v print the package's version", () => {
    const version = JSON.parse(readFileSync(resolve(repo, "package.json"), "utf8")).version as string;
    for (const flag of ["--version", "-v"]) {
      const r = kos(flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.stderr).toBe("");
    }
  });

  it("--help, -h and `help` print the usage to stdout and exit 0", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = kos(...args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("usage: kos <command>");
      expect(r.stderr).toBe("");
    }
  });

  it.each(["demo", "build", "profile"])("`kos %s --help` prints that command's usage to stdout, exits 0 and runs nothing", (command) => {
    for (const args of [[command, "--help"], [command, "-h"], ["help", command]]) {
      const r = kos(...args);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`usage: kos ${command}`);
      expect(r.stderr).toBe("");
    }
  });

  it("refuses an unknown command or option on stderr with exit 2", () => {
    const unknown = kos("frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("kos: unknown command 'frobnicate'");
    const badGlobal = kos("--frobnicate");
    expect(badGlobal.status).toBe(2);
    expect(badGlobal.stderr).toContain("'--frobnicate'");
    for (const command of ["demo", "build"]) {
      const r = kos(command, "--frobnicate");
      expect(r.status, command).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`kos ${command}: Unknown option '--frobnicate'`);
      expect(r.stderr).toContain(`usage: kos ${command}`);
    }
  });

  it("refuses bad values and stray arguments instead of guessing", () => {
    for (const [args, message] of [
      [["build", "--min-self", "abc"], "--min-self must be a number from 0 to 100, got 'abc'"],
      [["build", "--min-self=-3"], "--min-self must be a number from 0 to 100"],
      [["build", "--out"], "Option '-o, --out <value>' argument missing"],
      [["demo", "extra"], "unexpected argument 'extra'"],
    ] as const) {
      const r = kos(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
    }
  });
});

describe("cli/args.ts", () => {
  const captured = (): Output & { outText: string; errText: string } => {
    const o = { outText: "", errText: "", out: (t: string) => void (o.outText += t), err: (t: string) => void (o.errText += t) };
    return o;
  };
  const command = { name: "thing", usage: "usage: kos thing [--n N]" };

  it("parseCommand returns the values, or the exit code after --help or a usage error", () => {
    const o = captured();
    const parsed = parseCommand(command, ["--n", "3"], { n: { type: "string" } }, { output: o });
    expect(typeof parsed).toBe("object");
    expect((parsed as { values: { n?: string } }).values.n).toBe("3");
    expect(parseCommand(command, ["--help"], { n: { type: "string" } }, { output: o })).toBe(EXIT.OK);
    expect(o.outText).toContain("usage: kos thing");
    expect(parseCommand(command, ["--m"], { n: { type: "string" } }, { output: o })).toBe(EXIT.USAGE);
    expect(o.errText).toContain("kos thing: Unknown option '--m'");
    expect(parseCommand(command, ["x"], {}, { output: o })).toBe(EXIT.USAGE);
    expect(parseCommand(command, ["x"], {}, { output: o, allowPositionals: true })).toMatchObject({ positionals: ["x"] });
  });

  it("numberOption accepts only finite numbers in range", () => {
    expect(numberOption("top", undefined)).toBeUndefined();
    expect(numberOption("top", "5", { integer: true, min: 1 })).toBe(5);
    expect(numberOption("every", "0.5", { min: 0.1 })).toBe(0.5);
    for (const bad of ["abc", "", " ", "NaN", "Infinity", "1.5", "0"]) {
      expect(() => numberOption("top", bad, { integer: true, min: 1 }), JSON.stringify(bad)).toThrow(UsageError);
    }
    expect(() => numberOption("top", "abc", { integer: true, min: 1 })).toThrow("--top must be an integer ≥ 1, got 'abc'");
  });

  it("failure reports [CODE] message on stderr with exit 1", () => {
    const o = captured();
    expect(failure(command, Object.assign(new Error("no such file"), { code: "ENOENT" }), o)).toBe(EXIT.FAILURE);
    expect(o.errText).toBe("kos thing: [ENOENT] no such file");
    expect(o.outText).toBe("");
  });
});
