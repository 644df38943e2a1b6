/**
 * One pull-request comment per policy folder, updated in place on every push: found by a hidden
 * HTML marker in its body, edited when it exists, created when it does not. Plain Node (fetch),
 * so the GitHub Action can run it without installing anything.
 */
/* global fetch */

/** The hidden marker that identifies Gatehouse's diff comment for `policyDir`. */
export function diffMarker(policyDir) {
  return `<!-- gatehouse-diff:${policyDir.replace(/--/g, "-")} -->`;
}

async function github(api, token, method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`GitHub API ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Creates or updates the comment carrying `marker` on pull request `issue` of `repository`
 * (`owner/name`) with `body` (the marker is prepended). Returns what it did and the comment id.
 */
export async function upsertComment({ api, token, repository, issue, marker, body }) {
  const text = `${marker}\n${body}`;
  for (let page = 1; ; page++) {
    const comments = await github(
      api,
      token,
      "GET",
      `/repos/${repository}/issues/${issue}/comments?per_page=100&page=${page}`,
    );
    const mine = comments.find((c) => typeof c.body === "string" && c.body.startsWith(marker));
    if (mine) {
      await github(api, token, "PATCH", `/repos/${repository}/issues/comments/${mine.id}`, { body: text });
      return { action: "updated", id: mine.id };
    }
    if (comments.length < 100) break;
  }
  const created = await github(api, token, "POST", `/repos/${repository}/issues/${issue}/comments`, { body: text });
  return { action: "created", id: created.id };
}
