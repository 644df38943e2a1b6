/* The access report's script: shows one view at a time, draws the matrix page by page from
   data/report-data.js, and decides the playground's requests with the bundle's own policy.wasm
   (data/policy.js) through the WebAssembly SDK's browser build. Every value from the policy is
   written as text (textContent), never as markup. */
"use strict";

(function () {
  const REPORT = window.GATEHOUSE_REPORT;
  const POLICY = window.GATEHOUSE_POLICY;
  /* The diff view exists only in a report made with a base. */
  const VIEWS = ["matrix", "coverage", "findings", "try", "diff"].filter((id) => document.getElementById(id));
  const ROWS_PER_PAGE = 20;
  const APPS_PER_PAGE = 8;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function sourceLink(source) {
    if (!source || !source.file) return null;
    const page = REPORT.sourceHrefs[source.file];
    const label = source.file + ":" + source.line;
    return page ? el("a", { href: page + "#L" + source.line, text: label }) : el("span", { text: label });
  }

  /* ---- views ---- */

  function showView() {
    const hash = decodeURIComponent(location.hash.slice(1));
    let target = VIEWS.includes(hash) ? hash : null;
    const anchor = hash && !target ? document.getElementById(hash) : null;
    if (anchor) {
      const view = anchor.closest(".view");
      if (view) target = view.id;
      if (anchor.tagName === "DETAILS") anchor.open = true;
    }
    target = target || "matrix";
    for (const id of VIEWS) document.getElementById(id).hidden = id !== target;
    for (const link of document.querySelectorAll(".tabs a")) {
      if (link.getAttribute("href") === "#" + target) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (anchor) anchor.scrollIntoView();
  }

  /* ---- matrix ---- */

  const M = REPORT.matrix;
  const F = M.families.length;
  const state = { family: 0, subject: "", app: "", status: "all", rowPage: 0, appPage: 0 };

  function verdict(row, app) {
    return M.verdicts[M.cells[row][app * F + state.family]];
  }

  function filtered() {
    const sq = state.subject.toLowerCase();
    const aq = state.app.toLowerCase();
    const apps = [];
    M.apps.forEach((a, i) => {
      const hay = (a.name + " " + a.label + " " + (a.clientId || "")).toLowerCase();
      if (hay.includes(aq)) apps.push(i);
    });
    const rows = [];
    M.subjects.forEach((s, i) => {
      if (!s.label.toLowerCase().includes(sq)) return;
      if (state.status !== "all") {
        const want = state.status === "allow";
        if (!apps.some((a) => verdict(i, a).allow === want)) return;
      }
      rows.push(i);
    });
    return { rows, apps };
  }

  function cellText(v) {
    if (!v.allow) return ["Denied", v.reasons.length ? M.reasons[v.reasons[0]].code : ""];
    const extra = [];
    if (v.ip === "limited") extra.push("from its ranges");
    if (v.ip === "relaxed") extra.push("relaxed");
    if (v.ip === "relaxed-verified") extra.push("relaxed if verified");
    if (v.highAssurance) extra.push("high assurance");
    return ["Allowed", extra.join(" · ")];
  }

  function drawMatrix() {
    const { rows, apps } = filtered();
    const rowPages = Math.max(1, Math.ceil(rows.length / ROWS_PER_PAGE));
    const appPages = Math.max(1, Math.ceil(apps.length / APPS_PER_PAGE));
    state.rowPage = Math.min(state.rowPage, rowPages - 1);
    state.appPage = Math.min(state.appPage, appPages - 1);
    const pageRows = rows.slice(state.rowPage * ROWS_PER_PAGE, (state.rowPage + 1) * ROWS_PER_PAGE);
    const pageApps = apps.slice(state.appPage * APPS_PER_PAGE, (state.appPage + 1) * APPS_PER_PAGE);
    const table = document.getElementById("matrix-table");
    const caption = table.querySelector("caption");
    table.replaceChildren(caption);
    const head = el("tr", {}, [el("th", { scope: "col", text: "Profile / permission set" })]);
    for (const a of pageApps) {
      const app = M.apps[a];
      head.append(
        el("th", { scope: "col" }, [
          el("span", { className: "app-name", text: app.label }),
          el("br"),
          el("code", { className: "small", text: app.name }),
        ]),
      );
    }
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    for (const r of pageRows) {
      const s = M.subjects[r];
      const tr = el("tr", {}, [
        el("th", { scope: "row" }, [
          el("span", { text: s.label }),
          el("br"),
          el("span", { className: "small", text: s.userType }),
        ]),
      ]);
      for (const a of pageApps) {
        const v = verdict(r, a);
        const [head1, head2] = cellText(v);
        const button = el(
          "button",
          { type: "button", className: "cell " + (v.allow ? "allow" : "deny"), "data-row": r, "data-app": a },
          [
            el("span", { className: "visually-hidden", text: s.label + " with " + M.apps[a].label + ": " }),
            el("span", { className: "verdict" }, [
              el("span", { "aria-hidden": "true", text: v.allow ? "✓ " : "✗ " }),
              head1,
            ]),
            el("span", { className: "why", text: head2 }),
          ],
        );
        tr.append(el("td", {}, [button]));
      }
      body.append(tr);
    }
    if (pageRows.length === 0 || pageApps.length === 0)
      body.append(el("tr", {}, [el("td", { colspan: pageApps.length + 1, text: "Nothing matches these filters." })]));
    table.append(body);
    document.getElementById("matrix-summary").textContent =
      "Rows " +
      (rows.length ? state.rowPage * ROWS_PER_PAGE + 1 : 0) +
      "–" +
      (state.rowPage * ROWS_PER_PAGE + pageRows.length) +
      " of " +
      rows.length +
      " · apps " +
      (apps.length ? state.appPage * APPS_PER_PAGE + 1 : 0) +
      "–" +
      (state.appPage * APPS_PER_PAGE + pageApps.length) +
      " of " +
      apps.length;
    document.getElementById("rows-prev").disabled = state.rowPage === 0;
    document.getElementById("rows-next").disabled = state.rowPage >= rowPages - 1;
    document.getElementById("apps-prev").disabled = state.appPage === 0;
    document.getElementById("apps-next").disabled = state.appPage >= appPages - 1;
  }

  function showCell(r, a) {
    const s = M.subjects[r];
    const app = M.apps[a];
    const family = M.families[state.family];
    const v = verdict(r, a);
    const panel = document.getElementById("cell-details");
    const parts = [
      el("h3", { text: s.label + " with " + app.label + " — " + family.label }),
      el("p", { className: "verdict-line " + (v.allow ? "allow" : "deny"), text: v.allow ? "Allowed" : "Denied" }),
    ];
    if (v.reasons.length) {
      parts.push(el("h4", { text: "Reasons" }));
      parts.push(
        el(
          "ul",
          {},
          v.reasons
            .map((i) => M.reasons[i])
            .map((x) =>
              el("li", {}, [
                el("code", { text: x.code }),
                document.createTextNode(" " + x.message + " "),
                sourceLink(x.source),
              ]),
            ),
        ),
      );
    }
    if (v.notes.length) parts.push(el("p", { text: "Notes: " + v.notes.join(", ") }));
    const where = el("dl");
    const add = (term, ...desc) => where.append(el("dt", { text: term }), el("dd", {}, desc));
    const addr = M.addresses[s.profile] || {};
    const networks = s.networks.length ? s.networks.join(", ") : "any address (no login IP ranges)";
    add("Login IP ranges", document.createTextNode(networks));
    const ipText = {
      anywhere: "No address limit applies.",
      limited: "Limited to the profile's login IP ranges: from outside them (e.g. " + addr.outside + ") it is denied.",
      relaxed: "From outside the ranges (e.g. " + addr.outside + ") the app's IP relaxation lets it through.",
      "relaxed-verified": "From outside the ranges it is let through only once the user's identity is verified.",
      "n/a": "Denied before the address matters.",
    }[v.ip];
    add("Where from", document.createTextNode(ipText));
    add("IP relaxation", document.createTextNode(v.relaxation));
    if (v.highAssurance)
      add("Session", document.createTextNode("Needs a high-assurance session; otherwise " + v.highAssurance + "."));
    add(
      "Request decided",
      document.createTextNode(
        family.channel + " · " + family.grant + " · login from " + addr.inside + " as " + s.userType,
      ),
    );
    add("Declarations", sourceLink(s.source), document.createTextNode(" "), sourceLink(app.source));
    parts.push(where);
    panel.replaceChildren(...parts);
    panel.dataset.allow = String(v.allow);
    panel.focus();
  }

  function setupMatrix() {
    const on = (id, event, fn) => document.getElementById(id).addEventListener(event, fn);
    on("family", "change", (e) => {
      state.family = Number(e.target.selectedIndex);
      drawMatrix();
    });
    on("subject-filter", "input", (e) => {
      state.subject = e.target.value;
      state.rowPage = 0;
      drawMatrix();
    });
    on("app-filter", "input", (e) => {
      state.app = e.target.value;
      state.appPage = 0;
      drawMatrix();
    });
    on("status-filter", "change", (e) => {
      state.status = e.target.value;
      state.rowPage = 0;
      drawMatrix();
    });
    on("rows-prev", "click", () => {
      state.rowPage--;
      drawMatrix();
    });
    on("rows-next", "click", () => {
      state.rowPage++;
      drawMatrix();
    });
    on("apps-prev", "click", () => {
      state.appPage--;
      drawMatrix();
    });
    on("apps-next", "click", () => {
      state.appPage++;
      drawMatrix();
    });
    on("matrix-filters", "submit", (e) => e.preventDefault());
    on("matrix-table", "click", (e) => {
      const button = e.target.closest("button.cell");
      if (button) showCell(Number(button.dataset.row), Number(button.dataset.app));
    });
    drawMatrix();
  }

  /* ---- playground ---- */

  let policyPromise = null;

  function bytes(base64) {
    const raw = atob(base64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function loadPolicy() {
    if (!policyPromise) {
      policyPromise = opa.loadPolicy(bytes(POLICY.wasm).buffer).then((policy) => {
        policy.setData(bytes(POLICY.data).buffer);
        return policy;
      });
    }
    return policyPromise;
  }

  function runtimeDeny(message) {
    return {
      allow: false,
      reasons: [{ code: "EVALUATION_ERROR", message, control: "runtime", source: null }],
      notes: [],
      revision: POLICY.revision,
    };
  }

  /* The same soundness check the runtime applies to a result (wasm/decision.ts). */
  function checked(result) {
    const d = Array.isArray(result) && result.length === 1 ? result[0].result : undefined;
    const ok =
      d &&
      typeof d === "object" &&
      typeof d.allow === "boolean" &&
      Array.isArray(d.reasons) &&
      Array.isArray(d.notes) &&
      typeof d.revision === "string" &&
      d.allow === (d.reasons.length === 0);
    return ok ? d : runtimeDeny("the policy returned no well-formed decision");
  }

  function formRequest(form) {
    const v = (name) => form.elements[name].value;
    const tri = (name) => (v(name) === "" ? undefined : v(name) === "true");
    const user = { userType: v("userType"), profile: v("profile") };
    if (v("userId") !== "") user.id = v("userId");
    const list = (name) =>
      v(name)
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    const sets = list("permissionSets");
    if (sets.length) user.permissionSets = sets;
    const groups = list("permissionSetGroups");
    if (groups.length) user.permissionSetGroups = groups;
    const request = {
      user,
      app: v("clientId").trim() === "" ? null : { clientId: v("clientId").trim() },
      channel: v("channel"),
      grant: v("grant"),
      sourceIp: v("sourceIp"),
      login: form.elements.login.checked,
    };
    const session = {};
    if (v("originIp") !== "") session.originIp = v("originIp");
    if (tri("high-assurance") !== undefined) session.highAssurance = tri("high-assurance");
    if (tri("identity-verified") !== undefined) session.identityVerified = tri("identity-verified");
    if (Object.keys(session).length) request.session = session;
    if (v("site").trim() !== "") request.site = v("site").trim();
    if (tri("prior-authorization") !== undefined) request.priorAuthorization = tri("prior-authorization");
    return request;
  }

  function showDecision(d) {
    const out = document.getElementById("decision");
    const parts = [
      el("p", { className: "verdict-line " + (d.allow ? "allow" : "deny"), text: d.allow ? "✓ Allowed" : "✗ Denied" }),
    ];
    if (d.reasons.length) {
      parts.push(el("h3", { text: "Reasons" }));
      parts.push(
        el(
          "ol",
          {},
          d.reasons.map((r) =>
            el("li", {}, [
              el("code", { text: r.code }),
              document.createTextNode(" (" + r.control + ") " + r.message + " "),
              sourceLink(r.source),
            ]),
          ),
        ),
      );
    }
    if (d.notes.length) {
      parts.push(el("h3", { text: "Notes" }));
      parts.push(
        el(
          "ul",
          {},
          d.notes.map((n) => el("li", {}, [el("code", { text: n.code }), document.createTextNode(" " + n.message)])),
        ),
      );
    }
    parts.push(el("p", { className: "small", text: "Decided by policy.wasm, revision " + d.revision }));
    out.replaceChildren(...parts);
    out.dataset.allow = String(d.allow);
    out.dataset.reasons = d.reasons.map((r) => r.code).join(",");
    out.dataset.notes = d.notes.map((n) => n.code).join(",");
    out.dataset.state = "decided";
  }

  function setupPlayground() {
    const form = document.getElementById("try-form");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const request = formRequest(form);
      document.getElementById("request-json").textContent = JSON.stringify(request, null, 2);
      const out = document.getElementById("decision");
      out.dataset.state = "deciding";
      loadPolicy()
        .then((policy) => {
          let d;
          try {
            d = checked(policy.evaluate(request, "gatehouse/decision"));
          } catch (error) {
            d = runtimeDeny(
              "the policy could not be evaluated: " + (error && error.message ? error.message : String(error)),
            );
            policyPromise = null;
          }
          showDecision(d);
        })
        .catch((error) => showDecision(runtimeDeny("the policy could not be loaded: " + String(error))));
    });
  }

  window.addEventListener("hashchange", showView);
  setupMatrix();
  setupPlayground();
  showView();
  document.documentElement.dataset.ready = "true";
})();
