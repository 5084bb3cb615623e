"""Schemathesis hooks for Oversee's CI run (loaded through SCHEMATHESIS_HOOKS by .ci/run).

Every check runs (`--checks all`). One narrow filter drops a "schema-valid request rejected"
failure, and only when the server refused the request for a reason the spec states in words
because JSON Schema cannot:

- a 422 whose `errors` name only fields listed in the operation's `x-rules` (a rule across
  fields, or against stored data: an id that must exist, a date after a stored one), and
- a 400 with problem type `invalid-cursor` to a request carrying a `cursor`: the spec says a
  cursor must be a `next_cursor` the API issued, and a generated one never is;
- a 412 to a request carrying `If-Match`: a well-formed entity-tag that is not the current one
  must be 412 (RFC 9110 §13.1.1), and a generated tag is almost never the current one;
- a 400 naming a header whose value breaks the pattern the spec gives it: schemathesis'
  coverage phase narrows header values to letters and digits, and with a pattern that needs
  other characters (an entity-tag is quoted) it sends values the spec does not allow, still
  labelled schema-valid.

Any other refusal of a schema-valid request stays a failure. `tests/api` sends a request that breaks each rule and checks the 422 names the field.
"""

import re

import schemathesis


def _problem(response):
    try:
        body = response.json()
    except Exception:  # not JSON: not a refusal we can vouch for
        return None
    return body if isinstance(body, dict) else None


def _covered(field, documented):
    """A named field is covered by a documented one, or by a documented parent of it."""
    return any(field == d or field.startswith(d + ".") or field.startswith(d + "[") for d in documented)


def _headers_breaking_their_pattern(case):
    """The declared headers the request carries with a value their pattern does not match."""
    sent = {k.lower(): v for k, v in (case.headers or {}).items()}
    broken = []
    for param in case.operation.definition.raw.get("parameters", []):
        if param.get("in") != "header":
            continue
        name = str(param.get("name", ""))
        pattern = (param.get("schema") or {}).get("pattern")
        value = sent.get(name.lower())
        if isinstance(pattern, str) and isinstance(value, str) and re.search(pattern, value) is None:
            broken.append(name)
    return broken


def _documented_refusal(case, response):
    problem = _problem(response)
    if problem is None:
        return False
    if response.status_code == 400:
        detail = str(problem.get("detail", ""))
        if any(name.lower() in detail.lower() for name in _headers_breaking_their_pattern(case)):
            return True
    if response.status_code == 412:
        return any(k.lower() == "if-match" for k in (case.headers or {}))
    if response.status_code == 400:
        return str(problem.get("type", "")).endswith("/invalid-cursor") and "cursor" in (case.query or {})
    if response.status_code == 422:
        rules = case.operation.definition.raw.get("x-rules", [])
        documented = {field for rule in rules for field in rule.get("fields", [])}
        named = [str(e.get("field")) for e in problem.get("errors") or [] if isinstance(e, dict)]
        return bool(named) and all(_covered(field, documented) for field in named)
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    return not _documented_refusal(case, response)
