/** The fuzz runs' command line: what it takes, and every bad input refused with the usage. */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";

import { FuzzUsageError, parseFuzzArgs } from "./fuzz-args";

const DEFAULTS = { seeds: [1, 40] as [number, number], steps: 300 };

describe("fuzz runs: command line", () => {
  it("takes --seed, --seeds and --steps, defaults the rest, and answers --help", () => {
    expect(parseFuzzArgs([], DEFAULTS)).to.deep.equal({
      seeds: Array.from({ length: 40 }, (_, i) => i + 1),
      steps: 300,
    });
    expect(parseFuzzArgs(["--seed", "7"], DEFAULTS)).to.deep.equal({ seeds: [7], steps: 300 });
    expect(parseFuzzArgs(["--seeds", "3-5", "--steps", "20"], DEFAULTS)).to.deep.equal({ seeds: [3, 4, 5], steps: 20 });
    expect(parseFuzzArgs(["--steps", "1", "--seed", "0"], DEFAULTS)).to.deep.equal({ seeds: [0], steps: 1 });
    expect(parseFuzzArgs(["--help"], DEFAULTS)).to.equal(null);
    expect(parseFuzzArgs(["--seed", "2", "-h"], DEFAULTS)).to.equal(null);
  });

  it("refuses unknown flags, missing or non-integer values, empty ranges and a second seed choice", () => {
    const cases: [string[], RegExp][] = [
      [["--seed"], /--seed: expected a whole number/],
      [["--seed", "x"], /--seed x: expected a whole number/],
      [["--seed", "-1"], /--seed -1: expected a whole number/],
      [["--steps", "0"], /--steps 0: expected a whole number of at least 1/],
      [["--steps", "2.5"], /--steps 2.5: expected a whole number/],
      [["--seeds", "5"], /--seeds 5: expected a range A-B/],
      [["--seeds", "9-3"], /--seeds 9-3: expected a range A-B with A <= B/],
      [["--seed", "1", "--seeds", "1-2"], /give one of --seed and --seeds, once/],
      [["--seeds", "1-2", "--seeds", "1-2"], /give one of --seed and --seeds, once/],
      [["--verbose"], /unknown argument --verbose/],
      [["7"], /unknown argument 7/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseFuzzArgs(argv, DEFAULTS), argv.join(" "))
        .to.throw(FuzzUsageError, message)
        .with.property("message")
        .that.matches(/usage: \[--seed N \| --seeds A-B\] \[--steps N\]/);
    }
  });

  it("npm run fuzz prints the usage for --help (exit 0) and refuses a bad argument (exit 2) before fuzzing", () => {
    const root = path.resolve(__dirname, "..");
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          require.resolve("ts-node/dist/bin"),
          "-P",
          "tsconfig.json",
          "--transpile-only",
          "tests/security/fuzz.ts",
          ...args,
        ],
        { cwd: root, encoding: "utf8", timeout: 60_000 },
      );
    const help = run("--help");
    expect([help.status, help.stdout]).to.satisfy(([s, o]: [number, string]) => s === 0 && /usage: /.test(o));
    const bad = run("--seeds", "9-3");
    expect(bad.status, bad.stderr).to.equal(2);
    expect(bad.stderr).to.match(/--seeds 9-3: expected a range A-B with A <= B/);
    expect(bad.stdout).to.equal("");
  });
});
