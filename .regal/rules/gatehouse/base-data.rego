# METADATA
# description: |
#   Shared by the gatehouse/base-data-* rules: which refs read base data (the documents that
#   data.json holds, listed in each rule's `base-data` setting), through `data` itself or through
#   an import, and the dotted path patterns the settings name (`*` stands for any one key).
package custom.gatehouse.base_data

import data.regal.ast
import data.regal.config

# patterns(title, key) is the list of path patterns under `key` in the configuration of rule
# gatehouse/<title>, each split into its segments.
patterns(title, key) := [split(p, ".") | some p in object.get(config.rules.gatehouse[title], key, [])]

# path(term) is the document path a ref term reads, starting with "data": a static key is its
# text, a key computed during evaluation (a variable, ref or call) is null. A variable that an
# import names reads the imported document. Undefined for a term that starts neither at `data`
# nor at an import of part of it.
path(term) := array.concat(_head(term.value[0]), keys) if {
	term.type == "ref"
	keys := [_segment(t) | some t in array.slice(term.value, 1, count(term.value))]
}

path(term) := _head(term) if term.type == "var"

_head(term) := ["data"] if {
	term.type == "var"
	term.value == "data"
}

_head(term) := ast.resolved_imports[term.value] if {
	term.type == "var"
	term.value != "data"
}

_segment(t) := t.value if t.type == "string"

_segment(t) := sprintf("%v", [t.value]) if t.type in {"number", "boolean"}

_segment(t) := null if not t.type in {"string", "number", "boolean"}

# base_path(term, title) is the path of a ref (or imported variable) that reads base data, as configured for rule
# gatehouse/<title>; undefined for any other term.
base_path(term, title) := p if {
	p := path(term)
	some root in patterns(title, "base-data")
	array.slice(p, 0, count(root)) == root
}

# matches(p, pattern): path p lies at or below the document that pattern names. A computed key
# (null) is matched only by `*`, since it may be any key.
matches(p, pattern) if {
	count(pattern) <= count(p)
	every i, segment in pattern {
		_segment_matches(segment, p[i])
	}
}

_segment_matches("*", _)

_segment_matches(segment, key) if {
	segment != "*"
	segment == key
}

# listed(p, title, key): path p lies at or below a document named under `key` for rule title.
listed(p, title, key) if {
	some pattern in patterns(title, key)
	matches(p, pattern)
}

# calls(rule) are the calls in rule, each an array [operator, arguments...]: expressions such as
# `f(x)` or `a == b`, and call terms nested anywhere, such as the `internal.member_2` of `some x in y`.
calls(rule) := {node.value | walk(rule, [_, node]); node.type == "call"} | {node.terms |
	walk(rule, [_, node])
	is_array(node.terms)
}

# operator(call) is the called name, e.g. "equal", "internal.member_2" or "net.in_set".
operator(call) := concat(".", [sprintf("%v", [t.value]) | some t in call[0].value])

# refs_in(term) are term itself when it is a ref or variable, and the refs and variables written
# directly as the elements, keys or values of term when it is an array, set or object literal.
refs_in(term) := {term} if term.type in {"ref", "var"}

refs_in(term) := {e | some e in term.value; e.type in {"ref", "var"}} if term.type in {"array", "set"}

refs_in(term) := {item |
	some pair in term.value
	some item in pair
	item.type in {"ref", "var"}
} if term.type == "object"

refs_in(term) := set() if not term.type in {"ref", "var", "array", "set", "object"}
