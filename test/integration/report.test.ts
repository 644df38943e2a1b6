import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { classify, type ImpactRow } from "../../impact/classify.js";
import { diffVersions } from "../../impact/decide.js";
import { loadVersion } from "../../impact/load-version.js";
import { summarize } from "../../impact/summary.js";
import { DIFF_ROW_LIMIT } from "../../report/diff.js";
import {
  buildReport,
  computeMatrix,
  computeCoverage,
  mergeRanges,
  sizeText,
  type ReportDiff,
  type SiteFile,
} from "../../report/index.js";
import { sharePercent } from "../../report/coverage.js";
import { Authorizer } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "../helpers/bundles.js";
import { gatehouse } from "../helpers/cli.js";
import { opa } from "../helpers/opa.js";
import { buildDir, ORG, policyDir, tempDir } from "../helpers/policy.js";

const QUICKSTART = resolve("examples/quickstart");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function reportOf(dir: string) {
  const compilation = await buildDir(dir);
  const authorizer = await Authorizer.load(compilation.built.bundle);
  return { compilation, decide: (r: unknown) => authorizer.decide(r) };
}

/** The report's files for the policy in dir, built in process for a fixed day (with a diff view for `diff`). */
async function reportFilesOf(dir: string, diff?: ReportDiff): Promise<SiteFile[]> {
  const { compilation } = await reportOf(dir);
  return buildReport({
    policy: compilation.policy!,
    bundle: compilation.built.bundle,
    sources: compilation.sources!.files,
    today: "2026-06-01",
    version: "0.0.0",
    ...(diff ? { diff } : {}),
  });
}

/** The quick start with the blocked app `data-loader` unblocked, as a fresh directory. */
function unblockedQuickstart(): string {
  const head = join(tempDir(), "head");
  cpSync(QUICKSTART, head, { recursive: true });
  const apps = readFileSync(join(head, "apps.yaml"), "utf8");
  expect(apps).toMatch(/name: data-loader\n(.*\n){2}blocked: true\n/);
  writeFileSync(join(head, "apps.yaml"), apps.replace(/(name: data-loader\n(?:.*\n){2})blocked: true\n/, "$1"));
  return head;
}

/** The semantic diff from the quick start to `head`, computed in process as `--base` does. */
async function diffFromQuickstart(head: string): Promise<ReportDiff> {
  const [base, next] = [await loadVersion(QUICKSTART, opa()), await loadVersion(head, opa())];
  const result = diffVersions(base.version!, next.version!, {});
  const impact = classify(result);
  return { summary: summarize(result, impact, { base: QUICKSTART, head }), impact };
}

