import type { GoToolSpec } from "../../compiler/build/go-tool.js";
import { pinnedGoTool } from "./go-tool.js";

/** actionlint, pinned by tools/actionlint/go.mod and built like opa (compiler/build/go-tool.ts). */
export const ACTIONLINT: GoToolSpec = {
  name: "actionlint",
  module: "github.com/rhysd/actionlint",
  package: "github.com/rhysd/actionlint/cmd/actionlint",
};

/**
 * The pinned actionlint: `<GATEHOUSE_TOOLS_DIR or .tools>/bin/actionlint` when it is the pinned
 * version, otherwise built there from tools/actionlint with the local Go. Throws when it cannot be.
 */
export function actionlint(onProgress: (line: string) => void = () => {}): string {
  return pinnedGoTool(
    { spec: ACTIONLINT, label: "actionlint", versionArgs: ["-version"], versionPattern: /^v?([0-9]+\.[0-9]+\.[0-9]+)/ },
    onProgress,
  );
}
