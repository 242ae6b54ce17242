"""Regular expressions written by moderators, run with RE2 (``google-re2``): matching time grows linearly with
the text, whatever the pattern, so no filter can stall the server on a crafted post (with Python's ``re``,
``[c-z]*[c-z]*[c-z]*!`` on 400 letters takes 14 s, and it grows as n⁴).

RE2 has no back-references, look-arounds or atomic groups; a pattern using them is refused with RE2's reason.
What Python's ``re`` did and RE2 does differently is translated, so patterns keep their meaning: ``\\w``,
``\\d`` and ``\\s`` (and their negations) match letters, digits and spaces of every script, as before (RE2's
own are ASCII only), ``\\Z`` is the end of the text, ``\\u`` with four hex digits (``\\u00e9``) a
character. ``\\b`` is RE2's: a word edge next to an ASCII letter, digit or ``_`` (for whole words in any
script, the "whole word" kind is the tool).
Matching ignores case (Unicode case folding).
"""

from __future__ import annotations

import re2

MAX_MEM = 4 << 20  # bytes per compiled pattern; a pattern that needs more (\w{1000}) is refused

_WORD = r"\p{L}\p{N}_"
_SPACE = r"\t-\r\x{1C}-\x{1F}\x{85}\p{Z}"
_OUTSIDE = {
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "d": r"\p{Nd}",
    "D": r"\P{Nd}",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "Z": r"\z",
}
_INSIDE = {"w": _WORD, "d": r"\p{Nd}", "D": r"\P{Nd}", "s": _SPACE}  # \W and \S inside [...] stay RE2's


Regexp = re2._Regexp  # a compiled pattern (search(text) -> match or None)


class PatternError(ValueError):
    """RE2 cannot compile the pattern; the message says why (RE2's own words)."""


def translate(pattern: str) -> str:
    """Python ``re`` syntax to the RE2 pattern with the same meaning (see the module's docstring)."""
    out: list[str] = []
    in_class, index = False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            letter = pattern[index + 1]
            width = {"u": 4, "U": 8}.get(letter, 0)
            hex_digits = pattern[index + 2 : index + 2 + width]
            if width and len(hex_digits) == width and all(c in "0123456789abcdefABCDEF" for c in hex_digits):
                out.append(f"\\x{{{hex_digits}}}")
                index += 2 + width
                continue
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(letter, char + letter))
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # A "]" (or "^]") right after the opening bracket is a literal, not the end of the class.
            for literal in ("^]", "]", "^"):
                if pattern.startswith(literal, index + 1):
                    out.append(literal)
                    index += len(literal)
                    break
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would print the pattern (a moderator's words) to the server's log
    options.max_mem = MAX_MEM
    return options


def compile_pattern(pattern: str) -> Regexp:
    """The compiled pattern, or :class:`PatternError` with RE2's reason."""
    try:
        return re2.compile(translate(pattern), _options())
    except re2.error as error:
        reason = error.args[0] if error.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason) or "not valid") from None
