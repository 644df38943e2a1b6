# METADATA
# description: |
#   A base document compared (`==`, `!=`, `<` …) or passed as an argument to a function (built-in
#   or declared). Either makes topdown evaluate the whole document as a value on every query.
#   Documents small enough to compare or pass are named under `small-documents`.
# schemas:
#   - input: schema.regal.ast
package custom.regal.rules.gatehouse["base-data-argument"]

import data.custom.gatehouse.base_data
import data.regal.result

_title := "base-data-argument"

# Calls checked by the other gatehouse/base-data-* rules: binding and `in`.
_elsewhere := {"assign", "eq", "internal.member_2", "internal.member_3"}

report contains violation if {
	some rule in input.rules
	some call in base_data.calls(rule)
	name := base_data.operator(call)
	not name in _elsewhere
	some argument in array.slice(call, 1, count(call))
	some ref in base_data.refs_in(argument)
	p := base_data.base_path(ref, _title)
	not base_data.listed(p, _title, "small-documents")
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		ref,
		sprintf("a base document is an argument of `%s`", [name]),
	))
}
