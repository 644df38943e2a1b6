/**
 * The access report in a real browser: Chromium (driven by playwright-core) opens the site that
 * `gatehouse report` wrote, from file://, at desktop and phone widths. Screenshots of every view
 * go to test-artifacts/report/ (and to docs/images/ with GATEHOUSE_DOCS_SCREENSHOTS=1).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatehouse } from "../helpers/cli.js";
import { chromiumBinary } from "./chromium.js";
import { appsPoint, generateTier } from "../../bench/harness/tiers.js";
import { authorizerFor, policyDir, tempDir } from "../helpers/policy.js";

const QUICKSTART = resolve("examples/quickstart");
const ARTIFACTS = resolve("test-artifacts/report");
const DOCS_IMAGES = resolve("docs/images");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface QuickstartRequest {
  user: { id?: string; userType: string; profile: string; permissionSets?: string[] };
  app: { clientId: string } | null;
  channel: string;
  grant: string;
  sourceIp: string;
  login: boolean;
  session?: { originIp?: string; highAssurance?: boolean; identityVerified?: boolean };
  site?: string;
  priorAuthorization?: boolean;
}
interface Outcome {
  allow: boolean;
  reasons: string[];
  notes: string[];
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);

const chromiumFound = chromiumBinary();
if ("missing" in chromiumFound) process.stderr.write(`[report browser tests] skipped: ${chromiumFound.missing}\n`);

describe.skipIf("missing" in chromiumFound)("the access report in Chromium", () => {
  let browser: Browser;
  let site: string;
  let indexUrl: string;

  beforeAll(async () => {
    site = join(tempDir("gatehouse-report-"), "site");
    const run = await gatehouse(["report", QUICKSTART, "-o", site, "--today", "2026-06-01"]);
    expect(run.stderr).toContain("wrote");
    expect(run.code).toBe(0);
    indexUrl = pathToFileURL(join(site, "index.html")).href;
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: (chromiumFound as { path: string }).path,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a view of the site at `width`; every console error or page error fails the test at `done`. */
  async function open(view: string, width: number): Promise<{ page: Page; done: () => Promise<void> }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${indexUrl}#${view}`);
    await page.waitForSelector("html[data-ready=true]");
    return {
      page,
      done: async () => {
        await page.close();
        expect(errors).toEqual([]);
      },
    };
  }

  async function screenshot(page: Page, name: string, docs = false): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    if (docs && process.env.GATEHOUSE_DOCS_SCREENSHOTS === "1")
      await page.screenshot({ path: join(DOCS_IMAGES, `report-${name}.png`) });
  }

  /** Runs axe-core on the page as it is; returns the serious and critical violations. */
  async function seriousViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const { axe } = globalThis as unknown as {
        axe: {
          run(options: {
            preload: boolean;
          }): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }>;
        };
      };
      // No preload: it fetches the stylesheets again, which file:// pages may not do.
      return (await axe.run({ preload: false })).violations;
    });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  }

  it("loads from file:// and walks the matrix: cells, reasons, YAML lines, filters and families", async () => {
    const { page, done } = await open("matrix", 1280);
    expect(page.url()).toMatch(/^file:\/\//);
    await expect(page.locator("#matrix-summary").textContent()).resolves.toBe("Rows 1–4 of 4 · apps 1–5 of 5");
    const cell = page.getByRole("button", { name: "Sales User with Data Loader: Denied APP_BLOCKED", exact: true });
    await cell.click();
    const details = page.locator("#cell-details");
    await expect(details.textContent()).resolves.toContain("connected app `data-loader` is blocked");
    await screenshot(page, "matrix", true);
    // The reason links to the YAML line of the app that blocks.
    await details
      .getByRole("link", { name: /^apps\.yaml:\d+$/ })
      .first()
      .click();
    await page.waitForURL(/sources\/apps\.yaml\.html#L\d+$/);
    const line = await page.locator("li:target").textContent();
    expect(line).toBe("kind: ConnectedApp");
    const next = await page.locator("li:target + li").textContent();
    expect(next).toBe("name: data-loader");
    await page.goBack();
    await page.waitForSelector("html[data-ready=true]");

    const m = page.locator("#matrix");
    // Filter by subject and app: one row, one column.
    await m.getByLabel("Profile or permission set", { exact: true }).fill("Integr");
    await m.getByLabel("Connected app", { exact: true }).fill("sync");
    await expect(page.locator("#matrix-summary").textContent()).resolves.toBe("Rows 1–2 of 2 · apps 1–1 of 1");
    await expect(page.locator("button.cell").count()).resolves.toBe(2);
    // The JWT bearer family: the ERP integration is allowed only from its ranges.
    await m.getByLabel("Request", { exact: true }).selectOption("bearer");
    const cellNamed = (name: string): Promise<number> => page.getByRole("button", { name, exact: true }).count();
    await expect(cellNamed("Integration with ERP Sync: Allowed from its ranges")).resolves.toBe(1);
    // The UI family: an API-only user may not log in to the UI.
    await m.getByLabel("Request", { exact: true }).selectOption("ui");
    await expect(cellNamed("Integration with ERP Sync: Denied API_ONLY_USER_UI_DENIED")).resolves.toBe(1);
    // Only rows with an allowed cell: none is left for the UI.
    await m.getByLabel("Show", { exact: true }).selectOption("allow");
    await expect(page.locator("#matrix-summary").textContent()).resolves.toBe("Rows 0–0 of 0 · apps 1–1 of 1");
    // Keyboard: the cells are buttons reached with Tab and pressed with Enter.
    await m.getByLabel("Show", { exact: true }).selectOption("all");
    await m.getByLabel("Request", { exact: true }).selectOption("web");
    await m.getByLabel("Connected app", { exact: true }).fill("mobile");
    await m.getByLabel("Profile or permission set", { exact: true }).fill("Sales");
    await m.getByLabel("Show", { exact: true }).focus();
    await page.keyboard.press("Tab"); // the table region
    await page.keyboard.press("Tab"); // the first cell
    await page.keyboard.press("Enter");
    await expect(details.textContent()).resolves.toContain("Sales User with Salesforce for Android");
    await expect(details.textContent()).resolves.toContain(
      "Needs a high-assurance session; otherwise STEP_UP_REQUIRED",
    );
    await done();
  });

  it("shows each profile's IP coverage with its networks, merged ranges and relaxations", async () => {
    const { page, done } = await open("coverage", 1280);
    const sales = page.locator("details.profile-coverage", { hasText: "Sales User" });
    const text = (await sales.textContent()) ?? "";
    expect(text).toContain("network head-office");
    expect(text).toContain("203.0.113.0");
    expect(text).toContain("192.0.2.10");
    expect(text).toContain("salesforce-mobile");
    const partner = page.locator("details.profile-coverage", { hasText: "Partner Community User" });
    await expect(partner.textContent()).resolves.toContain("no login IP ranges: any address");
    await screenshot(page, "coverage", true);
    await done();
  });

  it("opens a finding with its severity, score and YAML positions", async () => {
    const { page, done } = await open("findings", 1280);
    await expect(page.locator("#findings .lead").textContent()).resolves.toMatch(/Score \d+ \/ 100/);
    const first = page.locator("details.finding").first();
    await first.locator("summary").click();
    await expect(first.getAttribute("open")).resolves.toBe("");
    await expect(first.locator(".sev").textContent()).resolves.toMatch(/critical|high|medium|low|info/);
    await expect(first.getByRole("link", { name: /\.yaml:\d+:\d+$/ }).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, "findings", true);
    // A position opens the YAML line it names.
    await first.getByRole("link", { name: "profiles.yaml:18:1" }).click();
    await page.waitForURL(/sources\/profiles\.yaml\.html#L18$/);
    await expect(page.locator("li:target").textContent()).resolves.toBe("name: Partner Community User");
    await done();
  });

  it("decides all sixteen quick-start requests in the page exactly as `gatehouse eval` does", async () => {
    const requests = jsonl<QuickstartRequest>(join(QUICKSTART, "requests.jsonl"));
    const expected = jsonl<Outcome>(join(QUICKSTART, "expected.jsonl"));
    const evaluated = await gatehouse([
      "eval",
      "--bundle",
      join(site, "bundle.tar.gz"),
      "--inputs",
      join(QUICKSTART, "requests.jsonl"),
    ]);
    const fromEval = evaluated.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { allow: boolean; reasons: Array<{ code: string }>; notes: Array<{ code: string }> })
      .map((d) => ({ allow: d.allow, reasons: d.reasons.map((r) => r.code), notes: d.notes.map((n) => n.code) }));
    expect(fromEval).toEqual(expected);

    const { page, done } = await open("try", 1280);
    const form = page.locator("#try-form");
    const tri = (v: boolean | undefined): string => (v === undefined ? "" : String(v));
    const inPage: Outcome[] = [];
    const out = page.locator("#decision");
    for (const request of requests) {
      await form.getByLabel("User id (optional)").fill(request.user.id ?? "");
      await form.getByLabel("User type").selectOption(request.user.userType);
      await form.getByLabel("Profile", { exact: true }).fill(request.user.profile);
      await form.getByLabel("Permission sets (comma separated)").fill((request.user.permissionSets ?? []).join(", "));
      await form.getByLabel(/^Connected app client id/).fill(request.app?.clientId ?? "");
      await form.getByLabel("Channel").selectOption(request.channel);
      await form.getByLabel("Grant").selectOption(request.grant);
      await form.getByLabel("Experience site (optional)").fill(request.site ?? "");
      await form.getByLabel("Source IP address").fill(request.sourceIp);
      await form.getByLabel(/^Login or token issuance/).setChecked(request.login);
      await form.getByLabel("Session origin IP (optional)").fill(request.session?.originIp ?? "");
      await form.getByLabel("High-assurance session").selectOption(tri(request.session?.highAssurance));
      await form.getByLabel("Identity verified in this session").selectOption(tri(request.session?.identityVerified));
      await form.getByLabel(/^Authorized this app before/).selectOption(tri(request.priorAuthorization));
      await out.evaluate((node: { removeAttribute(name: string): void }) => node.removeAttribute("data-state"));
      await form.getByRole("button", { name: "Decide" }).click();
      await page.waitForSelector("#decision[data-state=decided]");
      // The form built exactly the request of the file.
      expect(JSON.parse((await page.locator("#request-json").textContent()) ?? "")).toEqual(request);
      const list = (s: string | null): string[] => (s ? s.split(",") : []);
      inPage.push({
        allow: (await out.getAttribute("data-allow")) === "true",
        reasons: list(await out.getAttribute("data-reasons")),
        notes: list(await out.getAttribute("data-notes")),
      });
      if (inPage.length === 6) await screenshot(page, "playground", true);
      // A deny shows the YAML line of the declaration that denied.
      if (inPage.length === 7)
        await expect(out.locator("a").first().textContent()).resolves.toMatch(/^apps\.yaml:\d+$/);
    }
    expect(inPage).toEqual(fromEval);
    await done();
  });

  it("shows a large policy set a page at a time: the table holds one page of rows and apps", async () => {
    // A generated policy set of the benchmark's shape with 60 apps (tier M has 1,000; docs/report.md).
    const generated = generateTier({ ...appsPoint(60), profiles: 24 }, undefined);
    const dir = policyDir(Object.fromEntries(generated.files));
    const out = join(tempDir("gatehouse-report-"), "site");
    const run = await gatehouse(["report", dir, "-o", out, "--today", "2026-06-01"]);
    expect(run.code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(out, "index.html")).href);
    await page.waitForSelector("html[data-ready=true]");
    const summary = page.locator("#matrix-summary");
    const rows = generated.model.spec.profiles + generated.model.spec.permissionSets;
    await expect(summary.textContent()).resolves.toBe(`Rows 1–20 of ${rows} · apps 1–8 of 60`);
    await expect(page.locator("button.cell").count()).resolves.toBe(20 * 8);
    await page.getByRole("button", { name: "Next apps" }).click();
    await page.getByRole("button", { name: "Next rows" }).click();
    await expect(summary.textContent()).resolves.toBe(`Rows 21–${rows} of ${rows} · apps 9–16 of 60`);
    await expect(page.locator("button.cell").count()).resolves.toBe((rows - 20) * 8);
    await page.locator("#matrix").getByLabel("Connected app", { exact: true }).fill("bypass");
    // Filtering the apps keeps the page of rows and starts the apps again.
    await expect(summary.textContent()).resolves.toMatch(
      new RegExp(`^Rows 21–${rows} of ${rows} · apps 1–[1-8] of [1-8]$`),
    );
    await page.close();
    expect(errors).toEqual([]);
  });

  it("with --base, shows the changes: the gained rows, each linked to the YAML line it rests on", async () => {
    // Base: the quick start and a group (so the form's group field is exercised on this site too);
    // head: the same with `data-loader` no longer blocked.
    const base = join(tempDir("gatehouse-report-"), "base");
    cpSync(QUICKSTART, base, { recursive: true });
    writeFileSync(
      join(base, "groups.yaml"),
      "kind: PermissionSetGroup\nname: Bypass_Group\npermissionSets: [API_Client_Bypass]\n",
    );
    const head = join(tempDir("gatehouse-report-"), "head");
    cpSync(base, head, { recursive: true });
    const apps = readFileSync(join(head, "apps.yaml"), "utf8");
    writeFileSync(join(head, "apps.yaml"), apps.replace(/(name: data-loader\n(?:.*\n){2})blocked: true\n/, "$1"));
    const out = join(tempDir("gatehouse-report-"), "site");
    const run = await gatehouse(["report", head, "-o", out, "--base", base, "--today", "2026-06-01"]);
    expect(run.code, run.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(out, "index.html")).href);
    await page.waitForSelector("html[data-ready=true]");
    await page.getByRole("link", { name: "Changes" }).click();
    // The view switches after the click's hash change is handled: wait for it, then look.
    await page.locator("#diff").waitFor({ state: "visible" });
    await expect(page.locator("#diff").isVisible()).resolves.toBe(true);
    await expect(page.locator("#matrix").isVisible()).resolves.toBe(false);
    const gained = page.locator("li.diff-gained", { hasText: "can now call the API through data-loader" }).first();
    await expect(gained.textContent()).resolves.toContain("was denied APP_BLOCKED");
    expect(await seriousViolations(page), "diff view").toEqual([]);
    await screenshot(page, "diff");
    await gained.getByRole("link", { name: /^apps\.yaml:\d+$/ }).click();
    await page.waitForURL(/sources\/apps\.yaml\.html#L\d+$/);
    await expect(page.locator("li:target").textContent()).resolves.toBe("kind: ConnectedApp");
    // The form sends permission set groups, and the page decides as the runtime does.
    await page.goto(pathToFileURL(join(out, "index.html")).href + "#try");
    await page.waitForSelector("html[data-ready=true]");
    const form = page.locator("#try-form");
    await form.getByLabel("Profile", { exact: true }).fill("Integration");
    await form.getByLabel("Permission set groups (comma separated)").fill("Bypass_Group");
    await form.getByRole("button", { name: "Decide" }).click();
    await page.waitForSelector("#decision[data-state=decided]");
    const request = JSON.parse((await page.locator("#request-json").textContent()) ?? "") as {
      user: { permissionSetGroups?: string[] };
    };
    expect(request.user.permissionSetGroups).toEqual(["Bypass_Group"]);
    const runtime = (await authorizerFor(head)).decide(request);
    await expect(page.locator("#decision").getAttribute("data-allow")).resolves.toBe(String(runtime.allow));
    await expect(page.locator("#decision").getAttribute("data-reasons")).resolves.toBe(
      runtime.reasons.map((r) => r.code).join(","),
    );
    await page.close();
    expect(errors).toEqual([]);
  });

  for (const width of [1280, 375]) {
    it(`has no serious accessibility violations and fits ${width} px in every view`, async () => {
      for (const view of ["matrix", "coverage", "findings", "try"]) {
        const { page, done } = await open(view, width);
        if (view === "matrix") await page.locator("button.cell").first().click();
        if (view === "findings") await page.locator("details.finding summary").first().click();
        if (view === "try") await page.getByRole("button", { name: "Decide" }).click();
        expect(await seriousViolations(page), `${view} at ${width} px`).toEqual([]);
        const overflow = await page.evaluate(() => {
          const g = globalThis as unknown as {
            document: { documentElement: { scrollWidth: number } };
            innerWidth: number;
          };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect(overflow, `${view} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
        if (width === 375) await screenshot(page, `${view}-phone`);
        await done();
      }
    });
  }
});
