#!/usr/bin/env bash
# ANTLR stays inside engine/parse: no other source file may include an ANTLR header or
# the generated lexer/parser (architecture.md, practice 1).
# usage: check_antlr_confined.sh REPO_ROOT
root=$1
hits=$(grep -rlE '#include *[<"](antlr4-runtime|RegpolLexer|RegpolParser|antlr4/)' "$root/engine" "$root/cli" "$root/tests" "$root/bench" 2>/dev/null \
       | grep -v "^$root/engine/parse/" | grep -v 'check_antlr_confined.sh')
# The pattern must find the includes where they belong, or it would pass on any tree.
inside=$(grep -rlE '#include *[<"](antlr4-runtime|RegpolLexer|RegpolParser|antlr4/)' "$root/engine/parse" 2>/dev/null | wc -l)
if [ "$inside" -eq 0 ]; then echo "the ANTLR include pattern matches nothing in engine/parse: the check is blind"; echo "0 passed, 1 failed"; exit 1; fi
if [ -n "$hits" ]; then echo "ANTLR headers outside engine/parse:"; echo "$hits"; echo "0 passed, 1 failed"; exit 1; fi
echo "1 passed, 0 failed"
