/**
 * The Authorizer's private steps the step-by-step benches reach into (names as in
 * wasm/authorizer.ts): writing a request into reserved memory and running one entry point.
 */
export interface AuthorizerInternals {
  run(entrypoint: number, json: string): string;
  reserve(json: string): void;
  readonly policy: { readonly entrypoints: Record<string, number> };
}
