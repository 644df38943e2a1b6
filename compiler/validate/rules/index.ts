import { appSettings } from "./app-settings.js";
import { orgEdition } from "./org-edition.js";
import { permissionSetGroups } from "./permission-set-groups.js";
import { rangeLists } from "./range-lists.js";
import { unseenFacts } from "./unseen-facts.js";
import type { Rule } from "./rule.js";

export type { Rule } from "./rule.js";

/** Every semantic rule, run in this order over a resolved policy set. */
export const RULES: readonly Rule[] = [appSettings, orgEdition, permissionSetGroups, rangeLists, unseenFacts];
