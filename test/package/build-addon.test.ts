/** scripts/build-addon.mjs finds node's headers the way node-gyp does, with no fixed path. */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error a plain .mjs script without types
import { findNodeDir } from "../../scripts/build-addon.mjs";

const tmp = mkdtempSync(join(tmpdir(), "kos-nodedir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("findNodeDir", () => {
  it("takes npm_config_nodedir first", () => {
    expect(findNodeDir({ npm_config_nodedir: "/opt/headers" }, "/usr/bin/node")).toBe("/opt/headers");
  });

  it("else the running node's install prefix when it holds the headers (nvm, official tarball, Docker)", () => {
    const prefix = join(tmp, "nvm", "versions", "node", "v20.20.2");
    mkdirSync(join(prefix, "include", "node"), { recursive: true });
    mkdirSync(join(prefix, "bin"), { recursive: true });
    writeFileSync(join(prefix, "include", "node", "node_api.h"), "");
    expect(findNodeDir({}, join(prefix, "bin", "node"))).toBe(prefix);
  });

  it("else leaves the choice to node-gyp (its header cache)", () => {
    expect(findNodeDir({}, join(tmp, "bare", "bin", "node"))).toBeUndefined();
  });

  it("on this machine: node's own prefix, derived from process.execPath", () => {
    const found = findNodeDir({}, process.execPath);
    if (found !== undefined) expect(process.execPath.startsWith(found)).toBe(true);
  });
});