describe("gatehouse report", () => {
  it("writes the same bytes for the same policy, and opens without a server", async () => {
    const a = join(tempDir(), "a");
    const b = join(tempDir(), "b");
    for (const out of [a, b]) {
      const run = await gatehouse(["report", QUICKSTART, "-o", out, "--today", "2026-06-01"]);
      expect(run.code).toBe(0);
    }
    const files = listFiles(a);
    expect(files).toEqual(listFiles(b));
    expect(files).toEqual([
      "assets/opa-wasm-LICENSE.txt",
      "assets/opa-wasm-browser.js",
      "assets/report.css",
      "assets/report.js",
      "bundle.tar.gz",
      "data/policy.js",
      "data/report-data.js",
      "index.html",
      "sources/apps.yaml.html",
      "sources/networks.yaml.html",
      "sources/org.yaml.html",
      "sources/profiles.yaml.html",
      "sources/tests.yaml.html",
      "sources/users.yaml.html",
    ]);
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    const index = readFileSync(join(a, "index.html"), "utf8");
    // Everything is local: no URL of another origin, no fetch of the bundle.
    expect(index).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(readFileSync(join(a, "assets/report.js"), "utf8")).not.toMatch(/\bfetch\(/);
  });

  it("writes nothing for a broken policy or a base that is not a valid policy directory", async () => {
    const out = join(tempDir(), "site");
    const broken = policyDir({
      "org.yaml": ORG,
      "p.yaml": "kind: Profile\nname: P\nloginIpRanges: [{ network: nowhere }]\n",
    });
    const run = await gatehouse(["report", broken, "-o", out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("p.yaml:3");
    expect(existsSync(out)).toBe(false);
    const brokenBase = await gatehouse(["report", QUICKSTART, "-o", out, "--base", broken]);
    expect(brokenBase.code).toBe(1);
    expect(brokenBase.stderr).toContain("the base");
    expect(brokenBase.stderr).toContain("p.yaml:3");
    expect(existsSync(out)).toBe(false);
    const missing = await gatehouse(["report", QUICKSTART, "-o", out, "--base", join(tempDir(), "nothing-here")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("is not a directory");
    expect(existsSync(out)).toBe(false);
  });

  it("shows, with --base, the requests the policy now decides differently, with their declarations", async () => {
    // Unblock `data-loader`: the report on the copy, with the quick start as base, gains access.
    const head = unblockedQuickstart();
    const apps = readFileSync(join(head, "apps.yaml"), "utf8");
    const sites = [join(tempDir(), "a"), join(tempDir(), "b")];
    for (const out of sites) {
      const run = await gatehouse(["report", head, "-o", out, "--base", QUICKSTART, "--today", "2026-06-01"]);
      expect(run.code, run.stderr).toBe(0);
    }
    const index = readFileSync(join(sites[0]!, "index.html"), "utf8");
    expect(readFileSync(join(sites[1]!, "index.html"), "utf8")).toBe(index);
    expect(index).toContain('<li><a href="#diff">Changes</a></li>');
    const view = index.slice(index.indexOf('<section id="diff"'));
    const gained = view.slice(view.indexOf('<h3 id="diff-gained">Access gained</h3>'));
    expect(gained.length).toBeLessThan(view.length);
    const row = gained.slice(
      gained.indexOf('<li class="diff-row diff-gained">'),
      gained.indexOf("</li>\n        </li>"),
    );
    expect(row).toMatch(/can now call the API through <code>data-loader<\/code>/);
    expect(row).toContain("was denied <code>APP_BLOCKED</code>");
    // The app's declaration, changed, linked to its line in the reported policy.
    // Its declaration starts on the line before its name (1-based: the name's 0-based index).
    const line = apps.split("\n").indexOf("name: data-loader");
    expect(apps.split("\n")[line - 1]).toBe("kind: ConnectedApp");
    expect(row).toMatch(
      new RegExp(
        `ConnectedApp <code>data-loader</code> <span class="badge warn">changed</span>:\\s*<a href="sources/apps\\.yaml\\.html#L${line}">apps\\.yaml:${line}</a>`,
      ),
    );
    // Without --base there is no diff view.
    const plain = join(tempDir(), "plain");
    expect((await gatehouse(["report", head, "-o", plain, "--today", "2026-06-01"])).code).toBe(0);
    expect(readFileSync(join(plain, "index.html"), "utf8")).not.toContain('id="diff"');
  });

  it("lists at most DIFF_ROW_LIMIT rows of a kind of change and says how many more there are", async () => {
    const head = unblockedQuickstart();
    const diff = await diffFromQuickstart(head);
    const row = diff.impact.rows.find((r) => r.kind === "gained")!;
    const gained = (n: number): ImpactRow[] =>
      Array.from({ length: n }, (_, i) => ({ ...row, profile: `Profile ${i}`, classes: 2 }));
    const page = async (rows: ImpactRow[]): Promise<string> => {
      const files = await reportFilesOf(head, { ...diff, impact: { ...diff.impact, rows } });
      const html = new TextDecoder().decode(files.find((f) => f.path === "index.html")!.bytes);
      return html.slice(
        html.indexOf('<section id="diff"'),
        html.indexOf("</section>", html.indexOf('<section id="diff"')),
      );
    };
    const rowsOf = (view: string): number => view.split('<li class="diff-row diff-gained">').length - 1;
    const over = await page(gained(DIFF_ROW_LIMIT + 3));
    expect(rowsOf(over)).toBe(DIFF_ROW_LIMIT);
    expect(over).toContain(`<code>Profile ${DIFF_ROW_LIMIT - 1}</code>`);
    expect(over).not.toContain(`<code>Profile ${DIFF_ROW_LIMIT}</code>`);
    expect(over).toMatch(
      /<p class="small diff-more">and 3 more rows \(6 request classes\), not listed here: <code>gatehouse diff<\/code> lists every one<\/p>/,
    );
    const one = await page(gained(DIFF_ROW_LIMIT + 1));
    expect(one).toContain("and 1 more row (2 request classes)");
    const full = await page(gained(DIFF_ROW_LIMIT));
    expect(rowsOf(full)).toBe(DIFF_ROW_LIMIT);
    expect(full).not.toContain("diff-more");
  });

  it("gives the page the policy and data that decide as the runtime does, messages and sources included", async () => {
    const files = await reportFilesOf(QUICKSTART);
    const script = new TextDecoder().decode(files.find((f) => f.path === "data/policy.js")!.bytes);
    const page = JSON.parse(/^window\.GATEHOUSE_POLICY = (.*);\n$/s.exec(script)![1]!) as {
      wasm: string;
      data: string;
    };
    const policy = await loadPolicy(Buffer.from(page.wasm, "base64"));
    policy.setData(JSON.parse(Buffer.from(page.data, "base64").toString("utf8")) as object);
    const { decide } = await reportOf(QUICKSTART);
    const sourced = QUICKSTART_REQUESTS.filter((r) => decide(r).reasons.some((reason) => reason.source !== null));
    expect(sourced.length).toBeGreaterThan(0);
    for (const request of QUICKSTART_REQUESTS) {
      const [answer] = policy.evaluate(request, "gatehouse/decision") as Array<{ result: unknown }>;
      expect(answer!.result).toEqual(decide(request));
    }
  });

  it("escapes every name an admin wrote, in the HTML and in the page's data", async () => {
    const hostile = `<img src=x onerror=alert(1)>"'&`;
    const dir = policyDir({
      "org.yaml": ORG,
      "p.yaml": `kind: Profile\nname: '${hostile.replace(/'/g, "''")}'\npermissions: [ApiEnabled]\nloginIpRanges: [10.0.0.0/8]\n`,
      "a.yaml": `kind: ConnectedApp\nname: app\nlabel: '</script><script>alert(2)</script>'\nclientIds: [c1]\n`,
    });
    const files = await reportFilesOf(dir);
    const text = (path: string): string => new TextDecoder().decode(files.find((f) => f.path === path)!.bytes);
    const html = text("index.html");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&quot;&#x27;&amp;");
    const data = text("data/report-data.js");
    expect(data).not.toContain("</script>");
    expect(data).not.toContain("<img");
    const source = text("sources/a.yaml.html");
    expect(source).not.toContain("<script>alert(2)");
  });
});

describe("the findings view", () => {
  it("shows an acknowledged finding as acknowledged, with its reason, expiry and YAML line", async () => {
    const dir = policyDir({
      "org.yaml": ORG,
      "acks.yaml":
        "kind: Acknowledgement\nname: roaming\nfinding: GR011\nreason: Mobile users roam.\nexpires: 2030-01-31\n",
    });
    const files = await reportFilesOf(dir);
    const html = new TextDecoder().decode(files.find((f) => f.path === "index.html")!.bytes);
    const finding = html.slice(html.indexOf('<span class="fid">GR011</span>'));
    expect(finding.slice(0, finding.indexOf("</details>"))).toMatch(
      /<span class="badge ack">acknowledged<\/span>[\s\S]*Acknowledged by <a href="sources\/acks\.yaml\.html#L4">roaming<\/a>\s*until 2030-01-31: Mobile users roam\./,
    );
  });
});

describe("the access matrix", () => {
  it("decides each cell with the runtime and explains where it is limited and what relaxes it", async () => {
    const { compilation, decide } = await reportOf(QUICKSTART);
    const matrix = computeMatrix(compilation.policy!, decide);
    const cell = (subject: string, app: string, family: string) => {
      const row = matrix.subjects.findIndex((s) => s.label === subject);
      const col = matrix.apps.findIndex((a) => a.name === app);
      const f = matrix.families.findIndex((x) => x.id === family);
      const v = matrix.verdicts[matrix.cells[row]![col * matrix.families.length + f]!]!;
      return { ...v, reasons: v.reasons.map((i) => matrix.reasons[i]!.code) };
    };
    expect(matrix.subjects.map((s) => s.label)).toEqual([
      "Integration",
      "Partner Community User",
      "Sales User",
      "API_Client_Bypass (on Integration)",
    ]);
    expect(cell("Sales User", "data-loader", "web").reasons).toEqual(["APP_BLOCKED"]);
    expect(cell("Sales User", "salesforce-mobile", "refresh")).toMatchObject({ allow: true, ip: "relaxed" });
    expect(cell("Sales User", "salesforce-mobile", "web")).toMatchObject({
      allow: true,
      ip: "limited",
      highAssurance: "STEP_UP_REQUIRED",
    });
    expect(cell("Sales User", "salesforce-mobile", "bearer")).toMatchObject({
      highAssurance: "HIGH_ASSURANCE_REQUIRED",
    });
    expect(cell("Integration", "erp-sync", "bearer")).toMatchObject({ allow: true, ip: "limited" });
    expect(cell("Integration", "erp-sync", "ui").reasons).toEqual(["API_ONLY_USER_UI_DENIED"]);
    expect(cell("Partner Community User", "partner-portal", "web")).toMatchObject({ allow: true, ip: "anywhere" });
    // Every cell is the runtime's decision of its representative request: same reasons, in order.
    const address = matrix.addresses["Sales User"]!;
    const direct = decide({
      user: { userType: "Standard", profile: "Sales User", permissionSets: [] },
      app: { clientId: "SfdcMobileChatterAndroid" },
      channel: "api",
      grant: "web_server",
      sourceIp: address.outside,
      login: true,
      session: { highAssurance: true },
    });
    expect(direct.reasons.map((r) => r.code)).toEqual(["IP_OUTSIDE_LOGIN_RANGES"]);
  });

  it("has a row per permission set group, decided with the group on its base profile", async () => {
    const dir = policyDir({
      "org.yaml": ORG,
      "p.yaml": "kind: Profile\nname: Staff\npermissions: [ApiEnabled]\n",
      "s.yaml":
        "kind: PermissionSet\nname: ERP_Users\n---\n" +
        "kind: PermissionSetGroup\nname: Integrations\npermissionSets: [ERP_Users]\n",
      "a.yaml":
        "kind: ConnectedApp\nname: erp\nclientIds: [c1]\npermittedUsers: adminApproved\npermissionSets: [ERP_Users]\n",
    });
    const { compilation, decide } = await reportOf(dir);
    const matrix = computeMatrix(compilation.policy!, decide);
    expect(matrix.subjects.map((s) => [s.kind, s.label, s.permissionSets, s.permissionSetGroups])).toEqual([
      ["profile", "Staff", [], []],
      ["permission-set", "ERP_Users (on Staff)", ["ERP_Users"], []],
      ["permission-set-group", "Integrations (on Staff)", [], ["Integrations"]],
    ]);
    const web = (row: number) => {
      const v = matrix.verdicts[matrix.cells[row]![0]!]!;
      return { allow: v.allow, reasons: v.reasons.map((i) => matrix.reasons[i]!.code) };
    };
    // The profile alone is not assigned to the admin-approved app; the group's member set is.
    expect(web(0)).toEqual({ allow: false, reasons: ["APP_USER_NOT_APPROVED"] });
    expect(web(2)).toEqual({ allow: true, reasons: [] });
  });

  it("tells a BYPASS_2FACTOR app that relaxes only verified identities", async () => {
    const dir = policyDir({
      "org.yaml": ORG,
      "p.yaml": "kind: Profile\nname: Staff\npermissions: [ApiEnabled]\nloginIpRanges: [203.0.113.0/24]\n",
      "a.yaml": "kind: ConnectedApp\nname: portal\nclientIds: [c1]\nipRelaxation: BYPASS_2FACTOR\n",
    });
    const { compilation, decide } = await reportOf(dir);
    const matrix = computeMatrix(compilation.policy!, decide);
    const web = matrix.verdicts[matrix.cells[0]![0]!]!;
    const refresh = matrix.verdicts[matrix.cells[0]![1]!]!;
    expect(web).toMatchObject({ allow: true, ip: "relaxed-verified" });
    expect(refresh).toMatchObject({ allow: true, ip: "limited" });
  });
});

describe("IP coverage", () => {
  it("merges ranges, measures them, flags overlaps and ranges that cover everything", async () => {
    const dir = policyDir({
      "org.yaml": ORG,
      "n.yaml": "kind: Network\nname: office\nranges: [10.0.0.0/24, 10.0.0.128/25]\n",
      "p.yaml":
        "kind: Profile\nname: Open\npermissions: [ApiEnabled]\nloginIpRanges: [0.0.0.0/0]\n---\n" +
        "kind: Profile\nname: Office\npermissions: [ApiEnabled]\nloginIpRanges: [{ network: office }, { start: 10.0.2.0, end: 10.0.2.9 }]\n",
      "a.yaml": "kind: ConnectedApp\nname: loose\nclientIds: [c1]\nipRelaxation: BYPASS\n",
    });
    const { compilation } = await reportOf(dir);
    const coverage = computeCoverage(compilation.policy!);
    const office = coverage.find((c) => c.profile === "Office")!;
    const open = coverage.find((c) => c.profile === "Open")!;
    expect(open.coversEverything).toBe(true);
    expect(office.coversEverything).toBe(false);
    expect(office.merged.map((m) => [m.first, m.last, m.size])).toEqual([
      ["10.0.0.0", "10.0.0.255", "256 addresses"],
      ["10.0.2.0", "10.0.2.9", "10 addresses"],
    ]);
    expect(office.totals).toEqual([{ family: 4, size: "266 addresses", share: "< 0.001%" }]);
    expect(office.entries.map((e) => e.label)).toEqual(["network office", "network office", "10.0.2.0–10.0.2.9"]);
    expect(office.overlaps).toEqual([
      { a: "10.0.0.0/24 (network office)", b: "10.0.0.128/25 (network office)", size: "128 addresses" },
    ]);
    expect(office.relaxedBy.map((r) => [r.app, r.relaxation])).toEqual([["loose", "BYPASS"]]);
  });

  it("sizes and shares read as numbers people know", () => {
    expect(sizeText(1n)).toBe("1 address");
    expect(sizeText(65536n)).toBe("65,536 addresses");
    expect(sizeText(1n << 80n)).toBe("2^80 addresses");
    expect(sizeText((1n << 80n) + 5n)).toBe("≈ 2^80 addresses");
    expect(sharePercent(1n << 31n, 1n << 32n)).toBe("50%");
    expect(sharePercent(0n, 1n << 32n)).toBe("0%");
    expect(mergeRanges([])).toEqual([]);
  });
});
