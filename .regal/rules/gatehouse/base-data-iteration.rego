# METADATA
# description: |
#   Iteration over base data. OPA's Go evaluator (topdown, as in `opa run --server`) converts an
#   iterated base document whole on every query, so a table in data.json must only ever be looked
#   up by key. Small documents that may be iterated are named under `iterable`.
# schemas:
#   - input: schema.regal.ast
package custom.regal.rules.gatehouse["base-data-iteration"]

import data.custom.gatehouse.base_data
import data.regal.ast
import data.regal.result

_title := "base-data-iteration"

# `some x in R`, `some k, x in R`, `x in R` and `k, x in R` over a base document R.
report contains violation if {
	some rule in input.rules
	some call in base_data.calls(rule)
	base_data.operator(call) in {"internal.member_2", "internal.member_3"}
	domain := regal.last(call)
	_iterated(base_data.base_path(domain, _title))
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		domain,
		"`in` iterates a base document",
	))
}

# `every x in R` over a base document R.
report contains violation if {
	some rule in input.rules
	walk(rule, [_, node])
	_iterated(base_data.base_path(node.domain, _title))
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		node.domain,
		"`every` iterates a base document",
	))
}

# R[_] or R[x] with x unbound there: iterates the base document R, also inside comprehensions.
report contains violation if {
	some rule in input.rules
	walk(rule, [ref_path, node])
	node.type == "ref"
	p := base_data.base_path(node, _title)
	some i, key in node.value
	i > 0
	key.type == "var"
	not _bound(rule, ref_path, key)

	# the path of the document before `key`: the ref's head may stand for several segments
	_iterated(array.slice(p, 0, (count(p) - count(node.value)) + i))
	violation := result.fail(rego.metadata.chain(), result.location_and_description(
		key,
		"an unbound key iterates a base document",
	))
}

# _bound(rule, ref_path, key): variable `key` of the ref at ref_path in rule has a value where the
# ref is evaluated: it names a rule, an import or an argument, or the rule binds it before.
# A wildcard is never bound.
_bound(rule, _, key) if {
	not startswith(key.value, "$")
	key.value in (ast.identifiers | {arg.value | some arg in rule.head.args})
}

_bound(rule, ref_path, key) if {
	not startswith(key.value, "$")
	walk(rule, [path, other])
	other.type == "var"
	other.value == key.value
	other.location != key.location
	not _head_output(path)
	not _declaration(path)
	not _comprehension_head(path)
	_before(ref_path, other, key)
}

# A head's key or value (outside any comprehension body) is computed from the body: its
# variables are outputs there, and every binding in a body comes before it.
_head_output(path) if {
	"head" in path
	not "body" in path
}

# `some x` declares x without binding it.
_declaration(path) if path[count(path) - 2] == "symbols"

# The key, value or term of a comprehension is computed from the comprehension's body.
_comprehension_head(path) if array.slice(path, count(path) - 2, count(path)) in {
	["value", "key"],
	["value", "value"],
	["value", "term"],
}

_before(ref_path, _, _) if _head_output(ref_path)

_before(ref_path, other, key) if {
	not _head_output(ref_path)
	_row_col(other.location) < _row_col(key.location)
}

_row_col(location) := [to_number(parts[0]), to_number(parts[1])] if parts := split(location, ":")

# _iterated(p): iterating the document at path p is not allowed by the `iterable` setting, whose
# patterns name exactly the documents that may be iterated (not what lies below them).
_iterated(p) if {
	not _iterable(p)
}

_iterable(p) if {
	some pattern in base_data.patterns(_title, "iterable")
	count(pattern) == count(p)
	base_data.matches(p, pattern)
}
