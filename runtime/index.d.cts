export * from "gatehouse-policy-runtime";
