# METADATA
# description: |
#   A base document bound to a rule or a variable, like `P := data.gatehouse.policy`. Topdown then
#   evaluates the whole document as a value, and every later use of the name hides that it is
#   base data. Read base data through an import and look it up by key; documents small enough to
#   bind are named under `small-documents`.
# schemas:
#   - input: schema.regal.ast
package custom.regal.rules.gatehouse["base-data-alias"]

import data.custom.gatehouse.base_data
import data.regal.result

_title := "base-data-alias"

# A rule or function whose value (in its head or an `else`) is a base document.
report contains violation if {
	some rule in input.rules
	walk(rule, [path, node])
	array.slice(path, count(path) - 2, count(path)) == ["head", "value"]
	some ref in base_data.refs_in(node)
	_whole(base_data.base_path(ref, _title))
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		ref,
		"a rule's value is a base document",
	))
}

# `x := R`, `x = R` or `R = x`: a base document bound to (or unified with) a local variable.
report contains violation if {
	some rule in input.rules
	some call in base_data.calls(rule)
	base_data.operator(call) in {"assign", "eq"}
	some side in array.slice(call, 1, 3)
	some ref in base_data.refs_in(side)
	_whole(base_data.base_path(ref, _title))
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		ref,
		"a base document is bound to a variable",
	))
}

_whole(p) if not base_data.listed(p, _title, "small-documents")
