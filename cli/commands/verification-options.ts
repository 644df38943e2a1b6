import { readFileSync } from "node:fs";
import type { SigningAlgorithm } from "../../core/bundle-signing.js";
import type { BundleVerification } from "../../wasm/index.js";
import { CliError } from "../io.js";

/** The signature verification options shared by `eval` and `serve`. */
export interface VerificationCliOptions {
  readonly verificationKey?: string;
  readonly verificationAlg?: SigningAlgorithm;
  readonly keyId?: string;
  readonly scope?: string;
}

/** The verification the options ask for, or undefined when no key is given. */
export function verificationFor(options: VerificationCliOptions): BundleVerification | undefined {
  if (options.verificationKey === undefined) {
    const stray = [
      ["--verification-alg", options.verificationAlg],
      ["--key-id", options.keyId],
      ["--scope", options.scope],
    ].find(([, value]) => value !== undefined);
    if (stray) throw new CliError(`\`${stray[0]}\` needs \`--verification-key\``);
    return undefined;
  }
  let key: Uint8Array;
  try {
    key = readFileSync(options.verificationKey);
  } catch (error) {
    throw new CliError(
      `cannot read the verification key \`${options.verificationKey}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  return {
    key,
    ...(options.verificationAlg === undefined ? {} : { algorithm: options.verificationAlg }),
    ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
}
