// `gatehouse-policy/runtime` from CommonJS: the runtime package, re-exported.
module.exports = require("gatehouse-policy-runtime");
