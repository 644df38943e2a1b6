/** The fleet test's load: decision requests sent to every server while bundles change, each checked. */
import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { type Decision } from "../../wasm/index.js";
import { QUICKSTART_REQUESTS } from "./bundles.js";
import { sleep, type Member, type Revision } from "./fleet-servers.js";

/** Decision requests sent in flight at once to each server, and the pause each sender takes between two. */
export const SENDERS_PER_SERVER = 2;
export const PAUSE_MS = 20;
/** The most decisions one load phase sends to one server, whatever happens. */
export const MAX_DECISIONS_PER_SERVER = 2000;

/** What a load phase saw at one member. */
export interface Tally {
  decisions: number;
  readonly byRevision: Map<string, number>;
  /** Failed requests: errors, non-200 answers, answers without a decision. */
  readonly failed: string[];
  /** Decisions that are not the runtime's decision for the revision they report, or from a revision not allowed. */
  readonly wrong: string[];
  /** When a decision from the newest allowed revision first came back (ms since the phase started). */
  firstNewest?: number;
  lastRevision?: string;
}

/**
 * Sends the quick-start requests round-robin to every member, SENDERS_PER_SERVER at a time with
 * a pause between two, until `done` says so or `limit` were sent to each, and checks each answer: a
 * 200 whose decision is exactly the runtime's decision for the revision it reports, that
 * revision one of `allowed` (oldest first), and never older than a revision the member already
 * answered with before the request was sent.
 */
export async function load(
  members: readonly Member[],
  allowed: readonly Revision[],
  done: () => boolean,
  limit = MAX_DECISIONS_PER_SERVER,
): Promise<Map<string, Tally>> {
  const started = Date.now();
  const tallies = new Map<string, Tally>();
  const order = new Map(allowed.map((r, i) => [r.revision, i]));
  await Promise.all(
    members.map(async (member) => {
      const tally: Tally = { decisions: 0, byRevision: new Map(), failed: [], wrong: [] };
      tallies.set(member.name, tally);
      /** The rank in `allowed` of the newest revision a completed answer carried. */
      let newestSeen = -1;
      let next = 0;
      const sender = async (): Promise<void> => {
        while (!done() && tally.decisions < limit) {
          const i = next++ % QUICKSTART_REQUESTS.length;
          const floor = newestSeen;
          tally.decisions++;
          try {
            const response = await fetch(`${member.url}/v1/data/gatehouse/decision`, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ input: QUICKSTART_REQUESTS[i] }),
            });
            const body = (await response.json()) as { result?: Decision };
            const decision = body.result;
            if (response.status !== 200 || decision === undefined) {
              tally.failed.push(`request ${i}: ${response.status} ${JSON.stringify(body)}`);
              continue;
            }
            const rank = order.get(decision.revision);
            tally.byRevision.set(decision.revision, (tally.byRevision.get(decision.revision) ?? 0) + 1);
            tally.lastRevision = decision.revision;
            if (rank === undefined) tally.wrong.push(`request ${i}: revision ${decision.revision} is not allowed here`);
            else if (rank < floor) tally.wrong.push(`request ${i}: revision ${decision.revision} after a newer one`);
            else if (!isDeepStrictEqual(decision, allowed[rank]!.decisions[i]))
              tally.wrong.push(`request ${i} on ${allowed[rank]!.label}: ${JSON.stringify(decision)}`);
            if (rank !== undefined && rank > newestSeen) newestSeen = rank;
            if (rank === allowed.length - 1) tally.firstNewest ??= Date.now() - started;
          } catch (error) {
            tally.failed.push(`request ${i}: ${(error as Error).message}`);
          }
          await sleep(PAUSE_MS);
        }
      };
      await Promise.all(Array.from({ length: SENDERS_PER_SERVER }, sender));
    }),
  );
  return tallies;
}

/** Every tally's failures and wrong decisions, by member (empty when all is well). */
export function problems(tallies: Map<string, Tally>): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, t] of tallies)
    if (t.failed.length + t.wrong.length > 0) found[name] = [...t.failed, ...t.wrong].slice(0, 10);
  return found;
}

/**
 * Runs `action` while a load (see `load`) runs against every one of `members`; stops the load when the
 * action ends, fails on any failed or wrong decision, then rethrows what the action threw.
 */
export async function underLoad<T>(
  members: readonly Member[],
  allowed: readonly Revision[],
  action: () => Promise<T>,
): Promise<{ tallies: Map<string, Tally>; value: T }> {
  let stop = false;
  const running = load(members, allowed, () => stop);
  let outcome: { readonly value: T } | { readonly error: Error };
  try {
    outcome = { value: await action() };
  } catch (error) {
    outcome = { error: error as Error };
  }
  stop = true;
  // Wrong or failed decisions explain a failure best; then what the action found.
  const tallies = await running;
  expect(problems(tallies)).toEqual({});
  if ("error" in outcome) throw outcome.error;
  return { tallies, value: outcome.value };
}
