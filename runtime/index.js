// `gatehouse-policy/runtime`: the runtime package, re-exported for code that installed the compiler.
export * from "gatehouse-policy-runtime";
